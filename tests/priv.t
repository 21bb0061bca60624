#!/usr/bin/env bash
# Privilege at the edges, run as root as sudo would leave it (SUDO_UID,
# SUDO_GID, SUDO_USER naming nobody): nm-monitor runs its stages in the
# caller's passwd group with no other group, and refuses, in one line
# before anything starts, a SUDO_GID that says otherwise; nm-capture reads
# -r and -F files with the caller's rights, reads at most 64 KiB of a
# filter file, and shows no more of a file that is not a filter than a
# short escaped excerpt; nm-monitor runs only the stages in its own
# directory, never a program an empty or relative PATH entry finds.
source "$(dirname "$0")/lib.sh"
NMC=$NM_TOP/nm-capture
NMM=$NM_TOP/nm-monitor
for p in "$NMC" "$NMM"; do
	[ -x "$p" ] || { echo "$p not built"; exit 77; }
done
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "needs root and user nobody"
	exit 77
fi
NUID=$(id -u nobody)
NGID=$(id -g nobody)
# What sudo leaves for a caller named nobody.
SUDO=(env SUDO_UID="$NUID" SUDO_GID="$NGID" SUDO_USER=nobody)
chmod 755 "$TMP"
source "$(dirname "$0")/capture-lib.sh"
nmc_mkpcap "$TMP/a.pcap" 10
chmod 644 "$TMP/a.pcap"

# one_line NAME WANTRC REGEX CMD...: exit WANTRC, stderr one line ~ REGEX
one_line() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	timeout 20 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -Eq -e "$re" "$TMP/err"; then
		pass "$name: exit $rc, one line"
	else
		fail "$name: exit $rc (want $want): $(head -c 300 "$TMP/err" |
		    tr '\n' '|')"
	fi
}

# --- defect 9: the group is passwd's, SUDO_GID is only checked ---
one_line "SUDO_GID of another group is refused" 2 \
    "^nm-monitor: SUDO_GID=42: not the group of user nobody" \
    env SUDO_UID="$NUID" SUDO_GID=42 SUDO_USER=nobody \
    "$NMM" -r "$TMP/a.pcap" -c 1
check "SUDO_GID of another group: nothing started" test ! -s "$TMP/out"
one_line "SUDO_GID=0 is refused" 2 "^nm-monitor: SUDO_GID=0: not the group" \
    env SUDO_UID="$NUID" SUDO_GID=0 SUDO_USER=nobody \
    "$NMM" -r "$TMP/a.pcap" -c 1
one_line "SUDO_USER of another account is refused" 2 \
    "^nm-monitor: SUDO_USER=daemon: not the user SUDO_UID=$NUID names" \
    env SUDO_UID="$NUID" SUDO_GID="$NGID" SUDO_USER=daemon \
    "$NMM" -r "$TMP/a.pcap" -c 1
one_line "SUDO_GID of another group, with -Z, is refused too" 2 \
    "^nm-monitor: SUDO_GID=42: " \
    env SUDO_UID="$NUID" SUDO_GID=42 "$NMM" -Z daemon -r "$TMP/a.pcap" -c 1

# Who a stage runs as: a copy of nm-monitor beside an nm-render that
# records its ids.
mkdir "$TMP/bin"
chmod 755 "$TMP/bin"
cp "$NMM" "$TMP/bin/nm-monitor"
for p in nm-capture nm-decode nm-stats; do
	ln -s "$NM_TOP/$p" "$TMP/bin/$p"
done
: >"$TMP/ids"
chmod 666 "$TMP/ids"
cat >"$TMP/bin/nm-render" <<EOF
#!/bin/sh
echo "\$(id -u) \$(id -g) \$(id -G)" >"$TMP/ids"
cat >/dev/null
EOF
chmod 755 "$TMP/bin/nm-render"
timeout 20 "${SUDO[@]}" "$TMP/bin/nm-monitor" -r "$TMP/a.pcap" \
    >/dev/null 2>"$TMP/ids.err"
rc=$?
check "the stages run as the caller, in its passwd group alone" \
    test "$rc" -eq 0 -a "$(cat "$TMP/ids")" = "$NUID $NGID $NGID"

# --- defect 10: -F and -r with the caller's rights; -F bounded ---
# A file root alone may read.
printf 'icmp\n' >"$TMP/root.bpf"
chmod 600 "$TMP/root.bpf"
cp "$TMP/a.pcap" "$TMP/root.pcap"
chmod 600 "$TMP/root.pcap"
one_line "sudo: -F of a file the caller may not read" 4 \
    "root.bpf: Permission denied \(opened as nobody, who ran sudo\)" \
    "${SUDO[@]}" "$NMC" -F "$TMP/root.bpf" -r "$TMP/a.pcap"
one_line "sudo: -r of a file the caller may not read" 4 \
    "root.pcap: Permission denied \(opened as nobody, who ran sudo\)" \
    "${SUDO[@]}" "$NMC" -r "$TMP/root.pcap"
one_line "sudo: -F /etc/shadow" 4 "/etc/shadow: Permission denied" \
    "${SUDO[@]}" "$NMC" -F /etc/shadow -r "$TMP/a.pcap"
timeout 20 "${SUDO[@]}" "$NMM" -r "$TMP/root.pcap" >/dev/null 2>"$TMP/err"
rc=$?
check "sudo through nm-monitor: -r of a file the caller may not read" \
    test "$rc" -eq 4 -a "$(head -n 1 "$TMP/err")" = \
    "nm-capture: $TMP/root.pcap: Permission denied (opened as nobody, who ran sudo)"
printf 'udp # the DNS\n' >"$TMP/ok.bpf"
chmod 644 "$TMP/ok.bpf"
n=$(timeout 20 "${SUDO[@]}" "$NMC" -F "$TMP/ok.bpf" -r "$TMP/a.pcap" |
    nmc_json | grep -c '"frame"')
check "sudo: files the caller may read are read ($n frames)" test "$n" = 5
# Root's own rights come back to open an interface after the -F read.
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
	printf 'icmp\n' >"$TMP/icmp.bpf"
	chmod 644 "$TMP/icmp.bpf"
	n=$(timeout 20 unshare -n sh -c '
	    ip link set lo up
	    ( sleep 0.5; ping -c 3 -i 0.2 -W 1 127.0.0.1 >/dev/null ) &
	    "$@" -c 2 -F "$0" -i lo' "$TMP/icmp.bpf" "${SUDO[@]}" "$NMC" \
	    2>"$TMP/live.err" | nmc_json | grep -c '"frame"')
	check "sudo: -F read as the caller, then lo opened as root ($n)" \
	    test "$n" = 2
else
	skip "sudo: live capture after -F: no network namespace"
fi

# Unbounded before: -F /dev/zero ran out of memory (4 GB without a limit).
# The address space is capped so that a regression cannot take the
# machine's memory; AddressSanitizer's shadow cannot map under that cap.
vmax=1000000
grep -q __asan_init "$NMC" && vmax=unlimited
one_line "-F /dev/zero is refused" 6 "/dev/zero: more than 64 KiB" \
    sh -c 'ulimit -v "$0"; exec "$@"' "$vmax" "$NMC" -F /dev/zero \
    -r "$TMP/a.pcap"
{ printf 'icmp\n'; head -c $((65536 - 5)) /dev/zero | tr '\0' '#'; } \
    >"$TMP/max.bpf"
n=$("$NMC" -F "$TMP/max.bpf" -r "$TMP/a.pcap" | nmc_json | grep -c '"frame"')
check "-F of 64 KiB is read ($n frames)" test "$n" = 5
printf '#' >>"$TMP/max.bpf"
one_line "-F of 64 KiB and a byte is refused" 6 "more than 64 KiB" \
    "$NMC" -F "$TMP/max.bpf" -r "$TMP/a.pcap"
printf 'icmp\0 or udp\n' >"$TMP/nul.bpf"
one_line "-F with a NUL byte is refused" 6 "nul.bpf: holds a NUL byte" \
    "$NMC" -F "$TMP/nul.bpf" -r "$TMP/a.pcap"
# A file that is not a filter: only a short escaped excerpt is shown.
{
	printf '\033]0;owned\007root:x:'
	for i in $(seq 200); do printf 'user%d:SECRET%d:1:2::\n' "$i" "$i"; done
} >"$TMP/notbpf"
one_line "-F of a file that is not a filter" 6 \
    '^nm-capture: .*notbpf: bad filter: .* \(the file starts "\\x1b\]0;owned\\x07' \
    "$NMC" -F "$TMP/notbpf" -r "$TMP/a.pcap"
check "-F of a file that is not a filter: no secret, no control byte, under 200 bytes" \
    eval '! grep -q SECRET "$TMP/err" &&
    ! LC_ALL=C grep -q "[[:cntrl:]]" "$TMP/err" &&
    test "$(wc -c <"$TMP/err")" -lt 200'
one_line "-F /etc/shadow" 6 "/etc/shadow: bad filter: " \
    "$NMC" -F /etc/shadow -r "$TMP/a.pcap"
check "-F /etc/shadow: at most 24 bytes of it shown" \
    test "$(wc -c <"$TMP/err")" -lt 200

# --- defect 11: the stages are nm-monitor's neighbours, not PATH's ---
mkdir "$TMP/lone" "$TMP/cwd"
chmod 755 "$TMP/lone" "$TMP/cwd"
cp "$NMM" "$TMP/lone/nm-monitor"
for p in nm-capture nm-decode nm-stats nm-render; do
	printf '#!/bin/sh\ntouch %s/ran.%s\n' "$TMP" "$p" >"$TMP/cwd/$p"
	chmod 755 "$TMP/cwd/$p"
done
for pathv in ":/usr/bin:/bin" "/usr/bin:/bin:" "/usr/bin:.:/bin" \
    "cwd:/usr/bin:/bin"; do
	[ "$pathv" = "cwd:/usr/bin:/bin" ] && wd=$TMP || wd=$TMP/cwd
	rm -f "$TMP"/ran.*
	( cd "$wd" && env -u SUDO_UID -u SUDO_GID -u SUDO_USER \
	    PATH="$pathv" timeout 20 "$TMP/lone/nm-monitor" \
	    -r "$TMP/a.pcap" >/dev/null 2>"$TMP/lone.err" )
	rc=$?
	check "PATH=$pathv: no program from the current directory runs" \
	    test -z "$(ls "$TMP"/ran.* 2>/dev/null)"
	check "PATH=$pathv: nm-capture not found beside nm-monitor (exit $rc)" \
	    eval 'test "$rc" -eq 1 &&
	    grep -q "^nm-monitor: nm-capture: not found in $TMP/lone" "$TMP/lone.err"'
done
# With the stages beside it, those run, and --dry-run names them by path
# since the shell would find the ones in the current directory.
rm -f "$TMP"/ran.*
got=$(cd "$TMP/cwd" && env -u SUDO_UID PATH=":$NM_TOP:/usr/bin:/bin" \
    "$NMM" --dry-run -i lo)
check "dry-run: the shell's PATH finds others: full paths" test "$got" = \
    "$NM_TOP/nm-capture -Z nobody -i lo | $NM_TOP/nm-decode | $NM_TOP/nm-stats -I 5 | $NM_TOP/nm-render -m compact"
lines=$(cd "$TMP/cwd" && env -u SUDO_UID PATH=":/usr/bin:/bin" timeout 20 \
    "$NMM" -r "$TMP/a.pcap" -m minimal 2>/dev/null | grep -c '^[0-9:.]* ')
check "beside it: its own stages run ($lines lines), none from the cwd" \
    eval 'test "$lines" -ge 10 && test -z "$(ls "$TMP"/ran.* 2>/dev/null)"'
