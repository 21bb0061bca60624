#!/usr/bin/env python3
"""conngen: writes a pcap of a long quiet run of many short connections.

conngen.py OUT.pcap [SEED]

Six minutes of Ethernet/IPv4 traffic between a few clients and servers,
the same for the same seed: about 600 short TCP connections (handshake,
one to ten request/response rounds of varied sizes, then FIN both ways or
a RST), one every 0.6 s; DNS exchanges of two packets; a few longer UDP
flows that go quiet long before the end; and one tuple used again and
again (the same client port to the same server: ports reused after a
close, a second later or half a minute later, each time with a new
initial sequence number, as a client bound to a fixed port makes them),
and one used again by connections never closed, each opened by a SYN
sent twice.
It ends with 20 quiet seconds and one DNS exchange, so a monitor that
ranks only what is still open at the end lists that exchange alone.

Only the standard library; checksums are right, so any reader takes it.
"""
import random
import struct
import sys

T0 = 1700000000.0
SRV_MAC = bytes.fromhex("020000000001")
CLI_MAC = bytes.fromhex("020000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, l4, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000,
                      64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def pseudo(src, dst, proto, n):
    return src + dst + struct.pack("!BBH", 0, proto, n)


def tcp(src, dst, sp, dp, seq, ack, flags, payload):
    h = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    seg = h + payload
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sp, dp, payload):
    seg = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
    c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


class Out:
    def __init__(self):
        self.pkts = []
        self.ident = 0

    def put(self, t, src, dst, proto, l4, to_server):
        self.ident = (self.ident + 1) & 0xFFFF
        eth = (SRV_MAC + CLI_MAC) if to_server else (CLI_MAC + SRV_MAC)
        frame = eth + b"\x08\x00" + ip4(src, dst, proto, l4, self.ident)
        self.pkts.append((t, len(self.pkts), frame))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, _, frame in sorted(self.pkts):
                us = int(round((t - T0) * 1e6))
                sec, usec = divmod(us, 1000000)
                f.write(struct.pack("<IIII", int(T0) + sec, usec, len(frame),
                                    len(frame)))
                f.write(frame)


def tcp_conn(o, rnd, t, cli, cport, srv, sport, rounds, rst, end=True,
             syn_again=0.0):
    """One connection from time t; returns the time of its last packet.

    end False: abandoned, no FIN nor RST.  syn_again: the SYN is sent a
    second time (the same sequence number) that many seconds later."""
    cs, ss = rnd.getrandbits(32), rnd.getrandbits(32)
    step = lambda: rnd.uniform(0.0005, 0.02)

    def c2s(fl, data=b""):
        nonlocal t, cs
        o.put(t, cli, srv, 6, tcp(cli, srv, cport, sport, cs, ss, fl, data), 1)
        cs += len(data) + (1 if fl & 0x03 else 0)
        t += step()

    def s2c(fl, data=b""):
        nonlocal t, ss
        o.put(t, srv, cli, 6, tcp(srv, cli, sport, cport, ss, cs, fl, data), 0)
        ss += len(data) + (1 if fl & 0x03 else 0)
        t += step()

    c2s(0x02)
    if syn_again:
        t += syn_again
        cs -= 1
        c2s(0x02)
    s2c(0x12)
    c2s(0x10)
    for _ in range(rounds):
        c2s(0x18, b"G" * rnd.randint(40, 400))
        s2c(0x18, b"R" * rnd.randint(100, 1400))
    if not end:
        pass
    elif rst:
        c2s(0x14)
    else:
        c2s(0x11)
        s2c(0x11)
        c2s(0x10)
    return t


def main():
    path = sys.argv[1]
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    o = Out()
    clients = [bytes([10, 1, 0, i]) for i in range(2, 22)]
    servers = [bytes([10, 2, 0, i]) for i in range(1, 6)]
    dns = bytes([10, 2, 0, 53])
    t = T0
    used = set()
    for i in range(600):
        cli = rnd.choice(clients)
        while True:
            cport = rnd.randint(32768, 60999)
            if (cli, cport) not in used:
                used.add((cli, cport))
                break
        tcp_conn(o, rnd, t, cli, cport, rnd.choice(servers), 80,
                 rnd.randint(1, 10), rnd.random() < 0.1)
        if i % 12 == 0:  # a name lookup now and then
            q = rnd.randint(32768, 60999)
            cli = rnd.choice(clients)
            o.put(t + 0.3, cli, dns, 17, udp(cli, dns, q, 53, b"q" * 30), 1)
            o.put(t + 0.31, dns, cli, 17,
                  udp(dns, cli, 53, q, b"a" * rnd.randint(40, 200)), 0)
        t += 0.55
    # longer UDP flows early on, quiet for minutes before the end
    for k in range(4):
        cli, srv = clients[k], servers[k]
        for j in range(15 + 6 * k):
            tt = T0 + 10 + 40 * k + j * 0.2
            if j % 2:
                o.put(tt, srv, cli, 17, udp(srv, cli, 5004, 41000 + k,
                                            b"v" * 160), 0)
            else:
                o.put(tt, cli, srv, 17, udp(cli, srv, 41000 + k, 5004,
                                            b"v" * 172), 1)
    # one tuple used again and again: 10.1.0.99:40000 -> 10.2.0.9:80
    cli, srv = bytes([10, 1, 0, 99]), bytes([10, 2, 0, 9])
    tt = T0 + 5
    for k in range(8):
        end = tcp_conn(o, rnd, tt, cli, 40000, srv, 80, 4 + k % 3, k == 3)
        tt = end + (1.0 if k % 2 == 0 else 30.0)
    # another tuple, its connections abandoned (no FIN, no RST), each SYN
    # sent twice: a new SYN with a new sequence number is a new connection,
    # the same one again is not (tshark's tcp.stream)
    cli = bytes([10, 1, 0, 98])
    tt = T0 + 7
    for k in range(3):
        tt = tcp_conn(o, rnd, tt, cli, 40001, srv, 80, 2, False, False,
                      1.0) + 5.0
    # a quiet spell, then one late exchange
    t = max(p[0] for p in o.pkts) + 20
    cli = clients[0]
    o.put(t, cli, dns, 17, udp(cli, dns, 33333, 53, b"q" * 30), 1)
    o.put(t + 0.01, dns, cli, 17, udp(dns, cli, 53, 33333, b"a" * 60), 0)
    o.write(path)


main()
