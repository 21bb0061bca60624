# Streams of several capture sources, downstream of nm-capture (issue 12):
# nm-stats' per_source figures (each source's packets, bytes, rates,
# protocols, capture counters, and top hosts with --per-source-top) and
# nm-render's interface column, -e frame.interface_name, the live block's
# per-source rates and the final report's per-source capture lines.  The
# streams are made by hand: pktgen captures, each read by nm-capture -r
# into JSON lines, merged by merge.py below into one stream whose header
# names every source and whose frames carry their source's "if".  Every
# per-source figure is checked against the same source's stream run alone.
source "$(dirname "$0")/lib.sh"
export TZ=UTC
GOLD=$NM_TOP/tests/golden
PKTGEN=$NM_TOP/tests/tools/pktgen

for p in nm-capture nm-decode nm-stats nm-render tests/tools/pktgen; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "sources: $p not built (run make test)"; exit 1
	fi
done
for t in python3 jq; do
	command -v "$t" >/dev/null || { skip "sources: needs $t"; exit 0; }
done

# merge.py SPEC...: one stream from streams of one source (JSON lines, as
# nm-render -o json writes them).  SPEC is FILE,NAME[,KEY=VALUE]...: KEY
# netns or kind sets the source's; recv, drop, ifdrop, late its capstats'
# counters; shift=NS moves its frames later; if=N tags its frames N
# instead of the source's index.  Frames merge in timestamp order, the
# earlier source first on a tie; one capstats per source after them.
cat >"$TMP/merge.py" <<'PY'
import json, sys
srcs, recs, caps = [], [], []
for k, spec in enumerate(sys.argv[1:]):
    f, name, *kv = spec.split(',')
    opt = dict(x.split('=', 1) for x in kv)
    tag, shift = int(opt.get('if', k)), int(opt.get('shift', 0))
    for line in open(f):
        r = json.loads(line)
        if r['type'] == 'header':
            hdr = r
            s = dict(r['sources'][0], name=name)
            for x in ('netns', 'kind'):
                if x in opt:
                    s[x] = opt[x]
            srcs.append(s)
        elif r['type'] in ('frame', 'packet'):
            r['if'] = tag
            r['ts'] += shift
            recs.append((r['ts'], k, len(recs), r))
        elif r['type'] == 'capstats':
            c = dict(r, **{'if': k})
            for x in ('recv', 'drop', 'ifdrop', 'late'):
                if x in opt:
                    c[x] = int(opt[x])
            caps.append(c)
hdr['sources'] = srcs
out = [hdr] + [t[3] for t in sorted(recs, key=lambda t: t[:3])] + caps
out.append({'type': 'end', 'producer': 'nm-capture', 'records': len(out),
    'frames': len(recs), 'packets': 0, 'reason': 'eof'})
for r in out:
    print(json.dumps(r, separators=(',', ':')))
PY
merge() { python3 "$TMP/merge.py" "$@"; }

cd "$TMP" || exit 1
for sc in mixed sll raw; do
	"$PKTGEN" "$sc" "$sc.pcap" 2>/dev/null &&
	    nm-capture -r "$sc.pcap" 2>/dev/null | nm-render -o json >"$sc.json"
	if [ "${PIPESTATUS[1]}" != 0 ] || [ ! -s "$sc.json" ]; then
		fail "sources: could not make $sc.json"; exit 1
	fi
done
merge mixed.json,eth0,kind=interface,recv=50,drop=3,ifdrop=1,late=2 \
    sll.json,veth1,kind=interface,netns=ns1 >two.json
merge mixed.json,eth0,kind=interface sll.json,veth1,kind=interface,netns=ns1 \
    raw.json,wlan0,kind=interface,shift=2500000000 >three.json

# final FILE [nm-stats args]: the final stats record of the stream, as JSON
final() {
	local f=$1
	shift
	nm-decode <"$f" | nm-stats -q "$@" | nm-render -o json |
	    grep '"type":"stats"' | tail -n 1
}
# decoded FILE JQ: the stream decoded, then edited by jq (nm-decode decodes
# only frames of the sources the header names: edit the header after it)
decoded() { nm-decode <"$1" | nm-render -o json | jq -c "$2"; }
cuthdr='if .type == "header" then .sources |= .[:$n] else . end'
# ifcount FILE N: frames of source N in the stream
ifcount() { jq -s "[.[] | select(.type == \"frame\" and .if == $2)] | length" "$1"; }

# --- nm-stats: each source's figures ---
final mixed.json >mixed.st
final sll.json >sll.st
final raw.json >raw.st
final two.json >two.st
final three.json >three.st
for k in 0 1; do
	n=$(ifcount two.json "$k")
	got=$(jq ".per_source[$k].total.packets" two.st)
	[ "$got" = "$n" ] && [ "$n" -gt 0 ]
	verdict $? "two sources: source $k's total is its frames ($got, $n)"
done
one=(mixed.st sll.st raw.st)
for k in 0 1 2; do
	a=$(jq -c "{t: .total | {packets, bytes}, p: .protos}" "${one[$k]}")
	b=$(jq -c ".per_source[$k] | {t: .total, p: .protos}" three.st)
	[ -n "$b" ] && [ "$a" = "$b" ]
	verdict $? "three sources: source $k's totals and protocol mix are its own run's"
done
jq -e '.total.packets == ([.per_source[].total.packets] | add) and
    .total.bytes == ([.per_source[].total.bytes] | add) and
    (.per_source | length) == 3' three.st >/dev/null
verdict $? "three sources: all-sources totals are the sum of the sources'"
jq -e '[.per_source[] | [.if, .name]] ==
    [[0, "eth0"], [1, "ns1/veth1"], [2, "wlan0"]]' three.st >/dev/null
verdict $? "per_source: indexed as the header's sources, netns/iface named"
# the same stream, its header naming one source: the same record but per_source
decoded two.json "1 as \$n | $cuthdr" >two1.json
a=$(final two1.json | jq -S -c .)
b=$(jq -S -c 'del(.per_source)' two.st)
[ "$a" = "$b" ] && jq -e 'has("per_source")' two.st >/dev/null
verdict $? "two sources: the all-sources figures are those of one, per_source added"
jq -e '(.per_source[0].capture | .recv == 50 and .drop == 3 and
    .ifdrop == 1 and .late == 2 and (.coverage - 4700 / 51 | fabs) < 1e-9) and .per_source[1].capture.recv == 17 and
    .capture.recv == 67 and .capture.drop == 3' two.st >/dev/null
verdict $? "two sources: each source's capture counters, late included"
# rates: the run's average over the run, each interval's over the interval
jq -e '.runtime as $r | [.per_source[] | (.rate.avg_pps * $r / 1e9 -
    .total.packets) | fabs < 1e-6] | all' three.st >/dev/null
verdict $? "three sources: each source's average rate is its packets over the run"
nm-decode <three.json | nm-stats -q -I 1 | nm-render -o json |
    grep '"type":"stats"' >three.all
jq -s -e 'length > 2 and ([.[] | .interval.packets ==
    ([.per_source[].interval.packets] | add)] | all) and
    ([.[].per_source[2].interval.packets] | add) == 15 and
    ([.[] | select(.interval.start < 1700000002000000000) |
    .per_source[2].interval.packets] | add) == 0 and
    ([.[] | ((.interval.end - .interval.start) / 1e9) as $span |
    .per_source[] | (.rate.pps * $span - .interval.packets) | fabs < 1e-3] |
    all)' \
    three.all >/dev/null
verdict $? "-I 1: each interval split by source, a quiet source counts 0"

# --per-source-top: each source's top hosts, its own run's (but for their
# passive names: a DNS answer seen on one source names an address on all)
for k in 0 1; do
	a=$(jq -c '.top_hosts | map(del(.name))' "${one[$k]}")
	b=$(final two.json --per-source-top |
	    jq -c ".per_source[$k].top_hosts | map(del(.name))")
	[ "$b" != null ] && [ "$a" = "$b" ]
	verdict $? "--per-source-top: source $k's top hosts are its own run's"
done
jq -e '[.per_source[] | has("top_hosts")] | any | not' two.st >/dev/null
verdict $? "no --per-source-top: no top hosts per source (with per_source)"
# a source's table forgetting hosts changes nothing of the totals' lists
nm-decode <three.json >three.mp
for t in "" --per-source-top; do
	nm-stats -q -H 3 -n 4 $t <three.mp | nm-render -o json |
	    grep '"type":"stats"' | tail -n 1 | jq -S -c 'del(.per_source)' >"h3$t"
done
[ "$(jq '.evicted.hosts' h3)" -gt 5 ] && cmp -s h3 h3--per-source-top
verdict $? "--per-source-top: with hosts pushed out, the all-sources lists as without it"

# --- "if" values the header does not name, and sources past 64 ---
merge mixed.json,eth0 sll.json,veth1 raw.json,x >odd3.json
decoded odd3.json "if .if == 2 then .if = 9 else . end | 2 as \$n | $cuthdr" \
    >odd.json
final odd.json >odd.st
final odd3.json >odd3.st
jq -e '(.per_source | length) == 3 and .per_source[2].other and
    .per_source[2].name == "other" and (.per_source[2] | has("if") | not) and
    .per_source[2].total.packets == 15 and .total.packets == 77' \
    odd.st >/dev/null &&
    [ "$(jq -c '.per_source[2].protos' odd.st)" = "$(jq -c '.per_source[2].protos' odd3.st)" ]
verdict $? "an if the header does not name counts as \"other\""
python3 - >many.json <<'PY'
import json
print(json.dumps({'type': 'header', 'version': 1, 'sources':
    [{'name': 'v%d' % i, 'kind': 'interface'} for i in range(70)]}))
for n, i in enumerate([0, 63, 64, 69, 200, 2**64 - 1]):
    print(json.dumps({'type': 'frame', 'ts': 1700000000000000000 + n,
        'if': i, 'len': 60, 'caplen': 0}))
for i in (0, 64):
    print(json.dumps({'type': 'capstats', 'if': i, 'recv': 5, 'drop': 1,
        'ifdrop': 0, 'final': True}))
print(json.dumps({'type': 'end', 'producer': 't', 'records': 9,
    'frames': 6, 'packets': 0, 'reason': 'eof'}))
PY
nm-stats -q <many.json 2>many.err | nm-render -o json | grep '"stats"' >many.st
jq -e '(.per_source | length) == 65 and .per_source[63].name == "v63" and
    .per_source[0].total.packets == 1 and .per_source[63].total.packets == 1 and
    .per_source[64].other and .per_source[64].total.packets == 4 and
    .per_source[0].capture.recv == 5 and
    (.per_source[64] | has("capture") | not) and .total.packets == 6' \
    many.st >/dev/null
verdict $? "70 sources: the first 64 apart, the rest and stray ifs as \"other\""

# --- one source: nothing new ---
decoded mixed.json 'if .if then .if = 3 else . end' >stray.json
final stray.json >stray.st
jq -e 'has("per_source") | not' stray.st >/dev/null &&
    jq -e 'has("per_source")' two.st >/dev/null
verdict $? "one source (stray if values too): no per_source; two: per_source"
nm-decode <stray.json | nm-render --color=never >stray.txt 2>/dev/null
nm-decode <two.json | nm-render --color=never >two.txt 2>two.err
cmp -s stray.txt "$GOLD/mixed.compact" && grep -q '^\[[^]]*\] eth0 ' two.txt
verdict $? "one source: compact lines as the golden file's, no interface column"

# --- nm-render: the interface on each line ---
grep '^\[[^]]*\] eth0 ' two.txt | sed -E 's/^(\[[^]]*\]) eth0 +/\1 /' \
    >two.eth0
grep '^\[[^]]*\] ns1/veth1 ' two.txt | sed -E 's/^(\[[^]]*\]) ns1\/veth1 /\1 /' \
    >two.veth1
cmp -s two.eth0 "$GOLD/mixed.compact" && cmp -s two.veth1 "$GOLD/sll.compact" &&
    [ "$(wc -l <two.txt)" = $(($(wc -l <two.eth0) + $(wc -l <two.veth1))) ]
verdict $? "compact: each line is its source's own line with the interface after the time"
[ "$(awk '{ print index($0, "ARP ") }' two.txt | grep -v '^0$' | sort -u)" = 26 ]
verdict $? "compact: the interface column is aligned (padded to the longest name)"
nm-decode <two.json | nm-render -m minimal --color=never >two.min 2>/dev/null
[ "$(grep -Ec '^[0-9:.]+ (eth0 {6}|ns1/veth1 )[A-Z]' two.min)" = 62 ] &&
    [ "$(wc -l <two.min)" = 62 ]
verdict $? "minimal: every line names its interface"
nm-decode <two.json | nm-render -m detailed --color=never >two.det 2>/dev/null
[ "$(grep -Ec '^\[[^]]*\] (eth0 {6}|ns1/veth1 )[A-Z]' two.det)" = 62 ]
verdict $? "detailed: every packet's first line names its interface"
nm-decode <two.json | nm-render --color=always 2>/dev/null >two.col
[ "$(grep -c $'\e\\[34mns1/veth1\e\\[0m ' two.col)" = 17 ] &&
    ! NO_COLOR=1 nm-decode <two.json | nm-render 2>/dev/null | grep -q $'\e'
verdict $? "colour: the interface in blue; NO_COLOR: no escapes"
nm-decode <odd.json | nm-render --color=never 2>/dev/null >odd.txt
[ "$(grep -c '^\[[^]]*\] if9   ' odd.txt)" = 15 ]
verdict $? "an if the header does not name shows as ifN"
merge mixed.json,day-1.pcap sll.json,/var/tmp/day-2.pcap |
    nm-decode | nm-render --color=never 2>/dev/null >files.txt
[ "$(grep -c '^\[[^]]*\] day-2\.pcap ' files.txt)" = 17 ]
verdict $? "a file source shows by its base name"

# -e frame.interface_name (tshark's name for it)
nm-decode <three.json | nm-render -e frame.interface_id \
    -e frame.interface_name | sort | uniq -c | awk '{ print $1, $2, $3 }' \
    >three.if
printf '%s\n' "45 0 eth0" "17 1 ns1/veth1" "15 2 wlan0" | cmp -s - three.if
verdict $? "-e frame.interface_name: each packet's source's name"
nm-decode <odd.json | nm-render -e frame.interface_name | sort | uniq -c |
    awk '{ print $1, $2 }' | grep -qx '15 if9'
verdict $? "-e frame.interface_name: ifN for an if the header does not name"
if command -v tshark >/dev/null; then
	tshark -G fields 2>/dev/null | awk -F'\t' '{ print $3 }' |
	    grep -qx frame.interface_name &&
	    nm-render --list-fields | grep -qx frame.interface_name
	verdict $? "frame.interface_name: tshark's field, in --list-fields"
else
	skip "frame.interface_name: tshark's field: no tshark"
fi

# --- nm-render: the reports ---
nm-decode <two.json | nm-stats -q | nm-render --color=never >two.rep 2>/dev/null
grep '^Capture' two.rep >two.cap
printf '%s\n' \
    'Capture eth0: received 50, dropped 3 by the kernel, 1 by the interface, 2 out of order; covers 92.2% of received packets' \
    'Capture ns1/veth1: received 17, dropped 0 by the kernel, 0 by the interface; covers 100.0% of received packets' \
    'Capture: received 67, dropped 3 by the kernel, 1 by the interface; covers 94.1% of received packets' |
    cmp -s - two.cap
verdict $? "final report: a capture line per source, then the total"
grep -A2 '^Sources (packets' two.rep | grep -Eq '^  ns1/veth1 +17 pkts +1\.5 kB'
verdict $? "final report: each source's packets and bytes"
nm-decode <three.json | nm-stats -I 1 | nm-render --color=never >three.rep 2>/dev/null
want=$(jq -s -r '.[0].per_source | map("\(.name) \(.rate.pps * 100 | round / 100 |
    tostring | if test("\\.") then . else . + ".0" end)") | .[]' three.all)
# the first block's sources line, with its continuation lines
line=$(awk '/^Sources: / { p = 1 } /^Top Protocols/ { if (p) exit }
    p { printf "%s ", $0 }' three.rep)
ok=0
while read -r name pps; do
	printf -v p '%.2f' "$pps"
	case $line in *"$name $p pps "*) ;; *) ok=1 ;; esac
done <<<"$want"
[ -n "$line" ] && [ "$ok" = 0 ]
verdict $? "live block: a line of each source's rate ($line)"
[ "$(grep -c '^Sources: ' three.rep)" = "$(grep -c '^LIVE STATS' three.rep)" ] &&
    ! grep -q '^Sources' "$GOLD/sample.stats"
verdict $? "live block: the sources' line in every block, never with one source"
python3 - >twelve.json <<'PY'
import json
print(json.dumps({'type': 'header', 'version': 1, 'sources':
    [{'name': 'veth%d' % i, 'kind': 'interface'} for i in range(12)]}))
for n in range(24):
    print(json.dumps({'type': 'frame', 'ts': 1700000000000000000 +
        n * 300000000, 'if': n % 12, 'len': 60, 'caplen': 0}))
print(json.dumps({'type': 'end', 'producer': 't', 'records': 26,
    'frames': 24, 'packets': 0, 'reason': 'eof'}))
PY
nm-stats -I 2 <twelve.json | nm-render --color=never 2>/dev/null |
    awk '/^LIVE/ { n++ } n == 1 && /^(Sources: |         )/' >twelve.live
[ "$(wc -l <twelve.live)" -gt 1 ] &&
    [ "$(awk 'length($0) > 80' twelve.live | wc -l)" = 0 ] &&
    [ "$(grep -o 'veth[0-9]* ' twelve.live | wc -l)" = 8 ] &&
    [ "$(tail -n 1 twelve.live | grep -o '| 4 more$')" = '| 4 more' ]
verdict $? "live block: many sources wrap within 80 columns, 8 named, the rest counted"
