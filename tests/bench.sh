#!/bin/sh
# make bench: nm's pipeline and its peers on the same large capture, side
# by side.  pktgen writes a bulk capture (1,000,000 packets of a realistic
# mix by default); each contender reads it BENCH_RUNS times (5), the runs
# alternating so that a slow moment of the machine hits all alike; the
# median wall time gives packets per second, shown also as a ratio to
# tcpdump.  tshark is far slower, so it reads only the first
# TSHARK_COUNT packets (100,000) and its rate is from those.
# Knobs: BENCH_COUNT, BENCH_RUNS, TSHARK_COUNT, BENCH_SEED.
set -u
cd "$(dirname "$0")/.." || exit 1
count=${BENCH_COUNT:-1000000}
runs=${BENCH_RUNS:-5}
tcount=${TSHARK_COUNT:-100000}
seed=${BENCH_SEED:-1}
[ "$tcount" -gt "$count" ] && tcount=$count

for p in nm-capture nm-decode nm-render; do
	[ -x "./$p" ] || { echo "bench: ./$p is not built (make)" >&2; exit 1; }
done
[ -x tests/tools/pktgen ] || make -s tests/tools/pktgen || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nmbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
f=$tmp/bulk.pcap

now() { date +%s.%N; }

echo "bench: writing $count packets (seed $seed)..."
tests/tools/pktgen bulk "$f" -n "$count" -s "$seed" || exit 1
echo "bench: $(wc -c <"$f") bytes; $runs runs each, alternating"

# run NAME CMD: times one run of CMD (a shell command line) into NAME.times
run() {
	t0=$(now)
	sh -c "$2" >/dev/null 2>&1
	st=$?
	t1=$(now)
	[ "$st" -ne 0 ] && echo "bench: $1 exited $st" >&2
	echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }' >>"$tmp/$1.times"
}

have_tcpdump=$(command -v tcpdump || true)
have_tshark=$(command -v tshark || true)
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	printf 'bench: round %d of %d\r' $i "$runs"
	run nm "./nm-capture -r '$f' | ./nm-decode |
	    ./nm-render --color=never"
	run nm-json "./nm-capture -r '$f' | ./nm-decode | ./nm-render -o json"
	[ -n "$have_tcpdump" ] && run tcpdump "tcpdump -n -r '$f'"
	[ -n "$have_tshark" ] && run tshark "tshark -n -r '$f' -c $tcount"
done
echo

median() { sort -n "$tmp/$1.times" | awk '{ v[NR] = $1 }
	END { if (NR % 2) print v[(NR + 1) / 2]
	      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

base=
[ -n "$have_tcpdump" ] && base=$(median tcpdump | awk -v n="$count" \
    '{ print n / $1 }')
printf '%-40s %10s %9s %12s %9s\n' "pipeline" packets "median s" \
    "packets/s" "vs tcpdump"
show() {
	name=$1 n=$2 label=$3
	[ -f "$tmp/$name.times" ] || { printf '%-40s (not installed)\n' \
	    "$label"; return; }
	median "$name" | awk -v n="$n" -v l="$label" -v b="${base:-0}" '{
		pps = n / $1
		r = b > 0 ? sprintf("%.2fx", pps / b) : "-"
		printf "%-40s %10d %9.3f %12.0f %9s\n", l, n, $1, pps, r }'
}
show nm "$count" "nm compact (capture|decode|render)"
show nm-json "$count" "nm json (capture|decode|render -o json)"
show tcpdump "$count" "tcpdump -n -r"
show tshark "$tcount" "tshark -n -r (first $tcount only)"
