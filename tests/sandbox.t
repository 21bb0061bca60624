#!/usr/bin/env bash
# The seccomp filters of share/sandbox.c.  First the probe
# (tests/tools/seccomp_probe) installs each filter as the programs do and
# makes one forbidden call: it must die of SIGSYS (status 159), while
# allowed calls and abort() go through and NM_NO_SECCOMP=1 turns the
# filter off.  Then each program shows "Seccomp: 2" in /proc while it
# waits on a fifo, and runs the paths that make unusual calls (every
# output mode, JSON input, a service file, flow eviction, idle intervals,
# signals, EPIPE, a full disk, a malformed stream, --realtime) without
# ever being killed.  As root, a live capture under the filter is taken
# down and deleted: libpcap's error path must end with one message, the
# final capstats, an end record and status 1, not SIGSYS.
source "$(dirname "$0")/lib.sh"
PROBE=$NM_TOP/tests/tools/seccomp_probe
PKTGEN=$NM_TOP/tests/tools/pktgen
KILLED=159	# 128 + SIGSYS

missing=
for p in nm-capture nm-decode nm-stats nm-render tests/tools/seccomp_probe \
    tests/tools/pktgen; do
	[ -x "$NM_TOP/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	fail "sandbox: not built:$missing (run make test)"
	exit 1
fi
unset NM_NO_SECCOMP
set -o pipefail

# --- the probe: forbidden calls kill, allowed ones do not ---

# probe KIND CALL: runs the probe; its status in $rc, stderr in probe.err
probe() {
	{ "$PROBE" "$1" "$2" 2>"$TMP/probe.err"; } 2>/dev/null
	rc=$?
}

# probe_said WANT TEXT: the probe's status was WANT and stderr holds TEXT
probe_said() { [ "$rc" = "$1" ] && grep -q "$2" "$TMP/probe.err"; }

probe stage none
check "probe: filter installed and allowed calls work" probe_said 0 filtered
# A sanitizer build may open files (to symbolize its reports).
asan=
grep -q __asan_init "$PROBE" && asan=1
# top: nm-render -m top's, which may signal its own group, no other
for kind in stage capture top; do
	calls="open-write socket execve pipe mmap-exec mprotect-exec kill-parent"
	[ "$kind" != capture ] && [ -z "$asan" ] && calls="open $calls"
	for c in $calls; do
		probe "$kind" "$c"
		check "probe $kind: $c kills with SIGSYS (status $rc)" \
		    [ "$rc" = "$KILLED" ]
	done
done
# push, pull: nm-push's and nm-pull's, which reconnect to Redis: a
# stream socket, never a datagram one, nor anything above
for kind in push pull; do
	for c in open open-write socket-udp execve pipe mmap-exec kill-parent; do
		[ "$c" = open ] && [ -n "$asan" ] && continue
		probe "$kind" "$c"
		check "probe $kind: $c kills with SIGSYS (status $rc)" \
		    [ "$rc" = "$KILLED" ]
	done
	probe "$kind" socket
	check "probe $kind: a stream socket allowed (reconnects)" [ "$rc" = 0 ]
done
# push-kafka, pull-kafka: librdkafka's threads may be made, and its
# resolver's files read, but nothing written, run or made executable
for kind in push-kafka pull-kafka; do
	for c in open-write execve mmap-exec mprotect-exec kill-parent; do
		probe "$kind" "$c"
		check "probe $kind: $c kills with SIGSYS (status $rc)" \
		    [ "$rc" = "$KILLED" ]
	done
	probe "$kind" thread
	check "probe $kind: a thread allowed (librdkafka's)" [ "$rc" = 0 ]
done
probe capture open
check "probe capture: read-only open allowed (libpcap's /sys counters)" \
    [ "$rc" = 0 ]
probe stage abort
check "probe: abort() still aborts (status $rc)" [ "$rc" = 134 ]
{ NM_NO_SECCOMP=1 "$PROBE" stage socket 2>"$TMP/probe.err"; } 2>/dev/null
check "probe: NM_NO_SECCOMP=1 installs no filter" [ $? = 0 ]

# A sanitizer build must still print its reports under the filter.
if [ -n "$asan" ]; then
	# reported: failed, not killed, and the report is there
	reported() {
		[ "$rc" != 0 ] && [ "$rc" != "$KILLED" ] &&
		    grep -q "$1" "$TMP/probe.err"
	}
	probe stage overflow
	check "asan: overflow reported, not killed (status $rc)" \
	    reported 'AddressSanitizer: heap-buffer-overflow'
	probe stage leak
	case ${ASAN_OPTIONS:-} in
	*detect_leaks=0*) skip "asan: leak report: leak detection is off here" ;;
	*) check "asan: leak reported, not killed (status $rc)" \
	    reported 'LeakSanitizer' ;;
	esac
fi

# --- each program is in filter mode while it runs ---

# field_is PID FIELD VALUE: waits up to 5 s for /proc/PID/status to say so
field_is() {
	local i
	for i in $(seq 50); do
		[ "$(awk -v f="$2:" '$1 == f { print $2 }' \
		    "/proc/$1/status" 2>/dev/null)" = "$3" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

"$PKTGEN" mixed "$TMP/mixed.pcap" >/dev/null 2>&1 ||
    fail "pktgen mixed"
"$PKTGEN" bulk "$TMP/bulk.pcap" -n 20000 >/dev/null 2>&1 ||
    fail "pktgen bulk"
nm-capture -r "$TMP/mixed.pcap" >"$TMP/frames.bin"
nm-decode <"$TMP/frames.bin" >"$TMP/packets.bin"

for p in nm-decode nm-stats nm-render; do
	mkfifo "$TMP/in.$p"
	"$NM_TOP/$p" <"$TMP/in.$p" >"$TMP/out.$p" 2>"$TMP/err.$p" &
	pid=$!
	exec 3>"$TMP/in.$p"
	check "$p: Seccomp: 2 while waiting for input" field_is "$pid" Seccomp 2
	cat "$TMP/packets.bin" >&3
	exec 3>&-
	wait "$pid"
	rc=$?
	check "$p: exits 0 at the end of input (status $rc)" [ "$rc" = 0 ]
	check "$p: nothing on stderr" [ ! -s "$TMP/err.$p" ]
done

# nm-pcap: its own filter (a stage's, and ftruncate for a full disk)
mkfifo "$TMP/in.pcap"
"$NM_TOP/nm-pcap" -w "$TMP/out.pcapng" <"$TMP/in.pcap" >"$TMP/out.nm-pcap" \
    2>"$TMP/err.nm-pcap" &
pid=$!
exec 3>"$TMP/in.pcap"
check "nm-pcap: Seccomp: 2 while waiting for input" field_is "$pid" Seccomp 2
cat "$TMP/packets.bin" >&3
exec 3>&-
wait "$pid"
rc=$?
# nm-decode cut some of these packets: the one line that says so is all
[ "$rc" = 0 ] && [ -s "$TMP/out.pcapng" ] &&
    [ "$(wc -l <"$TMP/err.nm-pcap")" = 1 ] &&
    grep -q 'packets written cut .*nm-decode -k' "$TMP/err.nm-pcap"
verdict $? "nm-pcap: exits 0 at the end of input (status $rc), the cut packets' line alone"

mkfifo "$TMP/in.off"
NM_NO_SECCOMP=1 "$NM_TOP/nm-decode" <"$TMP/in.off" >/dev/null &
pid=$!
exec 3>"$TMP/in.off"
sleep 0.3
check "NM_NO_SECCOMP=1: nm-decode runs unfiltered" field_is "$pid" Seccomp 0
cat "$TMP/frames.bin" >&3
exec 3>&-
wait "$pid"

# nm-capture reading a fifo: the pcap header lets it get past the open.
mkfifo "$TMP/in.cap"
"$NM_TOP/nm-capture" -r "$TMP/in.cap" >"$TMP/out.cap" 2>"$TMP/err.cap" &
pid=$!
exec 3>"$TMP/in.cap"
head -c 24 "$TMP/mixed.pcap" >&3
check "nm-capture: Seccomp: 2 once the file is open" field_is "$pid" Seccomp 2
tail -c +25 "$TMP/mixed.pcap" >&3
exec 3>&-
wait "$pid"
rc=$?
check "nm-capture: exits 0 under the filter (status $rc)" [ "$rc" = 0 ]
frames() { nm-render -o json <"$1" | grep -c '"type":"frame"'; }
check "nm-capture: all frames, as from the file" \
    [ "$(frames "$TMP/out.cap")" = "$(frames "$TMP/frames.bin")" ]

# --- the programs' less common paths, under the filter ---

# ok NAME WANT CMD...: CMD's status must be WANT (never 159)
ok() {
	local n=$1 want=$2 rc
	shift 2
	"$@" 2>"$TMP/ok.err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$n"
	else fail "$n: status $rc, want $want: $(head -c 200 "$TMP/ok.err")"
	fi
}
all_modes() {
	local m
	for m in compact detailed minimal json; do
		nm-capture -r "$TMP/mixed.pcap" | nm-decode | nm-stats |
		    nm-render -o "$m" --color=always >/dev/null || return 1
	done
	nm-capture -r "$TMP/mixed.pcap" | nm-decode |
	    nm-render -e ip.src -e dns.qry.name >/dev/null
}
ok "every output mode" 0 all_modes
ok "local time from /etc/localtime" 0 \
    env -u TZ nm-render -m compact <"$TMP/packets.bin" >/dev/null
if [ -e /usr/share/zoneinfo/Asia/Tokyo ]; then
	ok "local time from TZ" 0 \
	    env TZ=Asia/Tokyo nm-render -m detailed <"$TMP/packets.bin" >/dev/null
fi
json_in() {
	nm-render -o json <"$TMP/packets.bin" | nm-stats -q |
	    nm-render -o json >"$TMP/json.out" && grep -q '"stats"' "$TMP/json.out"
}
ok "JSON input" 0 json_in
printf '80 myweb\n53/udp mydns\n' >"$TMP/services"
svc() {
	nm-decode --services "$TMP/services" <"$TMP/frames.bin" |
	    nm-stats --services "$TMP/services" | nm-render -o json |
	    grep -q myweb
}
ok "a service file" 0 svc
evict() {
	nm-capture -r "$TMP/bulk.pcap" | nm-decode | nm-stats -I 1 -F 50 -H 50 |
	    nm-render -o json | grep -q '"flow"'
}
ok "many intervals, flow and host eviction" 0 evict
realtime() {
	nm-capture -r "$TMP/mixed.pcap" --realtime -c 4 >/dev/null
}
ok "--realtime" 0 realtime
epipe() {
	nm-capture -r "$TMP/bulk.pcap" | nm-decode | nm-stats | nm-render |
	    head -n 1 >/dev/null
	[ "${PIPESTATUS[*]}" = "0 0 0 0 0" ]
}
ok "reader goes away: every stage exits 0" 0 epipe
for p in nm-decode nm-stats nm-render; do
	ok "$p: write error exits 1" 1 sh -c \
	    "$p <'$TMP/packets.bin' >/dev/full"
	ok "$p: malformed stream exits 3" 3 sh -c \
	    "printf '\\301\\301\\301' | $p >/dev/null"
done

# Idle live input: nm-stats closes intervals by the clock; then signals.
mkfifo "$TMP/in.idle"
"$NM_TOP/nm-stats" -I 1 <"$TMP/in.idle" >"$TMP/out.idle" 2>"$TMP/err.idle" &
pid=$!
exec 3>"$TMP/in.idle"
cat "$TMP/packets.bin" >&3
sleep 2.5
kill -TERM "$pid"
sleep 0.2
kill -TERM "$pid" 2>/dev/null
exec 3>&-
wait "$pid"
rc=$?
check "nm-stats: idle intervals and two signals, exits 0 (status $rc)" \
    [ "$rc" = 0 ]
for p in nm-decode nm-render; do
	mkfifo "$TMP/sig.$p"
	"$NM_TOP/$p" <"$TMP/sig.$p" >/dev/null 2>"$TMP/err.sig" &
	pid=$!
	exec 3>"$TMP/sig.$p"
	cat "$TMP/packets.bin" >&3
	field_is "$pid" Seccomp 2
	kill -INT "$pid"
	sleep 0.2
	kill -INT "$pid" 2>/dev/null
	exec 3>&-
	wait "$pid"
	rc=$?
	check "$p: two SIGINTs, exits 0 (status $rc)" [ "$rc" = 0 ]
done

# --- live: libpcap's error paths under the filter ---
if [ "$(id -u)" -ne 0 ]; then
	skip "live capture under the filter: needs root for namespaces"
	exit 0
fi
NS=nmsb$$ IF=nmsb$$
cleanup() {
	[ -n "${CPID:-}" ] && kill "$CPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
# veth IF in NS, up; returns non-zero when namespaces cannot be made
veth() {
	ip netns add "$NS" 2>/dev/null
	ip link add "$IF" netns "$NS" type veth peer name "${IF}p" \
	    netns "$NS" && ip -n "$NS" link set "$IF" up &&
	    ip -n "$NS" link set "${IF}p" up
}
if ! netns_ok || ! veth; then
	skip "live capture under the filter: cannot make network namespaces"
	exit 0
fi

# A capture on an interface set down and up again keeps going.
ip netns exec "$NS" "$NM_TOP/nm-capture" -i "$IF" >"$TMP/down.bin" \
    2>"$TMP/down.err" &
CPID=$!
check "live: Seccomp: 2 while capturing" field_is "$CPID" Seccomp 2
sleep 1.2		# past a capstats tick: pcap_stats under the filter
ip -n "$NS" link set "$IF" down
sleep 1.2
check "live: interface set down: still running" kill -0 "$CPID"
ip -n "$NS" link set "$IF" up
kill -TERM "$CPID"
wait "$CPID"
rc=$?
CPID=
check "live: SIGTERM after down and up exits 0 (status $rc)" [ "$rc" = 0 ]

# A capture whose interface is deleted ends with libpcap's message.
ip netns exec "$NS" "$NM_TOP/nm-capture" -i "$IF" >"$TMP/gone.bin" \
    2>"$TMP/gone.err" &
CPID=$!
field_is "$CPID" Seccomp 2
sleep 0.5
ip -n "$NS" link del "$IF"
for i in $(seq 50); do
	kill -0 "$CPID" 2>/dev/null || break
	sleep 0.1
done
kill -TERM "$CPID" 2>/dev/null
wait "$CPID"
rc=$?
CPID=
check "live: interface deleted: exits 1, not killed (status $rc)" [ "$rc" = 1 ]
one_message() {
	[ "$(wc -l <"$TMP/gone.err")" = 1 ] &&
	    grep -q "^nm-capture: $IF: " "$TMP/gone.err"
}
check "live: interface deleted: one message" one_message
nm-render -o json <"$TMP/gone.bin" >"$TMP/gone.json" 2>/dev/null
check "live: interface deleted: final capstats, then end (error)" \
    python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (r[-2]["type"] == "capstats" and r[-2]["final"] and
    r[-1]["type"] == "end" and r[-1]["reason"] == "error"))' "$TMP/gone.json"
