#!/usr/bin/env bash
# nm-monitor live, in network namespaces of our own: the three questions
# asked through a pseudo-terminal (python3's pty), with wrong answers
# asked again, then the chosen pipeline running until Ctrl-C typed on
# that terminal; and privilege separation for real: started as root on a
# veth while the peer pings, only nm-capture may start privileged, and
# once running no stage (nor nm-monitor) keeps uid 0 or a capability.
# Ctrl-C to the process group and SIGTERM to nm-monitor both end it with
# the final report and exit 0.  Needs root; every wait is bounded.
# exclusive: packets pinged must be shown within fixed sleeps
source "$(dirname "$0")/lib.sh"
NMM=$NM_TOP/nm-monitor
[ -x "$NMM" ] || { echo "nm-monitor not built"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root for namespaces"; exit 77; }
for t in ip ping python3 setsid; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done

NSA=nmmA$$ NSB=nmmB$$ IFA=nmma$$ IFB=nmmb$$
MPID=
cleanup() {
	[ -n "$MPID" ] && kill -KILL -- "-$MPID" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
netns_ok || { echo "cannot use network namespaces: $NETNS_WHY"; exit 77; }
ip netns add "$NSA" && ip netns add "$NSB" &&
    ip link add "$IFA" netns "$NSA" type veth peer name "$IFB" netns "$NSB" ||
    { echo "cannot make network namespaces"; exit 77; }
ip -n "$NSA" addr add 10.79.0.1/24 dev "$IFA"
ip -n "$NSB" addr add 10.79.0.2/24 dev "$IFB"
ip -n "$NSA" link set "$IFA" up
ip -n "$NSB" link set "$IFB" up
ip -n "$NSA" link set lo up
chmod 755 "$TMP"

# --- the questions, through a pseudo-terminal ---
# tests/ptydrive.py LOG STEPS CMD... types the answers on a pty.
DRIVE=$NM_TOP/tests/ptydrive.py
# The interface question's prompt, as a pattern
IFQ='Interface \(number or name; several: 1,3 or eth0 lo; blank for all\):'
# Traffic to port 53 on lo, for as long as it takes the capture to start.
dns="ip netns exec $NSA bash -c 'for i in \$(seq 20); do echo q >/dev/udp/127.0.0.1/53; sleep 0.1; done'"
printf '%s\t%s\n' \
    'Interfaces:' '-' \
    "$IFA 10\\.79\\.0\\.1" '-' \
    ' lo 127\.0\.0\.1' '-' \
    "$IFQ" '99' \
    'interface 99: no such number' '-' \
    "$IFQ" 'lo' \
    'DNS +port 53' '-' \
    'custom BPF expression' '-' \
    'Filter \(number or name, blank for all\):' 'dns' \
    'detailed' '-' \
    'Mode \(number or name, blank for compact\):' 'huge' \
    'mode huge: no such mode' '-' \
    'Mode \(number or name, blank for compact\):' '3' \
    'Capture file to write \(pcapng\), blank for none:' '' \
    'Interface: lo' '-' \
    'Filter: +DNS \(port 53\)' '-' \
    'Mode: +minimal' '-' \
    'Alerts: +on \(nm-stats' '-' \
    'Press Ctrl\+C to stop' "!$dns" \
    'DNS.* 127\.0\.0\.1 → 127\.0\.0\.1' '^C' \
    'FINAL REPORT|packets? captured' '-' >"$TMP/steps"
res=$(ip netns exec "$NSA" timeout 60 env -u SUDO_UID -u SUDO_GID \
    python3 "$DRIVE" "$TMP/wizard.log" "$TMP/steps" "$NMM" 2>&1)
if [ "$res" = "exit 0" ]; then
	pass "wizard: questions, answers asked again, minimal DNS on lo, Ctrl-C, exit 0"
else
	fail "wizard: $res"
fi
sed 's/^/    | /' "$TMP/wizard.log"	# the transcript, for the log

# --- saved filters (nm-filters(5)) in the filter question ---
# listed after the presets, each with its expression; one on decoded
# fields, chosen by name, becomes nm-decode's -Y and is announced
printf '[capture]\nlo-dns  udp port 53\n[display]\nto53  udp.dstport == 53\n' \
    >"$TMP/filters"
chmod 644 "$TMP/filters"
printf '%s\t%s\n' \
    "$IFQ" 'lo' \
    '[0-9]+  lo-dns +udp port 53' '-' \
    '[0-9]+  to53 +udp\.dstport == 53  \(decoded fields\)' '-' \
    'custom BPF expression' '-' \
    'Filter \(number or name, blank for all\):' 'to53' \
    'Mode \(number or name, blank for compact\):' 'minimal' \
    'Capture file to write \(pcapng\), blank for none:' '' \
    'Decoded: +to53 \(udp\.dstport == 53\)' '-' \
    'Press Ctrl\+C to stop' "!$dns" \
    'DNS.* 127\.0\.0\.1 → 127\.0\.0\.1' '^C' \
    'FINAL REPORT|packets? captured' '-' >"$TMP/steps-saved"
res=$(ip netns exec "$NSA" timeout 60 env -u SUDO_UID -u SUDO_GID \
    NM_FILTERS="$TMP/filters" \
    python3 "$DRIVE" "$TMP/wizard-saved.log" "$TMP/steps-saved" "$NMM" 2>&1)
check "wizard: saved filters listed after the presets; one on decoded fields runs as -Y ($res)" \
    test "$res" = "exit 0"
sed 's/^/    | /' "$TMP/wizard-saved.log"

# --- the wizard's list and its error paths (issue 10, items 4 and 6) ---
# Network interfaces first: the numbered lines before libpcap's other
# devices' mention are interfaces the kernel knows, the first of them up
# with an address; + lists the others.  A BPF expression that does not
# compile is asked again, with nm-capture's reason, before anything runs.
ip netns exec "$NSA" "$NM_TOP/nm-capture" -D >"$TMP/devs"
# not_netdev < NAMES: those no interface of $NSA's (its sysfs), nor any
not_netdev() {
	ip netns exec "$NSA" sh -c 'while read -r d; do
		[ "$d" = any ] || [ -e "/sys/class/net/$d" ] || echo "$d"
	done'
}
pseudo=$(awk '{ print $2 }' "$TMP/devs" | not_netdev | head -n 1)
{
	printf '%s\t%s\n' 'Interfaces:' '-'
	if [ -n "$pseudo" ]; then
		printf '%s\t%s\n' 'capture devices? that (is|are) no network interface: \+ lists them' '-' \
		    "$IFQ" '+' \
		    "[0-9]+  $pseudo" '-'
	fi
	printf '%s\t%s\n' \
	    "$IFQ" 'lo' \
	    'Filter \(number or name, blank for all\):' 'custom' \
	    'BPF expression \(see pcap-filter\(7\)\):' 'tcp port' \
	    'nm-capture: bad filter: tcp port: .*syntax error' '-' \
	    'BPF expression \(see pcap-filter\(7\)\):' 'udp port 53' \
	    'Mode \(number or name, blank for compact\):' 'minimal' \
	    'Capture file to write \(pcapng\), blank for none:' "$TMP/w/wz.pcapng" \
	    'Filter: +udp port 53' '-' \
	    "Writing: +$TMP/w/wz.pcapng" '-' \
	    'Press Ctrl\+C to stop' "!$dns" \
	    'DNS.* 127\.0\.0\.1 → 127\.0\.0\.1' '^C' \
	    'FINAL REPORT' '-'
} >"$TMP/steps2"
# the stages (nm-pcap with them) run as nobody: a directory it may write
mkdir -p "$TMP/w" && chmod 711 "$TMP" && chmod 1777 "$TMP/w"
res=$(ip netns exec "$NSA" timeout 60 env -u SUDO_UID -u SUDO_GID \
    python3 "$DRIVE" "$TMP/wizard2.log" "$TMP/steps2" "$NMM" 2>&1)
check "wizard: a BPF that does not compile is asked again; then it runs ($res)" \
    test "$res" = "exit 0"
check "wizard: the capture file asked for holds the DNS packets" \
    sh -c "tcpdump -r '$TMP/w/wz.pcapng' -n 2>/dev/null | grep -q '[.]53: '"
sed 's/^/    | /' "$TMP/wizard2.log"
# The numbered lines shown before the first answer (the namespace's own:
# NETNS/IFACE ones aside).
sed -n '/^Interfaces:/,/^Interface (/p' "$TMP/wizard2.log" | tr -d '\r' |
    awk '$1 ~ /^[0-9]+$/ && $2 !~ /\// { print $2 }' >"$TMP/shown"
first=$(head -n 1 "$TMP/shown")
check "wizard: the first interface listed is up with an address ($first)" \
    grep -qE "^[0-9]+ $first .*[0-9]+\.[0-9]+.* \[up" "$TMP/devs"
hidden=$(not_netdev <"$TMP/shown")
check "wizard: no pseudo-device in the numbered list (${hidden:-none})" \
    test -z "$hidden"
if [ -n "$pseudo" ]; then
	check "wizard: + lists $pseudo" grep -qE "[0-9]+  $pseudo" "$TMP/wizard2.log"
else
	skip "wizard: + lists the other devices: nm-capture -D lists none here"
fi

# --- several interfaces, and other namespaces' (issue 12) ---
# Asked in $NSA, the question lists the named namespaces' interfaces
# (nm-capture -D --netns all) under a heading, numbered after $NSA's own
# and any; a bad item of several is named and asked again.  lo by number
# (second, after $IFA) and $NSB/$IFB by name (the machine's other
# namespaces may come and go, and their number with them): DNS on $NSA's
# lo and the pings $NSB sends in one pipeline.  Then the same by options,
# -i twice.  Both need an nm-capture that takes several -i and lists
# namespaces: until then, skip.
ping="ip netns exec $NSB ping -c 4 -i 0.2 -W 1 10.79.0.1 >/dev/null 2>&1"
if ! ip netns exec "$NSA" "$NM_TOP/nm-capture" -D --netns all \
    >"$TMP/nsdevs" 2>"$TMP/nsdevs.err"; then
	why="nm-capture -D --netns all refused ($(head -n 1 "$TMP/nsdevs.err"))"
	skip "wizard: several interfaces, another namespace's: $why"
	skip "-i twice, lo and another namespace's: $why"
else
	# traffic_steps: from the announcement, both sources' packets
	traffic_steps() {
		printf '%s\t%s\n' \
		    "Interface: lo, $NSB/$IFB" '-' \
		    'Press Ctrl\+C to stop' "!$dns" \
		    'DNS.* 127\.0\.0\.1 → 127\.0\.0\.1' "!$ping" \
		    'ICMP.* 10\.79\.0\.2 → 10\.79\.0\.1' '^C' \
		    'FINAL REPORT' '-'
	}
	# drive NAME ARGS...: nm-monitor ARGS in $NSA on a terminal, as
	# $TMP/NAME.steps says; the transcript in $TMP/NAME.log and ours
	drive() {
		local name=$1
		shift
		res=$(ip netns exec "$NSA" timeout 90 env -u SUDO_UID \
		    -u SUDO_GID python3 "$DRIVE" "$TMP/$name.log" \
		    "$TMP/$name.steps" "$NMM" "$@" 2>&1)
	}
	{
		printf '%s\t%s\n' \
		    'Interfaces:' '-' \
		    ' 2  lo 127\.0\.0\.1' '-' \
		    'In network namespaces \(as NETNS/interface\):' '-' \
		    " [0-9]+  $NSB/$IFB 10\\.79\\.0\\.2" '-' \
		    "$IFQ" "lo,$NSB/nosuch0" \
		    "interface $NSB/nosuch0: not in the list" '-' \
		    "$IFQ" "2 $NSB/$IFB" \
		    'Filter \(number or name, blank for all\):' 'custom' \
		    'BPF expression \(see pcap-filter\(7\)\):' \
		    'udp port 53 or icmp' \
		    'Mode \(number or name, blank for compact\):' 'minimal' \
		    'Capture file to write \(pcapng\), blank for none:' ''
		traffic_steps
	} >"$TMP/wizard-ns.steps"
	drive wizard-ns
	check "wizard: several interfaces, lo by number, $NSB/$IFB by name: DNS on lo and $NSB's pings ($res)" \
	    test "$res" = "exit 0"
	check "wizard: the namespace it runs in is not listed again as $NSA/..." \
	    test "$(grep -c "  $NSA/" "$TMP/wizard-ns.log")" -eq 0
	sed 's/^/    | /' "$TMP/wizard-ns.log"
	traffic_steps >"$TMP/i2.steps"
	drive i2 -i lo -i "$NSB/$IFB" -f 'udp port 53 or icmp' -m minimal
	check "-i twice, lo and $NSB/$IFB: DNS on lo and $NSB's pings ($res)" \
	    test "$res" = "exit 0"
	sed 's/^/    | /' "$TMP/i2.log"
fi

# --- privilege separation, Ctrl-C to the process group ---
# The stages' /proc status: "name uid-list" per child of nm-monitor.
stages() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$(cat "/proc/$c/comm" 2>/dev/null)" \
		    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' \
		    "/proc/$c/status" 2>/dev/null)"
	done | sort
}
# wait_stages PID [N]: until N (4) nm-* programs run under PID (5 s at
# most).
wait_stages() {
	local i
	for i in $(seq 50); do
		[ "$(stages "$1" | grep -c '^nm-')" -eq "${2:-4}" ] && return 0
		sleep 0.1
	done
	return 1
}
# nopriv NAME PID UID: /proc shows no privilege left
nopriv() {
	local st=/proc/$2/status v
	v=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "$st" 2>/dev/null)
	[ "$v" = "$3$3$3$3" ] && pass "$1: uid $3" || fail "$1: uid: $v"
	v=$(awk '/^Gid:/ { print ($2 != 0 && $3 != 0 && $4 != 0 && $5 != 0) }' "$st")
	[ "$v" = 1 ] && pass "$1: gid not 0" || fail "$1: $(grep ^Gid: "$st")"
	v=$(awk '$1 == "CapEff:" || $1 == "CapPrm:" { print $2 }' "$st" |
	    sort -u)
	[ "$v" = 0000000000000000 ] && pass "$1: no capability" ||
	    fail "$1: capabilities $v"
}
# wait_exec: until $MPID runs nm-monitor (5 s at most): ip netns exec
# and setsid both exec, so the pid is nm-monitor's.
wait_exec() {
	local i
	for i in $(seq 50); do
		[ "$(cat "/proc/$MPID/comm" 2>/dev/null)" = nm-monitor ] &&
		    break
		sleep 0.1
	done
}
# start NAME ENV...: nm-monitor, a process group of its own, in $NSA
start() {
	local name=$1
	shift
	ip netns exec "$NSA" env -u SUDO_UID -u SUDO_GID "$@" \
	    setsid "$NMM" -i "$IFA" -f icmp -m minimal \
	    >"$TMP/$name.out" 2>"$TMP/$name.err" &
	MPID=$!
	wait_exec
}
# finish NAME: waits (10 s at most) for nm-monitor, status in $TMP/NAME.rc
finish() {
	local i
	for i in $(seq 100); do
		kill -0 "$MPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$MPID" 2>/dev/null
	wait "$MPID"
	echo $? >"$TMP/$1.rc"
	MPID=
}

duid=$(id -u daemon)
start int SUDO_UID="$duid" SUDO_GID="$(id -g daemon)"
if wait_stages "$MPID"; then
	# At first sight: decode, stats and render are the caller already.
	stages "$MPID" >"$TMP/first"
	for p in nm-decode nm-stats nm-render; do
		check "sudo: $p runs as the caller from the start" \
		    grep -qx "$p $duid $duid $duid $duid" "$TMP/first"
	done
	cpid=$(pgrep -P "$MPID" -x nm-capture)
	check "sudo: nm-capture is nm-monitor's child" test -n "$cpid"
	sleep 0.5
	timeout 10 ip netns exec "$NSB" ping -c 4 -i 0.2 -W 1 10.79.0.1 \
	    >/dev/null 2>&1
	sleep 0.3
	# nm-capture captured, so it had privilege; it has none now.
	for c in $(pgrep -P "$MPID"); do
		nopriv "sudo: $(cat "/proc/$c/comm")" "$c" "$duid"
	done
	nopriv "sudo: nm-monitor itself" "$MPID" "$duid"
	pgid=$(ps -o pgid= -p "$MPID" | tr -d ' ')
	check "sudo: nm-monitor leads its process group" \
	    test "$pgid" = "$MPID"
	kill -INT -- "-$pgid"
	finish int
	check "sudo: Ctrl-C to the group exits 0 ($(cat "$TMP/int.rc"))" \
	    test "$(cat "$TMP/int.rc")" = 0
	n=$(grep -c 'ICMP 10\.79\.0\.[12] → 10\.79\.0\.[12]' "$TMP/int.out")
	check "sudo: the echo requests and replies were shown ($n)" \
	    test "$n" -ge 8
	check "sudo: the final report was printed" \
	    grep -qE 'FINAL REPORT|packets? captured' "$TMP/int.out" "$TMP/int.err"
else
	fail "sudo: the pipeline did not start: $(head -n 2 "$TMP/int.err")"
	finish int
fi

# --- no SUDO_UID: nobody; SIGTERM to nm-monitor alone ---
nuid=$(id -u nobody)
start term
if wait_stages "$MPID"; then
	sleep 0.5
	timeout 10 ip netns exec "$NSB" ping -c 2 -i 0.2 -W 1 10.79.0.1 \
	    >/dev/null 2>&1
	sleep 0.3
	for c in $(pgrep -P "$MPID"); do
		nopriv "nobody: $(cat "/proc/$c/comm")" "$c" "$nuid"
	done
	kill -TERM "$MPID"
	finish term
	check "nobody: SIGTERM to nm-monitor exits 0 ($(cat "$TMP/term.rc"))" \
	    test "$(cat "$TMP/term.rc")" = 0
	n=$(grep -c 'ICMP 10\.79\.0\.[12] → 10\.79\.0\.[12]' "$TMP/term.out")
	check "nobody: the packets were shown ($n)" test "$n" -ge 4
	check "nobody: nothing unexpected on stderr" \
	    test "$(grep -vc 'packets\?\|Interface\|Filter\|Mode\|Press' \
	    "$TMP/term.err")" -eq 0
else
	fail "nobody: the pipeline did not start: $(head -n 2 "$TMP/term.err")"
	finish term
fi

# --- live failures ---
# Nothing captured: nm-capture's message alone, once, and no report of
# zeros (issue 10, item 4).
ip netns exec "$NSA" timeout 10 "$NMM" -i nosuch0 >"$TMP/nosuch.out" \
    2>"$TMP/nosuch.err"
rc=$?
check "failure: no such interface: exit 5 ($rc)" test "$rc" -eq 5
check "failure: no such interface: nm-capture says so" \
    grep -q '^nm-capture: .*nosuch0' "$TMP/nosuch.err"
check "failure: no such interface: one line ($(wc -l <"$TMP/nosuch.err"))" \
    test "$(wc -l <"$TMP/nosuch.err")" -eq 1
check "failure: no such interface: no report" test ! -s "$TMP/nosuch.out"
# Not root: nm-capture cannot open the interface.  The programs are
# copied where nobody can run them.
if command -v setpriv >/dev/null; then
	mkdir -p "$TMP/bin"
	cp "$NM_TOP"/nm-capture "$NM_TOP"/nm-decode "$NM_TOP"/nm-stats \
	    "$NM_TOP"/nm-render "$NMM" "$TMP/bin/"
	chmod 755 "$TMP/bin"
	# HOME as a login gives it
	(cd / && HOME=/nonexistent ip netns exec "$NSA" timeout 10 \
	    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$TMP/bin/nm-monitor" -i "$IFA" >"$TMP/noperm.out" \
	    2>"$TMP/noperm.err")
	rc=$?
	check "failure: no permission: exit 4 ($rc)" test "$rc" -eq 4
	check "failure: no permission: one line, nm-capture's ($(head -c 200 "$TMP/noperm.err"))" \
	    test "$(grep -c . "$TMP/noperm.err")" -eq 1 -a \
	    "$(grep -c '^nm-capture: ' "$TMP/noperm.err")" -eq 1
	check "failure: no permission: no report" test ! -s "$TMP/noperm.out"
else
	skip "failure: no permission: needs setpriv"
fi

# --- alerts, live (issue 13): nmap -sS from $NSB at $NSA's closed ports ---
# nm-monitor's nm-stats runs the detectors by default: its JSON has exactly one
# port_scan alert (the rest suppressed) naming scanner and victim; on
# the text modes, nm-render's red ALERT line once nm-render draws them.
# scan NAME STAGES ARGS...: nm-monitor ARGS on $IFA, once its STAGES
# programs run, while nmap scans; output in $TMP/NAME.out, status in
# $TMP/NAME.rc
scan() {
	local name=$1 nst=$2
	shift 2
	ip netns exec "$NSA" env -u SUDO_UID -u SUDO_GID setsid "$NMM" \
	    -i "$IFA" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	MPID=$!
	wait_exec
	if ! wait_stages "$MPID" "$nst"; then
		fail "$name: the pipeline did not start: $(head -n 2 "$TMP/$name.err")"
	fi
	sleep 0.5
	timeout 60 ip netns exec "$NSB" nmap -n -Pn -sS -T4 -p 1-200 \
	    10.79.0.1 >"$TMP/$name.nmap" 2>&1
	sleep 1
	kill -TERM "$MPID"
	finish "$name"
}
if ! command -v nmap >/dev/null; then
	skip "alerts live: nmap is not installed (tests/deps.sh)"
else
	scan nmap-json 4 --json
	n=$(grep -c '"type":"alert","ts":[0-9]*,"kind":"port_scan"' \
	    "$TMP/nmap-json.out")
	check "alerts live: nmap -sS: exit 0 ($(cat "$TMP/nmap-json.rc"))" \
	    test "$(cat "$TMP/nmap-json.rc")" = 0
	check "alerts live: nmap -sS: one port_scan alert ($n: $(head -c 200 "$TMP/nmap-json.err"))" \
	    test "$n" = 1
	check "alerts live: it names the SYN scan of $NSA by $NSB" \
	    grep -q '"kind":"port_scan","style":"SYN",.*"src":"10.79.0.2","dst":"10.79.0.1"' \
	    "$TMP/nmap-json.out"
	scan nmap-off 4 --json --no-detect
	n=$(grep -c '"type":"alert"' "$TMP/nmap-off.out")
	check "alerts live: --no-detect: no alert ($n)" test "$n" = 0
	n=$(grep -c '"type":"packet"' "$TMP/nmap-off.out")
	check "alerts live: --no-detect: the scan's packets all the same ($n)" \
	    test "$n" -ge 200
	# The text: nm-render's line, if it draws alerts on the same stream
	# (-w keeps it) replayed by hand.
	scan nmap-text 5 -m compact --color=never -w "$TMP/w/scan.pcapng"
	if nm-capture -r "$TMP/w/scan.pcapng" 2>/dev/null | nm-decode |
	    nm-detect | nm-render -m compact --color=never | grep -q ALERT; then
		check "alerts live: nm-render's ALERT line in compact mode" \
		    grep -q 'ALERT.*10\.79\.0\.2' "$TMP/nmap-text.out"
	else
		skip "alerts live: no ALERT line to look for: this nm-render draws no alerts yet"
	fi
fi
