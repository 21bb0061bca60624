# Passive names (issue 14): addresses named by the DNS answers seen on the
# wire, never by a query of nm's own.  First the bundled sample and
# records written here as JSON (CNAME chains, PTR, TTL and its grace,
# -N in nm-stats and nm-render), then, as root, a user's session: curl
# in one namespace asks dnsmasq in another for web.names.test by the
# system resolver and fetches a page from busybox httpd, captured live by
# nm-capture; the final report must name the server by the name curl
# asked for.
source "$(dirname "$0")/lib.sh"

for t in jq nm-stats nm-render; do
	command -v $t >/dev/null || { skip "names: needs $t"; exit 0; }
done

# --- the bundled sample: names where its DNS answers gave them ---
nm-capture -r "$NM_TOP/share/sample.pcap" 2>/dev/null | nm-decode >"$TMP/s.nm"
nm-stats -q <"$TMP/s.nm" | nm-render -o json >"$TMP/s.json"
final() { jq -c 'select(.type == "stats" and .final)' "$1"; }
# slurp_is FILE EXPR: EXPR, on the file's records as one array, is true
slurp_is() { jq -e -s "$2" "$1" >/dev/null; }
check "sample: top_hosts name 10.77.0.2 by its newest answer" \
    test "$(final "$TMP/s.json" | jq -c '[.top_hosts[] | select(.name) | [.addr, .name]]')" = \
    '[["10.77.0.2","f.example.test"],["fd77::2","www.example.test"]]'
check "sample: an address no answer named has no name key" \
    test "$(final "$TMP/s.json" | jq -c '[.top_hosts[] | select(.addr == "10.77.0.1") | has("name")]')" = '[false]'
check "sample: top_src and top_dst name too" \
    test "$(final "$TMP/s.json" | jq -c '[(.top_src[], .top_dst[]) | select(.addr == "10.77.0.2") | .name] | unique')" = '["f.example.test"]'
check "sample: top_flows carry dst_name" \
    slurp_is "$TMP/s.json" 'map(select(.type == "stats" and .final))[0].top_flows |
        map(select(.dst == "10.77.0.2" and .dport == 80)) | length > 0 and
        all(.dst_name == "f.example.test" and (has("src_name") | not))'
check "sample: flow records carry dst_name" \
    slurp_is "$TMP/s.json" 'map(select(.type == "flow" and .dst == "fd77::2" and .dport == 80)) |
        length > 0 and all(.dst_name == "www.example.test")'
check "sample: the map's size is in tracked.names" \
    test "$(final "$TMP/s.json" | jq -c '[.tracked.names, .evicted.names]')" = '[2,0]'
nm-stats -q -N <"$TMP/s.nm" | nm-render -o json >"$TMP/sN.json"
check "nm-stats -N: no names anywhere" \
    test "$(grep -c '_name\|"name":"[a-z]*\.example' "$TMP/sN.json")" = 0
nm-stats <"$TMP/s.nm" | nm-render >"$TMP/s.txt"
check "report: top hosts show the name beside the address" \
    grep -q '^  10.77.0.2 (f.example.test)  *129 pkts' "$TMP/s.txt"
check "report: connections show it after the port" \
    grep -q '^  TCP \[fd77::1\]:[0-9]* → \[fd77::2\]:80 (www.example.test) (HTTP)' "$TMP/s.txt"
nm-stats <"$TMP/s.nm" | nm-render -N | sed -n '/^Top IP addresses/,$p' >"$TMP/sN.txt"
check "nm-render -N: the report without names" \
    test "$(grep -c 'example' "$TMP/sN.txt")" = 0
check "nm-render -N: addresses still there" grep -q '^  10.77.0.2  *129 pkts' "$TMP/sN.txt"

# nm-render -o json: packets after an answer carry the names of their ends
nm-render -o json <"$TMP/s.nm" >"$TMP/p.json"
check "-o json: a packet to a named address has dst_name" \
    slurp_is "$TMP/p.json" 'map(select(.type == "packet" and .tcp.dport == 80 and
        .ip.dst == "10.77.0.2")) | length > 0 and
        all(.dst_name != null and (has("src_name") | not))'
check "-o json: the DNS reply itself names its sender" \
    slurp_is "$TMP/p.json" 'map(select(.dns.ans[0].addr == "10.77.0.2" and .ip.src == "10.77.0.2"))[0] |
        .src_name == .dns.ans[0].name'
check "-o json: no name before the first answer" \
    slurp_is "$TMP/p.json" '[.[] | select(.type == "packet")][0] | has("src_name") or has("dst_name") | not'
nm-render -o json <"$TMP/p.json" >"$TMP/p2.json"
check "-o json read back and written again: the same lines, no key twice" \
    cmp -s "$TMP/p.json" "$TMP/p2.json"
check "-o json -N: no names" test "$(nm-render -o json -N <"$TMP/s.nm" | grep -c '_name"')" = 0

# --- written records: CNAME chain, PTR, TTL and grace, forgeries ---
T0=1700000000000000000
S=1000000000
hdr='{"type":"header","version":1,"minor":0,"producer":"t","stages":["nm-decode"],"sources":[]}'
# ans TS JSON-ANSWERS: a DNS reply from 10.0.0.53 to 10.0.0.1
ans() {
	printf '{"type":"packet","ts":%s,"len":100,"proto":"DNS","ip":{"proto":17,"src":"10.0.0.53","dst":"10.0.0.1"},"udp":{"sport":53,"dport":5000},"dns":{"id":1,"qr":true,"rcode":0,"ans":%s}}\n' "$1" "$2"
}
# pkt TS DST: a TCP packet from 10.0.0.1 to DST port 443
pkt() {
	printf '{"type":"packet","ts":%s,"len":60,"proto":"TCP","ip":{"proto":6,"src":"10.0.0.1","dst":"%s"},"tcp":{"sport":40000,"dport":443,"flags":2,"seq":1,"len":0}}\n' "$1" "$2"
}
{
	echo "$hdr"
	ans $T0 '[{"name":"www.shop.test","type":5,"ttl":60,"target":"shop.cdn.test"},{"name":"shop.cdn.test","type":1,"ttl":60,"addr":"192.0.2.80"}]'
	ans $T0 '[{"name":"9.2.0.192.in-addr.arpa","type":12,"ttl":60,"target":"printer.lan"}]'
	pkt $((T0 + S)) 192.0.2.80
	pkt $((T0 + S)) 192.0.2.9
	pkt $((T0 + S)) 192.0.2.7
	echo '{"type":"end","producer":"t","reason":"eof"}'
} | nm-stats -q | nm-render -o json >"$TMP/w.json"
names_of() {
	final "$1" | jq -c '[.top_dst[] | select(.addr | startswith("192.0.2.")) |
	    [.addr, .name]] | sort'
}
check "records: the name the client asked for, not the CDN's" \
    test "$(names_of "$TMP/w.json")" = \
    '[["192.0.2.7",null],["192.0.2.80","www.shop.test"],["192.0.2.9","printer.lan"]]'
# the same, but the traffic comes 60 s + an hour + 1 s after the answers
{
	echo "$hdr"
	ans $T0 '[{"name":"shop.test","type":1,"ttl":60,"addr":"192.0.2.80"}]'
	pkt $((T0 + 3659 * S)) 192.0.2.80
	echo '{"type":"end","producer":"t","reason":"eof"}'
} | nm-stats -q | nm-render -o json >"$TMP/in.json"
{
	echo "$hdr"
	ans $T0 '[{"name":"shop.test","type":1,"ttl":60,"addr":"192.0.2.80"}]'
	pkt $((T0 + 3661 * S)) 192.0.2.80
	echo '{"type":"end","producer":"t","reason":"eof"}'
} | nm-stats -q | nm-render -o json >"$TMP/out.json"
check "records: a name holds for its TTL and an hour's grace" \
    test "$(names_of "$TMP/in.json")" = '[["192.0.2.80","shop.test"]]'
check "records: and is gone after" \
    test "$(names_of "$TMP/out.json")" = '[["192.0.2.80",null]]'
# a name the reader must escape: control characters stay escaped
{
	echo "$hdr"
	ans $T0 '[{"name":"evil\u001b[31m.test","type":1,"ttl":60,"addr":"192.0.2.66"}]'
	pkt $((T0 + S)) 192.0.2.66
	echo '{"type":"end","producer":"t","reason":"eof"}'
} | nm-stats | nm-render >"$TMP/esc.txt"
check "records: a name with an escape character is shown escaped" \
    test "$(grep -c $'\033\\[31m' "$TMP/esc.txt")" = 0 -a \
    "$(grep -c '192.0.2.66 (evil' "$TMP/esc.txt")" -ge 1

# alerts name their ends too: a SYN scan, every port answered by RST
rst() {
	printf '{"type":"packet","ts":%s,"len":60,"proto":"TCP","ip":{"proto":6,"src":"192.0.2.80","dst":"10.0.0.1"},"tcp":{"sport":%s,"dport":40000,"flags":20,"seq":0,"len":0}}\n' "$1" "$2"
}
syn() {
	printf '{"type":"packet","ts":%s,"len":60,"proto":"TCP","ip":{"proto":6,"src":"10.0.0.1","dst":"192.0.2.80"},"tcp":{"sport":40000,"dport":%s,"flags":2,"seq":1,"len":0}}\n' "$1" "$2"
}
{
	echo "$hdr"
	ans $T0 '[{"name":"shop.test","type":1,"ttl":60,"addr":"192.0.2.80"}]'
	for p in 1 2 3 4 5; do
		syn $((T0 + p * 1000000)) $p
		rst $((T0 + p * 1000000 + 1000)) $p
	done
	echo '{"type":"end","producer":"t","reason":"eof"}'
} >"$TMP/scan.json"
nm-stats -q --scan-ports 3 <"$TMP/scan.json" | nm-render -o json |
    jq -c 'select(.type == "alert")' >"$TMP/scan.alerts"
check "alerts: nm-stats' alert carries dst_name" \
    test "$(jq -c '[.kind, .dst, .dst_name, has("src_name")]' "$TMP/scan.alerts")" = \
    '["port_scan","192.0.2.80","shop.test",false]'
nm-detect -q --scan-ports 3 <"$TMP/scan.json" | nm-render -o json |
    jq -c 'select(.type == "alert") | .dst_name' >"$TMP/scan.det"
check "alerts: nm-detect's too" test "$(cat "$TMP/scan.det")" = '"shop.test"'
nm-detect -q -N --scan-ports 3 <"$TMP/scan.json" | nm-render -o json |
    jq -c 'select(.type == "alert") | has("dst_name")' >"$TMP/scan.detN"
check "alerts: nm-detect -N names nothing" test "$(cat "$TMP/scan.detN")" = false
nm-stats --scan-ports 3 <"$TMP/scan.json" | nm-render >"$TMP/scan.txt"
check "alerts: the ALERT line and the report show the name" \
    test "$(grep -c '10.0.0.1 → 192.0.2.80 (shop.test)' "$TMP/scan.txt")" = 2
nm-stats --scan-ports 3 <"$TMP/scan.json" | nm-render -N >"$TMP/scanN.txt"
check "alerts: nm-render -N leaves it out" \
    test "$(grep -c 'shop.test' "$TMP/scanN.txt")" = 0

# --- live: a user's session in two namespaces ---
NSS=nmnS$$ NSC=nmnC$$ IFS_=nmns$$ IFC=nmnc$$
PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	rm -rf "/etc/netns/$NSC"
	rm -rf "$TMP"
}
live_skip() { skip "names live: $*"; exit 0; }
for t in dnsmasq curl busybox nm-capture nm-decode; do
	command -v $t >/dev/null || live_skip "needs $t"
done
netns_ok || live_skip "$NETNS_WHY"
trap cleanup EXIT
veth_pair "$NSS" "$NSC" "$IFS_" "$IFC" ||
    live_skip "cannot make network namespaces"
ip -n "$NSS" addr add 10.54.0.1/24 dev "$IFS_"
ip -n "$NSC" addr add 10.54.0.2/24 dev "$IFC"
# ip netns exec puts /etc/netns/NS/resolv.conf over /etc/resolv.conf:
# curl in the client's namespace asks dnsmasq by the system resolver
mkdir -p "/etc/netns/$NSC" "$TMP/www"
echo "nameserver 10.54.0.1" >"/etc/netns/$NSC/resolv.conf"
echo "hello from names.t" >"$TMP/www/index.html"
ip netns exec "$NSS" timeout 120 dnsmasq -k -C /dev/null --no-resolv \
    --no-hosts --bind-interfaces --listen-address=10.54.0.1 --user=root \
    --address=/web.names.test/10.54.0.1 --local=/test/ \
    --log-facility=/dev/null &
PIDS="$PIDS $!"
ip netns exec "$NSS" timeout 120 busybox httpd -f -p 10.54.0.1:80 -h "$TMP/www" &
PIDS="$PIDS $!"
for i in $(seq 50); do
	ip netns exec "$NSC" timeout 2 curl -s -m 1 -o /dev/null http://10.54.0.1/ && break
	sleep 0.1
done
ip netns exec "$NSC" timeout 60 "$NM_TOP/nm-capture" -i "$IFC" \
    'not ip6 multicast' 2>"$TMP/cap.err" | nm-decode | nm-stats |
    nm-render >"$TMP/live.txt" 2>"$TMP/render.err" &
ppid=$!
for i in $(seq 50); do
	grep -q . "$TMP/cap.err" 2>/dev/null && break
	pgrep -f "nm-capture -i $IFC" >/dev/null && break
	sleep 0.1
done
sleep 0.5
cpid=$(pgrep -f -n "nm-capture -i $IFC")
ok=0
for i in 1 2 3; do
	ip netns exec "$NSC" timeout 5 curl -s -m 3 -o /dev/null \
	    http://web.names.test/ && ok=$((ok + 1))
	sleep 0.2
done
sleep 0.5
[ -n "$cpid" ] && kill -TERM "$cpid" 2>/dev/null
for i in $(seq 100); do kill -0 "$ppid" 2>/dev/null || break; sleep 0.1; done
wait "$ppid"
check "live: curl fetched http://web.names.test/ by name 3 times ($ok)" test "$ok" = 3
check "live: the DNS answer is on the wire" grep -q 'A? web.names.test' "$TMP/live.txt"
check "live: the final report names the server as curl asked for it" \
    grep -q '^  10.54.0.1 (web.names.test) ' "$TMP/live.txt"
check "live: and its connections" \
    grep -q '^  TCP 10.54.0.2:[0-9]* → 10.54.0.1:80 (web.names.test) (HTTP web.names.test)' "$TMP/live.txt"
