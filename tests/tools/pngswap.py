#!/usr/bin/env python3
# pngswap.py IN OUT: byte-swaps a little-endian pcapng file into a
# big-endian one, for tests/pngread.t and fuzz/seed.sh: every block's
# fixed fields and the options whose values are numbers (those nm-pcap,
# mergecap, tshark and dumpcap write); a block it does not know is an
# error.
import struct, sys

b = open(sys.argv[1], "rb").read()
out = bytearray()
# option code -> how its value is swapped: "q" 64-bit, "t" two 32-bit
# words (a time), "I" 32-bit, None bytes as they are
OPTS = {
    0x0A0D0D0A: {},                               # SHB: strings
    0x00000001: {8: "q", 14: "q"},                # IDB: if_speed, if_tsoffset
    0x00000006: {2: "I", 4: "q", 5: "q", 6: "I"}, # EPB
    0x00000005: {2: "t", 3: "t", 4: "q", 5: "q", 6: "q", 7: "q", 8: "q"},
}
FIXED = {0x0A0D0D0A: "IHHq", 1: "HHI", 6: "IIIII", 5: "III", 3: "I"}

def opts(t, body):
    o = bytearray()
    i = 0
    while i + 4 <= len(body):
        code, n = struct.unpack_from("<HH", body, i)
        v = body[i + 4:i + 4 + n]
        k = OPTS[t].get(code)
        if k == "t":
            v = struct.pack(">II", *struct.unpack("<II", v))
        elif k:
            v = struct.pack(">" + k, *struct.unpack("<" + k, v))
        pad = (4 - n % 4) % 4
        o += struct.pack(">HH", code, n) + v + body[i + 4 + n:i + 4 + n + pad]
        i += 4 + n + pad
    return bytes(o)

off = 0
while off < len(b):
    t, n = struct.unpack_from("<II", b, off)
    if t not in FIXED:
        sys.exit("swap.py: block type %#x" % t)
    f = FIXED[t]
    fl = struct.calcsize("<" + f)
    vals = struct.unpack_from("<" + f, b, off + 8)
    body = b[off + 8 + fl:off + n - 4]
    if t == 6:
        data = (vals[3] + 3) // 4 * 4
        rest = body[data:]
        body = body[:data] + opts(t, rest)
    elif t == 3:
        data = (vals[0] + 3) // 4 * 4
        data = min(data, len(body))
        body = body[:data]
    else:
        body = opts(t, body)
    out += struct.pack(">II", t, n) + struct.pack(">" + f, *vals) + body
    out += struct.pack(">I", n)
    off += n
open(sys.argv[2], "wb").write(out)
