#!/usr/bin/env bash
# make valgrind: the pipeline tests (golden, stream, render, stats, and
# the ARP and DNS detectors') with nm-decode, nm-stats, nm-detect and
# nm-render run under valgrind (memcheck, full leak check).  The tests run
# in a shadow of the tree, whose entries link back to the real ones
# except those four programs, which are scripts
# that exec valgrind on the real binaries; lib.sh puts the shadow first
# on PATH.  Any memcheck error or leak fails, with the logs kept in
# tests/out/valgrind/.  Takes a few minutes: not part of make test.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null ||
    { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 1; }
shadow=$(mktemp -d "${TMPDIR:-/tmp}/nmvg.XXXXXX")
trap 'rm -rf "$shadow"' EXIT
logs=$top/tests/out/valgrind
rm -rf "$logs"
mkdir -p "$logs"
for f in "$top"/* "$top"/.[!.]*; do
	[ -e "$f" ] && ln -s "$f" "$shadow/"
done
for p in nm-decode nm-stats nm-detect nm-render; do
	rm -f "$shadow/$p"
	cat >"$shadow/$p" <<WRAP
#!/bin/sh
# valgrind cannot run a seccomp filter: the sandbox's own switch turns it off
NM_NO_SECCOMP=1 exec valgrind -q --tool=memcheck --leak-check=full \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --error-exitcode=99 --log-file="$logs/$p.%p.log" "$top/$p" "\$@"
WRAP
	chmod +x "$shadow/$p"
done
export NM_SHARED=${NM_SHARED:-$top/../shared}	# the shadow has no ../shared
# Every third snaplen of the golden truncation sweep: all 128 under
# valgrind take longer than the runner allows a test (the sanitizer copy
# of the suite sweeps them all).
export GOLDEN_SWEEP_STEP=${GOLDEN_SWEEP_STEP:-3}
status=0
for t in ${VALGRIND_TESTS:-golden stream render stats detect-dns detect-arp}; do
	T=$t bash "$shadow/tests/run.sh" || status=1
done
# With -q memcheck writes only its findings ("==PID== ..."); valgrind's
# own notes ("--PID-- ...", e.g. that it does not know seccomp(2)) are
# not findings.
bad=$(grep -l -E '^==[0-9]+==' "$logs"/*.log 2>/dev/null | sort)
n=$(find "$logs" -name '*.log' | wc -l)
if [ -n "$bad" ]; then
	echo "valgrind: errors or leaks in $(echo "$bad" | wc -l) of $n runs:"
	for f in $bad; do
		echo "== $f"
		head -n 30 "$f"
	done | head -n 200
	status=1
else
	echo "valgrind: $n program runs, no errors, no leaks"
fi
exit $status
