# nm-render's faces of alert records (nm-detect(1)): the red line in every
# text layout (colour on a terminal, none with NO_COLOR or into a pipe), the
# detailed layout's targets and evidence, the Alerts section of the final
# report with nm-detect's counts, -o json both ways, -e alert.PATH and -Y
# on alert fields beside packet ones.  Crafted JSON alerts cover every kind
# (the ARP and DNS detectors need not exist for that); as root, a real nmap
# SYN scan between two network namespaces of our own gives a real one.
source "$(dirname "$0")/lib.sh"

for p in nm-render nm-capture nm-decode nm-detect nm-stats; do
	if ! command -v $p >/dev/null; then
		echo "$p not built"; exit 77
	fi
done
export TZ=UTC0

# --- a stream of crafted alerts, one of each kind, among packets ---
T0=1764139935421000000 # 06:52:15.421 UTC
hdr='{"type":"header","version":1,"minor":0,"producer":"test","stages":["nm-capture","nm-decode","nm-detect"]}'
# alert KIND STYLE SCAN SRC DST-OR-EMPTY PORT-OR-EMPTY MSG [EXTRA-KEYS]
alert() {
	local dst= port=
	[ -n "$5" ] && dst=",\"dst\":\"$5\""
	[ -n "$6" ] && port=",\"port\":$6"
	printf '{"type":"alert","ts":%s,"kind":"%s","style":"%s"%s,"severity":"medium","src":"%s"%s%s,"count":30,"threshold":15,"window":300000000000,"first":%s,"last":%s,"key":"%s %s","repeat":0,"msg":"%s"%s}\n' \
	    "$T0" "$1" "$2" "${3:+,\"scan\":\"$3\"}" "$4" "$dst" "$port" \
	    "$T0" "$T0" "$1" "$4" "$7" "${8:+,$8}"
}
{
	echo "$hdr"
	echo '{"type":"packet","ts":1764139935000000000,"if":0,"len":60,"caplen":60,"ip":{"src":"10.77.0.1","dst":"10.77.0.2","proto":6},"tcp":{"sport":40000,"dport":80,"flags":2},"proto":"TCP"}'
	alert port_scan SYN vertical 10.77.0.1 10.77.0.2 "" \
	    "10.77.0.1 scanned 15 TCP ports of 10.77.0.2 (SYN scan) in 0.0 s" \
	    '"proto":"TCP","ports":15,"hosts":1,"targets":[{"addr":"10.77.0.2","port":25},{"addr":"10.77.0.2","port":80}],"evidence":[{"ts":1764139935000000000,"proto":"TCP","src":"10.77.0.1","dst":"10.77.0.2","sport":34805,"dport":25,"flags":2}],"community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM="'
	alert host_sweep SYN horizontal 10.77.0.1 "" 22 \
	    "10.77.0.1 swept 25 hosts on port 22" '"proto":"TCP","hosts":25'
	alert host_sweep ARP horizontal 10.77.0.1 "" "" \
	    "10.77.0.1 asked ARP for 30 addresses" '"proto":"ARP","hosts":30'
	alert syn_flood victim "" 10.77.0.9 10.77.0.2 80 \
	    "10.77.0.2:80 got 300 SYN/s from 40 sources" '"proto":"TCP","senders":40,"pps":300.5'
	alert arp_spoof mac_change "" 10.77.0.2 "" "" \
	    "10.77.0.2 moved from 02:00:00:00:00:02 to 02:00:00:00:00:66" \
	    '"proto":"ARP","mac":"02:00:00:00:00:66","old_mac":"02:00:00:00:00:02","evidence":[{"ts":1764139935000000000,"proto":"ARP","src":"10.77.0.2","dst":"10.77.0.1","arp_op":2,"mac":"02:00:00:00:00:66"}]'
	alert arp_flood gratuitous "" 10.77.0.5 "" "" \
	    "10.77.0.5 sent 100 gratuitous ARP in 1.0 s" '"proto":"ARP","mac":"02:00:00:00:00:05"'
	alert dns_nxdomain_burst nxdomain "" 10.77.0.1 10.77.0.53 "" \
	    "10.77.0.1 got 50 NXDOMAIN answers in 10 s" '"proto":"DNS","evidence":[{"ts":1764139935000000000,"proto":"DNS","src":"10.77.0.53","dst":"10.77.0.1","sport":53,"dport":40000,"rcode":3,"name":"xx.example"}]'
	alert dns_tunnel long_label "" 10.77.0.1 "" "" \
	    "10.77.0.1 asked 200 names under t.example" '"proto":"DNS","domain":"t.example"'
	alert dns_large_reply large "" 10.77.0.53 10.77.0.1 "" \
	    "10.77.0.53 sent a 3000-byte reply to 10.77.0.1" '"proto":"DNS","evidence":[{"ts":1764139935000000000,"proto":"DNS","src":"10.77.0.53","dst":"10.77.0.1","len":3000}]'
	echo '{"type":"packet","ts":1764139936000000000,"if":0,"len":60,"caplen":60,"ip":{"src":"10.77.0.3","dst":"10.77.0.4","proto":17},"udp":{"sport":5000,"dport":53},"proto":"UDP"}'
	echo '{"type":"flow","proto":"TCP","src":"10.77.0.1","dst":"10.77.0.2","sport":40000,"dport":80,"state":"S0","community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM="}'
	echo '{"type":"end","producer":"nm-detect","records":13,"frames":0,"packets":2,"reason":"eof","detect":{"alerts":9,"suppressed":4,"evicted":1}}'
	echo '{"type":"end","producer":"test","records":14,"frames":0,"packets":2,"reason":"eof"}'
} >"$TMP/in.json"
KINDS="port_scan host_sweep syn_flood arp_spoof arp_flood dns_nxdomain_burst dns_tunnel dns_large_reply"

# --- the line, in each layout ---
nm-render <"$TMP/in.json" >"$TMP/c" 2>"$TMP/c.err"
check "compact: exit 0, nothing on stderr" test $? -eq 0 -a ! -s "$TMP/c.err"
check "compact: a line per alert (9)" test "$(grep -c ' ALERT ' "$TMP/c")" -eq 9
for k in $KINDS; do
	check "compact: $k has its line" grep -q "^\[06:52:15.421\] ALERT $k " "$TMP/c"
done
check "compact: port_scan's line" grep -qxF \
    "[06:52:15.421] ALERT port_scan (SYN, vertical) 10.77.0.1 → 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of 10.77.0.2 (SYN scan) in 0.0 s [medium]" "$TMP/c"
check "compact: a sweep of one port names it" grep -qF \
    "ALERT host_sweep (SYN, horizontal) 10.77.0.1 → port 22: 10.77.0.1 swept" "$TMP/c"
check "compact: a sweep by ARP has no target" grep -qF \
    "ALERT host_sweep (ARP, horizontal) 10.77.0.1: 10.77.0.1 asked ARP" "$TMP/c"
check "compact: a victim and its port" grep -qF \
    "ALERT syn_flood (victim) 10.77.0.9 → 10.77.0.2 port 80: " "$TMP/c"
check "compact: in order with the packets" sh -c \
    'grep -n . "$1" | grep -E "TCP  |ALERT port_scan|UDP  " | cut -d: -f1 | sort -nc' _ "$TMP/c"
check "compact: no colour into a pipe" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$TMP/c"
nm-render -m minimal <"$TMP/in.json" >"$TMP/m"
check "minimal: the line, its time without brackets" grep -qxF \
    "06:52:15.421 ALERT port_scan (SYN, vertical) 10.77.0.1 → 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of 10.77.0.2 (SYN scan) in 0.0 s [medium]" "$TMP/m"
check "minimal: a line per alert" test "$(grep -c ' ALERT ' "$TMP/m")" -eq 9
LC_ALL=C nm-render <"$TMP/in.json" >"$TMP/ascii"
check "ASCII locale: > for the arrow, as the packets have it" grep -qF \
    "ALERT port_scan (SYN, vertical) 10.77.0.1 > 10.77.0.2: " "$TMP/ascii"
nm-render -tt <"$TMP/in.json" >"$TMP/tt"
check "-tt: the alert's time as the packets'" grep -q '^\[1764139935.421000\] ALERT port_scan ' "$TMP/tt"
nm-render -t <"$TMP/in.json" >"$TMP/t"
check "-t: no time" grep -q '^ALERT port_scan ' "$TMP/t"
nm-render -o detailed <"$TMP/in.json" >"$TMP/d"
check "detailed: a line per alert" test "$(grep -c '^\[06:52:15.421\] ALERT ' "$TMP/d")" -eq 9
check "detailed: the other keys" grep -qF \
    "  alert  count=30 threshold=15 window=300.000000000s first=06:52:15.421 last=06:52:15.421 key=\"port_scan 10.77.0.1\" proto=TCP ports=15 hosts=1 community_id=1:wCb3OG7yAFWelaUydu0D+125CLM=" "$TMP/d"
check "detailed: the targets" grep -qxF "  targets 10.77.0.2:25 10.77.0.2:80" "$TMP/d"
check "detailed: a TCP evidence packet" grep -qxF \
    "  evidence 06:52:15.000 TCP 10.77.0.1:34805 → 10.77.0.2:25 [S]" "$TMP/d"
check "detailed: an ARP evidence packet" grep -qxF \
    "  evidence 06:52:15.000 ARP 10.77.0.2 → 10.77.0.1 arp_op=2 mac=02:00:00:00:00:66" "$TMP/d"
check "detailed: a DNS evidence packet" grep -qxF \
    "  evidence 06:52:15.000 DNS 10.77.0.53:53 → 10.77.0.1:40000 rcode=3 name=xx.example" "$TMP/d"
check "detailed: the MACs of an ARP alert" grep -qF \
    "mac=02:00:00:00:00:66 old_mac=02:00:00:00:00:02" "$TMP/d"

# --- colour: forced, on a terminal, and NO_COLOR ---
ESC=$(printf '\033')
nm-render --color=always <"$TMP/in.json" >"$TMP/col"
check "--color=always: each alert line bold red, whole" test \
    "$(grep -c "^${ESC}\[1;31m\[06:52:15.421\] ALERT .*\[medium\]${ESC}\[0m\$" "$TMP/col")" -eq 9
check "--color=always: the section's heading red" grep -q "^${ESC}\[1;31mAlerts: 9${ESC}\[0m" "$TMP/col"
for m in compact minimal detailed; do
	nm-render -m $m --color=always <"$TMP/in.json" >"$TMP/col.$m"
	check "--color=always -m $m: red alert lines" test \
	    "$(grep -c "^${ESC}\[1;31m.*ALERT port_scan" "$TMP/col.$m")" -eq 1
done
if command -v script >/dev/null; then
	script -qec "nm-render <$TMP/in.json" /dev/null >"$TMP/tty" 2>&1
	check "a terminal: red alert lines" test \
	    "$(grep -c "${ESC}\[1;31m.*ALERT " "$TMP/tty")" -eq 9
	NO_COLOR=1 script -qec "nm-render <$TMP/in.json" /dev/null >"$TMP/tty.nc" 2>&1
	check "a terminal with NO_COLOR: the lines, no colour" sh -c \
	    '[ "$(grep -c " ALERT " "$1")" -eq 9 ] && ! grep -q "$2" "$1"' _ "$TMP/tty.nc" "$ESC"
	NO_COLOR=1 script -qec "nm-render --color=always <$TMP/in.json" /dev/null >"$TMP/tty.ncf" 2>&1
	check "NO_COLOR with --color=always: red" grep -q "${ESC}\[1;31m.*ALERT port_scan" "$TMP/tty.ncf"
	TERM=dumb script -qec "nm-render <$TMP/in.json" /dev/null >"$TMP/tty.dumb" 2>&1
	check "TERM=dumb: no colour" sh -c '! grep -q "$2" "$1"' _ "$TMP/tty.dumb" "$ESC"
else
	skip "colour on a terminal: no script(1) (bsdutils)"
fi

# --- the Alerts section ---
sed -n '/^Alerts: /,$p' "$TMP/c" >"$TMP/sec"
cat >"$TMP/sec.want" <<'EOF'
Alerts: 9 (9 written, 4 suppressed, 1 evicted)
  port_scan: 1 alert
    06:52:15.421 10.77.0.1 → 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of 10.77.0.2 (SYN scan) in 0.0 s
  host_sweep: 2 alerts
    06:52:15.421 10.77.0.1 → port 22: 10.77.0.1 swept 25 hosts on port 22
    06:52:15.421 10.77.0.1: 10.77.0.1 asked ARP for 30 addresses
  syn_flood: 1 alert
    06:52:15.421 10.77.0.9 → 10.77.0.2 port 80: 10.77.0.2:80 got 300 SYN/s from 40 sources
  arp_spoof: 1 alert
    06:52:15.421 10.77.0.2: 10.77.0.2 moved from 02:00:00:00:00:02 to 02:00:00:00:00:66
  arp_flood: 1 alert
    06:52:15.421 10.77.0.5: 10.77.0.5 sent 100 gratuitous ARP in 1.0 s
  dns_nxdomain_burst: 1 alert
    06:52:15.421 10.77.0.1 → 10.77.0.53: 10.77.0.1 got 50 NXDOMAIN answers in 10 s
  dns_tunnel: 1 alert
    06:52:15.421 10.77.0.1: 10.77.0.1 asked 200 names under t.example
  dns_large_reply: 1 alert
    06:52:15.421 10.77.0.53 → 10.77.0.1: 10.77.0.53 sent a 3000-byte reply to 10.77.0.1
============================================================
EOF
same_file "report: the Alerts section, by kind, with nm-detect's counts" "$TMP/sec.want" "$TMP/sec"
check "report: opens with a rule" sh -c \
    'grep -B1 "^Alerts: " "$1" | head -n 1 | grep -q "^=\{60\}$"' _ "$TMP/c"
# twelve of one kind: ten listed, the count of the rest; repeats summed
{
	echo "$hdr"
	for i in $(seq 1 12); do
		alert port_scan SYN vertical "10.77.1.$i" 10.77.0.2 "" "scan $i"
	done | sed 's/"repeat":0/"repeat":2/'
	echo '{"type":"end","producer":"test","records":13,"frames":0,"packets":0,"reason":"eof"}'
} >"$TMP/many.json"
nm-render <"$TMP/many.json" >"$TMP/many"
check "report: twelve alerts of a kind, repeats held back" grep -qxF \
    "  port_scan: 12 alerts, 24 repeats held back" "$TMP/many"
check "report: the first ten listed" test "$(grep -c '^    06:52:15.421 10.77.1.[0-9]* → ' "$TMP/many")" -eq 10
check "report: and 2 more" grep -qxF "    and 2 more" "$TMP/many"
check "report: the line says the repeats" grep -qF "scan 1 [medium] repeat 2" "$TMP/many"
check "report: no counts without nm-detect's end record" grep -qx "Alerts: 12" "$TMP/many"
# nm-detect ran and found nothing: one line; it did not run: nothing
printf '%s\n%s\n%s\n' "$hdr" \
    '{"type":"end","producer":"nm-detect","records":0,"frames":0,"packets":0,"reason":"eof","detect":{"alerts":0,"suppressed":0,"evicted":0}}' \
    '{"type":"end","producer":"test","records":1,"frames":0,"packets":0,"reason":"eof"}' >"$TMP/none.json"
nm-render <"$TMP/none.json" >"$TMP/none"
check "report: nm-detect found nothing: one line" grep -qx \
    "Alerts: none (0 written, 0 suppressed, 0 evicted)" "$TMP/none"
sed 's/,"nm-detect"//' "$TMP/none.json" | grep -v '"producer":"nm-detect"' >"$TMP/nodet.json"
nm-render <"$TMP/nodet.json" >"$TMP/nodet"
check "report: no nm-detect, no alerts: no section" sh -c '! grep -q "Alerts" "$1"' _ "$TMP/nodet"
nm-render -o json <"$TMP/in.json" >"$TMP/nosec.j"
check "report: none with -o json" sh -c '! grep -q "^Alerts" "$1"' _ "$TMP/nosec.j"
nm-render -e alert.kind <"$TMP/in.json" >"$TMP/nosec.e"
check "report: none with -o fields" sh -c '! grep -q "Alerts" "$1"' _ "$TMP/nosec.e"

# --- -o json ---
nm-render -o json <"$TMP/in.json" >"$TMP/j1"
same_file "json: the alerts written back as they came" "$TMP/in.json" "$TMP/j1"
nm-render -o json <"$TMP/j1" >"$TMP/j2"
same_file "json: round trip is stable" "$TMP/j1" "$TMP/j2"
a=$(jq -c 'select(.type == "alert" and .kind == "arp_spoof") | [.src, .mac, .old_mac, .window, (.evidence[0].mac)]' "$TMP/j1")
check "json: addresses as text, window a number ($a)" test \
    "$a" = '["10.77.0.2","02:00:00:00:00:66","02:00:00:00:00:02",300000000000,"02:00:00:00:00:66"]'

# --- -o fields and -Y ---
nm-render -e alert.kind -e alert.src <"$TMP/in.json" >"$TMP/e"
check "fields: a line per alert, kind and source" test "$(grep -c . "$TMP/e")" -eq 9
check "fields: port_scan's" grep -qxP "port_scan\t10.77.0.1" "$TMP/e"
nm-render -e alert.kind -e alert.dst -e alert.port -e alert.count -e alert.severity \
    -e alert.style -e alert.window -e alert.evidence.dport -e alert.evidence.flags \
    -e alert.targets.port -e alert.community_id -e alert.mac -e alert.domain \
    <"$TMP/in.json" >"$TMP/e2"
check "fields: every sort of alert key" grep -qxP \
    "port_scan\t10.77.0.2\t\t30\tmedium\tSYN\t300.000000000\t25\t0x0002\t25,80\t1:wCb3OG7yAFWelaUydu0D\+125CLM=\t\t" "$TMP/e2"
check "fields: a port, a MAC, a domain" sh -c 'grep -qP "^host_sweep\t\t22\t" "$1" &&
    grep -qP "^arp_spoof\t.*\t02:00:00:00:00:66\t$" "$1" && grep -qP "^dns_tunnel\t.*\tt.example$" "$1"' _ "$TMP/e2"
nm-render -e alert.kind -e ip.src -e flow.community_id <"$TMP/in.json" >"$TMP/e3"
check "fields: alerts, packets and flows, each its line" test "$(grep -c . "$TMP/e3")" -eq 12
check "fields: flow.community_id" grep -qxP "\t\t1:wCb3OG7yAFWelaUydu0D\+125CLM=" "$TMP/e3"
nm-render -e alert.nosuch <"$TMP/in.json" >/dev/null 2>"$TMP/e.err"
st=$?
[ "$st" = 2 ] && grep -qx "nm-render: unknown field: alert.nosuch (alert records have no 'nosuch'; see nm-records(5))" "$TMP/e.err"
verdict $? "fields: an unknown alert key: status 2, one line"
# shows NAME EXPR WANT: what -Y EXPR shows, alerts by kind, packets by
# protocol, in order
shows() {
	local s
	s=$(nm-render -t -Y "$2" <"$TMP/in.json" | grep -Ev '^(=|Alerts|  |$)' |
	    awk '{ print $1 == "ALERT" ? $2 : $1 }' | tr '\n' ' ')
	check "-Y $1 ($s)" test "$s" = "$3"
}
ALL="port_scan host_sweep host_sweep syn_flood arp_spoof arp_flood dns_nxdomain_burst dns_tunnel dns_large_reply "
shows "alert.kind: that alert alone" 'alert.kind == "port_scan"' "port_scan "
shows "alert: every alert, no packet" 'alert' "$ALL"
shows "tcp: the TCP packet, and every alert passes" 'tcp' "TCP $ALL"
shows "an alert field or a packet one" 'alert.src == 10.77.0.53 || udp' "dns_large_reply UDP "
shows "alert.addr: either end" 'alert.addr == 10.77.0.2 && alert.severity == "medium"' \
    "port_scan syn_flood arp_spoof "
shows "evidence and domain" 'alert.evidence.rcode == 3 || alert.domain contains "example"' \
    "dns_nxdomain_burst dns_tunnel "
shows "a flow field: alerts pass, no packet" 'flow.state == "S0"' "$ALL"
nm-render -Y 'alert.kind == "port_scan"' <"$TMP/in.json" >"$TMP/ys"
check "-Y: the report counts the alerts shown" grep -q "^Alerts: 1 (9 written" "$TMP/ys"
nm-render -e alert.kind -Y 'alert.count > 10 && !alert.port' <"$TMP/in.json" >"$TMP/ye"
check "-Y with -e" test "$(tr '\n' ' ' <"$TMP/ye")" = "port_scan host_sweep arp_spoof arp_flood dns_nxdomain_burst dns_tunnel dns_large_reply "
nm-decode -Y 'alert.kind == "x"' </dev/null >/dev/null 2>"$TMP/dy.err"
st=$?
[ "$st" = 2 ] && grep -qx "nm-decode: -Y: a field of alert records, which nm-detect writes: -Y here filters packets (filter those records with nm-render -Y)" "$TMP/dy.err"
verdict $? "nm-decode -Y on an alert field: status 2, one line"

# --- a real SYN scan (nmap) between two namespaces of our own ---
if ! netns_ok; then
	skip "nmap scan: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
for p in nmap tcpdump; do
	if ! command -v $p >/dev/null; then
		skip "nmap scan: $p is not installed"
		exit 0
	fi
done
nsa=nmra$$ nsb=nmrb$$ va=nmra$$ vb=nmrb$$
tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$nsa" && ip netns add "$nsb" &&
    ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" &&
    ip -n "$nsa" addr add 10.79.0.1/24 dev "$va" &&
    ip -n "$nsb" addr add 10.79.0.2/24 dev "$vb" &&
    ip -n "$nsa" link set "$va" up && ip -n "$nsb" link set "$vb" up
check "nmap scan: the namespaces and their link" test $? -eq 0
# a short snaplen: with -s 0 the ring's slots are 256 KiB each, few, and
# a burst of nmap's overflows them
ip netns exec "$nsb" timeout 60 tcpdump -i "$vb" -s 128 -U -n -Z root \
    --immediate-mode -w "$TMP/scan.pcap" tcp 2>"$TMP/td.err" &
tpid=$!
for i in $(seq 50); do
	grep -q "listening on" "$TMP/td.err" && break
	sleep 0.1
done
ip netns exec "$nsa" timeout 60 nmap -n -Pn -sS -T4 -p 1-100 10.79.0.2 >"$TMP/nmap.out" 2>&1
check "nmap scan: nmap ran" grep -q "Nmap done: 1 IP address" "$TMP/nmap.out"
# every segment written (-U) before tcpdump is stopped: 200, a SYN and
# its RST per port
for i in $(seq 50); do
	[ "$(stat -c %s "$TMP/scan.pcap")" -ge $((24 + 200 * 70)) ] && break
	sleep 0.1
done
kill -INT "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
tpid=
check "nmap scan: tcpdump dropped nothing" grep -q "^0 packets dropped by kernel" "$TMP/td.err"
nm-capture -r "$TMP/scan.pcap" 2>/dev/null | nm-decode | nm-detect | nm-stats >"$TMP/scan.nm"
nm-render <"$TMP/scan.nm" >"$TMP/scan.txt" 2>"$TMP/scan.err"
check "nmap scan: rendered, exit 0" test $? -eq 0
check "nmap scan: one port_scan line, scanner and victim" test "$(grep -c \
    '^\[[0-9:.]*\] ALERT port_scan (SYN, vertical) 10.79.0.1 → 10.79.0.2: 10.79.0.1 scanned [0-9]* TCP ports of 10.79.0.2 (SYN scan) in [0-9.]* s \[medium\]$' "$TMP/scan.txt")" -eq 1
check "nmap scan: the report's section" grep -qE \
    "^Alerts: 1 \(1 written, [0-9]+ suppressed, 0 evicted\)$" "$TMP/scan.txt"
check "nmap scan: the kind's entry" grep -qxF "  port_scan: 1 alert" "$TMP/scan.txt"
nm-render -o detailed <"$TMP/scan.nm" >"$TMP/scan.d"
check "nmap scan: detailed shows SYN evidence" grep -qE \
    "^  evidence [0-9:.]+ TCP 10.79.0.1:[0-9]+ → 10.79.0.2:[0-9]+ \[S\]$" "$TMP/scan.d"
f=$(nm-render -e alert.kind -e alert.src -e alert.dst -e alert.style <"$TMP/scan.nm")
check "nmap scan: -e alert fields ($f)" test "$f" = "$(printf 'port_scan\t10.79.0.1\t10.79.0.2\tSYN')"
n=$(nm-render -Y 'alert.kind == "port_scan"' -o json <"$TMP/scan.nm" | jq -s '[.[] | select(.type == "alert")] | length')
check "nmap scan: -Y alert.kind keeps it ($n)" test "$n" = 1
j=$(nm-render -o json <"$TMP/scan.nm" | jq -c 'select(.type == "alert") | [.src, .dst, .community_id[0:2]]')
check "nmap scan: json ($j)" test "$j" = '["10.79.0.1","10.79.0.2","1:"]'
nm-render -o json <"$TMP/scan.nm" | nm-render -o json >"$TMP/scan.j2"
nm-render -o json <"$TMP/scan.nm" >"$TMP/scan.j1"
same_file "nmap scan: json read back, the same" "$TMP/scan.j1" "$TMP/scan.j2"
