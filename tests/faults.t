#!/usr/bin/env bash
# Faults, each with its stated expectation:
# - the last reader goes away (| head): every stage ends quietly, status 0;
# - a stage dies (SIGKILL): the stages after it finish what they hold,
#   write their end records with reason "early", and exit 8, with one line
#   from the first of them; an empty input is "ended early" too;
# - SIGINT or SIGTERM to the whole process group mid-burst: final report,
#   every stage exits 0;
# - the capture interface deleted mid-capture: one line,
#   final capstats, end reason "error", status 1;
# - output to a full disk (/dev/full, a tiny tmpfs): one line, status 1,
#   the stages before it end quietly;
# - a slow consumer: the kernel ring overflows, and the drops are counted
#   in capstats and shown by nm-stats (coverage) and nm-render.
# The live ones run in network namespaces of our own, as root.
# exclusive: floods a veth flat out (a core) and counts on bursts and
# drops within fixed sleeps
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/capture-lib.sh"
for p in nm-capture nm-decode nm-stats nm-render; do
	[ -x "$NM_TOP/$p" ] || { echo "$p not built"; exit 77; }
done
TOOLS=$NM_TOP/tests/tools
"$TOOLS/pktgen" bulk "$TMP/bulk.pcap" -n 50000 || { fail "pktgen"; exit 1; }

# one_line NAME FILE REGEX: FILE holds exactly one line, matching REGEX
one_line() {
	if [ "$(wc -l <"$2")" -eq 1 ] && grep -Eq "$3" "$2"; then pass "$1"
	else fail "$1: $(head -c 400 "$2" | tr '\n' '|')"; fi
}
# json FILE: the records of a saved stream as JSON lines (quietly)
json() { nm-render -o json <"$1" 2>/dev/null; }

# --- the reader goes away ---
nm-capture -r "$TMP/bulk.pcap" 2>"$TMP/h.cap" | nm-decode 2>"$TMP/h.dec" |
    nm-stats 2>"$TMP/h.st" | nm-render --color=never 2>"$TMP/h.ren" |
    head -n 5 >/dev/null
st="${PIPESTATUS[*]}"
check "head: every stage exits 0 ($st)" [ "$st" = "0 0 0 0 0" ]
cat "$TMP"/h.* >"$TMP/h.all"
check "head: nothing on stderr" [ ! -s "$TMP/h.all" ]
nm-capture -r "$TMP/bulk.pcap" 2>"$TMP/h2.cap" | nm-decode 2>"$TMP/h2.dec" |
    nm-render -o json 2>"$TMP/h2.ren" | head -c 100 >/dev/null
st="${PIPESTATUS[*]}"
cat "$TMP"/h2.* >"$TMP/h2.all"
[ "$st" = "0 0 0 0" ] && [ ! -s "$TMP/h2.all" ]
verdict $? "head -c: every stage exits 0 ($st), quietly"

# --- a stage dies ---
# kill_run NAME VICTIM: nm-capture reads half the file from a pipe that
# then stays open a while, so every stage has passed on all it can and
# waits; then VICTIM (capture or decode) is killed with SIGKILL.
waitfor() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
half=$(($(stat -c %s "$TMP/bulk.pcap") / 2))
kill_run() {
	local d=$TMP/$1 cap dec rest
	mkdir -p "$d"; mkfifo "$d/a" "$d/b"
	{ head -c "$half" "$TMP/bulk.pcap"; sleep 3; } |
	    nm-capture -r - >"$d/a" 2>"$d/cap.err" &
	cap=$!
	nm-decode <"$d/a" >"$d/b" 2>"$d/dec.err" &
	dec=$!
	{ nm-stats <"$d/b" 2>"$d/st.err"; echo $? >"$d/st.rc"; } |
	    tee "$d/out" | nm-render --color=never >"$d/txt" 2>"$d/ren.err" &
	rest=$!
	sleep 1.5
	if [ "$2" = capture ]; then kill -KILL "$cap"; else kill -KILL "$dec"; fi
	waitfor "$rest" 10 || kill -KILL "$rest"
	waitfor "$cap" 10 || kill -KILL "$cap"
	{ wait "$cap"; echo $? >"$d/cap.rc"; } 2>/dev/null
	{ wait "$dec"; echo $? >"$d/dec.rc"; } 2>/dev/null
	{ wait "$rest"; echo $? >"$d/ren.rc"; } 2>/dev/null
	json "$d/out" >"$d/json"
}
kill_run k capture
st="$(cat "$TMP/k/cap.rc" "$TMP/k/dec.rc" "$TMP/k/st.rc" "$TMP/k/ren.rc" | tr '\n' ' ')"
check "capture killed: decode, stats, render exit 8 ($st)" [ "$st" = "137 8 8 8 " ]
one_line "capture killed: one line from the next stage" "$TMP/k/dec.err" \
    '^nm-decode: stdin: input ended early: upstream stopped without its end record$'
[ ! -s "$TMP/k/st.err" ] && ! grep -q 'ended early' "$TMP/k/ren.err"
verdict $? "capture killed: the stages after it are quiet"
nmc_is "capture killed: decode and stats end with reason early" "$TMP/k/json" \
    '[(r["producer"], r["reason"]) for r in T("end")]' \
    "[('nm-decode', 'early'), ('nm-stats', 'early')]"
nmc_is "capture killed: decode passed on every frame it got" "$TMP/k/json" \
    '(T("end")[0]["frames"] == T("end")[0]["packets"] == len(T("packet")), len(T("packet")) > 1000)' \
    "(True, True)"
nmc_is "capture killed: nm-stats wrote its final figures" "$TMP/k/json" \
    '[s["total"]["packets"] for s in T("stats") if s.get("final")] == [len(T("packet"))]' True
check "capture killed: nm-render printed the final report" \
    grep -q 'FINAL REPORT' "$TMP/k/txt"

kill_run m decode
st="$(cat "$TMP/m/cap.rc" "$TMP/m/dec.rc" "$TMP/m/st.rc" "$TMP/m/ren.rc" | tr '\n' ' ')"
check "decode killed: capture 0, stats 8, render 8 ($st)" [ "$st" = "0 137 8 8 " ]
cat "$TMP/m/cap.err" "$TMP/m/st.err" "$TMP/m/ren.err" >"$TMP/m/all.err"
one_line "decode killed: one line, from nm-stats" "$TMP/m/all.err" \
    '^nm-stats: stdin: input ended early: upstream stopped without its end record$'
nmc_is "decode killed: stats ends with reason early" "$TMP/m/json" \
    '[(r["producer"], r["reason"]) for r in T("end")]' "[('nm-stats', 'early')]"

nm-decode </dev/null >"$TMP/e.out" 2>"$TMP/e.err"
check "empty input: exit 8" [ $? = 8 ]
one_line "empty input: one line" "$TMP/e.err" \
    '^nm-decode: stdin: input ended early: no records at all$'
json "$TMP/e.out" >"$TMP/e.json"
nmc_is "empty input: a header and an early end" "$TMP/e.json" \
    '[(r["type"], r.get("reason")) for r in R]' \
    "[('header', None), ('end', 'early')]"

# --- full disk ---
for stage in nm-decode nm-stats; do
	nm-capture -r "$TMP/bulk.pcap" 2>"$TMP/f.cap" | "$stage" >/dev/full \
	    2>"$TMP/f.err"
	st="${PIPESTATUS[*]}"
	check "/dev/full: $stage exits 1, capture 0 ($st)" [ "$st" = "0 1" ]
	one_line "/dev/full: $stage says so once" "$TMP/f.err" \
	    "^$stage: stdout: No space left on device$"
	check "/dev/full: capture quiet" [ ! -s "$TMP/f.cap" ]
done
nm-capture -r "$TMP/bulk.pcap" | nm-decode | nm-render --color=never \
    >/dev/full 2>"$TMP/f.err"
st="${PIPESTATUS[*]}"
check "/dev/full: nm-render exits 1, the rest 0 ($st)" [ "$st" = "0 0 1" ]
one_line "/dev/full: nm-render says so once" "$TMP/f.err" \
    '^nm-render: stdout: No space left on device$'
if mountns_ok; then
	mkdir -p "$TMP/small"
	unshare -m sh -c 'mount -t tmpfs -o size=256k nmtest "$1" &&
	    nm-capture -r "$2" 2>"$3/t.cap" | nm-decode >"$1/out" 2>"$3/t.err"
	    echo $? >"$3/t.rc"; stat -c %s "$1/out" >"$3/t.size"' sh \
	    "$TMP/small" "$TMP/bulk.pcap" "$TMP"
	check "tiny tmpfs: nm-decode exits 1 ($(cat "$TMP/t.rc"))" \
	    [ "$(cat "$TMP/t.rc")" = 1 ]
	one_line "tiny tmpfs: one line" "$TMP/t.err" \
	    '^nm-decode: stdout: No space left on device$'
	check "tiny tmpfs: the file filled up first ($(cat "$TMP/t.size") bytes)" \
	    [ "$(cat "$TMP/t.size")" -ge 200000 ]
else
	skip "tiny tmpfs: cannot mount one in a private mount namespace here (root and unshare needed)"
fi

# --- live: namespaces ---
if [ "$(id -u)" -ne 0 ]; then
	skip "live faults: needs root for namespaces"
	exit 0
fi
NSA=nmfA$$ NSB=nmfB$$ IFA=nmfa$$ IFB=nmfb$$ PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mknet() {
	ip link add "$IFA" netns "$NSA" type veth peer name "$IFB" netns "$NSB" &&
	ip -n "$NSA" addr add 10.80.0.1/24 dev "$IFA" &&
	ip -n "$NSB" addr add 10.80.0.2/24 dev "$IFB" &&
	ip -n "$NSA" link set "$IFA" up && ip -n "$NSB" link set "$IFB" up
}
if ! { netns_ok && ip netns add "$NSA" && ip netns add "$NSB" && mknet; }; then
	skip "live faults: cannot make network namespaces"
	exit 0
fi
# flood N: seqsend from A to B as fast as it can, in the background
flood() {
	ip netns exec "$NSA" "$TOOLS/seqsend" -d 10.80.0.2 -p 9 -n "$1" \
	    >/dev/null 2>&1 &
	FPID=$!
	PIDS="$PIDS $FPID"
}
ip netns exec "$NSB" "$TOOLS/seqsend" -l -p 9 >/dev/null 2>&1 &
PIDS="$PIDS $!"

# --- SIGINT / SIGTERM to the process group mid-burst ---
for sig in INT TERM; do
	# The waiting shell ignores the signal; the stages catch it.
	setsid bash -c 'trap "" INT TERM; ip netns exec "$1" nm-capture -i "$2" udp 2>"$3.cap" |
	    nm-decode 2>"$3.dec" | nm-stats 2>"$3.st" |
	    nm-render --color=never >"$3.out" 2>"$3.ren"
	    echo "${PIPESTATUS[*]}" >"$3.rc"' sh "$NSB" "$IFB" "$TMP/g$sig" &
	gpid=$!
	sleep 0.5
	flood 3000000
	sleep 1
	kill -"$sig" -- -"$gpid"
	waitfor "$gpid" 20 || { kill -KILL -- -"$gpid"; fail "SIG$sig: pipeline still running"; }
	kill -TERM "$FPID" 2>/dev/null; waitfor "$FPID" 5
	check "SIG$sig mid-burst: every stage exits 0 ($(cat "$TMP/g$sig.rc"))" \
	    [ "$(cat "$TMP/g$sig.rc")" = "0 0 0 0" ]
	check "SIG$sig mid-burst: packets were shown ($(wc -l <"$TMP/g$sig.out"))" \
	    [ "$(wc -l <"$TMP/g$sig.out")" -gt 1000 ]
	check "SIG$sig mid-burst: final report" \
	    grep -q 'packets received by filter' "$TMP/g$sig.ren"
	check "SIG$sig mid-burst: final stats block" \
	    grep -q 'FINAL REPORT' "$TMP/g$sig.out"
	cat "$TMP/g$sig.cap" "$TMP/g$sig.dec" "$TMP/g$sig.st" >"$TMP/g$sig.errs"
	check "SIG$sig mid-burst: no errors" [ ! -s "$TMP/g$sig.errs" ]
done

# --- the interface is deleted mid-capture ---
# (Set down, it is waited for, as tcpdump does: Linux reports nothing.)
ip netns exec "$NSB" nm-capture -i "$IFB" >"$TMP/i.bin" 2>"$TMP/i.err" &
cpid=$!
sleep 0.5
timeout 5 ip netns exec "$NSA" ping -c 3 -i 0.2 -W 1 10.80.0.2 >/dev/null 2>&1
ip -n "$NSB" link del "$IFB"
waitfor "$cpid" 5 || kill -TERM "$cpid"
wait "$cpid"
st=$?
check "interface deleted: exit 1 ($st)" [ "$st" = 1 ]
one_line "interface deleted: one line" "$TMP/i.err" \
    "^nm-capture: $IFB: The interface disappeared$"
json "$TMP/i.bin" >"$TMP/i.json"
nmc_is "interface deleted: final capstats and end record" "$TMP/i.json" \
    '(R[-2]["type"], R[-2]["final"], R[-2]["recv"] >= 6, R[-1]["type"], R[-1]["reason"], R[-1]["frames"] >= 6)' \
    "('capstats', True, True, 'end', 'error', True)"
mknet || { fail "veth again"; exit 1; }

# --- a slow consumer ---
# A small kernel buffer and a reader that sleeps: nm-capture blocks on the
# pipe, the ring overflows, and the kernel counts what it dropped.
mkfifo "$TMP/s.fifo"
{ sleep 3; cat; } <"$TMP/s.fifo" | nm-decode | nm-stats -q 2>"$TMP/s.st" |
    tee "$TMP/s.bin" | nm-render --color=never >"$TMP/s.out" 2>"$TMP/s.ren" &
spid=$!
ip netns exec "$NSB" nm-capture -B 256 -i "$IFB" udp >"$TMP/s.fifo" \
    2>"$TMP/s.cap" &
cpid=$!
PIDS="$PIDS $spid $cpid"
sleep 0.5
timeout 60 ip netns exec "$NSA" "$TOOLS/seqsend" -d 10.80.0.2 -p 9 -n 200000 \
    >"$TMP/s.sent"
sleep 4
kill -TERM "$cpid"
waitfor "$cpid" 20
waitfor "$spid" 20
json "$TMP/s.bin" >"$TMP/s.json"
nmc_is "slow consumer: the kernel's drops are in capstats" "$TMP/s.json" \
    '[c["drop"] > 0 for c in T("capstats") if c["final"]]' "[True]"
nmc_is "slow consumer: received = captured + dropped" "$TMP/s.json" \
    '[c["recv"] == c["drop"] + [e for e in T("end") if e["producer"] == "nm-capture"][0]["frames"] for c in T("capstats") if c["final"]]' "[True]"
nmc_is "slow consumer: nm-stats shows coverage under 100%" "$TMP/s.json" \
    '[s["capture"]["coverage"] < 100 for s in T("stats") if s.get("final")]' "[True]"
check "slow consumer: nm-render reports the drops" \
    grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$TMP/s.ren"
check "slow consumer: nm-render shows the coverage" \
    grep -q 'covers [0-9.]*% of received packets' "$TMP/s.out"
