#!/usr/bin/env python3
"""ARP frames for nm-detect's tests, written to a pcap file or sent.

    arpgen.py write OUT.pcap < SPEC
    arpgen.py send IFACE < SPEC        (as root: a raw AF_PACKET socket)

SPEC has one frame a line, "#" comments and blank lines left out:

    SECS OP SHA SPA THA TPA [ESRC [EDST]]

SECS is the frame's time in seconds from the start (write: its
timestamp, from 1700000000; send: when it goes out), OP "req" or "rep",
SHA/THA MACs and SPA/TPA IPv4 addresses of the ARP body (RFC 826),
ESRC/EDST the Ethernet source and destination (default: SHA, and THA for
a reply or the broadcast for a request).  A line "repeat N STEP" repeats
the line before it N more times, STEP seconds apart.
"""
import socket
import struct
import sys
import time

BASE = 1700000000


def mac(s):
    b = bytes(int(x, 16) for x in s.replace("-", ":").split(":"))
    if len(b) != 6:
        raise ValueError("not a MAC: " + s)
    return b


def frame(op, sha, spa, tha, tpa, esrc=None, edst=None):
    opn = {"req": 1, "rep": 2}[op]
    sha, tha = mac(sha), mac(tha)
    esrc = mac(esrc) if esrc else sha
    if edst:
        edst = mac(edst)
    else:
        edst = tha if opn == 2 else b"\xff" * 6
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, opn)
    body += sha + socket.inet_aton(spa) + tha + socket.inet_aton(tpa)
    f = edst + esrc + b"\x08\x06" + body
    return f + b"\0" * (60 - len(f))


def frames(lines):
    out = []
    for ln in lines:
        ln = ln.split("#", 1)[0].split()
        if not ln:
            continue
        if ln[0] == "repeat":
            t, f = out[-1]
            for i in range(1, int(ln[1]) + 1):
                out.append((t + i * float(ln[2]), f))
            continue
        out.append((float(ln[0]), frame(*ln[1:])))
    return out


def write(path, fr):
    with open(path, "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for t, f in sorted(fr, key=lambda x: x[0]):
            ns = int(round(t * 1e9))
            o.write(struct.pack("<IIII", BASE + ns // 10**9, ns % 10**9,
                                len(f), len(f)))
            o.write(f)


def send(ifname, fr):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    t0 = time.monotonic()
    for t, f in sorted(fr, key=lambda x: x[0]):
        d = t0 + t - time.monotonic()
        if d > 0:
            time.sleep(d)
        s.send(f)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "send"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    fr = frames(sys.stdin)
    (write if sys.argv[1] == "write" else send)(sys.argv[2], fr)


if __name__ == "__main__":
    main()
