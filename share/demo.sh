#!/bin/sh
# The README's first command (make demo): replays the bundled capture at
# its recorded pace through the pipeline, so a newcomer sees nm at work
# without root or a busy network.  DEMO_ARGS go to nm-render, e.g.
# DEMO_ARGS='-m detailed' make demo.
cd "$(dirname "$0")/.." || exit 1
set -e
./nm-capture -r share/sample.pcap --realtime | ./nm-decode |
    ./nm-render ${DEMO_ARGS:-}
