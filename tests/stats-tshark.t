# nm-stats' host figures against tshark's own statistics: for every
# reference capture, each IP endpoint's packets and bytes, sent and
# received, as `tshark -z endpoints,ip -z endpoints,ipv6` counts them.
# Known differences (nm-stats(1), "differences from tshark") are listed.
source "$(dirname "$0")/lib.sh"
pcaps=$SHARED/pcaps
[ -d "$pcaps" ] || { skip "tshark endpoints: $pcaps is absent"; exit 0; }
command -v tshark >/dev/null || { skip "tshark endpoints: no tshark"; exit 0; }

# tshark counts a reassembled IPv6 datagram once, or leaves out a header it
# finds malformed; libpcap refuses mixed link types.
known="ipv6_opt_fragments ip6_frag_asan many_interfaces-1"

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
done
