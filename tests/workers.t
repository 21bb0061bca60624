#!/usr/bin/env bash
# Workers on one machine: nm-capture --fanout and nm-monitor --workers.
# Two network namespaces joined by a veth pair; a replay of many short
# connections (tools/conngen.py, about 1300 flows) sent from one side
# with tcpreplay, captured on the other by two nm-capture --fanout
# members of one group and, beside them, by a plain nm-capture of the
# whole.  Checks that every packet reached exactly one member (their sums
# are the plain capture's), that both directions of each connection
# reached the same member (the members' flow records together are the
# plain capture's, and no connection is in both), that the kernel's
# refusal of a group of another mode is one line naming the group, and
# the usage errors.  Then nm-monitor --workers 2 on the same replay:
# its final figures equal those of a single pipeline beside it.
# exclusive: a flood of the veth must reach every capture without drops
source "$(dirname "$0")/lib.sh"
NMC=$NM_TOP/nm-capture
[ -x "$NMC" ] || { echo "nm-capture not built"; exit 77; }

# --- usage (no root needed) ---
usage() { # NAME WANT ARGS...: status 2 and a message holding WANT
	local name=$1 want=$2 st; shift 2
	"$NMC" "$@" >/dev/null 2>"$TMP/u.err"; st=$?
	[ "$st" = 2 ] && grep -q -- "$want" "$TMP/u.err" &&
	    [ "$(wc -l <"$TMP/u.err")" = 1 ]
	verdict $? "workers: nm-capture $name: status 2, one line ($st: $(head -c 120 "$TMP/u.err"))"
}
usage "--fanout with -r" "needs -i, not -r" --fanout 3 -r x.pcap
usage "--fanout with two -i" "one -i with it" --fanout 3 -i lo -i eth0
usage "--fanout 0" "out of range" --fanout 0 -i lo
usage "--fanout 65536" "out of range" --fanout 65536 -i lo
usage "--fanout 3:nosuch" "want hash, lb" --fanout 3:nosuch -i lo
usage "--fanout 3:" "GROUP\[:MODE\]" --fanout 3: -i lo
usage "--fanout x" "--fanout GROUP" --fanout x -i lo

NMM=$NM_TOP/nm-monitor
musage() { # NAME WANT ARGS...: nm-monitor ARGS: status 2, one line
	local name=$1 want=$2 st; shift 2
	"$NMM" "$@" --dry-run >/dev/null 2>"$TMP/u.err"; st=$?
	[ "$st" = 2 ] && grep -q -- "$want" "$TMP/u.err" &&
	    [ "$(wc -l <"$TMP/u.err")" = 1 ]
	verdict $? "workers: nm-monitor $name: status 2, one line ($st: $(head -c 120 "$TMP/u.err"))"
}
musage "--workers 0" "out of range" --workers 0 -i lo
musage "--workers 65" "out of range" --workers 65 -i lo
musage "--workers 2 -r" "not with -r" --workers 2 -r x.pcap
musage "--workers 2 -i a -i b" "one -i with it" --workers 2 -i lo -i lo
musage "--workers 2 -w" "not with -w" --workers 2 -i lo -w x.pcapng
musage "--workers 2 -c" "not with -c" --workers 2 -i lo -c 10
musage "--workers 2 -m compact" "no view drawn from packets (-m compact)" \
    --workers 2 -i lo -m compact
musage "--workers 2 -m detailed" "no view drawn from packets (-m detailed)" \
    --workers 2 -i lo -m detailed
musage "--workers 2 -e ip.src" "no view drawn from packets (-o fields)" \
    --workers 2 -i lo -e ip.src

# --dry-run: the plan; --workers 1 is the one pipeline, unchanged
"$NMM" -i lo --dry-run >"$TMP/one.plan" 2>&1
"$NMM" --workers 1 -i lo --dry-run >"$TMP/w1.plan" 2>&1
same_file "workers: --workers 1 --dry-run is the one pipeline" \
    "$TMP/one.plan" "$TMP/w1.plan"
"$NMM" --workers 3 -i lo --dry-run >"$TMP/w3.plan" 2>&1
g=$(grep -o -- '--fanout [0-9]*:hash -i lo ' "$TMP/w3.plan" | sort | uniq -c |
    awk '{ print $1 }')
check "workers: --workers 3 --dry-run: three captures of one group, hash ($g)" \
    [ "$g" = 3 ]
n=$(grep -c -- '| [^ ]*nm-decode | [^ ]*nm-stats -q --summary-interval 5 -I 5' \
    "$TMP/w3.plan")
check "workers: --workers 3 --dry-run: each decodes, sums, holds packets ($n)" \
    [ "$n" = 3 ]
head -n 1 "$TMP/w3.plan" | grep -q 'nm-stats --merge \\$' &&
    tail -n 1 "$TMP/w3.plan" | grep -q '| [^ ]*nm-render$'
verdict $? "workers: --workers 3 --dry-run: the merger into nm-render ($(head -n 1 "$TMP/w3.plan"))"
"$NMM" --workers 2 -i lo -m top --dry-run >/dev/null 2>"$TMP/wtop.err"
rc=$?
check "workers: -m top refused (its tables are drawn from packets), status 2" \
    eval '[ $rc = 2 ] && grep -q "no view drawn from packets (-m top)" "$TMP/wtop.err"'
# the plan runs as printed: bash reads it (a syntax check, nothing run)
bash -n "$TMP/w3.plan"
verdict $? "workers: --workers 3 --dry-run: the plan is a bash command line"

[ "$(id -u)" -eq 0 ] || { skip "workers live: needs root"; exit 0; }
for t in ip tcpreplay jq timeout; do
	command -v $t >/dev/null || { skip "workers live: needs $t"; exit 0; }
done
netns_ok || { skip "workers live: $NETNS_WHY"; exit 0; }

NSA=nmwA$$ NSB=nmwB$$ IFA=nmwa$$ IFB=nmwb$$
PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
veth_pair "$NSA" "$NSB" "$IFA" "$IFB" ||
    { skip "workers live: cannot make network namespaces"; exit 0; }
# no IPv6 of the link's own (router solicitations, MLD) mid-count
ip netns exec "$NSB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NSA" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
python3 "$(dirname "$0")/tools/conngen.py" "$TMP/conns.pcap" 1
G=$((($$ % 60000) + 1000))

# start NAME ARGS...: nm-capture ARGS in namespace B into NAME.bin
start() {
	local name=$1; shift
	ip netns exec "$NSB" timeout 60 "$NMC" "$@" >"$TMP/$name.bin" \
	    2>"$TMP/$name.err" &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}
# headers NAME...: waits (up to 5 s) until each has written its header
headers() {
	local i n
	for i in $(seq 50); do
		n=0
		for f in "$@"; do [ -s "$TMP/$f.bin" ] && n=$((n + 1)); done
		[ "$n" = $# ] && return 0
		sleep 0.1
	done
	return 1
}
# reap NAME PID: waits (up to 10 s) for PID's end, its status in NAME.rc
reap() {
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	wait "$2"
	echo $? >"$TMP/$1.rc"
}
# stop NAME...: SIGINT to each, then each one's end
stop() {
	local f p
	for f in "$@"; do eval "p=\$PID_$f"; kill -INT "$p" 2>/dev/null; done
	for f in "$@"; do eval "p=\$PID_$f"; reap "$f" "$p"; done
}
replay() {
	ip netns exec "$NSA" timeout 60 tcpreplay -q -t -i "$IFA" \
	    "$TMP/conns.pcap" >"$TMP/replay.out" 2>&1
}
json() { nm-render -o json <"$TMP/$1.bin"; }
# flows NAME: its flow records, one a line: community id, proto, packets
# and bytes each way, sorted
flows() {
	nm-decode <"$TMP/$1.bin" | nm-stats -q | nm-render -o json |
	    jq -r 'select(.type == "flow") | [.community_id, .proto,
		.orig.packets, .orig.bytes, .resp.packets, .resp.bytes] |
		@tsv' | sort
}

# --- nm-capture --fanout: two members and a plain capture beside ---
start w1 --fanout "$G" -i "$IFB" ip
start w2 --fanout "$G:hash" -i "$IFB" ip
start all -i "$IFB" ip
headers w1 w2 all
verdict $? "workers: the captures started (headers written)"
replay
verdict $? "workers: tcpreplay sent the connections"
sleep 0.5
stop w1 w2 all
for f in w1 w2 all; do
	[ "$(cat "$TMP/$f.rc")" = 0 ] && [ ! -s "$TMP/$f.err" ]
	verdict $? "workers: nm-capture $f exits 0 quietly ($(cat "$TMP/$f.rc") $(head -c 200 "$TMP/$f.err"))"
done
h=$(json w1 | jq -c 'select(.type == "header") | .sources[0] |
    [.fanout, .fanout_mode]')
check "workers: the header says group $G, mode hash ($h)" \
    [ "$h" = "[$G,\"hash\"]" ]
h=$(json all | jq -c 'select(.type == "header") | .sources[0].fanout')
check "workers: a plain capture's header has no fanout ($h)" [ "$h" = null ]
for f in w1 w2 all; do
	json $f | jq -r 'select(.type == "capstats" and .final) |
	    .drop + .ifdrop' >"$TMP/$f.drops"
	json $f | jq -r 'select(.type == "end") | .frames' >"$TMP/$f.frames"
done
d=$(cat "$TMP"/w1.drops "$TMP"/w2.drops "$TMP"/all.drops | tr '\n' ' ')
check "workers: no capture dropped a packet ($d)" [ "$d" = "0 0 0 " ]
n1=$(cat "$TMP/w1.frames") n2=$(cat "$TMP/w2.frames")
n=$(cat "$TMP/all.frames")
want=$(tcpdump -r "$TMP/conns.pcap" 2>/dev/null | wc -l)
check "workers: the plain capture saw the replay ($n of $want)" \
    [ "$n" = "$want" ]
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) = "$n" ]
verdict $? "workers: each packet reached one member ($n1 + $n2 = $n)"

flows w1 >"$TMP/w1.flows"
flows w2 >"$TMP/w2.flows"
flows all >"$TMP/all.flows"
sort "$TMP/w1.flows" "$TMP/w2.flows" >"$TMP/both.flows"
n=$(wc -l <"$TMP/all.flows")
[ "$n" -gt 500 ]
verdict $? "workers: the plain capture's flows: $n"
same_file "workers: the members' flows together are the plain capture's" \
    "$TMP/all.flows" "$TMP/both.flows"
c=$(comm -12 <(cut -f1 "$TMP/w1.flows" | sort -u) \
    <(cut -f1 "$TMP/w2.flows" | sort -u) | wc -l)
check "workers: no connection reached both members ($c)" [ "$c" = 0 ]
# a connection seen one way only would be a flow of no reply packets
h=$(awk -F'\t' '$2 == "TCP" && $5 == 0' "$TMP/both.flows" | wc -l)
hall=$(awk -F'\t' '$2 == "TCP" && $5 == 0' "$TMP/all.flows" | wc -l)
check "workers: no TCP connection half-seen by a member ($h, as the whole: $hall)" \
    [ "$h" = "$hall" ]

# --- the kernel refuses a member of another mode ---
start m1 --fanout "$G:lb" -i "$IFB"
headers m1
ip netns exec "$NSB" timeout 10 "$NMC" --fanout "$G:hash" -i "$IFB" \
    >/dev/null 2>"$TMP/m2.err"
st=$?
stop m1
[ "$st" = 1 ] && grep -q "group $G" "$TMP/m2.err" &&
    [ "$(wc -l <"$TMP/m2.err")" = 1 ]
verdict $? "workers: another mode in the group: status 1, naming it ($st: $(cat "$TMP/m2.err"))"

# --- fragments: a member gets an IPv4 datagram reassembled ---
if command -v ping >/dev/null; then
	ip -n "$NSA" addr add 10.81.0.1/24 dev "$IFA"
	ip -n "$NSB" addr add 10.81.0.2/24 dev "$IFB"
	start f1 --fanout "$((G + 1))" -i "$IFB" icmp
	start f0 -i "$IFB" icmp
	headers f1 f0
	ip netns exec "$NSA" timeout 10 ping -c 3 -i 0.2 -s 4000 -q 10.81.0.2 \
	    >/dev/null 2>&1
	sleep 0.5
	stop f1 f0
	a=$(json f0 | jq -s '[.[] | select(.type == "frame")] | length')
	b=$(json f1 | jq -r 'select(.type == "frame") | .len' | sort -u |
	    tr '\n' ' ')
	[ "$a" = 18 ] && [ "$b" = "4042 " ]
	verdict $? "workers: 3 pings of 4000 bytes: 18 fragments outside the group, whole datagrams in it ($a; $b)"
else
	skip "workers: fragments: needs ping"
fi

# --- nm-monitor --workers 2: its final figures are one pipeline's ---
if ! nm-stats -h 2>&1 | grep -q -- --merge; then
	skip "workers: nm-monitor --workers: nm-stats has no --merge here"
	exit 0
fi
# monitor NAME ARGS...: nm-monitor ARGS in namespace B, into NAME.out
monitor() {
	local name=$1; shift
	ip netns exec "$NSB" "$NMM" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}
# workers_ready N: waits (up to 10 s) until N captures of a group on IFB
# run without root: each has joined and written its header
workers_ready() {
	local i p n
	for i in $(seq 100); do
		n=0
		for p in $(pgrep -f -- "--fanout [0-9]*:hash -i $IFB"); do
			awk '/^Uid:/ { exit !($2 != 0) }' "/proc/$p/status" \
			    2>/dev/null && n=$((n + 1))
		done
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# gone NAME: nm-monitor NAME's end, its status in NAME.rc
gone() { eval "reap $1 \$PID_$1"; }
# the final figures that must be equal: counts, protocols, top hosts
# and ports (each on a line of its own, for the diff)
figures() {
	jq -c 'select(.type == "stats" and .final) |
	    .total, [.protos[] | [.name, .packets, .bytes]],
	    [.top_hosts[] | [.addr, .packets, .bytes]],
	    [.top_ports[] | [.port, .proto, .packets, .bytes]]' "$@"
}
# ...and what only a merger writes: the top connections (by tuple, as
# the summaries count them), the distinct counts, the packet size
# percentiles.  Not the connections' sizes: a live nm-stats stopped by a
# signal after a quiet span can leave the connections still open at its
# end out of its summaries' size histograms (the reference, read from a
# file, counts them), so those depend on where the spans fall.
mfigures() {
	jq -c 'select(.type == "stats" and .final) |
	    [.top_flows[] | [.proto, .src, .dst, .sport, .dport, .packets,
	     .bytes]], (.estimate | del(.summaries) |
	     with_entries(select(.key | startswith("flow_") | not)))' "$@"
}

monitor mon --workers 2 -i "$IFB" --json --no-detect ip
start ref -i "$IFB" ip
headers ref
workers_ready 2
verdict $? "workers: nm-monitor --workers 2: two captures joined, privilege dropped"
replay
sleep 1
eval "kill -INT \$PID_mon"
stop ref
gone mon
[ "$(cat "$TMP/mon.rc")" = 0 ] && [ ! -s "$TMP/mon.err" ]
verdict $? "workers: nm-monitor --workers 2: Ctrl-C, status 0, quietly ($(cat "$TMP/mon.rc") $(head -c 300 "$TMP/mon.err"))"
nm-decode <"$TMP/ref.bin" | nm-stats -q >"$TMP/ref.nm"
nm-render -o json <"$TMP/ref.nm" | figures >"$TMP/ref.fig"
figures "$TMP/mon.out" >"$TMP/mon.fig"
n=$(head -n 1 "$TMP/ref.fig" | jq .packets)
check "workers: the single pipeline beside counted the replay ($n)" \
    [ "$n" = "$want" ]
same_file "workers: nm-monitor --workers 2's final figures are one pipeline's" \
    "$TMP/ref.fig" "$TMP/mon.fig"
nm-stats --merge "$TMP/ref.nm" | nm-render -o json | mfigures >"$TMP/refm.fig"
mfigures "$TMP/mon.out" >"$TMP/monm.fig"
same_file "workers: its top connections, distinct counts, packet sizes are the one pipeline's summary's" \
    "$TMP/refm.fig" "$TMP/monm.fig"
f1=$(jq -r 'select(.type == "flow") | .community_id' "$TMP/mon.out" | sort |
    md5sum)
f2=$(cut -f1 "$TMP/all.flows" | sort | md5sum)
check "workers: nm-monitor --workers 2 passes every worker's flows on" \
    [ "$f1" = "$f2" ]

# a worker that dies: named, the run ends with its status, nothing hangs
monitor die --workers 2 -i "$IFB" --json --no-detect ip
workers_ready 2
verdict $? "workers: a second run started"
d=$(pgrep -f "^nm-decode" -P "$(eval echo \$PID_die)" | tail -n 1)
[ -n "$d" ] && kill -KILL "$d"
gone die
r=$(cat "$TMP/die.rc")
[ "$r" = 137 ] && grep -q "nm-decode (worker [12]): killed by signal 9" \
    "$TMP/die.err"
verdict $? "workers: a worker's nm-decode killed: named, status 137 ($r: $(head -c 300 "$TMP/die.err"))"
n=$(pgrep -f -- "--fanout [0-9]*:hash -i $IFB" | wc -l)
check "workers: no capture of the run left ($n)" [ "$n" = 0 ]
