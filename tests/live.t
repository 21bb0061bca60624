# Real traffic: two network namespaces joined by a veth pair, a web server
# (busybox httpd) and a DNS server (dnsmasq) in one, ping, dig and curl in
# the other.  nm-capture and tcpdump capture the same veth side by side;
# they must see the same frames (count, bytes, timestamps), nm must read
# tcpdump's file the same way it read the wire, and agree with tshark on
# the main fields.  Then latency: at a low rate each packet must reach
# nm-render within 100 ms of its kernel timestamp.  Needs root; skips
# (saying why) when it cannot make namespaces.  Every wait is bounded.
# exclusive: each packet must reach nm-render within 100 ms, and
# tcpdump and nm-capture must both keep up with the same veth
source "$(dirname "$0")/lib.sh"

tag=$$
nsa=nmla$tag nsb=nmlb$tag
va=nmva$tag vb=nmvb$tag
pids=()

if [ "$(id -u)" -ne 0 ]; then
	skip "live: needs root for network namespaces"
	exit 0
fi
for t in ip tcpdump dnsmasq busybox curl dig ping timeout; do
	if ! command -v $t >/dev/null; then
		skip "live: $t is not installed (make deps-test)"
		exit 0
	fi
done
for p in nm-capture nm-decode nm-render; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "live: $p is not built"
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
	skip "live: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
if ! ip netns add "$nsa" 2>"$TMP/err"; then
	skip "live: ip netns add failed: $(head -n 1 "$TMP/err")"
	exit 0
fi
ip netns add "$nsb"
in_a() { ip netns exec "$nsa" "$@"; }
in_b() { ip netns exec "$nsb" "$@"; }

# state: the link
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb"
in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add 10.78.0.1/24 dev "$va"
in_b ip addr add 10.78.0.2/24 dev "$vb"
in_a ip -6 addr add fd78::1/64 dev "$va" nodad
in_b ip -6 addr add fd78::2/64 dev "$vb" nodad
in_a ip link set "$va" up
in_b ip link set "$vb" up

# state: servers
mkdir -p "$TMP/www"
echo "hello from nm live.t" >"$TMP/www/index.html"
# Background jobs call ip directly: a function would run in a subshell,
# and killing that would leave the program running.
ip netns exec "$nsb" timeout 60 busybox httpd -f -p 80 -h "$TMP/www" &
pids+=("$!")
ip netns exec "$nsb" timeout 60 dnsmasq -k -C /dev/null --no-resolv --no-hosts \
    --bind-interfaces --listen-address=10.78.0.2 --user=root \
    --address=/example.test/10.78.0.2 --local=/test/ \
    --pid-file="$TMP/dnsmasq.pid" --log-facility=/dev/null &
pids+=("$!")

wait_for 5 in_a timeout 1 dig +tries=1 +time=1 @10.78.0.2 example.test \
    >/dev/null || fail "live: dnsmasq did not answer"

# --- the same packets, seen by nm-capture and by tcpdump ---
# The kernel's own IPv6 multicast (router solicitations, MLD reports, DAD)
# comes at times of its choosing, maybe while only one of the two is
# listening: both leave it out.  tcpdump starts first; nm-capture after it
# is listening; only then does the traffic start.
filter='not ip6 multicast'
ip netns exec "$nsa" timeout 30 tcpdump -i "$va" -s 0 -U -n -Z root \
    --immediate-mode \
    --time-stamp-precision=nano -w "$TMP/td.pcap" "$filter" \
    2>"$TMP/td.err" &
tpid=$!
pids+=("$tpid")
wait_for 5 grep -q listening "$TMP/td.err" ||
    fail "live: tcpdump did not start: $(head -n 1 "$TMP/td.err")"
ip netns exec "$nsa" timeout 30 nm-capture -i "$va" "$filter" \
    >"$TMP/live.mp" 2>"$TMP/cap.err" &
cpid=$!
pids+=("$cpid")
wait_for 5 test -s "$TMP/live.mp" ||
    fail "live: nm-capture wrote no header: $(head -n 1 "$TMP/cap.err")"
sleep 0.3

in_a timeout 5 ping -c 3 -i 0.2 -W 1 10.78.0.2 >/dev/null
in_a timeout 5 dig +tries=1 +time=1 @10.78.0.2 example.test A >/dev/null
in_a timeout 5 dig +tries=1 +time=1 @10.78.0.2 nothere.test A >/dev/null
in_a timeout 5 curl -s -m 3 -o "$TMP/got" http://10.78.0.2/
check "live: curl fetched the page" cmp -s "$TMP/got" "$TMP/www/index.html"
in_a timeout 5 ping -6 -c 2 -i 0.2 -W 1 fd78::2 >/dev/null
in_a timeout 5 nc -z -w1 10.78.0.2 79-81 2>/dev/null
sleep 0.5

# SIGTERM: a background job of a script ignores SIGINT.
kill -TERM "$cpid" "$tpid" 2>/dev/null
wait "$cpid"
crc=$?
wait "$tpid"
check "live: nm-capture ended cleanly on SIGTERM (exit $crc)" \
    test "$crc" -eq 0
check "live: nm-capture said nothing unexpected" \
    test "$(grep -vc -e dropping -e 'packets\|received\|captured' \
    "$TMP/cap.err")" -eq 0

set -o pipefail
js() { nm-decode -k | nm-render -o json; }
js <"$TMP/live.mp" >"$TMP/live.json"
check "live: live stream decodes (exit $?)" test $? -eq 0
nm-capture -r "$TMP/td.pcap" 2>/dev/null | js >"$TMP/td.json"
check "live: tcpdump's file decodes" test $? -eq 0
set +o pipefail

ntd=$(tcpdump -n -r "$TMP/td.pcap" 2>/dev/null | wc -l)
nlive=$(grep -c '"type":"packet"' "$TMP/live.json")
if [ "$ntd" -ge 20 ] && [ "$nlive" -eq "$ntd" ]; then
	pass "live: same packet count ($nlive)"
else
	fail "live: nm-capture saw $nlive packets, tcpdump $ntd (want >= 20)"
	tail -n 3 "$TMP/td.err" "$TMP/cap.err"
fi

# Frame bytes and lengths, packet by packet.
frames() {
	grep '"type":"packet"' "$1" |
	    sed 's/.*"len":\([0-9]*\),"caplen":\([0-9]*\),"data":"\([0-9a-f]*\)".*/\1 \2 \3/'
}
frames "$TMP/live.json" >"$TMP/live.frames"
frames "$TMP/td.json" >"$TMP/td.frames"
same_file "live: same frame bytes as tcpdump" "$TMP/td.frames" \
    "$TMP/live.frames"

# Decoded fields: live pipeline against nm's reading of tcpdump's file.
# Each socket takes its own timestamp, a few microseconds apart: the times
# are compared within 1 ms, every other field exactly.
args=()
while read -r f; do
	[ -n "$f" ] && args+=(-e "$f")
done <"$NM_TOP/tests/fields.txt"
nm-decode <"$TMP/live.mp" | nm-render -o fields "${args[@]}" \
    >"$TMP/live.tsv"
nm-capture -r "$TMP/td.pcap" 2>/dev/null | nm-decode |
    nm-render -o fields "${args[@]}" >"$TMP/td.tsv"
cut -f 2- "$TMP/live.tsv" >"$TMP/live.rest"
cut -f 2- "$TMP/td.tsv" >"$TMP/td.rest"
same_file "live: same fields from the wire and from tcpdump's file" \
    "$TMP/td.rest" "$TMP/live.rest"
far=$(paste <(cut -f 1 "$TMP/td.tsv") <(cut -f 1 "$TMP/live.tsv") |
    awk '{ d = $1 - $2; if (d < 0) d = -d; if ($2 == "" || d > 0.001) n++ }
	END { print n + 0 }')
check "live: timestamps within 1 ms of tcpdump's ($far apart)" \
    test "$far" -eq 0

# A few fields against tshark's reading of the same file.
if command -v tshark >/dev/null; then
	few=(ip.src ip.dst tcp.srcport tcp.dstport udp.srcport dns.qry.name
	    icmp.type)
	fa=()
	for f in "${few[@]}"; do fa+=(-e "$f"); done
	tshark -n -r "$TMP/td.pcap" -T fields -E occurrence=f "${fa[@]}" \
	    2>/dev/null >"$TMP/tshark.tsv"
	nm-capture -r "$TMP/td.pcap" 2>/dev/null | nm-decode |
	    nm-render -o fields "${fa[@]}" >"$TMP/nm.tsv"
	same_file "live: ${few[*]} as tshark reads them" "$TMP/tshark.tsv" \
	    "$TMP/nm.tsv"
else
	skip "live: tshark comparison: tshark is not installed"
fi

# --- latency: each packet reaches nm-render within 100 ms ---
# The reader stamps each line as it arrives; the capture timestamp is the
# kernel's, so the difference is the pipeline's delay.
stamp() {
	local line
	while IFS= read -r line; do
		echo "$line ${EPOCHREALTIME:-$(date +%s.%N)}"
	done
}
(ip netns exec "$nsa" timeout 6 nm-capture -i "$va" icmp 2>"$TMP/lat.err" | nm-decode |
    nm-render -o fields -e frame.time_epoch | stamp >"$TMP/lat.txt") &
lpid=$!
pids+=("$lpid")
sleep 1.5
in_a timeout 5 ping -c 5 -i 0.3 -W 1 10.78.0.2 >/dev/null
wait_for 10 eval '! kill -0 $lpid 2>/dev/null'
nlat=$(wc -l <"$TMP/lat.txt")
slow=$(awk '{ d = $2 - $1; if (d >= 0.1 || d < -0.01) printf " %.3fs", d }' \
    "$TMP/lat.txt")
worst=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.1f", m * 1000 }' \
    "$TMP/lat.txt")
if [ "$nlat" -ne 10 ]; then
	fail "live: latency: $nlat of 10 echo packets reached nm-render:" \
	    "$(head -n 1 "$TMP/lat.err")"
elif [ -n "$slow" ]; then
	fail "live: latency: packets took$slow (want < 0.1 s)"
else
	pass "live: latency: all 10 packets within 100 ms (worst $worst ms)"
fi
