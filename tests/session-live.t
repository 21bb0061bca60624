#!/usr/bin/env bash
# A real session, as an administrator runs one: two minutes and more of
# live capture in network namespaces of our own, a few hundred short
# connections (curl to busybox httpd, dig to dnsmasq, ping), then a quiet
# spell of 20 s, then traffic again.  The pipeline's stream is saved on
# the way (tee); afterwards the saved stream is replayed at full speed and
# at its recorded pace (--realtime), and both must print byte for byte
# what the live run printed: packet lines, every live block (including
# those of the quiet spell) and the final report.  The live blocks must
# come every 5 s of capture, the Duration must be the capture's.  Needs
# root; skips, saying why, when it cannot make namespaces.  Every loop is
# bounded in count and time.
# exclusive: two minutes of live timing (a block every 5 s, the
# connections made); the replays after it share the machine (alone_done)
source "$(dirname "$0")/lib.sh"

tag=$$
nsa=nmsa$tag nsb=nmsb$tag
va=nmsva$tag vb=nmsvb$tag
pids=()

if [ "$(id -u)" -ne 0 ]; then
	skip "session: needs root for network namespaces"
	exit 0
fi
for t in ip dnsmasq busybox curl dig ping timeout tee; do
	if ! command -v $t >/dev/null; then
		skip "session: $t is not installed (make deps-test)"
		exit 0
	fi
done
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
if ! netns_ok; then
	skip "session: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
ip netns add "$nsa" && ip netns add "$nsb" &&
    ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" || {
	skip "session: cannot make the namespaces and their veth pair"
	exit 0
}
in_a() { ip netns exec "$nsa" "$@"; }
in_a ip link set lo up
ip -n "$nsb" link set lo up
ip -n "$nsa" addr add 10.76.0.1/24 dev "$va"
ip -n "$nsb" addr add 10.76.0.2/24 dev "$vb"
ip -n "$nsa" link set "$va" up
ip -n "$nsb" link set "$vb" up

# state: servers in B, for at most 4 minutes
mkdir -p "$TMP/www"
echo "hello from nm session-live.t" >"$TMP/www/index.html"
ip netns exec "$nsb" timeout 240 busybox httpd -f -p 80 -h "$TMP/www" &
pids+=("$!")
ip netns exec "$nsb" timeout 240 dnsmasq -k -C /dev/null --no-resolv \
    --no-hosts --bind-interfaces --listen-address=10.76.0.2 --user=root \
    --address=/example.test/10.76.0.2 --local=/test/ \
    --pid-file="$TMP/dnsmasq.pid" --log-facility=/dev/null &
pids+=("$!")
wait_for 5 in_a timeout 1 dig +tries=1 +time=1 @10.76.0.2 example.test \
    >/dev/null || fail "session: dnsmasq did not answer"

# --- the live run ---
# The kernel's own IPv6 multicast comes when it likes; leave it out so the
# traffic is only ours.  A background job of a script ignores SIGINT:
# SIGTERM ends nm-capture, and the stages after it end with its stream.
ip netns exec "$nsa" timeout 240 "$NM_TOP/nm-capture" -i "$va" \
    'not ip6 multicast' 2>"$TMP/cap.err" | tee "$TMP/saved.nm" |
    "$NM_TOP/nm-decode" | "$NM_TOP/nm-stats" |
    "$NM_TOP/nm-render" >"$TMP/live.txt" 2>"$TMP/render.err" &
ppid=$!
wait_for 5 test -s "$TMP/saved.nm" ||
    fail "session: nm-capture wrote no header: $(head -n 1 "$TMP/cap.err")"
cpid=$(pgrep -f -n "nm-capture -i $va") && pids+=("$cpid")
t0=$SECONDS

# traffic: NAME SECONDS: a connection and a lookup every 0.2 s or so
busy() {
	local end=$((SECONDS + $2)) i=0
	while [ $SECONDS -lt $end ] && [ $i -lt 600 ]; do
		in_a timeout 3 curl -s -m 2 -o /dev/null http://10.76.0.2/ &&
		    ok_http=$((ok_http + 1))
		in_a timeout 3 dig +tries=1 +time=1 @10.76.0.2 \
		    "h$i.$1.example.test" A >/dev/null
		[ $((i % 50)) = 0 ] && in_a timeout 3 ping -c 1 -W 1 10.76.0.2 >/dev/null
		i=$((i + 1))
		sleep 0.1
	done
}
# In the sanitizer's copy of the suite (tests/sanitize.t) the same session
# runs shorter: the code paths are the same, the two minutes are this
# run's to prove.
busy_s=50 quiet_s=20 min_s=120
if [ -n "${NM_SANITIZE_COPY:-}" ]; then
	busy_s=10 quiet_s=15 min_s=30
fi
ok_http=0
busy one $busy_s
sleep $quiet_s # the quiet spell
busy two $busy_s
sleep 3
elapsed=$((SECONDS - t0))
kill -TERM "$cpid" 2>/dev/null
for i in $(seq 100); do kill -0 "$ppid" 2>/dev/null || break; sleep 0.1; done
wait "$ppid"
# What needed the machine quiet is done: the replays may share it.
alone_done
check "session: ran $min_s s at least (${elapsed} s)" test "$elapsed" -ge $min_s
check "session: a few hundred connections made ($ok_http)" test "$ok_http" -ge $((min_s * 5 / 3))
check "session: the pipeline ended cleanly" grep -q '^FINAL REPORT' "$TMP/live.txt"

# --- what the live run printed ---
blocks=$(grep -c '^LIVE STATS' "$TMP/live.txt")
check "session: a live block every 5 s ($blocks for ${elapsed} s)" \
    test "$blocks" -ge $((elapsed / 5 - 1)) -a "$blocks" -le $((elapsed / 5 + 1))
# runtimes of the blocks: 5, 10, 15, ... with none missing (the quiet spell)
grep -o 'Runtime: [0-9]*s' "$TMP/live.txt" | tr -dc '0-9\n' >"$TMP/runtimes"
check "session: blocks at 5 s, 10 s, ... none missing in the quiet spell" \
    test "$(seq 5 5 $((blocks * 5)) | tr '\n' ' ')" = "$(tr '\n' ' ' <"$TMP/runtimes")"
# in the quiet spell, some block added no packet
quiet=$(awk -F'Packets: ' '/^LIVE STATS/ { split($2, a, " "); if (a[1] == last) q++; last = a[1] } END { print q + 0 }' "$TMP/live.txt")
check "session: the quiet spell shows as blocks with no new packets ($quiet)" test "$quiet" -ge 2
dur=$(sed -n 's/^Duration: \([0-9.]*\)s.*/\1/p' "$TMP/live.txt")
check "session: Duration is the capture's (${dur} s for ${elapsed} s of traffic)" \
    awk -v d="$dur" -v e="$elapsed" 'BEGIN { exit !(d >= e - 1 && d <= e + 6) }'
conns=$(sed -n 's/.*| Connections: \([0-9]*\)$/\1/p' "$TMP/live.txt")
check "session: the report counts the connections ($conns)" test "${conns:-0}" -ge $((2 * ok_http))

# --- the saved stream, replayed ---
"$NM_TOP/nm-decode" <"$TMP/saved.nm" | "$NM_TOP/nm-stats" |
    "$NM_TOP/nm-render" >"$TMP/replay.txt" 2>/dev/null
check "session: the saved stream at full speed prints what the live run did" \
    cmp "$TMP/live.txt" "$TMP/replay.txt"
start=$SECONDS
timeout 300 "$NM_TOP/nm-decode" --realtime <"$TMP/saved.nm" |
    "$NM_TOP/nm-stats" | "$NM_TOP/nm-render" >"$TMP/realtime.txt" 2>/dev/null
took=$((SECONDS - start))
check "session: --realtime prints what the live run did" \
    cmp "$TMP/live.txt" "$TMP/realtime.txt"
check "session: --realtime took the capture's time ($took s for ${elapsed} s)" \
    test "$took" -ge $((elapsed - 2)) -a "$took" -le $((elapsed + 10))
if ! cmp -s "$TMP/live.txt" "$TMP/replay.txt"; then
	diff "$TMP/live.txt" "$TMP/replay.txt" | head -20
fi
exit 0
