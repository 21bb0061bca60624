# nm-capture with several sources (issue 12): files merged in timestamp
# order as mergecap merges them, globs, --concat of rotated files,
# --since/--until; then, as root, three veth pairs in network namespaces
# this test makes, traffic of known counts on each: every frame captured
# once, tagged with its source, merged in order, capstats per source; a
# source reached by namespace name and by pid; the privilege state after
# start-up; -D --netns; and the errors, each one line with its status.
# exclusive: live sources merged within a 50 ms window, in time order
source "$(dirname "$0")/lib.sh"

PKTGEN=$NM_TOP/tests/tools/pktgen
if [ ! -x "$PKTGEN" ]; then
	skip "capture-multi: tests/tools/pktgen is not built"
	exit 0
fi
"$PKTGEN" mixed "$TMP/a.pcap" 2>/dev/null
"$PKTGEN" bulk "$TMP/b.pcap" -n 200 -s 5 2>/dev/null
"$PKTGEN" bulk "$TMP/c.pcap" -n 120 -s 9 2>/dev/null

# frames FILE...: the frames of nm-capture -r FILE ... as "time if len hex"
frames() {
	local a=() f
	for f in "$@"; do a+=(-r "$f"); done
	nm-capture "${a[@]}" 2>/dev/null | nm-render -o json --json-time |
	    jq -r 'select(.type == "frame") | "\(.time) \(.if) \(.len) \(.data)"'
}
# ordered FILE: the times in FILE's first column never go back
ordered() { awk 'NR > 1 && $1 < p { exit 1 } { p = $1 }' "$1"; }

# --- files: merged in timestamp order, each a source ---
frames "$TMP/a.pcap" "$TMP/b.pcap" "$TMP/c.pcap" >"$TMP/m3"
n=$(grep -c . "$TMP/m3")
check "-r three files: every frame ($n = 45 + 200 + 120)" test "$n" -eq 365
check "-r three files: in timestamp order" ordered "$TMP/m3"
for i in 0 1 2; do
	want=$( [ $i = 0 ] && echo 45 || { [ $i = 1 ] && echo 200 || echo 120; })
	got=$(awk -v i=$i '$2 == i' "$TMP/m3" | grep -c .)
	check "-r three files: source $i has its file's $want frames" test "$got" -eq "$want"
done
# each source's frames are its file's, in the file's order
frames "$TMP/b.pcap" | awk '{ print $1, $3, $4 }' >"$TMP/b.alone"
awk '$2 == 1 { print $1, $3, $4 }' "$TMP/m3" >"$TMP/b.merged"
same_file "-r: a source's frames are its file's, in its order" "$TMP/b.alone" "$TMP/b.merged"
if command -v mergecap >/dev/null; then
	mergecap -F pcap -w "$TMP/merged.pcap" "$TMP/a.pcap" "$TMP/b.pcap" "$TMP/c.pcap"
	# equal times may come in either order: compare each time's frames
	frames "$TMP/merged.pcap" | awk '{ print $1, $3, $4 }' | sort >"$TMP/mc"
	awk '{ print $1, $3, $4 }' "$TMP/m3" | sort >"$TMP/nm"
	same_file "-r three files: the frames mergecap merges" "$TMP/mc" "$TMP/nm"
	frames "$TMP/merged.pcap" | awk '{ print $1 }' >"$TMP/mc.t"
	awk '{ print $1 }' "$TMP/m3" >"$TMP/nm.t"
	same_file "-r three files: the times in mergecap's order" "$TMP/mc.t" "$TMP/nm.t"
else
	skip "-r against mergecap: mergecap is not installed (wireshark-common)"
fi
h=$(nm-capture -r "$TMP/a.pcap" -r "$TMP/b.pcap" 2>/dev/null | nm-render -o json | head -n 1)
check "-r: the header names each file" sh -c 'printf "%s" "$1" |
    jq -e ".sources | map(.name) == [\"$2\", \"$3\"]" >/dev/null' _ "$h" "$TMP/a.pcap" "$TMP/b.pcap"
cs=$(nm-capture -r "$TMP/a.pcap" -r "$TMP/b.pcap" 2>/dev/null | nm-render -o json |
    jq -c 'select(.type == "capstats") | [.if, .recv]' | tr -d '\n')
check "-r: capstats per source ($cs)" test "$cs" = "[0,45][1,200]"

# --- a pcapng file of several link types (libpcap 1.10 refuses it) ---
# nm-pcap writes one interface block per source: Ethernet and cooked
"$PKTGEN" sll "$TMP/sll.pcap" 2>/dev/null
nm-capture -r "$TMP/a.pcap" -r "$TMP/sll.pcap" 2>/dev/null | nm-pcap -w "$TMP/two.pcapng" >/dev/null
frames "$TMP/a.pcap" "$TMP/sll.pcap" >"$TMP/two.want"
frames "$TMP/two.pcapng" >"$TMP/two.got"
same_file "pcapng of two link types: every frame, its interface and time" \
    "$TMP/two.want" "$TMP/two.got"
h=$(nm-capture -r "$TMP/two.pcapng" 2>/dev/null | nm-render -o json | head -n 1)
check "pcapng of two link types: a source per interface, its link type and name" \
    sh -c 'printf "%s" "$1" | jq -e "[.sources[] | [.name, .linktype]] == [[\"$2\", 1], [\"$3\", 113]]" >/dev/null' \
    _ "$h" "$TMP/a.pcap" "$TMP/sll.pcap"
n=$(nm-capture -r "$TMP/two.pcapng" arp 2>/dev/null | nm-render -o json | jq -s '[.[] | select(.type == "frame")] | length')
w=$(nm-capture -r "$TMP/a.pcap" -r "$TMP/sll.pcap" arp 2>/dev/null | nm-render -o json | jq -s '[.[] | select(.type == "frame")] | length')
check "pcapng of two link types: the filter for each interface's link type ($n)" \
    test "$n" -gt 0 -a "$n" = "$w"
if command -v tshark >/dev/null; then
	tshark -r "$TMP/two.pcapng" -T fields -e frame.interface_id -e frame.time_epoch \
	    -e frame.len 2>/dev/null >"$TMP/two.ts"
	nm-capture -r "$TMP/two.pcapng" 2>/dev/null | nm-decode | nm-render -o fields \
	    -e frame.interface_id -e frame.time_epoch -e frame.len >"$TMP/two.nm"
	same_file "pcapng of two link types: as tshark reads it" "$TMP/two.ts" "$TMP/two.nm"
	if command -v mergecap >/dev/null; then
		"$PKTGEN" raw "$TMP/raw.pcap" 2>/dev/null
		mergecap -w "$TMP/three.pcapng" "$TMP/a.pcap" "$TMP/sll.pcap" "$TMP/raw.pcap"
		tshark -r "$TMP/three.pcapng" -T fields -e frame.interface_id \
		    -e frame.time_epoch -e frame.len 2>/dev/null >"$TMP/three.ts"
		nm-capture -r "$TMP/three.pcapng" 2>/dev/null | nm-decode | nm-render -o fields \
		    -e frame.interface_id -e frame.time_epoch -e frame.len >"$TMP/three.nm"
		same_file "mergecap's pcapng of three link types: as tshark reads it" \
		    "$TMP/three.ts" "$TMP/three.nm"
	fi
else
	skip "pcapng of several link types against tshark: tshark is not installed"
fi

# a pcapng of several interfaces cut short, read after another file: the
# frames before the cut, one line naming that file, status 7
head -c $(($(stat -c %s "$TMP/two.pcapng") - 10)) "$TMP/two.pcapng" >"$TMP/cut.pcapng"
out=$(nm-capture -r "$TMP/b.pcap" -r "$TMP/cut.pcapng" 2>&1 >/dev/null); rc=$?
check "pcapng cut short: status 7, one line naming it ($rc)" test "$rc" -eq 7 -a \
    "$(printf '%s\n' "$out" | grep -c .)" -eq 1 -a \
    "${out#nm-capture: "$TMP"/cut.pcapng: byte }" != "$out"

# -Y on the interface's name (the file's if_name, as tshark's
# frame.interface_name: nm-pcap wrote the sources' names), in each stage
n=$(nm-capture -r "$TMP/two.pcapng" 2>/dev/null |
    nm-decode -Y "frame.interface_name == \"$TMP/sll.pcap\"" | nm-render -o json |
    jq -s '[.[] | select(.type == "packet") | .if] | unique == [1] and length > 0')
check "nm-decode -Y frame.interface_name: that interface's packets only" test "$n" = true
n=$(nm-capture -r "$TMP/two.pcapng" 2>/dev/null | nm-decode |
    nm-render -Y 'frame.interface_name contains "a.pcap"' -o fields -e frame.interface_id | sort -u)
check "nm-render -Y frame.interface_name contains" test "$n" = 0
n=$(nm-capture -r "$TMP/two.pcapng" 2>/dev/null | nm-decode |
    nm-stats -q -Y "frame.interface_name == \"$TMP/sll.pcap\"" |
    nm-render -o fields -e stats.total.packets | tail -n 1)
w=$(frames "$TMP/sll.pcap" | grep -c .)
check "nm-stats -Y frame.interface_name counts that interface's ($n of $w)" test "$n" = "$w"
n=$(nm-capture -r "$TMP/a.pcap" 2>/dev/null | nm-decode | nm-render -o fields -e frame.interface_name | sort -u)
check "frame.interface_name of a pcap file: none, as tshark's" test -z "$n"

# --- globs and --concat ---
mkdir -p "$TMP/rot"
nm-capture -r "$TMP/b.pcap" 2>/dev/null | nm-pcap -F pcap -P 60 -w "$TMP/rot/day.pcap" >/dev/null
check "rotated files made (4)" test "$(ls "$TMP/rot" | grep -c .)" -eq 4
frames "$TMP/rot/day.pcap*" >"$TMP/glob"
check "-r 'GLOB': every file a source (4)" test \
    "$(awk '{ print $2 }' "$TMP/glob" | sort -u | grep -c .)" -eq 4
nm-capture --concat -r "$TMP/rot/day.pcap*" 2>/dev/null | nm-render -o json --json-time |
    jq -r 'select(.type == "frame") | "\(.time) \(.if) \(.len) \(.data)"' >"$TMP/concat"
frames "$TMP/b.pcap" >"$TMP/b.frames"
same_file "--concat: the rotated files are the one file again" "$TMP/b.frames" "$TMP/concat"
h=$(nm-capture --concat -r "$TMP/rot/day.pcap*" 2>/dev/null | nm-render -o json | head -n 1)
check "--concat: one source listing its files" sh -c 'printf "%s" "$1" |
    jq -e ".sources | length == 1 and (.[0].files | length) == 4" >/dev/null' _ "$h"
out=$(nm-capture --concat -r "$TMP/a.pcap" -r "$TMP/sll.pcap" 2>&1 >/dev/null); rc=$?
check "--concat: files of another link type refused, status 7 ($rc)" test "$rc" -eq 7
check "--concat: ... saying which" sh -c 'printf "%s" "$1" | grep -q "sll.pcap: link type LINUX_SLL, not EN10MB as .*a.pcap before it"' _ "$out"
out=$(nm-capture -r "$TMP/nothing-*.pcap" 2>&1 >/dev/null); rc=$?
check "-r GLOB matching nothing: status 5, one line" test "$rc" -eq 5 -a \
    "$out" = "nm-capture: -r $TMP/nothing-*.pcap: no file matches"

# --- --since and --until ---
# b.pcap: 200 frames 10 us apart from 1700000000 (2023-11-14T22:13:20Z)
t0=1700000000
range() { nm-capture -r "$TMP/b.pcap" "$@" 2>/dev/null | nm-render -o json --json-time |
    jq -r 'select(.type == "frame") | .time'; }
r=$(range --since $t0.00005 --until $t0.0001)
check "--since (in) .. --until (out): 5 frames" test "$(printf '%s\n' "$r" | grep -c .)" -eq 5
check "--since is in, --until is out" test "$(printf '%s\n' "$r" | head -n 1)" = "$t0.000050000" \
    -a "$(printf '%s\n' "$r" | tail -n 1)" = "$t0.000090000"
r2=$(range --since 2023-11-14T22:13:20.00005Z --until 2023-11-14T23:13:20.0001+01:00)
check "ISO 8601 times with zones: the same frames" test "$r2" = "$r"
r3=$(range --since +0.00005 --until +0.0001s)
check "relative times: the same frames" test "$r3" = "$r"
end=$(nm-capture -r "$TMP/b.pcap" --until $t0.0001 2>/dev/null | nm-render -o json | tail -n 1)
check "--until: the end record says until" sh -c 'printf "%s" "$1" | jq -e ".reason == \"until\"" >/dev/null' _ "$end"
for bad in '2023-11-14T22:13:20' '+5x' 'yesterday' '2023-13-01T00:00:00Z'; do
	out=$(nm-capture -r "$TMP/b.pcap" --since "$bad" 2>&1 >/dev/null); rc=$?
	check "--since $bad: status 2, one line" test "$rc" -eq 2 -a "$(printf '%s\n' "$out" | grep -c .)" -eq 1
done
out=$(nm-capture -r "$TMP/b.pcap" --since +2s --until +1s 2>&1 >/dev/null); rc=$?
check "--until before --since: status 2" test "$rc" -eq 2
out=$(nm-capture -i lo --since +1s 2>&1 >/dev/null); rc=$?
check "--since on a live capture: status 2" test "$rc" -eq 2

# the history of a time range: nm-stats -I N against tshark -z io,stat,N
if command -v tshark >/dev/null; then
	S=$NM_TOP/share/sample.pcap
	for I in 1 2 5; do
		tshark -q -z io,stat,$I -r "$S" 2>/dev/null | awk -F'|' '/<>/ {
		    gsub(/ /, "", $3); gsub(/ /, "", $4); print $3, $4 }' >"$TMP/io.ts"
		nm-capture -r "$S" 2>/dev/null | nm-decode | nm-stats -I $I |
		    nm-render -o fields -E separator=/s -e stats.interval.packets \
		    -e stats.interval.bytes >"$TMP/io.nm"
		check "nm-stats -I $I: each interval's frames and bytes as tshark -z io,stat,$I ($(grep -c . "$TMP/io.nm") intervals)" \
		    sh -c '[ -s "$1" ] && cmp -s "$1" "$2"' _ "$TMP/io.ts" "$TMP/io.nm"
	done
	# and of a range: its intervals count from --since, so they are the
	# whole file's seconds 2 to 6 (the sample starts on its first frame)
	tshark -q -z io,stat,1 -r "$S" 2>/dev/null | awk -F'|' '/<>/ {
	    gsub(/ /, "", $3); print $3 }' | sed -n 3,7p >"$TMP/io.ts"
	nm-capture -r "$S" --since +2 --until +7 2>/dev/null | nm-decode | nm-stats -I 1 |
	    nm-render -o fields -e stats.interval.packets >"$TMP/io.nm"
	check "--since +2 --until +7 | nm-stats -I 1: the file's seconds 2 to 6, as tshark counts them" \
	    sh -c '[ -s "$1" ] && cmp -s "$1" "$2"' _ "$TMP/io.ts" "$TMP/io.nm"
	h=$(nm-capture -r "$S" --since 1700000000 2>/dev/null | nm-render -o json | head -n 1)
	check "--since: the header's start is the range's" sh -c 'printf "%s" "$1" |
	    jq -e ".sources[0].start == 1700000000000000000" >/dev/null' _ "$h"
else
	skip "nm-stats -I against tshark -z io,stat: tshark is not installed"
fi

# --- the live part: root and network namespaces ---
if ! netns_ok; then
	skip "capture-multi live: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
for t in ip ping timeout sleep; do
	command -v $t >/dev/null || { skip "capture-multi live: no $t"; exit 0; }
done
tag=$$
ns=(nmm${tag}a nmm${tag}b nmm${tag}c nmm${tag}d)
pids=()
cleanup() {
	local p n
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
for n in "${ns[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
# pair k: ns[k] (10.8k.0.1, the captured side) and ns[3] (10.8k.0.2)
for k in 0 1 2; do
	ip link add "nmm${tag}v$k" netns "${ns[$k]}" type veth peer name "nmm${tag}w$k" netns "${ns[3]}"
	ip -n "${ns[$k]}" addr add "10.8$k.0.1/24" dev "nmm${tag}v$k"
	ip -n "${ns[3]}" addr add "10.8$k.0.2/24" dev "nmm${tag}w$k"
	ip -n "${ns[$k]}" link set "nmm${tag}v$k" up
	ip -n "${ns[3]}" link set "nmm${tag}w$k" up
done
# the third source by the pid of a process in its namespace
ip netns exec "${ns[2]}" sleep 60 &
pids+=("$!")
ppid=$!
# `ip netns exec` runs sleep in place of itself: that pid is in the namespace
for _ in $(seq 50); do
	[ "$(readlink /proc/$ppid/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.1
done

srcs=(-i "${ns[0]}/nmm${tag}v0" -i "${ns[1]}/nmm${tag}v1" -i "pid:$ppid/nmm${tag}v2")
nm-capture "${srcs[@]}" 'icmp' >"$TMP/live.rec" 2>"$TMP/live.err" &
cpid=$!
pids+=("$cpid")
# a watchdog: the capture never outlives the test's bound
(sleep 30; kill "$cpid" 2>/dev/null) &
pids+=("$!")
# started: its header is out
for _ in $(seq 100); do [ -s "$TMP/live.rec" ] && break; sleep 0.05; done
st=$(grep -E '^(CapEff|NoNewPrivs|Seccomp|Uid):' /proc/$cpid/status | awk '{ print $1 $2 }' | tr '\n' ' ')
check "after start-up: no capability, no_new_privs, seccomp, not root ($st)" \
    sh -c 'case "$1" in *"Uid:0"*) exit 1;; esac;
	printf "%s" "$1" | grep -q "CapEff:0000000000000000 NoNewPrivs:1 Seccomp:2"' _ "$st"
check "after start-up: in its own namespace again" test \
    "$(readlink /proc/$cpid/ns/net)" = "$(readlink /proc/self/ns/net)"
# known counts, each pair at once: 6, 9 and 12 echo requests
for k in 0 1 2; do
	ip netns exec "${ns[3]}" ping -q -c $((6 + 3 * k)) -i 0.05 -W 1 "10.8$k.0.1" >/dev/null &
	pids+=("$!")
done
wait "${pids[@]:3}" 2>/dev/null
sleep 0.3
kill -INT "$cpid"
wait "$cpid"
rc=$?
check "live: ends with status 0 at SIGINT ($rc)" test "$rc" -eq 0
nm-decode <"$TMP/live.rec" | nm-render -o json --json-time |
    jq -r 'select(.type == "packet") | "\(.time) \(.if) \(.ip.src) \(.ip.dst)"' >"$TMP/live.pk"
for k in 0 1 2; do
	want=$((2 * (6 + 3 * k)))
	got=$(awk -v k=$k '$2 == k' "$TMP/live.pk" | grep -c .)
	right=$(awk -v k=$k '$2 == k && $3 ~ "^10\\.8" k "\\." && $4 ~ "^10\\.8" k "\\."' "$TMP/live.pk" | grep -c .)
	check "live: source $k has its $want frames, each once ($got)" test "$got" -eq "$want"
	check "live: source $k's frames are its link's ($right)" test "$right" -eq "$want"
done
late=$(nm-render -o json <"$TMP/live.rec" | jq -s '[.[] | select(.type == "capstats" and .final) | .late] | add')
if [ "$late" = 0 ]; then
	check "live: merged in timestamp order" ordered "$TMP/live.pk"
else
	pass "live: merged in order but for $late late frames, counted"
fi
hdr=$(nm-render -o json <"$TMP/live.rec" | head -n 1)
check "live: the header names the sources and their namespaces" sh -c 'printf "%s" "$1" |
    jq -e --arg a "$2" --arg b "$3" --arg p "pid:$4" \
	"[.sources[].netns] == [\$a, \$b, \$p] and (.sources | length) == 3" >/dev/null' \
    _ "$hdr" "${ns[0]}" "${ns[1]}" "$ppid"
cs=$(nm-render -o json <"$TMP/live.rec" | jq -c 'select(.type == "capstats" and .final) | [.if, .recv >= 0, .drop]' | tr -d '\n')
check "live: final capstats per source, nothing dropped ($cs)" test "$cs" = "[0,true,0][1,true,0][2,true,0]"
tail=$(nm-render -o json <"$TMP/live.rec" | tail -n 1)
check "live: the end record" sh -c 'printf "%s" "$1" | jq -e ".type == \"end\" and .reason == \"signal\"" >/dev/null' _ "$tail"

# any among others: said once, and both capture
ip netns exec "${ns[0]}" timeout 5 "$NM_TOP/nm-capture" -i lo -i any -c 4 icmp \
    >"$TMP/any.rec" 2>"$TMP/any.err" &
apid=$!
sleep 0.5
ip netns exec "${ns[0]}" ping -q -c 2 -i 0.1 127.0.0.1 >/dev/null
wait "$apid"
check "-i any with another: warned in one line" test \
    "$(grep -c 'any sees the packets of the other interfaces too' "$TMP/any.err")" -eq 1
ifs=$(nm-render -o json <"$TMP/any.rec" | jq -s -c '[.[] | select(.type == "frame") | .if] | unique')
check "-i lo -i any: each echo on both ($ifs)" test "$ifs" = "[0,1]"

# --- -D --netns ---
nm-capture -D --netns "${ns[0]}" >"$TMP/d1"
check "-D --netns NAME: its interfaces as NAME/IFACE" grep -q "^[0-9]* ${ns[0]}/nmm${tag}v0 10\\.80\\.0\\.1" "$TMP/d1"
check "-D --netns NAME: none of ours" sh -c '! grep -qv " $1/" "$2"' _ "${ns[0]}" "$TMP/d1"
nm-capture -D --netns all >"$TMP/dall"
nm-capture -D >"$TMP/dhost"
check "-D --netns all: ours first, then each namespace's" sh -c '
	head -n "$(grep -c . "$1")" "$2" | cmp -s - "$1" &&
	grep -q " $3/nmm$4v1 " "$2" && grep -q " $5/nmm$4w2 " "$2"' _ \
    "$TMP/dhost" "$TMP/dall" "${ns[1]}" "$tag" "${ns[3]}"
check "-D --netns all: numbered on" sh -c 'awk "\$1 != NR { exit 1 }" "$1"' _ "$TMP/dall"

# --- errors ---
# err NAME STATUS PATTERN ARGS...: one line matching PATTERN, that status
err() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$(nm-capture "$@" 2>&1 >/dev/null </dev/null); rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
	    printf '%s' "$out" | grep -qE "$pat"; then
		pass "$name"
	else
		fail "$name: status $rc: $out"
	fi
}
err "no such namespace: status 5" 5 "nmnosuch/eth0: no network namespace nmnosuch" -i nmnosuch/eth0
err "no such interface in a namespace: status 5, its interfaces named" 5 \
    "no such interface \\(there are in ${ns[0]}: .*nmm${tag}v0" -i "${ns[0]}/nmnosuch0"
err "no such process: status 5" 5 "pid:4194303/eth0: no network namespace pid:4194303" -i pid:4194303/eth0
err "a pid out of range: status 2" 2 "pid:.* 99999999 is out of range" -i pid:99999999/eth0
err "a bad namespace spec: status 2" 2 "want NETNS/IFACE" -i /eth0
err "-i and -r: status 2" 2 "exclude each other" -i lo -r "$TMP/a.pcap"
