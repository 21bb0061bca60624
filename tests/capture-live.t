#!/usr/bin/env bash
# nm-capture on a live interface: two network namespaces of our own joined
# by a veth pair, ping from one while capturing in the other.  Checks that
# frames arrive while the capture runs (flushed when idle), capstats tick,
# SIGINT ends it cleanly, and that once capturing it holds no privilege,
# both when started as root and when started by an unprivileged user from
# a copy of the binary that has file capabilities.
# exclusive: frames and capstats ticks must come within fixed sleeps
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/capture-lib.sh"
NMC=$NM_TOP/nm-capture
[ -x "$NMC" ] || { echo "nm-capture not built"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root for namespaces"; exit 77; }
command -v ping >/dev/null || { echo "needs ping (iputils-ping)"; exit 77; }

NSA=nmcA$$ NSB=nmcB$$ IFA=nmca$$ IFB=nmcb$$
cleanup() {
	[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
netns_ok || { echo "cannot use network namespaces: $NETNS_WHY"; exit 77; }
ip netns add "$NSA" && ip netns add "$NSB" &&
    ip link add "$IFA" netns "$NSA" type veth peer name "$IFB" netns "$NSB" ||
    { echo "cannot make network namespaces"; exit 77; }
ip -n "$NSA" addr add 10.77.0.1/24 dev "$IFA"
ip -n "$NSB" addr add 10.77.0.2/24 dev "$IFB"
ip -n "$NSA" link set "$IFA" up
ip -n "$NSB" link set "$IFB" up
ip -n "$NSA" link set lo up

# ready PID: waits (up to 5 s) until the process runs without root.
ready() {
	local i uid
	for i in $(seq 50); do
		uid=$(awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
		[ -n "$uid" ] && [ "$uid" != 0 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# unprivileged NAME PID WANTUID: /proc shows no privilege left
unprivileged() {
	local st=/proc/$2/status f v
	[ -r "$st" ] || { fail "$1: no process"; return; }
	v=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "$st")
	[ "$v" = "$3$3$3$3" ] && pass "$1 uid $3" || fail "$1 uid: $v"
	v=$(awk '/^Gid:/ { print ($2 != 0 && $3 != 0 && $4 != 0 && $5 != 0) }' "$st")
	[ "$v" = 1 ] && pass "$1 gid not 0" || fail "$1 gid: $(grep ^Gid: "$st")"
	v=$(awk '/^Groups:/ { print NF - 1 }' "$st")
	[ "$v" = 0 ] && pass "$1 no groups" || fail "$1 groups: $(grep ^Groups: "$st")"
	for f in CapEff CapPrm CapInh CapAmb; do
		v=$(awk -v f="$f:" '$1 == f { print $2 }' "$st")
		[ "$v" = 0000000000000000 ] && pass "$1 $f empty" ||
		    fail "$1 $f: $v"
	done
	v=$(awk '/^NoNewPrivs:/ { print $2 }' "$st")
	[ "$v" = 1 ] && pass "$1 no_new_privs" || fail "$1 NoNewPrivs: $v"
}

# capture NAME CMD...: runs CMD in namespace A in the background as PID
capture() {
	local name=$1; shift
	ip netns exec "$NSA" timeout 30 "$@" >"$TMP/$name.bin" \
	    2>"$TMP/$name.err" &
	PID=$!
}
# finish NAME: SIGINT, then the exit status in $TMP/NAME.rc
finish() {
	local i
	kill -INT "$PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$PID"
	echo $? >"$TMP/$1.rc"
	PID=
	nmc_json <"$TMP/$1.bin" >"$TMP/$1.json"
}

# --- as root ---
# timeout(1) forks, so the capture is its child: find it by parent.
capture root "$NMC" -i "$IFA" icmp
sleep 0.3
CPID=$(pgrep -P "$PID" -x nm-capture)
if [ -n "$CPID" ] && ready "$CPID"; then
	pass "root: capture running"
	unprivileged "root:" "$CPID" "$(id -u nobody)"
	timeout 10 ip netns exec "$NSB" ping -c 5 -i 0.2 -W 1 10.77.0.1 \
	    >/dev/null 2>&1
	sleep 1.3	# one capstats tick; frames already flushed when idle
	n=$(nmc_json <"$TMP/root.bin" 2>/dev/null | grep -c '"frame"')
	check "root: frames arrive while running ($n)" [ "$n" -ge 10 ]
	kill -INT "$CPID"
	finish root
	check "root: SIGINT exits 0" [ "$(cat "$TMP/root.rc")" = 0 ]
	check "root: nothing on stderr" [ ! -s "$TMP/root.err" ]
	nmc_is "root: 5 echo requests and 5 replies" "$TMP/root.json" \
	    'len(T("frame"))' 10
	nmc_is "root: header" "$TMP/root.json" \
	    '(R[0]["type"], R[0]["sources"][0]["name"], R[0]["sources"][0]["kind"], R[0]["sources"][0]["filter"])' \
	    "('header', '$IFA', 'interface', 'icmp')"
	nmc_is "root: periodic capstats" "$TMP/root.json" \
	    'len([c for c in T("capstats") if not c["final"]]) >= 1' True
	nmc_is "root: final capstats" "$TMP/root.json" \
	    '(R[-2]["type"], R[-2]["final"], R[-2]["recv"] >= 10)' \
	    "('capstats', True, True)"
	nmc_is "root: end record" "$TMP/root.json" \
	    '(R[-1]["type"], R[-1]["frames"], R[-1]["reason"])' \
	    "('end', 10, 'signal')"
else
	fail "root: capture did not start: $(head -c 300 "$TMP/root.err")"
	finish root
fi

# -c ends a live capture by itself; -Z picks the user.
capture count "$NMC" -c 2 -Z daemon -i "$IFA" icmp
sleep 0.3
CPID=$(pgrep -P "$PID" -x nm-capture)
if [ -n "$CPID" ] && ready "$CPID"; then
	v=$(awk '/^Uid:/ { print $2 }' "/proc/$CPID/status")
	check "-Z daemon" [ "$v" = "$(id -u daemon)" ]
fi
timeout 10 ip netns exec "$NSB" ping -c 3 -i 0.2 -W 1 10.77.0.1 >/dev/null 2>&1
wait "$PID"
echo $? >"$TMP/count.rc"
PID=
nmc_json <"$TMP/count.bin" >"$TMP/count.json"
check "live -c 2 exits 0" [ "$(cat "$TMP/count.rc")" = 0 ]
nmc_is "live -c 2" "$TMP/count.json" \
    '(len(T("frame")), R[-1]["reason"])' "(2, 'count')"

# --immediate-mode: packets handed over one by one; the same records.
capture imm "$NMC" --immediate-mode -c 4 -i "$IFA" icmp
sleep 0.3
CPID=$(pgrep -P "$PID" -x nm-capture)
[ -n "$CPID" ] && ready "$CPID"
timeout 10 ip netns exec "$NSB" ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null 2>&1
wait "$PID"
echo $? >"$TMP/imm.rc"
PID=
nmc_json <"$TMP/imm.bin" >"$TMP/imm.json"
check "--immediate-mode -c 4 exits 0" [ "$(cat "$TMP/imm.rc")" = 0 ]
nmc_is "--immediate-mode: 2 requests and 2 replies" "$TMP/imm.json" \
    '(len(T("frame")), R[-1]["reason"])' "(4, 'count')"

# --- unprivileged user, file capabilities ---
if ! command -v setcap >/dev/null; then
	skip "file capabilities: no setcap (apt-get install libcap2-bin)"
	exit 0
fi
# File capabilities are ignored on nosuid mounts: pick a dir without it.
for d in "$TMP" /var/tmp "$NM_TOP/tests/out"; do
	CAPDIR=$(mktemp -d "$d/nmcap.XXXXXX") || continue
	findmnt -n -o OPTIONS --target "$CAPDIR" | grep -qw nosuid || break
	rm -rf "$CAPDIR"; CAPDIR=
done
if [ -z "$CAPDIR" ]; then
	skip "file capabilities: no directory without nosuid"
	exit 0
fi
chmod 755 "$TMP" "$CAPDIR"
cp "$NMC" "$CAPDIR/nm-capture"
chmod 755 "$CAPDIR/nm-capture"
setcap cap_net_raw,cap_net_admin=eip "$CAPDIR/nm-capture"
capture caps setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$CAPDIR/nm-capture" -i "$IFA"
sleep 0.5
CPID=$(pgrep -P "$PID" -x nm-capture)
if [ -n "$CPID" ] && kill -0 "$CPID" 2>/dev/null; then
	pass "setcap: capture running as nobody"
	unprivileged "setcap:" "$CPID" "$(id -u nobody)"
	timeout 10 ip netns exec "$NSB" ping -c 3 -i 0.2 -W 1 10.77.0.1 \
	    >/dev/null 2>&1
	sleep 0.3
	kill -INT "$CPID"
	finish caps
	check "setcap: SIGINT exits 0" [ "$(cat "$TMP/caps.rc")" = 0 ]
	nmc_is "setcap: frames captured" "$TMP/caps.json" \
	    'len([f for f in T("frame") if f["len"] == 98]) >= 6' True
else
	fail "setcap: capture did not start: $(head -c 300 "$TMP/caps.err")"
	finish caps
fi
rm -rf "$CAPDIR"
