# Saved filters (share/savedf.c, nm-filters(5)) in every program that
# takes a filter: nm-capture's BPF, the -Y of nm-decode, nm-stats and
# nm-render, nm-monitor's -f and -Y; where the files are (NM_FILTERS, the
# user's ~/.config/nm/filters, XDG_CONFIG_HOME), which one wins, and a bad
# entry named by file and line.  Also -Y on flow records (flow.state)
# downstream of nm-stats, refused upstream of it.
source "$(dirname "$0")/lib.sh"

PKTGEN=$NM_TOP/tests/tools/pktgen
if [ ! -x "$PKTGEN" ]; then
	skip "saved filters: tests/tools/pktgen is not built"
	exit 0
fi
"$PKTGEN" mixed "$TMP/mixed.pcap" 2>/dev/null
nm-capture -r "$TMP/mixed.pcap" 2>/dev/null >"$TMP/mixed.frames"
nm-decode <"$TMP/mixed.frames" >"$TMP/mixed.rec"

F=$TMP/filters
cat >"$F" <<'EOF'
# saved filters for the test
[capture]
dnscap     udp port 53
tcp-web    tcp port 80 or tcp port 443

[display]
# DNS answers that say NXDOMAIN
nx         dns.flags.rcode == 3
dnsq       dns && dns.flags.response == 0
either     nx || dnsq
big        frame.len > 200
EOF
export NM_FILTERS=$F

# json NM-ARGS...: the packets' JSON lines of nm-decode with those args
json() { nm-decode "$@" <"$TMP/mixed.frames" | nm-render -o json |
    grep '"type":"packet"'; }

# --- nm-decode, nm-render, nm-stats: a name stands for its text ---
json -Y 'dns.flags.rcode == 3' >"$TMP/a"
json -Y nx >"$TMP/b"
check "nm-decode -Y NAME: the packets of its expression ($(grep -c . "$TMP/a"))" \
    sh -c "[ -s '$TMP/a' ] && cmp -s '$TMP/a' '$TMP/b'"
json -Y '(dns.flags.rcode == 3 || (dns && dns.flags.response == 0)) && udp' >"$TMP/a"
json -Y 'either && udp' >"$TMP/b"
check "nm-decode -Y: names inside an expression, and within names" \
    sh -c "[ -s '$TMP/a' ] && cmp -s '$TMP/a' '$TMP/b'"
a=$(nm-render -Y 'frame.len > 200' -o fields -e frame.time_epoch <"$TMP/mixed.rec")
b=$(nm-render -Y big -o fields -e frame.time_epoch <"$TMP/mixed.rec")
check "nm-render -Y NAME" sh -c "[ -n '$a' ] && [ '$a' = '$b' ]"
a=$(nm-stats -q -Y 'frame.len > 200' <"$TMP/mixed.rec" |
    nm-render -o fields -e stats.total.packets | tail -n 1)
b=$(nm-stats -q -Y big <"$TMP/mixed.rec" |
    nm-render -o fields -e stats.total.packets | tail -n 1)
check "nm-stats -Y NAME counts what its expression does ($b)" \
    sh -c "[ '$a' -gt 0 ] && [ '$a' = '$b' ]"

# --- nm-capture: a saved BPF filter ---
a=$(nm-capture -r "$TMP/mixed.pcap" 'udp port 53' 2>/dev/null | nm-decode |
    nm-render -o fields -e frame.time_epoch)
b=$(nm-capture -r "$TMP/mixed.pcap" dnscap 2>/dev/null | nm-decode |
    nm-render -o fields -e frame.time_epoch)
check "nm-capture NAME: the frames of its BPF" sh -c "[ -n '$a' ] && [ '$a' = '$b' ]"
h=$(nm-capture -r "$TMP/mixed.pcap" dnscap 2>/dev/null | nm-render -o json |
    head -n 1)
check "nm-capture NAME: the header carries the expression" \
    sh -c "printf '%s' '$h' | grep -q '\"filter\":\"udp port 53\"'"
n=$(nm-capture -r "$TMP/mixed.pcap" tcp 2>/dev/null | nm-decode | nm-render -o json |
    grep -c '"type":"packet"')
check "nm-capture: a BPF word is never looked up ($n tcp packets)" \
    sh -c "NM_FILTERS=/nonexistent nm-capture -r '$TMP/mixed.pcap' tcp 2>/dev/null |
	nm-decode | nm-render -o json | grep -c '\"type\":\"packet\"' | grep -qx '$n'"
out=$(nm-capture -r "$TMP/mixed.pcap" nx 2>&1 >/dev/null); rc=$?
check "nm-capture: a -Y name is refused, status 6 ($rc)" [ "$rc" -eq 6 ]
check "nm-capture: ... saying where it belongs" [ "$out" = \
    "nm-capture: bad filter: saved filter nx ($F:8) is on decoded fields: give it to nm-decode -Y" ]
out=$(nm-capture -r "$TMP/mixed.pcap" nosuch 2>&1 >/dev/null); rc=$?
check "nm-capture: an unknown word names the saved filters too (status $rc)" \
    sh -c '[ "$1" -eq 6 ] && printf "%s" "$2" | grep -q "nor is it a saved filter (nm-filters(5))\$"' _ "$rc" "$out"
out=$(nm-decode -Y tcp-web 2>&1 </dev/null >/dev/null); rc=$?
check "nm-decode -Y: a BPF name is refused, status 2 ($rc)" [ "$rc" -eq 2 ]
check "nm-decode -Y: ... saying where it belongs" [ "$out" = \
    "nm-decode: -Y: column 1: saved filter tcp-web ($F:4) is BPF, for nm-capture: -Y takes [display] ones" ]

# --- where the files are, and which wins ---
unset NM_FILTERS
mkdir -p "$TMP/home/.config/nm" "$TMP/xdg/nm"
printf '[display]\nmine  udp\n' >"$TMP/home/.config/nm/filters"
printf '[display]\nmine  tcp\n' >"$TMP/xdg/nm/filters"
n_udp=$(json -Y udp | grep -c .)
n_tcp=$(json -Y tcp | grep -c .)
n=$(HOME=$TMP/home XDG_CONFIG_HOME= nm-decode -Y mine <"$TMP/mixed.frames" |
    nm-render -o json | grep -c '"type":"packet"')
check "the user's ~/.config/nm/filters ($n of $n_udp udp)" [ "$n" = "$n_udp" ]
n=$(HOME=$TMP/home XDG_CONFIG_HOME=$TMP/xdg nm-decode -Y mine \
    <"$TMP/mixed.frames" | nm-render -o json | grep -c '"type":"packet"')
check "XDG_CONFIG_HOME's before HOME's ($n of $n_tcp tcp)" [ "$n" = "$n_tcp" ]
n=$(NM_FILTERS=$TMP/xdg/nm/filters:$TMP/home/.config/nm/filters \
    nm-decode -Y mine <"$TMP/mixed.frames" | nm-render -o json |
    grep -c '"type":"packet"')
check "NM_FILTERS: the first file that names a filter wins" [ "$n" = "$n_tcp" ]
check "no file is read when no name is used" \
    sh -c "HOME=/nonexistent NM_FILTERS=/nonexistent/x nm-decode -Y 'udp && frame.len > 1' \
	<'$TMP/mixed.frames' >/dev/null"
out=$(NM_FILTERS=$TMP/none nm-decode -Y mine 2>&1 </dev/null); rc=$?
check "NM_FILTERS names a missing file: one line, status 2" \
    test "$rc" -eq 2 -a "$out" = "nm-decode: $TMP/none: No such file or directory"
export NM_FILTERS=$F

# --- a bad entry: file and line, status 2 (nm-capture: 6) ---
# bad TEXT WANT: a file holding TEXT makes nm-decode -Y x say WANT
bad() {
	printf "$1" >"$TMP/bad"
	out=$(NM_FILTERS=$TMP/bad nm-decode -Y x 2>&1 </dev/null); rc=$?
	[ "$rc" -eq 2 ] && [ "$out" = "nm-decode: $TMP/bad:$2" ] ||
	    { echo "# got ($rc): $out"; return 1; }
}
check "bad: an entry before a heading" bad 'x udp\n' \
    '1: an entry before the first heading: put it under [capture] (BPF) or [display] (-Y)'
check "bad: an unknown heading" bad '# c\n[shows]\n' \
    '2: heading [shows]: want [capture] (BPF) or [display] (-Y)'
check "bad: a name with no expression" bad '[display]\n\nx\n' \
    '3: x: no expression after the name'
check "bad: a name that is not one" bad '[display]\n9lives udp\n' \
    '2: "9lives": a name is a letter, then up to 63 letters, digits, '"'"'-'"'"' or '"'"'_'"'"''
check "bad: a name the language has" bad '[display]\nudp udp.port == 1\n' \
    '2: udp is a word of the -Y language (a field, protocol or operator): name the filter otherwise'
check "bad: a BPF word as a capture name" bad '[capture]\nhost host 10.0.0.1\n' \
    '2: host is a word of BPF (pcap-filter(7)): name the filter otherwise'
check "bad: a name twice in a file" bad '[display]\nx udp\n[display]\nx tcp\n' \
    '4: x: already named at line 2'
printf '[display]\nx  udp.port == \n' >"$TMP/bad"
out=$(NM_FILTERS=$TMP/bad nm-decode -Y 'tcp || x' 2>&1 </dev/null); rc=$?
check "bad: an expression that is not one, at its line and column (status $rc)" \
    test "$rc" -eq 2 -a "$out" = \
    "nm-decode: -Y: column 8: saved filter x ($TMP/bad:2): column 12: expected a value after \"==\""
printf '[display]\na  b || udp\nb  tcp && a\n' >"$TMP/bad"
out=$(NM_FILTERS=$TMP/bad nm-decode -Y a 2>&1 </dev/null); rc=$?
check "bad: filters that name each other in a loop ($out)" \
    sh -c '[ "$1" -eq 2 ] && printf "%s" "$2" | grep -q "names itself\$"' _ "$rc" "$out"
printf '[capture]\nx tcp prt 80\n' >"$TMP/bad"
out=$(NM_FILTERS=$TMP/bad nm-capture -r "$TMP/mixed.pcap" x 2>&1 >/dev/null); rc=$?
check "bad: a saved BPF that does not compile: nm-capture names it, status 6" \
    sh -c '[ "$1" -eq 6 ] && printf "%s" "$2" | grep -qF "nm-capture: bad filter: saved filter x ($3:2): tcp prt 80: "' _ "$rc" "$out" "$TMP/bad"

# --- nm-monitor: -f NAME of either kind, -Y with names ---
dry() { nm-monitor -r "$TMP/mixed.pcap" --dry-run "$@" 2>&1; }
check "nm-monitor -f NAME (BPF): nm-capture gets the expression" \
    sh -c "dry() { nm-monitor -r '$TMP/mixed.pcap' --dry-run \"\$@\" 2>&1; }
	dry -f dnscap | grep -q \"nm-capture .*'udp port 53' | \""
check "nm-monitor -f NAME (decoded fields): nm-decode -Y gets it" \
    sh -c "nm-monitor -r '$TMP/mixed.pcap' --dry-run -f nx 2>&1 |
	grep -q \"nm-decode -Y 'dns.flags.rcode == 3'\""
out=$(dry -Y 'either && udp')
check "nm-monitor -Y: names expanded for nm-decode" \
    sh -c "printf '%s' \"\$1\" | grep -qF \"nm-decode -Y '((dns.flags.rcode == 3) || (dns && dns.flags.response == 0)) && udp'\"" _ "$out"
out=$(nm-monitor -r "$TMP/mixed.pcap" -Y 'udp.port ==' 2>&1); rc=$?
check "nm-monitor -Y: a bad expression, status 2, before anything runs" \
    test "$rc" -eq 2 -a "$out" = 'nm-monitor: -Y: column 12: expected a value after "=="'
out=$(nm-monitor -r "$TMP/mixed.pcap" -f nx -Y udp 2>&1); rc=$?
check "nm-monitor: -f of a -Y name and -Y: give one (status $rc)" [ "$rc" -eq 2 ]
a=$(nm-monitor -r "$TMP/mixed.pcap" -f nx -o fields -e frame.time_epoch 2>/dev/null)
b=$(nm-capture -r "$TMP/mixed.pcap" 2>/dev/null | nm-decode -Y nx |
    nm-render -o fields -e frame.time_epoch)
check "nm-monitor -f NAME: runs, and shows its packets" sh -c "[ -n '$a' ] && [ '$a' = '$b' ]"

# --- flow records: flow.* fields after nm-stats ---
nm-stats -q <"$TMP/mixed.rec" >"$TMP/flows.rec"
want=$(nm-render -o json <"$TMP/flows.rec" | grep '"type":"flow"' |
    grep -c '"state":"REJ"')
got=$(nm-render -Y 'flow.state == "REJ"' -o json <"$TMP/flows.rec" |
    grep -c '"type":"flow"')
rej=$(nm-render -Y 'flow.state == "REJ"' -o json <"$TMP/flows.rec" |
    grep '"type":"flow"' | grep -vc '"state":"REJ"')
check "nm-render -Y flow.state: only those flows ($got of them)" \
    sh -c "[ '$want' -gt 0 ] && [ '$got' = '$want' ] && [ '$rej' = 0 ]"
nf=$(nm-render -o json <"$TMP/flows.rec" | grep -c '"type":"flow"')
got=$(nm-render -Y 'udp' -o json <"$TMP/flows.rec" | grep -c '"type":"flow"')
check "nm-render -Y on packet fields passes every flow ($nf)" [ "$got" = "$nf" ]
p53=$(nm-render -o json <"$TMP/flows.rec" | grep '"type":"flow"' |
    grep -c '"sport":53,\|"dport":53,')
got=$(nm-render -Y 'flow.port == 53' -o json <"$TMP/flows.rec" |
    grep -c '"type":"flow"')
check "nm-render -Y flow.port: either side ($got)" sh -c "[ '$p53' -gt 0 ] && [ '$got' = '$p53' ]"
s=$(nm-render -Y 'flow.state == "REJ"' -o json <"$TMP/flows.rec" |
    grep -c '"type":"stats"')
check "nm-render -Y flow.state: stats records pass ($s)" [ "$s" -gt 0 ]
for p in nm-decode nm-stats; do
	out=$("$p" -Y 'flow.state == "REJ"' 2>&1 </dev/null); rc=$?
	check "$p -Y flow.state: refused, status 2, one line" test "$rc" -eq 2 -a \
	    "$out" = "$p: -Y: a field of flow records, which nm-stats writes downstream: -Y here filters packets (filter those records with nm-render -Y)"
done

# --- root through sudo reads its caller's file, not root's ---
# daemon (uid 1) stands for sudo's caller; its home (/usr/sbin) is
# replaced, in a mount namespace of this command alone, by one that
# holds a filters file; HOME stays root's, as sudo sets it.
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	skip "saved filters under sudo: needs root and mount namespaces"
	exit 0
fi
dhome=$(getent passwd daemon | cut -d: -f6)
mkdir -p "$TMP/dhome/.config/nm" "$TMP/roothome/.config/nm"
printf '[capture]\nmine  udp port 53\n[display]\nmined  udp\n' \
    >"$TMP/dhome/.config/nm/filters"
printf '[capture]\nmine  tcp\n[display]\nmined  tcp\n' \
    >"$TMP/roothome/.config/nm/filters"
chmod 755 "$TMP" "$TMP/dhome" "$TMP/dhome/.config" "$TMP/dhome/.config/nm"
chmod 644 "$TMP/dhome/.config/nm/filters" "$TMP/mixed.pcap"
# as_caller CMD...: CMD as root run by sudo from daemon
as_caller() {
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' _ \
	    "$TMP/dhome" "$dhome" env -u NM_FILTERS -u XDG_CONFIG_HOME \
	    HOME="$TMP/roothome" SUDO_UID=1 SUDO_GID="$(id -g daemon)" \
	    SUDO_USER=daemon "$@"
}
a=$(nm-capture -r "$TMP/mixed.pcap" 'udp port 53' 2>/dev/null | nm-decode |
    nm-render -o fields -e frame.time_epoch)
b=$(as_caller "$NM_TOP/nm-capture" -r "$TMP/mixed.pcap" mine 2>/dev/null |
    nm-decode | nm-render -o fields -e frame.time_epoch)
check "sudo: nm-capture reads the caller's saved filters" \
    sh -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$a" "$b"
out=$(as_caller "$NM_TOP/nm-monitor" -r "$TMP/mixed.pcap" --dry-run -f mine 2>&1)
check "sudo: nm-monitor -f reads the caller's" \
    sh -c 'printf "%s" "$1" | grep -q "nm-capture .*'"'udp port 53'"'"' _ "$out"
out=$(as_caller "$NM_TOP/nm-monitor" -r "$TMP/mixed.pcap" --dry-run -Y mined 2>&1)
check "sudo: nm-monitor -Y reads the caller's" \
    sh -c 'printf "%s" "$1" | grep -qF "nm-decode -Y udp |"' _ "$out"
