#!/bin/sh
# Generates the seed corpora of the fuzz targets into DIR (default
# fuzz/corpus): DIR/decode holds single frames, one file each, whose first
# byte selects the link type as fuzz/decode.c's table does; DIR/stream and
# DIR/stats hold whole record streams, msgpack and JSON, made by running
# the pipeline on tests/tools/pktgen's scenarios.  Nothing here is
# committed: run it again after a schema or scenario change.  Needs the
# programs and pktgen built (make all tests/tools/pktgen) and python3.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/fuzz/corpus}
PATH="$top:$PATH"
pktgen=$top/tests/tools/pktgen
work=$(mktemp -d "${TMPDIR:-/tmp}/nmseed.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/decode" "$dir/stream" "$dir/stats"

for sc in mixed sll sll2 raw null; do
	"$pktgen" "$sc" "$work/$sc.pcap"
done
"$pktgen" bulk "$work/bulk.pcap" -n 24 -s 7
"$pktgen" bulk "$work/small.pcap" -n 2 -s 3	# short streams fuzz faster

# Frames: each pcap record becomes seed files, under its own link type
# and under the link types that frame the same bytes another way.
python3 - "$dir/decode" "$work"/*.pcap <<'PY'
import struct, sys

out = sys.argv[1]
# fuzz/decode.c's linktypes[]: the seed's first byte is an index into it
SEL = {1: 0, 113: 1, 276: 2, 101: 3, 12: 4, 14: 5, 228: 6, 229: 7,
       0: 8, 108: 9, 9: 10, 50: 11, 147: 12}

def frames(path):
    b = open(path, "rb").read()
    magic = b[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    lt = struct.unpack(end + "I", b[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(b):
        incl = struct.unpack(end + "I", b[off + 8:off + 12])[0]
        yield lt, b[off + 16:off + 16 + incl]
        off += 16 + incl

n = 0
def put(lt, data):
    global n
    n += 1
    with open("%s/seed-%d-%04d" % (out, lt, n), "wb") as f:
        f.write(bytes([SEL[lt]]) + data)

for path in sys.argv[2:]:
    for lt, fr in frames(path):
        put(lt, fr)
        if lt == 101 and fr:
            v = fr[0] >> 4
            put(12, fr)
            put(14, fr)
            put(228 if v == 4 else 229, fr)
            proto = b"\x00\x21" if v == 4 else b"\x00\x57"
            put(9, proto + fr)
            put(50, b"\xff\x03" + proto + fr)
            fam = 2 if v == 4 else 24
            put(108, struct.pack(">I", fam) + fr)
        if lt == 1 and n % 8 == 0:
            put(147, fr)
PY

# Streams: what each stage writes, in msgpack and as nm-render's JSON.
for sc in mixed sll sll2 raw null bulk small; do
	p=$work/$sc.pcap
	nm-capture -r "$p" >"$dir/stream/seed-$sc-frames.mp"
	nm-decode <"$dir/stream/seed-$sc-frames.mp" >"$work/$sc.dec"
	nm-stats -I 1 <"$work/$sc.dec" >"$dir/stream/seed-$sc-stats.mp"
	nm-render -o json <"$dir/stream/seed-$sc-stats.mp" \
	    >"$dir/stream/seed-$sc-stats.json"
	cp "$work/$sc.dec" "$dir/stats/seed-$sc-packets.mp"
	nm-render -o json <"$work/$sc.dec" >"$dir/stats/seed-$sc-packets.json"
done
nm-render -o json <"$dir/stream/seed-mixed-frames.mp" \
    >"$dir/stream/seed-mixed-frames.json"
cp "$dir/stream/seed-bulk-frames.mp" "$dir/stats/seed-bulk-frames.mp"
# Several sources (nm-stats' per_source): the mixed packets as three
# sources' of a header that names two, so "other" counts too.
python3 - "$dir/stats/seed-mixed-packets.json" \
    >"$dir/stats/seed-mixed-sources.json" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r['type'] == 'header':
        s = r['sources'][0]
        r['sources'] = [dict(s, name='eth0'),
            dict(s, name='veth0', netns='ns1')]
    elif r['type'] in ('frame', 'packet'):
        r['if'] = n % 3
        n += 1
    print(json.dumps(r, separators=(',', ':')))
PY
