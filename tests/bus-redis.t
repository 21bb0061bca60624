#!/usr/bin/env bash
# nm-push and nm-pull through a real redis-server the test starts on a
# Unix socket in its temporary directory (no port, no persistence).
# Three sensors replay captures (share/sample.pcap and two of pktgen's)
# through nm-decode | nm-stats | nm-push; one viewer's nm-pull
# --until-end 3 | nm-stats has the sum of the sensors' own totals, its
# header names each sensor's source, packets carry their merged source
# and other records their sensor.  Then: --only, MAXLEN trimming, bad
# URLs (status 2, one line), a bad message on the bus (skipped and
# counted), two groups each getting everything, a consumer that resumes
# without reading acknowledged messages again and reads its pending ones
# first, SIGTERM, both programs under their seccomp filters, and the
# server killed and started again under a slow sender: the loss counted
# at the sender and shown by the viewer as a bus_loss alert, later
# messages arriving, every status 0.
source "$(dirname "$0")/lib.sh"

for p in nm-push nm-pull nm-capture nm-decode nm-stats nm-render \
    tests/tools/pktgen; do
	[ -x "$NM_TOP/$p" ] || { echo "$p not built"; exit 77; }
done
for t in redis-server redis-cli jq; do
	command -v $t >/dev/null || { echo "no $t (tests/deps.sh test)"; exit 77; }
done
set -o pipefail
unset NM_NO_SECCOMP

# Everything started here is ended here, by its pid.
RPID=
PIDS=
cleanup() {
	local p
	for p in $PIDS $RPID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

SOCK=$TMP/redis.sock
start_redis() {
	local i
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 \
	    --save '' --appendonly no --dir "$TMP" \
	    >>"$TMP/redis.log" 2>&1 &
	RPID=$!
	for i in $(seq 50); do
		redis-cli -s "$SOCK" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	return 1
}
stop_redis() {
	kill -9 "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}
start_redis || { fail "bus-redis: redis-server did not start"; exit 1; }
url() { echo "redis+unix://$SOCK?stream=$1"; }
# jqs FILE FILTER: a stream file's records as JSON, through jq -s
jqs() { nm-render -o json <"$1" | jq -s "$2"; }
# the final stats of the last nm-stats (not a sensor's, passed on)
final_total() {
	jqs "$1" '[.[] | select(.type == "stats" and .final and
	    .sensor == null)][-1].total.'"$2"
}

"$NM_TOP/tests/tools/pktgen" mixed "$TMP/mixed.pcap" >/dev/null &&
    "$NM_TOP/tests/tools/pktgen" bulk "$TMP/bulk.pcap" -n 20000 >/dev/null ||
    { fail "bus-redis: pktgen"; exit 1; }
CAPS=("$NM_TOP/share/sample.pcap" "$TMP/mixed.pcap" "$TMP/bulk.pcap")

# --- three sensors, one view ---
for i in 1 2 3; do
	nm-capture -r "${CAPS[i - 1]}" | nm-decode | nm-stats |
	    nm-push --sensor "s$i" "$(url all)" >"$TMP/s$i.out" 2>"$TMP/s$i.err"
	echo $? >"$TMP/s$i.rc"
done
for i in 1 2 3; do
	[ "$(cat "$TMP/s$i.rc")" = 0 ] && [ ! -s "$TMP/s$i.err" ]
	verdict $? "sensor s$i: its pipeline exits 0, nothing on stderr"
done
check "sensor s1: nm-push passes the stream on, its end record last" \
    [ "$(jqs "$TMP/s1.out" '.[-1] | .producer + " " + .push.sensor')" = \
    '"nm-push s1"' ]
want_p=0 want_b=0
for i in 1 2 3; do
	want_p=$((want_p + $(final_total "$TMP/s$i.out" packets)))
	want_b=$((want_b + $(final_total "$TMP/s$i.out" bytes)))
done
timeout 30 nm-pull --until-end 3 "$(url all)" >"$TMP/all.out" \
    2>"$TMP/all.err"
rc=$?
check "viewer: nm-pull --until-end 3 exits 0 (status $rc)" [ "$rc" = 0 ]
check "viewer: nothing on stderr" [ ! -s "$TMP/all.err" ]
nm-stats <"$TMP/all.out" >"$TMP/all.stats"
check "viewer: nm-stats of the merged stream: packets are the sensors' sum ($want_p)" \
    [ "$(final_total "$TMP/all.stats" packets)" = "$want_p" ]
check "viewer: bytes are the sensors' sum ($want_b)" \
    [ "$(final_total "$TMP/all.stats" bytes)" = "$want_b" ]
check "viewer: the header names three sources, one per sensor" \
    [ "$(jqs "$TMP/all.out" '[.[0].sources[].sensor] | sort | join(",")')" = \
    '"s1,s2,s3"' ]
# each sensor's packets, by the sensor of their source in the header
for i in 1 2 3; do
	got=$(jqs "$TMP/all.out" '.[0].sources as $s |
	    [.[] | select(.type == "packet") |
	    select($s[.if].sensor == "s'$i'")] | length')
	check "viewer: s$i's packets are on s$i's source ($got)" \
	    [ "$got" = "$(final_total "$TMP/s$i.out" packets)" ]
done
check "viewer: stats records carry their sensor" \
    [ "$(jqs "$TMP/all.out" '[.[] | select(.type == "stats") | .sensor] |
    unique | join(",")')" = '"s1,s2,s3"' ]
check "viewer: one end record, nm-pull's, with 3 sensors ended" \
    [ "$(jqs "$TMP/all.out" '[.[] | select(.type == "end")] |
    map(.producer + " " + (.pull.ended | tostring)) | join(",")')" = \
    '"nm-pull 3"' ]
nm-render <"$TMP/all.out" >"$TMP/all.txt" 2>&1
check "viewer: nm-render shows the merged stream (status $?)" \
    grep -q "mixed.pcap" "$TMP/all.txt"

# --- a second group gets everything too ---
timeout 30 nm-pull --group other --until-end 3 "$(url all)" | nm-stats \
    >"$TMP/other.stats"
[ $? = 0 ] && [ "$(final_total "$TMP/other.stats" packets)" = "$want_p" ]
verdict $? "group other: exits 0, the same packets"

# --- --only: the cheap part ---
nm-capture -r "$TMP/bulk.pcap" | nm-decode | nm-stats |
    nm-push --sensor cheap --only summary,alert,flow "$(url only)" \
    >"$TMP/only.s"
check "--only: the sensor's pipeline exits 0" [ $? = 0 ]
timeout 30 nm-pull --until-end 1 "$(url only)" >"$TMP/only.out"
check "--only: only header, flow, alert, summary and end records" \
    [ "$(jqs "$TMP/only.out" '[.[].type] | unique |
    map(select(. != "header" and . != "flow" and . != "alert" and
    . != "summary" and . != "end")) | length')" = 0 ]
check "--only: every flow record arrived" \
    [ "$(jqs "$TMP/only.out" '[.[] | select(.type == "flow")] | length')" = \
    "$(jqs "$TMP/only.s" '[.[] | select(.type == "flow")] | length')" ]
check "--only: the final summary arrived, tagged with its sensor" \
    [ "$(jqs "$TMP/only.out" '[.[] | select(.type == "summary" and .final and .sensor == "cheap")] | length')" = 1 ]
nm-stats --merge "$TMP/only.out" >"$TMP/only.merged"
check "--only: merged from the bus, the sensor's own packets and bytes" \
    [ "$(jqs "$TMP/only.merged" 'map(select(.type == "stats" and .final))[0].total | [.packets, .bytes]')" = \
    "$(jqs "$TMP/only.s" 'map(select(.type == "stats" and .final))[0].total | [.packets, .bytes]')" ]
big=$(redis-cli -s "$SOCK" XLEN only)

# --- MAXLEN ~ is always set ---
nm-capture -r "$TMP/bulk.pcap" | nm-decode | nm-push --sensor m --maxlen 10 \
    "$(url trim)" >/dev/null
sent=$(nm-capture -r "$TMP/bulk.pcap" | nm-decode |
    nm-push --sensor m2 "$(url untrimmed)" | nm-render -o json |
    jq -s '.[-1].push.messages')
kept=$(redis-cli -s "$SOCK" XLEN trim)
check "--only: fewer messages than the whole stream's ($big of $sent)" \
    [ "$big" -lt $((sent / 4)) ]
check "--maxlen 10: the stream is trimmed ($kept of $sent messages kept)" \
    [ "$kept" -lt "$sent" ]

# --- bad URLs: one line, status 2 ---
long=$(printf 'x%.0s' $(seq 201))
for u in "http://h/s" "redis://" "redis://h" "redis://h/" "redis://:6379/s" \
    "redis://h:0/s" "redis://h:65536/s" "redis://h:12x/s" "redis://[::1/s" \
    "redis://h/a b" "redis://h/$long" "redis+unix://rel?stream=s" \
    "redis+unix:///p" "redis+unix:///p?strem=s" "redis+unix:///p?stream=" \
    "kafka:///t" "kafka://b1,/t" "kafka://b/t:x"; do
	for p in nm-push nm-pull; do
		$p "$u" </dev/null >"$TMP/u.out" 2>"$TMP/u.err"
		rc=$?
		[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/u.err")" = 1 ]
		verdict $? "$p $u: status 2 ($rc), one line"
	done
done
nm-push --sensor 'a b' "$(url x)" </dev/null >/dev/null 2>&1
check "nm-push --sensor 'a b': status 2" [ $? = 2 ]
nm-push --only stats,bogus "$(url x)" </dev/null >/dev/null 2>&1
check "nm-push --only bogus: status 2" [ $? = 2 ]

# --- no server: nm-push goes on, says why once, counts what it kept ---
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode |
    nm-push --sensor none "redis+unix://$TMP/none.sock?stream=x" \
    >"$TMP/none.out" 2>"$TMP/none.err"
rc=$?
check "no server: nm-push exits 0 ($rc)" [ "$rc" = 0 ]
check "no server: the first line says why" \
    grep -q "none.sock.*No such file or directory; buffering" "$TMP/none.err"
check "no server: what it could not send is counted" \
    [ "$(jqs "$TMP/none.out" '.[-1].push.dropped')" -gt 0 ]

# --- the header lost with the first messages is sent again ---
# nm-push starts before its server (--buffer 1: nothing kept), so the
# message with the header is dropped; the first batch once the server
# is up carries the header again, and the viewer names the source.
mkfifo "$TMP/late.fifo"
LATE=$TMP/late.sock
nm-push --sensor late --buffer 1 "redis+unix://$LATE?stream=late" \
    <"$TMP/late.fifo" >"$TMP/late.push" 2>/dev/null &
lpid=$!
PIDS="$PIDS $lpid"
exec 4>"$TMP/late.fifo"
pkt() { echo "{\"type\":\"packet\",\"ts\":$1,\"if\":0,\"len\":60,\"caplen\":60}"; }
echo '{"type":"header","version":1,"sources":[{"name":"lateif"}]}' >&4
pkt 1700000000000000000 >&4
sleep 0.6
# (not holding the fifo open: nm-push must see its end)
redis-server --port 0 --unixsocket "$LATE" --save '' --appendonly no \
    --dir "$TMP" >>"$TMP/redis2.log" 2>&1 4>&- &
R2=$!
PIDS="$PIDS $R2"
for i in $(seq 50); do
	redis-cli -s "$LATE" ping 2>/dev/null | grep -q PONG && break
	sleep 0.1
done
sleep 0.5	# a reconnect is due within the backoff's first steps
pkt 1700000001000000000 >&4
echo '{"type":"end","producer":"gen","records":3,"frames":0,"packets":2,"reason":"eof"}' >&4
exec 4>&-
wait "$lpid"
rc=$?
[ "$rc" = 0 ] && [ "$(jqs "$TMP/late.push" '.[-1].push.dropped')" -gt 0 ]
verdict $? "header again: nm-push exits 0 ($rc), having dropped the first"
timeout 30 nm-pull --until-end 1 "redis+unix://$LATE?stream=late" \
    >"$TMP/late.out"
check "header again: the viewer names the sensor's source" \
    [ "$(jqs "$TMP/late.out" '[.[] | select(.type == "header")][-1] |
    .sources[0].name + " " + .sources[0].sensor')" = '"lateif late"' ]
kill "$R2"

# --- a bad message on the bus is skipped and counted ---
redis-cli -s "$SOCK" XADD bad '*' m 'not msgpack at all' >/dev/null
printf '\x81\xa4type\xa5batch' | redis-cli -s "$SOCK" -x XADD bad '*' m \
    >/dev/null
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode |
    nm-push --sensor ok "$(url bad)" >/dev/null
timeout 30 nm-pull --until-end 1 "$(url bad)" >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
check "bad messages: nm-pull goes on, exits 0 ($rc)" [ "$rc" = 0 ]
check "bad messages: two counted" \
    [ "$(jqs "$TMP/bad.out" '.[-1].pull.bad')" = 2 ]
check "bad messages: said once on stderr" \
    [ "$(grep -c 'bad message' "$TMP/bad.err")" = 1 ]
check "bad messages: the good sensor's packets all there" \
    [ "$(jqs "$TMP/bad.out" '.[-1].packets')" = 189 ]

# --- a consumer resumes where its group left off ---
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode |
    nm-push --sensor r1 "$(url re)" >/dev/null
timeout 30 nm-pull --group R --consumer c1 --until-end 1 "$(url re)" \
    >"$TMP/re1.out"
nm-capture -r "$TMP/mixed.pcap" | nm-decode |
    nm-push --sensor r2 "$(url re)" >/dev/null
timeout 30 nm-pull --group R --consumer c1 --until-end 1 "$(url re)" \
    >"$TMP/re2.out"
[ "$(jqs "$TMP/re2.out" '.[-1].packets')" = 45 ] &&
    [ "$(jqs "$TMP/re2.out" '[.[0].sources[].sensor] | join(",")')" = '"r2"' ]
verdict $? "resume: the restarted consumer reads only what is new (45 packets)"
check "resume: nothing left pending" \
    [ "$(redis-cli -s "$SOCK" XPENDING re R | head -1)" = 0 ]
# c2 takes the next sensor's messages and dies before acknowledging them
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode |
    nm-push --sensor r3 "$(url re)" >/dev/null
redis-cli -s "$SOCK" XREADGROUP GROUP R c2 COUNT 100 STREAMS re '>' \
    >/dev/null
timeout 30 nm-pull --group R --consumer c2 --until-end 1 "$(url re)" \
    >"$TMP/re3.out"
check "resume: a consumer's pending messages are read again first" \
    [ "$(jqs "$TMP/re3.out" '.[-1].packets')" = 189 ]

# --- SIGTERM: a clean end, status 0 ---
nm-pull "$(url all)" >"$TMP/term.out" 2>"$TMP/term.err" &
pid=$!
PIDS="$PIDS $pid"
sleep 1
kill -TERM "$pid"
t0=$(date +%s%N)
wait "$pid"
rc=$?
t1=$(date +%s%N)
[ "$rc" = 0 ] && [ $(((t1 - t0) / 1000000)) -lt 1500 ]
verdict $? "SIGTERM: nm-pull exits 0 ($rc) within 1.5 s"
check "SIGTERM: its end record says signal" \
    [ "$(jqs "$TMP/term.out" '.[-1].reason')" = '"signal"' ]

# --- the server killed and started again under a slow sender ---
# 120 packets as JSON, 40 ms apart (about 5 s); the server is away for
# about 1.5 s from 1.5 s on; --buffer 1 keeps nothing that cannot go.
slow_sender() {
	local i
	echo '{"type":"header","version":1,"sources":[{"name":"slow"}]}'
	for i in $(seq 120); do
		echo "{\"type\":\"packet\",\"ts\":$((1700000000000000000 + i * 40000000)),\"if\":0,\"len\":60,\"caplen\":60}"
		sleep 0.04
	done
	echo '{"type":"end","producer":"gen","records":121,"frames":0,"packets":120,"reason":"eof"}'
}
mkfifo "$TMP/slow.fifo"
nm-pull --group slow --until-end 1 "$(url slow)" >"$TMP/slow.out" \
    2>"$TMP/slow.pull.err" &
ppid=$!
PIDS="$PIDS $ppid"
{ sleep 60; kill "$ppid"; } 2>/dev/null &
PIDS="$PIDS $!"
nm-push --sensor slow --buffer 1 "$(url slow)" <"$TMP/slow.fifo" \
    >"$TMP/slow.push" 2>"$TMP/slow.push.err" &
spid=$!
PIDS="$PIDS $spid"
slow_sender >"$TMP/slow.fifo" &
PIDS="$PIDS $!"
field_is() { [ "$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status")" = "$3" ]; }
sleep 0.5
check "seccomp: nm-push is under its filter while it runs" field_is "$spid" Seccomp 2
check "seccomp: nm-pull is under its filter while it runs" field_is "$ppid" Seccomp 2
sleep 1
stop_redis
sleep 1.5
start_redis
check "restart: redis-server is back" [ -n "$RPID" ]
wait "$spid"
rc=$?
check "restart: nm-push exits 0 ($rc)" [ "$rc" = 0 ]
wait "$ppid"
rc=$?
check "restart: nm-pull exits 0 ($rc)" [ "$rc" = 0 ]
dropped=$(jqs "$TMP/slow.push" '.[-1].push.dropped')
drec=$(jqs "$TMP/slow.push" '.[-1].push.dropped_records')
check "restart: nm-push counted what it dropped ($dropped messages)" \
    [ "$dropped" -gt 0 ]
check "restart: nm-push reconnected once" \
    [ "$(jqs "$TMP/slow.push" '.[-1].push.reconnects')" = 1 ]
check "restart: nm-push said so once per outage (two lines: lost, back)" \
    [ "$(wc -l <"$TMP/slow.push.err")" = 2 ]
check "restart: nm-pull counted the gap as lost ($dropped)" \
    [ "$(jqs "$TMP/slow.out" '.[-1].pull.lost')" = "$dropped" ]
check "restart: the gap shows as a bus_loss alert" \
    [ "$(jqs "$TMP/slow.out" '[.[] | select(.type == "alert" and
    .kind == "bus_loss") | .count] | add')" = "$dropped" ]
got=$(jqs "$TMP/slow.out" '.[-1].packets')
check "restart: later messages arrived: $got packets + $drec dropped = 120" \
    [ $((got + drec)) = 120 ]
check "restart: packets after the outage arrived" \
    [ "$(jqs "$TMP/slow.out" '[.[] | select(.type == "packet") | .ts] |
    max')" = $((1700000000000000000 + 120 * 40000000)) ]
nm-render <"$TMP/slow.out" >"$TMP/slow.txt" 2>&1
check "restart: nm-render shows the bus_loss alert" grep -q bus_loss "$TMP/slow.txt"
