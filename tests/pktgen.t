#!/usr/bin/env bash
# pktgen's large scenarios, which make bench reads: the same file for the
# same seed, a shorter file the start of a longer one, bulk's bytes as
# they were (so bench figures compare across runs), and mix what its
# description says: the protocols' shares of all packets, small and full
# frames, TCP option sets that vary, VLANs, and consecutive records that
# rarely share a layout.  The shares are read back through nm itself.
source "$(dirname "$0")/lib.sh"
PKTGEN=$NM_TOP/tests/tools/pktgen
for p in nm-capture nm-decode nm-render tests/tools/pktgen; do
	[ -x "$NM_TOP/$p" ] || { fail "pktgen: $p is not built (run make)"; exit 1; }
done

"$PKTGEN" mix "$TMP/a.pcap" -n 20000 -s 7 &&
    "$PKTGEN" mix "$TMP/b.pcap" -n 20000 -s 7 &&
    "$PKTGEN" mix "$TMP/c.pcap" -n 2000 -s 7 &&
    "$PKTGEN" mix "$TMP/d.pcap" -n 2000 -s 8 || { fail "pktgen mix: failed"; exit 1; }
check "pktgen mix: the same for the same seed" cmp -s "$TMP/a.pcap" "$TMP/b.pcap"
n=$(wc -c <"$TMP/c.pcap")
check "pktgen mix: a shorter file is the start of a longer one" \
    cmp -s -n "$n" "$TMP/a.pcap" "$TMP/c.pcap"
check "pktgen mix: another seed, another file" \
    bash -c "! cmp -s '$TMP/c.pcap' '$TMP/d.pcap'"

# Bulk's first 2000 packets of seed 1, as they were when mix was added:
# a change here changes every bench figure, so make it on purpose.
sum=$("$PKTGEN" bulk - -n 2000 -s 1 | cksum | cut -d ' ' -f 1-2)
check "pktgen bulk: the same bytes as before ($sum)" [ "$sum" = "68656798 342801" ]

if ! command -v jq >/dev/null; then
	skip "pktgen mix: shares: jq is not installed"
	exit 0
fi
nm-capture -r "$TMP/a.pcap" | nm-decode | nm-render -o json |
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
