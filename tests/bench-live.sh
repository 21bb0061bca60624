#!/bin/bash
# make bench-live: nm on a live interface beside tcpdump.  Two network
# namespaces joined by a veth pair; in one, a sender (tcpreplay of pktgen's
# bulk capture, or tests/tools/seqsend's numbered UDP when tcpreplay is
# missing) sends at each rate of LIVE_RATES packets per second (10000
# 100000 300000, and "max": as fast as it can) for LIVE_SECS seconds (5);
# in the other, the whole pipeline (nm-capture | nm-decode | nm-render)
# writes compact text to a file while tcpdump -n writes its text beside it
# on the same interface.  For each rate: what was sent, what arrived on the
# interface, the lines nm wrote, what tcpdump says it captured, and what
# the kernel says each one dropped.  Then the same with each alone (they
# share two CPUs with the sender, so running together costs both), and
# the highest rate each ran without a kernel drop.
# Then latency at LIVE_LAT_RATE (1000) packets per second: each rendered
# line's arrival time (tests/tools/latency, CLOCK_REALTIME) minus its
# capture timestamp, median and 99th percentile, for nm
# (nm-render -o fields -e frame.time_epoch), nm with nm-capture
# --immediate-mode, and tcpdump (--immediate-mode -l -tt).
#
# The table goes to stdout and to BENCH_OUT/bench-live-YYYYmmdd-HHMM.txt
# (tests/out), with the previous such file's figures beside it.  Needs
# root; every wait is bounded; the namespaces go away on exit.
# Then workers (nm-monitor --workers): at each rate of LIVE_WORKER_RATES
# (100000 200000 300000 max), the statistics pipeline nm-capture
# --fanout G:hash | nm-decode | nm-stats -q once, then twice in one
# fanout group (into nm-stats --merge, when this nm-stats has it), side
# by side: what the workers counted, what the kernel dropped, and the
# highest rate each ran without a kernel drop.
# Knobs: LIVE_RATES, LIVE_SECS, LIVE_MAX_COUNT (1500000: packets in the
# "max" run), LIVE_LAT_RATE, LIVE_LAT_SECS (5), LIVE_SENDER
# (tcpreplay|seqsend), LIVE_ALONE (1: each rate also with nm alone and
# tcpdump alone; 0: only side by side), LIVE_WORKER_RATES ("": no
# worker rows), BENCH_SEED, BENCH_OUT.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
rates=${LIVE_RATES:-10000 100000 300000 max}
secs=${LIVE_SECS:-5}
maxcount=${LIVE_MAX_COUNT:-1500000}
latrate=${LIVE_LAT_RATE:-1000}
alone=${LIVE_ALONE:-1}
latsecs=${LIVE_LAT_SECS:-5}
seed=${BENCH_SEED:-1}
outdir=${BENCH_OUT:-tests/out}
sender=${LIVE_SENDER:-}
preload= # --preload-pcap for tcpreplay: the worker rows'
wrates=${LIVE_WORKER_RATES-100000 200000 300000 max}

die() { echo "bench-live: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in ip tcpdump jq timeout; do
	command -v $t >/dev/null || die "$t is not installed (make deps-test)"
done
for p in nm-capture nm-decode nm-render tests/tools/pktgen \
    tests/tools/latency tests/tools/seqsend; do
	[ -x "$p" ] || die "$p is not built (make all tools)"
done
if [ -z "$sender" ]; then
	sender=seqsend
	command -v tcpreplay >/dev/null && sender=tcpreplay
fi

tag=$$
nsa=nmbsa$tag nsb=nmbsb$tag
va=nmbva$tag vb=nmbvb$tag
pids=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nmlive.XXXXXX") || exit 1
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS CMD...: polls CMD every 0.05 s.
wait_for() {
	local i n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}
gone() { ! kill -0 "$1" 2>/dev/null; }
# stop PID SECONDS: SIGTERM, then waits at most SECONDS for it to end.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for "$2" gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# --- state: the link ---
ip netns add "$nsa" 2>"$tmp/err" || die "ip netns add: $(head -n 1 "$tmp/err")"
ip netns add "$nsb" || die "ip netns add $nsb failed"
# No IPv6: the kernel's own router solicitations and MLD reports would be
# packets nobody sent.
for ns in "$nsa" "$nsb"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip netns exec "$ns" ip link set lo up
done
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" ||
    die "cannot make a veth pair"
ip netns exec "$nsa" ip addr add 10.79.0.1/24 dev "$va"
ip netns exec "$nsb" ip addr add 10.79.0.2/24 dev "$vb"
ip netns exec "$nsa" ip link set "$va" up
ip netns exec "$nsb" ip link set "$vb" up

# The traffic: pktgen's bulk capture, its frames addressed to hosts beyond
# the link, so the receiving side's stack drops them at once (as a
# monitoring port would); or seqsend's UDP to a sink in the other side.
pcap=$tmp/live.pcap
if [ "$sender" = tcpreplay ]; then
	n=$maxcount
	for r in $rates $wrates $latrate; do
		[ "$r" = max ] && continue
		[ $((r * secs)) -gt "$n" ] && n=$((r * secs))
	done
	echo "bench-live: writing $n packets (pktgen bulk, seed $seed)..." >&2
	tests/tools/pktgen bulk "$pcap" -n "$n" -s "$seed" || exit 1
else
	ip netns exec "$nsb" timeout 600 tests/tools/seqsend -l -p 9 \
	    >/dev/null 2>&1 &
	pids+=("$!")
fi

# rx_packets / rx_dropped of the capture side, and softnet drops.
link_rx() {
	ip netns exec "$nsb" ip -j -s link show dev "$vb" |
	    jq -r '.[0].stats64.rx | "\(.packets) \(.dropped)"'
}
# send RATE COUNT: the sender in nsa; prints "sent seconds".
send() {
	local r=$1 n=$2 mult
	if [ "$sender" = tcpreplay ]; then
		if [ "$r" = max ]; then
			set -- --topspeed
		else
			# Bursts of several packets per tick at high rates.
			mult=$((r / 20000))
			[ "$mult" -lt 1 ] && mult=1
			set -- --pps="$r" --pps-multi="$mult"
		fi
		ip netns exec "$nsa" timeout $((n / 5000 + 60)) tcpreplay -q \
		    ${preload:+--preload-pcap} -i "$va" "$@" --limit="$n" \
		    "$pcap" >"$tmp/send.out" 2>&1
		awk '/Actual:/ { n = $2; for (i = 1; i <= NF; i++)
			if ($i == "seconds") s = $(i - 1) }
		     /Failed packets:/ { f = $3 }
		     END { printf "%d %s\n", n - f, s == "" ? "0" : s }' \
		    "$tmp/send.out"
	else
		[ "$r" = max ] && r=0
		ip netns exec "$nsa" timeout $((n / 5000 + 60)) \
		    tests/tools/seqsend -d 10.79.0.2 -p 9 -n "$n" -r "$r" \
		    -s 200 >"$tmp/send.out" 2>&1
		sed -n 's/.*sent=\([0-9]*\) secs=\([0-9.]*\).*/\1 \2/p' \
		    "$tmp/send.out"
	fi
}
# ready PID: the program has its capture socket open.
ready() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | grep -q .; }

# --- throughput: one run per rate ---
# run_rate RATE WHO FILE: nm's pipeline and tcpdump (WHO both), or only
# one of them (nm, td), capture vb while the sender sends; appends one
# line of figures to FILE ("-" for the one not run).
run_rate() {
	local r=$1 who=$2 file=$3 n fifo cpid= rpid= tpid= before after
	if [ "$r" = max ]; then
		n=$maxcount
	else
		n=$((r * secs))
	fi
	fifo=$tmp/cap.fifo
	rm -f "$fifo" "$tmp"/nm.txt "$tmp"/td.txt "$tmp"/nm.err "$tmp"/td.err
	: >"$tmp/nm.txt"
	: >"$tmp/td.txt"
	mkfifo "$fifo"
	if [ "$who" != td ]; then
		./nm-decode <"$fifo" 2>"$tmp/dec.err" |
		    ./nm-render --color=never >"$tmp/nm.txt" 2>"$tmp/nm.err" &
		rpid=$!
		pids+=("$rpid")
		ip netns exec "$nsb" ./nm-capture -i "$vb" >"$fifo" \
		    2>"$tmp/cap.err" &
		cpid=$!
		pids+=("$cpid")
	fi
	if [ "$who" != nm ]; then
		ip netns exec "$nsb" tcpdump -i "$vb" -n -s 0 \
		    >"$tmp/td.txt" 2>"$tmp/td.err" &
		tpid=$!
		pids+=("$tpid")
		wait_for 10 grep -q listening "$tmp/td.err" ||
		    die "tcpdump did not start: $(head -n 1 "$tmp/td.err")"
	fi
	# Its socket open, then a moment for the privilege drop.
	if [ -n "$cpid" ]; then
		wait_for 10 ready "$cpid" ||
		    die "nm-capture did not start: $(head -n 1 "$tmp/cap.err")"
	fi
	sleep 0.5
	before=$(link_rx)
	set -- $(send "$r" "$n")
	local sent=${1:-0} took=${2:-0}
	sleep 1
	after=$(link_rx)
	[ -n "$cpid" ] && stop "$cpid" 10
	[ -n "$tpid" ] && stop "$tpid" 10
	if [ -n "$rpid" ]; then
		wait_for 20 gone "$rpid"
		wait "$rpid" 2>/dev/null
	fi
	touch "$tmp/nm.err" "$tmp/td.err" "$tmp/dec.err" "$tmp/cap.err"
	# nm-render's report: captured, received by filter, dropped by kernel,
	# dropped by interface; tcpdump's: captured, received, dropped.
	local nm_lines td_lines nm_drop nm_ifdrop nm_recv td_drop td_cap
	nm_lines=$(wc -l <"$tmp/nm.txt")
	td_lines=$(wc -l <"$tmp/td.txt")
	nm_recv=$(awk '/received by filter/ { print $1 }' "$tmp/nm.err")
	nm_drop=$(awk '/dropped by kernel/ { print $1 }' "$tmp/nm.err")
	nm_ifdrop=$(awk '/dropped by interface/ { print $1 }' "$tmp/nm.err")
	td_cap=$(awk '/packets captured/ { print $1 }' "$tmp/td.err")
	td_drop=$(awk '/dropped by kernel/ { print $1 }' "$tmp/td.err")
	[ "$who" = td ] && nm_lines=-
	[ "$who" = nm ] && td_lines=-
	echo "$r $sent $took $before $after $nm_lines ${nm_recv:--}" \
	    "${nm_drop:--} ${nm_ifdrop:--} $td_lines ${td_cap:--}" \
	    "${td_drop:--}" >>"$file"
	grep -v 'packets\|^$' "$tmp/nm.err" "$tmp/dec.err" "$tmp/cap.err" |
	    head -n 3 >&2
}

: >"$tmp/rates.txt"
: >"$tmp/alone.nm"
: >"$tmp/alone.td"
for r in $rates; do
	echo "bench-live: $r packets/s, nm and tcpdump at once..." >&2
	run_rate "$r" both "$tmp/rates.txt"
	[ "$alone" = 1 ] || continue
	echo "bench-live: $r packets/s, nm alone, then tcpdump alone..." >&2
	run_rate "$r" nm "$tmp/alone.nm"
	run_rate "$r" td "$tmp/alone.td"
done

# --- workers: one statistics pipeline, then two sharing the link ---
# run_workers RATE N FILE: N pipelines nm-capture --fanout G:hash |
# nm-decode | nm-stats -q (--summary-interval, into nm-stats --merge when
# there is one) capture vb while the sender sends; appends "rate sent
# seconds packets drops" to FILE: packets as the workers' final
# statistics count them (the merger's, when it ran), drops the kernel's
# for all of them.
# cpu_ticks: the machine's busy and total CPU ticks so far (/proc/stat)
cpu_ticks() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
		print t - $5 - $6, t }' /proc/stat
}
merger=0
./nm-stats -h 2>&1 | grep -q -- --merge && merger=1
run_workers() {
	local r=$1 nw=$2 file=$3 n k g=$((tag % 60000 + 1024)) cpids=() mpid=
	local si=() wpids=()
	[ "$merger" = 1 ] && si=(--summary-interval 1)
	if [ "$r" = max ]; then
		n=$maxcount
	else
		n=$((r * secs))
	fi
	rm -f "$tmp"/w*.fifo "$tmp"/w*.merge "$tmp"/w*.out "$tmp"/w*.err \
	    "$tmp/merged.out"
	for ((k = 1; k <= nw; k++)); do
		mkfifo "$tmp/w$k.fifo"
		[ "$merger" = 1 ] && mkfifo "$tmp/w$k.merge"
		# the worker's own stream kept (its capstats: the drops)
		./nm-decode <"$tmp/w$k.fifo" 2>>"$tmp/w.err" |
		    ./nm-stats -q "${si[@]}" 2>>"$tmp/w.err" |
		    if [ "$merger" = 1 ]; then
			tee "$tmp/w$k.out" >"$tmp/w$k.merge"
		    else
			cat >"$tmp/w$k.out"
		    fi &
		wpids+=("$!")
		pids+=("$!")
	done
	if [ "$merger" = 1 ]; then
		./nm-stats --merge "$tmp"/w*.merge >"$tmp/merged.out" \
		    2>>"$tmp/w.err" &
		mpid=$!
		pids+=("$mpid")
	fi
	for ((k = 1; k <= nw; k++)); do
		ip netns exec "$nsb" ./nm-capture --fanout "$g:hash" -i "$vb" \
		    >"$tmp/w$k.fifo" 2>>"$tmp/w.err" &
		cpids+=("$!")
		pids+=("$!")
		wait_for 10 ready "$!" ||
		    die "nm-capture --fanout did not start: $(head -n 1 "$tmp/w.err")"
	done
	sleep 0.5
	local c0 c1
	c0=$(cpu_ticks)
	set -- $(send "$r" "$n")
	local sent=${1:-0} took=${2:-0} got drops
	c1=$(cpu_ticks)
	sleep 1
	for k in "${cpids[@]}"; do stop "$k" 10; done
	for k in "${wpids[@]}" $mpid; do
		wait_for 20 gone "$k"
		wait "$k" 2>/dev/null
	done
	for ((k = 1; k <= nw; k++)); do
		./nm-render -o json <"$tmp/w$k.out" 2>/dev/null
	done | jq -s -r '[.[] | select(.type == "capstats" and .final)] |
	    map(.drop + .ifdrop) | add // 0' >"$tmp/w.drops"
	drops=$(cat "$tmp/w.drops")
	if [ "$merger" = 1 ]; then
		got=$(./nm-render -o json <"$tmp/merged.out" 2>/dev/null |
		    jq -s '[.[] | select(.type == "stats" and .final)] |
			.[-1].total.packets // 0')
	else
		got=$(for ((k = 1; k <= nw; k++)); do
			./nm-render -o json <"$tmp/w$k.out" 2>/dev/null
		done | jq -s '[.[] | select(.type == "stats" and .final) |
		    .total.packets] | add // 0')
	fi
	# the machine's CPUs busy while it sent, in percent
	local busy
	busy=$(echo "$c0 $c1" | awk '{ t = $4 - $2
		print (t > 0 ? sprintf("%.0f", 100 * ($3 - $1) / t) : "-") }')
	echo "$r $sent $took $got $drops $busy" >>"$file"
	grep -v '^$' "$tmp/w.err" | head -n 3 >&2
}

: >"$tmp/workers1.txt"
: >"$tmp/workers2.txt"
# The sender shares the two CPUs: read into memory first, each packet
# costs it less, and more of them are left to the workers.
preload=1
for r in $wrates; do
	echo "bench-live: $r packets/s, 1 worker, then 2 workers..." >&2
	run_workers "$r" 1 "$tmp/workers1.txt"
	run_workers "$r" 2 "$tmp/workers2.txt"
done
preload=

# --- latency at a low rate ---
# One capture at a time, so the two do not wait on each other.
# lat_run nm|nm-immediate|tcpdump: the latency tool's line in lat.WHO.
lat_run() {
	local who=$1 fifo=$tmp/lat.fifo cpid rpid n=$((latrate * latsecs))
	local imm=
	rm -f "$fifo"
	mkfifo "$fifo"
	[ "$who" = nm-immediate ] && imm=--immediate-mode
	if [ "$who" != tcpdump ]; then
		./nm-decode <"$fifo" | ./nm-render -o fields -e frame.time_epoch |
		    tests/tools/latency >"$tmp/lat.$who" &
		rpid=$!
		pids+=("$rpid")
		ip netns exec "$nsb" ./nm-capture $imm -i "$vb" >"$fifo" \
		    2>"$tmp/cap.err" &
	else
		tests/tools/latency <"$fifo" >"$tmp/lat.$who" &
		rpid=$!
		pids+=("$rpid")
		ip netns exec "$nsb" tcpdump -i "$vb" -n -s 0 -l \
		    -tt --immediate-mode >"$fifo" 2>"$tmp/td.err" &
	fi
	cpid=$!
	pids+=("$cpid")
	wait_for 10 ready "$cpid" ||
	    die "$who did not start: $(head -n 1 "$tmp/cap.err" "$tmp/td.err")"
	sleep 0.5
	send "$latrate" "$n" >/dev/null
	sleep 0.5
	stop "$cpid" 10
	wait_for 20 gone "$rpid"
	wait "$rpid" 2>/dev/null
}
echo "bench-live: latency at $latrate packets/s..." >&2
: >"$tmp/cap.err"
: >"$tmp/td.err"
lat_run nm
lat_run nm-immediate
lat_run tcpdump
lat_nm=$(cat "$tmp/lat.nm")
lat_nmi=$(cat "$tmp/lat.nm-immediate")
lat_td=$(cat "$tmp/lat.tcpdump")

# --- the table ---
stamp=$(date +%Y%m%d-%H%M)
mkdir -p "$outdir"
out=$outdir/bench-live-$stamp.txt
[ -e "$out" ] && out=$outdir/bench-live-$stamp-$(date +%S).txt
prev=$(ls -1 "$outdir"/bench-live-2*.txt 2>/dev/null | sort | tail -n 1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || rev="$rev+changes"
kv() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }
# best LINES DROPS FILE: the highest rate (as sent) whose run dropped
# nothing, by the fields of FILE holding lines and kernel drops.
best() {
	awk -v l="$1" -v d="$2" '$l != "-" && $d == 0 && $3 > 0 &&
	    $2 / $3 > m { m = $2 / $3 }
	END { print m ? sprintf("%.0f/s", m) : "none" }' "$3"
}

table() {
	echo "nm bench-live $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev," \
	    "$(nproc) CPUs, load $(cut -d ' ' -f 1-3 /proc/loadavg)"
	if [ "$sender" = tcpreplay ]; then
		echo "veth pair between two namespaces; tcpreplay of pktgen bulk" \
		    "(seed $seed); ${secs}s per rate"
	else
		echo "veth pair between two namespaces; seqsend UDP, 200 bytes;" \
		    "${secs}s per rate"
	fi
	echo "nm: nm-capture -i | nm-decode | nm-render > file (compact);" \
	    "tcpdump -n -i > file, beside it"
	echo
	printf '%-8s %9s %8s %9s | %9s %7s %7s | %9s %7s\n' rate sent \
	    "sent/s" "on link" "nm lines" "k.drop" "if.drop" "td capt." "k.drop"
	awk '{
		split($0, f, " ")
		rate = f[1]; sent = f[2]; s = f[3]
		rx = f[6] - f[4]; lost = f[7] - f[5]
		printf "%-8s %9d %8s %9d | %9d %7s %7s | %9d %7s\n", rate, sent,
		    (s > 0 ? sprintf("%.0f", sent / s) : "-"), rx, f[8], f[10],
		    f[11], f[13], f[14]
		if (lost > 0)
			printf "         (%d dropped by the veth before capture)\n", lost
	}' "$tmp/rates.txt"
	if [ -s "$tmp/alone.nm" ]; then
		echo
		echo "each alone (the other not running):"
		printf '%-8s %8s %9s %7s | %8s %9s %7s\n' rate "sent/s" \
		    "nm lines" "k.drop" "sent/s" "td capt." "k.drop"
		awk 'NR == FNR { nm[FNR] = $0; next }
		{
			split(nm[FNR], a, " "); split($0, b, " ")
			printf "%-8s %8s %9d %7s | %8s %9d %7s\n", a[1],
			    (a[3] > 0 ? sprintf("%.0f", a[2] / a[3]) : "-"), a[8],
			    a[10], (b[3] > 0 ? sprintf("%.0f", b[2] / b[3]) : "-"),
			    b[13], b[14]
		}' "$tmp/alone.nm" "$tmp/alone.td"
	fi
	echo
	echo "highest rate run without kernel drops:" \
	    "nm $(best 8 10 "$tmp/rates.txt") with tcpdump beside," \
	    "tcpdump $(best 13 14 "$tmp/rates.txt") with nm beside;" \
	    "alone: nm $(best 8 10 "$tmp/alone.nm")," \
	    "tcpdump $(best 13 14 "$tmp/alone.td")"
	if [ -s "$tmp/workers1.txt" ]; then
		echo
		echo "workers (as nm-monitor --workers N runs them):" \
		    "nm-capture --fanout G:hash -i | nm-decode | nm-stats -q," \
		    "N at once$([ "$merger" = 1 ] &&
			echo ", into nm-stats --merge" ||
			echo "; no nm-stats --merge here: the workers' sums")"
		printf '%-8s %8s | %8s %10s %6s %4s | %8s %10s %6s %4s\n' rate \
		    sent "sent/s" "1: counted" k.drop cpu% "sent/s" "2: counted" \
		    k.drop cpu%
		awk 'NR == FNR { one[FNR] = $0; next }
		{
			split(one[FNR], a, " "); split($0, b, " ")
			printf "%-8s %8d | %8s %10d %6s %4s | %8s %10d %6s %4s\n",
			    a[1], a[2],
			    (a[3] > 0 ? sprintf("%.0f", a[2] / a[3]) : "-"),
			    a[4], a[5], a[6],
			    (b[3] > 0 ? sprintf("%.0f", b[2] / b[3]) : "-"),
			    b[4], b[5], b[6]
		}' "$tmp/workers1.txt" "$tmp/workers2.txt"
		echo "  (1 worker, then 2 on the same traffic; sent/s is the" \
		    "sender's rate as sent (tcpreplay --preload-pcap), max its" \
		    "ceiling; cpu% the" \
		    "machine's CPUs busy while sending, sender included)"
		echo "highest rate run without kernel drops: 1 worker" \
		    "$(best 4 5 "$tmp/workers1.txt"), 2 workers" \
		    "$(best 4 5 "$tmp/workers2.txt")"
	fi
	echo
	echo "latency, capture to the reader of the output, at $latrate packets/s:"
	printf '  %-44s %6s %10s %9s %9s\n' "" lines "median ms" "p99 ms" "max ms"
	printf '  %-44s %6s %10s %9s %9s\n' \
	    "nm-capture | nm-decode | nm-render -o fields" "$(kv "$lat_nm" lines)" \
	    "$(kv "$lat_nm" median_ms)" "$(kv "$lat_nm" p99_ms)" "$(kv "$lat_nm" max_ms)"
	printf '  %-44s %6s %10s %9s %9s\n' \
	    "  the same, nm-capture --immediate-mode" "$(kv "$lat_nmi" lines)" \
	    "$(kv "$lat_nmi" median_ms)" "$(kv "$lat_nmi" p99_ms)" "$(kv "$lat_nmi" max_ms)"
	printf '  %-44s %6s %10s %9s %9s\n' \
	    "tcpdump --immediate-mode -l -tt" "$(kv "$lat_td" lines)" \
	    "$(kv "$lat_td" median_ms)" "$(kv "$lat_td" p99_ms)" "$(kv "$lat_td" max_ms)"
	echo
	echo "targets: no kernel drops at 100000/s (nm, tcpdump beside):" \
	    "$(awk '$1 == 100000 { print ($10 == 0 && $11 == 0) ? "ok" : "MISSED" }' \
		"$tmp/rates.txt"); (nm alone): $(awk '$1 == 100000 {
		print ($10 == 0 && $11 == 0) ? "ok" : "MISSED" }' "$tmp/alone.nm");" \
	    "p99 < 50 ms at $latrate/s: $(awk -v p="$(kv "$lat_nm" p99_ms)" \
		'BEGIN { print (p != "" && p < 50) ? "ok" : "MISSED" }')"
	echo
	awk '{ printf "figure rate_%s sent=%d nm_lines=%d nm_drop=%s td_captured=%s td_drop=%s\n",
		$1, $2, $8, $10, $13, $14 }' "$tmp/rates.txt"
	awk '{ printf "figure alone_nm_%s sent=%d nm_lines=%d nm_drop=%s\n",
		$1, $2, $8, $10 }' "$tmp/alone.nm"
	awk '{ printf "figure alone_td_%s sent=%d td_captured=%s td_drop=%s\n",
		$1, $2, $13, $14 }' "$tmp/alone.td"
	awk '{ printf "figure workers1_%s sent=%d counted=%d drop=%s cpu=%s\n",
		$1, $2, $4, $5, $6 }' "$tmp/workers1.txt"
	awk '{ printf "figure workers2_%s sent=%d counted=%d drop=%s cpu=%s\n",
		$1, $2, $4, $5, $6 }' "$tmp/workers2.txt"
	echo "figure latency_nm $lat_nm"
	echo "figure latency_nm_immediate $lat_nmi"
	echo "figure latency_tcpdump $lat_td"
}
table | tee "$out"
if [ -n "$prev" ] && [ "$prev" != "$out" ]; then
	echo
	echo "previous run: $prev"
	grep '^figure ' "$prev" | sed 's/^figure /  /'
fi
echo "bench-live: table written to $out"
