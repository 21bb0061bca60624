# nm-render end to end: JSON round trips (JSON in, msgpack in), unknown
# records passed through -o json, colour rules, option and field errors,
# malformed input, a reader that goes away, and the capture report.
source "$(dirname "$0")/lib.sh"

R=nm-render
if ! command -v $R >/dev/null; then
	echo "nm-render not built"; exit 77
fi

# A small stream in the JSON form: header, two packets, an unknown record
# type, a final capstats for a live interface, an end record.
cat >"$TMP/in.json" <<'EOF'
{"type":"header","version":1,"minor":0,"producer":"test","sources":[{"name":"eth0","kind":"interface","linktype":1}]}
{"type":"packet","ts":1764139935421000000,"if":0,"len":1434,"caplen":1434,"eth":{"src":"02:00:00:00:00:01","dst":"02:00:00:00:00:02","type":2048},"ip":{"src":"192.168.1.100","dst":"172.217.14.206","proto":6,"ttl":64,"len":1420},"tcp":{"sport":5432,"dport":443,"flags":24,"seq":1,"ack":1,"win":501,"len":1380},"proto":"TCP","service":"HTTPS","svcport":443}
{"type":"packet","ts":1764139936000000000,"if":0,"len":74,"caplen":74,"ip":{"src":"10.0.0.1","dst":"10.0.0.53","proto":17,"len":60},"udp":{"sport":40000,"dport":53,"len":40},"dns":{"id":4660,"qr":false,"q":[{"name":"example.com","type":1,"class":1}]},"proto":"DNS","service":"DNS","svcport":53}
{"type":"x-future","nested":{"a":[1,2,{"b":"c"}]},"s":"t"}
{"type":"capstats","if":0,"recv":10,"drop":2,"ifdrop":1,"final":true}
{"type":"end","producer":"test","records":5,"frames":0,"packets":2,"reason":"eof"}
EOF

# --- JSON round trip (--geo off: nm-render's own lookups would add
# dst_geo beside a public address, as tests/geo.t checks) ---
$R -o json --geo off <"$TMP/in.json" >"$TMP/j1" 2>"$TMP/err"
check "json: exit 0" test $? -eq 0
check "json: one line per record" test "$(wc -l <"$TMP/j1")" -eq 6
check "json: no report on stderr" test ! -s "$TMP/err"
check "json: unknown type passes" grep -q '"type":"x-future".*"b":"c"' "$TMP/j1"
$R -o json --geo off <"$TMP/j1" >"$TMP/j2"
same_file "json: round trip is stable" "$TMP/j1" "$TMP/j2"
same_file "json: input written back unchanged" "$TMP/in.json" "$TMP/j1"

# --- msgpack in: nm-capture's records from a pcap, when both are here ---
pcap=
for f in "$NM_TOP/share/sample.pcap" "$SHARED/pcaps/dns_udp.pcap"; do
	[ -f "$f" ] && { pcap=$f; break; }
done
if command -v nm-capture >/dev/null && [ -n "$pcap" ]; then
	nm-capture -r "$pcap" >"$TMP/s.mp" 2>/dev/null
	$R -o json <"$TMP/s.mp" >"$TMP/m1"
	$R -o json <"$TMP/m1" >"$TMP/m2"
	check "msgpack: json out" test -s "$TMP/m1"
	same_file "msgpack: json round trip" "$TMP/m1" "$TMP/m2"
	TZ=UTC $R <"$TMP/s.mp" >"$TMP/t1"
	TZ=UTC $R <"$TMP/m1" >"$TMP/t2"
	same_file "msgpack: same text from msgpack and json" "$TMP/t1" "$TMP/t2"
else
	skip "msgpack: no nm-capture or no capture to read"
fi

# --- text ---
TZ=UTC $R <"$TMP/in.json" >"$TMP/c" 2>"$TMP/cerr"
printf '%s\n' \
 '[06:52:15.421] TCP      192.168.1.100   → 172.217.14.206  |  5432 → 443(HTTPS) [PA] len 1380 | 1434 bytes' \
 '[06:52:16.000] DNS      10.0.0.1        → 10.0.0.53       | 40000 → 53(DNS) 4660 A? example.com. | 74 bytes' \
 >"$TMP/c.want"
same_file "compact: lines" "$TMP/c.want" "$TMP/c"
printf '%s\n' '2 packets captured' '10 packets received by filter' \
    '2 packets dropped by kernel' '1 packet dropped by interface' \
    >"$TMP/cerr.want"
same_file "compact: report on stderr" "$TMP/cerr.want" "$TMP/cerr"
TZ=JST-9 $R -m minimal <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "minimal: TZ respected" grep -qx '15:52:15.421 TCP 192.168.1.100 → 172.217.14.206' "$TMP/m"
TZ=JST-9 $R -u -m minimal <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "minimal: -u is UTC" grep -q '^06:52:15.421 ' "$TMP/m"
$R -t <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "compact: -t no time" grep -q '^TCP      192' "$TMP/m"
$R -tt <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "compact: -tt epoch" grep -q '^\[1764139935.421000\] TCP' "$TMP/m"
$R -m minimal -ttt <"$TMP/in.json" 2>/dev/null | cut -d' ' -f1 >"$TMP/m"
check "minimal: -ttt since the previous packet" \
    test "$(tr '\n' ' ' <"$TMP/m")" = "00:00:00.000000 00:00:00.579000 "
TZ=JST-9 $R -m minimal -tttt <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "minimal: -tttt local date and time" \
    grep -q '^2025-11-26 15:52:15.421000 TCP ' "$TMP/m"
$R -m minimal -t -t -t -t -t <"$TMP/in.json" 2>/dev/null | cut -d' ' -f1 >"$TMP/m"
check "minimal: -ttttt since the first packet" \
    test "$(tr '\n' ' ' <"$TMP/m")" = "00:00:00.000000 00:00:00.579000 "
$R -tttttt </dev/null >/dev/null 2>&1
check "usage: six -t exit 2" test $? -eq 2

# --- locale: arrows in UTF-8 only, ASCII '>' as tcpdump elsewhere ---
LC_ALL=C TZ=UTC $R <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "locale C: ASCII arrows" grep -qx \
    '\[06:52:15.421\] TCP      192.168.1.100   > 172.217.14.206  |  5432 > 443(HTTPS) \[PA\] len 1380 | 1434 bytes' "$TMP/m"
check "locale C: nothing but ASCII" test "$(LC_ALL=C grep -c '[^ -~]' "$TMP/m")" = 0
LC_ALL= LC_CTYPE= LANG=C.UTF-8 $R <"$TMP/in.json" 2>/dev/null | head -n 1 >"$TMP/m"
check "locale LANG=C.UTF-8: arrows" grep -q ' → 172.217.14.206 ' "$TMP/m"
$R -m detailed <"$TMP/in.json" >"$TMP/d" 2>/dev/null
check "detailed: layer lines" grep -q '^  tcp    sport=5432 dport=443' "$TMP/d"

# --- colour ---
esc=$(printf '\033')
$R --color=always <"$TMP/in.json" >"$TMP/col" 2>/dev/null
check "colour: always has escapes" grep -q "$esc\[32mTCP" "$TMP/col"
$R <"$TMP/in.json" >"$TMP/col" 2>/dev/null
check "colour: none into a pipe" test "$(grep -c "$esc" "$TMP/col")" -eq 0
$R --color=always -o json <"$TMP/in.json" >"$TMP/col"
check "colour: never in json" test "$(grep -c "$esc" "$TMP/col")" -eq 0
$R --color=always -e ip.src <"$TMP/in.json" >"$TMP/col"
check "colour: never in fields" test "$(grep -c "$esc" "$TMP/col")" -eq 0
if script -qc true /dev/null >/dev/null 2>&1; then
	script -qc "$R <'$TMP/in.json'" /dev/null >"$TMP/tty" 2>&1
	check "colour: auto on a terminal" grep -q "$esc\[32mTCP" "$TMP/tty"
	script -qc "NO_COLOR=1 $R <'$TMP/in.json'" /dev/null >"$TMP/tty" 2>&1
	check "colour: NO_COLOR respected" test "$(grep -c "$esc\[3" "$TMP/tty")" -eq 0
	script -qc "NO_COLOR=1 $R --color=always <'$TMP/in.json'" /dev/null \
	    >"$TMP/tty" 2>&1
	check "colour: --color=always beats NO_COLOR" grep -q "$esc\[32mTCP" "$TMP/tty"
	script -qc "TERM=dumb $R <'$TMP/in.json'" /dev/null >"$TMP/tty" 2>&1
	check "colour: none on TERM=dumb" \
	    test "$(grep -c "$esc\[3" "$TMP/tty")" -eq 0 -a -s "$TMP/tty"
else
	skip "colour: no script(1) for a terminal"
fi

# --- fields ---
$R -o fields -e frame.time_epoch -e ip.src -e tcp.dstport -e dns.qry.name \
    -e dns.id <"$TMP/in.json" >"$TMP/f" 2>"$TMP/ferr"
printf '1764139935.421000000\t192.168.1.100\t443\t\t\n1764139936.000000000\t10.0.0.1\t\texample.com\t0x1234\n' >"$TMP/f.want"
same_file "fields: packet lines only" "$TMP/f.want" "$TMP/f"
check "fields: no report" test ! -s "$TMP/ferr"
$R -o fields -e ip.src -e no.such <"$TMP/in.json" >/dev/null 2>"$TMP/ferr"
check "fields: unknown name exits 2" test $? -eq 2
check "fields: unknown name named" grep -q '^nm-render: unknown field: no.such' "$TMP/ferr"
$R -o fields </dev/null >/dev/null 2>&1
check "fields: none given exits 2" test $? -eq 2
$R -o compact -e ip.src </dev/null >/dev/null 2>&1
check "fields: -e with a text mode exits 2" test $? -eq 2
check "fields: --list-fields" sh -c "$R --list-fields | grep -qx dns.qry.name"

# --- tshark's -E for fields ---
$R -o fields -E header=y -E separator=, -E quote=d -e ip.src -e dns.qry.name \
    -e dns.id <"$TMP/in.json" >"$TMP/f" 2>/dev/null
printf '%s\n' '"ip.src","dns.qry.name","dns.id"' '"192.168.1.100",,' \
    '"10.0.0.1","example.com","0x1234"' >"$TMP/f.want"
same_file "fields -E: header, separator, quotes" "$TMP/f.want" "$TMP/f"
$R -e ip.src -e ip.dst -E separator=/s -E quote=s <"$TMP/in.json" 2>/dev/null |
    head -n 1 >"$TMP/f"
check "fields -E separator=/s quote=s" \
    test "$(cat "$TMP/f")" = "'192.168.1.100' '172.217.14.206'"
$R -E header=y -e ip.src </dev/null >"$TMP/f" 2>/dev/null
check "fields -E header=y: the header even with no packets" \
    test "$(cat "$TMP/f")" = "ip.src"
$R -E quote=x -e ip.src </dev/null >/dev/null 2>"$TMP/ferr"
check "fields -E bad setting exits 2" test $? -eq 2
check "fields -E bad setting named" grep -q '^nm-render: -E quote=x: want ' "$TMP/ferr"
$R -E header=y </dev/null >/dev/null 2>&1
check "fields -E without -o fields exits 2" test $? -eq 2

# dns.time, tshark's name, from nm-decode's nanoseconds
echo '{"type":"packet","ts":1,"len":60,"caplen":60,"dns":{"id":7,"qr":true,"time":1234567}}' |
    $R -e dns.time -e dns.id >"$TMP/f" 2>/dev/null
check "fields: dns.time in seconds" test "$(cat "$TMP/f")" = "0.001234567	0x0007"

# --- JSON ts: integer nanoseconds, and the exact text with --json-time ---
$R -o json --geo off --json-time <"$TMP/in.json" >"$TMP/jt" 2>/dev/null
check "json-time: time as text after the keys" grep -q \
    '"ts":1764139935421000000,.*,"time":"1764139935.421000000"}$' "$TMP/jt"
check "json-time: only records with a ts" \
    test "$(grep -c '"time":' "$TMP/jt")" = 2
check "json-time: the rest unchanged" \
    test "$(sed 's/,"time":"[0-9.]*"}$/}/' "$TMP/jt" | cmp - "$TMP/in.json" && echo same)" = same
$R -o json <"$TMP/jt" >"$TMP/jt2" 2>"$TMP/jterr"
check "json-time: read back by nm stages" test $? -eq 0 -a ! -s "$TMP/jterr"
$R --json-time </dev/null >/dev/null 2>&1
check "json-time without -o json exits 2" test $? -eq 2

# --- usage ---
$R -o nosuch </dev/null >/dev/null 2>&1
check "usage: bad -o exits 2" test $? -eq 2
$R -m json </dev/null >/dev/null 2>&1
check "usage: -m takes text modes only" test $? -eq 2
$R --color=sometimes </dev/null >/dev/null 2>&1
check "usage: bad --color exits 2" test $? -eq 2
$R extra </dev/null >/dev/null 2>&1
check "usage: operand exits 2" test $? -eq 2
check "usage: --version" sh -c "$R --version | grep -q '^nm-render '"
check "usage: --help exits 0" sh -c "$R --help | grep -q '^usage: nm-render'"

# --- malformed input: what came before is printed, then exit 3 ---
{ head -n 2 "$TMP/in.json"; echo '{"type":"packet","ip":{"src":12}}'; } >"$TMP/bad.json"
$R -o json <"$TMP/bad.json" >"$TMP/b" 2>"$TMP/berr"
check "malformed: exit 3" test $? -eq 3
check "malformed: earlier records out" test "$(wc -l <"$TMP/b")" -eq 2
check "malformed: message" grep -q '^nm-render: stdin: ' "$TMP/berr"
printf '\xc1\xc1\xc1' | $R >/dev/null 2>&1
check "malformed: msgpack garbage exits 3" test $? -eq 3
# a record cut short at the end: upstream died mid-record, an early end
{ head -n 2 "$TMP/in.json"; printf '{"type":"packet",'; } >"$TMP/cut.json"
$R -o json <"$TMP/cut.json" >"$TMP/b" 2>"$TMP/berr"
check "cut short: exit 8" test $? -eq 8
check "cut short: earlier records out" test "$(wc -l <"$TMP/b")" -eq 2
check "cut short: one line naming where" grep -Eqx \
    'nm-render: stdin: input ended early: stream ends inside a record at byte [0-9]+ \(truncated\)' "$TMP/berr"
$R </dev/null >/dev/null 2>"$TMP/eerr"
check "empty input: exit 8 (input ended early)" test $? -eq 8
check "empty input: one line" \
	test "$(cat "$TMP/eerr")" = "nm-render: stdin: input ended early: no records at all"

# --- a reader that goes away: quiet, status 0 ---
awk -v n=50000 'NR == 2 { for (i = 0; i < n; i++) print; next } { print }' \
    "$TMP/in.json" >"$TMP/big.json"
set -o pipefail
$R <"$TMP/big.json" 2>"$TMP/perr" | head -n 1 >/dev/null
check "epipe: exit 0" test $? -eq 0
set +o pipefail
check "epipe: quiet" test ! -s "$TMP/perr"

# --- live: flushed when the input goes idle; signals ---
mkfifo "$TMP/fifo"
$R <"$TMP/fifo" >"$TMP/live" 2>/dev/null &
rpid=$!
exec 3>"$TMP/fifo"
head -n 2 "$TMP/in.json" >&3
for i in $(seq 1 30); do
	grep -q TCP "$TMP/live" 2>/dev/null && break
	sleep 0.1
done
check "live: line out while input idle" grep -q TCP "$TMP/live"
kill -TERM "$rpid"
sleep 0.3
check "signal: first drains a pipe" kill -0 "$rpid"
kill -TERM "$rpid"
for i in $(seq 1 30); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$rpid" 2>/dev/null; then
	fail "signal: second ends it"
	kill -KILL "$rpid"
else
	pass "signal: second ends it"
fi
wait "$rpid"
check "signal: exit 0" test $? -eq 0
exec 3>&-

# --- output errors are failures ---
if [ -w /dev/full ]; then
	$R <"$TMP/in.json" >/dev/full 2>"$TMP/ferr"
	check "write error: exit 1" test $? -eq 1
	check "write error: message" grep -q '^nm-render: stdout: ' "$TMP/ferr"
fi
exit 0
