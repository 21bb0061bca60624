#!/usr/bin/env bash
# nm-monitor without a network: the pipeline --dry-run prints for a few
# option sets, usage errors, replaying a generated capture in every mode
# and as JSON (the packet lines must be those of the hand-typed pipeline),
# a failing stage (bad filter, missing file, a stage that fails or
# crashes while nm-capture still runs) and a missing nm-stats.  The
# questions and live capture are tests/monitor-live.t.
source "$(dirname "$0")/lib.sh"
NMM=$NM_TOP/nm-monitor
PKTGEN=$NM_TOP/tests/tools/pktgen
[ -x "$NMM" ] || { echo "nm-monitor not built"; exit 77; }
# The stages run as nobody when this runs as root: they must reach $TMP.
chmod 755 "$TMP"

# Run as root, nm-capture is given the user the stages run as.
if [ "$(id -u)" -eq 0 ]; then Z='-Z nobody '; else Z=''; fi
# dry NAME EXPECTED ARGS...: --dry-run prints exactly EXPECTED
dry() {
	local name=$1 want=$2 got
	shift 2
	got=$(env -u SUDO_UID -u SUDO_GID "$NMM" --dry-run "$@" 2>&1)
	if [ "$got" = "$want" ]; then pass "dry-run: $name"
	else fail "dry-run: $name: got: $got"; fi
}

# --- --dry-run ---
dry "defaults" \
    "nm-capture ${Z}-i any | nm-decode | nm-stats -I 5 | nm-render -m compact"
dry "interface, preset, mode, interval, top, count" \
    "nm-capture ${Z}-c 10 -i eth0 'tcp port 80 or tcp port 443' | nm-decode | nm-stats -I 2 -n 3 | nm-render -m detailed" \
    -i eth0 -f web -m detailed -I 2 -n 3 -c 10
dry "file, realtime, json, colour, expression as arguments" \
    "nm-capture ${Z}-r /x/t.pcap --realtime 'udp port 53' | nm-decode | nm-stats -I 5 | nm-render -o json --color=never" \
    -r /x/t.pcap --realtime --json --color=never udp port 53
dry "presets by name" \
    "nm-capture ${Z}-p -i lo 'icmp or icmp6' | nm-decode | nm-stats -I 5 | nm-render -m minimal --color=always" \
    -p -i lo -f ICMP -m minimal --color
dry "the old menu's names for web" \
    "nm-capture ${Z}-i any 'tcp port 80 or tcp port 443' | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -f HTTP/HTTPS
dry "preset all is no filter" \
    "nm-capture ${Z}-i any | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -f all
dry "a custom expression, quoted for the shell" \
    "nm-capture ${Z}-i any 'host 10.0.0.1 and '\''x'\''' | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -f "host 10.0.0.1 and 'x'"
# The options passed on (issue 10, item 5): nm-capture's -s, -B, -F;
# --services to nm-decode and nm-stats; -o, -e, -t... and -u to nm-render.
dry "-w: nm-pcap right after nm-capture" \
    "nm-capture ${Z}-r /x/t.pcap | nm-pcap -w /x/out.pcapng | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -r /x/t.pcap -w /x/out.pcapng
dry "snaplen, buffer, filter file" \
    "nm-capture ${Z}-s 96 -B 65536 -i eth0 -F /x/f.bpf | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -s 96 -B 65536 -i eth0 -F /x/f.bpf
dry "--services to both stages that name ports" \
    "nm-capture ${Z}-r /x/t.pcap | nm-decode --services /x/svc | nm-stats -I 5 --services /x/svc | nm-render -m compact" \
    -r /x/t.pcap --services /x/svc
dry "-o fields -e, time format, UTC" \
    "nm-capture ${Z}-r /x/t.pcap | nm-decode | nm-stats -I 5 | nm-render -o fields -e ip.src -e dns.qry.name -tttt -u" \
    -r /x/t.pcap -o fields -e ip.src -e dns.qry.name -tttt -u
dry "-e alone is -o fields; -t" \
    "nm-capture ${Z}-r /x/t.pcap | nm-decode | nm-stats -I 5 | nm-render -o fields -e frame.len -t" \
    -r /x/t.pcap -e frame.len -t
dry "-o json, -o a mode" \
    "nm-capture ${Z}-r /x/t.pcap | nm-decode | nm-stats -I 5 | nm-render -o json" \
    -r /x/t.pcap -o json
dry "-o detailed is -m detailed" \
    "nm-capture ${Z}-r /x/t.pcap | nm-decode | nm-stats -I 5 | nm-render -m detailed" \
    -r /x/t.pcap -o detailed
dry "-f with a one-word expression that is no preset" \
    "nm-capture ${Z}-r /x/t.pcap arp | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -r /x/t.pcap -f arp
# Several -i (issue 12): each one of nm-capture's sources, in the order
# given, any and other namespaces' among them; -w, a saved filter and the
# BPF check of a -f word with them.
dry "several -i, in order, any and namespaces among them" \
    "nm-capture ${Z}-i lo -i any -i blue/veth0 -i pid:1/eth0 | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -i lo -i any -i blue/veth0 -i pid:1/eth0
dry "several -i with -w" \
    "nm-capture ${Z}-c 5 -i eth0 -i lo | nm-pcap -w /x/out.pcapng | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -i eth0 -c 5 -i lo -w /x/out.pcapng
printf '[capture]\nlo-dns  udp port 53\n[display]\nto53  udp.dstport == 53\n' \
    >"$TMP/filters"
chmod 644 "$TMP/filters"
NM_FILTERS=$TMP/filters dry "several -i with a saved capture filter" \
    "nm-capture ${Z}-i lo -i blue/lo 'udp port 53' | nm-decode | nm-stats -I 5 | nm-render -m compact" \
    -i lo -f lo-dns -i blue/lo
NM_FILTERS=$TMP/filters dry "several -i with a saved filter on decoded fields" \
    "nm-capture ${Z}-i blue/lo -i lo | nm-decode -Y 'udp.dstport == 53' | nm-stats -I 5 | nm-render -m compact" \
    -i blue/lo -i lo -f to53
# A -f word is compiled for the link type of every interface: lo takes
# vlan, any (Linux cooked) does not, whichever comes last.  lo's link
# type is read from /sys, which a bare chroot may not have mounted.
if [ -r /sys/class/net/lo/type ]; then
	"$NMM" --dry-run -i lo -f vlan >"$TMP/vlan1.out" 2>&1
	rc1=$?
	"$NMM" --dry-run -i any -i lo -f vlan >"$TMP/vlan2.out" 2>&1
	rc2=$?
	[ "$rc1" = 0 ] && [ "$rc2" = 2 ] &&
	    grep -q '^nm-monitor: -f vlan: no such preset .*VLAN.*(interface any)$' \
	    "$TMP/vlan2.out"
	verdict $? "dry-run: -f vlan compiles for lo, not for -i any -i lo: says any ($rc1, $rc2: $(head -c 200 "$TMP/vlan2.out"))"
else
	skip "dry-run: -f vlan for lo and any: no /sys/class/net/lo/type here (sysfs not mounted)"
fi
if [ "$(id -u)" -eq 0 ]; then
	got=$(SUDO_UID=1 SUDO_GID=1 "$NMM" --dry-run -i lo)
	check "dry-run: under sudo, nm-capture becomes the caller" \
	    test "$got" = "nm-capture -Z daemon -i lo | nm-decode | nm-stats -I 5 | nm-render -m compact"
	got=$("$NMM" --dry-run -Z daemon -i lo 2>&1)
	check "dry-run: -Z user" \
	    test "$got" = "nm-capture -Z daemon -i lo | nm-decode | nm-stats -I 5 | nm-render -m compact"
fi
# Outside PATH, the stages next to nm-monitor are found, shown by path.
got=$(env -u SUDO_UID PATH=/usr/bin:/bin "$NMM" --dry-run -i lo)
want="$NM_TOP/nm-capture ${Z}-i lo | $NM_TOP/nm-decode | $NM_TOP/nm-stats -I 5 | $NM_TOP/nm-render -m compact"
check "dry-run: stages next to nm-monitor, by full path" test "$got" = "$want"

# --- usage ---
usage() {
	local name=$1 rc
	shift
	"$NMM" "$@" >/dev/null 2>"$TMP/usage.err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^nm-monitor: ' "$TMP/usage.err"; then
		pass "usage: $name"
	else
		fail "usage: $name: exit $rc: $(head -n 1 "$TMP/usage.err")"
	fi
}
usage "unknown mode" -m huge -r x
usage "-i and -r" -i lo -r x
usage "--realtime without -r" --realtime -i lo
usage "interval out of range" -I 0 -r x
usage "--json and -m" --json -m minimal -r x
usage "-f and an expression" -f tcp udp -r x
usage "bad --color" --color=sometimes -r x
usage "-F and -f" -F /x/f -f tcp -r x
usage "-F and an expression" -F /x/f -r x tcp
usage "-s out of range" -s 262145 -r x
usage "-B out of range" -B 0 -r x
usage "-o fields without -e" -o fields -r x
usage "-e and -m" -e ip.src -m minimal -r x
usage "-o json and -e" -o json -e ip.src -r x
usage "bad -o" -o huge -r x
usage "-tttttt" -tttttt -r x
usage "an empty -i among several" -i lo -i ''
usage "--no-detect with --ignore" --no-detect --ignore 10.0.0.5 -r x
usage "--no-detect with --detect-opt" --no-detect --detect-opt a=1 -r x
usage "--detect-opt without =" --detect-opt scan-ports -r x
usage "--detect-opt without a value" --detect-opt scan-ports= -r x
usage "--detect-opt without a name" --detect-opt =3 -r x
usage "an empty --ignore" --ignore '' -r x
usage "an empty --detect-config" --detect-config '' -r x
# -f with a name that is no preset says so, with the presets (item 4).
"$NMM" -f web2 -r x >/dev/null 2>"$TMP/preset.err"
rc=$?
check "usage: -f web2: exit 2 ($rc)" test "$rc" -eq 2
check "usage: -f web2: says it is no preset, lists them" \
    grep -q '^nm-monitor: -f web2: no such preset (all, tcp, udp, icmp, web, dns)' \
    "$TMP/preset.err"
check "usage: -f web2: one line ($(wc -l <"$TMP/preset.err"))" \
    test "$(wc -l <"$TMP/preset.err")" -eq 1
# nm-monitor refuses exactly what nm-stats would (share/stats-limits.h).
for opt in "-I 0" "-I 1" "-I 86400" "-I 86401" "-n -1" "-n 0" "-n 500" \
    "-n 501"; do
	# shellcheck disable=SC2086
	"$NMM" --dry-run $opt -i lo >/dev/null 2>&1
	m=$?
	# shellcheck disable=SC2086
	nm-stats $opt </dev/null >/dev/null 2>&1
	s=$?
	check "usage: $opt: nm-monitor and nm-stats agree ($m, $s)" \
	    test $((m == 2)) -eq $((s == 2))
done
check "usage: -h exits 0 with the synopsis" \
    eval '"$NMM" -h | grep -q "^usage: nm-monitor"'
# -h lists every option, one line each (item 5).
"$NMM" -h >"$TMP/help" 2>&1
for o in -i -r --realtime -f -F -c -p -s -B -Z -I -n --services -m -o -e \
    --json -t -u --color --no-detect --ignore --detect-opt --detect-config \
    --dry-run -h --version; do
	check "usage: -h has a line for $o" \
	    grep -qE -- "^  ([^ ]+, )?$o[ ,.[]" "$TMP/help"
done
grep -qE -- "^  -i interface .*repeat" "$TMP/help" &&
    grep -qF "NETNS/IFACE" "$TMP/help"
verdict $? "usage: -h says -i repeats, and how to name another namespace's"

# --- replaying a capture ---
if [ ! -x "$PKTGEN" ]; then
	skip "replay: tests/tools/pktgen is not built (make tests/tools/pktgen)"
else
	"$PKTGEN" mixed "$TMP/mixed.pcap" 2>/dev/null
	chmod 644 "$TMP/mixed.pcap"
	for m in compact detailed minimal; do
		nm-capture -r "$TMP/mixed.pcap" | nm-decode |
		    nm-render -m "$m" >"$TMP/want.$m"
		"$NMM" -r "$TMP/mixed.pcap" -m "$m" >"$TMP/got.$m" \
		    2>"$TMP/err.$m"
		rc=$?
		n=$(wc -l <"$TMP/want.$m")
		# nm-stats adds records of its own: the packet lines must all
		# be there, in order.
		missing=$(grep -vxF -f "$TMP/got.$m" "$TMP/want.$m" | wc -l)
		if [ "$rc" -eq 0 ] && [ "$n" -ge 40 ] && [ "$missing" -eq 0 ] &&
		    grep -qF "$(head -n 1 "$TMP/want.$m")" "$TMP/got.$m"; then
			pass "replay: -m $m: all $n packet lines, exit 0"
		else
			fail "replay: -m $m: exit $rc, $missing of $n lines" \
			    "missing: $(head -n 1 "$TMP/err.$m")"
		fi
	done
	nm-capture -r "$TMP/mixed.pcap" | nm-decode | nm-render -o json |
	    grep '"type":"packet"' >"$TMP/want.json"
	"$NMM" -r "$TMP/mixed.pcap" --json >"$TMP/got.json" 2>"$TMP/err.json"
	rc=$?
	grep '"type":"packet"' "$TMP/got.json" >"$TMP/got.pkts"
	if [ "$rc" -eq 0 ] && cmp -s "$TMP/want.json" "$TMP/got.pkts"; then
		pass "replay: --json: the same packet records, exit 0"
	else
		fail "replay: --json: exit $rc: $(head -n 1 "$TMP/err.json")"
	fi
	check "replay: --json carries nm-stats' records" \
	    grep -q '"type":"stats"' "$TMP/got.json"
	n=$("$NMM" -r "$TMP/mixed.pcap" -c 3 --json 2>/dev/null |
	    grep -c '"type":"packet"')
	check "replay: -c 3 gives 3 packets ($n)" test "$n" -eq 3
	# -w: nm-pcap after nm-capture, as the user the stages run as
	mkdir -p "$TMP/w" && chmod 711 "$TMP" && chmod 1777 "$TMP/w"
	"$NMM" -r "$TMP/mixed.pcap" -w "$TMP/w/m.pcapng" -m minimal \
	    >"$TMP/w.out" 2>"$TMP/w.err"
	rc=$?
	if command -v tcpdump >/dev/null; then
		tcpdump -r "$TMP/mixed.pcap" -n -xx -tt --nano >"$TMP/w.a" 2>/dev/null
		tcpdump -r "$TMP/w/m.pcapng" -n -xx -tt --nano >"$TMP/w.b" 2>/dev/null
		test "$rc" -eq 0 -a ! -s "$TMP/w.err" -a -s "$TMP/w.a" &&
		    cmp -s "$TMP/w.a" "$TMP/w.b"
		verdict $? "replay: -w writes every frame whole, exit $rc, quietly"
	else
		skip "replay: -w: tcpdump not installed (tests/deps.sh)"
	fi
	# Packet lines start with the time; the stats block has DNS too.
	n=$("$NMM" -r "$TMP/mixed.pcap" -f dns -m minimal 2>/dev/null |
	    grep -c '^[0-9:.]* DNS ')
	m=$(nm-capture -r "$TMP/mixed.pcap" 'port 53' | nm-decode |
	    nm-render -m minimal | grep -c '^[0-9:.]* DNS ')
	check "replay: -f dns keeps the DNS packets ($n of $m)" \
	    test "$n" -eq "$m" -a "$n" -gt 0
	n=$("$NMM" -r "$TMP/mixed.pcap" -m minimal 2>&1 </dev/null |
	    grep -c 'Press Ctrl+C')
	check "replay: with options, a file run asks and announces nothing" \
	    test "$n" -eq 0
fi

# --- a failing stage ---
# fails NAME WANTRC GREP ARGS...: nm-monitor exits WANTRC, stderr has GREP
fails() {
	local name=$1 want=$2 msg=$3 rc
	shift 3
	timeout 20 "$@" >"$TMP/fail.out" 2>"$TMP/fail.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -e "$msg" "$TMP/fail.err"; then
		pass "failure: $name: exit $rc"
	else
		fail "failure: $name: exit $rc (want $want):" \
		    "$(head -n 2 "$TMP/fail.err" | tr '\n' ' ')"
	fi
}
pcap=$TMP/mixed.pcap
[ -f "$pcap" ] || pcap=$NM_TOP/share/sample.pcap
fails "bad filter is nm-capture's exit 6 and message" 6 \
    '^nm-capture: .*tcp port' "$NMM" -r "$pcap" -f 'tcp port'
fails "missing file is exit 5" 5 '^nm-capture: .*/no/such.pcap' \
    "$NMM" -r /no/such.pcap
# Nothing captured: nm-capture's message is the only one, and no report
# of zeros follows (issue 10, item 4: "input ended early" from nm-decode
# and an empty FINAL REPORT used to follow).
# one_error NAME ARGS...: nm-monitor ARGS prints one line, nm-capture's
one_error() {
	local name=$1
	shift
	"$NMM" "$@" >"$TMP/one.out" 2>"$TMP/one.err"
	check "failure: $name: one line on stderr ($(wc -l <"$TMP/one.err"))" \
	    test "$(wc -l <"$TMP/one.err")" -eq 1
	check "failure: $name: it is nm-capture's" \
	    grep -q '^nm-capture: ' "$TMP/one.err"
	check "failure: $name: no report on stdout" test ! -s "$TMP/one.out"
}
fails "-w where no file can be made is nm-pcap's exit 1" 1 \
    '^nm-pcap: /no/such/dir/x.pcapng: No such file' \
    "$NMM" -r "$pcap" -w /no/such/dir/x.pcapng
check "failure: -w: nm-pcap's one line is the only one" \
    test "$(wc -l <"$TMP/fail.err")" -eq 1
one_error "bad filter" -r "$pcap" -f 'tcp port'
one_error "missing file" -r /no/such.pcap
one_error "missing -F file" -r "$pcap" -F /no/such.bpf

# A copy of nm-monitor with stages of our own next to it: a decoder that
# fails at once must stop a capture that would run for minutes.
mkdir -p "$TMP/bin"
chmod 755 "$TMP/bin"
cp "$NMM" "$TMP/bin/nm-monitor"
for p in nm-capture nm-decode nm-stats nm-render; do
	ln -s "$NM_TOP/$p" "$TMP/bin/$p"
done
rm "$TMP/bin/nm-decode"
printf '#!/bin/sh\necho "nm-decode: made to fail" >&2\nexit 3\n' \
    >"$TMP/bin/nm-decode"
chmod 755 "$TMP/bin/nm-decode"
# A replay at recorded pace of a capture that spans minutes.
python3 - "$TMP/slow.pcap" <<'PY'
import struct, sys
f = open(sys.argv[1], "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
eth = bytes(12) + b"\x88\xb5" + bytes(46)
for i in range(4):
    f.write(struct.pack("<IIII", 1700000000 + 100 * i, 0, 60, 60) + eth)
PY
chmod 644 "$TMP/slow.pcap"
start=$(date +%s)
fails "a stage that fails stops the others; its status" 3 \
    '^nm-decode: made to fail' \
    env PATH=/usr/bin:/bin "$TMP/bin/nm-monitor" -r "$TMP/slow.pcap" --realtime
check "failure: the pipeline ended at once ($(($(date +%s) - start)) s)" \
    test $(($(date +%s) - start)) -lt 10
rm "$TMP/bin/nm-decode"
ln -s "$NM_TOP/nm-decode" "$TMP/bin/nm-decode"
rm "$TMP/bin/nm-stats"
printf '#!/bin/sh\nkill -SEGV $$\n' >"$TMP/bin/nm-stats"
chmod 755 "$TMP/bin/nm-stats"
fails "a stage killed by a signal: 128+11" 139 \
    'nm-stats: killed by signal 11' \
    env PATH=/usr/bin:/bin "$TMP/bin/nm-monitor" -r "$TMP/slow.pcap" --realtime

# --- nm-stats missing: the pipeline runs without it ---
rm "$TMP/bin/nm-stats"
got=$(env -u SUDO_UID PATH=/usr/bin:/bin "$TMP/bin/nm-monitor" --dry-run \
    -i lo 2>"$TMP/nostats.err")
check "no nm-stats: left out of the pipeline" \
    test "$got" = "$TMP/bin/nm-capture ${Z}-i lo | $TMP/bin/nm-decode | $TMP/bin/nm-render -m compact"
check "no nm-stats: with a warning" \
    grep -q '^nm-monitor: nm-stats: not found' "$TMP/nostats.err"

# --- nm-stats missing, but detector settings given: status 1, one line ---
env -u SUDO_UID PATH=/usr/bin:/bin "$TMP/bin/nm-monitor" --dry-run -i lo \
    --ignore 10.0.0.5 >/dev/null 2>"$TMP/nostats.err"
rc=$?
[ "$rc" = 1 ] && [ "$(grep -c . "$TMP/nostats.err")" = 1 ] &&
    grep -q '^nm-monitor: nm-stats: not found in ' "$TMP/nostats.err"
verdict $? "no nm-stats, but detector settings given: one line, status 1 ($rc)"
ln -s "$NM_TOP/nm-stats" "$TMP/bin/nm-stats"

# --- a signal sent to nm-monitor itself (kill, timeout, a service manager) ---
# ends the pipeline with the final report, as Ctrl-C does (issue 10, item
# 5): SIGINT to its pid alone used to leave it running.
for sig in INT TERM; do
	nm-monitor -r "$NM_TOP/share/sample.pcap" --realtime \
	    >"$TMP/sig$sig.out" 2>"$TMP/sig$sig.err" &
	mpid=$!
	sleep 2
	kill -"$sig" "$mpid"
	for i in $(seq 100); do kill -0 "$mpid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$mpid" 2>/dev/null; then
		fail "SIG$sig to nm-monitor: still running after 10 s"
		kill -KILL "$mpid"
	fi
	wait "$mpid"; rc=$?
	check "SIG$sig to nm-monitor alone: status 0 ($rc)" [ "$rc" = 0 ]
	check "SIG$sig to nm-monitor alone: the final report" \
	    grep -q 'FINAL REPORT' "$TMP/sig$sig.out"
done

# --- stages in a directory the unprivileged user cannot enter ---
# (a clone in root's home, mode 700: issue 10, item 0).  $TMP is mode 700
# and root's; nm-monitor opens each stage before dropping to run it.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$TMP/private"
	chmod 700 "$TMP/private"
	cp "$NM_TOP"/nm-capture "$NM_TOP"/nm-decode "$NM_TOP"/nm-stats \
	    "$NM_TOP"/nm-render "$NM_TOP"/nm-monitor \
	    "$TMP/private/"
	(cd / && env -u SUDO_UID -u SUDO_GID -u SUDO_USER \
	    "$TMP/private/nm-monitor" -r "$NM_TOP/share/sample.pcap" \
	    >"$TMP/priv.out" 2>"$TMP/priv.err")
	rc=$?
	check "stages in a mode-700 directory: status 0 ($rc: $(head -c 200 "$TMP/priv.err"))" \
	    [ "$rc" = 0 ]
	check "stages in a mode-700 directory: the final report" \
	    grep -q 'FINAL REPORT' "$TMP/priv.out"
	# the filter check before the pipeline runs nm-capture there too
	(cd / && env -u SUDO_UID -u SUDO_GID -u SUDO_USER \
	    "$TMP/private/nm-monitor" -f web2 -r "$NM_TOP/share/sample.pcap" \
	    >/dev/null 2>"$TMP/priv-f.err")
	rc=$?
	[ "$rc" = 2 ] && grep -q 'no such preset' "$TMP/priv-f.err"
	verdict $? "stages in a mode-700 directory: -f web2 still says no preset ($rc)"
else
	skip "stages in a mode-700 directory: needs root"
fi

# --- the interface question: several, and other namespaces' (issue 12) ---
# Answers piped in, to a copy of nm-monitor whose nm-capture prints a
# list we wrote: -D as today, -D --netns all with two namespaces' (or,
# without $TMP/wz/nslist, refused as by an nm-capture that has no
# --netns).  It compiles filters with the real one, and for the capture
# writes its arguments to $TMP/wz/args and replays the sample.  The live
# question, through a terminal, is tests/monitor-live.t's.
mkdir -p "$TMP/wz"
chmod 755 "$TMP/wz"
cp "$NMM" "$TMP/wz/nm-monitor"
for p in nm-decode nm-stats nm-render nm-pcap; do
	ln -s "$NM_TOP/$p" "$TMP/wz/$p"
done
cat >"$TMP/wz/list" <<'EOF'
1 lo 127.0.0.1 ::1 [up,running,loopback]
2 any (Pseudo-device that captures on all interfaces) [up,running]
3 nflog (Linux netfilter log (NFLOG) interface) [down]
EOF
cat "$TMP/wz/list" - >"$TMP/wz/nslist" <<'EOF'
4 blue/lo 127.0.0.1 ::1 [up,running,loopback]
5 blue/veth0 10.9.0.1 [up,running]
6 blue/any (Pseudo-device that captures on all interfaces) [up,running]
7 blue/nflog (Linux netfilter log (NFLOG) interface) [down]
8 red/veth1 10.9.0.2 [up,running]
EOF
cat >"$TMP/wz/nm-capture" <<EOF
#!/bin/sh
case "\$*" in
"-D") exec cat '$TMP/wz/list' ;;
"-D --netns all")
	[ -f '$TMP/wz/nslist' ] && exec cat '$TMP/wz/nslist'
	echo "nm-capture: unrecognized option '--netns'" >&2
	exit 2 ;;
"-r - -- "*) exec '$NM_TOP/nm-capture' "\$@" ;;
esac
printf '%s\n' "\$@" >'$TMP/wz/args'
exec '$NM_TOP/nm-capture' -r '$NM_TOP/share/sample.pcap'
EOF
chmod 755 "$TMP/wz/nm-capture"
chmod 644 "$TMP/wz/list" "$TMP/wz/nslist"
# wizard NAME ANSWERS...: one line each; the transcript in $TMP/wz.err,
# nm-capture's arguments on one line in $wzargs
wizard() {
	local name=$1 rc
	shift
	rm -f "$TMP/wz/args"
	printf '%s\n' "$@" | env -u SUDO_UID -u SUDO_GID PATH=/usr/bin:/bin \
	    "$TMP/wz/nm-monitor" >"$TMP/wz.out" 2>"$TMP/wz.err"
	rc=$?
	wzargs=$(tr '\n' ' ' <"$TMP/wz/args" 2>/dev/null)
	wzargs=${wzargs% }
	check "wizard: $name: exit 0 ($rc: $(grep -m 1 '^nm-' "$TMP/wz.err"))" \
	    test "$rc" = 0
}
wizard "several by number and name, a bad item asked again" \
    '1,x,9' '1, 4 red/veth1,lo' '' '' ''
check "wizard: several: nm-capture gets each, in order ($wzargs)" \
    test "$wzargs" = "${Z}-i lo -i blue/veth0 -i red/veth1"
check "wizard: several: announced" \
    grep -qx 'Interface: lo, blue/veth0, red/veth1' "$TMP/wz.err"
grep -qx 'nm-monitor: interface x: not in the list' "$TMP/wz.err" &&
    grep -qx 'nm-monitor: interface 9: no such number: choose one from the list (1 to 6)' \
    "$TMP/wz.err" &&
    test "$(grep -c '^Interface (number or name; several: 1,3 or eth0 lo; blank for all):' \
    "$TMP/wz.err")" -eq 2
verdict $? "wizard: several: each bad item named, then asked again"
# The list: the host's, any, then under a heading the namespaces', in
# nm-capture's order; the devices that are no interface only on +.
sed -n '/^Interfaces:/,/^Interface (/p' "$TMP/wz.err" | sed '$d' >"$TMP/wz.list"
cat >"$TMP/wz.want" <<'EOF'
Interfaces:
    1  lo 127.0.0.1 ::1 [up,running,loopback]
    2  any (Pseudo-device that captures on all interfaces) [up,running]
In network namespaces (as NETNS/interface):
    3  blue/lo 127.0.0.1 ::1 [up,running,loopback]
    4  blue/veth0 10.9.0.1 [up,running]
    5  blue/any (Pseudo-device that captures on all interfaces) [up,running]
    6  red/veth1 10.9.0.2 [up,running]
  (and 2 capture devices that are no network interface: + lists them)
EOF
same_file "wizard: the namespaces' interfaces listed under a heading" \
    "$TMP/wz.want" "$TMP/wz.list"
wizard "blanks alone between, + then the other devices, once each" \
    '+' '3 7  lo blue/nflog  3' '' '' ''
check "wizard: + lists another namespace's device too" \
    grep -qx '    8  blue/nflog (Linux netfilter log (NFLOG) interface) \[down\]' \
    "$TMP/wz.err"
check "wizard: an interface named twice is one source ($wzargs)" \
    test "$wzargs" = "${Z}-i blue/lo -i nflog -i lo -i blue/nflog"
# A BPF expression of one's own must compile for each interface chosen
# (lo's link type from /sys, as above).
if [ -r /sys/class/net/lo/type ]; then
	wizard "a BPF that one of them refuses is asked again" \
	    'lo,any' 'custom' 'vlan' 'udp' '' ''
	check "wizard: BPF: nm-capture's reason, naming any" \
	    grep -qx 'nm-capture: bad filter: vlan: .*VLAN.* (interface any)' "$TMP/wz.err"
	check "wizard: BPF: then the one both take ($wzargs)" \
	    test "$wzargs" = "${Z}-i lo -i any udp"
else
	skip "wizard: a BPF for lo and any: no /sys/class/net/lo/type here (sysfs not mounted)"
fi
# An nm-capture without --netns: the plain list, and no word about it.
rm "$TMP/wz/nslist"
wizard "an nm-capture without --netns" 'lo any' '' '' ''
check "wizard: without --netns: no namespaces' heading, no message" \
    test "$(grep -c 'namespace\|unrecognized\|^nm-' "$TMP/wz.err")" -eq 0
check "wizard: without --netns: several still ($wzargs)" \
    test "$wzargs" = "${Z}-i lo -i any"

# --- nm-monitor | tee log, Ctrl-C on the terminal (issue 10, item 5) ---
# The shell puts nm-monitor and tee in one process group; Ctrl-C used to
# kill tee with it, before the final report reached the file.  Run under
# a pty (tests/ptydrive.py), with sh (no job control) as its session.
# A Ctrl-Z first: ignored while the stages hold the terminal (stopped,
# they would hang it: sh has no job control to resume them).
printf '%s\t%s\n' '' '!sleep 1' '' '^Z' '' '!sleep 0.5' '' '^C' \
    'FINAL REPORT' '-' >"$TMP/tee.steps"
res=$(timeout 60 env -u SUDO_UID -u SUDO_GID python3 "$NM_TOP/tests/ptydrive.py" \
    "$TMP/tee.log" "$TMP/tee.steps" sh -c \
    "'$NMM' -r '$TMP/slow.pcap' --realtime | tee '$TMP/tee.out'" 2>&1)
check "| tee: Ctrl-Z, then Ctrl-C on the terminal: exit 0 ($res)" test "$res" = "exit 0"
check "| tee: the file has the final report" \
    grep -q 'FINAL REPORT' "$TMP/tee.out"
check "| tee: and the packet before it" grep -q 'ethertype 0x88b5' "$TMP/tee.out"

# --- the detectors (issue 13): nm-stats runs them in every pipeline ---
dry "the detectors in nm-stats, with -Y and -w" \
    "nm-capture ${Z}-r /x/t.pcap | nm-pcap -w /x/o.pcapng | nm-decode -Y udp | nm-stats -I 5 | nm-render -m compact" \
    -r /x/t.pcap -w /x/o.pcapng -Y udp
dry "--no-detect turns them off" \
    "nm-capture ${Z}-i lo | nm-decode | nm-stats -I 5 --no-detect | nm-render -o json" \
    -i lo --no-detect --json
dry "--ignore, --detect-opt and --detect-config passed on, in order" \
    "nm-capture ${Z}-i lo | nm-decode | nm-stats -I 5 --detect-config /x/d.conf --ignore 10.0.0.5 --scan-ports 20 --ignore '10.0.0.53/32#53' --suppress 30m | nm-render -m compact" \
    -i lo --ignore 10.0.0.5 --detect-opt scan-ports=20 \
    --ignore '10.0.0.53/32#53' --detect-config /x/d.conf \
    --detect-opt suppress=30m
# A SYN scan in a file: 10.0.0.1 tries 30 ports of 10.0.0.2, each reset.
python3 - "$TMP/scan.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def a4(a):
    return bytes(int(x) for x in a.split("."))
mac = {"10.0.0.1": b"\x02\0\0\0\0\1", "10.0.0.2": b"\x02\0\0\0\0\2"}
def tcp(src, dst, sp, dp, flags):
    h = struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 5 << 4, flags, 1024, 0, 0)
    ph = a4(src) + a4(dst) + struct.pack("!BBH", 0, 6, len(h))
    h = h[:16] + struct.pack("!H", csum(ph + h)) + h[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(h), 1, 0, 64, 6, 0,
                     a4(src), a4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac[dst] + mac[src] + b"\x08\x00" + ip + h
f = open(sys.argv[1], "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
us = 0
for port in range(1000, 1030):
    for p in (tcp("10.0.0.1", "10.0.0.2", 40000, port, 0x02),
              tcp("10.0.0.2", "10.0.0.1", port, 40000, 0x14)):
        us += 1000
        f.write(struct.pack("<IIII", 1700000000, us, len(p), len(p)) + p)
PY
chmod 644 "$TMP/scan.pcap"
# alerts CMD...: CMD runs nm-monitor on the scan ("${SCAN[@]}"); sets n
# to its port_scan alerts (as JSON), arc to its status
SCAN=(-r "$TMP/scan.pcap" --json)
alerts() {
	"$@" >"$TMP/alerts.out" 2>"$TMP/alerts.err"
	arc=$?
	n=$(grep -c '"type":"alert","ts":[0-9]*,"kind":"port_scan"' "$TMP/alerts.out")
}
alerts "$NMM" "${SCAN[@]}"
check "detect: a file's SYN scan gives one port_scan alert ($n, $arc)" \
    test "$n" = 1 -a "$arc" = 0
check "detect: the alert names scanner and victim" \
    grep -q '"src":"10.0.0.1","dst":"10.0.0.2"' "$TMP/alerts.out"
alerts "$NMM" "${SCAN[@]}" --no-detect
check "detect: --no-detect, no alert ($n, $arc)" test "$n" = 0 -a "$arc" = 0
alerts "$NMM" "${SCAN[@]}" --detect-opt scan-ports=40
check "detect: --detect-opt scan-ports=40 is obeyed: no alert ($n, $arc)" \
    test "$n" = 0 -a "$arc" = 0
alerts "$NMM" "${SCAN[@]}" --ignore 10.0.0.0/24
check "detect: --ignore the scanner: no alert ($n, $arc)" \
    test "$n" = 0 -a "$arc" = 0
# Every text mode shows it, once nm-render draws alerts (the same stream
# by hand says whether it does).
if nm-capture -r "$TMP/scan.pcap" | nm-decode | nm-detect |
    nm-render -m minimal --color=never | grep -q ALERT; then
	for m in compact detailed minimal; do
		"$NMM" -r "$TMP/scan.pcap" -m "$m" --color=never \
		    >"$TMP/alert.$m" 2>&1
		check "detect: -m $m shows the alert" \
		    grep -q 'ALERT.*port_scan.*10\.0\.0\.1' "$TMP/alert.$m"
	done
else
	skip "detect: the text modes' ALERT line: this nm-render draws no alerts yet"
fi
# A bad setting fails before anything is captured (-w: no file made).
mkdir -p "$TMP/dw" && chmod 1777 "$TMP/dw"
# badset NAME WANT ARGS...: status 2, nothing captured, stderr is WANT
badset() {
	local name=$1 want=$2 rc
	shift 2
	"$@" -w "$TMP/dw/never.pcapng" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	[ "$rc" = 2 ] && [ ! -s "$TMP/bad.out" ] &&
	    [ ! -e "$TMP/dw/never.pcapng" ] &&
	    [ "$(cat "$TMP/bad.err")" = "$want" ]
	verdict $? "detect: $name: status 2 before capture, one line ($rc: $(head -c 300 "$TMP/bad.err"))"
	rm -f "$TMP/dw/never.pcapng"
}
badset "a bad --detect-opt value" \
    "nm-stats: --scan-ports: scan-ports x: not a number of count" \
    "$NMM" -r "$TMP/scan.pcap" --detect-opt scan-ports=x
badset "a bad --ignore" \
    "$(nm-stats --ignore 10.0.0.0/33 --show-detect-config 2>&1 >/dev/null)" \
    "$NMM" -r "$TMP/scan.pcap" --ignore 10.0.0.0/33
# The files: HOME's, in a directory of root's, mode 700, that the stages
# (nobody, when this runs as root) cannot enter.
mkdir -p "$TMP/home/.config/nm"
chmod 700 "$TMP/home"
conf=$TMP/home/.config/nm/detect.conf
printf '# stricter\nscan-ports = 40\n' >"$conf"
alerts env HOME="$TMP/home" "$NMM" "${SCAN[@]}"
check "detect: HOME's detect.conf is obeyed ($n, $arc: $(head -c 200 "$TMP/alerts.err"))" \
    test "$n" = 0 -a "$arc" = 0
alerts env HOME="$TMP/home" "$NMM" "${SCAN[@]}" --detect-opt scan-ports=15
check "detect: an option wins over the file ($n, $arc)" test "$n" = 1 -a "$arc" = 0
printf 'scan-ports = 40\n\nsuppress 10x\n' >"$conf"
badset "a bad line in HOME's file names file:line" \
    "nm-stats: $conf:3: suppress 10x: not a number of seconds (or with s, m, h)" \
    env HOME="$TMP/home" "$NMM" -r "$TMP/scan.pcap"
printf 'scan-ports 40' >"$TMP/home/d.conf"
alerts "$NMM" "${SCAN[@]}" --detect-config "$TMP/home/d.conf"
check "detect: --detect-config is read ($n, $arc)" test "$n" = 0 -a "$arc" = 0
alerts env NM_DETECT_CONF="$TMP/home/d.conf" "$NMM" "${SCAN[@]}"
check "detect: NM_DETECT_CONF is read ($n, $arc)" test "$n" = 0 -a "$arc" = 0
badset "--detect-config of a missing file" \
    "nm-monitor: $TMP/home/nosuch: No such file or directory" \
    "$NMM" -r "$TMP/scan.pcap" --detect-config "$TMP/home/nosuch"
chmod 755 "$TMP/home"
# Not root: no user changes, and nm-stats reads the user's file itself.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/nr/bin" "$TMP/nr/home/.config/nm"
	cp "$NM_TOP"/nm-capture "$NM_TOP"/nm-decode \
	    "$NM_TOP"/nm-stats "$NM_TOP"/nm-render "$NM_TOP"/nm-pcap "$NMM" \
	    "$TMP/nr/bin/"
	printf 'scan-ports = 40\n' >"$TMP/nr/home/.config/nm/detect.conf"
	chown -R daemon "$TMP/nr/home"
	chmod 755 "$TMP/nr" "$TMP/nr/bin"
	chmod 700 "$TMP/nr/home"
	# as_daemon CMD...: CMD as daemon, its HOME ours
	as_daemon() {
		(cd / && env -u SUDO_UID -u SUDO_GID -u SUDO_USER \
		    -u XDG_CONFIG_HOME HOME="$TMP/nr/home" setpriv \
		    --reuid=daemon --regid="$(id -g daemon)" --clear-groups "$@")
	}
	alerts as_daemon "$TMP/nr/bin/nm-monitor" "${SCAN[@]}"
	check "detect: not root: the user's file is obeyed ($n, $arc: $(head -c 200 "$TMP/alerts.err"))" \
	    test "$n" = 0 -a "$arc" = 0
	printf 'scan-ports = 40\nscan-window = -1\n' \
	    >"$TMP/nr/home/.config/nm/detect.conf"
	badset "not root: a bad line names file:line" \
	    "$(HOME=$TMP/nr/home nm-stats --show-detect-config 2>&1 >/dev/null)" \
	    as_daemon "$TMP/nr/bin/nm-monitor" -r "$TMP/scan.pcap"
	check "detect: not root: the line is the file's ($(head -c 200 "$TMP/bad.err"))" \
	    grep -q "^nm-stats: $TMP/nr/home/.config/nm/detect.conf:2: " \
	    "$TMP/bad.err"
else
	skip "detect: not root: needs root (to become another user) and setpriv"
fi

# Under sudo: daemon stands for the caller; its home is replaced, in a
# mount namespace of this command alone, by one of ours (as savedf.t
# does), mode 700 and its own; HOME stays root's, as sudo sets it.
if ! mountns_ok; then
	skip "detect: settings under sudo: needs root and mount namespaces"
	exit 0
fi
dhome=$(getent passwd daemon | cut -d: -f6)
mkdir -p "$TMP/dhome/.config/nm" "$TMP/roothome/.config/nm"
chmod 700 "$TMP/roothome"
dconf=$dhome/.config/nm/detect.conf
# the file root would read under sudo's HOME: never this one
printf 'scan-ports = 2\nnot a setting\n' >"$TMP/roothome/.config/nm/detect.conf"
# as_caller CMD...: CMD as root run by sudo from daemon; /etc's files
# replaced by $TMP/etc's when there is such a directory (overlayfs)
as_caller() {
	unshare -m sh -c 'mount --bind "$1" "$2" || exit 1
	    if [ -d "$3/up" ]; then
		mount -t overlay nmetc -o "lowerdir=/etc,upperdir=$3/up,workdir=$3/work" /etc || exit 1
	    fi
	    shift 3 && exec "$@"' _ "$TMP/dhome" "$dhome" "$TMP/etc" \
	    env -u NM_DETECT_CONF -u XDG_CONFIG_HOME HOME="$TMP/roothome" \
	    SUDO_UID="$(id -u daemon)" SUDO_GID="$(id -g daemon)" \
	    SUDO_USER=daemon "$@"
}
printf 'scan-ports = 40\n' >"$TMP/dhome/.config/nm/detect.conf"
chown -R daemon "$TMP/dhome"
chmod 700 "$TMP/dhome"
chmod 600 "$TMP/dhome/.config/nm/detect.conf"
alerts as_caller "$NMM" "${SCAN[@]}"
check "detect: sudo: the caller's file is obeyed ($n, $(head -c 200 "$TMP/alerts.err"))" \
    test "$n" = 0
alerts as_caller "$NMM" "${SCAN[@]}" -Z nobody
check "detect: sudo -Z nobody, who cannot enter the caller's home: obeyed ($n, $(head -c 200 "$TMP/alerts.err"))" \
    test "$n" = 0
printf 'scan-ports = 40\nscan-window 5q\n' >"$TMP/dhome/.config/nm/detect.conf"
badset "sudo: a bad line in the caller's file names its file:line" \
    "nm-stats: $dconf:2: scan-window 5q: not a number of seconds (or with s, m, h)" \
    as_caller "$NMM" -r "$TMP/scan.pcap"
# The caller's rights: a link to a file only root may read shows nothing.
printf 'root only\n' >"$TMP/secret"
chmod 600 "$TMP/secret"
ln -sf "$TMP/secret" "$TMP/dhome/.config/nm/detect.conf"
badset "sudo: a link to a file of root's is read as the caller" \
    "nm-monitor: $dconf: Permission denied (read as daemon, who ran sudo)" \
    as_caller "$NMM" -r "$TMP/scan.pcap"
rm "$TMP/dhome/.config/nm/detect.conf"
alerts as_caller "$NMM" "${SCAN[@]}"
check "detect: sudo: no file of the caller's, the defaults: one alert ($n)" \
    test "$n" = 1
# /etc/nm/detect.conf, then the caller's (which wins); each line's error
# names its own file.
mkdir -p "$TMP/etc/up/nm" "$TMP/etc/work"
if ! as_caller true 2>/dev/null; then
	skip "detect: /etc/nm/detect.conf and the caller's: no overlayfs here"
	exit 0
fi
printf '# the system\nscan-ports = 40' >"$TMP/etc/up/nm/detect.conf"
chmod 644 "$TMP/etc/up/nm/detect.conf"
alerts as_caller "$NMM" "${SCAN[@]}"
check "detect: sudo: /etc/nm/detect.conf is obeyed ($n)" test "$n" = 0
printf '\nscan-ports 20\n' >"$TMP/dhome/.config/nm/detect.conf"
chown daemon "$TMP/dhome/.config/nm/detect.conf"
alerts as_caller "$NMM" "${SCAN[@]}"
check "detect: sudo: the caller's file wins over the system's ($n)" test "$n" = 1
printf '\nscan-ports 20\nbogus = 1\n' >"$TMP/dhome/.config/nm/detect.conf"
badset "sudo: after the system's file, the caller's line is named" \
    "nm-stats: $dconf:3: bogus: no such setting (nm-detect --show-config lists them)" \
    as_caller "$NMM" -r "$TMP/scan.pcap"
printf '\nscan-ports 20\n' >"$TMP/dhome/.config/nm/detect.conf"
printf '# the system\nscan-ports = 40\nbogus\n' >"$TMP/etc/up/nm/detect.conf"
badset "sudo: the system's line is named" \
    "nm-stats: /etc/nm/detect.conf:3: bogus: no value (name = value)" \
    as_caller "$NMM" -r "$TMP/scan.pcap"
