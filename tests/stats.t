# nm-stats on streams this script writes itself (JSON packet records, so
# every figure is known in advance): totals, top lists, each TCP ending's
# state, interval boundaries, idle expiry, coverage, -q, replay, malformed
# input, time from the stream (a live capture's start and clock), signals, and memory with a million flows.
# long
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { skip "nm-stats: jq is not installed"; exit 0; }
# small enough that jq, which reads numbers as doubles, keeps every ns
T0=1000000000000

hdr() { echo '{"type":"header","version":1,"minor":0,"producer":"test","stages":[],"sources":[]}'; }
# tcp MS SRC SPORT DST DPORT FLAGS LEN PAYLOAD: one TCP packet MS ms after T0
tcp() {
	printf '{"type":"packet","ts":%d,"len":%d,"proto":"TCP","ip":{"src":"%s","dst":"%s","proto":6},"tcp":{"sport":%d,"dport":%d,"flags":%d,"len":%d}}\n' \
	    $((T0 + $1 * 1000000)) "$7" "$2" "$4" "$3" "$5" "$6" "$8"
}
udp() {
	printf '{"type":"packet","ts":%d,"len":%d,"proto":"%s","ip":{"src":"%s","dst":"%s","proto":17},"udp":{"sport":%d,"dport":%d}}\n' \
	    $((T0 + $1 * 1000000)) "$6" "$7" "$2" "$4" "$3" "$5"
}
icmp() {
	printf '{"type":"packet","ts":%d,"len":98,"proto":"ICMP","ip":{"src":"%s","dst":"%s","proto":1},"icmp":{"type":%d,"code":0,"id":77,"seq":1}}\n' \
	    $((T0 + $1 * 1000000)) "$2" "$3" "$4"
}
A=10.0.0.1 B=10.0.0.2 C=10.0.0.3
# flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16
conns() {
	hdr
	# SF: handshake, data both ways, FIN both ways (8 packets, 1060 bytes)
	tcp 0 $A 40000 $B 80 2 74 0;    tcp 1 $B 80 $A 40000 18 74 0
	tcp 2 $A 40000 $B 80 16 66 0;   tcp 3 $A 40000 $B 80 24 166 100
	tcp 4 $B 80 $A 40000 24 566 500; tcp 5 $A 40000 $B 80 17 66 0
	tcp 6 $B 80 $A 40000 17 66 0;   tcp 7 $A 40000 $B 80 16 60 0
	# RSTO: established, then the originator resets
	tcp 10 $A 40001 $B 80 2 60 0;   tcp 11 $B 80 $A 40001 18 60 0
	tcp 12 $A 40001 $B 80 16 60 0;  tcp 13 $A 40001 $B 80 4 60 0
	# RSTR: established, then the responder resets
	tcp 20 $A 40002 $B 80 2 60 0;   tcp 21 $B 80 $A 40002 18 60 0
	tcp 22 $A 40002 $B 80 16 60 0;  tcp 23 $B 80 $A 40002 20 60 0
	# S0: a SYN nobody answers
	tcp 30 $A 40003 $C 81 2 60 0
	# REJ: a SYN answered by RST-ACK
	tcp 40 $A 40004 $C 82 2 60 0;   tcp 41 $C 82 $A 40004 20 60 0
	# a DNS exchange, and a ping
	udp 50 $A 40005 $C 53 80 DNS;   udp 51 $C 53 $A 40005 120 DNS
	icmp 60 $A $C 8;                icmp 61 $C $A 0
}
# ... ended by an end record, as a whole stream is (else status 8)
{ conns; echo '{"type":"end","producer":"stats.t","records":0,"frames":0,"packets":0,"reason":"eof"}'; } > "$TMP/conns.json"
nm-stats -q < "$TMP/conns.json" | nm-render -o json > "$TMP/conns.out"
st=$?
check "exit 0 on a good stream" test "$st" = 0
jq -c 'select(.type == "flow") | [.sport, .dport, .state, .history,
    .orig.packets, .resp.packets, .reason]' "$TMP/conns.out" > "$TMP/flows"
cat > "$TMP/flows.want" <<'EOF'
[40000,80,"SF","ShADdFf",5,3,"end"]
[40001,80,"RSTO","ShAR",3,1,"end"]
[40002,80,"RSTR","ShAr",2,2,"end"]
[40003,81,"S0","S",1,0,"end"]
[40004,82,"REJ","Sr",1,1,"end"]
[40005,53,"SF","Dd",1,1,"end"]
[8,0,"SF","Dd",1,1,"end"]
EOF
same_file "flow states, history and counts for each ending" "$TMP/flows.want" "$TMP/flows"

fin=$(jq -c 'select(.type == "stats" and .final)' "$TMP/conns.out")
check "one final stats record" test "$(jq -c 'select(.type == "stats")' "$TMP/conns.out" | wc -l)" = 1
check "totals" test "$(jq -c '[.total.packets, .total.bytes, .total.flows]' <<<"$fin")" = "[23,2194,7]"
check "interval equals totals in a stream shorter than it" \
	test "$(jq -c '[.interval.packets, .interval.bytes, .interval.start, .interval.end - .interval.start]' <<<"$fin")" = "[23,2194,$T0,61000000]"
check "top host with tx and rx" \
	test "$(jq -c '.top_hosts[0]' <<<"$fin")" = '{"addr":"10.0.0.1","packets":23,"bytes":2194,"tx_packets":14,"tx_bytes":1030,"rx_packets":9,"rx_bytes":1164}'
check "top sources by packets" \
	test "$(jq -c '[.top_src[] | [.addr, .packets]]' <<<"$fin")" = '[["10.0.0.1",14],["10.0.0.2",6],["10.0.0.3",3]]'
check "top destinations by packets" \
	test "$(jq -c '[.top_dst[] | [.addr, .packets]]' <<<"$fin")" = '[["10.0.0.2",10],["10.0.0.1",9],["10.0.0.3",4]]'
check "top ports on the service side, with names" \
	test "$(jq -c '[.top_ports[] | [.port, .proto, .service, .packets]]' <<<"$fin")" = '[[80,"TCP","HTTP",16],[53,"UDP","DNS",2],[82,"TCP",null,2],[81,"TCP",null,1]]'
check "protocol distribution with percentages" \
	test "$(jq -c '[.protos[] | [.name, .packets, (.pkt_pct * 10 | round)]]' <<<"$fin")" = '[["TCP",19,826],["DNS",2,87],["ICMP",2,87]]'
check "top flow first" \
	test "$(jq -c '.top_flows[0] | [.src, .dst, .sport, .dport, .service, .state]' <<<"$fin")" = '["10.0.0.1","10.0.0.2",40000,80,"HTTP","SF"]'
check "rates over the span" \
	test "$(jq -c '[(.rate.pps * 1000 | round), .runtime]' <<<"$fin")" = "[377049,61000000]"
check "no capture figures without capstats" test "$(jq -c '.capture' <<<"$fin")" = null

# -n and -s
nm-stats -q -n 1 -s bytes < "$TMP/conns.json" | nm-render -o json > "$TMP/n1.out"
check "-n 1 -s bytes: one entry, the largest by bytes" \
	test "$(jq -c 'select(.type == "stats") | [(.top_src | length), .top_dst[0].addr, .top_ports[0].port]' "$TMP/n1.out")" = '[1,"10.0.0.1",80]'

# pass-through: without -q every record comes out, the header names us
nm-stats < "$TMP/conns.json" | nm-render -o json > "$TMP/all.out"
check "packets passed on without -q" test "$(grep -c '"type":"packet"' "$TMP/all.out")" = 23
check "header names the stage" test "$(head -n 1 "$TMP/all.out" | jq -c .stages)" = '["nm-stats"]'
check "end record last" test "$(tail -n 1 "$TMP/all.out" | jq -c '[.type, .producer, .packets, .reason]')" = '["end","nm-stats",23,"eof"]'
check "-q holds packets back" test "$(grep -c '"type":"packet"' "$TMP/conns.out")" = 0

# interval boundaries: aligned on the first packet, one record per interval
{
	hdr
	udp 0 $A 1 $B 2 100 UDP; udp 500 $A 1 $B 2 100 UDP; udp 999 $A 1 $B 2 100 UDP
	udp 1000 $A 1 $B 2 200 UDP; udp 3200 $A 1 $B 2 300 UDP
	printf '{"type":"frame","ts":%d,"len":50,"caplen":50,"if":0}\n' $((T0 + 3300000000))
} > "$TMP/iv.json"
nm-stats -q -I 1 < "$TMP/iv.json" | nm-render -o json > "$TMP/iv.out"
jq -c 'select(.type == "stats") | [.final, .interval.start - '$T0', .interval.end - '$T0', .interval.packets, .interval.bytes, .rate.pps, .total.packets]' \
	"$TMP/iv.out" > "$TMP/iv"
cat > "$TMP/iv.want" <<'EOF'
[false,0,1000000000,3,300,3,3]
[false,1000000000,2000000000,1,200,1,4]
[false,2000000000,3000000000,0,0,0,4]
[true,3000000000,3300000000,2,350,6.666666666666667,6]
EOF
same_file "intervals follow capture time" "$TMP/iv.want" "$TMP/iv"
check "a raw frame counts in totals only" \
	test "$(jq -c 'select(.type == "stats" and .final) | [(.protos | map(.packets) | add), .tracked.hosts]' "$TMP/iv.out")" = "[5,2]"

# idle expiry: a UDP flow quiet for 60 s ends at the next boundary
{ hdr; udp 0 $A 5 $B 6 100 UDP; udp 100000 $A 7 $B 8 100 UDP; } > "$TMP/idle.json"
nm-stats -q -I 10 < "$TMP/idle.json" | nm-render -o json > "$TMP/idle.out"
check "idle flow ended by its timeout, before the stats of its boundary" \
	test "$(jq -c 'select((.type == "flow" and .reason == "idle") or (.type == "stats" and .interval.end == '$((T0 + 60000000000))')) | .type + ":" + (.reason // "") + ":" + ((.tracked.flows // 0) | tostring)' "$TMP/idle.out" | tr '\n' ' ')" = '"flow:idle:0" "stats::0" '

# coverage from the capture's drop counters
{ conns; echo '{"type":"capstats","if":0,"recv":1000,"drop":8,"ifdrop":0,"final":true}'; } > "$TMP/cov.json"
check "coverage shown with the figures" \
	test "$(nm-stats -q < "$TMP/cov.json" | nm-render -o json | jq -c 'select(.type == "stats") | .capture')" = '{"recv":1000,"drop":8,"ifdrop":0,"coverage":99.2}'

# replay: a saved stream (msgpack or JSON, file or pipe) gives the same figures
nm-decode < "$TMP/conns.json" > "$TMP/conns.nm"
nm-stats -q < "$TMP/conns.nm" | nm-render -o json | grep -v '"type":"header"\|"type":"end"' > "$TMP/r1"
cat "$TMP/conns.nm" | nm-stats -q | nm-render -o json | grep -v '"type":"header"\|"type":"end"' > "$TMP/r2"
grep -v '"type":"header"\|"type":"end"' "$TMP/conns.out" > "$TMP/r0"
same_file "replay of a saved msgpack stream" "$TMP/r0" "$TMP/r1"
same_file "replay through a pipe" "$TMP/r0" "$TMP/r2"
if [ -x "$NM_TOP/tests/tools/pktgen" ]; then
	"$NM_TOP/tests/tools/pktgen" bulk "$TMP/bulk.pcap" -n 20000 >/dev/null
	nm-capture -r "$TMP/bulk.pcap" | nm-decode -S > "$TMP/bulk.nm"
	nm-stats -q -I 1 < "$TMP/bulk.nm" | nm-render -o json > "$TMP/b1"
	nm-capture -r "$TMP/bulk.pcap" | nm-decode -S | nm-stats -q -I 1 | nm-render -o json > "$TMP/b2"
	same_file "pcap live pipeline equals its saved stream" "$TMP/b1" "$TMP/b2"
else
	skip "pktgen replay: tests/tools/pktgen not built"
fi

# malformed input: what came before is passed on, one line, exit 3
{ hdr; udp 0 $A 1 $B 2 100 UDP; echo '{"type":"packet","ip":{"src":12}}'; } > "$TMP/bad.json"
off=$({ hdr; udp 0 $A 1 $B 2 100 UDP; } | wc -c)
nm-stats < "$TMP/bad.json" 2> "$TMP/err" | nm-render -o json > "$TMP/bad.out"
st=${PIPESTATUS[0]}
check "malformed stream: exit 3" test "$st" = 3
check "malformed stream: one line naming the offset" \
	grep -qx "nm-stats: stdin: malformed record stream at byte $off: key 'ip.src' must be an address (bytes), not an unsigned integer" "$TMP/err"
check "malformed stream: the packet before it passed on" test "$(grep -c '"type":"packet"' "$TMP/bad.out")" = 1

# usage
nm-stats -I 0 </dev/null >/dev/null 2>&1; check "bad -I: exit 2" test $? = 2
nm-stats -s size </dev/null >/dev/null 2>"$TMP/s.err"; check "bad -s: exit 2" test $? = 2
check "bad -s: one line naming it" test "$(cat "$TMP/s.err")" = \
    "nm-stats: -s size: sort by packets or bytes (see nm-stats -h)"
nm-decode -k -S </dev/null >/dev/null 2>"$TMP/k.err"
check "nm-decode -k -S: exit 2" test $? = 2
check "nm-decode -k -S: one line saying so" grep -qx \
    'nm-decode: -k keeps all of data and -S none of it: give one (see nm-decode -h)' "$TMP/k.err"
nm-stats </dev/null >/dev/null 2>&1; check "empty input: ended early (8)" test $? = 8
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode | nm-stats | head -c 100 >/dev/null
check "reader gone (EPIPE): exit 0" test "${PIPESTATUS[2]}" = 0

# Time is the stream's own: a live capture's header names its start and
# its capstats carry its clock; intervals close on those, whether or not
# packets came, and never on this machine's clock (a saved stream then
# replays to the same records, at any speed)
lhdr() { echo '{"type":"header","version":1,"minor":0,"producer":"test","stages":[],"sources":[{"name":"eth0","kind":"interface","linktype":1,"start":'$T0'}]}'; }
clock() {	# clock MS [final]: the capture's clock MS ms after its start
	printf '{"type":"capstats","ts":%d,"if":0,"recv":0,"drop":0,"ifdrop":0,"final":%s}\n' \
	    $((T0 + $1 * 1000000)) "${2:-false}"
}
ticks() { local t; for t in $(seq 1000 1000 $(($1 - 1))); do clock $t; done; clock $1 true; }
stats_line() { jq -c 'select(.type == "stats") | [.final, .interval.start - '$T0', .interval.end - '$T0', .interval.packets, .runtime]' | tr -d '\n'; }
{ lhdr; ticks 12000; } | nm-stats -q -I 5 | nm-render -o json | stats_line > "$TMP/quiet12"
check "a quiet 12 s live run: blocks at 5 s and 10 s, runtime 12 s" \
	test "$(cat "$TMP/quiet12")" = '[false,0,5000000000,0,5000000000][false,5000000000,10000000000,0,10000000000][true,10000000000,12000000000,0,12000000000]'
{ lhdr; clock 1000; udp 1000 $A 53 $B 5353 80 DNS; udp 1001 $B 5353 $A 53 120 DNS
  clock 2000; clock 3000; udp 3000 $A 53 $B 5354 80 DNS; udp 3001 $B 5354 $A 53 120 DNS
  clock 3500 true; } | nm-stats -q | nm-render > "$TMP/dns4.txt"
check "4 packets over 3.5 s of capture: duration and average from the capture's start" \
	grep -q '^Duration: 3.5s | Packets: 4 | Bytes: 400 B | Avg PPS: 1.14 |' "$TMP/dns4.txt"
{ lhdr; udp 3000 $A 1 $B 2 100 UDP; ticks 6000; } | nm-stats -q -I 5 | nm-render -o json | stats_line > "$TMP/late1"
check "the grid starts at the capture's start, not at its first packet" \
	test "$(cat "$TMP/late1")" = '[false,0,5000000000,1,5000000000][true,5000000000,6000000000,0,6000000000]'
{ hdr; udp 0 $A 1 $B 2 100 UDP; sleep 2.6; } | nm-stats -q -I 1 | nm-render -o json > "$TMP/live.out" 2>/dev/null
check "a stream without a clock: the reader's wall clock closes nothing" \
	test "$(jq -c 'select(.type == "stats") | [.final, .interval.packets]' "$TMP/live.out" | tr -d '\n')" = '[true,1]'
{ lhdr; for t in 1 2 3 4; do udp $((t * 700)) $A 1 $B 2 100 UDP; clock $((t * 1000)); done; clock 9000 true; } > "$TMP/paced.json"
nm-stats -I 2 < "$TMP/paced.json" | nm-render > "$TMP/fast.txt" 2>/dev/null
{ lhdr; tail -n +2 "$TMP/paced.json" | while read -r l; do echo "$l"; sleep 0.3; done; } |
    nm-stats -I 2 | nm-render > "$TMP/slow.txt" 2>/dev/null
check "the same stream at full speed and slowly: the same output" cmp -s "$TMP/fast.txt" "$TMP/slow.txt"
start=$(date +%s%N)
nm-stats --realtime -I 2 < "$TMP/paced.json" | nm-render > "$TMP/rt.txt" 2>/dev/null
took=$((($(date +%s%N) - start) / 1000000))
check "--realtime: the same output" cmp -s "$TMP/fast.txt" "$TMP/rt.txt"
check "--realtime: took the capture's 9 s (${took} ms)" test "$took" -ge 8900 -a "$took" -lt 30000

# signals: a pipe keeps draining after one; two end it with the final report
# (the writer's blank lines end it by EPIPE once nm-stats has gone)
{ hdr; udp 0 $A 1 $B 2 100 UDP; for i in $(seq 80); do sleep 0.1; echo; done; } 2>/dev/null |
    nm-stats -q > "$TMP/sig.nm" &
pid=$!
sleep 0.5; kill -INT $pid; sleep 0.3
kill -0 $pid 2>/dev/null; check "one SIGINT on a pipe: still draining" test $? = 0
kill -INT $pid; wait $pid; st=$?
check "second SIGINT: exit 0" test "$st" = 0
check "second SIGINT: final stats and end record" \
	test "$(nm-render -o json < "$TMP/sig.nm" | jq -c 'select(.type == "stats" or .type == "end") | [.type, .final // .reason]' | tr -d '\n')" = '["stats",true]["end","signal"]'

# time that jumps: a silence of up to 100 intervals is written interval by
# interval; further ahead, or as far back, only the current interval
# closes and the next record says interval.jump; nothing wraps near 2^64
stats_of() {	# streams without an end record: nm-stats says so
	nm-stats -q -I "$1" 2>/dev/null | nm-render -o json 2>/dev/null |
	    jq -c 'select(.type == "stats")'
}
{ hdr; udp 0 $A 1 $B 2 100 UDP; udp 101500 $A 1 $B 2 100 UDP; } |
    stats_of 1 > "$TMP/gap100"
check "a silence of 100 intervals: 100 empty records, no jump" \
	test "$(jq -c 'select(.interval.packets == 0 and .interval.jump == null)' "$TMP/gap100" | wc -l)" = 100
{ hdr; udp 0 $A 1 $B 2 100 UDP; udp 500 $A 1 $B 2 100 UDP
  udp 1000000000 $A 1 $B 2 100 UDP; udp 1000000500 $A 1 $B 2 100 UDP; } |
    stats_of 1 > "$TMP/ahead"
jq -c '[.final, .interval.start - '$T0', .interval.end - '$T0', .interval.packets, .interval.jump, .runtime]' \
	"$TMP/ahead" > "$TMP/ahead.got"
printf '%s\n' '[false,0,1000000000,2,null,1000000000]' \
    '[true,1000000000000000,1000000500000000,2,true,1500000000]' > "$TMP/ahead.want"
same_file "a jump ahead closes one interval and says so" "$TMP/ahead.want" "$TMP/ahead.got"
{ hdr; udp 1000000000 $A 1 $B 2 100 UDP; udp 1000000500 $A 1 $B 2 100 UDP
  udp 0 $A 1 $B 2 100 UDP; udp 500 $A 1 $B 2 100 UDP; } |
    stats_of 1 > "$TMP/back"
jq -c '[.final, .interval.start - '$T0', .interval.end - '$T0', .interval.packets, .interval.jump]' \
	"$TMP/back" > "$TMP/back.got"
printf '%s\n' '[false,1000000000000000,1000001000000000,2,null]' \
    '[true,0,500000000,2,true]' > "$TMP/back.want"
same_file "a jump back closes one interval and says so" "$TMP/back.want" "$TMP/back.got"
# frames within one interval of 2^64 ns: one interval, not hundreds
frames_at() {
	echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":[],"sources":[]}'
	for t in "$@"; do
		printf '{"type":"frame","ts":%s,"len":60,"caplen":0}\n' "$t"
	done
}
near=$(python3 -c 'print(" ".join(str(2**64 - 10**9 + i * 1000) for i in range(200)), 2**64 - 1)')
frames_at $near | stats_of 5 > "$TMP/top"
check "near 2^64 ns: 201 frames of one interval make one stats record" \
	test "$(wc -l < "$TMP/top")" = 1
check "near 2^64 ns: the interval ends at the end of the clock" \
	test "$(jq -c '[.interval.packets, .interval.end == 18446744073709551615, .interval.end >= .interval.start]' "$TMP/top")" = '[201,true,true]'
# a clock that swings between the ends of time: one record per swing at most
swing=$(python3 -c 'print(" ".join(str(2**64 - 1 - i if i % 2 else 1 + i) for i in range(200)))')
frames_at $swing | stats_of 5 > "$TMP/swing"
check "a swinging clock: at most one stats record per frame" \
	test "$(wc -l < "$TMP/swing")" -le 200
check "a swinging clock: every interval after the first says jump, none ends before it starts" \
	test "$(jq -c 'select(.interval.end < .interval.start or (.interval.jump != true and .interval.start != 1))' "$TMP/swing" | wc -l)" = 0
# the same through nm-capture: a pcapng whose timestamps (ns) near 2^64
python3 - "$TMP/top.pcapng" <<'PY'
import struct, sys
def block(t, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", t, n) + body + struct.pack("<I", n)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
# linktype 1, snaplen 0; if_tsresol (9) = 10^-9 s; end of options
opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
idb = block(1, struct.pack("<HHI", 1, 0, 0) + opts)
frame = bytes.fromhex("0200000000020200000000010800450000140001000040fd000c0a0000010a000002")
out = shb + idb
for i in range(200):
    ts = 2**64 - 10**9 + i * 1000
    out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff,
        len(frame), len(frame)) + frame)
open(sys.argv[1], "wb").write(out)
PY
nm-capture -r "$TMP/top.pcapng" 2>"$TMP/top.err" | nm-decode | stats_of 5 > "$TMP/topcap"
check "a pcapng near 2^64 ns: one stats record for its 200 frames" \
	test "$(jq -c '[.interval.packets, .interval.end >= .interval.start]' "$TMP/topcap")" = '[200,true]'

# memory stays bounded: 1.1 million flows against a cap of a million
awk -v t0=$T0 'BEGIN {
	print "{\"type\":\"header\",\"version\":1,\"minor\":0,\"producer\":\"t\",\"stages\":[],\"sources\":[]}"
	for (i = 0; i < 1100000; i++)
		printf "{\"type\":\"packet\",\"ts\":%d,\"len\":60,\"proto\":\"UDP\",\"ip\":{\"src\":\"10.%d.%d.%d\",\"dst\":\"192.168.0.1\",\"proto\":17},\"udp\":{\"sport\":%d,\"dport\":9}}\n", t0 + i * 1000, int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1024 + i % 60000
}' | nm-decode > "$TMP/flood.nm"
start=$(date +%s)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$TMP/rss" nm-stats -q -n 3 < "$TMP/flood.nm" | nm-render -o json > "$TMP/flood.out"
	rss=$(tail -n 1 "$TMP/rss")
	echo "max RSS with 1,000,000 flows and hosts: $((rss / 1024)) MiB"
	# 400 MiB, and 16 bytes more per flow and per host for the summary
	# records' spans (stats/stats.h: sp, sb): 351 MiB before them, 387
	# after, more under AddressSanitizer (431)
	check "a million flows under 448 MiB" test "$rss" -lt 458752
else
	nm-stats -q -n 3 < "$TMP/flood.nm" | nm-render -o json > "$TMP/flood.out"
	skip "RSS of a million flows: /usr/bin/time is missing"
fi
echo "1.1M packets in $(( $(date +%s) - start )) s"
check "flood: caps hold and evictions are counted" \
	test "$(grep '"type":"stats"' "$TMP/flood.out" | jq -c 'select(.final) | [.total.flows, .tracked, .evicted]')" = '[1100000,{"flows":1000000,"hosts":1000000,"names":0},{"flows":100000,"hosts":100001,"names":0}]'
check "flood: evicted flows are written as flow records" \
	test "$(grep -c '"reason":"evicted"' "$TMP/flood.out")" = 100000
