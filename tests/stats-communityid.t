# Every flow record's community_id against tshark's communityid
# dissector (`--enable-protocol communityid`, seed 0): on nm's sample
# capture, on a pktgen mix capture (thousands of TCP, UDP, ICMP and
# ICMPv6 flows, ICMP errors quoting a datagram among them), and on every
# reference capture in ../shared/pcaps (skipped when absent).  Each nm flow
# is matched by its 5-tuple (protocol, and the two endpoints in text
# order; for ICMP the two addresses and the first message's type and
# code, whichever side sent it) to
# tshark's packets of that tuple, and its ID must be one tshark gives them.
# A flow tshark has no packet of that tuple for is counted apart; the
# known ones are listed below.
# long: tshark reads every reference capture and 20,000 packets
source "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || { skip "community_id vs tshark: no tshark"; exit 0; }
command -v jq >/dev/null || { skip "community_id vs tshark: no jq"; exit 0; }
tshark -G protocols 2>/dev/null | grep -q '	communityid$' ||
	{ skip "community_id vs tshark: tshark has no communityid dissector"; exit 0; }

# tshark_ids F: "proto A-addr A-port B-addr B-port id" per tuple and ID
# seen (ICMP: "proto A-addr B-addr type code id").  ICMP first (an error's quoted datagram has ports of its own), a
# field's first value (the outer header's), the last protocol of a chain
# of IPv6 extension headers; no ports: 0, as nm writes them.
tshark_ids() {
	tshark -n -r "$1" --enable-protocol communityid -T fields -E separator=/t \
	    -e ip.proto -e ipv6.nxt -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
	    -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport \
	    -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code \
	    -e communityid 2>/dev/null |
	    awk -F'\t' 'function first(a, b) { sub(/,.*/, "", a); sub(/,.*/, "", b)
		    return a != "" ? a : b }
		function last(a, b) { sub(/.*,/, "", a); sub(/.*,/, "", b)
		    return a != "" ? a : b }
		function port(p) { return p == "" ? 0 : p }
		$15 != "" {
		sp = first($7, $8); dp = first($9, $10)
		if ($11 != "") { p = 1; sp = first($11, ""); dp = first($12, "") }
		else if ($13 != "") { p = 58; sp = first($13, ""); dp = first($14, "") }
		else if ($7 $9 != "") p = 6
		else if ($8 $10 != "") p = 17
		else p = last($1, $2)
		a = first($3, $4); b = first($5, $6)
		if (p == 1 || p == 58)
			print p, (a < b ? a " " b : b " " a), port(sp), port(dp), $15
		else {
			a = a " " port(sp); b = b " " port(dp)
			print p, (a < b ? a " " b : b " " a), $15
		} }' | sort -u
}
# nm_ids F: the same of nm-stats' flow records, one line a flow.
nm_ids() {
	nm-capture -r "$1" 2>/dev/null | nm-decode 2>/dev/null |
	    nm-stats -q -F 1000000 | nm-render -o json |
	    jq -r 'select(.type == "flow") |
		[.proto, .src, .sport, .dst, .dport, .community_id] | @tsv' |
	    awk -F'\t' 'BEGIN { n["ICMP"] = 1; n["IGMP"] = 2; n["TCP"] = 6
		n["UDP"] = 17; n["GRE"] = 47; n["ESP"] = 50; n["AH"] = 51
		n["ICMPv6"] = 58; n["OSPF"] = 89; n["PIM"] = 103
		n["VRRP"] = 112; n["SCTP"] = 132 }
		{ p = $1 in n ? n[$1] : $1; sub(/^IP-/, "", p)
		if (p == 1 || p == 58)
			print p, ($2 < $4 ? $2 " " $4 : $4 " " $2), $3, $5, $6
		else {
			a = $2 " " $3; b = $4 " " $5
			print p, (a < b ? a " " b : b " " a), $6
		} }'
}
# matched F: "matched flows differing absent", the differing and absent
# flows in $TMP/why.
matched() {
	tshark_ids "$1" >"$TMP/t"
	nm_ids "$1" >"$TMP/n"
	awk -v why="$TMP/why" 'FILENAME == ARGV[1] { k = $1 " " $2 " " $3 " " $4 " " $5; have[k] = 1
		id[k " " $6] = 1; next }
		{ k = $1 " " $2 " " $3 " " $4 " " $5; n++
		if (id[k " " $6]) m++
		else if (have[k]) { bad++; print "differs: " $0 >why }
		else { miss++; print "absent from tshark: " $0 >why } }
		END { print m + 0, n + 0, bad + 0, miss + 0 }' "$TMP/t" "$TMP/n"
}
total_m=0 total_n=0
# one NAME F KNOWN: every flow matched, or all but two where KNOWN says
# why not
one() {
	local r m n bad miss
	: >"$TMP/why"
	r=$(matched "$2")
	read -r m n bad miss <<<"$r"
	total_m=$((total_m + m)) total_n=$((total_n + n))
	if [ "$n" -gt 0 ] && [ "$m" = "$n" ]; then
		pass "community_id of $1: $m of $n flows as tshark's"
	elif [ -n "$3" ] && [ $((n - m)) -le 2 ]; then
		pass "community_id of $1: $m of $n flows as tshark's ($3)"
	else
		fail "community_id of $1: $m of $n flows as tshark's, $bad differ, $miss absent"
		head -n 5 "$TMP/why"
	fi
}

one "share/sample.pcap" "$NM_TOP/share/sample.pcap" ""
if [ -x "$NM_TOP/tests/tools/pktgen" ]; then
	"$NM_TOP/tests/tools/pktgen" mix "$TMP/mix.pcap" -n 20000 -s 1
	one "pktgen mix, 20000 packets" "$TMP/mix.pcap" ""
	rm -f "$TMP/mix.pcap"
else
	skip "community_id of pktgen mix: tests/tools/pktgen is not built"
fi

pcaps=$SHARED/pcaps
[ -d "$pcaps" ] || { skip "community_id of the reference captures: $pcaps is absent"; exit 0; }
# A later IPv4 fragment is a flow without ports, hashed on its addresses
# and protocol alone as tshark hashes it (IPv4Frag, frag_http_req). Known
# differences: tshark reassembles IPv6 fragments (ipv6_opt_fragments);
# it finds malformed an ICMP header nm-decode reads
# (icmp-icmp_print-oobr-1) and a UDP header whose length is bad
# (udp-length-heapoverflow); it gives no ID to a packet behind an IPv6
# authentication header (ipv6_options: nm-stats hashes the protocol after
# it), to an ICMPv6 packet with no room for its type (icmpv6-length-zero)
# or to a bare IPv6 fragment header (ip6_frag_asan), both of which
# nm-stats hashes on addresses and protocol.  libpcap refuses mixed link
# types (many_interfaces-1).
declare -A known=(
	[ipv6_opt_fragments]="a later IPv6 fragment: tshark reassembles"
	[icmp-icmp_print-oobr-1]="an ICMP header tshark finds malformed"
	[udp-length-heapoverflow]="a UDP length tshark refuses"
	[ipv6_options]="OSPF behind an IPv6 AH header: tshark gives no ID"
	[ip6_frag_asan]="an IPv6 fragment header: tshark gives no ID"
	[icmpv6-length-zero]="ICMPv6 without a header: tshark gives no ID"
)
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
	name=$(basename "${f%.*}")
	[ "$name" = many_interfaces-1 ] && continue
	nm_ids "$f" | grep -q . || continue # no IP flows
	one "$name" "$f" "${known[$name]:-}"
done
pass "community_id: $total_m of $total_n flows in all matched tshark's"
