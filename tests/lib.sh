# Sourced by test scripts: check helpers and paths.
# Each check prints one line the runner counts: PASS:, FAIL: or SKIP:.
set -u
NM_TOP=${NM_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export PATH="$NM_TOP:$PATH"
# nm-render writes arrows as UTF-8 only under a UTF-8 locale (ASCII '>'
# elsewhere, as tcpdump): the tests expect the arrows, whatever locale
# the runner has; a test of another locale sets its own.
export LC_ALL=C.UTF-8
SHARED=${NM_SHARED:-$NM_TOP/../shared}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nmtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }
# check NAME CMD...: passes when CMD succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
# verdict STATUS NAME: passes when STATUS is 0; for a condition of several
# commands, run on the line before it and given as $?.  (In
# `check NAME A && B` check runs A alone and B, run after the verdict is
# out, decides nothing: tests/style.t refuses that.)
verdict() { if [ "$1" = 0 ]; then pass "$2"; else fail "$2"; fi; }
# same_file NAME EXPECTED ACTUAL: passes when equal, shows a diff otherwise
same_file() {
	if cmp -s "$2" "$3"; then pass "$1"
	else fail "$1: differs from $2"; diff -u "$2" "$3" | head -n 30; fi
}
# wait_for SECONDS CMD...: 0 as soon as CMD succeeds (polled every 0.1 s),
# 1 when it has not within SECONDS.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# alone_done: a test that runs alone ("# exclusive" line, tests/run.sh)
# says the part that needed the machine to itself is over: other tests
# may run beside the rest of it.
alone_done() {
	[ -n "${NM_SLOT_PID:-}" ] && kill -USR1 "$NM_SLOT_PID" 2>/dev/null
	return 0
}
# netns_ok: 0 when network namespaces can be made and entered here, else
# 1 with the reason in NETNS_WHY.  `ip netns add` can succeed where
# `ip netns exec` cannot (a chroot whose / is no mount point), so both
# are tried, on a namespace of our own that is removed again.
netns_ok() {
	local ns=nmprobe$$ out
	NETNS_WHY=
	[ "$(id -u)" -eq 0 ] || { NETNS_WHY="needs root"; return 1; }
	if ! out=$(ip netns add "$ns" 2>&1); then
		NETNS_WHY="ip netns add: ${out%%$'\n'*}"; return 1
	fi
	out=$(ip netns exec "$ns" true 2>&1) || NETNS_WHY="ip netns exec: ${out%%$'\n'*}"
	ip netns del "$ns" 2>/dev/null
	[ -z "$NETNS_WHY" ]
}
# veth_pair NS_A NS_B IF_A IF_B: two new network namespaces joined by a
# veth pair, IF_A in NS_A and IF_B in NS_B, their links and lo up.
veth_pair() {
	ip netns add "$1" && ip netns add "$2" &&
	    ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" &&
	    ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up &&
	    ip -n "$1" link set lo up && ip -n "$2" link set lo up
}
# mountns_ok: 0 when a private mount namespace can mount a tmpfs here.
mountns_ok() {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
	    unshare -m sh -c 'mount -t tmpfs -o size=64k nmprobe "$1"' sh "$TMP" \
	    2>/dev/null
}
