#!/bin/sh
# Generates the seed corpora of the fuzz targets into DIR (default
# fuzz/corpus): DIR/decode holds single frames, one file each, whose first
# byte selects the link type as fuzz/decode.c's table does; DIR/stream and
# DIR/stats hold whole record streams, msgpack and JSON, made by running
# the pipeline on tests/tools/pktgen's scenarios; DIR/pngread small pcapng
# files: nm-pcap's of two sources and of a scenario, each also
# big-endian and both end to end, and one of the blocks nm-pcap never
# writes (simple and obsolete packet blocks, names, custom blocks,
# 2^-n resolutions and offsets).  Nothing here is
# committed: run it again after a schema or scenario change.  Needs the
# programs and pktgen built (make all tests/tools/pktgen) and python3.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/fuzz/corpus}
PATH="$top:$PATH"
pktgen=$top/tests/tools/pktgen
work=$(mktemp -d "${TMPDIR:-/tmp}/nmseed.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/decode" "$dir/stream" "$dir/stats" "$dir/pngread" "$dir/detect" \
    "$dir/bus" "$dir/tls" "$dir/quic"

for sc in mixed sll sll2 raw null; do
	"$pktgen" "$sc" "$work/$sc.pcap"
done
"$pktgen" bulk "$work/bulk.pcap" -n 24 -s 7
"$pktgen" bulk "$work/small.pcap" -n 2 -s 3	# short streams fuzz faster

# Frames: each pcap record becomes seed files, under its own link type
# and under the link types that frame the same bytes another way.
python3 - "$dir/decode" "$work"/*.pcap <<'PY'
import struct, sys

out = sys.argv[1]
# fuzz/decode.c's linktypes[]: the seed's first byte is an index into it
SEL = {1: 0, 113: 1, 276: 2, 101: 3, 12: 4, 14: 5, 228: 6, 229: 7,
       0: 8, 108: 9, 9: 10, 50: 11, 147: 12}

def frames(path):
    b = open(path, "rb").read()
    magic = b[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    lt = struct.unpack(end + "I", b[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(b):
        incl = struct.unpack(end + "I", b[off + 8:off + 12])[0]
        yield lt, b[off + 16:off + 16 + incl]
        off += 16 + incl

n = 0
def put(lt, data):
    global n
    n += 1
    with open("%s/seed-%d-%04d" % (out, lt, n), "wb") as f:
        f.write(bytes([SEL[lt]]) + data)

for path in sys.argv[2:]:
    for lt, fr in frames(path):
        put(lt, fr)
        if lt == 101 and fr:
            v = fr[0] >> 4
            put(12, fr)
            put(14, fr)
            put(228 if v == 4 else 229, fr)
            proto = b"\x00\x21" if v == 4 else b"\x00\x57"
            put(9, proto + fr)
            put(50, b"\xff\x03" + proto + fr)
            fam = 2 if v == 4 else 24
            put(108, struct.pack(">I", fam) + fr)
        if lt == 1 and n % 8 == 0:
            put(147, fr)
PY

# QUIC (fuzz/quic.c): RFC 9001 A.2's CRYPTO frame (the ClientHello) as a
# client Initial to seal and as frames, A.3's payload as the server's,
# and headers as they come: a version negotiation, a 0-RTT and a
# Handshake coalesced, a version nm does not know.
python3 - "$dir/quic" <<'PY'
import sys
CH = """
060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
616d706c652e636f6dff01000100000a00080006001d00170018001000070005
04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
0d0010000e0403050306030203080408050806002d00020101001c0002400100
3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
75300901100f088394c8f03e51570806048000ffff
"""
SH = """
02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739
88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94
0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00
020304
"""
seeds = {
    "client-hello": "0100" + CH, "frames-hello": "0300" + CH,
    "server-hello": "0202" + SH, "frames-server": "0301" + SH,
    "vn": "0000 80 00000000 08 0001020304050607 04 0a0b0c0d 00000001",
    "coalesced": "0000 d0 00000001 08 0001020304050607 00 05 0102030405"
                 " e0 00000001 08 0001020304050607 00 05 0102030405"
                 " 41 0001020304050607 0102",
    "other": "0000 c0 ff00001d 08 0001020304050607 00 0102",
}
for name, h in seeds.items():
    with open("%s/seed-%s" % (sys.argv[1], name), "wb") as f:
        f.write(bytes.fromhex("".join(h.split())))
PY

# Streams: what each stage writes, in msgpack and as nm-render's JSON.
for sc in mixed sll sll2 raw null bulk small; do
	p=$work/$sc.pcap
	nm-capture -r "$p" >"$dir/stream/seed-$sc-frames.mp"
	nm-decode <"$dir/stream/seed-$sc-frames.mp" >"$work/$sc.dec"
	nm-stats -I 1 <"$work/$sc.dec" >"$dir/stream/seed-$sc-stats.mp"
	nm-render -o json <"$dir/stream/seed-$sc-stats.mp" \
	    >"$dir/stream/seed-$sc-stats.json"
	cp "$work/$sc.dec" "$dir/stats/seed-$sc-packets.mp"
	nm-render -o json <"$work/$sc.dec" >"$dir/stats/seed-$sc-packets.json"
done
nm-render -o json <"$dir/stream/seed-mixed-frames.mp" \
    >"$dir/stream/seed-mixed-frames.json"
cp "$dir/stream/seed-bulk-frames.mp" "$dir/stats/seed-bulk-frames.mp"

# Bus messages (fuzz/bus.c): nm-push's header, then a stream's records.
for sc in small mixed; do
	n=$(nm-render -o json <"$work/$sc.dec" | wc -l)
	python3 - "$n" "$work/$sc.dec" "$dir/bus/seed-$sc.msg" <<'PY'
import sys
def s(t):
    b = t.encode()
    return bytes([0xa0 | len(b)]) + b
def u(v):
    return bytes([v]) if v < 128 else b"\xcd" + v.to_bytes(2, "big")
n = int(sys.argv[1])
kv = [("type", s("batch")), ("v", u(1)), ("sensor", s("s1")), ("seq", u(7)),
      ("first_ts", u(0)), ("last_ts", u(0)), ("count", u(n)),
      ("dropped", u(0)), ("dropped_records", u(0))]
h = bytes([0x80 | len(kv)]) + b"".join(s(k) + v for k, v in kv)
open(sys.argv[3], "wb").write(h + open(sys.argv[2], "rb").read())
PY
done

# pcapng files for the block reader (capture/pngread.c), kept small.
D=ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002
S=000000010006000000000001000008060001080006040001000000000001
{
	echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"filter":"arp","tsprec":9,"start":1700000000000000000},{"name":"any","kind":"interface","linktype":113,"snaplen":96,"tsprec":9,"start":1700000000000000000}]}'
	echo "{\"type\":\"frame\",\"ts\":1700000000123456789,\"if\":0,\"len\":60,\"caplen\":42,\"data\":\"$D\",\"comment\":\"c\"}"
	echo "{\"type\":\"frame\",\"ts\":1700000000200000001,\"if\":1,\"len\":76,\"caplen\":30,\"data\":\"$S\"}"
	echo '{"type":"capstats","ts":1700000002000000000,"if":0,"recv":10,"drop":3,"ifdrop":2,"final":true}'
	echo '{"type":"end","producer":"t","records":4,"frames":2,"packets":0,"reason":"eof"}'
} | nm-pcap -w "$dir/pngread/seed-two.pcapng" >/dev/null
nm-capture -r "$work/small.pcap" 2>/dev/null | nm-decode -k |
    nm-pcap -w "$dir/pngread/seed-small.pcapng" >/dev/null
for f in two small; do
	python3 "$top/tests/tools/pngswap.py" "$dir/pngread/seed-$f.pcapng" \
	    "$dir/pngread/seed-$f-be.pcapng"
done
cat "$dir/pngread/seed-two.pcapng" "$dir/pngread/seed-two-be.pcapng" \
    >"$dir/pngread/seed-sections.pcapng"
python3 - "$dir/pngread/seed-blocks.pcapng" <<'PY'
import struct, sys

def block(t, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(">II", t, n) + body + struct.pack(">I", n)

def opt(code, v):
    return struct.pack(">HH", code, len(v)) + v + b"\0" * (-len(v) % 4)

end = b"\0\0\0\0"
f = block(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
f += block(1, struct.pack(">HHI", 101, 0, 64) + opt(9, b"\x94") +
           opt(14, struct.pack(">q", -3)) + opt(2, b"wg0") + end)
f += block(1, struct.pack(">HHI", 1, 0, 0) + opt(9, b"\x0c") + end)
f += block(4, opt(1, b"\x0a\0\0\x01host\0") + end)       # names
f += block(3, struct.pack(">I", 40) + b"\x45" * 40)            # simple
f += block(2, struct.pack(">HHIIII", 1, 0, 0, 123456789, 8, 8) + b"\x45" * 8 +
           opt(2, struct.pack(">I", 1)) + end)               # obsolete
f += block(6, struct.pack(">IIIII", 0, 1, 2, 4, 4) + b"\x45\0\0\x04" +
           opt(2, struct.pack(">I", 2)) + opt(1, b"hi") + end)
f += block(0x40000BAD, b"custom")
f += block(5, struct.pack(">III", 0, 0, 0) + end)
open(sys.argv[1], "wb").write(f)
PY
# Several sources (nm-stats' per_source): the mixed packets as three
# sources' of a header that names two, so "other" counts too.
python3 - "$dir/stats/seed-mixed-packets.json" \
    >"$dir/stats/seed-mixed-sources.json" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r['type'] == 'header':
        s = r['sources'][0]
        r['sources'] = [dict(s, name='eth0'),
            dict(s, name='veth0', netns='ns1')]
    elif r['type'] in ('frame', 'packet'):
        r['if'] = n % 3
        n += 1
    print(json.dumps(r, separators=(',', ':')))
PY
# The detectors: the decoded streams above, and attacks written as JSON
# records (a SYN scan answered by resets, a UDP scan, an ARP sweep and a
# changed MAC, NXDOMAIN answers and a long label, a SYN flood).
cp "$dir"/stats/seed-*-packets.mp "$dir/detect/"
python3 - "$dir/detect" <<'PY'
import json, sys
out = sys.argv[1]
def put(name, recs):
    with open("%s/seed-%s.json" % (out, name), "w") as f:
        f.write(json.dumps({"type": "header", "version": 1, "minor": 0,
            "producer": "seed", "stages": ["seed"]}) + "\n")
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
        f.write(json.dumps({"type": "end", "producer": "seed",
            "records": len(recs) + 1, "frames": 0,
            "packets": len(recs), "reason": "eof"}) + "\n")
t0 = 1700000000000000000
def pkt(i, **layers):
    r = {"type": "packet", "ts": t0 + i * 1000000, "len": 60,
         "caplen": 60, "data": "00"}
    r.update(layers)
    return r
def tcp(i, s, d, sp, dp, fl):
    return pkt(i, proto="TCP", ip={"src": s, "dst": d, "proto": 6},
               tcp={"sport": sp, "dport": dp, "flags": fl})
scan = []
for p in range(20):
    scan.append(tcp(2 * p, "10.0.0.1", "10.0.0.2", 40000, 1000 + p, 2))
    scan.append(tcp(2 * p + 1, "10.0.0.2", "10.0.0.1", 1000 + p, 40000, 20))
put("syn-scan", scan)
put("udp-scan", [pkt(p, proto="UDP",
    ip={"src": "10.0.0.1", "dst": "10.0.0.2", "proto": 17},
    udp={"sport": 50000, "dport": p + 1, "len": 8}) for p in range(20)])
arp = [pkt(i, proto="ARP", eth={"src": "02:00:00:00:00:01",
    "dst": "ff:ff:ff:ff:ff:ff", "type": 2054},
    arp={"htype": 1, "ptype": 2048, "hlen": 6, "plen": 4, "op": 1,
         "sha": "02:00:00:00:00:01", "spa": "10.0.0.1",
         "tha": "00:00:00:00:00:00", "tpa": "10.0.0.%d" % (i + 2)})
    for i in range(30)]
for i, mac in enumerate(("02:00:00:00:00:02", "02:00:00:00:00:66")):
    arp.append(pkt(40 + i, proto="ARP", eth={"src": mac,
        "dst": "02:00:00:00:00:01", "type": 2054},
        arp={"htype": 1, "ptype": 2048, "hlen": 6, "plen": 4, "op": 2,
             "sha": mac, "spa": "10.0.0.2", "tha": "02:00:00:00:00:01",
             "tpa": "10.0.0.1"}))
put("arp", arp)
dns = []
for i in range(60):
    name = "typo%d.example.com" % i if i < 55 else \
        "a" * 50 + ".tunnel.example.net"
    dns.append(pkt(i, proto="DNS",
        ip={"src": "10.0.0.53", "dst": "10.0.0.1", "proto": 17},
        udp={"sport": 53, "dport": 40000 + i, "len": 60},
        dns={"id": i, "qr": True, "opcode": 0, "rcode": 3, "qd": 1,
             "an": 0, "ns": 0, "ar": 0,
             "q": [{"name": name, "type": 1, "class": 1}]}))
put("dns", dns)
put("syn-flood", [tcp(i, "10.0.%d.%d" % (i // 250, i % 250 + 1),
    "10.0.0.2", 1024 + i, 80, 2) for i in range(600)])
PY

# TLS (fuzz/tls.c): hellos as a stream's start, built here as RFC 8446
# lays them out: a ClientHello with GREASE, SNI, ALPN, supported_versions,
# signature_algorithms and supported_groups, one record and split over
# two; one of lists past PKT_MAXLIST; a ServerHello of TLS 1.3 and one of
# TLS 1.2 with ALPN and the next record begun; the ClientHello bare, as
# QUIC's CRYPTO data.
python3 - "$dir/tls" <<'PY'
import struct, sys
out = sys.argv[1]
def v8(b): return bytes([len(b)]) + b
def v16(b): return struct.pack(">H", len(b)) + b
def u16s(*v): return b"".join(struct.pack(">H", x) for x in v)
def ext(t, body): return struct.pack(">H", t) + v16(body)
def hs(t, body): return bytes([t]) + struct.pack(">I", len(body))[1:] + body
def rec(body, v=0x0303): return struct.pack(">BHH", 22, v, len(body)) + body
exts = (ext(0x1a1a, b"") + ext(0, v16(b"\0" + v16(b"www.example.com"))) +
    ext(16, v16(v8(b"h2") + v8(b"http/1.1"))) +
    ext(43, v8(u16s(0x2a2a, 0x0304, 0x0303))) +
    ext(13, v16(u16s(0x0403, 0x0804, 0x0401))) +
    ext(10, v16(u16s(0x3a3a, 0x001d, 0x0017))) + ext(51, v16(b"")))
ch = hs(1, u16s(0x0303) + bytes(range(32)) + v8(bytes(32)) +
    v16(u16s(0x0a0a, 0x1301, 0x1302, 0xc02b, 0x00ff)) + v8(b"\0") +
    v16(exts))
sh13 = hs(2, u16s(0x0303) + bytes(32) + v8(b"") + u16s(0x1301) + b"\0" +
    v16(ext(43, u16s(0x0304)) + ext(51, u16s(0x001d) + v16(bytes(32)))))
sh12 = hs(2, u16s(0x0303) + bytes(32) + v8(bytes(32)) + u16s(0xc02f) +
    b"\0" + v16(ext(0xff01, b"\0") + ext(16, v16(v8(b"h2")))))
many = hs(1, u16s(0x0303) + bytes(32) + v8(b"") +
    v16(u16s(*range(0x0100, 0x0164))) + v8(b"\0") +
    v16(b"".join(ext(0x1000 + i, b"") for i in range(70)) +
        ext(13, v16(u16s(*range(0x0900, 0x0946))))))
seeds = {
    "ch": rec(ch, 0x0301),
    "ch-many": rec(many),
    "ch-two-records": rec(ch[:100], 0x0301) + rec(ch[100:], 0x0301),
    "sh13": rec(sh13) + bytes([20, 3, 3, 0, 1, 1]),
    "sh12-cert": rec(sh12) + rec(hs(11, bytes(40)))[:20],
    "ch-quic": ch,
}
for name, b in seeds.items():
    open("%s/seed-%s" % (out, name), "wb").write(b)
PY

# HTTP (fuzz/http.c): heads alone (first byte even), and streams cut
# into segments (first byte odd, a count, control byte pairs, the bytes).
mkdir -p "$dir/http"
python3 - "$dir/http" <<'PY'
import os, sys

out = sys.argv[1]
req = (b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
       b"User-Agent: " + b"Mozilla/5.0 " * 20 + b"\r\nAccept: */*\r\n\r\n")
resp = (b"HTTP/1.1 200 OK\r\nServer: busybox\r\nContent-Type: text/html\r\n"
        b"Content-Length: 6\r\n\r\nhello\n")
heads = [req, resp, b"HTTP/1.0 404 Not Found\nServer: x\n\n",
         b"POST /a HTTP/1.1\r\nContent-Length: 3\r\nHost: h\r\n\r\nabc"]
for i, h in enumerate(heads):
    open(os.path.join(out, "head-%d" % i), "wb").write(b"\0" + h)
# segments: 1 + 8*len each; how: 1 overlap, 2 cut, 4 next first,
# 8 late, 16 resent, 32 the stream ends long after
for i, (ctl, body) in enumerate([
        (bytes([4, 0, 4, 0, 30, 0]), req),
        (bytes([2, 4, 2, 0, 30, 0]), req),
        (bytes([3, 1, 3, 16, 30, 0]), req),
        (bytes([5, 2, 30, 0]), resp),
        (bytes([1, 0, 1, 32]), req + req)]):
    open(os.path.join(out, "segs-%d" % i), "wb").write(
        bytes([1, len(ctl) // 2]) + ctl + body)
PY
