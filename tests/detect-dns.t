# nm-detect's DNS detectors (issue 13): dns_nxdomain_burst, dns_tunnel
# (long_label, many_subdomains) and dns_large_reply.  First on records
# written here as JSON (every figure known: thresholds met and missed,
# nDPI's exceptions, escaped names, shapes a decoder never writes), then,
# as root, on real traffic: dnsmasq answering in one network namespace,
# dig asking from another, captured by tcpdump and read back through
# nm-capture | nm-decode | nm-detect; last, the reference captures of
# ../shared/pcaps, where no DNS alert is right.
source "$(dirname "$0")/lib.sh"

for t in jq nm-detect; do
	command -v $t >/dev/null || { skip "detect-dns: needs $t"; exit 0; }
done

T0=1700000000000000000
# q TS CLIENT SERVER CPORT ID NAME [EDNS]: a query to port 53
q() {
	local e=""
	[ -n "${7:-}" ] && e=",\"edns\":{\"udp_size\":$7}"
	printf '{"type":"packet","ts":%s,"ip":{"proto":17,"src":"%s","dst":"%s"},"udp":{"sport":%s,"dport":53,"len":60},"dns":{"id":%s,"qr":false,"q":[{"name":"%s","type":1,"class":1}]%s}}\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6" "$e"
}
# r TS CLIENT SERVER CPORT ID NAME RCODE SIZE: its reply of SIZE bytes
r() {
	printf '{"type":"packet","ts":%s,"ip":{"proto":17,"src":"%s","dst":"%s"},"udp":{"sport":53,"dport":%s,"len":%s},"dns":{"id":%s,"qr":true,"rcode":%s,"q":[{"name":"%s","type":1,"class":1}]}}\n' \
	    "$1" "$3" "$2" "$4" "$(($8 + 8))" "$5" "$7" "$6"
}
# alerts [OPTION...]: the alerts of the records on stdin, one JSON a line
alerts() {
	nm-detect -q "$@" 2>"$TMP/err" | nm-render -o json |
	    jq -c 'select(.type == "alert")'
}
# is FILE JQ-EXPR: the file's alerts, slurped, make EXPR true
is() { jq -e -s "$2" "$1" >/dev/null; }
hex() { printf '%s' "$1" | sha256sum | cut -c1-"$2"; }
b32() { printf '%s' "$1" | sha256sum | cut -c1-40 | base32 -w0 | tr -d = |
    tr A-Z a-z | cut -c1-"$2"; }

# every DNS setting is in the manual, and in --show-config
man=$NM_TOP/detect/nm-detect.1
missing=
for o in $(nm-detect --help | grep -o -- '--dns-[a-z-]*'); do
	o=${o#--}
	grep -q -- "${o//-/\\\\-}" "$man" || missing="$missing $o"
	nm-detect --show-config | grep -q "$o" || missing="$missing $o(show-config)"
done
check "every dns- setting in nm-detect(1) and --show-config${missing:+:$missing}" \
    test -z "$missing"

# --- dns_nxdomain_burst ---
for i in $(seq 60); do
	t=$((T0 + i * 1000000000))
	r $t 10.0.0.2 10.0.0.1 4000 $i n$i.nx.test 3 40
	r $((t + 1000)) 10.0.0.2 10.0.0.1 4001 $i n$i.nx.test 3 40
done | alerts >"$TMP/nx"
check "nxdomain: 60 names, each twice, to one client: one burst alert" \
    is "$TMP/nx" 'length == 1 and .[0].kind == "dns_nxdomain_burst" and
    .[0].src == "10.0.0.2" and .[0].dst == "10.0.0.1" and
    .[0].count == 50 and .[0].threshold == 50 and .[0].window == 300000000000 and
    .[0].severity == "low" and .[0].port == 53 and
    ([.[0].evidence[] | .name, .rcode] == ["n1.nx.test", 3, "n50.nx.test", 3])'
# 49 names, asked for in two cases (a resolver's 0x20 randomisation)
for i in $(seq 49); do
	t=$((T0 + i * 1000000000))
	r $t 10.0.0.2 10.0.0.1 4000 $i n$i.nx.test 3 40
	r $((t + 1)) 10.0.0.2 10.0.0.1 4000 $i N$i.NX.test 3 40
	r $((t + 2)) 10.0.0.2 10.0.0.1 4000 $i $i.2.0.192.in-addr.arpa 3 40
done | alerts >"$TMP/nx49"
check "nxdomain: 49 names in either case, and reverse lookups: none" \
    is "$TMP/nx49" 'length == 0'
# 60 names over 10 minutes: never 50 in one 5-minute window
for i in $(seq 60); do
	r $((T0 + i * 10000000000)) 10.0.0.2 10.0.0.1 4000 $i n$i.nx.test 3 40
done | alerts >"$TMP/nxslow"
check "nxdomain: 60 names in 10 minutes, 30 a window: none" \
    is "$TMP/nxslow" 'length == 0'
for i in $(seq 30); do
	r $((T0 + i * 1000000000)) 10.0.0.2 10.0.0.1 4000 $i n$i.nx.test 3 40
done | alerts --dns-nxdomain 20 >"$TMP/nx20"
check "nxdomain: --dns-nxdomain 20 alerts on 30 names, count 20" \
    is "$TMP/nx20" 'length == 1 and .[0].count == 20 and .[0].threshold == 20'

# IPv6
for i in $(seq 55); do
	printf '{"type":"packet","ts":%s,"ipv6":{"nxt":17,"src":"2001:db8::53","dst":"2001:db8::2"},"udp":{"sport":53,"dport":4000,"len":60},"dns":{"id":%s,"qr":true,"rcode":3,"q":[{"name":"v6n%s.nx.test"}]}}\n' \
	    $((T0 + i * 1000000)) $i $i
done | alerts >"$TMP/nx6"
check "nxdomain: over IPv6, with the flow's Community ID" \
    is "$TMP/nx6" 'length == 1 and .[0].src == "2001:db8::2" and
    .[0].dst == "2001:db8::53" and (.[0].community_id | startswith("1:"))'

# --- dns_tunnel, long_label ---
L52=$(b32 a 52) L48=$(b32 b 48)
{
	q $T0 10.0.0.2 10.0.0.1 4000 1 "$L52.t.example.com"
	q $T0 10.0.0.2 10.0.0.1 4000 2 "$L48.t.example.com"
	q $T0 10.0.0.2 10.0.0.1 4000 3 "$L52.10.in-addr.arpa"
	q $T0 10.0.0.2 10.0.0.1 4000 4 "$L52.printer.local"
	q $T0 10.0.0.2 10.0.0.1 4000 5 "$L52.s3.amazonaws.com"
	q $T0 10.0.0.2 10.0.0.1 4000 6 "$L52.zen.spamhaus.org"
	q $T0 10.0.0.2 10.0.0.1 4000 7 "$L52.ours.example"
	q $T0 10.0.0.2 10.0.0.1 4000 8 "$L52"
	# 20 bytes written as 80 characters: short on the wire
	q $T0 10.0.0.3 10.0.0.1 4000 9 "$(printf '\\\\xff%.0s' $(seq 20)).x.example.net"
	q $T0 10.0.0.3 10.0.0.1 4000 9 "$(printf '\\\\xfe%.0s' $(seq 50)).y.example.net"
	q $T0 10.0.0.4 10.0.0.1 4000 10 "$L52.xamazonaws.com"
	# shapes decode/dns.c never writes: a label of 64 bytes, empty
	# labels, the root, no question name, no QR flag
	q $T0 10.0.0.5 10.0.0.1 4000 11 "$(hex x 64).a.example"
	q $T0 10.0.0.5 10.0.0.1 4000 12 "..$L52..a.example"
	q $T0 10.0.0.5 10.0.0.1 4000 13 "<Root>"
	q $T0 10.0.0.5 10.0.0.1 4000 14 ""
	printf '{"type":"packet","ts":%s,"ip":{"proto":17,"src":"10.0.0.5","dst":"10.0.0.1"},"udp":{"sport":4000,"dport":53,"len":60},"dns":{"id":15,"q":[{"name":"%s.b.example"}]}}\n' $T0 "$L52"
	printf '{"type":"packet","ts":%s,"ip":{"proto":17,"src":"10.0.0.5","dst":"10.0.0.1"},"udp":{"sport":4000,"dport":53,"len":60},"dns":{"id":16,"qr":false,"q":[]}}\n' $T0
	# mDNS: the port is 5353, not 53
	printf '{"type":"packet","ts":%s,"ip":{"proto":17,"src":"10.0.0.5","dst":"224.0.0.251"},"udp":{"sport":5353,"dport":5353,"len":60},"dns":{"id":0,"qr":false,"q":[{"name":"%s.c.example"}]}}\n' $T0 "$L52"
} | alerts --dns-allow ours.example >"$TMP/long"
check "long_label: a 52-byte first label alerts, naming the parent" \
    is "$TMP/long" '[.[] | select(.src == "10.0.0.2")] | length == 1 and
    .[0].kind == "dns_tunnel" and .[0].style == "long_label" and
    .[0].domain == "example.com" and .[0].count == 52 and
    .[0].threshold == 48 and .[0].severity == "medium" and
    .[0].evidence[0].name == "'"$L52"'.t.example.com"'
check "long_label: 48 bytes, reverse, .local, amazonaws.com, spamhaus.org, --dns-allow, one label: none" \
    is "$TMP/long" '[.[] | select(.src == "10.0.0.2")] | length == 1'
check "long_label: escaped bytes count once (20: none; 50: one, under example.net)" \
    is "$TMP/long" '[.[] | select(.src == "10.0.0.3")] | length == 1 and
    .[0].count == 50 and .[0].domain == "example.net"'
check "long_label: an exception by whole labels (xamazonaws.com is none)" \
    is "$TMP/long" '[.[] | select(.src == "10.0.0.4")] | length == 1 and
    .[0].domain == "xamazonaws.com"'
check "long_label: names no DNS message carries, no QR flag, port 5353: none" \
    is "$TMP/long" '[.[] | select(.src == "10.0.0.5")] | length == 0'
check "long_label: nothing on stderr" test ! -s "$TMP/err"

# --- dns_tunnel, many_subdomains ---
for i in $(seq 60); do
	q $((T0 + i * 1000000000)) 10.0.0.5 10.0.0.1 4000 $i "$(hex $i 32).exfil.co.uk"
done | alerts >"$TMP/many"
check "many_subdomains: 32-hex labels: one alert at 38 (38 x 32 >= 1200), parent exfil.co.uk" \
    is "$TMP/many" 'length == 1 and .[0].style == "many_subdomains" and
    .[0].domain == "exfil.co.uk" and .[0].count == 38 and
    .[0].threshold == 30 and .[0].key == "dns_tunnel 10.0.0.5 exfil.co.uk" and
    (.[0].evidence | length) == 2'
# a monitor resolving 300 hosts of its company: many, short labels
for i in $(seq 300); do
	q $((T0 + i * 100000000)) 10.0.0.6 10.0.0.1 4000 $i "web-$i.prod.example.org"
done | alerts >"$TMP/short"
check "many_subdomains: 300 short host names under one parent: none" \
    is "$TMP/short" 'length == 0'
# a CDN's long names: 10 of them, each asked for 20 times
for j in $(seq 20); do
	for i in $(seq 10); do
		q $((T0 + (j * 10 + i) * 100000000)) 10.0.0.7 10.0.0.1 4000 $i \
		    "d$(hex $i 40).edge.cdn-like.net"
	done
done | alerts >"$TMP/cdn"
check "many_subdomains: 10 long CDN names asked for 200 times: none" \
    is "$TMP/cdn" 'length == 0'
# one tunnel, both styles: one alert, the rest held back
for i in $(seq 60); do
	q $((T0 + i * 1000000000)) 10.0.0.8 10.0.0.1 4000 $i "$(b32 $i 56).t.tun.example"
done | nm-detect -q | nm-render -o json |
    jq -c 'select(.type == "alert" or .type == "end")' >"$TMP/one"
check "dns_tunnel: a tunnel's 60 queries: one alert per suppression interval" \
    is "$TMP/one" '([.[] | select(.type == "alert")] | length == 1) and
    (.[-1].detect.alerts == 1 and .[-1].detect.suppressed == 60)'

# --- dns_large_reply ---
{
	q $T0 10.0.0.2 10.0.0.1 4000 1 big.test
	r $((T0 + 1)) 10.0.0.2 10.0.0.1 4000 1 big.test 0 700
	q $T0 10.0.0.2 10.0.0.9 4000 2 big.test 4096
	r $((T0 + 1)) 10.0.0.2 10.0.0.9 4000 2 big.test 0 700
	q $T0 10.0.0.2 10.0.0.10 4000 3 big.test 600
	r $((T0 + 1)) 10.0.0.2 10.0.0.10 4000 3 big.test 0 700
	r $((T0 + 1)) 10.0.0.2 10.0.0.11 4000 3 big.test 0 700
	q $T0 10.0.0.2 10.0.0.12 4000 4 big.test 100
	r $((T0 + 1)) 10.0.0.2 10.0.0.12 4000 4 big.test 0 512
	q $T0 10.0.0.2 10.0.0.13 4000 5 big.test
	r $((T0 + 1)) 10.0.0.2 10.0.0.13 4000 6 big.test 0 700
	r $((T0 + 1)) 10.0.0.2 10.0.0.13 4001 5 big.test 0 700
} | alerts >"$TMP/large"
check "large_reply: 700 bytes to a query without EDNS, and over its EDNS 600: two alerts" \
    is "$TMP/large" 'length == 2 and
    ([.[] | [.kind, .src, .dst, .count, .threshold]] ==
    [["dns_large_reply", "10.0.0.2", "10.0.0.1", 700, 512],
    ["dns_large_reply", "10.0.0.2", "10.0.0.10", 700, 600]]) and
    .[0].severity == "low" and .[0].evidence[0].len == 700'
check "large_reply: under EDNS 4096, no query seen, 512 bytes, another id or port: none" \
    is "$TMP/large" '[.[] | .dst] == ["10.0.0.1", "10.0.0.10"]'
{
	q $T0 10.0.0.2 10.0.0.1 4000 1 big.test
	r $((T0 + 1)) 10.0.0.2 10.0.0.1 4000 1 big.test 0 700
} | alerts --ignore 10.0.0.2 >"$TMP/ign"
check "--ignore the client: none" is "$TMP/ign" 'length == 0'
{
	q $T0 10.0.0.2 10.0.0.1 4000 1 big.test
	r $((T0 + 1)) 10.0.0.2 10.0.0.1 4000 1 big.test 0 700
} | alerts --dns-reply-max 1232 >"$TMP/max"
check "--dns-reply-max 1232: none" is "$TMP/max" 'length == 0'

# --- bounded state: every table full, evictions counted ---
for i in $(seq 400); do
	q $((T0 + i * 1000000)) 10.1.$((i / 250)).$((i % 250)) 10.0.0.1 4000 $i "s.p$i.example"
	r $((T0 + i * 1000000 + 1)) 10.1.$((i / 250)).$((i % 250)) 10.0.0.1 4000 $((i + 1000)) x$i.example 3 40
done | nm-detect -q --dns-parents 64 --dns-clients 64 --dns-queries 64 |
    nm-render -o json | jq -c 'select(.type == "end") | .detect' >"$TMP/evict"
check "tables of 64: 400 clients' queries, parents and NXDOMAINs evict ($(cat "$TMP/evict"))" \
    is "$TMP/evict" '.[0].evicted >= 3 * (400 - 64) - 3 and .[0].alerts == 0'

# sets of an odd number of items: entries of an odd number of 4-byte
# words (a sanitizer build reports a misaligned entry on stderr)
for i in $(seq 5); do
	r $((T0 + i * 1000000000)) 10.0.0.2 10.0.0.1 4000 $i n$i.nx.test 3 40
	r $((T0 + i * 1000000000)) 10.0.0.4 10.0.0.1 4000 $i n$i.nx.test 3 40
	q $((T0 + i * 1000000000)) 10.0.0.3 10.0.0.1 4000 $i "$(hex $i 20).odd.example"
	q $((T0 + i * 1000000000)) 10.0.0.5 10.0.0.1 4000 $i "$(hex $i 20).odd.example"
done | alerts --dns-nxdomain 3 --dns-subdomains 3 --dns-tunnel-score 9 \
    --dns-tunnel-label-mean 3 >"$TMP/odd"
check "sets of 3: two clients' bursts and tunnels" \
    is "$TMP/odd" '([.[] | .kind] | sort) == ["dns_nxdomain_burst",
    "dns_nxdomain_burst", "dns_tunnel", "dns_tunnel"] and all(.count == 3)'
check "sets of 3: nothing on stderr" test ! -s "$TMP/err"

# --- random messages, names of every shape, tiny tables ---
# (under tests/sanitize.t this is the DNS module's fuzz run: any error
# of ASan or UBSan shows on stderr)
if command -v python3 >/dev/null; then
	cat >"$TMP/rnd.py" <<'EOF'
import json, random, sys
random.seed(int(sys.argv[1]))
alpha = "abcdefXYZ0123456789-_.\\x<>"
def name():
    k = random.random()
    if k < 0.05:
        return random.choice(["", "<Root>", "<Name too long>", ".", ".."])
    n = random.choice([3, 10, 50, 64, 120, 300, 1030, 1100])
    s = "".join(random.choice(alpha) for _ in range(n))
    if random.random() < 0.6:
        parts = ["a" * random.randint(1, 70), "\\xff" * random.randint(1, 20),
                 "co", "uk", "com", "in-addr", "arpa", "local", "x",
                 s[:random.randint(0, 80)]]
        s = ".".join(random.choice(parts) for _ in range(random.randint(1, 9)))
    return s
ts = 1700000000000000000
for i in range(int(sys.argv[2])):
    ts += random.randint(0, 3000000000)
    qr = random.random() < 0.5
    d = {"id": random.randint(0, 70000) if random.random() < 0.9 else 5, "qr": qr}
    if random.random() < 0.8:
        d["rcode"] = random.choice([0, 3, 3, 2, 15, 99])
    if random.random() < 0.9:
        d["q"] = [{"name": name()} for _ in range(random.choice([0, 1, 1, 2]))]
    if random.random() < 0.3:
        d["edns"] = {"udp_size": random.choice([0, 100, 512, 600, 4096, 65535, 70000])}
    if random.random() < 0.05:
        d["junk"] = random.choice([[1, 2], {"a": None}, "x", -5, 1.5])
    c = "10.0.%d.%d" % (random.randint(0, 1), random.randint(1, 40))
    srv = "10.9.0.%d" % random.randint(1, 3)
    cp = random.randint(1024, 1030)
    sp, dp = (53, cp) if qr else (cp, 53)
    if random.random() < 0.1:
        sp, dp = 5353, 5353
    src, dst = (srv, c) if qr else (c, srv)
    l4 = "udp" if random.random() < 0.85 else "tcp"
    rec = {"type": "packet", "ts": ts,
           "ip": {"proto": 17 if l4 == "udp" else 6, "src": src, "dst": dst},
           l4: {"sport": sp, "dport": dp, "len": random.randint(0, 70000)},
           "dns": d}
    print(json.dumps(rec))
EOF
	bad=
	for seed in 1 2 3; do
		python3 "$TMP/rnd.py" $seed 20000 |
		    nm-detect -q --suppress 0 --dns-parents 64 --dns-clients 64 \
		    --dns-queries 64 --dns-nxdomain 3 --dns-subdomains 3 \
		    --dns-tunnel-score 11 --dns-tunnel-label-mean 1 \
		    >"$TMP/rnd.out" 2>"$TMP/rnd.err"
		st=$?
		grep -v 'input ended early' "$TMP/rnd.err" >"$TMP/rnd.err2"
		[ "$st" = 0 ] && [ ! -s "$TMP/rnd.err2" ] ||
		    bad="$bad seed $seed: status $st $(head -c 300 "$TMP/rnd.err2")"
	done
	check "20000 random messages, three seeds: no error${bad:+:$bad}" \
	    test -z "$bad"
else
	skip "random messages: needs python3"
fi

# --- the reference captures: no DNS alert is right there ---
if [ -d "$SHARED/pcaps" ]; then
	n=0 files=0
	for f in "$SHARED"/pcaps/*.pcap "$SHARED"/pcaps/*.pcapng; do
		[ -f "$f" ] || continue
		files=$((files + 1))
		c=$(nm-capture -r "$f" 2>/dev/null | nm-decode 2>/dev/null |
		    nm-detect -q 2>/dev/null | nm-render -o json 2>/dev/null |
		    jq -r 'select(.type == "alert") | .kind' | grep -c '^dns_')
		n=$((n + c))
	done
	check "the $files reference captures: no DNS alert ($n)" test "$n" -eq 0
else
	skip "reference captures: ../shared/pcaps is not there"
fi

# --- live: dnsmasq in one namespace, dig in the other ---
NSS=nmdS$$ NSC=nmdC$$ IFS_=nmds$$ IFC=nmdc$$
PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	rm -rf "$TMP"
}
live_skip() { skip "detect-dns live: $*"; exit 0; }
for t in dnsmasq dig tcpdump python3 nm-capture nm-decode; do
	command -v $t >/dev/null || live_skip "needs $t"
done
netns_ok || live_skip "$NETNS_WHY"
trap cleanup EXIT
ip netns add "$NSS" && ip netns add "$NSC" &&
    ip link add "$IFS_" netns "$NSS" type veth peer name "$IFC" netns "$NSC" ||
    live_skip "cannot make network namespaces"
ip -n "$NSS" addr add 10.53.0.1/24 dev "$IFS_"
ip -n "$NSS" addr add 10.53.0.3/24 dev "$IFS_"
for a in 2 4 5 6 7 8; do ip -n "$NSC" addr add 10.53.0.$a/24 dev "$IFC"; done
ip -n "$NSS" link set "$IFS_" up
ip -n "$NSC" link set "$IFC" up
ip -n "$NSS" link set lo up
# addresses on a veth go through duplicate address detection (IPv6 only:
# these are IPv4), but the link takes a moment to come up: wait for it
for i in $(seq 50); do
	ip netns exec "$NSC" ping -c 1 -W 1 10.53.0.1 >/dev/null 2>&1 && break
	sleep 0.1
done

# dnsmasq: NXDOMAIN under nx.test (local, no upstream), every name under
# exfil.test, tunnel.test and cdn.test answered, a TXT record of 800 bytes
S=$(printf 'x%.0s' $(seq 200))
ip netns exec "$NSS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv \
    --no-hosts --listen-address=10.53.0.1 --bind-interfaces --user=root \
    --local=/nx.test/ --address=/exfil.test/10.53.0.9 \
    --address=/tunnel.test/10.53.0.9 --address=/cdn.test/10.53.0.9 \
    --txt-record=big.test,${S}1 --txt-record=big.test,${S}2 \
    --txt-record=big.test,${S}3 --txt-record=big.test,${S}4 \
    >"$TMP/dnsmasq.log" 2>&1 &
PIDS="$PIDS $!"
# dnsmasq truncates an answer to 512 bytes for a query without EDNS (TC
# set), as it must: a server that does not is this one, on 10.53.0.3
cat >"$TMP/big.py" <<'EOF'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.53.0.3", 53))
txt = b"".join(struct.pack("!HHHIH", 0xc00c, 16, 1, 60, 201) +
               bytes([200]) + bytes([0x61 + i]) * 200 for i in range(3))
while True:
    q, a = s.recvfrom(4096)
    if len(q) < 12:
        continue
    end = q.index(b"\0", 12) + 5  # the question's name, type and class
    s.sendto(q[:2] + b"\x85\x00\x00\x01\x00\x03\x00\x00\x00\x00" +
             q[12:end] + txt, a)
EOF
ip netns exec "$NSS" python3 "$TMP/big.py" 2>"$TMP/big.err" &
PIDS="$PIDS $!"
for i in $(seq 50); do
	ip netns exec "$NSC" dig +tries=1 +time=1 @10.53.0.1 up.cdn.test \
	    >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec "$NSC" tcpdump -i "$IFC" -U -w "$TMP/live.pcap" udp port 53 \
    2>"$TMP/tcpdump.err" &
TPID=$!
PIDS="$PIDS $TPID"
for i in $(seq 50); do
	grep -q listening "$TMP/tcpdump.err" && break
	sleep 0.1
done

# ask FROM SERVER FILE [DIG-OPTION...]: the names in FILE, one dig
ask() {
	local from=$1 srv=$2 file=$3
	shift 3
	ip netns exec "$NSC" dig -b "$from" @"$srv" +tries=1 +time=2 "$@" \
	    -f "$file" >/dev/null 2>&1
}
for i in $(seq 60); do echo "miss$i.nx.test"; done >"$TMP/nx60"
for i in $(seq 20); do echo "gone$i.nx.test"; done >"$TMP/nx20"
for i in $(seq 5); do echo "$(b32 t$i 56).t.tunnel.test TXT"; done >"$TMP/long"
for i in $(seq 45); do echo "$(hex e$i 40).exfil.test"; done >"$TMP/exfil"
for j in $(seq 10); do
	for i in $(seq 6); do
		echo "d$(hex c$i 24).e$(hex k$i 45).cdn.test"
	done
done >"$TMP/cdn"
ask 10.53.0.2 10.53.0.1 "$TMP/nx60"
ask 10.53.0.4 10.53.0.1 "$TMP/nx20"
ask 10.53.0.2 10.53.0.1 "$TMP/long"
ask 10.53.0.5 10.53.0.1 "$TMP/exfil"
ask 10.53.0.6 10.53.0.1 "$TMP/cdn"
echo "big.test TXT" >"$TMP/big"
ask 10.53.0.7 10.53.0.3 "$TMP/big" +noedns +ignore
ask 10.53.0.8 10.53.0.3 "$TMP/big" +bufsize=4096
ask 10.53.0.8 10.53.0.1 "$TMP/big" +noedns +ignore
# tcpdump may lag behind what its filter took on a busy machine: stop it
# once its file has not grown for a second (at most 20 s)
last=-1 still=0
for i in $(seq 200); do
	size=$(stat -c %s "$TMP/live.pcap" 2>/dev/null || echo 0)
	if [ "$size" = "$last" ]; then
		still=$((still + 1))
		[ $still -ge 10 ] && break
	else
		still=0 last=$size
	fi
	sleep 0.1
done
kill -INT "$TPID" 2>/dev/null
wait "$TPID" 2>/dev/null

nm-capture -r "$TMP/live.pcap" 2>/dev/null | nm-decode | nm-detect |
    nm-render -o json >"$TMP/live.json"
jq -c 'select(.type == "alert")' "$TMP/live.json" >"$TMP/live"
nq=$(jq -s '[.[] | select(.type == "packet" and .dns)] | length' "$TMP/live.json")
check "live: the capture holds the DNS messages ($nq of 2 x 193)" \
    test "$nq" -ge 380
check "live: 60 NXDOMAIN names: one burst alert naming client and resolver" \
    is "$TMP/live" '[.[] | select(.kind == "dns_nxdomain_burst")] |
    length == 1 and .[0].src == "10.53.0.2" and .[0].dst == "10.53.0.1" and
    .[0].count == 50 and (.[0].evidence[0].name | test("^miss[0-9]+\\.nx\\.test$"))'
check "live: 20 NXDOMAIN names: none" \
    is "$TMP/live" '[.[] | select(.src == "10.53.0.4")] | length == 0'
check "live: 56-character base32 labels: one long_label alert, parent tunnel.test" \
    is "$TMP/live" '[.[] | select(.src == "10.53.0.2" and .kind == "dns_tunnel")] |
    length == 1 and .[0].style == "long_label" and .[0].domain == "tunnel.test" and
    .[0].count == 56'
check "live: 45 unique 40-hex subdomains: one many_subdomains alert, parent exfil.test" \
    is "$TMP/live" '[.[] | select(.src == "10.53.0.5")] | length == 1 and
    .[0].kind == "dns_tunnel" and .[0].style == "many_subdomains" and
    .[0].domain == "exfil.test" and .[0].count == 30'
check "live: 6 long CDN-like names asked 10 times each: none" \
    is "$TMP/live" '[.[] | select(.src == "10.53.0.6")] | length == 0'
check "live: a 664-byte UDP answer to dig +noedns +ignore: one large_reply alert" \
    is "$TMP/live" '[.[] | select(.kind == "dns_large_reply")] | length == 1 and
    .[0].src == "10.53.0.7" and .[0].dst == "10.53.0.3" and .[0].count > 512 and
    .[0].threshold == 512'
check "live: the same under EDNS 4096, and dnsmasq truncating to 512: none" \
    is "$TMP/live" '[.[] | select(.src == "10.53.0.8")] | length == 0'
check "live: no other alert (4 in all)" is "$TMP/live" 'length == 4'
