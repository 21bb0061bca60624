# The record stream across stages: JSON accepted mid-pipeline (jq), unknown
# record types and keys passed through every stage, a saved stream replayed
# gives the same output, and a malformed stream ends a stage with one line
# naming the byte offset, exit 3, after everything before it was passed on.
source "$(dirname "$0")/lib.sh"

pcap=$TMP/mixed.pcap
"$NM_TOP/tests/tools/pktgen" mixed "$pcap" || { fail "pktgen mixed"; exit 1; }
export TZ=UTC

nm-capture -r "$pcap" | nm-decode > "$TMP/dec.nm"
nm-render --color=never < "$TMP/dec.nm" > "$TMP/direct.txt"
check "decoded stream renders" test -s "$TMP/direct.txt"

# jq between two stages, in both its compact and pretty forms
if command -v jq >/dev/null; then
	nm-capture -r "$pcap" | nm-render -o json | jq -c . | nm-decode |
	    nm-render --color=never > "$TMP/jqc.txt"
	same_file "jq -c between capture and decode" "$TMP/direct.txt" "$TMP/jqc.txt"
	nm-capture -r "$pcap" | nm-decode | nm-render -o json | jq . |
	    nm-render --color=never > "$TMP/jqp.txt"
	same_file "pretty jq between decode and render" "$TMP/direct.txt" "$TMP/jqp.txt"
else
	skip "jq mid-pipeline: jq is not installed"
fi

# a JSON round trip through nm-decode keeps every record byte for byte
nm-render -o json < "$TMP/dec.nm" > "$TMP/a.json"
nm-render -o json < "$TMP/dec.nm" | nm-render -o json > "$TMP/b.json"
same_file "json -> json is stable" "$TMP/a.json" "$TMP/b.json"

# replay of a saved stream equals the live output
nm-capture -r "$pcap" | nm-decode | nm-render --color=never > "$TMP/live.txt"
same_file "saved stream replays identically" "$TMP/live.txt" "$TMP/direct.txt"

# unknown types and keys pass through nm-decode and reach -o json
{
	head -n 1 "$TMP/a.json"
	echo '{"type":"custom-note","text":"hello","n":[1,2,{"x":true}]}'
	nm-capture -r "$pcap" | nm-render -o json | sed -n 2p |
	    sed 's/^{/{"mine":{"deep":"kept"},/'
} > "$TMP/extra.json"
nm-decode < "$TMP/extra.json" | nm-render -o json > "$TMP/extra.out"
check "unknown record type passes nm-decode" \
	grep -q '{"type":"custom-note","text":"hello","n":\[1,2,{"x":true}\]}' "$TMP/extra.out"
check "unknown key passes nm-decode into the packet" \
	grep -q '"type":"packet".*"mine":{"deep":"kept"}' "$TMP/extra.out"

# nm-decode replaces the keys of a frame it writes itself, and no other
{
	head -n 1 "$TMP/a.json"
	nm-capture -r "$pcap" | nm-render -o json | sed -n 2p |
	    sed 's/^{/{"proto":"mine","a_long_user_key":1,/'
} > "$TMP/fkeys.json"
nm-decode < "$TMP/fkeys.json" 2>/dev/null | nm-render -o json 2>/dev/null |
    sed -n 2p > "$TMP/fkeys.out"
check "nm-decode replaces a frame's proto, keeps a user's key" \
	test "$(grep -o '"proto":"[^"]*"\|"a_long_user_key":1' "$TMP/fkeys.out" |
	    tr '\n' ' ')" = '"a_long_user_key":1 "proto":"ARP" '

# a known key of one record type is a user's own in a record of another:
# "state" of a flow record, in a packet, passes every stage as it is
sed '0,/{"type":"packet"/s//{"type":"packet","state":5/' "$TMP/a.json" \
    > "$TMP/user.json"
nm-stats < "$TMP/user.json" 2> "$TMP/err" | nm-render -o json > "$TMP/user.out"
check "user's key named as another type's (JSON in): exit 0" \
	test "${PIPESTATUS[*]}" = "0 0"
check "user's key named as another type's: the packet unchanged" \
	grep -qxF "$(grep -F '"state":5' "$TMP/user.json")" "$TMP/user.out"
nm-decode < "$TMP/user.json" > "$TMP/user.nm"
check "user's key named as another type's: nm-decode passes it" \
	test "$?" = 0
nm-stats < "$TMP/user.nm" | nm-render -o json > "$TMP/user2.out"
check "user's key named as another type's (msgpack in): exit 0" \
	test "${PIPESTATUS[*]}" = "0 0"
grep '"type":"packet"' "$TMP/user.out" > "$TMP/user.pk"
grep '"type":"packet"' "$TMP/user2.out" > "$TMP/user2.pk"
same_file "user's key named as another type's: same packets from msgpack" \
	"$TMP/user.pk" "$TMP/user2.pk"
# the JSON reader takes a key for an address only in its own record type,
# wherever "type" stands among the keys
{
	head -n 1 "$TMP/a.json"
	echo '{"type":"packet","src":"not an address","ts":1}'
	echo '{"src":"hello","dst":"10.0.0.9","type":"packet","ts":2}'
	echo '{"type":"end","producer":"t","records":2}'
} > "$TMP/juser.json"
nm-render -o json < "$TMP/juser.json" > "$TMP/juser.out" 2> "$TMP/err"
check "JSON: a user's key named as another type's address: exit 0" \
	test "$?" = 0
check "JSON: a user's key named as another type's address: kept" \
	test "$(sed -n '2,3p' "$TMP/juser.out")" = "$(sed -n '2,3p' "$TMP/juser.json")"
{ head -n 1 "$TMP/a.json"; echo '{"src":"hello","type":"flow"}'; } |
    nm-render -o json > /dev/null 2> "$TMP/err"
check "JSON: a flow's own address key is still read as one" test "$?" = 3
# ...while in a flow record it is still checked, in either encoding
{ head -n 1 "$TMP/a.json"; echo '{"type":"flow","state":5}'; } > "$TMP/flow.json"
nm-render -o json < "$TMP/flow.json" > /dev/null 2> "$TMP/err"
check "flow record with a bad state (JSON): exit 3" test "$?" = 3
check "flow record with a bad state (JSON): says why" \
	grep -q "key 'state' must be a string, not an unsigned integer" "$TMP/err"
{ head -n 1 "$TMP/a.json" | nm-decode; printf '\x82\xa4type\xa4flow\xa5state\x05'; } |
    nm-render -o json > /dev/null 2> "$TMP/err"
check "flow record with a bad state (msgpack): exit 3" test "$?" = 3
check "flow record with a bad state (msgpack): says why" \
	grep -q "key 'state' must be a string, not an unsigned integer" "$TMP/err"

# malformed input: the records before the fault come out, then one line
n=$(wc -l < "$TMP/a.json")
{ head -n 5 "$TMP/a.json"; printf '{"type":"packet","ip":{"src":12}}\n'; } > "$TMP/bad.json"
off=$(head -n 5 "$TMP/a.json" | wc -c)
nm-decode < "$TMP/bad.json" 2> "$TMP/err" | nm-render -o json > "$TMP/bad.out"
st=${PIPESTATUS[0]}
check "malformed stream: exit 3" test "$st" = 3
check "malformed stream: records before it passed on" \
	test "$(grep -c '"type":"frame"\|"type":"packet"' "$TMP/bad.out")" = 4
check "malformed stream: one line naming the offset" \
	grep -qx "nm-decode: stdin: malformed record stream at byte $off: key 'ip.src' must be an address (bytes), not an unsigned integer" "$TMP/err"
[ "$(wc -l < "$TMP/err")" = 1 ] || { fail "one error line"; cat "$TMP/err"; }

# cut the binary stream at a few places inside records: upstream died
# mid-record, so the input ended early (exit 8), saying where; no crash
size=$(wc -c < "$TMP/dec.nm")
for cut in 1 17 100 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$TMP/dec.nm" | nm-render -o json > /dev/null 2> "$TMP/err"
	st=$?
	if [ "$st" = 8 ] && grep -Eq "input ended early: stream ends inside a record at byte [0-9]+ \(truncated\)$" "$TMP/err"; then
		pass "stream cut at byte $cut: exit 8, truncated"
	else
		fail "stream cut at byte $cut: exit $st: $(cat "$TMP/err")"
	fi
done
[ "$n" -gt 5 ] || fail "sample too small"

# errors name the byte where the record starts: a newer major version, a
# JSON record cut short after blank lines (not the newline before it)
printf '{"type":"header","version":1}\n{"type":"end"}\n{"type":"header","version":9}\n' |
    nm-render -o json > /dev/null 2> "$TMP/err"
st=$?
check "newer version: exit 3, naming its byte" test "$st" = 3 -a \
    "$(cat "$TMP/err")" = "nm-render: stdin: malformed record stream at byte 45: stream version 9 is newer than this program's 1: upgrade nm"
printf '{"type":"header","version":1}\n\n\n{"type":"frame","ts":' |
    nm-render -o json > /dev/null 2> "$TMP/err"
st=$?
check "JSON cut short: exit 8, naming the record's byte" test "$st" = 8 -a \
    "$(cat "$TMP/err")" = "nm-render: stdin: input ended early: stream ends inside a record at byte 32 (truncated)"

# a stage that reads only some keys (nm-stats, compact nm-render) still
# checks the others: a bad value in a key it skips is refused the same
printf '\x82\xa4type\xa6header\xa7version\x01\x83\xa4type\xa6packet\xa2ts\x01\xa2ip\x81\xa3ttl\xa1x' > "$TMP/skip.nm"
for c in "nm-stats -q" "nm-render"; do
	$c < "$TMP/skip.nm" > /dev/null 2> "$TMP/err"
	st=$?
	check "$c: a key it does not read is still checked" test "$st" = 3 -a \
	    "$(cat "$TMP/err")" = "${c%% *}: stdin: malformed record stream at byte 22: key 'ip.ttl' must be an unsigned integer, not a string"
done

# jq in the middle: `select(...)` drops the header and the end records; a
# JSON stream without them is taken as this version's, and its end is no
# early end (issue 10, item 10).  A msgpack stream still needs its header.
nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode | nm-render -o json |
    jq -c 'select(.tcp)' > "$TMP/tcp.json"
ntcp=$(wc -l < "$TMP/tcp.json")
nm-stats < "$TMP/tcp.json" 2> "$TMP/err" | nm-render -o json > "$TMP/tcp.out"
st="${PIPESTATUS[*]}"
check "jq-filtered JSON (no header, no end): nm-stats | nm-render exit 0 ($st)" \
    test "$st" = "0 0" -a ! -s "$TMP/err"
check "jq-filtered JSON: every packet counted ($ntcp)" test "$(jq -r \
    'select(.type == "stats" and .final) | .total.packets' "$TMP/tcp.out")" = "$ntcp"
check "jq-filtered JSON: nm-stats writes a header and an eof end" test \
    "$(jq -r 'select(.type == "header" or .type == "end") | .type + ":" + (.reason // "")' \
    "$TMP/tcp.out" | tr '\n' ' ')" = "header: end:eof "
nm-render --color=never < "$TMP/tcp.json" > "$TMP/tcp.txt" 2> "$TMP/err"
check "jq-filtered JSON: nm-render shows it, exit 0 ($?)" \
    test "$(grep -c ' → ' "$TMP/tcp.txt")" = "$ntcp" -a ! -s "$TMP/err"
printf '\x81\xa4type\xa6packet' | nm-render > /dev/null 2> "$TMP/err"
check "msgpack with no header: still refused (exit $?)" \
    grep -q "does not start with a header" "$TMP/err"
printf '{"type":"header","version":1}\n{"type":"packet"}\n' |
    nm-render -o json > /dev/null 2> "$TMP/err"
check "JSON with a header but no end: still an early end ($?)" \
    grep -q "input ended early: upstream stopped without its end record" "$TMP/err"
