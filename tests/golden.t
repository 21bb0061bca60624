# Golden tests: captures made by tests/tools/pktgen, run through
# nm-capture -r | nm-decode | nm-render in every output mode, compared with
# the expected output kept in tests/golden/SCENARIO.MODE.  The fields
# output is also checked against tshark's reading of the same capture (via
# the reference tools in ../shared/pcaps), which is what makes the golden
# files trustworthy.  Then a truncation sweep: every snaplen from 1 to 128
# must exit 0, never crash, give one packet per frame and flag ("err") each
# packet cut inside a header.
# UPDATE_GOLDEN=1 bash tests/golden.t rewrites the golden files; read the
# diff (git diff tests/golden) before committing them.  GOLDEN_SWEEP_STEP=k
# sweeps every k-th snaplen only (make valgrind: each run is slow there).
# long: every scenario in every mode, and a sweep of 128 snaplens
source "$(dirname "$0")/lib.sh"

GOLD=$NM_TOP/tests/golden
PKTGEN=$NM_TOP/tests/tools/pktgen
SCENARIOS="mixed sll sll2 raw null"
MODES="compact detailed minimal json fields"
export TZ=UTC

missing=
for p in nm-capture nm-decode nm-render; do
	[ -x "$NM_TOP/$p" ] || missing="$missing $p"
done
[ -x "$PKTGEN" ] || missing="$missing tests/tools/pktgen"
if [ -n "$missing" ]; then
	fail "golden: not built:$missing (run make)"
	exit 1
fi

fields=()
while read -r f; do
	[ -n "$f" ] && fields+=(-e "$f")
done <"$NM_TOP/tests/fields.txt"

# render MODE: the nm-render arguments for one golden mode.
render_args() {
	case $1 in
	json) echo "-o json" ;;
	fields) echo "-o fields ${fields[*]}" ;;
	*) echo "-m $1 --color=never" ;;
	esac
}

# pipeline PCAP OUT ERR [capture args] -- [render args]: prints the exit
# statuses of the three stages.
pipeline() {
	local pcap=$1 out=$2 err=$3 cargs=() rargs=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	rargs=("$@")
	nm-capture -r "$pcap" "${cargs[@]}" 2>"$err" | nm-decode 2>>"$err" |
	    nm-render "${rargs[@]}" >"$out" 2>>"$err"
	echo "${PIPESTATUS[*]}"
}

# --- golden outputs ---
# Run in $TMP and name the capture by a relative path: the header record
# carries the file's name, and the golden files must not hold a temp path.
cd "$TMP" || exit 1
for sc in $SCENARIOS; do
	pcap=$sc.pcap
	if ! "$PKTGEN" "$sc" "$pcap" -H "$TMP/$sc.hdrs" 2>"$TMP/$sc.gen.err"
	then
		fail "golden $sc: pktgen failed: $(head -n 1 "$TMP/$sc.gen.err")"
		continue
	fi
	for mode in $MODES; do
		name="golden $sc.$mode"
		out=$TMP/$sc.$mode
		# shellcheck disable=SC2046
		st=$(pipeline "$pcap" "$out" "$TMP/err" -- $(render_args "$mode"))
		if [ "$st" != "0 0 0" ]; then
			fail "$name: exit statuses $st: $(head -n 1 "$TMP/err")"
			continue
		fi
		if [ -n "${UPDATE_GOLDEN:-}" ]; then
			mkdir -p "$GOLD"
			cp "$out" "$GOLD/$sc.$mode"
			pass "$name: updated"
		elif [ ! -f "$GOLD/$sc.$mode" ]; then
			fail "$name: no tests/golden/$sc.$mode; make it with" \
			    "UPDATE_GOLDEN=1 bash tests/golden.t and check it"
		else
			same_file "$name" "$GOLD/$sc.$mode" "$out"
		fi
	done
done

# --- the fields output against tshark's reading ---
truth=$SHARED/pcaps/truth.py
cmp=$SHARED/pcaps/compare.py
if ! command -v tshark >/dev/null; then
	skip "golden tshark: tshark is not installed"
elif ! command -v python3 >/dev/null; then
	skip "golden tshark: python3 is not installed"
elif [ ! -f "$truth" ] || [ ! -f "$cmp" ]; then
	skip "golden tshark: no truth.py/compare.py in $SHARED/pcaps"
else
	for sc in $SCENARIOS; do
		[ -f "$TMP/$sc.fields" ] || continue
		python3 "$truth" "$NM_TOP/tests/fields.txt" "$TMP/$sc.pcap" \
		    >"$TMP/$sc.truth" 2>/dev/null
		if python3 "$cmp" "$NM_TOP/tests/fields.txt" "$TMP/$sc.truth" \
		    "$TMP/$sc.fields" >"$TMP/$sc.cmp" 2>&1; then
			pass "golden tshark $sc: $(tail -n 1 "$TMP/$sc.cmp")"
		else
			fail "golden tshark $sc: $(tail -n 1 "$TMP/$sc.cmp")"
			head -n 20 "$TMP/$sc.cmp"
		fi
	done
fi

# --- how much of each frame nm-decode keeps in "data" ---
# Default: the frame up to 64 bytes of payload (all of it when no payload
# was found); -k: every captured byte; -S: none.  Checked frame by frame
# against the whole frame as nm-capture read it.
keepcheck='
import json, sys
whole, cut, none = ([json.loads(l) for l in open(f)] for f in sys.argv[1:4])
bad = []
for w, c, n in zip(whole, cut, none):
    if w.get("type") != "packet":
        continue
    d = w["data"]
    want = len(d) // 2 if "poff" not in w else min(len(d) // 2, w["poff"] + 64)
    if len(d) // 2 != w["caplen"] or c["data"] != d[:2 * want] or "data" in n:
        bad.append(w["ts"])
print(len(bad), "of", sum(1 for w in whole if w.get("type") == "packet"))
'
if [ -f "$TMP/mixed.pcap" ]; then
	nm-capture -r "$TMP/mixed.pcap" 2>/dev/null >"$TMP/keep.nm"
	for k in -k "" -S; do
		nm-decode $k <"$TMP/keep.nm" | nm-render -o json \
		    >"$TMP/keep$k.json"
	done
	got=$(python3 -c "$keepcheck" "$TMP/keep-k.json" "$TMP/keep.json" \
	    "$TMP/keep-S.json")
	check "nm-decode keeps 64 payload bytes, all with -k, none with -S (wrong in $got packets)" \
	    test "${got%% *}" = 0
fi

# --- truncation sweep ---
# For each snaplen, capture and decode once, then render as JSON and as
# compact lines.  hdrs (from pktgen -H) holds, per frame, where the headers
# a decoder reads end and where DNS starts (0: none): a frame cut before
# the end must carry an "err" map, unless cut exactly where DNS starts.
for sc in $SCENARIOS; do
	pcap=$TMP/$sc.pcap
	[ -f "$pcap" ] || continue
	npk=$(wc -l <"$TMP/$sc.hdrs")
	bad=
	for n in $(seq 1 "${GOLDEN_SWEEP_STEP:-1}" 128); do
		nm-capture -r "$pcap" -s "$n" 2>"$TMP/err" |
		    nm-decode >"$TMP/dec" 2>>"$TMP/err"
		st="${PIPESTATUS[*]}"
		nm-render -o json <"$TMP/dec" >"$TMP/j" 2>>"$TMP/err"
		st="$st $?"
		nm-render -m compact --color=never <"$TMP/dec" >"$TMP/c" \
		    2>>"$TMP/err"
		st="$st $?"
		if [ "$st" != "0 0 0 0" ]; then
			why="exit statuses"
			for s in $st; do
				[ "$s" -ge 128 ] && why=crashed
			done
			bad="$bad; -s $n: $why $st: $(head -n 1 "$TMP/err")"
			continue
		fi
		if grep -q -e Sanitizer -e 'runtime error' "$TMP/err"; then
			bad="$bad; -s $n: sanitizer: $(grep -m1 -e Sanitizer \
			    -e 'runtime error' "$TMP/err")"
			continue
		fi
		got=$(grep -c '"type":"packet"' "$TMP/j")
		lines=$(wc -l <"$TMP/c")
		if [ "$got" -ne "$npk" ] || [ "$lines" -ne "$npk" ]; then
			bad="$bad; -s $n: $got packet records, $lines lines," \
			    "want $npk"
			continue
		fi
		miss=$(grep '"type":"packet"' "$TMP/j" |
		    awk -v n="$n" 'NR == FNR { end[FNR] = $1; app[FNR] = $2
				next }
			{ i++; if (n < end[i] && n != app[i] &&
			    index($0, "\"err\":{") == 0)
				printf " %d", i }' "$TMP/$sc.hdrs" -)
		[ -n "$miss" ] &&
		    bad="$bad; -s $n: no err on frame(s)$miss cut in a header"
	done
	if [ -z "$bad" ]; then
		pass "golden truncation $sc: snaplen 1-128${GOLDEN_SWEEP_STEP:+ (step $GOLDEN_SWEEP_STEP)}"
	else
		fail "golden truncation $sc: ${bad#; }" | cut -c1-600
	fi
done

# A frame's if past the header's sources: not decoded as Ethernet on a
# guess, but an err of layer link; a header with no sources still means
# Ethernet.
if command -v jq >/dev/null; then
	fr='"len":34,"caplen":34,"data":"0200000000020200000000010800450000140001000040fd000c0a0000010a000002"'
	{
		echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":[],"sources":[{"name":"a","kind":"file","linktype":1}]}'
		echo "{\"type\":\"frame\",\"ts\":1,\"if\":0,$fr}"
		echo "{\"type\":\"frame\",\"ts\":2,\"if\":3,$fr}"
	} | nm-decode 2>/dev/null | nm-render -o json >"$TMP/ifx" 2>"$TMP/ifx.err"
	check "golden: a frame of a listed source is decoded" test \
	    "$(jq -c 'select(.type == "packet" and .if == 0) | [.ip.dst, .err]' "$TMP/ifx")" = '["10.0.0.2",null]'
	check "golden: a frame whose if is past the sources has an err, no eth" test \
	    "$(jq -c 'select(.type == "packet" and .if == 3) | [.eth, .err.layer, .err.kind, .err.why]' "$TMP/ifx")" = \
	    '[null,"link","unknown","if 3 is not among the 1 sources of the header"]'
	{
		echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":[]}'
		echo "{\"type\":\"frame\",\"ts\":2,\"if\":3,$fr}"
	} | nm-decode 2>/dev/null | nm-render -o json >"$TMP/ifx2" 2>"$TMP/ifx.err"
	check "golden: no sources in the header: Ethernet" test \
	    "$(jq -c 'select(.type == "packet") | [.ip.dst, .err]' "$TMP/ifx2")" = '["10.0.0.2",null]'
else
	skip "golden: if past the sources: jq is needed"
fi
