#!/usr/bin/env bash
# nm-push and nm-pull on Kafka, through librdkafka's built-in mock
# cluster (tests/tools/kafkamock: no broker is packaged in Debian), which
# they reach as a normal broker: three sensors replay captures, one
# viewer's nm-pull --until-end 3 | nm-stats has the sum of the sensors'
# totals (the mock keeps some 5 MB a partition: the captures are small);
# a consumer of the same group started again reads only what is
# new (offsets committed for what was written out); both programs run
# under their Kafka seccomp filters; with the cluster gone, nm-push still
# ends in time, status 0, counting what it could not deliver.
source "$(dirname "$0")/lib.sh"

for p in nm-push nm-pull nm-capture nm-decode nm-stats nm-render \
    tests/tools/pktgen tests/tools/kafkamock; do
	[ -x "$NM_TOP/$p" ] || { echo "$p not built"; exit 77; }
done
command -v jq >/dev/null || { echo "no jq (tests/deps.sh test)"; exit 77; }
set -o pipefail
unset NM_NO_SECCOMP

PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

"$NM_TOP/tests/tools/kafkamock" nm more >"$TMP/mock.out" 2>"$TMP/mock.err" &
MPID=$!
PIDS="$PIDS $MPID"
for i in $(seq 100); do
	[ -s "$TMP/mock.out" ] && break
	sleep 0.1
done
B=$(head -1 "$TMP/mock.out")
[ -n "$B" ] || { fail "bus-kafka: the mock cluster did not start"; exit 1; }
jqs() { nm-render -o json <"$1" | jq -s "$2"; }
final_total() {
	jqs "$1" '[.[] | select(.type == "stats" and .final and
	    .sensor == null)][-1].total.'"$2"
}

"$NM_TOP/tests/tools/pktgen" mixed "$TMP/mixed.pcap" >/dev/null &&
    "$NM_TOP/tests/tools/pktgen" bulk "$TMP/bulk.pcap" -n 5000 >/dev/null ||
    { fail "bus-kafka: pktgen"; exit 1; }
CAPS=("$NM_TOP/share/sample.pcap" "$TMP/mixed.pcap" "$TMP/bulk.pcap")

want=0
for i in 1 2 3; do
	nm-capture -r "${CAPS[i - 1]}" | nm-decode | nm-stats |
	    nm-push --sensor "k$i" "kafka://$B/nm" >"$TMP/k$i.out" \
	    2>"$TMP/k$i.err"
	[ $? = 0 ] && [ ! -s "$TMP/k$i.err" ]
	verdict $? "sensor k$i: exits 0, nothing on stderr"
	want=$((want + $(final_total "$TMP/k$i.out" packets)))
done
check "sensors: every message stored, none dropped" \
    [ "$(jqs "$TMP/k3.out" '.[-1].push.dropped')" = 0 ]
timeout 60 nm-pull --group v --until-end 3 "kafka://$B/nm" >"$TMP/all.out" \
    2>"$TMP/all.err"
rc=$?
check "viewer: nm-pull --until-end 3 exits 0 ($rc)" [ "$rc" = 0 ]
check "viewer: nm-stats totals are the sensors' sum ($want)" \
    [ "$(nm-stats <"$TMP/all.out" >"$TMP/all.stats" &&
    final_total "$TMP/all.stats" packets)" = "$want" ]
check "viewer: three sensors' sources in the (last) header" \
    [ "$(jqs "$TMP/all.out" '[.[] | select(.type == "header")][-1] |
    [.sources[].sensor] | sort | join(",")')" = \
    '"k1,k2,k3"' ]

# the same group again: only what came since
nm-capture -r "$TMP/mixed.pcap" | nm-decode |
    nm-push --sensor k4 "kafka://$B/nm" >/dev/null
timeout 60 nm-pull --group v --until-end 1 "kafka://$B/nm" >"$TMP/again.out"
[ "$(jqs "$TMP/again.out" '.[-1].packets')" = 45 ] &&
    [ "$(jqs "$TMP/again.out" '[.[] | select(.type == "header")][-1] |
    [.sources[].sensor] | join(",")')" = '"k4"' ]
verdict $? "resume: the group goes on where it left off (45 packets of k4)"

# the filters are on while they run
mkfifo "$TMP/fifo"
nm-push --sensor k5 "kafka://$B/more" <"$TMP/fifo" >/dev/null &
spid=$!
PIDS="$PIDS $spid"
exec 3>"$TMP/fifo"
nm-pull --group w "kafka://$B/more" >"$TMP/more.out" 3>&- &
ppid=$!
PIDS="$PIDS $ppid"
sleep 1
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
check "seccomp: nm-push on Kafka under its filter" [ "$(field $spid Seccomp)" = 2 ]
check "seccomp: nm-pull on Kafka under its filter" [ "$(field $ppid Seccomp)" = 2 ]
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode >&3
exec 3>&-
wait "$spid"
check "seccomp: nm-push exits 0 under its filter ($?)" [ $? = 0 ]
sleep 2
kill -TERM "$ppid"
wait "$ppid"
rc=$?
[ "$rc" = 0 ] && [ "$(jqs "$TMP/more.out" '.[-1].reason')" = '"signal"' ]
verdict $? "seccomp: nm-pull ends cleanly on SIGTERM under its filter ($rc)"

# the cluster gone: nm-push ends in time, status 0, counting the loss
kill "$MPID"
wait "$MPID" 2>/dev/null
t0=$(date +%s)
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode |
    nm-push --sensor k6 "kafka://$B/nm" >"$TMP/gone.out" 2>"$TMP/gone.err"
rc=$?
t1=$(date +%s)
[ "$rc" = 0 ] && [ $((t1 - t0)) -le 10 ]
verdict $? "broker gone: nm-push exits 0 ($rc) within 10 s ($((t1 - t0)) s)"
check "broker gone: what was not delivered is counted" \
    [ "$(jqs "$TMP/gone.out" '.[-1].push.dropped')" -gt 0 ]
