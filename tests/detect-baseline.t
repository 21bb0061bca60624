# The detectors' baseline (issue 13): a few minutes of ordinary traffic
# between two network namespaces must raise no alert.  A server side runs
# busybox httpd (small pages and a 64 MB file, one connection a request),
# python3's http.server speaking HTTP/1.1 (kept-alive connections),
# dnsmasq (A, AAAA, CNAME, MX, TXT, PTR, long CDN-like names, and
# NXDOMAIN for the odd typo), an NTP-like UDP responder and a listening
# nc; the client side fetches pages in a loop (several at once, kept
# alive and not), looks names up with dig and through the C library,
# downloads the large file twice, pings over IPv4 and IPv6, keeps one
# SSH-like TCP session open with a line each way every second, and makes
# two connections to closed ports, as a client does now and then.
# Everything is captured live on the client's side twice at once: by
# nm-capture into a file, and by the whole pipeline (nm-capture |
# nm-decode | nm-stats -q | nm-render -o json).  Both must hold no alert
# record and nm-stats' end record detect.alerts == 0 (nm-detect on the
# saved stream too); the figures of the traffic (fetches, DNS answers,
# bytes, pings, the session's lines) show it happened; and the same
# saved stream under much lower thresholds gives the alerts it should,
# so the zero is no blind detector's.  BASE_SECS sets the length (180 s
# by default, 45 in the sanitizer copy of the suite, 45 at least).  Needs root; skips, saying why, without it
# or the tools.  Every loop is bounded in count and time, and every
# process and namespace is removed on exit.
# long: about three minutes of traffic
source "$(dirname "$0")/lib.sh"

# The sanitizer copy of the suite looks for memory errors, not for a
# false alarm over minutes: the shortest run serves it.
if [ -n "${NM_SANITIZE_COPY:-}" ]; then
	secs=${BASE_SECS:-45}
else
	secs=${BASE_SECS:-180}
fi
[ "$secs" -ge 45 ] || secs=45 # the typos and rounds below need that
tag=$$
nss=nmbS$tag nsc=nmbC$tag
vs=nmbs$tag vc=nmbc$tag
S=10.82.0.1 C=10.82.0.2 S6=fd82::1 C6=fd82::2
pids=()

if [ "$(id -u)" -ne 0 ]; then
	skip "detect-baseline: needs root for network namespaces"
	exit 0
fi
for t in ip busybox dnsmasq curl dig ping nc python3 timeout jq sysctl; do
	if ! command -v $t >/dev/null; then
		skip "detect-baseline: $t is not installed (make deps-test)"
		exit 0
	fi
done
for p in nm-capture nm-decode nm-stats nm-render; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "detect-baseline: $p is not built"
		exit 1
	fi
done
if ! netns_ok; then
	skip "detect-baseline: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi

# Every process started in the namespaces is ours: those `ip netns pids`
# lists are ended by their ids, then the namespaces go.
cleanup() {
	local p ns
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for ns in "$nsc" "$nss"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
	done
	sleep 0.3
	for ns in "$nsc" "$nss"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$nsc" 2>/dev/null
	ip netns del "$nss" 2>/dev/null
	rm -rf "/etc/netns/$nsc"
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$nss" && ip netns add "$nsc" || {
	skip "detect-baseline: ip netns add failed"
	exit 0
}
in_s() { ip netns exec "$nss" "$@"; }
in_c() { ip netns exec "$nsc" "$@"; }
ip link add "$vs" netns "$nss" type veth peer name "$vc" netns "$nsc"
in_s ip link set lo up
in_c ip link set lo up
in_s ip addr add $S/24 dev "$vs"
in_c ip addr add $C/24 dev "$vc"
in_s ip -6 addr add $S6/64 dev "$vs" nodad
in_c ip -6 addr add $C6/64 dev "$vc" nodad
in_s ip link set "$vs" up
in_c ip link set "$vc" up
# The client's C library asks the namespace's own resolver (ip netns
# exec puts /etc/netns/NAME/resolv.conf over /etc/resolv.conf).
mkdir -p "/etc/netns/$nsc"
echo "nameserver $S" >"/etc/netns/$nsc/resolv.conf"


# --- the servers ---
www=$TMP/www
mkdir -p "$www"
for p in index a b c d; do
	printf '<html><body><p>page %s</p>%s</body></html>\n' "$p" \
	    "$(printf 'text %.0s' $(seq 200))" >"$www/$p.html"
done
printf 'body { margin: 0 }\n%.0s' $(seq 100) >"$www/style.css"
printf 'console.log(1);\n%.0s' $(seq 300) >"$www/app.js"
printf '{"ok": true, "items": [1, 2, 3]}\n' >"$www/api.json"
head -c 20000 /dev/urandom >"$www/logo.png"
big=$((64 * 1024 * 1024))
truncate -s $big "$www/big.bin"
life=$((secs + 90)) # no server outlives the run by much

# Background jobs call ip directly: a function would run in a subshell,
# and killing that would leave the program running.
ip netns exec "$nss" timeout $life busybox httpd -f -p 80 -h "$www" &
pids+=("$!")
ip netns exec "$nss" timeout $life python3 -m http.server --protocol HTTP/1.1 \
    --bind :: --directory "$www" 8080 >/dev/null 2>&1 &
pids+=("$!")
# dnsmasq: the site's names (A and AAAA, with their PTRs), a CNAME, MX and
# TXT records, every name under the CDN-like edge.cdn.test, and NXDOMAIN
# for any other name under test. or 82.10.in-addr.arpa.
ip netns exec "$nss" timeout $life dnsmasq -k -C /dev/null --no-resolv \
    --no-hosts --bind-interfaces --listen-address=$S,$S6 --user=root \
    --host-record=www.site.test,$S,$S6 --host-record=app.site.test,$S,$S6 \
    --host-record=files.site.test,$S,$S6 --host-record=mail.site.test,$S \
    --cname=static.site.test,www.site.test \
    --cname=images.site.test,www.site.test \
    --mx-host=site.test,mail.site.test,10 \
    --txt-record=site.test,"v=spf1 mx -all" \
    --txt-record=_dmarc.site.test,"v=DMARC1; p=none" \
    --address=/edge.cdn.test/$S --address=/edge.cdn.test/$S6 --local=/test/ \
    --local=/82.10.in-addr.arpa/ \
    --log-facility=/dev/null &
pids+=("$!")
# NTP-like: 48 bytes in, 48 bytes out (mode 4, the server's clock)
cat >"$TMP/ntpd.py" <<'EOF'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 123))
while True:
    q, a = s.recvfrom(512)
    if len(q) < 48:
        continue
    now = time.time() + 2208988800
    ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
    s.sendto(b"\x24\x02\x06\xec" + bytes(8) + b"LOCL" + ts +
             q[40:48] + ts + ts, a)
EOF
ip netns exec "$nss" timeout $life python3 "$TMP/ntpd.py" $S \
    2>"$TMP/ntpd.err" &
pids+=("$!")

# ready: the link up, and each server answering (before the capture)
wait_for 10 in_c ping -c 1 -W 1 $S >/dev/null 2>&1 ||
    fail "detect-baseline: the link did not come up"
wait_for 10 in_c dig +tries=1 +time=1 @$S www.site.test >/dev/null ||
    fail "detect-baseline: dnsmasq did not answer"
wait_for 10 in_c curl -s -m 1 -o /dev/null http://$S/ ||
    fail "detect-baseline: busybox httpd did not answer"
wait_for 10 in_c curl -s -m 1 -o /dev/null http://$S:8080/ ||
    fail "detect-baseline: python3's http.server did not answer"

# The neighbour caches start empty, as after a boot, and their entries go
# stale within seconds (5 s, not 30): the capture sees the kernels'
# ordinary ARP and neighbour discovery, first resolutions and re-probes.
for ns in "$nss" "$nsc"; do
	v=$vs
	[ "$ns" = "$nsc" ] && v=$vc
	ip netns exec "$ns" sysctl -qw \
	    "net.ipv4.neigh.$v.base_reachable_time_ms=5000" \
	    "net.ipv6.neigh.$v.base_reachable_time_ms=5000"
	ip -n "$ns" neigh flush dev "$v"
done

# --- the client's traffic: one script each, run in the client namespace ---
# web N SECS OUT: N rounds two seconds apart, for SECS at most; each line
# of OUT is one fetch (status, bytes, connections made), and OUT.rounds
# says how many rounds were made.
cat >"$TMP/web.sh" <<'EOF'
n=$1 end=$((SECONDS + $2)) out=$3
# cf [-6] URL...: one curl, each URL's body thrown away
cf() {
	local a=() u
	for u; do
		case $u in
		-*) a+=("$u") ;;
		*) a+=(-o /dev/null "$u") ;;
		esac
	done
	curl -s -m 10 -w '%{http_code} %{size_download} %{num_connects}\n' \
	    "${a[@]}"
}
for ((i = 1; i <= n && SECONDS < end; i++)); do
	# a page and what it links, from busybox: a connection each
	cf http://www.site.test/ http://static.site.test/style.css \
	    http://images.site.test/logo.png
	# the application server keeps the connection: three requests, one
	cf http://app.site.test:8080/api.json http://app.site.test:8080/a.html \
	    http://app.site.test:8080/app.js
	# now and then several at once, as a browser opens them
	if ((i % 5 == 0)); then
		for p in a b c d; do cf http://www.site.test/$p.html & done
		cf -6 "http://[fd82::1]:8080/b.html" \
		    "http://[fd82::1]:8080/c.html" &
		wait
	fi
	# the odd mistyped address
	((i == 10)) && cf http://ww.site.test/
	echo $i >"$out.rounds"
	sleep 2
done >>"$out"
EOF
# big OUT: the large file twice, at full speed from busybox and at 4 MB/s
# over a kept-alive HTTP/1.1 connection, after a small request on it
cat >"$TMP/big.sh" <<'EOF'
out=$1
w='%{http_code} %{size_download} %{num_connects}\n'
curl -s -m 60 -o /dev/null -w "$w" http://files.site.test/big.bin >>"$out"
sleep 10
curl -s -m 60 --limit-rate 4M -w "$w" \
    -o /dev/null http://files.site.test:8080/api.json \
    -o /dev/null http://files.site.test:8080/big.bin >>"$out"
EOF
# dns N OUT: N lookups 1.5 s apart, through both of the server's addresses,
# of every kind a client asks; four typos and an unknown address spread
# over the run (each answered NXDOMAIN once: a handful, as normal).  Each
# line of OUT is one answer's status.
cat >"$TMP/dns.sh" <<'EOF'
n=$1 out=$2
q=("www.site.test A" "www.site.test AAAA" "static.site.test A"
    "site.test MX" "site.test TXT" "_dmarc.site.test TXT +tcp"
    "mail.site.test A"
    "-x 10.82.0.1" "-x fd82::1" "app.site.test AAAA" "images.site.test CNAME"
    "r4---sn-h5q7knes.gvt1.edge.cdn.test A"
    "e6858.dscx.akamaiedge.edge.cdn.test A"
    "d3c33hcgiwev3.cloudfront.edge.cdn.test AAAA"
    "scontent-ams4-1.xx.fbcdn.edge.cdn.test A"
    "ec2-54-239-28-85.compute-1.amazonaws.edge.cdn.test A"
    "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6.s3-accelerate.edge.cdn.test A"
    "edge-star-mini-shv-01-ams4.facebook.edge.cdn.test A"
    "prod-eu-west-1-static-assets-bucket.storage.edge.cdn.test A")
typo=("wwww.site.test A" "sit.test MX" "app.sitte.test A" "-x 10.82.0.77")
for ((i = 0; i < n; i++)); do
	srv=10.82.0.1
	((i % 3 == 2)) && srv=fd82::1
	k=$((i * 5 / n))
	if ((i > 0 && k > 0 && i == (k * n + 4) / 5)); then
		# through the first nameserver, as the C library would
		srv=10.82.0.1
		set -- ${typo[k - 1]}
	else
		set -- ${q[i % ${#q[@]}]}
	fi
	r=$(dig +tries=1 +time=2 @$srv "$@")
	s=$(printf '%s\n' "$r" | grep -o 'status: [A-Z]*')
	echo "${s:-no answer} $srv $*"
	sleep 1.5
done >>"$out"
EOF
# ntp N OUT: N requests 8 s apart from an ephemeral port, as chrony
cat >"$TMP/ntp.py" <<'EOF'
import socket, struct, sys, time
n, out = int(sys.argv[2]), open(sys.argv[3], "a")
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    now = time.time() + 2208988800  # the transmit time, as NTP counts
    ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
    s.sendto(b"\x23" + bytes(39) + ts, (sys.argv[1], 123))
    try:
        r, _ = s.recvfrom(512)
        print(len(r), file=out, flush=True)
    except socket.timeout:
        print("timeout", file=out, flush=True)
    s.close()
    time.sleep(8)
EOF
# lines N WHO: a line every second, N of them
cat >"$TMP/lines.sh" <<'EOF'
for ((i = 1; i <= $1; i++)); do
	echo "$2 $i $(date +%s.%N)"
	sleep 1
done
EOF

# --- the captures: into a file, and the whole pipeline live ---
clife=$((secs + 60))
ip netns exec "$nsc" timeout $clife nm-capture -i "$vc" \
    >"$TMP/base.mp" 2>"$TMP/cap.err" &
cpid=$!
pids+=("$cpid")
mkfifo "$TMP/live.fifo"
ip netns exec "$nsc" timeout $clife nm-capture -i "$vc" \
    >"$TMP/live.fifo" 2>"$TMP/livecap.err" &
lcpid=$!
pids+=("$lcpid")
nm-decode <"$TMP/live.fifo" 2>"$TMP/live.err" | nm-stats -q 2>>"$TMP/live.err" |
    nm-render -o json >"$TMP/live.json" 2>>"$TMP/live.err" &
lpid=$!
pids+=("$lpid")
wait_for 10 test -s "$TMP/base.mp" ||
    fail "detect-baseline: nm-capture wrote no header: $(head -n 1 "$TMP/cap.err")"
wait_for 10 grep -q '"type":"header"' "$TMP/live.json" ||
    fail "detect-baseline: the live pipeline wrote no header: $(head -n 1 "$TMP/live.err" "$TMP/livecap.err")"
sleep 0.3

# --- the traffic ---
t0=$(date +%s)
nsess=$((secs - 20))
npings=$((secs - 10))
clients=()
# the SSH-like session first: the server side listens, then the client
# logs in; each side ends after its lines (nc -N: shut down on EOF)
ip netns exec "$nss" timeout $((secs + 20)) bash -c \
    "bash '$TMP/lines.sh' $nsess server | nc -N -l $S 2222 >'$TMP/sess.srv'" &
clients+=("$!")
sleep 0.5
ip netns exec "$nsc" timeout $((secs + 20)) bash -c \
    "bash '$TMP/lines.sh' $nsess client | nc -N $S 2222 >'$TMP/sess.cli'" &
clients+=("$!")
ip netns exec "$nsc" timeout $((secs + 10)) ping -c $npings -i 1 -W 2 $S \
    >"$TMP/ping4" 2>&1 &
clients+=("$!")
ip netns exec "$nsc" timeout $((secs + 10)) ping -6 -c $((npings / 2)) \
    -i 2 -W 2 $S6 >"$TMP/ping6" 2>&1 &
clients+=("$!")
ip netns exec "$nsc" timeout $((secs + 20)) bash "$TMP/web.sh" $secs \
    $((secs - 15)) "$TMP/web.out" &
clients+=("$!")
ndns=$(((secs - 15) * 2 / 3))
ip netns exec "$nsc" timeout $((secs + 20)) bash "$TMP/dns.sh" $ndns \
    "$TMP/dns.out" &
clients+=("$!")
nntp=$(((secs - 10) / 9))
ip netns exec "$nsc" timeout $((secs + 20)) python3 "$TMP/ntp.py" $S $nntp \
    "$TMP/ntp.out" 2>"$TMP/ntp.err" &
clients+=("$!")
sleep 5
ip netns exec "$nsc" timeout 150 bash "$TMP/big.sh" "$TMP/big.out" &
clients+=("$!")
# Two connections to closed ports, a third and two thirds of the way in:
# an old bookmark's https port, a service that is not running.
sleep $((secs / 3 - 5))
in_c curl -s -m 5 -o /dev/null https://$S:8443/
sleep $((secs / 3))
in_c curl -s -m 5 -o /dev/null http://$S:9090/
for p in "${clients[@]}"; do
	wait "$p"
done
t1=$(date +%s)
sleep 1
kill -TERM "$cpid" "$lcpid" 2>/dev/null
wait "$cpid"
crc=$?
wait "$lcpid"
lcrc=$?
wait "$lpid"
check "detect-baseline: nm-capture to a file ended cleanly (exit $crc)" \
    test "$crc" -eq 0
check "detect-baseline: the live nm-capture ended cleanly (exit $lcrc)" \
    test "$lcrc" -eq 0
pass "detect-baseline: $((t1 - t0)) s of traffic (BASE_SECS=$secs)"

# --- what the detectors made of it ---
nm-decode <"$TMP/base.mp" >"$TMP/base.dec" 2>"$TMP/dec.err"
check "detect-baseline: the saved stream decodes (exit $?)" test $? -eq 0
nm-stats -q <"$TMP/base.dec" 2>"$TMP/stats.err" | nm-render -o json \
    >"$TMP/base.json"
# no_alerts WHAT FILE [STAGE]: FILE (JSON) holds no alert record, and the
# end record of STAGE (nm-stats) counted none.  A false positive is shown whole: the alert
# (kind, style, who, how many, its message) and its records as written.
no_alerts() {
	local what=$1 file=$2 stage=${3:-nm-stats} got n e
	got=$(jq -c 'select(.type == "alert")' "$file")
	n=$(printf '%s' "$got" | grep -c .)
	if [ "$n" -eq 0 ]; then
		pass "detect-baseline: $what: 0 alerts"
	else
		fail "detect-baseline: $what: $n alerts, false positives:" \
		    "$(printf '%s\n' "$got" | jq -c '[.kind, .style, .src,
			.dst, .port, .count, .msg]' | head -n 10 | tr '\n' ' ')"
		printf '%s\n' "$got" | head -n 5
	fi
	e=$(jq -r --arg p "$stage" 'select(.type == "end" and .producer == $p) |
	    .detect.alerts' "$file")
	check "detect-baseline: $what: the end record of $stage, detect.alerts $e" \
	    test "$e" = 0
}
no_alerts "the saved stream" "$TMP/base.json"
no_alerts "the live pipeline" "$TMP/live.json"
# the same engine as a stage of its own
nm-detect -q <"$TMP/base.dec" 2>"$TMP/detect.err" | nm-render -o json \
    >"$TMP/detect.json"
no_alerts "nm-detect on the saved stream" "$TMP/detect.json" nm-detect
check "detect-baseline: the live pipeline said nothing on stderr" \
    test "$(cat "$TMP/live.err" "$TMP/livecap.err" | grep -c .)" -eq 0

# --- the traffic really happened ---
# the live pipeline saw about what the file did (two sockets, one link)
pf=$(jq -r 'select(.type == "end" and .producer == "nm-stats") | .packets' \
    "$TMP/base.json")
pl=$(jq -r 'select(.type == "end" and .producer == "nm-stats") | .packets' \
    "$TMP/live.json")
cov=$(jq -r 'select(.type == "stats") | .capture.coverage // empty' \
    "$TMP/live.json" | tail -n 1)
[ -n "$pl" ] && [ -n "$pf" ] && [ "$pf" -ge 1000 ] &&
    [ $((pl * 100)) -ge $((pf * 90)) ] && [ $((pl * 100)) -le $((pf * 110)) ]
verdict $? "detect-baseline: packets: $pf in the file, $pl live (coverage ${cov:-?}%)"

fields=(frame.len ip.src ipv6.src tcp.srcport tcp.dstport tcp.flags
    udp.srcport udp.dstport icmp.type icmpv6.type dns.flags.response
    dns.flags.rcode dns.qry.name arp.opcode)
fa=()
for f in "${fields[@]}"; do fa+=(-e "$f"); done
nm-render -o fields "${fa[@]}" <"$TMP/base.dec" >"$TMP/base.tsv"
# col N VALUE: packets whose field N (fields above, from 1) is VALUE
col() { awk -F '\t' -v c="$1" -v v="$2" '$c == v { n++ } END { print n + 0 }' \
    "$TMP/base.tsv"; }
# the kernels' own traffic, judged with the rest: ARP, neighbour
# discovery, MLD and router solicitations (no check: their number is
# the kernels' choice)
narp=$(awk -F '\t' '$14 != ""' "$TMP/base.tsv" | grep -c .)
nnd=$(($(col 10 135) + $(col 10 136)))
nmld=$(($(col 10 143) + $(col 10 133)))
pass "detect-baseline: the kernels' own: $narp ARP, $nnd neighbour discovery, $nmld MLD and router solicitation"

# HTTP: each fetch curl made, and each GET on the wire (requests are the
# client's data segments to ports 80 and 8080 that begin "GET ")
nok=$(cat "$TMP/web.out" "$TMP/big.out" | grep -c '^200 ')
nall=$(cat "$TMP/web.out" "$TMP/big.out" | grep -c .)
nm-render -o json -Y "ip.src == $C or ipv6.src == $C6" <"$TMP/base.dec" |
    jq -r 'select(.type == "packet" and .tcp and
	(.tcp.dport == 80 or .tcp.dport == 8080) and .plen > 0) |
	.data[.poff * 2 : .poff * 2 + 8]' >"$TMP/req"
nget=$(grep -c '^47455420$' "$TMP/req")
nconn=$(jq -r 'select(.type == "flow" and .proto == "TCP" and
    (.dport == 80 or .dport == 8080)) | .dport' "$TMP/base.json" | grep -c .)
nweb=$(cat "$TMP/web.out.rounds")
[ "$nweb" -ge $((secs / 4)) ] && [ "$nok" -ge $((nweb * 6)) ] &&
    [ "$nget" -ge "$nok" ] &&
    [ "$nconn" -lt "$nget" ]
verdict $? "detect-baseline: HTTP: $nweb rounds, $nok fetches of $nall answered 200, $nget GETs on the wire, $nconn connections (some kept alive)"
# the large file, twice
nbig=$(jq -r --argjson b $big 'select(.type == "flow" and .proto == "TCP" and
    .resp.bytes >= $b) | .resp.bytes' "$TMP/base.json" | grep -c .)
bbig=$(jq -r --argjson b $big 'select(.type == "flow" and .proto == "TCP" and
    .resp.bytes >= $b) | .resp.bytes' "$TMP/base.json" |
    awk '{ n += $1 } END { print n + 0 }')
got=$(grep -c "^200 $big " "$TMP/big.out")
[ "$nbig" -eq 2 ] && [ "$got" -eq 2 ]
verdict $? "detect-baseline: the large download: $got of 2 whole, $bbig bytes in $nbig flows"
# DNS: the client's questions and their answers on the wire, by rcode
nq=$(awk -F '\t' '$13 != "" && $11 == "0"' "$TMP/base.tsv" | grep -c .)
nans=$(col 11 1)
nnx=$(awk -F '\t' '$11 == "1" && $12 == "3"' "$TMP/base.tsv" | grep -c .)
nxn=$(awk -F '\t' '$11 == "1" && $12 == "3" { print $13 }' "$TMP/base.tsv" |
    sort -u | grep -c .)
ndig=$(grep -c 'status: NOERROR' "$TMP/dns.out")
[ "$ndig" -ge $((ndns - 6)) ] && [ "$nans" -ge "$ndig" ] &&
    [ "$nans" -ge $((nq * 98 / 100)) ] && [ "$nxn" -ge 5 ] && [ "$nxn" -le 8 ]
verdict $? "detect-baseline: DNS: $nq questions, $nans answers ($ndig NOERROR to dig), $nnx NXDOMAIN of $nxn names"
# ping, both ways of each family
n4=$(col 9 0)
n6=$(col 10 129)
[ "$n4" -ge $((npings - 3)) ] && [ "$n6" -ge $((npings / 2 - 3)) ]
verdict $? "detect-baseline: ping: $n4 echo replies over IPv4 (of $npings), $n6 over IPv6 (of $((npings / 2)))"
# the session: every line arrived, and the capture holds one connection
ls=$(grep -c '^server ' "$TMP/sess.cli")
lc=$(grep -c '^client ' "$TMP/sess.srv")
nsf=$(jq -r 'select(.type == "flow" and .dport == 2222) |
    "\(.orig.packets + .resp.packets)"' "$TMP/base.json")
[ "$ls" -eq "$nsess" ] && [ "$lc" -eq "$nsess" ] &&
    [ "$(printf '%s\n' "$nsf" | grep -c .)" -eq 1 ] &&
    [ "${nsf:-0}" -ge $((nsess * 2)) ]
verdict $? "detect-baseline: the SSH-like session: $lc lines up, $ls down, one connection of ${nsf:-0} packets"
# NTP and the two refused connections
nntpr=$(col 7 123)
nrst=$(awk -F '\t' -v s=$S '$2 == s && ($4 == 8443 || $4 == 9090) &&
    $6 == "0x0014"' "$TMP/base.tsv" | grep -c .)
[ "$nntpr" -ge $((nntp - 1)) ] && [ "$nrst" -eq 2 ]
verdict $? "detect-baseline: NTP: $nntpr replies (of $nntp); $nrst connections refused"

# --- and the detectors are not blind: the same stream, lower thresholds ---
# lowered OPTIONS...: the alerts the saved stream gives with OPTIONS,
# one line each: kind, style, src, dst, count
lowered() {
	nm-stats -q "$@" <"$TMP/base.dec" 2>/dev/null | nm-render -o json |
	    jq -c 'select(.type == "alert") |
		[.kind, .style, .src, .dst, .count]'
}
# The two refused connections are two failed ports of one server: a
# port_scan (connect: the kernel's own SYNs) once two ports make one.
got=$(lowered --scan-ports 2)
check "detect-baseline: --scan-ports 2: the two refused ports are one port_scan ($got)" \
    test "$got" = "[\"port_scan\",\"connect\",\"$C\",\"$S\",2]"
# The typos and the unknown address are distinct names answered NXDOMAIN
# to one client: a burst once two make one (the rest are suppressed).
got=$(lowered --dns-nxdomain 2)
check "detect-baseline: --dns-nxdomain 2: the typos are one NXDOMAIN burst ($got)" \
    test "$got" = "[\"dns_nxdomain_burst\",null,\"$C\",\"$S\",2]"
# Every threshold low at once: those two and no more.  No host_sweep at
# --sweep-hosts 2, for every failure is at the one server; no syn_flood
# at one SYN a second over one second, for each handshake completes
# within a millisecond and the two refused SYNs are all that stay
# half-open, far from one in every tenth of a second of a window.
got=$(lowered --scan-ports 2 --sweep-hosts 2 --syn-rate 1 --syn-window 1 \
    --dns-nxdomain 2)
kinds=$(printf '%s\n' "$got" | jq -r '.[0]' | sort | tr '\n' ' ')
check "detect-baseline: every threshold low: $(printf '%s\n' "$got" | grep -c .) alerts ($kinds)" \
    test "$kinds" = "dns_nxdomain_burst port_scan "
