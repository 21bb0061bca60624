#!/bin/bash
# make bench: nm's pipeline and its peers on three large captures, side
# by side.  pktgen writes them, the same for the same seed: bulk
# (2,000,000 packets by default: TCP sessions with handshakes and
# teardowns, DNS queries and answers, other UDP, ICMP, ARP, IPv6, VLANs,
# 60 to 1518 bytes; mostly full segments and their ACKs, so consecutive
# records often look alike), mix (1,000,000: tens of thousands of flows at
# once whose consecutive records change layout all the time, 60% TCP, 25%
# UDP, 5% ICMP, 3% ARP, 6% IPv6, many small packets) and web (500,000:
# browsers' sessions, TLS handshakes whose ClientHellos are half
# post-quantum and two segments long, encrypted records, HTTP/1.1 requests
# and responses, QUIC Initials that decrypt; see tests/README.md).  Every
# contender reads each capture BENCH_RUNS times (5), one run of each on
# each capture per round, so that a slow moment of a shared machine hits
# all alike.  A ratio is the median over the rounds of nm's rate over its
# peer's in the same round; times are medians; cpu is user+system of every
# process of the run; peak memory is the largest resident size (GNU
# time's %M).  tshark is far slower, so it reads only the first
# TSHARK_COUNT packets of a capture (a tenth) and its rate is from those;
# the table says so.  Beside them, nm-capture -r F | cat: what passing the
# frames through one pipe costs, with nothing decoded (the floor under any
# pipeline of nm's), and the default pipeline with the detectors off,
# on (nm-stats runs them: they must cost it at most 15%) and as a stage of
# their own (nm-detect); the same default pipeline with nm-decode
# --no-app, as it was before the application decoders (TLS, QUIC, HTTP):
# they must cost it at most 10% (a rate of 0.91 of --no-app's or more,
# wall time at most 1.10 times).  On web, nm-render -o fields of the web's
# fields against tshark -T fields of the same (it decodes TLS and HTTP
# too).  Then each stage alone on a saved record stream (where the time
# goes: cpu seconds per million records; nm-decode also with --no-app)
# and its peak memory on a tenth of the input and on all of it (memory
# should stay flat).
#
# The table goes to stdout and to BENCH_OUT/bench-YYYYmmdd-HHMM.txt
# (tests/out); the ratios of the previous such file are shown beside this
# run's.  Knobs: BENCH_COUNT (bulk's packets), BENCH_MIX_COUNT (mix's),
# BENCH_WEB_COUNT (web's), BENCH_CAPTURES ("bulk mix web": which to read),
# BENCH_RUNS, TSHARK_COUNT, BENCH_SEED, BENCH_TZ, BENCH_OUT, TMPDIR (the
# captures and the saved streams need about 3 KB per packet).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
runs=${BENCH_RUNS:-5}
# the -Y rows' expression, the same for nm and tshark
YEXPR='tcp.port == 443 && ip.len > 100'
seed=${BENCH_SEED:-1}
outdir=${BENCH_OUT:-tests/out}
caps=${BENCH_CAPTURES:-bulk mix web}
# the web fields of the fields rows, names nm and tshark share
WEBF='-e ip.src -e tls.handshake.extensions_server_name'
WEBF+=' -e tls.handshake.extensions_alpn_str -e http.host -e http.request.uri'
WEBF+=' -e http.response.code'
declare -A count tcount tenth fbytes
count[bulk]=${BENCH_COUNT:-2000000}
count[mix]=${BENCH_MIX_COUNT:-1000000}
count[web]=${BENCH_WEB_COUNT:-500000}
for c in $caps; do
	case $c in
	bulk|mix|web) ;;
	*) echo "bench: BENCH_CAPTURES: no capture named $c (bulk, mix, web)" >&2; exit 2 ;;
	esac
	n=${count[$c]}
	t=${TSHARK_COUNT:-$((n / 10))}
	[ "$t" -gt "$n" ] && t=$n
	[ "$t" -lt 1 ] && t=1
	tcount[$c]=$t
	t=$((n / 10))
	[ "$t" -lt 1 ] && t=1
	tenth[$c]=$t
done

for p in nm-capture nm-decode nm-detect nm-stats nm-render tests/tools/pktgen; do
	[ -x "./$p" ] || { echo "bench: ./$p is not built (make all tests/tools/pktgen)" >&2; exit 1; }
done
gtime=
[ -x /usr/bin/time ] && gtime=/usr/bin/time
[ -z "$gtime" ] && echo "bench: GNU time is missing (apt-get install time):" \
    "no cpu or memory figures" >&2
have_tcpdump=$(command -v tcpdump || true)
have_tshark=$(command -v tshark || true)
have_mergecap=$(command -v mergecap || true)
have_jq=$(command -v jq || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nmbench.XXXXXX") || exit 1
bus_pid=
trap '[ -n "$bus_pid" ] && kill "$bus_pid"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
# The peers' best case: TZ set, so localtime() reads no file per packet.
TZSET=${BENCH_TZ:-:/etc/localtime}

# --- the captures and the saved streams ---
# Per capture C: C.pcap, C.tenth.pcap, C.tshark.pcap; the streams
# C.cap.nm (nm-capture's) and C.dec.nm (nm-decode's), and the same of the
# tenth.  The same seed makes the shorter files the first packets of the
# long one.
for c in $caps; do
	echo "bench: writing ${count[$c]} packets (pktgen $c, seed $seed)..." >&2
	tests/tools/pktgen "$c" "$tmp/$c.pcap" -n "${count[$c]}" -s "$seed" &&
	    tests/tools/pktgen "$c" "$tmp/$c.tenth.pcap" -n "${tenth[$c]}" \
		-s "$seed" &&
	    tests/tools/pktgen "$c" "$tmp/$c.tshark.pcap" -n "${tcount[$c]}" \
		-s "$seed" || exit 1
	./nm-capture -r "$tmp/$c.pcap" >"$tmp/$c.cap.nm" &&
	    ./nm-decode <"$tmp/$c.cap.nm" >"$tmp/$c.dec.nm" &&
	    ./nm-capture -r "$tmp/$c.tenth.pcap" >"$tmp/$c.cap10.nm" &&
	    ./nm-decode <"$tmp/$c.cap10.nm" >"$tmp/$c.dec10.nm" &&
	    ./nm-stats -q --no-detect --summary-interval 1 \
		<"$tmp/$c.dec.nm" >"$tmp/$c.sum.nm" || {
		echo "bench: could not save the record streams of $c" >&2
		exit 1
	}
	fbytes[$c]=$(wc -c <"$tmp/$c.pcap")
done

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

# rows C: one run of every contender on capture C, named C.*.  nm's
# pipelines are named nm-*, the stages st-*.
rows() {
	local c=$1 n=${count[$1]} F=$tmp/$1.pcap FT=$tmp/$1.tshark.pcap
	local s=$tmp/$1 nmc
	nmc="./nm-capture -r '$F' | ./nm-decode | ./nm-render --color=never"
	run "$c.nm-compact-tz" "$n" "TZ=$TZSET" "$nmc"
	[ -n "$have_tcpdump" ] && run "$c.tcpdump-tz" "$n" "TZ=$TZSET" \
	    "tcpdump -n -r '$F'"
	run "$c.nm-compact" "$n" "-u TZ" "$nmc"
	[ -n "$have_tcpdump" ] && run "$c.tcpdump" "$n" "-u TZ" \
	    "tcpdump -n -r '$F'"
	run "$c.nm-json" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-render -o json"
	[ -n "$have_tshark" ] && run "$c.tshark-json" "${tcount[$c]}" \
	    "TZ=$TZSET" "tshark -n -r '$FT' -T json"
	run "$c.nm-stats" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-stats -q | ./nm-render --color=never"
	# the default pipeline (nm-monitor's): nm-stats runs the detectors;
	# without them, and with them as a stage of their own
	run "$c.nm-default" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-stats | ./nm-render --color=never"
	run "$c.nm-nodetect" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-stats --no-detect | ./nm-render --color=never"
	run "$c.nm-detect" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode | ./nm-detect | ./nm-stats | ./nm-render --color=never"
	# the default pipeline without the application decoders: as it was
	# before them (nm-default has them on)
	run "$c.nm-noapp" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode --no-app | ./nm-stats | ./nm-render --color=never"
	if [ "$c" = web ]; then
		run "$c.nm-webfields" "$n" "TZ=$TZSET" \
		    "./nm-capture -r '$F' | ./nm-decode | ./nm-render -o fields $WEBF"
		[ -n "$have_tshark" ] && run "$c.tshark-webfields" \
		    "${tcount[$c]}" "TZ=$TZSET" "tshark -n -r '$FT' -T fields $WEBF"
	fi
	web_row "$c"
	[ -n "$have_tshark" ] && run "$c.tshark-stats" "${tcount[$c]}" \
	    "TZ=$TZSET" "tshark -n -q -z conv,ip -z io,phs -r '$FT'"
	[ -n "$have_tcpdump" ] && run "$c.tcpdump-w" "$n" "TZ=$TZSET" \
	    "tcpdump -n -r '$F' -w /dev/null"
	# -Y: a filter on decoded fields, the matches shown
	run "$c.nm-filter" "$n" "TZ=$TZSET" \
	    "./nm-capture -r '$F' | ./nm-decode -Y '$YEXPR' | ./nm-render --color=never"
	[ -n "$have_tshark" ] && run "$c.tshark-filter" "${tcount[$c]}" \
	    "TZ=$TZSET" "tshark -n -r '$FT' -Y '$YEXPR'"
	# a capture file written from the stream (pcapng, to /dev/null)
	run "$c.nm-pcap" "$n" "TZ=$TZSET" "./nm-capture -r '$F' | ./nm-pcap -w -"
	# two files merged in timestamp order (the capture with itself)
	run "$c.nm-merge" "$((2 * n))" "TZ=$TZSET" \
	    "./nm-capture -r '$F' -r '$F' | cat"
	[ -n "$have_mergecap" ] && run "$c.mergecap" "$((2 * n))" "TZ=$TZSET" \
	    "mergecap -F pcap -w - '$F' '$F' | cat"
	# What one pipe costs: the frames passed on and not decoded.
	run "$c.pipe-floor" "$n" "TZ=$TZSET" "./nm-capture -r '$F' | cat"
	run "$c.st-capture" "$n" "TZ=$TZSET" "./nm-capture -r '$F'"
	run "$c.st-decode" "$n" "TZ=$TZSET" "./nm-decode < '$s.cap.nm'"
	run "$c.st-decode-noapp" "$n" "TZ=$TZSET" "./nm-decode --no-app < '$s.cap.nm'"
	run "$c.st-stats" "$n" "TZ=$TZSET" "./nm-stats -q --no-detect < '$s.dec.nm'"
	# what the summary records cost nm-stats, and merging them
	run "$c.st-stats-nosum" "$n" "TZ=$TZSET" \
	    "./nm-stats -q --no-detect --no-summary < '$s.dec.nm'"
	run "$c.st-merge" "$((2 * n))" "TZ=$TZSET" \
	    "./nm-stats --merge '$s.sum.nm' '$s.sum.nm' | cat"
	run "$c.st-detect" "$n" "TZ=$TZSET" "./nm-detect < '$s.dec.nm'"
	run "$c.st-render" "$n" "TZ=$TZSET" \
	    "./nm-render --color=never < '$s.dec.nm'"
	run "$c.st-json" "$n" "TZ=$TZSET" "./nm-render -o json < '$s.dec.nm'"
	run "$c.st-pcap" "$n" "TZ=$TZSET" "./nm-pcap -w - < '$s.cap.nm'"
	bus_row "$c"
}

# bus_row C: nm-push's throughput, the decoded stream into a local
# redis-server on a Unix socket (one started for the bench, no
# persistence, --maxlen bounding its memory), against cat of the same
# stream: the peer is what reading and passing the stream on costs (both
# write it to /dev/null, as nm-push passes it on), so the ratio is the
# share of that rate nm-push keeps while it also parses every record
# (the stage driver), batches it and sends it to the bus, where the
# server stores it (redis-server's own cpu is not in the figures; its
# time is in the wall time).  cat of a file runs at the speed of memory,
# so the target is low: 0.05 (200k bulk records, 85 MB, on 2 cores:
# nm-push 0.37 s, 544k records/s, 232 MB/s, 12 MiB; cat 0.04 s; ratio
# 0.12 by wall, 0.06 by cpu).  No peer does the same job:
# redis-benchmark measures the server, not a sink of records.
bus_start() {
	[ -x ./nm-push ] && command -v redis-server >/dev/null || return 0
	redis-server --port 0 --unixsocket "$tmp/redis.sock" --save '' \
	    --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
	bus_pid=$!
	for _ in $(seq 50); do
		[ -S "$tmp/redis.sock" ] && return 0
		sleep 0.1
	done
}
bus_row() {
	local c=$1 s=$tmp/$1
	[ -n "${bus_pid:-}" ] || return 0
	run "$c.st-push" "${count[$c]}" "TZ=$TZSET" \
	    "./nm-push --sensor bench --maxlen 1000 'redis+unix://$tmp/redis.sock?stream=bench' < '$s.dec.nm'"
	run "$c.st-cat" "${count[$c]}" "TZ=$TZSET" "cat < '$s.dec.nm'"
}

# web_row C: the default pipeline with nm-web in it and one page's event
# stream (curl) connected for the whole run, beside nm-default: what the
# page costs per record (curl's own cpu counts too; it is small).
web_row() {
	local c=$1 F=$tmp/$1.pcap u=$tmp/web.url
	[ -x ./nm-web ] && command -v curl >/dev/null || return 0
	run "$c.nm-web" "${count[$c]}" "TZ=$TZSET" \
	    "rm -f '$u'; ./nm-capture -r '$F' | ./nm-decode | ./nm-stats |
	    ./nm-web -l 127.0.0.1:0 2>'$u' | ./nm-render --color=never & pl=\$!
	    for i in \$(seq 200); do
		p=\$(sed -n 's|.*127.0.0.1:\\([0-9]*\\)/.*|\\1|p' '$u' 2>/dev/null)
		[ -n \"\$p\" ] && break; sleep 0.05
	    done
	    curl -sN \"http://127.0.0.1:\$p/events\" >/dev/null; wait \$pl"
}

# rows10 C: peak memory on a tenth of C; flat memory means the same
# figure as on all of it.
rows10() {
	local c=$1 n=${tenth[$1]} s=$tmp/$1
	run "$c.st10-capture" "$n" "TZ=$TZSET" "./nm-capture -r '$s.tenth.pcap'"
	run "$c.st10-decode" "$n" "TZ=$TZSET" "./nm-decode < '$s.cap10.nm'"
	run "$c.st10-stats" "$n" "TZ=$TZSET" "./nm-stats -q --no-detect < '$s.dec10.nm'"
	run "$c.st10-detect" "$n" "TZ=$TZSET" "./nm-detect < '$s.dec10.nm'"
	run "$c.st10-render" "$n" "TZ=$TZSET" \
	    "./nm-render --color=never < '$s.dec10.nm'"
	run "$c.st10-json" "$n" "TZ=$TZSET" "./nm-render -o json < '$s.dec10.nm'"
	[ -n "$have_tcpdump" ] && run "$c.tcpdump10" "$n" "TZ=$TZSET" \
	    "tcpdump -n -r '$s.tenth.pcap'"
}

bus_start
i=0
started=$(date +%s)
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	for c in $caps; do
		printf 'bench: round %d of %d, %s (%ds so far)\n' "$i" "$runs" \
		    "$c" $(($(date +%s) - started)) >&2
		rows "$c"
	done
done
echo "bench: memory on a tenth of the input" >&2
for c in $caps; do
	rows10 "$c"
done
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
# ok V OP WANT: "ok" when V OP WANT holds, "MISSED" when not, "-" unknown.
ok() {
	[ "$1" = - ] && { echo -; return; }
	awk -v v="$1" -v op="$2" -v w="$3" 'BEGIN {
		print (op == ">=" ? v >= w : v <= w) ? "ok" : "MISSED" }'
}
# verdict KEY LABEL A B OP TARGET: nm's A against its peer B, by wall
# time (the target's measure) and by cpu time.  KEY goes to the ratios.
verdict() {
	local key=$1 label=$2 v c op=$5 want=$6
	v=$(ratio "$3" "$4") c=$(ratio "$3" "$4" 2)
	echo "$key $v" >>"$tmp/ratios"
	echo "${key}_cpu $c" >>"$tmp/ratios"
	echo "$v" >"$tmp/$key.ratio"
	printf '  %-40s %8s %8s   %s %-5s %s\n' "$label" "${v}x" "${c}x" "$op" \
	    "${want}x" "$(ok "$v" "$op" "$want")"
}
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'; }
# permrec NAME: cpu seconds per million records of NAME's median run.
permrec() {
	local c
	c=$(col "$1" 2)
	[ "$c" = - ] || [ ! -f "$tmp/$1.n" ] && { echo -; return; }
	awk -v c="$c" -v n="$(cat "$tmp/$1.n")" 'BEGIN { printf "%.2f", c * 1e6 / n }'
}
# flat C S: whether stage S's peak memory on all of C is within a quarter
# (and half a MiB) of its peak on a tenth.
flat() {
	local a b
	a=$(col "$1.st-$2" 3) b=$(col "$1.st10-$2" 3)
	{ [ "$a" = - ] || [ "$b" = - ]; } && { echo -; return; }
	awk -v a="$a" -v b="$b" 'BEGIN {
		print a <= b * 1.25 + 512 ? "flat" : sprintf("x%.1f", a / b) }'
}
# key C NAME: the name of a ratio of capture C; bulk's keep the names
# they had before mix existed, so older files compare.
key() { [ "$1" = bulk ] && echo "$2" || echo "${1}_$2"; }

# What a capture holds: nm-stats' protocol shares, its flows, and (from
# tcpdump on the tenth) IPv6, VLANs and frame sizes.
declare -A mixline flows total_flows perflow shape falsealerts appline
describe() {
	local c=$1 s=$tmp/$1 n10=${tenth[$1]} f a b v l g
	# what the application decoders found in the first tenth
	appline[$c]=$(./nm-render -o fields -e tls.handshake.type \
	    -e tls.handshake.extensions_supported_group -e http.request.method \
	    -e http.response.code -e quic.long.packet_type -e quic.scid \
	    <"$s.dec10.nm" 2>/dev/null | awk -F '\t' -v n="$n10" '
	    $1 ~ /(^|,)1(,|$)/ && $5 == "" { ch++; if ($2 ~ /0x11ec/) pq++ }
	    $1 ~ /(^|,)2(,|$)/ && $5 == "" { sh++ } $3 != "" { rq++ }
	    $4 != "" { rs++ }
	    $5 ~ /^0/ && $6 == "" { qi++ }
	    END { if (ch + rq + qi == 0) exit
		printf "%d TLS ClientHellos (%d post-quantum), %d ServerHellos, %d HTTP requests, %d responses, %d QUIC client Initials (nm-decode, first %d)",
		ch, pq, sh, rq, rs, qi, n }')
	if [ -n "$have_jq" ]; then
		./nm-stats -q <"$s.dec.nm" | ./nm-render -o json >"$s.stats.json"
		mixline[$c]=$(jq -r 'select(.type == "stats" and .final) |
		    [.protos[] | select(.pkt_pct >= 0.1) |
		    "\(.name) \(.pkt_pct * 10 | floor / 10)%"] | join(", ")' \
		    "$s.stats.json")
		flows[$c]=$(jq -r 'select(.type == "stats") | .tracked.flows' \
		    "$s.stats.json" | sort -n | tail -n 1)
		# pktgen's traffic holds no attack: every alert is a false one
		falsealerts[$c]=$(jq -r 'select(.type == "alert") | .kind' \
		    "$s.stats.json" | sort | uniq -c | awk '{ n += $1;
		    k = k sprintf(" %s %d", $2, $1) } END { print n + 0 k }')
		total_flows[$c]=$(jq -r 'select(.type == "stats" and .final) |
		    .total.flows' "$s.stats.json")
		if [ -n "$gtime" ]; then
			# A baseline: the same program on the first 1000 packets.
			tests/tools/pktgen "$c" "$s.small.pcap" -n 1000 -s "$seed" &&
			    ./nm-capture -r "$s.small.pcap" | ./nm-decode >"$s.small.nm"
			run "$c.st-stats-base" 0 "TZ=$TZSET" "./nm-stats -q --no-detect < '$s.small.nm'"
			perflow[$c]=$(awk -v a="$(col "$c.st-stats" 3)" \
			    -v b="$(col "$c.st-stats-base" 3)" -v f="${flows[$c]:-0}" \
			    'BEGIN { if (f > 0) printf "%.0f", (a - b) * 1024 / f }')
		fi
	fi
	if [ -n "$have_tcpdump" ]; then
		f=$s.tenth.pcap
		v=$(tcpdump -n -q -r "$f" 'vlan' 2>/dev/null | wc -l)
		a=$(tcpdump -n -q -r "$f" 'ip6 or (vlan and (ip6 or (vlan and ip6)))' \
		    2>/dev/null | wc -l)
		l=$(tcpdump -n -q -r "$f" 'less 100' 2>/dev/null | wc -l)
		g=$(tcpdump -n -q -r "$f" 'greater 1400' 2>/dev/null | wc -l)
		shape[$c]=$(awk -v n="$n10" -v a="$a" -v v="$v" -v l="$l" -v g="$g" \
		    'BEGIN { printf "IPv6 %.1f%%, VLAN %.1f%%, frames <= 100 bytes %.0f%%, >= 1400 bytes %.0f%% (tcpdump, first %d)",
		    100 * a / n, 100 * v / n, 100 * l / n, 100 * g / n, n }')
	fi
}
for c in $caps; do
	describe "$c"
done

stamp=$(date +%Y%m%d-%H%M)
mkdir -p "$outdir"
out=$outdir/bench-$stamp.txt
[ -e "$out" ] && out=$outdir/bench-$stamp-$(date +%S).txt
prev=$(ls -1 "$outdir"/bench-2*.txt 2>/dev/null | sort | tail -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || rev="$rev+changes"

# table1 C: capture C's rows, ratios against the targets, memory.
table1() {
	local c=$1 k s
	echo
	awk -v c="$c" -v n="${count[$c]}" -v b="${fbytes[$c]}" -v s="$seed" 'BEGIN {
		printf "== %s: pktgen %s, %d packets, seed %d, %.0f MB, %.0f bytes average\n",
		    c, c, n, s, b / 1e6, (b - 24 - 16 * n) / n }'
	[ -n "${mixline[$c]:-}" ] && echo "protocols: ${mixline[$c]}"
	[ -n "${shape[$c]:-}" ] && echo "shape: ${shape[$c]}"
	[ -n "${appline[$c]:-}" ] && echo "application: ${appline[$c]}"
	printf '  %-50s %8s %7s %7s %10s %8s\n' "" packets "wall s" "cpu s" \
	    "packets/s" "peak MiB"
	echo "compact text"
	row "$c.nm-compact-tz" "nm-capture -r | nm-decode | nm-render"
	row "$c.tcpdump-tz" "tcpdump -n -r"
	row "$c.nm-compact" "nm (TZ unset)"
	row "$c.tcpdump" "tcpdump -n -r (TZ unset)"
	echo "JSON"
	row "$c.nm-json" "nm-capture -r | nm-decode | nm-render -o json"
	row "$c.tshark-json" "tshark -n -r -T json (first ${tcount[$c]} packets)"
	echo "statistics only"
	row "$c.nm-stats" "nm-capture -r | nm-decode | nm-stats -q | nm-render"
	row "$c.tshark-stats" "tshark -q -z conv,ip -z io,phs (first ${tcount[$c]})"
	row "$c.tcpdump-w" "tcpdump -n -r -w /dev/null (the read limit)"
	row "$c.pipe-floor" "nm-capture -r | cat (frames through one pipe)"
	echo "the default pipeline: detection off, on (in nm-stats), as a stage"
	row "$c.nm-nodetect" "... | nm-decode | nm-stats --no-detect | ..."
	row "$c.nm-default" "nm-capture -r | nm-decode | nm-stats | nm-render"
	row "$c.nm-detect" "... | nm-decode | nm-detect | nm-stats | ..."
	row "$c.nm-web" "... | nm-stats | nm-web (one page open) | ..."
	echo "the application decoders (TLS, QUIC, HTTP): off (today's), on"
	row "$c.nm-noapp" "... | nm-decode --no-app | nm-stats | ..."
	row "$c.nm-default" "... | nm-decode | nm-stats | ... (default)"
	if [ "$c" = web ]; then
		echo "the web's fields: ${WEBF//-e /}"
		row "$c.nm-webfields" "nm-capture -r | nm-decode | nm-render -o fields"
		row "$c.tshark-webfields" "tshark -n -r -T fields (first ${tcount[$c]})"
	fi
	echo "filter on decoded fields: -Y '$YEXPR'"
	row "$c.nm-filter" "nm-capture -r | nm-decode -Y | nm-render"
	row "$c.tshark-filter" "tshark -n -r -Y (first ${tcount[$c]})"
	echo "writing a capture file"
	row "$c.nm-pcap" "nm-capture -r | nm-pcap -w - (pcapng)"
	row "$c.tcpdump-w" "tcpdump -n -r -w /dev/null (pcap)"
	echo "two files merged in timestamp order"
	row "$c.nm-merge" "nm-capture -r F -r F | cat"
	row "$c.mergecap" "mergecap -w - F F | cat (pcap)"
	echo "each stage alone, on a saved record stream"
	row "$c.st-capture" "nm-capture -r F > stream"
	row "$c.st-decode" "nm-decode < capture stream"
	row "$c.st-decode-noapp" "nm-decode --no-app < capture stream"
	row "$c.st-stats" "nm-stats -q --no-detect < decoded stream"
	row "$c.st-stats-nosum" "the same, --no-summary"
	row "$c.st-merge" "nm-stats --merge S S (per-second summaries)"
	row "$c.st-detect" "nm-detect < decoded stream"
	row "$c.st-render" "nm-render < decoded stream (compact)"
	row "$c.st-json" "nm-render -o json < decoded stream"
	row "$c.st-pcap" "nm-pcap -w - < capture stream"
	echo "the bus: a sensor's stream into redis-server (Unix socket)"
	row "$c.st-push" "nm-push redis+unix://... < decoded stream"
	row "$c.st-cat" "cat < decoded stream (the same bytes)"
	[ -f "$tmp/$c.st-push.runs" ] && awk -v b="$(wc -c <"$tmp/$c.dec.nm")" \
	    -v w="$(col "$c.st-push" 1)" 'BEGIN { if (w != "-" && w > 0)
		printf "  %-50s %8.1f MB/s\n", "nm-push, stream bytes", b / w / 1e6 }'
	echo
	echo "ratios: nm's packets/s over the peer's, median of the rounds"
	printf '  %-40s %8s %8s   %s\n' "" "by wall" "by cpu" "target (wall)"
	verdict "$(key "$c" compact_tz)" "compact vs tcpdump, TZ set" \
	    "$c.nm-compact-tz" "$c.tcpdump-tz" ">=" 3
	verdict "$(key "$c" compact_notz)" "compact vs tcpdump, TZ unset" \
	    "$c.nm-compact" "$c.tcpdump" ">=" 3
	verdict "$(key "$c" json)" "json vs tshark -T json" "$c.nm-json" \
	    "$c.tshark-json" ">=" 60
	verdict "$(key "$c" stats_tshark)" "stats vs tshark conv,ip + io,phs" \
	    "$c.nm-stats" "$c.tshark-stats" ">=" 30
	verdict "$(key "$c" stats_readlimit)" "stats vs tcpdump -w /dev/null" \
	    "$c.nm-stats" "$c.tcpdump-w" ">=" 0.5
	verdict "$(key "$c" filter_tshark)" "-Y vs tshark -Y" \
	    "$c.nm-filter" "$c.tshark-filter" ">=" 10
	verdict "$(key "$c" pcap_tcpdump)" "nm-pcap vs tcpdump -w /dev/null" \
	    "$c.nm-pcap" "$c.tcpdump-w" ">=" 0.5
	verdict "$(key "$c" merge_mergecap)" "-r F -r F vs mergecap" \
	    "$c.nm-merge" "$c.mergecap" ">=" 1
	verdict "$(key "$c" detect_on_off)" "detection on vs off (within 15%)" \
	    "$c.nm-default" "$c.nm-nodetect" ">=" 0.87
	verdict "$(key "$c" web_page)" "nm-web with a page open vs without" \
	    "$c.nm-web" "$c.nm-default" ">=" 0.90
	verdict "$(key "$c" detect_stage)" "nm-detect as a stage vs off" \
	    "$c.nm-detect" "$c.nm-nodetect" ">=" 0.87
	verdict "$(key "$c" app_on_off)" "app decoders on vs --no-app (within 10%)" \
	    "$c.nm-default" "$c.nm-noapp" ">=" 0.91
	[ "$c" = web ] && verdict "$(key "$c" fields_tshark)" \
	    "web fields vs tshark -T fields" "$c.nm-webfields" \
	    "$c.tshark-webfields" ">=" 10
	verdict "$(key "$c" push_cat)" "nm-push to redis vs cat of the stream" \
	    "$c.st-push" "$c.st-cat" ">=" 0.05
	echo
	echo "peak memory, MiB: a tenth of the input | all of it"
	for s in capture decode stats detect render json; do
		printf '  %-16s %7s | %7s  %s\n' "$s" \
		    "$(mib "$(col "$c.st10-$s" 3)")" \
		    "$(mib "$(col "$c.st-$s" 3)")" "$(flat "$c" "$s")"
	done
	printf '  %-16s %7s | %7s\n' "tcpdump -n -r" \
	    "$(mib "$(col "$c.tcpdump10" 3)")" "$(mib "$(col "$c.tcpdump-tz" 3)")"
	printf '  %-16s %7s | %7s  (first %d packets)\n' "tshark -T json" - \
	    "$(mib "$(col "$c.tshark-json" 3)")" "${tcount[$c]}"
	[ -n "${falsealerts[$c]:-}" ] &&
	    echo "alerts (all false: pktgen's traffic holds no attack): ${falsealerts[$c]}"
	if [ -n "${flows[$c]:-}" ]; then
		echo "nm-stats: ${total_flows[$c]} flows seen, at most ${flows[$c]}" \
		    "tracked at once; ${perflow[$c]:--} bytes per tracked flow" \
		    "(target <= 256)"
		[ -n "${perflow[$c]:-}" ] &&
		    echo "$(key "$c" bytes_per_flow) ${perflow[$c]}" >>"$tmp/ratios"
	fi
	for s in capture decode decode-noapp stats detect render json; do
		echo "$(key "$c" "cpu_per_M_${s//-/_}") $(permrec "$c.st-$s")" >>"$tmp/ratios"
	done
}

# sidecell C KEY: one capture's ratio and its verdict, for side().
sidecell() {
	local v=-
	[ -f "$tmp/$(key "$1" "$2").ratio" ] && v=$(cat "$tmp/$(key "$1" "$2").ratio")
	printf ' %8s %-6s' "${v}x" "$(ok "$v" "$3" "$4")"
}
# side: the targets, and where the time goes, on every capture at once.
side() {
	local c s
	echo
	echo "== side by side"
	printf '  %-40s' "target (by wall)"
	for c in $caps; do printf ' %15s' "$c"; done
	echo
	while read -r k label op want; do
		printf '  %-40s' "${label//_/ } $op ${want}x"
		for c in $caps; do sidecell "$c" "$k" "$op" "$want"; done
		echo
	done <<-EOF
	compact_tz compact/tcpdump,_TZ_set >= 3
	compact_notz compact/tcpdump,_TZ_unset >= 3
	json json/tshark_-T_json >= 60
	stats_readlimit stats/tcpdump_-w_/dev/null >= 0.5
	stats_tshark stats/tshark_conv,ip+io,phs >= 30
	filter_tshark -Y/tshark_-Y >= 10
	pcap_tcpdump nm-pcap/tcpdump_-w >= 0.5
	detect_on_off detection_on/off >= 0.87
	app_on_off app_decoders_on/--no-app >= 0.91
	fields_tshark web_fields/tshark_-T_fields >= 10
	web_page nm-web_with_a_page/without >= 0.90
	push_cat nm-push_to_redis/cat_of_the_stream >= 0.05
	EOF
	echo "cpu s per million records (us per record), each stage alone on a saved stream"
	for s in capture decode decode-noapp stats detect render json; do
		printf '  %-40s' "$(case $s in
		    capture) echo "nm-capture -r F > stream" ;;
		    decode) echo "nm-decode" ;;
		    decode-noapp) echo "nm-decode --no-app" ;;
		    stats) echo "nm-stats -q --no-detect" ;;
		    detect) echo "nm-detect" ;;
		    render) echo "nm-render (compact)" ;;
		    json) echo "nm-render -o json" ;;
		    esac)"
		for c in $caps; do printf ' %15s' "$(permrec "$c.st-$s")"; done
		echo
	done
	echo "peak memory, MiB, all of the input (a tenth)"
	for s in capture decode stats detect render json; do
		printf '  %-40s' "$s"
		for c in $caps; do
			printf ' %15s' "$(mib "$(col "$c.st-$s" 3)") ($(mib "$(col "$c.st10-$s" 3)"))"
		done
		echo
	done
}

table() {
	local c
	echo "nm bench $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev, $(nproc) CPUs," \
	    "load $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "captures: $caps; $runs runs each, interleaved (every capture in every" \
	    "round); medians; TZ=$TZSET unless said; output to /dev/null; took ${elapsed}s"
	: >"$tmp/ratios"
	for c in $caps; do
		table1 "$c"
	done
	side
	echo
	sed 's/^/ratio /' "$tmp/ratios"
}
# toprow C: the default pipeline drawing nm-render -m top on a terminal
# (tmux, 120x40), once, beside the same pipeline's compact text to
# /dev/null (nm-default's median): what the top view costs per record,
# by cpu (its wall time includes the wait for the view's last screen and
# the q that leaves it, so it says nothing).
toprow() {
	local c=$1 n=${count[$1]} t="tmux -L nmbench$$ -f /dev/null" end a b
	command -v tmux >/dev/null && [ -n "$gtime" ] || return 0
	rm -f "$tmp/top.gt"
	$t new-session -d -x 120 -y 40 "TERM=xterm $gtime -o '$tmp/top.gt' \
	    -f '%U %S %M' bash -o pipefail -c \"./nm-capture -r '$tmp/$c.pcap' \
	    | ./nm-decode | ./nm-stats | ./nm-render -m top\"; sleep 60"
	end=$((SECONDS + 900))
	until $t capture-pane -p | grep -q 'end of the stream' ||
	    [ $SECONDS -gt $end ]; do sleep 0.5; done
	$t send-keys q
	until [ -s "$tmp/top.gt" ] || [ $SECONDS -gt $end ]; do sleep 0.2; done
	$t kill-server 2>/dev/null
	a=$(awk '{ print $1 + $2 }' "$tmp/top.gt" 2>/dev/null)
	b=$(col "$c.nm-default" 2)
	awk -v c="$c" -v n="$n" -v a="${a:--}" -v b="$b" -v m="$(awk '{ print $3 }' "$tmp/top.gt" 2>/dev/null)" 'BEGIN {
		if (a == "-" || b == "-") { printf "top view, %s: -\n", c; exit }
		printf "top view, %s: default pipeline with -m top on a tty %.2f cpu s (%.2f us/record, peak %.1f MiB) vs compact to /dev/null %.2f (%.2f us/record): %+.0f%%\n",
		    c, a, a * 1e6 / n, m / 1024, b, b * 1e6 / n, (a / b - 1) * 100 }'
}
table | tee "$out"
for c in $caps; do toprow "$c"; done | tee -a "$out"

if [ -n "$prev" ] && [ "$prev" != "$out" ]; then
	echo
	echo "previous run: $prev"
	grep '^ratio ' "$out" | while read -r _ k v; do
		p=$(awk -v k="$k" '$1 == "ratio" && $2 == k { print $3 }' "$prev")
		awk -v k="$k" -v v="$v" -v p="${p:--}" 'BEGIN {
			if (p == "-" || v == "-" || p + 0 == 0)
				printf "  %-24s %8s -> %8s\n", k, p, v
			else
				printf "  %-24s %8s -> %8s  (%+.0f%%)\n", k, p, v,
				    (v / p - 1) * 100 }'
	done
fi
echo "bench: table written to $out"
