#!/bin/bash
# make bench: nm's pipeline and its peers on the same large capture, side
# by side.  pktgen's bulk scenario writes a realistic capture (2,000,000
# packets by default: TCP sessions with handshakes and teardowns, DNS
# queries and answers, other UDP, ICMP, ARP, IPv6, VLANs, 60 to 1518
# bytes; the same for the same seed).  Every contender reads it
# BENCH_RUNS times (5), one run of each per round, so that a slow moment
# of a shared machine hits all alike.  A ratio is the median over the
# rounds of nm's rate over its peer's in the same round; times are
# medians; cpu is user+system of every process of the run; peak memory is
# the largest resident size (GNU time's %M).  tshark is far slower, so it
# reads only the first TSHARK_COUNT packets (a tenth) and its rate is from
# those; the table says so.  Beside them, nm-capture -r F | cat: what
# passing the frames through one pipe costs, with nothing decoded (the
# floor under any pipeline of nm's).  Then each stage alone on a saved record
# stream (where the time goes) and its peak memory on a tenth of the input
# and on all of it (memory should stay flat).
#
# The table goes to stdout and to BENCH_OUT/bench-YYYYmmdd-HHMM.txt
# (tests/out); the ratios of the previous such file are shown beside this
# run's.  Knobs: BENCH_COUNT, BENCH_RUNS, TSHARK_COUNT, BENCH_SEED,
# BENCH_OUT, TMPDIR (the capture and the saved streams need about 3 KB
# per packet).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
count=${BENCH_COUNT:-2000000}
runs=${BENCH_RUNS:-5}
tcount=${TSHARK_COUNT:-$((count / 10))}
seed=${BENCH_SEED:-1}
outdir=${BENCH_OUT:-tests/out}
[ "$tcount" -gt "$count" ] && tcount=$count
[ "$tcount" -lt 1 ] && tcount=1
tenth=$((count / 10))
[ "$tenth" -lt 1 ] && tenth=1

for p in nm-capture nm-decode nm-stats nm-render tests/tools/pktgen; do
	[ -x "./$p" ] || { echo "bench: ./$p is not built (make all tests/tools/pktgen)" >&2; exit 1; }
done
gtime=
[ -x /usr/bin/time ] && gtime=/usr/bin/time
[ -z "$gtime" ] && echo "bench: GNU time is missing (apt-get install time):" \
    "no cpu or memory figures" >&2
have_tcpdump=$(command -v tcpdump || true)
have_tshark=$(command -v tshark || true)
have_jq=$(command -v jq || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nmbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
F=$tmp/bulk.pcap
F10=$tmp/tenth.pcap
FT=$tmp/tshark.pcap
# The peers' best case: TZ set, so localtime() reads no file per packet.
TZSET=${BENCH_TZ:-:/etc/localtime}

# --- the capture and the saved streams ---
echo "bench: writing $count packets (pktgen bulk, seed $seed)..." >&2
tests/tools/pktgen bulk "$F" -n "$count" -s "$seed" || exit 1
# The same seed makes the shorter files the first packets of the long one.
tests/tools/pktgen bulk "$F10" -n "$tenth" -s "$seed" || exit 1
tests/tools/pktgen bulk "$FT" -n "$tcount" -s "$seed" || exit 1
./nm-capture -r "$F" >"$tmp/cap.nm" &&
    ./nm-decode <"$tmp/cap.nm" >"$tmp/dec.nm" &&
    ./nm-capture -r "$F10" >"$tmp/cap10.nm" &&
    ./nm-decode <"$tmp/cap10.nm" >"$tmp/dec10.nm" || {
	echo "bench: could not save the record streams" >&2
	exit 1
}
fbytes=$(wc -c <"$F")

# --- one timed run ---
# run NAME PACKETS ENV CMD: runs CMD (bash, pipefail) under env ENV with
# stdout to /dev/null; appends "wall cpu maxrss_kib" to NAME.runs.
run() {
	local name=$1 n=$2 envs=$3 cmd=$4 t0 t1 st
	t0=$(date +%s.%N)
	if [ -n "$gtime" ]; then
		env $envs "$gtime" -o "$tmp/gt" -f '%U %S %M' \
		    bash -o pipefail -c "$cmd" >/dev/null 2>"$tmp/err"
	else
		env $envs bash -o pipefail -c "$cmd" >/dev/null 2>"$tmp/err"
	fi
	st=$?
	t1=$(date +%s.%N)
	if [ "$st" -ne 0 ]; then
		echo "bench: $name exited $st: $(grep -v 'Running as user' "$tmp/err" | head -n 1)" >&2
		echo fail >"$tmp/$name.failed"
	fi
	if [ -n "$gtime" ]; then
		awk -v a="$t0" -v b="$t1" '{ printf "%.6f %.2f %d\n", b - a, $1 + $2, $3 }' \
		    "$tmp/gt"
	else
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f - -\n", b - a }'
	fi >>"$tmp/$name.runs"
	echo "$n" >"$tmp/$name.n"
	printf '%s\n' "$cmd" >"$tmp/$name.cmd"
}

# The contenders.  nm's pipelines are named nm-*, the stages st-*.
NMC="./nm-capture -r '$F' | ./nm-decode | ./nm-render --color=never"
i=0
started=$(date +%s)
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	printf 'bench: round %d of %d (%ds so far)\n' "$i" "$runs" \
	    $(($(date +%s) - started)) >&2
	run nm-compact-tz "$count" "TZ=$TZSET" "$NMC"
	[ -n "$have_tcpdump" ] && run tcpdump-tz "$count" "TZ=$TZSET" \
	    "tcpdump -n -r '$F'"
	run nm-compact "$count" "-u TZ" "$NMC"
	[ -n "$have_tcpdump" ] && run tcpdump "$count" "-u TZ" \
	    "tcpdump -n -r '$F'"
	run nm-json "$count" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-render -o json"
	[ -n "$have_tshark" ] && run tshark-json "$tcount" "TZ=$TZSET" \
	    "tshark -n -r '$FT' -T json"
	run nm-stats "$count" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-stats -q | ./nm-render --color=never"
	[ -n "$have_tshark" ] && run tshark-stats "$tcount" "TZ=$TZSET" \
	    "tshark -n -q -z conv,ip -z io,phs -r '$FT'"
	[ -n "$have_tcpdump" ] && run tcpdump-w "$count" "TZ=$TZSET" \
	    "tcpdump -n -r '$F' -w /dev/null"
	# What one pipe costs: the frames passed on and not decoded.
	run pipe-floor "$count" "TZ=$TZSET" "./nm-capture -r '$F' | cat"
	run st-capture "$count" "TZ=$TZSET" "./nm-capture -r '$F'"
	run st-decode "$count" "TZ=$TZSET" "./nm-decode < '$tmp/cap.nm'"
	run st-stats "$count" "TZ=$TZSET" "./nm-stats -q < '$tmp/dec.nm'"
	run st-render "$count" "TZ=$TZSET" "./nm-render --color=never < '$tmp/dec.nm'"
	run st-json "$count" "TZ=$TZSET" "./nm-render -o json < '$tmp/dec.nm'"
done
echo "bench: memory on a tenth of the input" >&2
# Peak memory on a tenth of the input: flat memory means the same figure.
run st10-capture "$tenth" "TZ=$TZSET" "./nm-capture -r '$F10'"
run st10-decode "$tenth" "TZ=$TZSET" "./nm-decode < '$tmp/cap10.nm'"
run st10-stats "$tenth" "TZ=$TZSET" "./nm-stats -q < '$tmp/dec10.nm'"
run st10-render "$tenth" "TZ=$TZSET" "./nm-render --color=never < '$tmp/dec10.nm'"
run st10-json "$tenth" "TZ=$TZSET" "./nm-render -o json < '$tmp/dec10.nm'"
[ -n "$have_tcpdump" ] && run tcpdump10 "$tenth" "TZ=$TZSET" "tcpdump -n -r '$F10'"
elapsed=$(($(date +%s) - started))

# --- figures ---
# col NAME K: the median of column K (1 wall, 2 cpu, 3 memory) of NAME.
col() {
	[ -f "$tmp/$1.runs" ] || { echo -; return; }
	awk -v k="$2" '$k != "-" { print $k }' "$tmp/$1.runs" | sort -g |
	    awk '{ v[NR] = $1 } END { if (NR == 0) print "-";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# ratio A B [K]: median over rounds of A's rate / B's rate, round by
# round; by wall time, or by cpu time with K=2.
ratio() {
	[ -f "$tmp/$1.runs" ] && [ -f "$tmp/$2.runs" ] || { echo -; return; }
	paste -d ' ' "$tmp/$1.runs" "$tmp/$2.runs" |
	    awk -v na="$(cat "$tmp/$1.n")" -v nb="$(cat "$tmp/$2.n")" \
		-v k="${3:-1}" '$k != "-" && $k > 0 && $(k + 3) > 0 {
		print (na / $k) / (nb / $(k + 3)) }' | sort -g |
	    awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
		if (NR % 2) m = v[(NR + 1) / 2]
		else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f\n", m }'
}
# row NAME LABEL: one contender's line.
row() {
	local name=$1 label=$2 n w c m
	if [ ! -f "$tmp/$name.runs" ]; then
		printf '  %-50s (not installed)\n' "$label"
		return
	fi
	n=$(cat "$tmp/$name.n")
	w=$(col "$name" 1) c=$(col "$name" 2) m=$(col "$name" 3)
	[ -f "$tmp/$name.failed" ] && label="$label (FAILED)"
	awk -v l="$label" -v n="$n" -v w="$w" -v c="$c" -v m="$m" 'BEGIN {
		printf "  %-50s %8d %7.2f %7s %10.0f %8s\n", l, n, w,
		    c == "-" ? "-" : sprintf("%.2f", c), n / w,
		    m == "-" ? "-" : sprintf("%.1f", m / 1024) }'
}
# verdict KEY LABEL A B OP TARGET: nm's A against its peer B, by wall
# time (the target's measure) and by cpu time.
verdict() {
	local key=$1 label=$2 v c op=$5 want=$6 ok
	v=$(ratio "$3" "$4") c=$(ratio "$3" "$4" 2)
	echo "$key $v" >>"$tmp/ratios"
	echo "${key}_cpu $c" >>"$tmp/ratios"
	ok=-
	[ "$v" != - ] && ok=$(awk -v v="$v" -v w="$want" -v op="$op" 'BEGIN {
		print (op == ">=" ? v >= w : v <= w) ? "ok" : "MISSED" }')
	printf '  %-40s %8s %8s   %s %-5s %s\n' "$label" "${v}x" "${c}x" "$op" \
	    "${want}x" "$ok"
}
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'; }

# The mix, and nm-stats' flows, from the final stats record.
mix= flows= perflow=
if [ -n "$have_jq" ]; then
	./nm-stats -q <"$tmp/dec.nm" | ./nm-render -o json >"$tmp/stats.json"
	mix=$(jq -r 'select(.type == "stats" and .final) | [.protos[] |
	    select(.pkt_pct >= 0.1) | "\(.name) \(.pkt_pct * 10 | floor / 10)%"] |
	    join(", ")' \
	    "$tmp/stats.json")
	flows=$(jq -r 'select(.type == "stats") | .tracked.flows' \
	    "$tmp/stats.json" | sort -n | tail -n 1)
	total_flows=$(jq -r 'select(.type == "stats" and .final) | .total.flows' \
	    "$tmp/stats.json")
	if [ -n "$gtime" ]; then
		# A baseline: the same program on the first 1000 packets.
		tests/tools/pktgen bulk "$tmp/small.pcap" -n 1000 -s "$seed" &&
		    ./nm-capture -r "$tmp/small.pcap" | ./nm-decode >"$tmp/small.nm"
		run st-stats-base 0 "TZ=$TZSET" "./nm-stats -q < '$tmp/small.nm'"
		perflow=$(awk -v a="$(col st-stats 3)" -v b="$(col st-stats-base 3)" \
		    -v f="${flows:-0}" 'BEGIN { if (f > 0) printf "%.0f", (a - b) * 1024 / f }')
	fi
fi

stamp=$(date +%Y%m%d-%H%M)
mkdir -p "$outdir"
out=$outdir/bench-$stamp.txt
[ -e "$out" ] && out=$outdir/bench-$stamp-$(date +%S).txt
prev=$(ls -1 "$outdir"/bench-2*.txt 2>/dev/null | sort | tail -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || rev="$rev+changes"

table() {
	echo "nm bench $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev, $(nproc) CPUs," \
	    "load $(cut -d ' ' -f 1-3 /proc/loadavg)"
	awk -v n="$count" -v b="$fbytes" -v s="$seed" 'BEGIN {
		printf "capture: pktgen bulk, %d packets, seed %d, %.0f MB, %.0f bytes average\n",
		    n, s, b / 1e6, (b - 24 - 16 * n) / n }'
	[ -n "$mix" ] && echo "mix: $mix"
	echo "$runs runs each, interleaved; medians; TZ=$TZSET unless said; output to /dev/null;" \
	    "took ${elapsed}s"
	echo
	printf '  %-50s %8s %7s %7s %10s %8s\n' "" packets "wall s" "cpu s" \
	    "packets/s" "peak MiB"
	echo "compact text"
	row nm-compact-tz "nm-capture -r | nm-decode | nm-render"
	row tcpdump-tz "tcpdump -n -r"
	row nm-compact "nm (TZ unset)"
	row tcpdump "tcpdump -n -r (TZ unset)"
	echo "JSON"
	row nm-json "nm-capture -r | nm-decode | nm-render -o json"
	row tshark-json "tshark -n -r -T json (first $tcount packets)"
	echo "statistics only"
	row nm-stats "nm-capture -r | nm-decode | nm-stats -q | nm-render"
	row tshark-stats "tshark -q -z conv,ip -z io,phs (first $tcount)"
	row tcpdump-w "tcpdump -n -r -w /dev/null (the read limit)"
	row pipe-floor "nm-capture -r | cat (frames through one pipe)"
	echo "each stage alone, on a saved record stream"
	row st-capture "nm-capture -r F > stream"
	row st-decode "nm-decode < capture stream"
	row st-stats "nm-stats -q < decoded stream"
	row st-render "nm-render < decoded stream (compact)"
	row st-json "nm-render -o json < decoded stream"
	echo
	echo "ratios: nm's packets/s over the peer's, median of the rounds"
	printf '  %-40s %8s %8s   %s\n' "" "by wall" "by cpu" "target (wall)"
	: >"$tmp/ratios"
	verdict compact_tz "compact vs tcpdump, TZ set" nm-compact-tz \
	    tcpdump-tz ">=" 3
	verdict compact_notz "compact vs tcpdump, TZ unset" nm-compact \
	    tcpdump ">=" 3
	verdict json "json vs tshark -T json" nm-json tshark-json ">=" 10
	verdict stats_tshark "stats vs tshark conv,ip + io,phs" nm-stats \
	    tshark-stats ">=" 30
	verdict stats_readlimit "stats vs tcpdump -w /dev/null" nm-stats \
	    tcpdump-w ">=" 0.5
	echo
	echo "peak memory, MiB: a tenth of the input | all of it"
	local s
	for s in capture decode stats render json; do
		printf '  %-16s %7s | %7s\n' "$s" "$(mib "$(col "st10-$s" 3)")" \
		    "$(mib "$(col "st-$s" 3)")"
	done
	printf '  %-16s %7s | %7s\n' "tcpdump -n -r" "$(mib "$(col tcpdump10 3)")" \
	    "$(mib "$(col tcpdump-tz 3)")"
	printf '  %-16s %7s | %7s  (first %d packets)\n' "tshark -T json" - \
	    "$(mib "$(col tshark-json 3)")" "$tcount"
	if [ -n "$flows" ]; then
		echo "nm-stats: $total_flows flows seen, at most $flows tracked at once;" \
		    "${perflow:--} bytes per tracked flow (target <= 256)"
		[ -n "$perflow" ] && echo "bytes_per_flow $perflow" >>"$tmp/ratios"
	fi
	echo
	sed 's/^/ratio /' "$tmp/ratios"
}
table | tee "$out"

if [ -n "$prev" ] && [ "$prev" != "$out" ]; then
	echo
	echo "previous run: $prev"
	grep '^ratio ' "$out" | while read -r _ k v; do
		p=$(awk -v k="$k" '$1 == "ratio" && $2 == k { print $3 }' "$prev")
		awk -v k="$k" -v v="$v" -v p="${p:--}" 'BEGIN {
			if (p == "-" || v == "-" || p + 0 == 0)
				printf "  %-16s %8s -> %8s\n", k, p, v
			else
				printf "  %-16s %8s -> %8s  (%+.0f%%)\n", k, p, v,
				    (v / p - 1) * 100 }'
	done
fi
echo "bench: table written to $out"
