# nm-detect's ARP detectors (detect/arp.c, nm-detect(1) "ARP").
# First on captures tools/arpgen.py writes, frame by frame (python3):
# each style of arp_spoof and arp_flood, suppression of one spoofing
# session into one alert, the benign virtual MACs and the allow-list,
# RFC 5227 probes, the bounded table, and zero ARP alerts on pktgen's
# traffic and the reference captures in ../shared/pcaps.  Then live, as
# root: three namespaces (victim, gateway, attacker) on a bridge, tcpdump
# writing what the victim sees, with real tools: normal traffic (ping,
# curl against busybox httpd) raises no ARP alert, arpspoof (dsniff)
# claiming the gateway's address to the victim exactly one, a mac_change
# naming both MACs (an unsolicited_reply when it began before the
# capture); arping's gratuitous floods above the threshold one
# arp_flood and below it none; arping -s forging a MAC for the gateway's
# address a mac_change; a frame whose Ethernet source is not its ARP
# sender an eth_mismatch; a VRRP failover (the gateway takes the virtual
# MAC 00:00:5e:00:01:01 and announces it) none.  Every wait is bounded.
# long: two million packets of pktgen's, and a minute of live phases
source "$(dirname "$0")/lib.sh"

gen=$NM_TOP/tests/tools/arpgen.py
tag=$$
pids=()

for p in nm-capture nm-decode nm-detect nm-render; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "detect-arp: $p is not built"
		exit 1
	fi
done
if ! command -v jq >/dev/null; then
	skip "detect-arp: jq is not installed (make deps-test)"
	exit 0
fi

cleanup() {
	local p n
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for n in sw v g a; do
		ip netns del "nm$n$tag" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# detect FILE [OPTION...]: the alerts of a capture, one JSON line each, in
# $TMP/alerts, and the end record's detect map in $TMP/end; status that
# of the pipeline's nm-detect
detect() {
	local f=$1 st
	shift
	nm-capture -r "$f" 2>"$TMP/cap.err" | nm-decode 2>"$TMP/dec.err" |
	    nm-detect -q "$@" 2>"$TMP/det.err" | nm-render -o json >"$TMP/json"
	st=${PIPESTATUS[2]}
	jq -c 'select(.type == "alert")' "$TMP/json" >"$TMP/alerts"
	jq -c 'select(.type == "end" and .detect) | .detect' "$TMP/json" \
	    >"$TMP/end"
	return "$st"
}
# nalerts [JQ-CONDITION]: how many alerts in $TMP/alerts meet it
nalerts() {
	jq -c "select(${1:-true})" "$TMP/alerts" | wc -l
}
narp() {
	nalerts '.kind == "arp_spoof" or .kind == "arp_flood"'
}
# one FILE NAME CONDITION [OPTION...]: the capture gives exactly one
# alert, and it meets CONDITION
one() {
	local f=$1 name=$2 cond=$3
	shift 3
	detect "$f" "$@" &&
	    [ "$(nalerts)" = 1 ] && [ "$(nalerts "$cond")" = 1 ]
	if [ $? = 0 ]; then
		pass "$name"
	else
		fail "$name: $(nalerts) alerts: $(jq -c '[.style, .src, .mac, .old_mac, .eth_src]' "$TMP/alerts" | head -n 5 | tr '\n' ' ')"
	fi
}
# none FILE NAME [OPTION...]: no ARP alert
none() {
	local f=$1 name=$2
	shift 2
	if ! detect "$f" "$@"; then
		fail "$name: nm-detect failed: $(head -n 1 "$TMP/det.err")"
	elif [ "$(narp)" = 0 ]; then
		pass "$name"
	else
		fail "$name: $(narp) ARP alerts: $(jq -c '[.style, .src, .mac, .old_mac, .eth_src]' "$TMP/alerts" | head -n 5 | tr '\n' ' ')"
	fi
}
# spec NAME: a capture from the frames on stdin, $TMP/NAME.pcap
spec() {
	python3 "$gen" write "$TMP/$1.pcap"
}

G=02:00:00:00:00:01 V=02:00:00:00:00:02 X=02:00:00:00:00:03
Z=00:00:00:00:00:00 B=ff:ff:ff:ff:ff:ff

if ! command -v python3 >/dev/null; then
	skip "detect-arp: python3 is not installed, no capture to read"
else
	# the victim asks for the gateway; from 10 s an attacker tells the
	# victim every 2 s that the gateway is at its MAC; the gateway's own
	# reply at 17 s; at 30 s arpspoof's clean-up re-ARPs the real MAC
	# from the attacker's Ethernet source
	spec spoof <<-EOF
	0     req $V 10.0.0.2 $Z 10.0.0.1
	0.001 rep $G 10.0.0.1 $V 10.0.0.2
	10    rep $X 10.0.0.1 $V 10.0.0.2
	repeat 5 2
	17    req $V 10.0.0.2 $Z 10.0.0.1
	17.01 rep $G 10.0.0.1 $V 10.0.0.2
	30    rep $G 10.0.0.1 $V 10.0.0.2 $X
	repeat 2 1
	EOF
	one "$TMP/spoof.pcap" "spoofing session: one mac_change naming both MACs" \
	    '.kind == "arp_spoof" and .style == "mac_change" and
	    .src == "10.0.0.1" and .dst == "10.0.0.2" and .mac == "'$X'" and
	    .old_mac == "'$G'" and .severity == "high" and
	    (.msg | test("unsolicited reply to 10.0.0.2")) and
	    .evidence[0].mac == "'$G'" and .evidence[1].mac == "'$X'"'
	[ "$(jq .suppressed "$TMP/end")" -ge 2 ]
	verdict $? "spoofing session: the flips back are held back, counted"
	# with a short interval the flips are alerts of their own
	detect "$TMP/spoof.pcap" --suppress 3
	[ "$(nalerts '.style == "flip_flop" and .mac == "'$G'" and
	    .old_mac == "'$X'"')" -ge 1 ] &&
	    [ "$(nalerts '.style == "flip_flop" and .eth_src == "'$X'"')" = 1 ]
	verdict $? "flip_flop: back to the MAC before, and the clean-up's Ethernet source"

	# arpspoof begun before the capture: the spoofed MAC is the first
	# learnt, its unsolicited replies are what shows
	spec unsol <<-EOF
	0     req $V 10.0.0.2 $Z 10.0.0.1
	0.001 rep $G 10.0.0.1 $V 10.0.0.2
	1     rep $X 10.0.0.5 $V 10.0.0.2
	10    rep $X 10.0.0.99 $V 10.0.0.2
	repeat 9 2
	EOF
	one "$TMP/unsol.pcap" "replies nobody asked for: one unsolicited_reply" \
	    '.style == "unsolicited_reply" and .src == "10.0.0.99" and
	    .mac == "'$X'" and .count == 3 and .threshold == 3 and
	    .dst == "10.0.0.2"'
	none "$TMP/unsol.pcap" "two of them: below arp-unsolicited" \
	    --arp-unsolicited 11
	# a second reply to a request answered already was not asked for
	spec answered <<-EOF
	0     req $V 10.0.0.2 $Z 10.0.0.3
	10    req $V 10.0.0.2 $Z 10.0.0.1
	10.01 rep $G 10.0.0.1 $V 10.0.0.2
	10.02 rep $G 10.0.0.1 $V 10.0.0.2
	EOF
	one "$TMP/answered.pcap" "a second reply to one request: unsolicited" \
	    '.style == "unsolicited_reply" and .count == 1' --arp-unsolicited 1
	# but a host that asked twice may get two
	spec retry <<-EOF
	0     req $V 10.0.0.2 $Z 10.0.0.3
	10    req $V 10.0.0.2 $Z 10.0.0.1
	11    req $V 10.0.0.2 $Z 10.0.0.1
	11.01 rep $G 10.0.0.1 $V 10.0.0.2
	11.02 rep $G 10.0.0.1 $V 10.0.0.2
	EOF
	none "$TMP/retry.pcap" "two requests, two replies: none unsolicited" \
	    --arp-unsolicited 1
	# no reply judged in the stream's first reply window
	spec early <<-EOF
	0     rep $G 10.0.0.1 $V 10.0.0.2
	4     rep $X 10.0.0.3 $V 10.0.0.2
	EOF
	none "$TMP/early.pcap" "the first reply window: no reply judged" \
	    --arp-unsolicited 1

	spec mismatch <<-EOF
	0     req $G 10.0.0.1 $Z 10.0.0.2
	5     req $G 10.0.0.1 $Z 10.0.0.2 $X
	repeat 3 1
	EOF
	one "$TMP/mismatch.pcap" "eth_mismatch: the Ethernet source, the ARP sender" \
	    '.style == "eth_mismatch" and .src == "10.0.0.1" and
	    .mac == "'$G'" and .eth_src == "'$X'" and .severity == "medium"'

	# an RFC 5227 probe from 0.0.0.0 teaches nothing; virtual MACs take
	# addresses freely; claiming over one is spoofing
	spec benign <<-EOF
	0     req $X 0.0.0.0 $Z 10.0.0.7
	2     req $V 10.0.0.7 $B 10.0.0.7
	3     req $G 10.0.0.1 $Z 10.0.0.2
	3.1   req $G 10.0.0.11 $Z 10.0.0.2
	3.2   req $G 10.0.0.12 $Z 10.0.0.2
	3.3   req $G 10.0.0.13 $Z 10.0.0.2
	4     req 00:00:5e:00:01:01 10.0.0.1 $B 10.0.0.1
	4.1   req 00:00:5e:00:02:05 10.0.0.11 $B 10.0.0.11
	4.2   req 00:00:0c:07:ac:01 10.0.0.12 $B 10.0.0.12
	4.3   req 00:00:0c:9f:f0:01 10.0.0.13 $B 10.0.0.13
	EOF
	none "$TMP/benign.pcap" "a probe, VRRP, VRRP for IPv6, HSRP, HSRPv2: no alert"
	spec overvrrp <<-EOF
	0     req $G 10.0.0.1 $Z 10.0.0.2
	1     req 00:00:5e:00:01:01 10.0.0.1 $B 10.0.0.1
	8     rep $X 10.0.0.1 $V 10.0.0.2
	EOF
	one "$TMP/overvrrp.pcap" "a claim over a VRRP MAC: mac_change" \
	    '.style == "mac_change" and .old_mac == "00:00:5e:00:01:01" and
	    .mac == "'$X'"'

	spec allow <<-EOF
	0     req $G 10.0.0.1 $Z 10.0.0.2
	0.1   req $V 10.0.0.2 $Z 10.0.0.1
	1     req $X 10.0.0.1 $Z 10.0.0.2
	2     req $X 10.0.0.2 $Z 10.0.0.1
	EOF
	none "$TMP/allow.pcap" "arp-allow MAC: no alert" --arp-allow "$X"
	one "$TMP/allow.pcap" "arp-allow IP=MAC: that address only" \
	    '.src == "10.0.0.2" and .mac == "'$X'"' --arp-allow "10.0.0.1=$X"
	printf 'arp-allow = 10.0.0.1=%s  # the standby\narp-allow %s\n' \
	    "$X" "${X//:/-}" >"$TMP/conf"
	none "$TMP/allow.pcap" "arp-allow in a config file, dashes" -c "$TMP/conf"
	nm-detect --arp-allow 10.0.0.1=zz </dev/null >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	    grep -q '^nm-detect: --arp-allow: arp-allow 10.0.0.1=zz: zz is not a MAC' \
	    "$TMP/err"
	verdict $? "a bad arp-allow: status 2, one line ($(head -c 100 "$TMP/err"))"

	# floods: 30 gratuitous ARPs in 3 s (limit 20 in 10 s), 10 in 1 s
	spec flood <<-EOF
	0     req $X 10.0.0.9 $B 10.0.0.9
	repeat 29 0.1
	20    rep $V 10.0.0.10 $B 10.0.0.10
	repeat 9 0.1
	EOF
	one "$TMP/flood.pcap" "30 gratuitous ARPs in 3 s: one arp_flood" \
	    '.kind == "arp_flood" and .style == "gratuitous" and
	    .src == "10.0.0.9" and .mac == "'$X'" and .count == 20 and
	    .threshold == 20 and .window == 10000000000 and
	    .severity == "medium"'
	detect "$TMP/flood.pcap" --arp-flood-rate 1
	[ "$(nalerts '.kind == "arp_flood"')" = 2 ] &&
	    [ "$(nalerts '.kind == "arp_flood" and .mac == "'$V'"')" = 1 ]
	verdict $? "arp-flood-rate 1: the 10 in 1 s flood too"

	# the table is bounded: 200 addresses in a table of 16
	for i in $(seq 1 200); do
		echo "$i req 02:00:00:00:01:$(printf %02x $((i % 256))) 10.0.1.$i $Z 10.0.0.1"
	done | spec many
	none "$TMP/many.pcap" "200 addresses, arp-hosts 16: no alert" --arp-hosts 16
	[ "$(jq .evicted "$TMP/end")" -ge 184 ]
	verdict $? "200 addresses, arp-hosts 16: evictions counted ($(cat "$TMP/end"))"
fi

# traffic of a busy link (pktgen's bulk and mix, ARP among it, 10 s of
# it: past the first reply window, with hosts that ask again before
# their answer comes): no ARP alert; and every reference capture (false
# positives, counted)
if [ -x "$NM_TOP/tests/tools/pktgen" ]; then
	for sc in bulk mix; do
		"$NM_TOP/tests/tools/pktgen" $sc "$TMP/$sc.pcap" -n 1000000
		none "$TMP/$sc.pcap" "pktgen $sc, 1000000 packets: no ARP alert"
		rm -f "$TMP/$sc.pcap"
	done
else
	skip "detect-arp: tests/tools/pktgen is not built"
fi
if [ -d "$SHARED/pcaps" ]; then
	n=0 files=0
	for f in "$SHARED"/pcaps/*.pcap "$SHARED"/pcaps/*.pcapng; do
		[ -f "$f" ] || continue
		files=$((files + 1))
		detect "$f" >/dev/null 2>&1
		n=$((n + $(narp)))
	done
	[ "$n" = 0 ]
	verdict $? "the $files reference captures: $n ARP alerts"
else
	skip "detect-arp: no reference captures in $SHARED/pcaps"
fi

# --- live ---
if [ "$(id -u)" -ne 0 ]; then
	skip "detect-arp live: needs root for network namespaces"
	exit 0
fi
for t in ip tcpdump arpspoof arping busybox curl ping timeout python3; do
	if ! command -v $t >/dev/null; then
		skip "detect-arp live: $t is not installed (arpspoof: dsniff)"
		exit 0
	fi
done
if ! arping --help 2>&1 | grep -q -- '-U .*[Uu]nsolicited'; then
	skip "detect-arp live: arping is not Thomas Habets' (package arping)"
	exit 0
fi
if ! netns_ok; then
	skip "detect-arp live: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi

# victim 10.213.0.1, gateway .2, attacker .3, on a bridge in nmsw$tag
MV=02:aa:00:00:00:01 MG=02:aa:00:00:00:02 MA=02:aa:00:00:00:03
VIP=10.213.0.1 GIP=10.213.0.2 AIP=10.213.0.3
in_v() { ip netns exec "nmv$tag" "$@"; }
in_g() { ip netns exec "nmg$tag" "$@"; }
in_a() { ip netns exec "nma$tag" "$@"; }
ip netns add "nmsw$tag" &&
    ip -n "nmsw$tag" link add br0 type bridge &&
    ip -n "nmsw$tag" link set br0 up
i=1
for n in v g a; do
	ip netns add "nm$n$tag" &&
	    ip link add "nmx$n$tag" type veth peer name "nmy$n$tag" &&
	    ip link set "nmx$n$tag" netns "nm$n$tag" &&
	    ip link set "nmy$n$tag" netns "nmsw$tag" &&
	    ip -n "nm$n$tag" link set "nmx$n$tag" name eth0 &&
	    ip -n "nm$n$tag" link set eth0 address "02:aa:00:00:00:0$i" &&
	    ip -n "nm$n$tag" addr add "10.213.0.$i/24" dev eth0 &&
	    ip -n "nm$n$tag" link set eth0 up &&
	    ip -n "nm$n$tag" link set lo up &&
	    ip -n "nmsw$tag" link set "nmy$n$tag" master br0 &&
	    ip -n "nmsw$tag" link set "nmy$n$tag" up
	if [ $? != 0 ]; then
		skip "detect-arp live: could not make the namespaces"
		exit 0
	fi
	i=$((i + 1))
done
mkdir -p "$TMP/www"
echo hello >"$TMP/www/index.html"
ip netns exec "nmg$tag" busybox httpd -f -p "$GIP:8080" -h "$TMP/www" &
pids+=($!)

# capture NAME: tcpdump writes what the victim sees to $TMP/NAME.pcap,
# from caches emptied, so that the phase's first ARP is in it
capture() {
	local n
	for n in v g a; do
		ip -n "nm$n$tag" neigh flush all 2>/dev/null
	done
	# not through in_v: a function in the background is a subshell, $!
	# its pid, and it ignores SIGINT; --immediate-mode, or the last
	# frames wait in the ring for a block timeout tcpdump's exit cuts
	ip netns exec "nmv$tag" tcpdump -i eth0 --immediate-mode -U \
	    -w "$TMP/$1.pcap" \
	    2>"$TMP/tcpdump.err" &
	tcpdump_pid=$!
	pids+=($tcpdump_pid)
	for n in $(seq 50); do
		grep -q 'listening on' "$TMP/tcpdump.err" && break
		sleep 0.1
	done
	# the victim learns the gateway (it asks, the gateway answers)
	in_v ping -c 1 -W 2 "$GIP" >/dev/null
}
stop() {
	local n
	sleep 0.5
	kill -INT "$tcpdump_pid"
	for n in $(seq 50); do
		kill -0 "$tcpdump_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$tcpdump_pid" 2>/dev/null
	wait "$tcpdump_pid" 2>/dev/null
}

# normal traffic: pings each way, web fetches
capture normal
for n in $(seq 3); do
	in_v curl -s -m 5 -o /dev/null "http://$GIP:8080/"
	in_a ping -c 1 -W 2 "$VIP" >/dev/null
	in_g ping -c 1 -W 2 "$AIP" >/dev/null
	in_v ping -c 2 -i 0.2 -W 2 "$AIP" >/dev/null
done
in_v curl -s -m 5 "http://$GIP:8080/" >"$TMP/got"
stop
check "live: the web fetch worked" grep -q hello "$TMP/got"
none "$TMP/normal.pcap" "live: ping, curl: no ARP alert"

# arpspoof tells the victim the gateway is at the attacker's MAC (every
# 2 s), then, on SIGINT, re-ARPs the real one from its own Ethernet
# source; the attacker knows the gateway's MAC for that.  It starts past
# the capture's first reply window (5 s), so its replies are judged: the
# one alert is a mac_change (the address had a MAC, learnt from the
# gateway's reply), saying it came in a reply nobody asked for; the
# later replies, the gateway's own ARP and the clean-up flipping the MAC
# back (from the attacker's Ethernet source) are the same session, held
# back by suppression
capture arpspoof
in_a ping -c 1 -W 2 "$GIP" >/dev/null
sleep 5.5
in_a timeout -s INT 7 arpspoof -i eth0 -t "$VIP" "$GIP" >"$TMP/arpspoof.out" 2>&1
stop
one "$TMP/arpspoof.pcap" "live: arpspoof: one arp_spoof alert, mac_change naming both MACs" \
    '.kind == "arp_spoof" and .style == "mac_change" and .src == "'$GIP'" and
    .mac == "'$MA'" and .old_mac == "'$MG'" and .dst == "'$VIP'" and
    (.msg | test("unsolicited reply"))'
echo "arpspoof: $(jq -r .msg "$TMP/alerts" | head -n 1); detect $(cat "$TMP/end")"

# arpspoof begun before the capture: the first MAC learnt for the
# gateway's address is the attacker's, and what shows is its replies
# nobody asked for (3 past the first reply window: about 10 s).  Killed,
# so that no clean-up re-ARPs the gateway's MAC (the phase above has one)
for n in v g a; do
	ip -n "nm$n$tag" neigh flush all 2>/dev/null
done
in_a ping -c 1 -W 2 "$GIP" >/dev/null
in_a timeout -s KILL 14 arpspoof -i eth0 -t "$VIP" "$GIP" >/dev/null 2>&1 &
spoof_pid=$!
pids+=($spoof_pid)
sleep 1
ip netns exec "nmv$tag" tcpdump -i eth0 --immediate-mode -U \
    -w "$TMP/before.pcap" 2>/dev/null &
tcpdump_pid=$!
pids+=($tcpdump_pid)
wait "$spoof_pid"
stop
one "$TMP/before.pcap" "live: arpspoof begun before the capture: one unsolicited_reply" \
    '.kind == "arp_spoof" and .style == "unsolicited_reply" and
    .src == "'$GIP'" and .mac == "'$MA'" and .dst == "'$VIP'"'

# gratuitous ARP floods from the attacker: 40 at 20/s, then 5 at 1/s
capture flood
in_a timeout 10 arping -q -U -i eth0 -S "$AIP" -c 40 -W 0.05 "$AIP"
stop
one "$TMP/flood.pcap" "live: arping -U, 40 at 20/s: one arp_flood" \
    '.kind == "arp_flood" and .style == "gratuitous" and .src == "'$AIP'" and
    .mac == "'$MA'"'
capture slow
in_a timeout 10 arping -q -U -P -i eth0 -S "$AIP" -c 5 -W 1 "$AIP"
stop
none "$TMP/slow.pcap" "live: arping -U -P, 5 at 1/s: none"

# a forged MAC for the gateway's address
capture forged
in_a timeout 10 arping -q -p -i eth0 -s 02:aa:00:00:00:99 -S "$GIP" -c 2 -W 0.2 "$VIP"
stop
one "$TMP/forged.pcap" "live: arping -s, a forged MAC for the gateway: mac_change" \
    '.style == "mac_change" and .src == "'$GIP'" and
    .mac == "02:aa:00:00:00:99" and .old_mac == "'$MG'"'

# a frame whose Ethernet source is not its ARP sender
capture mismatch
in_a python3 "$gen" send eth0 <<EOF
0 req $MA $AIP $Z $VIP
0.1 req $MA $AIP $Z $VIP 02:aa:00:00:00:77 $B
EOF
stop
one "$TMP/mismatch.pcap" "live: a raw frame, Ethernet source not the sender: eth_mismatch" \
    '.style == "eth_mismatch" and .src == "'$AIP'" and .mac == "'$MA'" and
    .eth_src == "02:aa:00:00:00:77"'

# VRRP failover: the gateway's address moves to the virtual MAC, announced
capture vrrp
in_g ip link set eth0 address 00:00:5e:00:01:01
in_g timeout 10 arping -q -U -i eth0 -S "$GIP" -c 3 -W 0.2 "$GIP"
in_v ping -c 2 -i 0.2 -W 2 "$GIP" >/dev/null
stop
detect "$TMP/vrrp.pcap"
[ "$(narp)" = 0 ] && [ "$(tcpdump -r "$TMP/vrrp.pcap" \
    'arp and ether src 00:00:5e:00:01:01' 2>/dev/null | wc -l)" -ge 3 ]
verdict $? "live: VRRP failover to 00:00:5e:00:01:01: no alert"
