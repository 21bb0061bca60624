# nm-web in a real browser: Debian's headless chromium driven over the
# DevTools protocol by tests/cdp.py (our own client).  A stream the test
# makes (TCP between two hosts, 10 s of stream time, an alert at 4 s)
# goes through nm-stats --realtime into nm-web: the page loads with no
# console error or CSP report, its chart grows as the stream plays, the
# alert shows, the table sorts on a click, two browsers watch at once.
# Then curl: the strict headers, 404/405, the Host check on loopback, the
# token on another address (403 without or with a wrong one, 200 and a
# cookie with the right one); a stream that never reads (and a curl
# stopped with SIGSTOP) does not hold the pipeline up, and what was
# dropped for them is counted; memory stays flat; the errors' statuses;
# nm-monitor --web.  Screenshots go to tests/out/web-*.png.
source "$(dirname "$0")/lib.sh"

for p in nm-web nm-stats nm-render nm-capture nm-decode nm-monitor; do
	command -v $p >/dev/null || { echo "$p not built"; exit 77; }
done
for t in python3 curl jq; do
	command -v $t >/dev/null || { echo "no $t (tests/deps.sh test)"; exit 77; }
done
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
    { echo "no chromium (tests/deps.sh test)"; exit 77; }
OUT=$NM_TOP/tests/out
mkdir -p "$OUT"
CDP="python3 $NM_TOP/tests/cdp.py"

# Everything started here is ended here, by its pid.
PIDS=
cleanup() {
	local p
	for p in $PIDS; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "nmweba$$" 2>/dev/null
	ip netns del "nmwebb$$" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# gen SECONDS RATE ALERTS: a JSON stream of RATE packets a second for
# SECONDS of stream time, an alert at 4 s (ALERTS>0: that many alerts
# with long messages, back to back, and no packets).
gen() {
	python3 - "$@" <<'EOF'
import json, sys
secs, rate, nalerts = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0 = 1764139935000000000
n = 0
def out(r):
    global n
    print(json.dumps(r, separators=(",", ":")))
    n += 1
out({"type": "header", "version": 1, "minor": 0, "producer": "test",
     "stages": ["nm-capture", "nm-decode"],
     "sources": [{"name": "veth-test", "kind": "interface",
                  "linktype": 1}]})
def alert(ts, i, msg):
    out({"type": "alert", "ts": ts, "kind": "port_scan", "style": "SYN",
         "scan": "vertical", "severity": "medium", "src": "10.77.0.9",
         "dst": "10.77.0.2", "proto": "TCP", "count": 30, "threshold": 15,
         "window": 300000000000, "first": ts, "last": ts,
         "key": "port_scan 10.77.0.9 %d" % i, "repeat": 0, "msg": msg})
packets = 0
for k in range(nalerts):
    alert(t0, k, "alert %d " % k + "x" * 2000)
for s in range(secs if nalerts == 0 else 0):
    for i in range(rate):
        ts = t0 + s * 1000000000 + i * (1000000000 // rate)
        a, b = ("10.77.0.1", "10.77.0.2") if i % 2 == 0 else \
            ("10.77.0.2", "10.77.0.1")
        sp, dp = (40000 + i // 2, 80) if i % 2 == 0 else (80, 40000 + i // 2)
        out({"type": "packet", "ts": ts, "if": 0, "len": 100 + 10 * s,
             "caplen": 100, "ip": {"v": 4, "src": a, "dst": b, "proto": 6},
             "tcp": {"sport": sp, "dport": dp, "flags": 16},
             "proto": "TCP"})
        packets += 1
    if s == 0:
        # the name the page shows beside 10.77.0.2, from the wire
        out({"type": "packet", "ts": ts + 1000, "if": 0, "len": 90,
             "caplen": 90,
             "ip": {"v": 4, "src": "10.77.0.53", "dst": "10.77.0.1",
                    "proto": 17},
             "udp": {"sport": 53, "dport": 5353},
             "dns": {"id": 1, "qr": True, "rcode": 0,
                     "q": [{"name": "www.example.test", "type": 1,
                            "class": 1}],
                     "ans": [{"name": "www.example.test", "type": 1,
                              "class": 1, "ttl": 300,
                              "addr": "10.77.0.2"}]},
             "proto": "DNS"})
        packets += 1
    if s == 4:
        alert(ts, 0, "10.77.0.9 scanned 30 TCP ports of 10.77.0.2 "
              "(SYN scan) in 0.1 s")
        # markup from the stream is shown as text, never run
        alert(ts, 1, "<img src=x id=evil onerror=alert(1)>")
if nalerts == 0:
    # the capture's counters: 3 lost in the kernel
    out({"type": "capstats", "ts": t0 + secs * 1000000000, "if": 0,
         "recv": packets + 3, "drop": 3, "ifdrop": 0, "final": True})
out({"type": "end", "producer": "test", "records": n, "frames": 0,
     "packets": packets, "reason": "eof"})
EOF
}

# url_of FILE: the URL nm-web wrote on its stderr (waits up to 5 s).
url_of() {
	local i u
	for i in $(seq 50); do
		u=$(sed -n 's/^nm-web: \(http:[^ ]*\)$/\1/p' "$1" 2>/dev/null)
		[ -n "$u" ] && { echo "$u"; return 0; }
		sleep 0.1
	done
	return 1
}
# end_web FILE: nm-web's end record, from its record stream, as JSON.
end_web() {
	nm-render -o json <"$1" | jq -c 'select(.type == "end" and .producer == "nm-web")'
}
# A free port on loopback (nothing holds it by the time it is used).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

gen 10 20 0 >"$TMP/live.json"
gen 0 0 400 >"$TMP/alerts400.json"
gen 0 0 4000 >"$TMP/alerts4000.json"

# --- chromium, headless, with its DevTools port ---
HOME=$TMP "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
    --no-default-browser-check --disable-extensions \
    --user-data-dir="$TMP/profile" --remote-debugging-port=0 \
    --window-size=1280,1100 about:blank 2>"$TMP/chrome.err" >/dev/null &
PIDS="$PIDS $!"
for i in $(seq 300); do
	grep -q 'DevTools listening' "$TMP/chrome.err" && break
	sleep 0.1
done
DT=$(sed -n 's|.*DevTools listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/chrome.err")
if [ -z "$DT" ]; then
	echo "chromium did not start: $(head -n 3 "$TMP/chrome.err")"
	exit 1
fi

# --- the live page: two browsers while the stream plays ---
nm-stats -I 1 --realtime <"$TMP/live.json" |
    nm-web -l 127.0.0.1:0 --linger 3 >"$TMP/a.out" 2>"$TMP/a.err" &
APID=$!
PIDS="$PIDS $APID"
URL=$(url_of "$TMP/a.err")
check "loopback: the URL on stderr, no token" \
    grep -qx 'nm-web: http://127.0.0.1:[0-9]*/' "$TMP/a.err"
HP=${URL#http://}
HP=${HP%/}
$CDP "$DT" open "$URL" \
    eval 'nm.points.length' \
    wait 8 'nm.points.length >= 4' \
    eval 'nm.points.length' \
    wait 8 'nm.alerts >= 2' \
    eval 'document.querySelector("#alerts li:last-child").textContent' \
    eval 'document.getElementById("npoints").textContent' \
    wait 15 'document.getElementById("status").textContent == "stream ended"' \
    shot "$OUT/web-live.png" \
    click '#top thead th[data-key="addr"]' \
    eval '(() => { const r = [...document.querySelectorAll("#top tbody tr td:first-child")].map((e) => e.textContent); return r.length >= 2 && r.every((v, i) => i == 0 || r[i - 1].localeCompare(v) <= 0) && document.querySelector("#top thead th[data-key=addr]").classList.contains("asc"); })()' \
    eval '[...document.querySelectorAll("#top td.name")].some((e) => e.textContent == "www.example.test")' \
    eval 'document.getElementById("evil") === null && [...document.querySelectorAll("#alerts li")].some((e) => e.textContent.indexOf("<img src=x") >= 0)' \
    click '#tab-flows' \
    eval '[...document.querySelectorAll("#top td.name")].some((e) => e.textContent == "www.example.test")' \
    eval 'document.querySelector("#capture tbody td").textContent + "|" + document.getElementById("drops").textContent + "|" + document.getElementById("coverage").textContent' \
    shot "$OUT/web-flows.png" \
    errors >"$TMP/b1" 2>&1 &
B1=$!
$CDP "$DT" open "$URL" wait 10 'nm.points.length >= 4' errors \
    >"$TMP/b2" 2>&1 &
B2=$!
# meanwhile, curl
curl -sSI "http://$HP/" >"$TMP/head" 2>&1
for h in "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'" \
    "X-Frame-Options: DENY" "X-Content-Type-Options: nosniff" \
    "Referrer-Policy: no-referrer" "Cache-Control: no-store"; do
	check "headers: $h" grep -qiF "$h" "$TMP/head"
done
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "POST: 405" test "$(code -X POST "http://$HP/")" = 405
check "unknown path: 404" test "$(code "http://$HP/nope")" = 404
curl -sSI "http://$HP/nope" >"$TMP/head404" 2>&1
check "headers on a 404 too" grep -qF "X-Frame-Options: DENY" "$TMP/head404"
check "loopback: a foreign Host: 403 (DNS rebinding)" \
    test "$(code -H 'Host: evil.example' "http://$HP/")" = 403
check "/app.js is JavaScript" sh -c "curl -sI 'http://$HP/app.js' | grep -qi '^Content-Type: text/javascript'"
check "/state: the history as JSON" sh -c "curl -s 'http://$HP/state' | jq -e '.history | type == \"array\"' >/dev/null"
wait "$B1"
st1=$?
wait "$B2"
st2=$?
cat "$TMP/b1" "$TMP/b2"
check "browser 1: every step" test "$st1" = 0
check "browser 2 at the same time: every step" test "$st2" = 0
check "page: no console error, exception or CSP report" \
    grep -qx 'ok errors none' "$TMP/b1"
# ev N: the Nth eval's line of browser 1 (they come in the order asked)
ev() { grep -E '^(ok|fail) (eval|step)' "$TMP/b1" | sed -n "$1p"; }
first=$(ev 1 | awk '{print $3}')
later=$(ev 2 | awk '{print $3}')
check "the chart grows as the stream plays ($first, then $later points)" \
    test "${later:-0}" -gt "${first:-0}"
case $(ev 3) in
'ok eval "'*'10.77.0.9 scanned 30 TCP ports'*) true ;;
*) false ;;
esac
verdict $? "the alert appears"
check "the table sorts on a click of its heading" test "$(ev 5)" = 'ok eval true'
check "a name from the wire beside its address: talkers" test "$(ev 6)" = 'ok eval true'
check "markup in an alert shows as text, never as HTML" test "$(ev 7)" = 'ok eval true'
check "a name from the wire beside its address: connections" test "$(ev 8)" = 'ok eval true'
check "the capture's source by name, its drops and the coverage" \
    test "$(ev 9)" = 'ok eval "veth-test|3|98.5 %"'
wait "$APID"
check "nm-web: status 0 at the end of the stream" test "$?" = 0
end_web "$TMP/a.out" >"$TMP/a.end"
cat "$TMP/a.end"
check "end record: two browsers' streams" jq -e '.web.clients >= 2' "$TMP/a.end"
check "records passed on: all 201 packets" jq -e '.packets == 201' "$TMP/a.end"
check "the alerts passed on too" sh -c "nm-render -o json <'$TMP/a.out' | grep -c '\"type\":\"alert\"' | grep -qx 2"

# --- where the top hosts are: nm-stats' geo in a where column ---
if perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	perl "$NM_TOP/tests/tools/mkmmdb.pl" "$TMP/geo.mmdb"
	python3 - >"$TMP/geo.json" <<'EOF'
import json
t0 = 1764139935000000000
print(json.dumps({"type": "header", "version": 1, "minor": 0,
                  "producer": "test", "stages": ["nm-capture", "nm-decode"]}))
for i in range(6):
    a, b = ("10.77.0.1", "81.2.69.161") if i % 2 == 0 else \
        ("81.2.69.161", "10.77.0.1")
    print(json.dumps({"type": "packet", "ts": t0 + i * 100000000, "if": 0,
                      "len": 100, "caplen": 100,
                      "ip": {"src": a, "dst": b, "proto": 17},
                      "udp": {"sport": 5000, "dport": 5000},
                      "proto": "UDP"}))
print(json.dumps({"type": "end", "producer": "test", "records": 7,
                  "frames": 0, "packets": 6, "reason": "eof"}))
EOF
	nm-stats -I 1 --geo "$TMP/geo.mmdb" <"$TMP/geo.json" |
	    nm-web -l 127.0.0.1:0 --linger 10 >/dev/null 2>"$TMP/g.err" &
	GPID=$!
	PIDS="$PIDS $GPID"
	GURL=$(url_of "$TMP/g.err")
	$CDP "$DT" open "$GURL" \
	    wait 8 '[...document.querySelectorAll("#top td.name")].some((e) => e.textContent == "GB AS12345 Test Net One")' \
	    click '#tab-flows' \
	    eval '[...document.querySelectorAll("#top td.name")].some((e) => e.textContent == "GB AS12345 Test Net One")' \
	    >"$TMP/g1" 2>&1
	st=$?
	cat "$TMP/g1"
	check "where: a top host's country and AS on the page" test "$st" = 0
	check "where: a connection's responder's too" \
	    grep -qx 'ok eval true' "$TMP/g1"
	kill "$GPID" 2>/dev/null
	wait "$GPID" 2>/dev/null
else
	skip "web: where: needs libmaxmind-db-writer-perl"
fi

# --- no nm-stats upstream: nm-web's own count per second ---
nm-web -l 127.0.0.1:0 --linger 5 <"$TMP/live.json" >/dev/null 2>"$TMP/s.err" &
SPID=$!
PIDS="$PIDS $SPID"
SURL=$(url_of "$TMP/s.err")
check "without nm-stats: a point per second of stream time (the capture's clock closes the last)" \
    sh -c "curl -s '${SURL}state' | jq -e '.history | length == 10' >/dev/null"
kill "$SPID"
wait "$SPID"
check "a signal ends --linger, status 0" test "$?" = 0
# packets in seconds 0, 1 and 5, the capture's clock at 6: zeros between
python3 -c '
import json
t0 = 1764139935000000000
r = [{"type": "header", "version": 1, "minor": 0, "producer": "t",
      "stages": ["nm-capture", "nm-decode"]}]
r += [{"type": "packet", "ts": t0 + s * 10**9, "if": 0, "len": 100,
       "caplen": 100} for s in (0, 1, 5)]
r.append({"type": "capstats", "ts": t0 + 6 * 10**9, "if": 0, "recv": 3,
          "drop": 0, "ifdrop": 0})
r.append({"type": "end", "producer": "t", "records": len(r), "frames": 0,
          "packets": 3, "reason": "eof"})
for x in r:
    print(json.dumps(x))' >"$TMP/gap.json"
nm-web -l 127.0.0.1:0 --linger 5 <"$TMP/gap.json" >/dev/null 2>"$TMP/g.err" &
GPID=$!
PIDS="$PIDS $GPID"
GURL=$(url_of "$TMP/g.err")
check "without nm-stats: quiet seconds are zeros on the chart" \
    sh -c "curl -s '${GURL}state' | jq -e '[.history[][1]] == [1, 1, 0, 0, 0, 1]' >/dev/null"
kill "$GPID"
wait "$GPID"

# --- stdout a terminal: the page is the output, no records ---
printf '%s\t-\n' 'nm-web: http' >"$TMP/tty.steps"
python3 "$NM_TOP/tests/ptydrive.py" "$TMP/tty.log" "$TMP/tty.steps" \
    sh -c "exec nm-web -l 127.0.0.1:0 <'$TMP/live.json'" >"$TMP/tty.res" 2>&1
[ "$(cat "$TMP/tty.res")" = "exit 0" ] &&
    [ "$(tr -d '\r' <"$TMP/tty.log" | grep -cv '^nm-web: http://127.0.0.1:[0-9]*/$')" = 0 ]
verdict $? "stdout a terminal: the URL and no records ($(cat "$TMP/tty.res"))"

# --- another address: the token ---
nm-web -l 0.0.0.0:0 --linger 60 <"$TMP/live.json" >/dev/null 2>"$TMP/t.err" &
TPID=$!
PIDS="$PIDS $TPID"
TURL=$(url_of "$TMP/t.err")
check "0.0.0.0 without --token: a token made and shown" \
    grep -qx 'nm-web: http://0.0.0.0:[0-9]*/?token=[0-9a-f]\{32\}' "$TMP/t.err"
TOK=${TURL##*token=}
TP=${TURL#http://0.0.0.0:}
TP=${TP%%/*}
T=http://127.0.0.1:$TP
check "token: none: 403" test "$(code "$T/")" = 403
check "token: a wrong one: 403" test "$(code "$T/?token=${TOK%?}0x")" = 403
check "token: wrong, /events: 403" test "$(code "$T/events?token=nope")" = 403
check "token: wrong cookie: 403" test "$(code -b "nm_token=0123456789abcdef0123456789abcdef" "$T/state")" = 403
curl -s -D "$TMP/th" -o /dev/null "$T/?token=$TOK"
check "token: right: 200 and the cookie" grep -qi "^Set-Cookie: nm_token=$TOK; Path=/; HttpOnly; SameSite=Strict" "$TMP/th"
check "token: the cookie opens /events" sh -c "curl -s -m 3 -b 'nm_token=$TOK' '$T/events' | grep -q '^event: state'"
check "token: the cookie loads /app.js" test "$(code -b "nm_token=$TOK" "$T/app.js")" = 200
$CDP "$DT" open "$T/?token=wrong${TOK}" \
    eval 'document.body.innerText.trim() + "|" + typeof window.nm + "|" + document.querySelectorAll("canvas").length' \
    >"$TMP/bt" 2>&1
cat "$TMP/bt"
check "browser: a wrong token shows nothing of the page" \
    grep -qx 'ok eval "forbidden|undefined|0"' "$TMP/bt"
$CDP "$DT" open "$T/?token=$TOK" wait 5 'nm.points.length > 0' \
    errors >"$TMP/bt2" 2>&1
cat "$TMP/bt2"
check "browser: the right token shows the page, no error" test "$(grep -c '^ok' "$TMP/bt2")" = 3
# its two threads, each under both filters
ntask=$(ls /proc/"$TPID"/task | wc -l)
nfilt=$(cat /proc/"$TPID"/task/*/status | grep -c '^Seccomp_filters:[[:space:]]*2$')
check "sandbox: $ntask threads, $nfilt under both filters" \
    test "$ntask" = 2 -a "$nfilt" = 2
kill "$TPID"
wait "$TPID"

# --- the filters: what nm-web may not do once serving ---
PROBE=$NM_TOP/tests/tools/seccomp_probe
if [ -x "$PROBE" ]; then
	{ "$PROBE" web none 2>/dev/null; } 2>/dev/null
	check "sandbox: the probe under nm-web's filters runs" test "$?" = 0
	# a sanitizer build may open files read-only (its reports' symbols)
	calls="socket execve thread pipe mprotect-exec"
	grep -q __asan_init "$PROBE" || calls="open $calls"
	for c in $calls; do
		{ "$PROBE" web "$c" 2>/dev/null; } 2>/dev/null
		rc=$?
		check "sandbox: $c kills nm-web with SIGSYS ($rc)" test "$rc" = 159
	done
else
	skip "sandbox: tests/tools/seccomp_probe not built"
fi

# --- a page that never reads does not hold the pipeline up ---
mkfifo "$TMP/fifo"
/usr/bin/env time -f '%M' -o "$TMP/c.rss" nm-web -l 127.0.0.1:0 \
    <"$TMP/fifo" >"$TMP/c.out" 2>"$TMP/c.err" &
CPID=$!
PIDS="$PIDS $CPID"
exec 3>"$TMP/fifo"
CURL_=$(url_of "$TMP/c.err")
CP=${CURL_#http://127.0.0.1:}
CP=${CP%/}
# a socket with a small receive buffer that sends its request and
# never reads, and a curl stopped by SIGSTOP (neither holds the fifo)
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
time.sleep(60)' "$CP" 3>&- &
STALL=$!
PIDS="$PIDS $STALL"
curl -sN "http://127.0.0.1:$CP/events" >/dev/null 3>&- &
CURLP=$!
PIDS="$PIDS $CURLP"
sleep 1
kill -STOP "$CURLP"
t0=$(date +%s.%N)
cat "$TMP/alerts4000.json" >&3
exec 3>&-
for i in $(seq 200); do
	[ -s "$TMP/c.out" ] && nm-render -o json <"$TMP/c.out" 2>/dev/null |
	    grep -q '"producer":"nm-web"' && break
	sleep 0.05
done
t1=$(date +%s.%N)
wait "$CPID"
cst=$?
t2=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
exit_secs=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')
check "stalled pages: the stream still ends on time (${secs} s; exit ${exit_secs} s)" \
    awk -v s="$secs" -v e="$exit_secs" 'BEGIN { exit !(s < 5 && e < 8) }'
check "stalled pages: status 0" test "$cst" = 0
end_web "$TMP/c.out" >"$TMP/c.end"
cat "$TMP/c.end" "$TMP/c.err"
check "stalled pages: updates dropped and counted" jq -e '.web.dropped > 0 and .web.dropped_bytes > 0' "$TMP/c.end"
check "stalled pages: said on stderr at the end" grep -q '^nm-web: [0-9]* page updates dropped for slow browsers$' "$TMP/c.err"
check "stalled pages: every record passed on" \
    sh -c "nm-render -o json <'$TMP/c.out' | grep -c '\"type\":\"alert\"' | grep -qx 4000"
kill -CONT "$CURLP" 2>/dev/null
kill "$CURLP" "$STALL" 2>/dev/null

# --- memory: 4000 alerts hold no more than 400 did ---
/usr/bin/env time -f '%M' -o "$TMP/m400" nm-web -l 127.0.0.1:0 \
    <"$TMP/alerts400.json" >/dev/null 2>&1
/usr/bin/env time -f '%M' -o "$TMP/m4000" nm-web -l 127.0.0.1:0 \
    <"$TMP/alerts4000.json" >/dev/null 2>&1
m1=$(tail -n 1 "$TMP/m400") m2=$(tail -n 1 "$TMP/m4000")
if grep -q __asan_init "$(command -v nm-web)"; then
	# AddressSanitizer holds freed memory in its quarantine
	skip "memory flat: a sanitizer build (${m1} and ${m2} KiB)"
else
	check "memory flat: ${m1} KiB for 400 alerts, ${m2} KiB for 4000" \
	    test "$m2" -lt $((m1 + m1 / 2))
fi

# --- 16 event streams at once, a 17th refused ---
mkfifo "$TMP/fifo2"
nm-web -l 127.0.0.1:0 <"$TMP/fifo2" >"$TMP/r.out" 2>"$TMP/r.err" &
RPID=$!
PIDS="$PIDS $RPID"
exec 4>"$TMP/fifo2"
head -n 1 "$TMP/live.json" >&4
RURL=$(url_of "$TMP/r.err")
RC=
for i in $(seq 16); do
	curl -sN "${RURL}events" >"$TMP/r$i.ev" 4>&- &
	RC="$RC $!"
done
PIDS="$PIDS $RC"
for i in $(seq 50); do
	[ "$(cat "$TMP"/r*.ev 2>/dev/null | grep -c '^event: state')" = 16 ] && break
	sleep 0.1
done
check "the 17th event stream at once: 503" \
    test "$(code -m 3 "${RURL}events" 4>&-)" = 503
tail -n +2 "$TMP/live.json" >&4
exec 4>&-
wait "$RPID"
check "16 event streams: status 0, refused one counted" \
    sh -c "nm-render -o json <'$TMP/r.out' | jq -e 'select(.producer == \"nm-web\") | .web.clients == 16 and .web.refused == 1' >/dev/null"
wait $RC 2>/dev/null

# --- errors: one line, the documented status ---
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(30)' >"$TMP/busy" &
BUSY=$!
PIDS="$PIDS $BUSY"
for i in $(seq 50); do [ -s "$TMP/busy" ] && break; sleep 0.1; done
BP=$(cat "$TMP/busy")
nm-web -l "127.0.0.1:$BP" </dev/null >/dev/null 2>"$TMP/e1"
st=$?
[ "$st" = 1 ] && [ "$(wc -l <"$TMP/e1")" = 1 ] &&
    grep -qx "nm-web: -l 127.0.0.1:$BP: Address already in use" "$TMP/e1"
verdict $? "a port in use: one line, status 1 ($st: $(cat "$TMP/e1"))"
kill "$BUSY"
nm-web -l 300.1.2.3:80 </dev/null >/dev/null 2>"$TMP/e2"
st=$?
[ "$st" = 2 ] && [ "$(wc -l <"$TMP/e2")" = 1 ]
verdict $? "a bad address: one line, status 2 ($(cat "$TMP/e2"))"
nm-web -l 127.0.0.1:x </dev/null >/dev/null 2>"$TMP/e3"
check "a bad port: status 2" test "$?" = 2
nm-web -l ::1:8080 </dev/null >/dev/null 2>"$TMP/e5"
st=$?
check "IPv6 without brackets: status 2 ($(cat "$TMP/e5"))" test "$st" = 2
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	nm-web -l '[::1]:0' </dev/null >/dev/null 2>"$TMP/e6"
	check "IPv6 in brackets: served ($(head -n 1 "$TMP/e6"))" \
	    grep -qx 'nm-web: http://\[::1\]:[0-9]*/' "$TMP/e6"
else
	skip "IPv6 in brackets: no ::1 on lo"
fi
nm-web --token 'short' </dev/null >/dev/null 2>"$TMP/e4"
st=$?
[ "$st" = 2 ] && [ "$(wc -l <"$TMP/e4")" = 1 ]
verdict $? "a bad token: one line, status 2 ($(cat "$TMP/e4"))"

# --- nm-monitor --web ---
MP=$(free_port)
nm-monitor -r "$NM_TOP/share/sample.pcap" --realtime -I 1 \
    --web "127.0.0.1:$MP" </dev/null >"$TMP/m.out" 2>"$TMP/m.err" &
MPID=$!
PIDS="$PIDS $MPID"
for i in $(seq 50); do
	[ "$(code "http://127.0.0.1:$MP/")" = 200 ] && break
	sleep 0.1
done
check "nm-monitor --web: the page is served" test "$(code "http://127.0.0.1:$MP/")" = 200
curl -sN -m 15 "http://127.0.0.1:$MP/events" >"$TMP/m.ev"
n=$(grep -c '^event: point' "$TMP/m.ev")
check "nm-monitor --web: points pushed as the file plays ($n)" test "$n" -ge 5
check "nm-monitor --web: the stream's end reaches the page" grep -qx 'event: end' "$TMP/m.ev"
wait "$MPID"
check "nm-monitor --web: status 0" test "$?" = 0
check "nm-monitor --web: the URL on stderr" grep -qx "nm-web: http://127.0.0.1:$MP/" "$TMP/m.err"
check "nm-monitor --web: the text report as before" grep -q '^Alerts: none' "$TMP/m.out"

# --- nm-monitor --web on a file at a terminal: the page stays up ---
KP=$(free_port)
printf '%s\t%s\n' 'Capture: received 189' \
    "!sleep 1; curl -s -o '$TMP/k.state' http://127.0.0.1:$KP/state" \
    '' '^C' >"$TMP/k.steps"
python3 "$NM_TOP/tests/ptydrive.py" "$TMP/k.log" "$TMP/k.steps" \
    nm-monitor -r "$NM_TOP/share/sample.pcap" -I 1 --web "127.0.0.1:$KP" \
    >"$TMP/k.res" 2>&1
check "at a terminal: the report, then Ctrl-C ends it, status 0 ($(cat "$TMP/k.res"))" \
    grep -qx 'exit 0' "$TMP/k.res"
check "at a terminal: the final page still served after the file's end" \
    jq -e '.end != null and (.history | length) > 0' "$TMP/k.state"
# with nm-stats upstream its intervals alone make the chart: no point of
# nm-web's own count before the first stats record
want=$(nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode | nm-stats -I 1 |
    nm-render -o json | jq -c 'select(.type == "stats" and (.final | not)) |
    [(.interval.end / 1000000 | floor), .rate.pps]' | jq -sc .)
got=$(jq -c '[.history[] | [.[0], .[1]]]' "$TMP/k.state")
check "at a terminal: one chart point per nm-stats interval, and none else" \
    test "$want" = "$got"

# --- nm-monitor --web, live: a capture in a namespace of our own ---
NSA=nmweba$$ NSB=nmwebb$$
if netns_ok; then
	ip netns add "$NSA" && ip netns add "$NSB" &&
	    ip link add wa$$ netns "$NSA" type veth peer name wb$$ netns "$NSB" &&
	    ip -n "$NSA" addr add 10.83.0.1/24 dev wa$$ &&
	    ip -n "$NSB" addr add 10.83.0.2/24 dev wb$$ &&
	    ip -n "$NSA" link set wa$$ up && ip -n "$NSB" link set wb$$ up &&
	    ip -n "$NSA" link set lo up
	verdict $? "live: two namespaces joined by a veth pair"
	WP=$(free_port)
	ip netns exec "$NSA" env -u SUDO_UID -u SUDO_GID "$NM_TOP/nm-monitor" \
	    -i wa$$ -I 1 --web "127.0.0.1:$WP" </dev/null \
	    >"$TMP/l.out" 2>"$TMP/l.err" &
	LPID=$!
	PIDS="$PIDS $LPID"
	for i in $(seq 50); do
		[ "$(ip netns exec "$NSA" curl -s -o /dev/null -w '%{http_code}' \
		    "http://127.0.0.1:$WP/")" = 200 ] && break
		sleep 0.1
	done
	timeout 12 ip netns exec "$NSB" ping -c 30 -i 0.2 -W 1 10.83.0.1 \
	    >/dev/null 2>&1 &
	PING=$!
	ip netns exec "$NSA" curl -sN -m 6 "http://127.0.0.1:$WP/events" \
	    >"$TMP/l.ev" 2>/dev/null
	n=$(grep -c '^event: point' "$TMP/l.ev")
	check "live: points pushed every interval ($n in 6 s)" test "$n" -ge 4
	check "live: the pings counted on the page" \
	    sh -c "grep '^data: {\"type\":\"stats\"' '$TMP/l.ev' | tail -n 1 |
		sed 's/^data: //' | jq -e '[.protos[] | select(.name == \"ICMP\")] | length == 1' >/dev/null"
	kill -INT "$LPID"
	for i in $(seq 100); do
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$LPID"
	check "live: Ctrl-C ends it with status 0 (the final report)" test "$?" = 0
	check "live: the report" grep -q '^Alerts: none' "$TMP/l.out"
	wait "$PING" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
else
	skip "live: $NETNS_WHY"
fi

# --- the screenshots, for people to look at ---
for f in web-live web-flows; do
	check "screenshot $f.png" sh -c "head -c 8 '$OUT/$f.png' | od -An -c | grep -q 'P   N   G'"
done
