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
check "live block sits between packet lines" \
	grep -B1 -A5 '^LIVE STATS' "$TMP/out" | grep -q '^\[.*\] '
check "final report names the capture's figures" \
	grep -q '^Capture: received 189, dropped 0 by the kernel' "$TMP/out"
check "final report lists connections with state" \
	grep -q '^  TCP 10.77.0.1:[0-9]* → 10.77.0.2:80 (HTTP) .* SF ' "$TMP/out"

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
	grep -q 'covers 99.0% of received packets (10 dropped by the kernel, 0 by the interface)' "$TMP/cov"
