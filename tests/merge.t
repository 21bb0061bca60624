# Summaries that merge (issue 15): nm-stats' summary records and
# nm-stats --merge.  A capture is cut in halves (editcap, by frame
# number); the merge of the halves' summaries must have the whole's exact
# counters, histograms and distinct-count sketches byte for byte, and the
# whole's top 10 hosts and ports; per-second spans roll up into 10-second
# buckets; streams read from FIFOs at once; saved JSON lines merge as
# msgpack does; bad summaries are refused with one line and status 3.
source "$(dirname "$0")/lib.sh"

for t in jq editcap nm-stats nm-render; do
	command -v $t >/dev/null || { skip "merge: needs $t"; exit 0; }
done
PKTGEN=$NM_TOP/tests/tools/pktgen
[ -x "$PKTGEN" ] || { skip "merge: tests/tools/pktgen is not built"; exit 0; }

# js FILE EXPR: EXPR on the file's records (msgpack read as JSON lines)
js() { nm-render -o json <"$1" | jq -c -s "$2"; }
# is FILE EXPR: EXPR, on the file's records as one array, is true
is() { nm-render -o json <"$1" | jq -e -s "$2" >/dev/null; }
pipeline() { nm-capture -r "$1" 2>/dev/null | nm-decode | nm-stats -q "${@:2}"; }

# --- the bundled sample: one final summary, its counters the stats' own ---
pipeline "$NM_TOP/share/sample.pcap" >"$TMP/s.nm"
check "sample: one summary, final, at the end before the flows' end" \
    is "$TMP/s.nm" '[.[] | select(.type == "summary")] | length == 1 and .[0].final'
check "sample: its counters are the final stats'" \
    is "$TMP/s.nm" '(map(select(.type == "stats" and .final))[0]) as $s |
        (map(select(.type == "summary"))[0]) as $m |
        $m.counts.packets == $s.total.packets and $m.counts.bytes == $s.total.bytes and
        $m.counts.flows == $s.total.flows and
        ([$m.by_proto[] | [.name, .packets, .bytes]] | sort) ==
            ([$s.protos[] | [.name, .packets, .bytes]] | sort)'
check "sample: exact heavy lists (fewer keys than k: err 0) equal top_hosts" \
    is "$TMP/s.nm" '(map(select(.type == "stats" and .final))[0]) as $s |
        (map(select(.type == "summary"))[0]) as $m |
        ($m.heavy.hosts | all(.err == 0)) and
        ([$m.heavy.hosts[0:3][] | [.addr, .count]]) == ([$s.top_hosts[0:3][] | [.addr, .packets]])'
check "sample: packet sizes histogram counts every packet" \
    is "$TMP/s.nm" 'map(select(.type == "summary"))[0].sizes.packet |
        .n == 189 and ([.buckets | range(1; length; 2) as $i | .[$i]] | add) == 189'
pipeline "$NM_TOP/share/sample.pcap" --no-summary >"$TMP/s0.nm"
check "--no-summary: none" is "$TMP/s0.nm" 'map(select(.type == "summary")) | length == 0'

# --- the halves of a capture against the whole ---
"$PKTGEN" mix "$TMP/mix.pcap" -n 60000 -s 7 >/dev/null 2>&1
editcap -r "$TMP/mix.pcap" "$TMP/h1.pcap" 1-30000 2>/dev/null
editcap -r "$TMP/mix.pcap" "$TMP/h2.pcap" 30001-60000 2>/dev/null
pipeline "$TMP/mix.pcap" >"$TMP/w.nm"
pipeline "$TMP/h1.pcap" >"$TMP/h1.nm"
pipeline "$TMP/h2.pcap" >"$TMP/h2.nm"
nm-stats --merge "$TMP/h1.nm" "$TMP/h2.nm" >"$TMP/m.nm"
verdict $? "merge of the halves: status 0"
sum() { js "$1" 'map(select(.type == "summary" and .final))[0] |
    {c: [.counts.packets, .counts.bytes], p: ([.by_proto[] | [.name, .packets, .bytes]] | sort),
     sz: .sizes.packet, d: .distinct}'; }
top() { js "$1" 'map(select(.type == "stats" and .final))[0] |
    [[.top_hosts[] | [.addr, .packets]], [.top_ports[] | [.port, .proto, .packets]]]'; }
check "halves: packets, bytes and protocols exactly the whole's" \
    test "$(sum "$TMP/w.nm" | jq -c '[.c, .p]')" = "$(sum "$TMP/m.nm" | jq -c '[.c, .p]')"
check "halves: the packet-size histogram bucket for bucket" \
    test "$(sum "$TMP/w.nm" | jq -c .sz)" = "$(sum "$TMP/m.nm" | jq -c .sz)"
check "halves: the distinct sketches byte for byte" \
    test "$(sum "$TMP/w.nm" | jq -c .d)" = "$(sum "$TMP/m.nm" | jq -c .d)"
check "halves: top 10 hosts and ports are the whole's nm-stats'" \
    test "$(top "$TMP/w.nm")" = "$(top "$TMP/m.nm")"
# distinct addresses: the whole's host table holds each once (no eviction)
exact=$(js "$TMP/w.nm" 'map(select(.type == "stats" and .final))[0].tracked.hosts')
check "halves: distinct addresses within 3 standard errors of $exact" \
    is "$TMP/m.nm" "map(select(.type == \"stats\" and .final))[0].estimate |
        ((.hosts - $exact) | fabs) / $exact < 3 * .rse"
check "halves: every listed count within its err of the truth (hosts)" \
    is "$TMP/m.nm" 'map(select(.type == "stats" and .final))[0].top_hosts | all(.err >= 0)'
nm-render <"$TMP/m.nm" >"$TMP/m.txt"
check "nm-render shows the merge's final report" grep -q '^FINAL REPORT' "$TMP/m.txt"
check "the report says what was merged and estimated" \
    grep -q '^Merged from 2 summaries; distinct (1.6% standard error): ' "$TMP/m.txt"
check "the report names both halves as sources" grep -q "h2.pcap  *30000 pkts" "$TMP/m.txt"

# --- spans (the sample lasts 9.5 s), and their roll-up into buckets ---
pipeline "$NM_TOP/share/sample.pcap" --summary-interval 1 >"$TMP/i.nm"
check "--summary-interval 1: spans aligned on whole seconds" \
    is "$TMP/i.nm" '[.[] | select(.type == "summary" and (.final | not))] |
        length > 1 and all(.span.start % 1000000000 == 0 and .span.end - .span.start == 1000000000)'
check "--summary-interval 1: the spans add up to the final" \
    is "$TMP/i.nm" '([.[] | select(.type == "summary" and (.final | not)) | .counts.packets] | add) ==
        (map(select(.type == "summary" and .final))[0].counts.packets)'
nm-stats --merge --bucket 10 "$TMP/i.nm" >"$TMP/b.nm"
check "--bucket 10: buckets aligned on 10 s, packets all there" \
    is "$TMP/b.nm" '[.[] | select(.type == "summary" and (.final | not))] as $b |
        ($b | length) >= 1 and ($b | all(.span.start % 10000000000 == 0)) and
        ([$b[].counts.packets] | add) == 189'
check "--bucket 10: a stats record per bucket, then the final" \
    is "$TMP/b.nm" '[.[] | select(.type == "stats")] | length >= 2 and (last | .final) and
        (last | .total.packets) == 189'
nm-stats --merge "$TMP/i.nm" "$TMP/i.nm" >"$TMP/ii.nm"
check "the same spans twice: buckets meet, counts double" \
    is "$TMP/ii.nm" 'map(select(.type == "stats" and .final))[0].total.packets == 378 and
        (map(select(.type == "summary" and (.final | not))) | all(.merged == 2))'

# --- streams read at once, from FIFOs ---
mkfifo "$TMP/f1" "$TMP/f2"
pipeline "$TMP/h1.pcap" --summary-interval 1 >"$TMP/f1" &
p1=$!
pipeline "$TMP/h2.pcap" --summary-interval 1 >"$TMP/f2" &
p2=$!
timeout 60 nm-stats --merge "$TMP/f1" "$TMP/f2" >"$TMP/ff.nm"
verdict $? "FIFOs: the merge ends with both"
wait $p1 $p2
check "FIFOs: the merged total is the whole's" \
    is "$TMP/ff.nm" 'map(select(.type == "stats" and .final))[0].total.packets == 60000'
check "FIFOs: flow records pass on" \
    is "$TMP/ff.nm" '[.[] | select(.type == "flow")] | length > 0'

# --- JSON lines merge as msgpack does ---
nm-render -o json <"$TMP/h1.nm" | jq -c 'select(.type == "summary")' >"$TMP/h1.jsonl"
nm-render -o json <"$TMP/h2.nm" >"$TMP/h2.jsonl"
nm-stats --merge "$TMP/h1.jsonl" "$TMP/h2.jsonl" >"$TMP/mj.nm"
check "JSON lines: the same merged figures" \
    test "$(sum "$TMP/mj.nm")" = "$(sum "$TMP/m.nm")"

# --- what is refused ---
nm-render -o json <"$TMP/h1.nm" | jq -c 'if .type == "summary" then .distinct.p = 14 else . end' >"$TMP/bad.jsonl"
nm-stats --merge "$TMP/bad.jsonl" "$TMP/h2.nm" >"$TMP/bad.nm" 2>"$TMP/bad.err"
rc=$?
check "another precision: status 3" test "$rc" = 3
check "another precision: one line naming the file and the byte" \
    grep -q "^nm-stats: $TMP/bad.jsonl: summary at byte [0-9]* refused: distinct: another precision" "$TMP/bad.err"
check "another precision: the other stream still merged" \
    is "$TMP/bad.nm" 'map(select(.type == "stats" and .final))[0].total.packets == 30000'
nm-render -o json <"$TMP/h1.nm" | jq -c 'if .type == "summary" then .heavy.hosts[0].err = .heavy.hosts[0].count + 1 else . end' |
    nm-stats --merge - >/dev/null 2>"$TMP/bad2.err"
check "err above count: refused" grep -q 'refused: heavy: err above count' "$TMP/bad2.err"
nm-stats --merge "$TMP/none.nm" >/dev/null 2>"$TMP/none.err"
check "a file that is not there: status 1" test $? = 1
check "a file that is not there: one line" grep -q "^nm-stats: $TMP/none.nm: No such file" "$TMP/none.err"
nm-stats --merge >/dev/null 2>&1
check "no file: usage, status 2" test $? = 2
head -c 5000 "$TMP/h2.nm" >"$TMP/cut.nm"
nm-stats --merge "$TMP/h1.nm" "$TMP/cut.nm" >"$TMP/cut.out" 2>"$TMP/cut.err"
rc=$?
check "a stream cut short: status 3 or 8, the other merged" \
    eval '[ $rc = 3 -o $rc = 8 ] && is "$TMP/cut.out" "map(select(.type == \"stats\" and .final))[0].total.packets == 30000"'
check "a stream cut short: one line naming it" grep -q "cut.nm" "$TMP/cut.err"
