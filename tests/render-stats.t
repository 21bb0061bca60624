# nm-render's view of nm-stats' records: the live block between packet
# lines at each interval, the final report, and stats/flow fields.
# Compared with tests/golden/sample.stats (UPDATE_GOLDEN=1 rewrites it).
source "$(dirname "$0")/lib.sh"
export TZ=UTC
golden=$NM_TOP/tests/golden/sample.stats
sample=$NM_TOP/share/sample.pcap

nm-capture -r "$sample" | nm-decode | nm-stats -I 5 -n 5 |
    nm-render --color=never > "$TMP/out" 2> "$TMP/err"
check "pipeline with nm-stats exits 0" test "${PIPESTATUS[*]}" = "0 0 0 0"
if [ -n "${UPDATE_GOLDEN:-}" ]; then
	cp "$TMP/out" "$golden"
fi
if [ -f "$golden" ]; then
	same_file "sample: packets, live blocks, final report" "$golden" "$TMP/out"
else
	fail "no $golden: run UPDATE_GOLDEN=1 bash tests/render-stats.t"
fi
check "one live block per full 5 s interval" \
	test "$(grep -c '^LIVE STATS | Packets: ' "$TMP/out")" = 1
grep -B1 -A5 '^LIVE STATS' "$TMP/out" | grep -q '^\[.*\] '
verdict $? "live block sits between packet lines"
check "final report names the capture's figures" \
	grep -q '^Capture: received 189, dropped 0 by the kernel' "$TMP/out"
check "final report lists connections with state" \
	grep -q '^  TCP 10.77.0.1:[0-9]* → 10.77.0.2:80 (f.example.test) (HTTP) .* SF ' "$TMP/out"

# the figures in the live line are the stats record's
nm-capture -r "$sample" | nm-decode | nm-stats -q -I 5 |
    nm-render -o fields -e stats.final -e stats.total.packets \
	-e stats.rate.pps > "$TMP/f"
check "stats fields: one line per stats record" \
	test "$(wc -l < "$TMP/f")" = 2
want=$(head -n 1 "$TMP/f" | awk -F'\t' '{printf "Packets: %s | PPS: %.2f", $2, $3}')
check "live block shows the record's packets and pps" \
	grep -q "LIVE STATS | $want " "$TMP/out"
check "final line is marked final" grep -q $'^1\t189\t' "$TMP/f"

nm-capture -r "$sample" | nm-decode | nm-stats -q |
    nm-render -o fields -e flow.proto -e flow.state -e flow.dport > "$TMP/fl"
check "flow fields: HTTP connections closed normally" \
	grep -q $'^TCP\tSF\t80$' "$TMP/fl"

# a drop in the capture shows next to the figures it distorts
{
	nm-capture -r "$sample" | nm-decode | nm-render -o json | grep -v '"type":"capstats"\|"type":"end"'
	echo '{"type":"capstats","if":0,"recv":1000,"drop":10,"ifdrop":0,"final":true}'
} | nm-stats -q | nm-render --color=never > "$TMP/cov"
check "coverage shown when the kernel dropped packets" \
	grep -q 'covers 99.0% of received packets$' "$TMP/cov"
check "drops said once in the final report" \
	test "$(grep -o 'dropped' "$TMP/cov" | wc -l)" = 1

# --- what the report reads like (issue 10, item 8) ---
# Hand-made stats records: an IPv6 host, ICMP flows, one-packet and tiny
# shares, drops, and two live blocks with no packet between.
live='{"type":"stats","final":false,"total":{"packets":7},"rate":{"pps":1.0,"bps":8.0},"runtime":5000000000,"protos":[{"name":"ICMPv6","packets":6}],"top_hosts":[{"addr":"fe80::1","packets":6},{"addr":"10.0.0.1","packets":1}]}'
final='{"type":"stats","final":true,"total":{"packets":20001,"bytes":2000100,"flows":2},"rate":{"avg_pps":1.0,"avg_bps":8.0},"runtime":5000000000,"capture":{"recv":20011,"drop":10,"ifdrop":0,"coverage":99.95},"evicted":{"flows":1,"hosts":2},
"protos":[{"name":"TCP","packets":20000,"bytes":2000000,"pkt_pct":99.995,"byte_pct":99.995},{"name":"ICMP","packets":1,"bytes":100,"pkt_pct":0.005,"byte_pct":0.005},{"name":"ARP","packets":0,"bytes":0,"pkt_pct":0,"byte_pct":0}],
"top_hosts":[{"addr":"2001:db8:1234:5678:9abc:def0:1234:5678","packets":20000,"bytes":2000000,"tx_packets":1,"rx_packets":19999},{"addr":"10.0.0.1","packets":1,"bytes":100,"tx_packets":1,"rx_packets":0}],
"top_ports":[{"port":80,"proto":"TCP","packets":1,"bytes":60}],
"top_flows":[{"proto":"ICMP","src":"10.0.0.1","dst":"10.0.0.2","sport":8,"dport":0,"orig":{"packets":1,"bytes":98},"resp":{"packets":1,"bytes":98},"state":"SF"},{"proto":"ICMPv6","src":"fe80::1","dst":"ff02::2","sport":133,"dport":0,"orig":{"packets":2,"bytes":140},"resp":{"packets":0,"bytes":0},"state":"S0"}]}'
printf '%s\n' "$live" "$live" "$(echo "$final" | tr -d '\n')" |
    nm-render --color=never >"$TMP/rep" 2>"$TMP/rep.err"
check "report: renders" test $? -eq 0 -a ! -s "$TMP/rep.err"
check "report: live Top IPs bracket IPv6" \
	grep -qx 'Top IPs: \[fe80::1\]: 6, 10.0.0.1: 1' "$TMP/rep"
check "report: one rule between blocks, never two in a row" \
	test "$(uniq -d "$TMP/rep" | grep -c '^=====')" = 0
check "report: the blocks still open and close with a rule" \
	test "$(grep -c '^=====' "$TMP/rep")" = 4
check "report: a nonzero share under 0.05% reads <0.1%" \
	grep -Eq '^  ICMP +1 +<0\.1% +100 B +<0\.1%$' "$TMP/rep"
check "report: a zero share stays 0.0%" \
	grep -Eq '^  ARP +0 +0\.0% +0 B +0\.0%$' "$TMP/rep"
check "report: 1 pkt, not 1 pkts" \
	grep -Eq '^  10\.0\.0\.1 +1 pkt  100 B  \(sent 1, received 0\)$' "$TMP/rep"
check "report: 2 pkts" grep -q '→ 2 pkts 140 B, ← 0 pkts 0 B' "$TMP/rep"
check "report: the address column fits IPv6" grep -Eq \
	'^  2001:db8:1234:5678:9abc:def0:1234:5678 +20000 pkts 2\.0 MB' "$TMP/rep"
check "report: host columns aligned" test "$(grep -E '^  (2001|10\.0\.0\.1 )' "$TMP/rep" |
	awk '{ print index($0, " pkt") }' | sort -u | wc -l)" = 1
check "report: ICMP flows by type and code, not ports" \
	grep -q '^  ICMP 10.0.0.1 → 10.0.0.2 echo request (8/0)  → 1 pkt 98 B, ← 1 pkt 98 B  SF$' "$TMP/rep"
check "report: ICMPv6 flows too" \
	grep -q '^  ICMPv6 \[fe80::1\] → \[ff02::2\] router solicitation (133/0)  → 2 pkts' "$TMP/rep"
check "report: evicted, plurals" \
	grep -qx 'Evicted to stay within limits: 1 flow, 2 hosts' "$TMP/rep"
check "report: drops said once" \
	test "$(grep -o 'dropped' "$TMP/rep" | wc -l)" = 1
check "report: coverage kept, not rounded up to all" grep -q '^Capture: received 20011, dropped 10 by the kernel, 0 by the interface; covers >99.9% of received packets$' "$TMP/rep"
check "report: a share of nearly all reads >99.9%" \
	grep -Eq '^  TCP +20000 +>99\.9% +2000000 B +>99\.9%$' "$TMP/rep"
LC_ALL=C nm-render --color=never <<<"$(echo "$final" | tr -d '\n')" >"$TMP/repc"
check "report: ASCII arrows outside UTF-8" \
	grep -q '^  ICMP 10.0.0.1 > 10.0.0.2 echo request (8/0)  > 1 pkt 98 B, < 1 pkt 98 B  SF$' "$TMP/repc"
