# nm-detect's scan and flood detectors against the real tools: nmap from
# one network namespace against another (-sS, -sT, -sU, -sF, -sN, -sX, -sA
# of one victim, -sn of a small subnet, each at -T3 and at -T4) must give
# exactly one alert each, of the right kind and style, naming the scanner
# and the victim; so do an ICMP sweep and a port 22 sweep of a routed
# subnet; --ignore silences the scanner; a scan judged live (the
# whole pipeline running during the scan) gives the same alert.  hping3's
# SYN flood above the threshold gives one syn_flood alert naming the
# victim, below it none.  Each capture is nm-capture's own, live on the
# victim's side; the detectors then read the saved stream.  Needs root
# and nmap and hping3; skips, saying why, without them.  Every wait is
# bounded.
# long: nmap and hping3 runs take about two minutes in all
source "$(dirname "$0")/lib.sh"

tag=$$
nsa=nmsa$tag nsb=nmsb$tag
va=nmsva$tag vb=nmsvb$tag
A=10.79.0.1 B=10.79.0.2
pids=()

if [ "$(id -u)" -ne 0 ]; then
	skip "detect-scan: needs root for network namespaces"
	exit 0
fi
for t in ip nmap hping3 timeout jq; do
	if ! command -v $t >/dev/null; then
		skip "detect-scan: $t is not installed (make deps-test)"
		exit 0
	fi
done
for p in nm-capture nm-decode nm-detect nm-render; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "detect-scan: $p is not built"
		exit 1
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
	skip "detect-scan: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
ip netns add "$nsa" && ip netns add "$nsb" || {
	skip "detect-scan: ip netns add failed"
	exit 0
}
in_a() { ip netns exec "$nsa" "$@"; }
in_b() { ip netns exec "$nsb" "$@"; }
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb"
in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add $A/24 dev "$va"
in_b ip addr add $B/24 dev "$vb"
in_a ip link set "$va" up
in_b ip link set "$vb" up
# The victim answers every closed UDP port at once (Linux limits ICMP
# errors to about one a second otherwise, and nmap -sU slows to match).
in_b sysctl -qw net.ipv4.icmp_ratelimit=0
# The kernel's own IPv6 chatter is nobody's scan: left out.
filter='not ip6'


# capture NAME CMD...: nm-capture on the victim's side while CMD runs in
# the scanner's namespace; the stream is left in $TMP/NAME.mp.
capture() {
	local name=$1 cpid
	shift
	ip netns exec "$nsb" timeout 150 nm-capture -i "$vb" "$filter" \
	    >"$TMP/$name.mp" 2>"$TMP/$name.err" &
	cpid=$!
	pids+=("$cpid")
	wait_for 5 test -s "$TMP/$name.mp" ||
	    fail "detect-scan: $name: nm-capture wrote no header"
	sleep 0.2
	in_a timeout 120 "$@" >"$TMP/$name.tool" 2>&1
	sleep 0.3
	kill -TERM "$cpid" 2>/dev/null
	wait "$cpid"
}

# alerts NAME [nm-detect options]: the alerts of NAME's stream, one JSON
# line each: kind style scan src dst count.
alerts() {
	local name=$1
	shift
	nm-decode <"$TMP/$name.mp" 2>/dev/null | nm-detect -q "$@" |
	    nm-render -o json |
	    jq -c 'select(.type == "alert") |
		[.kind, .style, .scan, .src, (.dst // ""), .count]'
}

# jq_true EXPR FILE: the expression holds of the file's one value.
jq_true() { jq -e "$1" "$2" >/dev/null; }

# one_alert NAME KIND STYLE SCAN DST: exactly one alert, and it is that.
one_alert() {
	local name=$1 want="[\"$2\",\"$3\",\"$4\",\"$A\",\"$5\","
	local got n
	got=$(alerts "$name")
	n=$(printf '%s' "$got" | grep -c .)
	if [ "$n" -eq 1 ] && [[ $got == "$want"* ]]; then
		pass "detect-scan: $name: one alert, $2 $3 $4"
	else
		fail "detect-scan: $name: want one $want...], got $n: $got"
		tail -n 3 "$TMP/$name.tool" "$TMP/$name.err"
	fi
}

for T in 3 4; do
	capture sS$T nmap -n -Pn -sS -T$T -p 1-100 $B
	one_alert sS$T port_scan SYN vertical $B
	capture sT$T nmap -n -Pn -sT -T$T -p 1-100 $B
	one_alert sT$T port_scan connect vertical $B
	capture sU$T nmap -n -Pn -sU -T$T -p 1-20 $B
	one_alert sU$T port_scan UDP vertical $B
	capture sF$T nmap -n -Pn -sF -T$T -p 1-100 $B
	one_alert sF$T port_scan FIN vertical $B
	capture sN$T nmap -n -Pn -sN -T$T -p 1-100 $B
	one_alert sN$T port_scan NULL vertical $B
	capture sX$T nmap -n -Pn -sX -T$T -p 1-100 $B
	one_alert sX$T port_scan Xmas vertical $B
	capture sA$T nmap -n -Pn -sA -T$T -p 1-100 $B
	one_alert sA$T port_scan ACK vertical $B
	# a /26: 62 addresses, one of them up; nmap asks for each by ARP
	capture sn$T nmap -n -sn -T$T 10.79.0.0/26
	one_alert sn$T host_sweep ARP horizontal ""
done

# Sweeps of a routed subnet (no ARP for its addresses: the victim's side
# is the gateway, and drops what it does not forward): ICMP echo to 62
# addresses, and SYN to port 22 of each.
in_a ip route add 10.80.0.0/24 via $B
capture icmp4 nmap -n -sn -PE -T4 10.80.0.0/26
one_alert icmp4 host_sweep ICMP horizontal ""
capture p22 nmap -n -Pn -sS -p 22 -T4 10.80.0.0/26
one_alert p22 host_sweep SYN horizontal ""
n=$(nm-decode <"$TMP/p22.mp" 2>/dev/null | nm-detect -q | nm-render -o json |
    jq -r 'select(.type == "alert") | "\(.port) \(.proto) \(.hosts)"')
check "detect-scan: the port sweep names its port ($n)" test "$n" = "22 TCP 25"

# The sweep names the addresses it asked for.
n=$(nm-decode <"$TMP/sn4.mp" 2>/dev/null | nm-detect -q | nm-render -o json |
    jq -r 'select(.type == "alert") | .targets[].addr' |
    grep -c '^10\.79\.0\.')
check "detect-scan: the sweep's alert samples its targets ($n)" \
    test "$n" -ge 5

# A scan is counted once per 15 ports: the rest are held back and said.
got=$(nm-decode <"$TMP/sS4.mp" 2>/dev/null | nm-detect -q |
    nm-render -o json |
    jq -r 'select(.type == "end" and .producer == "nm-detect") |
	"\(.detect.alerts) \(.detect.suppressed)"')
check "detect-scan: 100 ports: one alert, five held back ($got)" \
    test "$got" = "1 5"

# --ignore: the scanner you run yourself; with a port, only that port.
n=$(alerts sS4 --ignore $A | grep -c .)
check "detect-scan: --ignore $A silences the scanner ($n alerts)" \
    test "$n" -eq 0
n=$(alerts sS4 --ignore 10.79.0.0/24 | grep -c .)
check "detect-scan: --ignore of its prefix too ($n alerts)" test "$n" -eq 0
n=$(alerts sS4 --ignore "$A#53" | grep -c .)
check "detect-scan: --ignore $A#53 leaves its scan of other ports ($n)" \
    test "$n" -eq 1
# A threshold above what the scan reached: no alert.
n=$(alerts sS4 --scan-ports 101 | grep -c .)
check "detect-scan: --scan-ports 101 over 100 ports: no alert ($n)" \
    test "$n" -eq 0

# The alert as a whole: evidence, targets, Community ID, window.
nm-decode <"$TMP/sS4.mp" 2>/dev/null | nm-detect -q | nm-render -o json |
    jq -c 'select(.type == "alert")' >"$TMP/alert.json"
check "detect-scan: the alert's fields" jq_true '.severity == "medium" and
    .proto == "TCP" and .threshold == 15 and .window == 300000000000 and
    .ports == 15 and .hosts == 1 and .repeat == 0 and
    .key == "port_scan 10.79.0.1 10.79.0.2 SYN" and
    (.evidence | length) == 5 and .evidence[0].src == "10.79.0.1" and
    .evidence[0].dst == "10.79.0.2" and .evidence[0].flags == 2 and
    (.targets | length) == 8 and .first <= .last and .last <= .ts and
    (.community_id | test("^1:[A-Za-z0-9+/]{27}=$")) and
    (.msg | startswith("10.79.0.1 scanned 15 TCP ports of 10.79.0.2"))' \
    "$TMP/alert.json"

# The first evidence packet's Community ID, as tshark computes it.
if tshark --help 2>/dev/null | grep -q enable-protocol; then
	read -r sp dp < <(jq -r '"\(.evidence[0].sport) \(.evidence[0].dport)"' \
	    "$TMP/alert.json")
	want=$(jq -r .community_id "$TMP/alert.json")
	# tshark reads the same packets, written out by nm-pcap
	if [ -x "$NM_TOP/nm-pcap" ]; then
		nm-pcap -w "$TMP/sS4.pcapng" <"$TMP/sS4.mp" >/dev/null 2>&1
		got=$(tshark -n -r "$TMP/sS4.pcapng" \
		    --enable-protocol communityid -T fields -e communityid \
		    -Y "tcp.srcport == $sp && tcp.dstport == $dp" 2>/dev/null |
		    head -n 1)
		check "detect-scan: community_id as tshark's ($got)" \
		    test "$got" = "$want"
	else
		skip "detect-scan: community_id against tshark: no nm-pcap"
	fi
else
	skip "detect-scan: tshark has no communityid"
fi

# traceroute's probes (UDP to ports 33434 up, answered by no port) are a
# path being traced: no scan.  The same probes to other ports are one.
udp_probes() {
	python3 - "$1" <<'PY'
import json, sys
base = int(sys.argv[1])
print(json.dumps({"type": "header", "version": 1, "minor": 0,
    "producer": "t", "stages": ["t"]}))
for i in range(16):
    print(json.dumps({"type": "packet", "ts": 1700000000000000000 + i * 10000,
        "len": 60, "caplen": 60, "data": "00", "proto": "UDP",
        "ip": {"src": "10.0.0.1", "dst": "10.0.9.9", "proto": 17},
        "udp": {"sport": 40000, "dport": base + i, "len": 40}}))
print(json.dumps({"type": "end", "producer": "t", "records": 17,
    "frames": 0, "packets": 16, "reason": "eof"}))
PY
}
n=$(udp_probes 33434 | nm-detect -q | nm-render -o json | grep -c '"type":"alert"')
check "detect-scan: traceroute's 16 UDP probes: no alert ($n)" test "$n" -eq 0
n=$(udp_probes 2000 | nm-detect -q | nm-render -o json | grep -c '"type":"alert"')
check "detect-scan: the same probes to ports 2000 up: one port_scan ($n)" \
    test "$n" -eq 1

# --- judged live: the whole pipeline runs while nmap scans ---
ip netns exec "$nsb" timeout 120 sh -c "nm-capture -i $vb '$filter' \
    2>$TMP/live.err | nm-decode | nm-detect -q | nm-render -o json" \
    >"$TMP/live.json" &
lpid=$!
pids+=("$lpid")
wait_for 5 grep -q '"type":"header"' "$TMP/live.json" ||
    fail "detect-scan: the live pipeline wrote no header"
in_a timeout 60 nmap -n -Pn -sS -T4 -p 1-100 $B >/dev/null 2>&1
# The alert is out as soon as the fifteenth refused port is seen.
wait_for 5 grep -q '"type":"alert"' "$TMP/live.json"
check "detect-scan: live: the alert arrives while the capture runs" \
    grep -q '"kind":"port_scan"' "$TMP/live.json"
ip netns exec "$nsb" pkill -TERM -f "nm-capture -i $vb" 2>/dev/null
wait "$lpid"
n=$(grep -c '"type":"alert"' "$TMP/live.json")
check "detect-scan: live: exactly one alert ($n)" test "$n" -eq 1

# --- SYN floods (hping3) ---
# Above: 1000 SYN/s for 64 s against the default rule (256/s sustained
# over 60 s).  hping3's -i u1000 is one SYN each millisecond.
capture flood timeout 64 hping3 -q -S -p 80 -i u1000 $B
got=$(alerts flood)
n=$(printf '%s' "$got" | grep -c '"syn_flood"')
check "detect-scan: hping3 at 1000 SYN/s for 64 s: one syn_flood ($n)" \
    test "$n" -eq 1
nm-decode <"$TMP/flood.mp" 2>/dev/null | nm-detect -q | nm-render -o json |
    jq -c 'select(.kind == "syn_flood")' >"$TMP/flood.json"
check "detect-scan: the flood's alert names the victim, rate and source" \
    jq_true '.dst == "10.79.0.2" and .src == "10.79.0.1" and .senders == 1 and
	.pps > 256 and .threshold == 256 and .window == 60000000000 and
	.severity == "high"' "$TMP/flood.json"
n=$(printf '%s' "$got" | grep -vc '"syn_flood"')
check "detect-scan: the flood is no scan ($n other alerts)" test "$n" -eq 0
# Below: 100 SYN/s for 15 s, judged over a 10 s window.
capture calm timeout 15 hping3 -q -S -p 80 -i u10000 $B
n=$(alerts calm --syn-window 10 | grep -c '"syn_flood"')
check "detect-scan: hping3 at 100 SYN/s: no syn_flood ($n)" test "$n" -eq 0
n=$(alerts calm --syn-window 10 --syn-rate 50 | grep -c '"syn_flood"')
check "detect-scan: the same at --syn-rate 50: one syn_flood ($n)" \
    test "$n" -eq 1
