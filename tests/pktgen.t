#!/usr/bin/env bash
# pktgen's large scenarios, which make bench reads: the same file for the
# same seed, a shorter file the start of a longer one, bulk's bytes as
# they were (so bench figures compare across runs), web's hellos and
# requests as tshark reads them, and mix what its description says: the
# protocols' shares of all packets, small and full frames, TCP option sets
# that vary, VLANs, and consecutive records that rarely share a layout.  The shares are read back through nm itself.
source "$(dirname "$0")/lib.sh"
PKTGEN=$NM_TOP/tests/tools/pktgen
for p in nm-capture nm-decode nm-render tests/tools/pktgen; do
	[ -x "$NM_TOP/$p" ] || { fail "pktgen: $p is not built (run make)"; exit 1; }
done

# stable SC SEED: the same file for the same seed, a shorter file the
# start of a longer one, another seed another file; leaves SC's 20000
# packets of SEED in $TMP/SC.pcap.
stable() {
	local sc=$1 s=$2 n
	"$PKTGEN" "$sc" "$TMP/$sc.pcap" -n 20000 -s "$s" &&
	    "$PKTGEN" "$sc" "$TMP/$sc.b.pcap" -n 20000 -s "$s" &&
	    "$PKTGEN" "$sc" "$TMP/$sc.c.pcap" -n 2000 -s "$s" &&
	    "$PKTGEN" "$sc" "$TMP/$sc.d.pcap" -n 2000 -s $((s + 1)) ||
	    { fail "pktgen $sc: failed"; exit 1; }
	check "pktgen $sc: the same for the same seed" \
	    cmp -s "$TMP/$sc.pcap" "$TMP/$sc.b.pcap"
	n=$(wc -c <"$TMP/$sc.c.pcap")
	check "pktgen $sc: a shorter file is the start of a longer one" \
	    cmp -s -n "$n" "$TMP/$sc.pcap" "$TMP/$sc.c.pcap"
	check "pktgen $sc: another seed, another file" \
	    bash -c "! cmp -s '$TMP/$sc.c.pcap' '$TMP/$sc.d.pcap'"
}
stable mix 7

# Bulk's first 2000 packets of seed 1, as they were when mix was added:
# a change here changes every bench figure, so make it on purpose.
sum=$("$PKTGEN" bulk - -n 2000 -s 1 | cksum | cut -d ' ' -f 1-2)
check "pktgen bulk: the same bytes as before ($sum)" [ "$sum" = "68656798 342801" ]

# web: the same checks, then what tshark reads in it (its ClientHellos,
# a half of them post-quantum and so in two segments, the HTTP requests,
# the QUIC Initial that decrypts, and every checksum right).
stable web 3
if command -v tshark >/dev/null; then
	tshark -n -r "$TMP/web.pcap" -o tcp.check_checksum:TRUE \
	    -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields \
	    -E "separator=|" -e tls.handshake.type -e tls.handshake.extensions_server_name \
	    -e tls.handshake.extensions_supported_group -e tcp.reassembled.length \
	    -e http.request.method -e http.host -e http.response.code \
	    -e tcp.checksum.status -e udp.checksum.status -e ip.checksum.status \
	    2>/dev/null >"$TMP/web.txt"
	# counts: hellos, named ones, post-quantum ones in two segments,
	# HTTP requests with a Host, responses, example.com (QUIC), bad sums
	set -- $(awk -F"|" '$1 ~ /(^|,)1(,|$)/ { ch++; if ($2 ~ /\.example$/) named++
	    if ($3 ~ /0x11ec/ && $4 > 1448) pq++ }
	    $5 != "" && $6 ~ /\.example$/ { req++ } $7 != "" { rsp++ }
	    $2 == "example.com" { quic++ }
	    $8 == "0" || $9 == "0" || $10 == "0" { bad++ }
	    END { print ch + 0, named + 0, pq + 0, req + 0, rsp + 0, quic + 0, bad + 0 }' \
	    "$TMP/web.txt")
	check "pktgen web: tshark reads $1 ClientHellos (want >= 200)" [ "$1" -ge 200 ]
	check "pktgen web: $2 of them over TCP name a site (want all)" \
	    [ $(($2 + $6)) -eq "$1" ]
	check "pktgen web: $3 post-quantum in two segments (want 35-65%)" \
	    [ $((100 * $3)) -ge $((35 * $1)) -a $((100 * $3)) -le $((65 * $1)) ]
	check "pktgen web: tshark reads $4 HTTP requests, $5 responses (want >= 50)" \
	    [ "$4" -ge 50 -a "$5" -ge 50 ]
	check "pktgen web: the RFC 9001 Initial decrypts ($6 named example.com)" \
	    [ "$6" -ge 1 ]
	check "pktgen web: no checksum tshark finds wrong ($7)" [ "$7" -eq 0 ]
else
	skip "pktgen web: tshark is not installed"
fi

if ! command -v jq >/dev/null; then
	skip "pktgen mix: shares: jq is not installed"
	exit 0
fi
nm-capture -r "$TMP/mix.pcap" | nm-decode | nm-render -o json |
    jq -c 'select(.type == "packet")' >"$TMP/a.json"
# One line per packet: family, protocol, length, TCP header length, VLAN
# tags, error, and the record's layout (its key paths).
jq -r '[(if .ipv6 then "ip6" elif .ip then "ip4" elif .arp then "arp" else "other" end),
    (if .tcp then "tcp" elif .udp then "udp" elif .icmp or .icmpv6 then "icmp" else "-" end),
    .len, (.tcp.hl // "-"), ((.vlan // []) | length), (if .err then "err" else "-" end),
    ([paths(scalars) | map(tostring) | join(".")] | join(",") | @base64)]
    | @tsv' "$TMP/a.json" >"$TMP/a.tsv" 2>"$TMP/jq.err"
if [ ! -s "$TMP/a.tsv" ]; then
	fail "pktgen mix: could not read the packets back: $(head -c 200 "$TMP/jq.err")"
	exit 0
fi
# share WHAT AWKCOND LO HI: the percentage of packets matching AWKCOND
# lies in [LO, HI].
share() {
	local v
	v=$(awk -F '\t' "{ n++ } $2 { k++ } END { printf \"%.1f\", 100 * k / n }" \
	    "$TMP/a.tsv")
	check "pktgen mix: $1 $v% (want $3-$4)" awk -v v="$v" -v lo="$3" \
	    -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }'
}
share "IPv4 TCP" '$1 == "ip4" && $2 == "tcp"' 58 62
share "IPv4 UDP" '$1 == "ip4" && $2 == "udp"' 23 27
share "IPv4 ICMP" '$1 == "ip4" && $2 == "icmp"' 4 6
share "ARP" '$1 == "arp"' 2.4 3.6
share "IPv6" '$1 == "ip6"' 5 7
share "frames of 100 bytes or less" '$3 <= 100' 30 60
share "frames of 1400 bytes or more" '$3 >= 1400' 15 35
share "VLAN-tagged" '$5 > 0' 3 7
share "frames nm flags" '$6 == "err"' 0 0.2
n=$(awk -F '\t' '$2 == "tcp" { print $4 }' "$TMP/a.tsv" | sort -u | wc -l)
check "pktgen mix: TCP header lengths of $n kinds (want >= 4)" [ "$n" -ge 4 ]
same=$(awk -F '\t' '{ n++ } $7 == prev { k++ } { prev = $7 } END { printf "%.1f", 100 * k / n }' \
    "$TMP/a.tsv")
check "pktgen mix: $same% of records laid out as the one before (want < 40%)" \
    awk -v v="$same" 'BEGIN { exit !(v < 40) }'
