#!/usr/bin/env python3
"""Writes the seed corpora for the stack's fuzz targets (tests/stack/fuzz/corpus/<target>/).
Run once and commit the output; libFuzzer explores from these valid, slightly varied inputs."""
import argparse
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
A = bytes([192, 0, 2, 1])
C = bytes([192, 0, 2, 3])
MAC_A = bytes([2, 0, 0, 0, 0, 1])
MAC_C = bytes([2, 0, 0, 0, 0, 3])
BCAST = b"\xff" * 6


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, off=0, mf=False, options=b"", ttl=64):
    hl = 20 + len(options)
    flags = (0x2000 if mf else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | (hl // 4), 0, hl + len(payload), ident, flags, ttl, proto, 0, src, dst) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sp, dp, data):
    ln = 8 + len(data)
    ph = src + dst + struct.pack("!BBH", 0, 17, ln)
    u = struct.pack("!HHHH", sp, dp, ln, 0) + data
    c = csum(ph + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def icmp(t, code, rest, data):
    m = struct.pack("!BBH", t, code, 0) + rest + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def eth(dst, src, typ, payload):
    return dst + src + struct.pack("!H", typ) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def dns_name(n):
    out = b""
    for label in n.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_query(ident, name):
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", 1, 1)


def dns_response(ident, name, addrs, cname=None):
    q = dns_name(name) + struct.pack("!HH", 1, 1)
    ans = b""
    n = 0
    if cname:
        target = dns_name(cname)
        ans += b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, len(target)) + target
        n += 1
    for a in addrs:
        ans += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes(a)
        n += 1
    return struct.pack("!HHHHHH", ident, 0x8580, 1, n, 0, 0) + q + ans


def main():
    argparse.ArgumentParser(description=__doc__).parse_args()
    udp7 = ipv4(C, A, 17, udp(C, A, 1234, 7, b"hello"))
    echo = ipv4(C, A, 1, icmp(8, 0, struct.pack("!HH", 1, 1), b"abcdefgh"))
    payload = udp(C, A, 1234, 7, bytes(range(256)) * 8)
    frag1 = ipv4(C, A, 17, payload[:1480], ident=9, mf=True)
    frag2 = ipv4(C, A, 17, payload[1480:], ident=9, off=1480)
    opts = ipv4(C, A, 17, udp(C, A, 1, 7, b"o"), options=bytes([148, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 0]))
    unreach = ipv4(C, A, 1, icmp(3, 3, b"\0\0\0\0", udp7[:28]))
    arp_req = eth(BCAST, MAC_C, 0x0806, arp(1, MAC_C, C, b"\0" * 6, A))
    arp_rep = eth(MAC_A, MAC_C, 0x0806, arp(2, MAC_C, C, MAC_A, A))
    corpora = {
        "ethernet": [arp_req, arp_rep, eth(MAC_A, MAC_C, 0x0800, udp7), eth(MAC_A, MAC_C, 0x8100, b"\0" * 4), b"\1" * 13],
        "arp": [arp_req[14:], arp_rep[14:], arp(1, MAC_C, C, b"\0" * 6, C)],
        "ipv4": [udp7, echo, frag1, frag2, opts, unreach],
        "icmp": [echo[20:], unreach[20:], icmp(0, 0, struct.pack("!HH", 7, 9), b"")],
        "udp": [udp7[20:], udp(C, A, 53, 53, b"")[:6] + b"\0\0"],
        "dns": [dns_query(1, "www.nic.test"), dns_response(2, "www.nic.test", [[192, 0, 2, 10], [192, 0, 2, 11]]),
                dns_response(3, "alias.nic.test", [], cname="www.nic.test"),
                struct.pack("!HHHHHH", 4, 0x8180, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1",
                struct.pack("!HHHHHH", 5, 0x8183, 1, 0, 1, 0) + dns_name("gone.test") + struct.pack("!HH", 1, 1)
                + b"\xc0\x11" + struct.pack("!HHIH", 6, 1, 600, 5 + 7 + 20) + dns_name("ns.test")[:3] + b"\xc0\x11"
                + b"\x04host\xc0\x11" + struct.pack("!IIIII", 1, 3600, 600, 86400, 30)],
    }
    frames = [arp_req, eth(MAC_A, MAC_C, 0x0800, udp7), eth(MAC_A, MAC_C, 0x0800, echo),
              eth(MAC_A, MAC_C, 0x0800, frag2), eth(MAC_A, MAC_C, 0x0800, frag1), eth(MAC_A, MAC_C, 0x0800, opts),
              eth(MAC_A, MAC_C, 0x0800, unreach)]
    seq = b"".join(struct.pack("!H", len(f)) + f for f in frames)
    corpora["stack"] = [seq, b"".join(struct.pack("!H", len(f)) + f for f in frames[:2])]
    for target, seeds in corpora.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for i, s in enumerate(seeds):
            with open(os.path.join(d, "seed%02d" % i), "wb") as f:
                f.write(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
