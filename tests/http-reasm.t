# HTTP/1.x heads and TLS ClientHellos over several TCP segments, from
# real programs in two network namespaces whose routes advertise an MSS
# of 200 (and whose veth sends no GSO super-packets, so tcpdump sees the
# segments as they are): curl against busybox httpd (a long User-Agent,
# keep-alive, a POST) and openssl s_client against s_server, recorded by
# tcpdump; nm's fields on each frame are compared with tshark's reading
# of the same capture (HTTP bodies not gathered: -o
# http.desegment_body:FALSE, as nm-decode(1) REASSEMBLY says), and the
# messages that took several segments say so (reasm_pieces).
# First, with no namespaces: a head past the byte bound ends with an err
# and is counted in the end record (reasm.overflowed), warned once.
source "$(dirname "$0")/lib.sh"

python3 - "$TMP/big.pcap" <<'PY'
import struct, sys
f = open(sys.argv[1], "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
head = b"GET / HTTP/1.1\r\nX: " + b"a" * 30000
for i, o in enumerate(range(0, len(head), 1400)):
    p = head[o:o + 1400]
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(p), 1, 0x4000, 64,
        6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack(">HHIIHHHH", 40000, 80, 1000 + o, 1, 0x5018, 65535,
        0, 0)
    fr = b"\2\0\0\0\0\2\2\0\0\0\0\1\x08\x00" + ip + tcp + p
    f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)
PY
nm-capture -r "$TMP/big.pcap" 2>/dev/null | nm-decode 2>"$TMP/big.err" |
    nm-render -o json >"$TMP/big.json"
check "http-reasm: a head past the bound is counted in the end record" \
    grep -q '"reasm":{"evicted":0,"overflowed":1}' "$TMP/big.json"
check "http-reasm: its packet says why" grep -q \
    '"err":{"layer":"http","kind":"unknown","why":"message past the 16389' \
    "$TMP/big.json"
check "http-reasm: warned once" \
    test "$(grep -c 'reassembly: 0 streams pushed out.*1 message past' \
    "$TMP/big.err")" = 1

for t in busybox curl tcpdump tshark openssl python3; do
	if ! command -v $t >/dev/null; then
		skip "http-reasm: $t not installed"
		exit 0
	fi
done
if ! netns_ok; then
	skip "http-reasm: $NETNS_WHY"
	exit 0
fi
S=nmhs$$ C=nmhc$$
cleanup() {
	[ -n "${pids:-}" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	ip netns del $S 2>/dev/null
	ip netns del $C 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
pids=
veth_pair $S $C hs0 hc0 || { fail "http-reasm: veth pair"; exit 1; }
ip -n $S addr add 10.99.0.1/24 dev hs0
ip -n $C addr add 10.99.0.2/24 dev hc0
ip -n $S route replace 10.99.0.0/24 dev hs0 advmss 200
ip -n $C route replace 10.99.0.0/24 dev hc0 advmss 200
ip -n $S link set dev hs0 gso_max_segs 1 2>/dev/null
ip -n $C link set dev hc0 gso_max_segs 1 2>/dev/null

mkdir -p "$TMP/www"
echo hello >"$TMP/www/index.html"
head -c 4000 /dev/zero | tr '\0' x >"$TMP/www/big.txt"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" \
    -out "$TMP/c.pem" -days 1 -subj /CN=test >/dev/null 2>&1
ip netns exec $S busybox httpd -f -p 80 -h "$TMP/www" &
pids="$pids $!"
ip netns exec $S openssl s_server -accept 4433 -cert "$TMP/c.pem" \
    -key "$TMP/k.pem" -alpn h2,http/1.1 -quiet </dev/null >/dev/null 2>&1 &
pids="$pids $!"
ip netns exec $C tcpdump -i hc0 --immediate-mode -U -w "$TMP/w.pcap" \
    2>/dev/null &
td=$!
pids="$pids $td"
# the servers listening, and tcpdump up once the file has its header
for i in $(seq 200); do # 20 s at most: a sanitizer build is slow
	[ -s "$TMP/w.pcap" ] && ip netns exec $S ss -ltn | grep -q ':4433 ' &&
	    ip netns exec $S ss -ltn | grep -q ':80 ' && break
	sleep 0.1
done
sleep 0.5
UA=$(printf 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 %.0s' \
    $(seq 12))
cl() { ip netns exec $C timeout 10 curl -s -o /dev/null "$@"; }
cl -H 'Host: www.example.com' -A "$UA" http://10.99.0.1/index.html
cl -o /dev/null -A short http://10.99.0.1/big.txt http://10.99.0.1/index.html
cl -X POST -d a=b -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Long: $UA" http://10.99.0.1/nope
echo | ip netns exec $C timeout 5 openssl s_client -connect 10.99.0.1:4433 \
    -servername www.example.com -alpn h2,http/1.1 >/dev/null 2>&1
sleep 2 # the last packets through tcpdump (slow under a sanitizer build)
kill $td
wait $td 2>/dev/null

F="http.request.method http.request.uri http.request.version http.host
http.user_agent http.response.code http.response.phrase http.content_type
http.content_length http.server"
E=
for f in $F; do E="$E -e $f"; done
# nm's fields output has a line a frame; tshark numbers frames from 1
nm-capture -r "$TMP/w.pcap" 2>/dev/null | nm-decode | nm-render -o fields \
    $E -E separator='|' |
    awk '$0 !~ /^\|*$/ { print NR "|" $0 }' >"$TMP/nm.txt"
tshark -r "$TMP/w.pcap" -o http.desegment_body:FALSE \
    -Y 'http.request or http.response' -T fields -e frame.number $E \
    -E separator='|' 2>/dev/null >"$TMP/ts.txt"
check "http-reasm: tshark reads the requests and responses" \
    test "$(wc -l <"$TMP/ts.txt")" -ge 8
same_file "http-reasm: nm's HTTP fields on tshark's frames" \
    "$TMP/ts.txt" "$TMP/nm.txt"

E="-e tls.handshake.type -e tls.handshake.extensions_server_name"
E="$E -e tls.handshake.extensions_alpn_str"
nm-capture -r "$TMP/w.pcap" 2>/dev/null | nm-decode | nm-render -o fields \
    $E -E separator='|' |
    awk '$0 ~ /^1\|/ { print NR "|" $0 }' >"$TMP/nmt.txt"
tshark -r "$TMP/w.pcap" -d tcp.port==4433,tls -Y 'tls.handshake.type == 1' \
    -T fields -e frame.number $E -E separator='|' 2>/dev/null \
    >"$TMP/tst.txt"
check "http-reasm: tshark reads the ClientHello" test -s "$TMP/tst.txt"
same_file "http-reasm: nm's ClientHello on tshark's frame" \
    "$TMP/tst.txt" "$TMP/nmt.txt"

# the messages gathered from segments: tshark's count and length
nm-capture -r "$TMP/w.pcap" 2>/dev/null | nm-decode | nm-render -o json |
    python3 -c '
import json, sys
for i, l in enumerate(sys.stdin):
    r = json.loads(l)
    for k in ("http", "tls"):
        if "reasm_pieces" in r.get(k, {}) and ("method" in r[k] or k == "tls"):
            print("%d|%d|%d" % (i, r[k]["reasm_len"], r[k]["reasm_pieces"]))
' >"$TMP/nmr.txt"
tshark -r "$TMP/w.pcap" -d tcp.port==4433,tls \
    -Y 'tcp.segment.count > 1 and (http.request or tls.handshake.type == 1)' \
    -T fields -e frame.number -e tcp.reassembled.length -e tcp.segment.count \
    -E separator='|' 2>/dev/null >"$TMP/tsr.txt"
check "http-reasm: some messages took several segments" \
    test "$(wc -l <"$TMP/tsr.txt")" -ge 3
same_file "http-reasm: reasm_len and reasm_pieces are tshark's" \
    "$TMP/tsr.txt" "$TMP/nmr.txt"
