# nm-stats' figures against tshark's own statistics.  Top connections:
# the final report's, by packets, against tshark's TCP and UDP
# conversations (`-z conv,tcp -z conv,udp`, one per tcp.stream or
# udp.stream), connections that ended long before the end of the capture
# included, and the number of connections against tshark's, a port used
# again after a close counting anew; on a six-minute capture of many short
# connections made here (tools/conngen.py), on pktgen's bulk traffic, and
# on every reference capture.  Hosts: for every reference capture, each IP
# endpoint's packets and bytes, sent and received, as `tshark -z
# endpoints,ip -z endpoints,ipv6` counts them.  Known differences
# (nm-stats(1), "differences from tshark") are listed.
# long: tshark reads every reference capture and 300,000 packets
source "$(dirname "$0")/lib.sh"
pcaps=$SHARED/pcaps
command -v tshark >/dev/null || { skip "tshark: not installed"; exit 0; }
command -v jq >/dev/null || { skip "tshark top connections: no jq"; exit 0; }

# tshark_convs F: tshark's TCP and UDP conversations, most packets first:
# "proto packets bytes A:port B:port", the endpoints in text order.  Its
# conversation table rounds bytes to kB, so they are added up here from
# each frame's stream (the table's own key) and length.
tshark_convs() {
	tshark -n -r "$1" -Y 'not icmp and not icmpv6' -T fields \
	    -E separator=/t -e tcp.stream -e udp.stream -e ip.src -e ipv6.src \
	    -e ip.dst -e ipv6.dst -e tcp.srcport -e udp.srcport -e tcp.dstport \
	    -e udp.dstport -e frame.len 2>/dev/null |
	    awk -F'\t' 'function first(a, b) { sub(/,.*/, "", a); sub(/,.*/, "", b)
		    return a != "" ? a : b }
		$1 != "" || $2 != "" {
		k = $1 != "" ? "TCP " $1 : "UDP " $2
		if (!(k in n)) {
			a = first($3, $4) ":" first($7, $8)
			b = first($5, $6) ":" first($9, $10)
			ep[k] = a < b ? a " " b : b " " a
		}
		n[k]++; by[k] += $11 }
		END { for (k in n) { split(k, p, " "); print p[1], n[k], by[k], ep[k] } }' |
	    sort -k2,2nr -k3,3nr -k4,5
}
# nm_convs F N [OPTS]: the TCP and UDP connections of nm's final top list
# of N (nm-stats OPTS), in its order, in the same form.
nm_convs() {
	nm-capture -r "$1" 2>/dev/null | nm-decode | nm-stats -q -n "$2" ${3:-} |
	    nm-render -o json | jq -r 'select(.type == "stats" and .final) |
		.top_flows[] | select(.proto == "TCP" or .proto == "UDP") |
		[.proto, .orig.packets + .resp.packets, .orig.bytes + .resp.bytes,
		"\(.src):\(.sport)", "\(.dst):\(.dport)"] | @tsv' |
	    awk -F'\t' '{ print $1, $2, $3, ($4 < $5 ? $4 " " $5 : $5 " " $4) }'
}
# top_same NAME K F N [OPTS]: nm's first K equal tshark's first K by
# packets.  Ties go by bytes in both; where packets and bytes both tie,
# tshark lists by first appearance and nm by address, so rank by rank the
# packets and bytes must match, and every connection nm lists must be one
# of tshark's.
top_same() {
	local name=$1 k=$2 f=$3
	shift 3
	tshark_convs "$f" >"$TMP/tc"
	nm_convs "$f" "$@" | head -n "$k" >"$TMP/nc"
	head -n "$k" "$TMP/tc" >"$TMP/tk"
	if [ ! -s "$TMP/tk" ]; then
		[ -s "$TMP/nc" ] && fail "top connections of $name: tshark has none, nm lists $(wc -l <"$TMP/nc")"
		return
	fi
	sort "$TMP/tc" >"$TMP/tcs"
	if cmp -s <(cut -d ' ' -f 2,3 "$TMP/tk") <(cut -d ' ' -f 2,3 "$TMP/nc") &&
	    [ -z "$(sort "$TMP/nc" | comm -23 - "$TMP/tcs")" ]; then
		pass "top connections of $name: the first $(wc -l <"$TMP/tk") equal tshark's (of $(wc -l <"$TMP/tc"))"
	else
		fail "top connections of $name differ from tshark's (< tshark, > nm)"
		diff "$TMP/tk" "$TMP/nc" | head -n 8
	fi
}

# Six minutes of short connections, a tuple used again after closes, long
# UDP flows quiet for minutes, 20 quiet seconds and a late DNS exchange.
if command -v python3 >/dev/null; then
	python3 "$(dirname "$0")/tools/conngen.py" "$TMP/conns.pcap" 1
	top_same "a six-minute run of short connections" 10 "$TMP/conns.pcap" 10
	top_same "a six-minute run of short connections, by 500" 500 \
	    "$TMP/conns.pcap" 500
	want=$(tshark -n -q -r "$TMP/conns.pcap" -z conv,tcp -z conv,udp 2>/dev/null |
	    grep -c '<->')
	got=$(nm-capture -r "$TMP/conns.pcap" | nm-decode | nm-stats -q |
	    nm-render --color=never | sed -n 's/.*| Connections: \([0-9]*\)$/\1/p')
	check "a port used again after a close: Connections: $got, tshark's conversations $want" \
	    [ "$got" = "$want" ]
	# the reused tuple: tshark's eight conversations, nm's eight flows
	tshark -n -q -r "$TMP/conns.pcap" -z conv,tcp 2>/dev/null |
	    awk '$1 == "10.1.0.99:40000" { print $10 }' | sort -n | tr '\n' ' ' >"$TMP/rt"
	nm-capture -r "$TMP/conns.pcap" | nm-decode | nm-stats -q |
	    nm-render -o json | jq -r 'select(.type == "flow" and .src == "10.1.0.99") |
		"\(.orig.packets + .resp.packets) \(.reason)"' >"$TMP/rn"
	check "a port used again after a close: its connections as tshark's ($(cat "$TMP/rt")), four of them ended by the next SYN" \
	    [ "$(cut -d ' ' -f 1 "$TMP/rn" | sort -n | tr '\n' ' ')" = "$(cat "$TMP/rt")" -a \
	    "$(grep -c ' reused$' "$TMP/rn")" = 4 ]
else
	skip "tshark top connections: no python3 to make the capture"
fi

# pktgen's bulk traffic, 3 s of it (tens of thousands of connections),
# intervals of 1 s.  Its largest sessions outlast the idle timeouts at
# this length; 2,000,000 packets (2 GB, 90 s) tell the ended ones apart.
if [ -x "$NM_TOP/tests/tools/pktgen" ]; then
	"$NM_TOP/tests/tools/pktgen" bulk "$TMP/bulk.pcap" -n 300000 -s 1
	top_same "pktgen bulk, 300000 packets" 100 "$TMP/bulk.pcap" 500 "-I 1"
	rm -f "$TMP/bulk.pcap"
else
	skip "tshark top connections: tests/tools/pktgen is not built"
fi

[ -d "$pcaps" ] || { skip "tshark endpoints: $pcaps is absent"; exit 0; }

# tshark counts a reassembled IPv6 datagram once, or leaves out a header it
# finds malformed; libpcap refuses mixed link types.
known="ipv6_opt_fragments ip6_frag_asan many_interfaces-1"
# Top connections: tshark reassembles IP fragments and counts the datagram
# in its last fragment's frame, nm-stats counts every frame, the later
# fragments as a connection without ports; tshark keeps a UDP
# conversation for the whole capture, nm-stats ends one after 60 s idle
# (dhcp-rfc4388, minutes between messages); tshark leaves out a UDP header
# whose length is bad (udp-length-heapoverflow).
known_top="IPv4Frag frag_http_req dhcp-rfc4388 udp-length-heapoverflow"

for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
	name=$(basename "${f%.*}")
	case " $known " in *" $name "*) continue ;; esac
	tshark -n -q -r "$f" -z endpoints,ip -z endpoints,ipv6 2>/dev/null |
	    awk 'NF == 7 && $2 ~ /^[0-9]+$/ { print $1, $2, $3, $4, $5, $6, $7 }' |
	    sort > "$TMP/t"
	nm-capture -r "$f" 2>/dev/null | nm-decode | nm-stats -q -n 500 -H 100000 |
	    nm-render -o fields -e stats.final -e stats.top_hosts.addr \
		-e stats.top_hosts.packets -e stats.top_hosts.bytes \
		-e stats.top_hosts.tx_packets -e stats.top_hosts.tx_bytes \
		-e stats.top_hosts.rx_packets -e stats.top_hosts.rx_bytes |
	    awk -F'\t' '$1 == 1 { n = split($2, a, ","); split($3, p, ",");
		split($4, b, ","); split($5, tp, ","); split($6, tb, ",");
		split($7, rp, ","); split($8, rb, ",");
		for (k = 1; k <= n; k++) print a[k], p[k], b[k], tp[k], tb[k], rp[k], rb[k] }' |
	    sort > "$TMP/o"
	if cmp -s "$TMP/t" "$TMP/o"; then
		pass "endpoints of $name ($(wc -l < "$TMP/t") hosts)"
	else
		fail "endpoints of $name differ from tshark's"
		diff "$TMP/t" "$TMP/o" | head -n 6
	fi
	case " $known_top " in *" $name "*) continue ;; esac
	top_same "$name" 20 "$f" 500
done
