#!/usr/bin/env bash
# nm-capture reading capture files it did not make: pcap (micro- and
# nanosecond) and pcapng written by tests/capture-lib.sh, from a path and
# from stdin; snaplen, count, BPF filters; and every documented error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/capture-lib.sh"
NMC=$NM_TOP/nm-capture
[ -x "$NMC" ] || { echo "nm-capture not built"; exit 77; }

nmc_mkpcap "$TMP/a.pcap" 10
nmc_mkpcap "$TMP/n.pcap" 10 nano
nmc_mkpcap "$TMP/g.pcapng" 10 ng
nmc_mkpcap "$TMP/t.pcap" 10 trunc

# run NAME ARGS...: records as JSON in $TMP/NAME.json, status in $TMP/NAME.rc
run() {
	local name=$1; shift
	timeout 20 "$NMC" "$@" >"$TMP/$name.bin" 2>"$TMP/$name.err" </dev/null
	echo $? >"$TMP/$name.rc"
	nmc_json <"$TMP/$name.bin" >"$TMP/$name.json"
}
rc_is() {
	local got
	got=$(cat "$TMP/$2.rc")
	if [ "$got" = "$3" ]; then pass "$1"
	else fail "$1: exit $got, want $3 ($(head -c 300 "$TMP/$2.err"))"; fi
}
# errs NAME RUN STATUS REGEX: exit STATUS, one line on stderr matching REGEX
errs() {
	rc_is "$1 exit" "$2" "$3"
	if [ "$(wc -l <"$TMP/$2.err")" -eq 1 ] &&
	    grep -Eq "^nm-capture: $4" "$TMP/$2.err"; then
		pass "$1 message"
	else
		fail "$1 message: $(head -c 300 "$TMP/$2.err")"
	fi
}

run pcap -r "$TMP/a.pcap"
rc_is "pcap exit 0" pcap 0
nmc_is "pcap frames" "$TMP/pcap.json" 'len(T("frame"))' 10
nmc_is "pcap record order" "$TMP/pcap.json" \
    '[r["type"] for r in R][:2] + [r["type"] for r in R][-2:]' \
    "['header', 'frame', 'capstats', 'end']"
nmc_is "header keys" "$TMP/pcap.json" \
    'sorted(R[0])' "['minor', 'producer', 'sources', 'stages', 'type', 'version']"
nmc_is "header values" "$TMP/pcap.json" \
    '(R[0]["version"], R[0]["producer"], R[0]["stages"])' \
    "(1, 'nm-capture 0.1.0', ['nm-capture'])"
nmc_is "header source" "$TMP/pcap.json" \
    'sorted(R[0]["sources"][0].items())' \
    "[('filter', ''), ('kind', 'file'), ('linkname', 'EN10MB'), ('linktype', 1), ('name', '$TMP/a.pcap'), ('snaplen', 262144), ('tsprec', 9)]"
nmc_is "frame keys" "$TMP/pcap.json" 'sorted(T("frame")[0])' \
    "['caplen', 'data', 'if', 'len', 'ts', 'type']"
nmc_is "frame fields" "$TMP/pcap.json" \
    '[(f["ts"], f["len"], f["caplen"], len(f["data"]) // 2) for f in T("frame")[:2]]' \
    "[(1700000000123456000, 98, 98, 98), (1700000000133456000, 54, 54, 54)]"
nmc_is "file capstats" "$TMP/pcap.json" \
    '[(r["recv"], r["drop"], r["ifdrop"], r["final"]) for r in T("capstats")]' \
    "[(10, 0, 0, True)]"
nmc_is "end record" "$TMP/pcap.json" \
    '(R[-1]["type"], R[-1]["frames"], R[-1]["reason"])' "('end', 10, 'eof')"

run nano -r "$TMP/n.pcap"
nmc_is "nanosecond pcap keeps ns" "$TMP/nano.json" \
    '[f["ts"] for f in T("frame")][:2]' \
    "[1700000000123456789, 1700000000133456789]"
run ng -r "$TMP/g.pcapng"
rc_is "pcapng exit 0" ng 0
nmc_is "pcapng frames and ns" "$TMP/ng.json" \
    '(len(T("frame")), T("frame")[9]["ts"], T("frame")[9]["len"])' \
    "(10, 1700000000213456789, 54)"

timeout 20 "$NMC" -r - <"$TMP/g.pcapng" >"$TMP/stdin.bin" 2>"$TMP/stdin.err"
echo $? >"$TMP/stdin.rc"
nmc_json <"$TMP/stdin.bin" >"$TMP/stdin.json"
rc_is "-r - exit 0" stdin 0
nmc_is "-r - from stdin" "$TMP/stdin.json" \
    '(len(T("frame")), R[0]["sources"][0]["name"])' "(10, '-')"

run snap -s 60 -r "$TMP/a.pcap"
nmc_is "-s cuts caplen, keeps len" "$TMP/snap.json" \
    '[(f["len"], f["caplen"], len(f["data"]) // 2) for f in T("frame")[:2]]' \
    "[(98, 60, 60), (54, 54, 54)]"
nmc_is "-s in header" "$TMP/snap.json" 'R[0]["sources"][0]["snaplen"]' 60

run count -c 3 -r "$TMP/a.pcap"
rc_is "-c exit 0" count 0
nmc_is "-c 3" "$TMP/count.json" '(len(T("frame")), R[-1]["reason"], R[-1]["frames"])' \
    "(3, 'count', 3)"

run filt -r "$TMP/a.pcap" udp dst port 53
rc_is "filter exit 0" filt 0
nmc_is "filter on a file" "$TMP/filt.json" \
    '(len(T("frame")), set(f["len"] for f in T("frame")), R[0]["sources"][0]["filter"])' \
    "(5, {54}, 'udp dst port 53')"
printf 'icmp # echo requests\n' >"$TMP/f.bpf"
run ffile -F "$TMP/f.bpf" -r "$TMP/a.pcap"
nmc_is "-F file" "$TMP/ffile.json" \
    '(len(T("frame")), R[0]["sources"][0]["filter"])' "(5, 'icmp')"

run trunc -r "$TMP/t.pcap"
errs "truncated file" trunc 7 ".*t.pcap: .*truncated"
# every -i and -r is a source (tests/capture-multi.t): one that does not
# open stops the capture before any starts, never silently left out
run twoi -i lo -i nmnosuch0
errs "-i twice: the one that is not there is named" twoi 5 "nmnosuch0: no such interface .*"
run twor -r "$TMP/a.pcap" -r "$TMP/nosuch.pcap"
errs "-r twice: the one that is not there is named" twor 5 ".*nosuch.pcap: No such file or directory"
nmc_is "truncated file keeps good frames" "$TMP/trunc.json" \
    '(len(T("frame")), R[-1]["type"], R[-1]["reason"])' "(9, 'end', 'error')"

run badf -r "$TMP/a.pcap" 'tcp port'
errs "bad filter" badf 6 "bad filter: .*syntax error"
printf 'this is not a capture file at all\n' >"$TMP/junk"
run junk -r "$TMP/junk"
errs "not a capture" junk 7 ".*junk: "
: >"$TMP/empty"
run empty -r "$TMP/empty"
errs "empty file" empty 7 ".*empty: "
run missing -r "$TMP/nope.pcap"
errs "missing file" missing 5 ".*nope.pcap: No such file"
run noiface -i nm-no-such0
errs "no such interface" noiface 5 "nm-no-such0: no such interface .*lo"
# the names offered are the network's, not libpcap's pseudo-devices
check "no such interface: offers no pseudo-device" \
    sh -c '! grep -Eq "nflog|nfqueue|dbus-|bluetooth|usbmon" "$1"' - "$TMP/noiface.err"
run nosrc
errs "neither -i nor -r" nosrc 2 ""
run bothsrc -i lo -r "$TMP/a.pcap"
rc_is "-i with -r is usage" bothsrc 2
run bads -s 70000000 -r "$TMP/a.pcap"
rc_is "-s out of range is usage" bads 2
run badc -c x -r "$TMP/a.pcap"
rc_is "-c not a number is usage" badc 2

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$NMC" -i lo >/dev/null 2>"$TMP/perm.err"
	echo $? >"$TMP/perm.rc"
	errs "no permission" perm 4 \
	    "lo: permission denied: run as root, or give the program the capability: setcap cap_net_raw,cap_net_admin=eip /"
	# Reading a file needs no privilege.
	chmod 755 "$TMP"; chmod 644 "$TMP/a.pcap"
	n=$(timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$NMC" -r "$TMP/a.pcap" | nmc_json | grep -c '"frame"')
	check "file as unprivileged user" [ "$n" = 10 ]
else
	skip "no permission: needs root and user nobody"
fi

"$NMC" -r "$TMP/a.pcap" >/dev/full 2>"$TMP/full.err"
echo $? >"$TMP/full.rc"
errs "write error" full 1 "stdout: No space left"
timeout 10 "$NMC" -r "$TMP/a.pcap" 2>"$TMP/pipe.err" | head -c 1 >/dev/null
st=${PIPESTATUS[0]}
[ "$st" = 0 ] && [ ! -s "$TMP/pipe.err" ]
verdict $? "reader gone: exit 0, quiet"
if command -v script >/dev/null; then
	script -qec "$NMC -r $TMP/a.pcap" /dev/null >"$TMP/tty.out" 2>&1
	st=$?
	[ "$st" = 2 ] && grep -q 'nm-decode | nm-render' "$TMP/tty.out"
	verdict $? "refuses a terminal"
else
	skip "refuses a terminal: no script(1)"
fi

out=$(timeout 10 "$NMC" -D)
check "-D lists lo" grep -Eq '^[0-9]+ lo .*loopback' <<<"$out"
check "--version" [ "$("$NMC" --version)" = "nm-capture 0.1.0" ]
"$NMC" --help | grep -q '^usage: nm-capture' && pass "--help" || fail "--help"

# --realtime: 10 frames 10 ms apart take about 90 ms.
start=$(date +%s%N)
timeout 10 "$NMC" --realtime -r "$TMP/a.pcap" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
check "--realtime paces ($ms ms)" [ "$ms" -ge 85 ]

# A capture arriving on a pipe streams (tcpdump -U -w - | nm-capture -r -):
# the writer sends three packets, then waits; they must come out of the
# pipeline while it waits, not when it ends.
cat >"$TMP/slowpcap.py" <<'PY'
import struct, sys, time
d = open(sys.argv[1], "rb").read()
out, off = sys.stdout.buffer, 24
out.write(d[:24])
for _ in range(3):
    n = struct.unpack("<I", d[off + 8:off + 12])[0]
    out.write(d[off:off + 16 + n])
    off += 16 + n
out.flush()
time.sleep(float(sys.argv[2]))
out.write(d[off:])
PY
if command -v python3 >/dev/null; then
	{ python3 "$TMP/slowpcap.py" "$NM_TOP/share/sample.pcap" 6 |
	    "$NMC" -r - 2>/dev/null | "$NM_TOP/nm-decode" |
	    "$NM_TOP/nm-render" >"$TMP/stream.txt"; } &
	spid=$!
	n=0
	for i in $(seq 50); do
		n=$(wc -l <"$TMP/stream.txt" 2>/dev/null || echo 0)
		[ "$n" -ge 3 ] && break
		sleep 0.1
	done
	check "a pipe streams: 3 packets shown while the writer waits (saw $n)" [ "$n" = 3 ]
	wait $spid
	check "a pipe streams: then all of it" [ "$(wc -l <"$TMP/stream.txt")" -gt 100 ]
else
	skip "a pipe streams: needs python3"
fi
