# nm-render -o fields against tshark's reading of the reference captures
# (../shared/pcaps, when present): the table has one line per frame and one
# column per field, and says how far it agrees with tshark.  Agreement on
# the values is the decoder's to reach, so it is shown, not required, here;
# what is required is that every field name tshark's table uses is known.
# Also: every name --list-fields gives is documented in the man page, and
# stats. and flow. fields name keys the schema knows in those records.
source "$(dirname "$0")/lib.sh"

R=$NM_TOP/nm-render
[ -x "$R" ] || { echo "nm-render not built"; exit 77; }

man=$NM_TOP/render/nm-render.1
undoc=$("$R" --list-fields | while read -r f; do
	grep -q "^${f//./\\.} " "$man" || echo "$f"
done)
if [ -z "$undoc" ]; then pass "man: every field documented"
else fail "man: undocumented fields: $(echo $undoc)"; fi

# stats. and flow. fields are checked against the schema of that type
for f in stats.totl.packets flow.total.packets stats.interval.packts \
    flow.orig.x stats.total; do
	"$R" -e "$f" </dev/null >/dev/null 2>"$TMP/err"
	st=$?
	if [ "$st" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	    grep -q "$f" "$TMP/err"; then
		pass "-e $f: refused, one line"
	else
		fail "-e $f: exit $st: $(cat "$TMP/err")"
	fi
done
"$R" -e stats.total.packets -e stats.rate.pps -e stats.capture.coverage \
    -e stats.top_hosts.addr -e stats.top_flows.orig.packets -e flow.src \
    -e flow.dport -e flow.state -e flow.orig.bytes </dev/null >/dev/null 2>&1
check "-e: the schema's stats and flow paths are known" test "$?" != 2

P=$SHARED/pcaps
if [ ! -f "$P/FIELDS" ]; then
	skip "truth: no reference captures"
	exit 0
fi
args=()
while read -r f; do args+=(-e "$f"); done <"$P/FIELDS"
# empty input ends early (status 8); what matters is no usage error (2)
"$R" "${args[@]}" </dev/null >/dev/null 2>"$TMP/err"
st=$?
check "truth: every tshark field is known" \
	test "$st" -ne 2 -a -z "$(grep 'unknown field' "$TMP/err")"
if [ ! -x "$NM_TOP/nm-decode" ] || [ ! -x "$NM_TOP/nm-capture" ]; then
	skip "truth: nm-capture or nm-decode not built"
	exit 0
fi
nf=$(wc -l <"$P/FIELDS")
for truth in "$P"/*.truth.tsv; do
	cap=${truth%.truth.tsv}
	name=$(basename "$cap")
	timeout 20 "$NM_TOP/nm-capture" -r "$cap" 2>/dev/null |
	    timeout 20 "$NM_TOP/nm-decode" 2>/dev/null |
	    timeout 20 "$R" "${args[@]}" >"$TMP/ours" 2>/dev/null
	# a capture nm-capture refuses gives no table; that is its test
	[ -s "$TMP/ours" ] || continue
	if [ "$(wc -l <"$TMP/ours")" -ne "$(wc -l <"$truth")" ]; then
		fail "truth $name: $(wc -l <"$TMP/ours") lines, tshark $(wc -l <"$truth")"
		continue
	fi
	bad=$(awk -F'\t' -v n="$nf" 'NF != n { print NR; exit }' "$TMP/ours")
	if [ -n "$bad" ]; then
		fail "truth $name: line $bad has not $nf columns"
		continue
	fi
	pass "truth $name: shape"
	if command -v python3 >/dev/null; then
		echo "  $name: $(python3 "$P/compare.py" "$P/FIELDS" "$truth" \
		    "$TMP/ours" 2>&1 | tail -n 1)"
	fi
done
exit 0
