#!/usr/bin/env python3
# geopcap.py FILE: a classic pcap (LINKTYPE_RAW) of UDP packets between
# public addresses that tests/tools/mkmmdb.pl places, private and special
# ones no database places, and two well-known public resolvers, for
# tests/geo.t.  Timestamps are fixed: the file is the same on every run.
import socket
import struct
import sys

T0 = 1700000000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + u


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    ph = s + d + struct.pack("!IxxxB", len(u), 17)
    c = csum(ph + u) or 0xffff
    u = u[:6] + struct.pack("!H", c) + u[8:]
    return struct.pack("!IHBB", 6 << 28, len(u), 17, 64) + s + d + u


PKTS = [
    (udp4, "10.0.0.1", "81.2.69.161", 40000, 5000, 3),
    (udp4, "81.2.69.161", "10.0.0.1", 5000, 40000, 2),
    (udp4, "192.168.1.5", "10.0.0.9", 40001, 5001, 1),
    (udp4, "100.64.0.7", "169.254.3.4", 40002, 5002, 1),
    (udp6, "2a02:cf40::1", "fd00::1", 40003, 5003, 2),
    (udp4, "10.0.0.1", "8.8.8.8", 40004, 5004, 1),
    (udp4, "10.0.0.1", "1.1.1.1", 40005, 5005, 1),
]

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    n = 0
    for mk, src, dst, sp, dp, count in PKTS:
        for _ in range(count):
            p = mk(src, dst, sp, dp, b"geo test %d" % n)
            f.write(struct.pack("<IIII", T0 + n, 0, len(p), len(p)))
            f.write(p)
            n += 1
