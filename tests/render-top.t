# nm-render -m top, driven through tmux as a person would: a detached
# session of a fixed size runs the view, send-keys presses the keys and
# capture-pane reads the screen.  On a saved stream (share/sample.pcap):
# the rows and their counts, the sort and its reverse, the names learned
# from the stream's DNS answers and n, the resize to 80x24, q and the
# report.  On a live one (a feed that writes packets a few times a second
# until it gets SIGINT, through nm-stats): pause (the screen freezes, the
# counting goes on), the filter (and a bad one), q ending the pipeline
# with nm-stats' final report.  NO_COLOR leaves no escapes.  nm-monitor
# -r FILE -m top ends the same way.  Every wait has a deadline.
source "$(dirname "$0")/lib.sh"

for p in nm-render nm-capture nm-decode nm-stats nm-monitor; do
	if ! command -v $p >/dev/null; then
		echo "$p not built"; exit 77
	fi
done
if ! command -v tmux >/dev/null; then
	skip "render-top: tmux not installed (tests/deps.sh test)"
	exit 0
fi
TM="tmux -L nmtop$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
export TERM=xterm-256color
unset NO_COLOR

# --- no terminal: one line, status 2 ---
nm-render -m top </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
[ "$st" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
    grep -q '^nm-render: -m top: standard output is not a terminal$' "$TMP/err"
verdict $? "stdout not a terminal: one line, status 2"

nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode >"$TMP/s.bin"
nm-render -o json <"$TMP/s.bin" >"$TMP/s.json"

# pane NAME: the screen as text; hist NAME: with what scrolled off it
pane() { $TM capture-pane -p -t "$1" 2>/dev/null; }
hist() { $TM capture-pane -p -S -1000 -t "$1" 2>/dev/null; }
# waitfor NAME SECONDS ERE: polls the screen until a line matches
waitfor() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		pane "$1" | grep -Eq -- "$3" && return 0
		sleep 0.2
	done
	pane "$1" >"$TMP/last-$1"
	return 1
}
# rows NAME: the table's lines (after the titles, before the status line)
rows() { pane "$1" | sed -n '4,$p' | sed '$d' | grep -v '^ *$'; }
# start NAME COLS LINES CMD: a session running CMD, then a shell's wait
start() {
	$TM new-session -d -s "$1" -x "$2" -y "$3" \
	    "cd '$TMP' && $4; echo \"STATUS=\$?\"; sleep 300"
}

# a terminal on standard input too: keys and records would share it
start ttyin 100 30 "nm-render -m top 2>err"
waitfor ttyin 10 '^STATUS=2$' &&
    grep -q '^nm-render: -m top: standard input is the terminal' "$TMP/err"
verdict $? "stdin a terminal: one line, status 2"

# --- a saved stream: rows, counts, sort, names, resize, quit ---
start file 100 30 "nm-render -m top <s.bin"
waitfor file 10 'end of the stream: q leaves'
verdict $? "saved stream: the table, then 'end of the stream'"
waitfor file 2 '^TCP +10\.77\.0\.1:[0-9]+ +[a-z.]*example\.test:80 +HTTP'
verdict $? "a connection row: proto, ends, the name, the service"

# the hosts, by total bytes: one of nm-stats' top two (they tie) first,
# with the packets nm-stats counted for it
nm-stats -q <"$TMP/s.bin" | nm-render -o json |
    jq -r 'select(.type=="stats" and .final) | .top_hosts[0,1] |
	"\(.addr) \(.packets)"' >"$TMP/tophost"
$TM send-keys -t file H n 7
waitfor file 5 '^HOST.*TOTAL[▼v]'
verdict $? "H: the hosts view; 7: sorted by TOTAL"
first=$(rows file | head -1)
thaddr=${first%% *}
thpkts=$(awk -v a="$thaddr" '$1 == a { print $2 }' "$TMP/tophost")
[ -n "$thpkts" ] && [ "${first##* }" = "$thpkts" ]
verdict $? "the top host by bytes first, with nm-stats' packet count ($first)"
$TM send-keys -t file r
waitfor file 5 'TOTAL[▲^]'
last=$(rows file | head -1)
[ "$last" != "$first" ] && ! echo "$last" | grep -q "^${thaddr//./\\.} "
verdict $? "r: the order reversed"
$TM send-keys -t file r c
waitfor file 5 '^PROTO'
# names on: the answer's name in the address's place; n: the address
$TM send-keys -t file n
waitfor file 5 '^TCP +10\.77\.0\.1:[0-9]+ +[a-z.]*example\.test:80'
verdict $? "n: names on (10.77.0.2 as the DNS answer named it)"
$TM send-keys -t file n
waitfor file 5 '^TCP +10\.77\.0\.1:[0-9]+ +10\.77\.0\.2:80'
verdict $? "n: names off, the address again"
$TM resize-window -t file -x 80 -y 24
waitfor file 5 '^PROTO +SOURCE +DESTINATION +SERVIC +ST +2s.* +10s +40s +SENT +RECV *$'
verdict $? "resized to 80x24: redrawn, the rates and bytes still there"
[ "$(pane file | wc -l)" -le 24 ] &&
    [ "$(pane file | tr -d '\200-\277' |
	awk '{ if (length($0) > n) n = length($0) } END { print n }')" -le 80 ]
verdict $? "80x24: nothing past the edge"
$TM send-keys -t file p
waitfor file 5 '^80/TCP +HTTP .* 89 *$'
verdict $? "p: the ports view, 80/TCP with nm-stats' 89 packets"
$TM send-keys -t file c '?'
waitfor file 5 'nm-render -m top: keys'
verdict $? "?: the help"
$TM send-keys -t file x q
waitfor file 5 '^STATUS='
hist file >"$TMP/final"
grep -q '^TOP VIEW | Packets: 189 ' "$TMP/final" &&
    grep -q '^Top connections' "$TMP/final" && grep -q '^STATUS=0$' "$TMP/final"
verdict $? "q: the normal screen, the view's own report, status 0"

# --- live: a feed writes until SIGINT, then its end record ---
cat >"$TMP/feed.sh" <<'EOF'
# the sample's records (its DNS answers name 10.77.0.2), then two
# connections, ten packets a second each, for at most 120 s
t=$(jq -r 'select(.type=="packet") | .ts' s.json | tail -1)
n=0
trap 'echo "{\"type\":\"end\",\"producer\":\"feed\",\"records\":0,\"frames\":0,\"packets\":$n,\"reason\":\"signal\"}"; exit 0' INT
grep -v '"type":"end"' s.json
for i in $(seq 1 1200); do
	t=$((t + 100000000))
	echo "{\"type\":\"packet\",\"ts\":$t,\"if\":0,\"len\":1000,\"caplen\":1000,\"ip\":{\"src\":\"10.77.0.1\",\"dst\":\"10.77.0.2\",\"proto\":6},\"tcp\":{\"sport\":40000,\"dport\":80,\"flags\":24},\"proto\":\"TCP\",\"service\":\"HTTP\",\"svcport\":80}"
	echo "{\"type\":\"packet\",\"ts\":$((t + 1)),\"if\":0,\"len\":100,\"caplen\":100,\"ip\":{\"src\":\"10.77.0.3\",\"dst\":\"10.77.0.4\",\"proto\":17},\"udp\":{\"sport\":5353,\"dport\":53},\"proto\":\"UDP\",\"service\":\"DNS\",\"svcport\":53}"
	n=$((n + 2))
	echo $n >fed
	sleep 0.1
done
echo "{\"type\":\"end\",\"producer\":\"feed\",\"records\":0,\"frames\":0,\"packets\":$n,\"reason\":\"eof\"}"
EOF
# the shell of the pane keeps running when q signals the job
cat >"$TMP/live.sh" <<'EOF'
trap ':' INT
bash feed.sh | nm-stats -I 1 | nm-render -m top
echo "PIPESTATUS=${PIPESTATUS[*]}"
EOF
start live 100 30 "bash live.sh"
waitfor live 15 '10\.77\.0\.3:5353 +10\.77\.0\.4:53'
verdict $? "live: the feed's rows appear"
waitfor live 10 'coverage 100\.0%'
verdict $? "live: nm-stats' coverage in the header"

# pause: two screens 2.5 s apart are the same; the counting goes on
$TM send-keys -t live ' '
waitfor live 5 '^paused: [0-9]+ packets since'
verdict $? "space: paused"
sleep 0.5
rows live >"$TMP/p1"
sleep 2.5
rows live >"$TMP/p2"
cmp -s "$TMP/p1" "$TMP/p2"
verdict $? "paused: the table does not move"
waitfor live 3 '^paused: [1-9][0-9]* packets since'
verdict $? "paused: the packets since are counted"
$TM send-keys -t live ' '
sleep 1.5
rows live >"$TMP/p3"
s1=$(grep -E '10\.77\.0\.1:40000' "$TMP/p1" | awk '{ print $(NF-2) }')
s3=$(grep -E '10\.77\.0\.1:40000' "$TMP/p3" | awk '{ print $(NF-2) }')
[ -n "$s1" ] && [ -n "$s3" ] && [ "$s1" != "$s3" ]
verdict $? "unpaused: the numbers jumped (sent $s1, then $s3)"

# the filter, typed in place; a bad one keeps it and says why
$TM send-keys -t live / udp Enter
waitfor live 5 'filter: udp'
verdict $? "/udp: the filter shows"
waitfor live 5 '^UDP +10\.77\.0\.3:5353'
sleep 1.2
! rows live | grep -q '^TCP '
verdict $? "/udp: only UDP rows"
$TM send-keys -t live / C-u 'ip.src ==' Enter
waitfor live 5 '^filter: column [0-9]+'
verdict $? "a bad filter: its one-line error on the status line"
pane live | grep -q 'total .*filter: udp'
verdict $? "a bad filter: the old one stays"

# colour: escapes with it, none with NO_COLOR
$TM capture-pane -e -p -t live | grep -q $'\e\[[0-9;]*3[0-9]m'
verdict $? "colour: the protocols' colours on the screen"

# q: SIGINT to the job, every stage drains, nm-stats' report
$TM send-keys -t live q
waitfor live 15 '^PIPESTATUS='
hist live >"$TMP/lfinal"
grep -q '^FINAL REPORT' "$TMP/lfinal" &&
    grep -q '^PIPESTATUS=0 0 0$' "$TMP/lfinal"
verdict $? "live q: the pipeline drains, nm-stats' final report, all 0"
fed=$(cat "$TMP/fed")
grep -Eq "Packets: $((fed + 189)) " "$TMP/lfinal"
verdict $? "live q: the report counts every packet fed ($((fed + 189)))"

# --- NO_COLOR: no escapes at all ---
start nocolor 100 30 "NO_COLOR=1 nm-render -m top <s.bin"
waitfor nocolor 10 'end of the stream'
! $TM capture-pane -e -p -t nocolor | grep -q $'\e\['
verdict $? "NO_COLOR: no escapes on the screen"
$TM send-keys -t nocolor q

# an alert: red on the second line
{
	head -1 "$TMP/s.json"
	grep -m1 '"type":"packet"' "$TMP/s.json"
	echo '{"type":"alert","ts":1795676830278440000,"kind":"port_scan","style":"SYN","severity":"medium","src":"10.77.0.1","msg":"10.77.0.1 scanned 15 TCP ports of 10.77.0.2"}'
	echo '{"type":"end","producer":"test","records":3,"frames":0,"packets":1,"reason":"eof"}'
} >"$TMP/alert.json"
start alert 100 30 "nm-render -m top <alert.json"
waitfor alert 10 '^rate .*alert: 10\.77\.0\.1 scanned 15 TCP ports of 10\.77\.0\.2'
verdict $? "an alert: its message on the second line"
$TM capture-pane -e -p -t alert | grep -q $'\e\[[0-9;]*31m'
verdict $? "an alert: in red"
$TM send-keys -t alert q

# -N: names off from the start
start noname 100 30 "nm-render -N -m top <s.bin"
waitfor noname 10 'end of the stream' &&
    ! pane noname | grep -q 'example\.test'
verdict $? "-N: no names"
$TM send-keys -t noname q

# --- bounded: many more connections than rows; memory flat ---
# flows N: a stream of N UDP connections, each of one packet, 1 ms apart
flows() {
	awk -v n="$1" 'BEGIN {
		print "{\"type\":\"header\",\"version\":1,\"minor\":0,\"producer\":\"test\",\"stages\":[\"test\"]}"
		t = 1764139935000000000
		for (i = 0; i < n; i++)
			printf "{\"type\":\"packet\",\"ts\":%.0f,\"if\":0,\"len\":60,\"caplen\":60,\"ip\":{\"src\":\"10.%d.%d.%d\",\"dst\":\"10.99.0.1\",\"proto\":17},\"udp\":{\"sport\":%d,\"dport\":9},\"proto\":\"UDP\"}\n",
			    t + i * 1000000, int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1024 + i % 60000
		printf "{\"type\":\"end\",\"producer\":\"test\",\"records\":%d,\"frames\":0,\"packets\":%d,\"reason\":\"eof\"}\n", n + 1, n
	}'
}
flows 20000 >"$TMP/f20k.json"
flows 200000 >"$TMP/f200k.json"
for n in 20k 200k; do
	start "flows$n" 100 30 "/usr/bin/time -o mem$n -f %M nm-render -m top <f$n.json"
done
waitfor flows20k 30 'end of the stream' &&
    pane flows20k | grep -q '^nm top  connections 8192 ' &&
    pane flows20k | grep -q '^rate .*(rows evicted)$' &&
    rows flows20k | head -1 | grep -Eq '^UDP +10\.0\.[0-9.]+:[0-9]+ .* 240 '
verdict $? "20000 connections: 8192 rows kept, one of the last seconds first, eviction said"
waitfor flows200k 60 'end of the stream'
$TM send-keys -t flows20k q
$TM send-keys -t flows200k q
waitfor flows20k 10 '^STATUS=' && waitfor flows200k 10 '^STATUS='
if [ -x /usr/bin/time ]; then
	a=$(cat "$TMP/mem20k") b=$(cat "$TMP/mem200k")
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b <= a * 1.25 + 512) }'
	verdict $? "memory flat: ${a} KiB for 20000 connections, ${b} KiB for 200000"
else
	skip "memory flat: GNU time not installed"
fi

# --- nm-monitor -r FILE -m top ---
start mon 100 30 "nm-monitor -r '$NM_TOP/share/sample.pcap' -m top"
waitfor mon 15 'end of the stream: q leaves'
verdict $? "nm-monitor -m top: the table"
$TM send-keys -t mon q
waitfor mon 10 '^STATUS='
hist mon >"$TMP/mfinal"
grep -q '^FINAL REPORT' "$TMP/mfinal" && grep -q '^STATUS=0$' "$TMP/mfinal"
verdict $? "nm-monitor -m top: q, the final report, status 0"
