# Web traffic end to end (issue 16): real clients and servers in two
# network namespaces of the test's own, and for each request the name the
# client asked for and what it asked, in every mode of nm, equal to what
# tshark reads in the same traffic.
#
# Run it as root: `sudo T=web-traffic bash tests/run.sh`, or alone
# `sudo bash tests/web-traffic.t` (after `make CI=1`).  It skips, saying
# why, when it cannot make namespaces or a program is missing (openssl,
# busybox, curl, tcpdump, tshark, python3; ngtcp2's gtlsserver and
# gtlsclient for the QUIC part alone).  About 10 s.
#
# The bed: a client namespace (81.2.69.161) and a server namespace
# (81.2.69.162 and 81.2.69.163) joined by a veth pair whose ends segment
# in software (gso_max_segs 1: a capture on a veth otherwise sees the
# stack's unsegmented super-packets, never the segments of the wire).
# The route to .163 has an MTU of 300, so what goes there (and comes
# back) is cut into segments of 248 bytes.  Servers: openssl s_server
# (-www, ALPN h2,http/1.1, a self-signed P-256 certificate made here) on
# 443, busybox httpd on .162:80, python3's http.server on .163:80 (it
# sends a Server header and keeps the connection for the next request),
# ngtcp2's gtlsserver (GnuTLS) on .162, UDP 443.
# Clients: openssl s_client with -servername and -alpn, once in TLS 1.3
# and once in TLS 1.2 (whose ServerHello carries the ALPN in the clear),
# curl over HTTPS with --resolve (SNI), curl over HTTP with a Host header
# and a User-Agent, curl over HTTPS and over HTTP (a long User-Agent, two
# requests on one connection) to .163, where the ClientHello and each
# request span several segments, curl through a proxy (an absolute
# target), and gtlsclient to the QUIC server by name (/etc/netns/NS/hosts:
# given an address, gtlsclient 0.12 sends "localhost" as the SNI, whatever
# --sni says).  tcpdump writes a file while nm-capture captures the same
# veth live.
#
# The checks:
# (a) frame by frame, nm-capture -r FILE | nm-decode | nm-render -o
#     fields -e NAME against tshark -T fields -e NAME, for every tls.*,
#     quic.* and http.* name of nm-render(1), one line per frame, each
#     field a check of its own.  Where nm by design reads less than tshark,
#     the frames compared are narrowed and the header of the python part
#     below says which and why (tshark follows the connection; nm reads
#     the hellos, the first long header of a datagram, the head of an HTTP
#     message; tshark runs with http.desegment_body off, so that it shows
#     a response on its head's frame as nm does).
# (b) the live capture names the same server names and requests as
#     tshark's reading of tcpdump's file: the multisets of (SNI, ALPN) of
#     the ClientHellos, (method, Host, URI) of the requests and (code,
#     phrase) of the responses.
# (c) every mode shows them: the compact line (the issue's "→ 443(HTTPS)
#     TLS ClientHello www.example.com h2,http/1.1", "443(QUIC) Initial
#     ...", "80(HTTP) GET www.example.com/index.html", "200 OK"), the
#     same words on -m minimal's line, -m detailed's key=value pairs, -o
#     json, -o fields (a); nm-monitor -r FILE's final report lists the
#     server names, and its --json final stats record's top_servers
#     (names and flows) and flow records' server agree with tshark's.
# (d) every JA4 nm shows equals one computed here, in python, from
#     tshark's fields after FoxIO's JA4 specification (tshark 4.0 has no
#     JA4 of its own).
# (e) the split ClientHello and the split request are read on the frame
#     tshark shows them on, with tls.reasm_pieces / http.reasm_pieces the
#     number of segments tshark reassembled (tcp.segment.count).
# WEB_TRAFFIC_KEEP=DIR keeps the capture and every output there.
# A wrong or missing value in nm is a failure, never a skip.
source "$(dirname "$0")/lib.sh"

T=web-traffic
CLI=81.2.69.161 SRV=81.2.69.162 SPLIT=81.2.69.163
NSC=nmwtc$$ NSS=nmwts$$ IFC=nmwtc$$ IFS_=nmwts$$
PIDS=

if [ "$(id -u)" -ne 0 ]; then
	skip "$T: needs root for network namespaces"
	exit 0
fi
for t in ip ss tcpdump tshark openssl busybox curl python3 timeout; do
	if ! command -v $t >/dev/null; then
		skip "$T: $t is not installed (tests/deps.sh test)"
		exit 0
	fi
done
for p in nm-capture nm-decode nm-render nm-stats nm-monitor; do
	if [ ! -x "$NM_TOP/$p" ]; then
		fail "$T: $p is not built"
		exit 1
	fi
done
if ! netns_ok; then
	skip "$T: cannot use network namespaces: $NETNS_WHY"
	exit 0
fi
QUIC=1
for t in gtlsserver gtlsclient; do
	if ! command -v $t >/dev/null; then
		skip "$T: QUIC: $t is not installed (Debian ngtcp2-server, ngtcp2-client); the decoder's RFC 9001 unit test stands for it"
		QUIC=0
	fi
done

# Everything started here is ended here, by its pid.
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	rm -rf "/etc/netns/$NSC"
	rm -rf "$TMP"
}
trap cleanup EXIT
in_c() { ip netns exec "$NSC" "$@"; }
in_s() { ip netns exec "$NSS" "$@"; }
# listening -tl|-ul [ADDR]:PORT: a server's socket is there
listening() { [ -n "$(in_s ss -Hn "$1" "src $2")" ]; }

# --- the bed ---
if ! veth_pair "$NSS" "$NSC" "$IFS_" "$IFC" 2>"$TMP/err"; then
	skip "$T: cannot make the namespaces: $(head -n 1 "$TMP/err")"
	exit 0
fi
for ns in "$NSS" "$NSC"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$NSS" link set dev "$IFS_" gso_max_segs 1
ip -n "$NSC" link set dev "$IFC" gso_max_segs 1
ip -n "$NSS" addr add $SRV/24 dev "$IFS_"
ip -n "$NSS" addr add $SPLIT/24 dev "$IFS_"
ip -n "$NSC" addr add $CLI/24 dev "$IFC"
ip -n "$NSC" route add $SPLIT/32 dev "$IFC" mtu lock 300
# ip netns exec puts /etc/netns/NS/hosts over /etc/hosts
mkdir -p "/etc/netns/$NSC" "$TMP/www"
echo "$SRV www.example.com" >"/etc/netns/$NSC/hosts"
echo "hello from web-traffic.t" >"$TMP/www/index.html"
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -subj /CN=www.example.com \
    -addext subjectAltName=DNS:www.example.com -days 2 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/err"; then
	fail "$T: openssl req: $(head -n 1 "$TMP/err")"
	exit 1
fi

# Background jobs call ip directly: a function would run in a subshell,
# and killing that would leave the program running.
ip netns exec "$NSS" timeout 60 openssl s_server -quiet -accept 443 \
    -cert "$TMP/cert.pem" -key "$TMP/key.pem" -alpn h2,http/1.1 -www \
    </dev/null >"$TMP/s_server.log" 2>&1 &
PIDS="$PIDS $!"
ip netns exec "$NSS" timeout 60 busybox httpd -f -p $SRV:80 -h "$TMP/www" &
PIDS="$PIDS $!"
# python's server names itself (a Server header) and keeps a
# connection open for the next request (HTTP/1.1)
ip netns exec "$NSS" timeout 60 python3 -c '
import functools, http.server as h, sys
c = h.SimpleHTTPRequestHandler
c.protocol_version = "HTTP/1.1"
h.ThreadingHTTPServer((sys.argv[1], 80),
    functools.partial(c, directory=sys.argv[2])).serve_forever()' \
    $SPLIT "$TMP/www" >"$TMP/pyhttp.log" 2>&1 &
PIDS="$PIDS $!"
if [ $QUIC = 1 ]; then
	ip netns exec "$NSS" timeout 60 gtlsserver -q -d "$TMP/www" \
	    --timeout=5s $SRV 443 "$TMP/key.pem" "$TMP/cert.pem" \
	    </dev/null >"$TMP/gtlsserver.log" 2>&1 &
	PIDS="$PIDS $!"
fi
wait_for 5 listening -tl :443 || fail "$T: s_server is not listening: $(head -n 2 "$TMP/s_server.log")"
wait_for 5 listening -tl "$SRV:80" || fail "$T: busybox httpd is not listening"
wait_for 5 listening -tl "$SPLIT:80" ||
    fail "$T: python3 -m http.server is not listening: $(head -n 2 "$TMP/pyhttp.log")"
if [ $QUIC = 1 ] && ! wait_for 5 listening -ul "$SRV:443"; then
	skip "$T: QUIC: gtlsserver does not run here: $(head -n 2 "$TMP/gtlsserver.log")"
	QUIC=0
fi

# --- the session, recorded by tcpdump and captured by nm-capture ---
filter='not ip6'
ip netns exec "$NSC" timeout 40 tcpdump -i "$IFC" -s 0 -U -n -Z root \
    --immediate-mode -w "$TMP/td.pcap" "$filter" 2>"$TMP/td.err" &
tpid=$!
PIDS="$PIDS $tpid"
wait_for 5 grep -qs listening "$TMP/td.err" ||
    fail "$T: tcpdump did not start: $(head -n 1 "$TMP/td.err")"
ip netns exec "$NSC" timeout 40 "$NM_TOP/nm-capture" -i "$IFC" "$filter" \
    >"$TMP/live.mp" 2>"$TMP/cap.err" &
cpid=$!
PIDS="$PIDS $cpid"
wait_for 5 test -s "$TMP/live.mp" ||
    fail "$T: nm-capture wrote no header: $(head -n 1 "$TMP/cap.err")"
sleep 0.3

UA="nm-web-traffic/1.0 (curl)"
LONGUA="nm-web-traffic/1.0 $(printf 'split%.0s' $(seq 80))"
st=0
in_c timeout 5 openssl s_client -connect $SRV:443 -servername www.example.com \
    -alpn h2,http/1.1 </dev/null >"$TMP/sc13.log" 2>&1 || st=1
check "$T: openssl s_client (TLS 1.3) handshook" test $st = 0
st=0
in_c timeout 5 openssl s_client -tls1_2 -connect $SRV:443 \
    -servername www.example.com -alpn h2,http/1.1 </dev/null \
    >"$TMP/sc12.log" 2>&1 || st=1
check "$T: openssl s_client -tls1_2 handshook" test $st = 0
code=$(in_c timeout 5 curl -sk --http1.1 -m 4 -o /dev/null -w '%{http_code}' \
    --resolve www.example.com:443:$SRV https://www.example.com/)
check "$T: curl https://www.example.com/ (--resolve) got 200 ($code)" \
    test "$code" = 200
code=$(in_c timeout 5 curl -s -m 4 -o /dev/null -w '%{http_code}' \
    -H 'Host: www.example.com' -A "$UA" http://$SRV/index.html)
check "$T: curl http (Host: www.example.com) got 200 ($code)" \
    test "$code" = 200
code=$(in_c timeout 5 curl -sk --http1.1 -m 4 -o /dev/null -w '%{http_code}' \
    --resolve www.example.com:443:$SPLIT https://www.example.com/split)
check "$T: curl https to the small-MTU route got 200 ($code)" \
    test "$code" = 200
code=$(in_c timeout 5 curl -s -m 4 -o /dev/null -o /dev/null \
    -w '%{http_code} %{num_connects} ' -H 'Host: www.example.com' \
    -A "$LONGUA" "http://$SPLIT/index.html?q=split" "http://$SPLIT/?q=again")
check "$T: curl http, long User-Agent, small-MTU route, two requests on one connection ($code)" \
    test "$code" = "200 1 200 0 "
# a request through a proxy names its target in full (busybox refuses it)
code=$(in_c timeout 5 curl -s -m 4 -o /dev/null -w '%{http_code}' -A "$UA" \
    -x http://$SRV:80 http://www.example.com/proxied)
check "$T: curl through a proxy (an absolute target) got an answer ($code)" \
    test "$code" != 000
if [ $QUIC = 1 ]; then
	st=0
	in_c timeout 8 gtlsclient -q --exit-on-all-streams-close \
	    www.example.com 443 https://www.example.com/index.html \
	    </dev/null >"$TMP/gtlsclient.log" 2>&1 || st=$?
	check "$T: gtlsclient fetched over QUIC (exit $st)" test $st = 0
fi
sleep 0.3

# SIGTERM: a background job of a script ignores SIGINT.
kill -TERM "$cpid" "$tpid" 2>/dev/null
wait "$cpid"
crc=$?
wait "$tpid"
check "$T: nm-capture ended cleanly on SIGTERM (exit $crc)" test "$crc" = 0

# --- the comparisons: the lists of fields and the checks are in python ---
cat >"$TMP/web.py" <<'PY'
# What nm shows against what tshark reads, frame by frame.  tshark keeps
# more per connection than nm-decode, and reads more of a frame than the
# application layers nm decodes; each field is compared on every frame
# but where it says otherwise, and why:
#  - hello: tls.record.* and tls.handshake.type only on frames with a
#    ClientHello or ServerHello (nm keeps the hello's record; tshark also
#    lists the encrypted records after it, and the handshake messages of
#    TLS 1.2 after the ServerHello), their first value (-E occurrence=f);
#  - client: tls.handshake.sig_hash_alg on the client's frames only
#    (tshark also names the server's ServerKeyExchange signature there);
#  - long: quic.dcid on datagrams with a long header first (a short
#    header's DCID has no length on the wire; tshark knows it from the
#    handshake); quic.* take the first packet of the datagram (f).
import hashlib, json, sys

CTX = ["ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
       "udp.dstport", "quic.header_form", "tcp.segment.count"]
F = [("tls.record.version", "hello"), ("tls.record.content_type", "hello"),
     ("tls.handshake.type", "hello"), ("quic.version", "all"),
     ("quic.long.packet_type", "all"), ("quic.dcid", "long"),
     ("quic.scid", "all"), ("quic.token_length", "all"),
     ("quic.length", "all"), ("quic.packet_number", "all")]
A = [("tls.handshake.version", "all"),
     ("tls.handshake.extensions_server_name", "all"),
     ("tls.handshake.extensions_alpn_str", "all"),
     ("tls.handshake.extensions.supported_version", "all"),
     ("tls.handshake.ciphersuite", "all"),
     ("tls.handshake.extension.type", "all"),
     ("tls.handshake.sig_hash_alg", "client"),
     ("tls.handshake.extensions_supported_group", "all")] + \
    [(n, "all") for n in (
        "http.request.method", "http.request.uri", "http.request.version",
        "http.host", "http.user_agent", "http.response.code",
        "http.response.phrase", "http.response.version",
        "http.content_type", "http.content_length", "http.server")]
JA4 = "tls.handshake.ja4"
T = "web-traffic"
out = []


def say(kind, msg):
    print("%s: %s: %s" % (kind, T, msg))


def verdict(ok, name, why=""):
    say("PASS" if ok else "FAIL", name + ("" if ok else ": " + why))


def lists():
    return {"ts_f": CTX + [n for n, _ in F],
            "ts_a": ["tls.handshake.type"] + [n for n, _ in A],
            "nm_f": [n for n, _ in F],
            "nm_a": [n for n, _ in A] + [JA4]}


def table(path, names):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            v = line.rstrip("\n").split("\t")
            v += [""] * (len(names) - len(v))
            rows.append(dict(zip(names, v)))
    return rows


def grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def ints(s):
    return [int(x, 0) for x in s.split(",") if x != ""]


def ja4(quic, hsver, versions, ciphers, exts, alpn, sigalgs):
    """FoxIO's JA4 (technical_details/JA4.md) of a ClientHello."""
    names = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10",
             0x0300: "s3", 0x0002: "s2", 0xfeff: "d1", 0xfefd: "d2",
             0xfefc: "d3"}
    vs = [v for v in versions if not grease(v)]
    ver = max(vs) if 0x2b in exts and vs else hsver
    cs = [c for c in ciphers if not grease(c)]
    es = [e for e in exts if not grease(e)]
    first = alpn[0] if alpn else ""
    if first == "":
        al = "00"
    elif first[0].isascii() and first[0].isalnum() and \
            first[-1].isascii() and first[-1].isalnum():
        al = first[0] + first[-1]
    else:
        h = first.encode().hex()
        al = h[0] + h[-1]
    a = "%s%s%s%02d%02d%s" % ("q" if quic else "t", names.get(ver, "00"),
                              "d" if 0 in es else "i", min(len(cs), 99),
                              min(len(es), 99), al)

    def h12(s):
        return hashlib.sha256(s.encode()).hexdigest()[:12]
    b = h12(",".join(sorted("%04x" % c for c in cs))) if cs else "0" * 12
    rest = sorted("%04x" % e for e in es if e not in (0, 0x10))
    sa = [s for s in sigalgs if not grease(s)]
    c = ",".join(rest)
    if sa:
        c += "_" + ",".join("%04x" % s for s in sa)
    c = h12(c) if rest else "0" * 12
    return "%s_%s_%s" % (a, b, c)


def load(d, client):
    ls = lists()
    tf = table(d + "/ts_f.tsv", ls["ts_f"])
    ta = table(d + "/ts_a.tsv", ls["ts_a"])
    fr = []
    for i, (f, a) in enumerate(zip(tf, ta)):
        r = dict(a)
        r.update(f)  # tls.handshake.type: the first, as compared
        r["n"] = i + 1
        hs = set(a["tls.handshake.type"].split(","))
        r["quic"] = f["quic.header_form"] != ""
        r["hello"] = bool(hs & {"1", "2"})
        r["ch"] = "1" in hs
        r["sh"] = "2" in hs
        r["client"] = f["ip.src"] == client
        r["long"] = f["quic.header_form"] == "1"
        r["req"] = r["http.request.method"] != ""
        r["resp"] = r["http.response.code"] != ""
        r["ja4"] = ""
        if r["ch"]:
            if 50 in ints(r["tls.handshake.extension.type"]):
                # tshark lists signature_algorithms_cert's under the
                # same name: JA4 cannot be told from its fields
                r["ja4"] = None
            else:
                r["ja4"] = ja4(r["quic"], int(r["tls.handshake.version"], 0),
                               ints(r["tls.handshake.extensions.supported_version"]),
                               ints(r["tls.handshake.ciphersuite"]),
                               ints(r["tls.handshake.extension.type"]),
                               r["tls.handshake.extensions_alpn_str"].split(","),
                               ints(r["tls.handshake.sig_hash_alg"]))
        fr.append(r)
    return fr


def keep(rule, r):
    return {"all": True, "hello": r["hello"], "client": r["client"],
            "long": r["long"]}[rule]


def fields(d, client):
    """(a) and (d): every field, frame by frame."""
    ls = lists()
    fr = load(d, client)
    nf = table(d + "/nm_f.tsv", ls["nm_f"])
    na = table(d + "/nm_a.tsv", ls["nm_a"])
    verdict(len(nf) == len(fr) and len(na) == len(fr),
            "-o fields: a line per frame (%d, tshark %d)" % (len(nf), len(fr)),
            "nm %d and %d lines" % (len(nf), len(na)))
    if len(nf) != len(fr) or len(na) != len(fr):
        return
    for name, rule in F + A + [(JA4, "all")]:
        nm = nf if (name, rule) in F else na
        bad, seen = [], 0
        for r, m in zip(fr, nm):
            if not keep(rule, r):
                continue
            want = r["ja4"] if name == JA4 else r[name]
            if want is None:
                say("SKIP", "%s frame %d: signature_algorithms_cert sent"
                    % (name, r["n"]))
                continue
            seen += want != ""
            if m[name] != want:
                bad.append("frame %d: nm '%s', tshark '%s'" %
                           (r["n"], m[name][:80], want[:80]))
        what = "%s equal to tshark's%s (%d values)" % (
            name, " (computed from tshark's fields)" if name == JA4 else "",
            seen)
        verdict(not bad, what, "; ".join(bad[:3]) +
                (" (%d frames)" % len(bad) if len(bad) > 3 else ""))


def expect(r):
    """What a frame must show in every mode, from tshark's reading."""
    e = {}
    if r["ch"]:
        e = {"kind": "ClientHello",
             "sni": r["tls.handshake.extensions_server_name"],
             "alpn": r["tls.handshake.extensions_alpn_str"],
             "ja4": r["ja4"] or ""}
    elif r["sh"]:
        sv = r["tls.handshake.extensions.supported_version"]
        v = int(sv or r["tls.handshake.version"], 0)
        e = {"kind": "ServerHello",
             "version": {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}.get(v, hex(v)),
             "alpn": r["tls.handshake.extensions_alpn_str"]}
    elif r["req"]:
        e = {"kind": "request", "method": r["http.request.method"],
             "host": r["http.host"], "uri": r["http.request.uri"],
             "user_agent": r["http.user_agent"]}
    elif r["resp"]:
        e = {"kind": "response", "code": r["http.response.code"],
             "phrase": r["http.response.phrase"]}
    return e


def from_json(p):
    t, h = p.get("tls"), p.get("http")
    hx = {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}
    if t and t.get("type") == 1:
        return {"kind": "ClientHello", "sni": t.get("sni", ""),
                "alpn": ",".join(t.get("alpn", [])), "ja4": t.get("ja4", "")}
    if t and t.get("type") == 2:
        vs = t.get("versions", [])
        v = vs[0] if len(vs) == 1 else t.get("version", 0)
        return {"kind": "ServerHello", "version": hx.get(v, hex(v)),
                "alpn": ",".join(t.get("alpn", []))}
    if h and "method" in h:
        return {"kind": "request", "method": h["method"],
                "host": h.get("host", ""), "uri": h.get("uri", ""),
                "user_agent": h.get("user_agent", "")}
    if h and "code" in h:
        return {"kind": "response", "code": str(h["code"]),
                "phrase": h.get("phrase", "")}
    return {}


def packets(path, kind="packet"):
    """The records of a JSON lines file, of one type or (None) all."""
    ps = []
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if kind is None or rec.get("type") == kind:
                ps.append(rec)
    return ps


def gist(e):
    """The compact line's words for a frame, as nm-render(1) has them."""
    k = e["kind"]
    alpn = " " + e["alpn"] if e.get("alpn") else ""
    if k == "ClientHello" and e.get("quic"):
        return "443(QUIC)", "Initial %s%s" % (e["sni"], alpn)
    if k == "ClientHello":
        return "443(HTTPS)", "TLS ClientHello %s%s" % (e["sni"], alpn)
    if k == "ServerHello" and e.get("quic"):
        return "443(QUIC)", "Initial ServerHello %s%s" % (e["version"], alpn)
    if k == "ServerHello":
        return "443(HTTPS)", "TLS ServerHello %s%s" % (e["version"], alpn)
    if k == "request" and not e["uri"].startswith("/"):
        return "80(HTTP)", "%s %s" % (e["method"], e["uri"])
    if k == "request":
        return "80(HTTP)", "%s %s%s" % (e["method"], e["host"], e["uri"])
    return "80(HTTP)", "%s %s" % (e["code"], e["phrase"])


def lines_name(path, mode, port_too, ex, nframes):
    """A line per frame, each naming what tshark reads in its frame."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    bad = []
    for n, e in sorted(ex.items()):
        port, words = gist(e)
        ln = lines[n - 1] if n <= len(lines) else ""
        if (port_too and port not in ln) or (" " + words) not in ln:
            bad.append("frame %d: want '%s%s' in '%s'" %
                       (n, port + " ... " if port_too else "", words, ln))
    verdict(len(lines) == nframes and not bad,
            "%s: each frame's line names what tshark reads" % mode,
            "%d lines (tshark %d frames); " % (len(lines), nframes) +
            "; ".join(bad[:3]))


def modes(d, client):
    """(c) and (e): JSON, compact, minimal, detailed, the reassembly."""
    fr = load(d, client)
    ex = {}
    for r in fr:
        e = expect(r)
        if e:
            e["quic"] = r["quic"]
            ex[r["n"]] = e
    kinds = [e["kind"] for e in ex.values()]
    nq = sum(1 for e in ex.values()
             if e["quic"] and e["kind"] == "ClientHello")
    verdict(kinds.count("ClientHello") >= 4 + nq and
            kinds.count("request") >= 4 and kinds.count("response") >= 4,
            "tshark reads the session (%d ClientHellos, %d over QUIC, %d "
            "ServerHellos, %d requests, %d responses)" % (
                kinds.count("ClientHello"), nq, kinds.count("ServerHello"),
                kinds.count("request"), kinds.count("response")),
            "fewer than the clients made")
    ps = packets(d + "/nm.json")
    got = {}
    for i, p in enumerate(ps):
        g = from_json(p)
        if g:
            got[i + 1] = g
    bad = []
    for n in sorted(set(ex) | set(got)):
        e = {k: v for k, v in ex.get(n, {}).items() if k != "quic"}
        if got.get(n) != e:
            bad.append("frame %d: nm %s, tshark %s" % (n, got.get(n), e))
    verdict(len(ps) == len(fr) and not bad,
            "-o json: each hello, request and response as tshark reads them",
            "%d packets (tshark %d); " % (len(ps), len(fr)) + "; ".join(bad[:3]))

    for mode, port_too in (("compact", True), ("minimal", False)):
        lines_name(d + "/nm." + mode, mode, port_too, ex, len(fr))

    blocks, cur = [], None
    with open(d + "/nm.detailed", encoding="utf-8") as f:
        for line in f:
            if line.startswith("["):
                cur = []
                blocks.append(cur)
            if cur is not None:
                cur.append(line.rstrip("\n"))
    bad = []
    for n, e in sorted(ex.items()):
        b = "\n".join(blocks[n - 1]) if n <= len(blocks) else ""
        for k, v in e.items():
            if k in ("kind", "quic", "version") or v == "":
                continue
            if " %s=%s" % (k, v) not in b:
                bad.append("frame %d: no '%s=%s'" % (n, k, v[:60]))
    verdict(len(blocks) == len(fr) and not bad,
            "-m detailed: each frame's tls/http pairs as tshark reads them",
            "%d blocks (tshark %d frames); " % (len(blocks), len(fr)) +
            "; ".join(bad[:3]))

    # (e) what tshark reassembled, on the frame it shows it on
    want, have = set(), set()
    for r in fr:
        sc = r["tcp.segment.count"]
        if sc and int(sc) > 1 and (r["hello"] or r["req"] or r["resp"]):
            want.add((r["n"], "tls" if r["hello"] else "http", int(sc)))
    for i, p in enumerate(ps):
        for k in ("tls", "http"):
            if "reasm_pieces" in p.get(k, {}):
                have.add((i + 1, k, p[k]["reasm_pieces"]))
    for k, what in (("tls", "ClientHello"), ("http", "request")):
        w = sorted(x for x in want if x[1] == k)
        h = sorted(x for x in have if x[1] == k)
        verdict(len(w) > 0 and w == h,
                "the %s split over segments read on tshark's frame, in as "
                "many pieces (%s)" % (what, w),
                "tshark (frame, layer, segments) %s, nm %s" % (w, h))


# what (b) compares of each kind: the name asked for and what was asked
BRIEF = {"ClientHello": ("sni", "alpn"), "request": ("method", "host", "uri"),
         "response": ("code", "phrase")}


def brief(facts):
    """The multiset of (kind, values) of a list of frames' facts."""
    return sorted((e["kind"],) + tuple(e[k] for k in BRIEF[e["kind"]])
                  for e in facts if e.get("kind") in BRIEF)


def names(d, client):
    """(b): the live capture against tshark's reading of the file."""
    want = brief(expect(r) for r in load(d, client))
    have = brief(from_json(p) for p in packets(d + "/live.json"))
    for k, what in (("ClientHello", "(SNI, ALPN) of the ClientHellos"),
                    ("request", "(method, Host, URI) of the requests"),
                    ("response", "(code, phrase) of the responses")):
        w = [x[1:] for x in want if x[0] == k]
        h = [x[1:] for x in have if x[0] == k]
        verdict(len(w) > 0 and w == h,
                "live: %s as tshark reads tcpdump's file (%d)" % (what, len(w)),
                "tshark %s, nm live %s" % (w, h))


def servers(d, client):
    """(c): nm-monitor's top server names and flows' server."""
    fr = load(d, client)
    flows = {}
    for r in fr:
        e = expect(r)
        name = e.get("sni") if e.get("kind") == "ClientHello" else \
            e.get("host") if e.get("kind") == "request" else None
        if name:
            tcp = r["tcp.srcport"] != ""
            key = (r["ip.src"], int(r["tcp.srcport" if tcp else "udp.srcport"]),
                   r["ip.dst"], int(r["tcp.dstport" if tcp else "udp.dstport"]))
            flows[key] = name
    names = sorted(set(flows.values()))
    recs = packets(d + "/mon.json", None)
    fin = [x for x in recs if x.get("type") == "stats" and x.get("final")]
    top = fin[-1].get("top_servers", []) if fin else []
    tn = sorted(s.get("name") for s in top)
    verdict(len(names) > 0 and tn == names,
            "nm-monitor --json: top_servers names %s" % names,
            "nm %s" % tn)
    want = {n: sum(1 for v in flows.values() if v == n) for n in names}
    have = {s.get("name"): s.get("flows") for s in top}
    verdict(bool(want) and have == want,
            "nm-monitor --json: top_servers flows %s" % want, "nm %s" % have)
    got = {}
    for x in recs:
        if x.get("type") == "flow" and "server" in x:
            got[(x["src"], x["sport"], x["dst"], x["dport"])] = x["server"]
    verdict(bool(flows) and got == flows,
            "flow records name the server of each of tshark's %d named "
            "flows" % len(flows),
            "missing or wrong: %s" % sorted(
                set(flows.items()) ^ set(got.items()))[:4])
    rep, sec, found = False, False, []
    with open(d + "/mon.txt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "FINAL REPORT":
                rep = True
            elif rep and not line.startswith(" "):
                sec = "server" in line.lower() and line.endswith(":")
            elif rep and sec:
                found.append(line.split()[0])
    verdict(len(names) > 0 and sorted(set(found)) == names,
            "nm-monitor -r: the final report lists the server names %s"
            % names, "its server section lists %s" % found)


if __name__ == "__main__":
    if sys.argv[1] == "list":
        print("\n".join(lists()[sys.argv[2]]))
    else:
        {"fields": fields, "modes": modes, "names": names,
         "servers": servers}[sys.argv[1]](sys.argv[2], sys.argv[3])
PY
PY="python3 $TMP/web.py"
# eargs LIST: -e NAME for each name of the python part's LIST
eargs() { $PY list "$1" | sed 's/^/-e\n/'; }
mapfile -t TSF < <(eargs ts_f)
mapfile -t TSA < <(eargs ts_a)
mapfile -t NMF < <(eargs nm_f)
mapfile -t NMA < <(eargs nm_a)
# tshark as nm: a response on the frame of its head (nm reads the head)
TSHARK=(tshark -n -r "$TMP/td.pcap" -o http.desegment_body:FALSE -T fields)
"${TSHARK[@]}" -E occurrence=f "${TSF[@]}" >"$TMP/ts_f.tsv" 2>"$TMP/ts.err"
"${TSHARK[@]}" -E occurrence=a "${TSA[@]}" >"$TMP/ts_a.tsv" 2>>"$TMP/ts.err"
check "$T: tshark reads tcpdump's file ($(grep -c . "$TMP/ts_f.tsv") frames)" \
    test -s "$TMP/ts_f.tsv"

nm-capture -r "$TMP/td.pcap" 2>"$TMP/rd.err" | nm-decode >"$TMP/td.nm" 2>"$TMP/dec.err"
nm-render -o fields -E occurrence=f "${NMF[@]}" <"$TMP/td.nm" >"$TMP/nm_f.tsv"
nm-render -o fields -E occurrence=a "${NMA[@]}" <"$TMP/td.nm" >"$TMP/nm_a.tsv"
nm-render -o json <"$TMP/td.nm" >"$TMP/nm.json"
TZ=UTC nm-render --color=never <"$TMP/td.nm" >"$TMP/nm.compact"
TZ=UTC nm-render --color=never -m detailed <"$TMP/td.nm" >"$TMP/nm.detailed"
TZ=UTC nm-render --color=never -m minimal <"$TMP/td.nm" >"$TMP/nm.minimal"
nm-decode <"$TMP/live.mp" 2>/dev/null | nm-render -o json >"$TMP/live.json"
check "$T: nm-decode said nothing" test ! -s "$TMP/dec.err"
st=0
TZ=UTC nm-monitor -r "$TMP/td.pcap" --color=never >"$TMP/mon.txt" \
    2>"$TMP/mon.err" || st=$?
nm-monitor -r "$TMP/td.pcap" --json >"$TMP/mon.json" 2>>"$TMP/mon.err" ||
    st=$?
check "$T: nm-monitor -r, as text and --json (exit $st)" test $st = 0

# a comparison that stops half-way has left checks out: that fails
for part in fields modes names servers; do
	$PY $part "$TMP" $CLI || fail "$T: the $part comparison stopped: $?"
done
if [ -n "${WEB_TRAFFIC_KEEP:-}" ]; then
	rm -rf "$WEB_TRAFFIC_KEEP"
	cp -r "$TMP" "$WEB_TRAFFIC_KEEP"
fi
exit 0
