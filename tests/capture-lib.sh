# Sourced by tests/capture-*.t after lib.sh: makes capture files of our own
# and reads nm-capture's records back as JSON lines.  Records are read with
# nm-render -o json when it is built (NMC_READER=python forces the small
# reader below, which knows just enough msgpack for nm-capture's output).

# nmc_mkpcap OUT N [pcap|nano|ng|trunc]: N Ethernet frames alternating
# ICMP echo (98 bytes) and UDP to port 53 (54 bytes, an empty DNS query), 10 ms apart.
nmc_mkpcap() {
	python3 - "$@" <<'PY'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
kind = sys.argv[3] if len(sys.argv) > 3 else "pcap"
def frame(i):
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    if i % 2 == 0:
        l4 = struct.pack(">BBHHH", 8, 0, 0, 7, i) + bytes(56)
        proto = 1
    else:
        l4 = struct.pack(">HHHH", 40000 + i, 53, 8 + 12, 0) + struct.pack(">HHHHHH", i, 0x0100, 0, 0, 0, 0)
        proto = 17
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i, 0, 64,
                     proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return eth + ip + l4
t0 = 1700000000
pk = []
for i in range(n):
    ns = 123456789 + i * 10000000
    pk.append((t0 + ns // 10**9, ns % 10**9, frame(i)))
b = bytearray()
if kind == "ng":
    def blk(t, body):
        body += bytes(-len(body) % 4)
        return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    b += blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # interface: Ethernet, snaplen 0, if_tsresol 9 (nanoseconds)
    b += blk(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB3x", 9, 1, 9) + bytes(4))
    for s, ns, d in pk:
        t = s * 10**9 + ns
        b += blk(6, struct.pack("<IIIII", 0, t >> 32, t & 0xffffffff, len(d), len(d)) + d)
else:
    magic = 0xA1B23C4D if kind == "nano" else 0xA1B2C3D4
    b += struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, 1)
    for s, ns, d in pk:
        frac = ns if kind == "nano" else ns // 1000
        b += struct.pack("<IIII", s, frac, len(d), len(d)) + d
    if kind == "trunc":
        b = b[:-30]
open(out, "wb").write(b)
PY
}

# nmc_json < records > json lines
nmc_json() {
	if [ "${NMC_READER:-}" != python ] && command -v nm-render >/dev/null; then
		nm-render -o json
		return
	fi
	python3 -c '
import json, struct, sys
b = sys.stdin.buffer.read()
p = 0
def u(n):
    global p
    v = int.from_bytes(b[p:p + n], "big"); p += n; return v
def obj():
    global p
    c = b[p]; p += 1
    if c <= 0x7f: return c
    if c >= 0xe0: return c - 256
    if 0x80 <= c <= 0x8f: return mp(c & 15)
    if 0x90 <= c <= 0x9f: return [obj() for _ in range(c & 15)]
    if 0xa0 <= c <= 0xbf: return s(c & 31)
    if c == 0xc0: return None
    if c == 0xc2: return False
    if c == 0xc3: return True
    if c in (0xc4, 0xc5, 0xc6):
        n = u(1 << (c - 0xc4)); v = b[p:p + n].hex(); p += n; return v
    if c in (0xcc, 0xcd, 0xce, 0xcf): return u(1 << (c - 0xcc))
    if c in (0xd0, 0xd1, 0xd2, 0xd3):
        n = 1 << (c - 0xd0); v = int.from_bytes(b[p:p + n], "big", signed=True); p += n; return v
    if c == 0xcb:
        v = struct.unpack(">d", b[p:p + 8])[0]; p += 8; return v
    if c in (0xd9, 0xda, 0xdb): return s(u(1 << (c - 0xd9)))
    if c in (0xdc, 0xdd): return [obj() for _ in range(u(2 << (c - 0xdc)))]
    if c in (0xde, 0xdf): return mp(u(2 << (c - 0xde)))
    raise SystemExit("bad msgpack byte %#x at %d" % (c, p - 1))
def s(n):
    global p
    v = b[p:p + n].decode(); p += n; return v
def mp(n):
    return {obj(): obj() for _ in range(n)}
while p < len(b):
    print(json.dumps(obj()))
'
}

# nmc_py JSONFILE EXPR: prints EXPR evaluated with R = the list of records
nmc_py() {
	python3 -c '
import json, sys
R = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
T = lambda t: [r for r in R if r.get("type") == t]
print(eval(sys.argv[2]))' "$1" "$2"
}

# nmc_is NAME JSONFILE EXPR WANT: passes when EXPR prints WANT
nmc_is() {
	local got
	got=$(nmc_py "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then pass "$1"
	else fail "$1: $3 is '$got', want '$4'"; fi
}
