// Helpers shared by the NIC tests: packets (Ethernet, IPv4 with options, TCP, UDP, fragments,
// non-IP), the software checksum reference (RFC 1071) and what the NIC must report for a frame.
#pragma once

#include "driver/nic_regs.h"
#include "mac/gmii_ref.h"
#include "nic/nic_harness.h"
#include "nic/ring_driver.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace nic::test {

using namespace nic::sim;
namespace R = nic::regs;

inline const std::vector<uint8_t> kOurMac = {0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc};
inline const std::vector<uint8_t> kPeerMac = {0x02, 0x00, 0x00, 0x11, 0x22, 0x33};

// RFC 1071 ones'-complement sum of 16-bit big-endian words, folded, not complemented.
inline uint32_t sum16(const uint8_t* p, size_t n, uint32_t s = 0) {
    for (size_t i = 0; i < n; ++i) s += (i & 1) ? p[i] : uint32_t(p[i]) << 8;
    return s;
}
inline uint16_t fold(uint32_t s) {
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return uint16_t(s);
}

// Ethernet header + payload: destination, our peer as source, EtherType.
inline std::vector<uint8_t> eth(const std::vector<uint8_t>& dst, uint16_t type,
                                const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> f(dst);
    f.insert(f.end(), kPeerMac.begin(), kPeerMac.end());
    f.push_back(uint8_t(type >> 8));
    f.push_back(uint8_t(type));
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

inline std::vector<uint8_t> random_bytes(size_t n, std::mt19937_64& rng) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = uint8_t(rng());
    return v;
}

// A frame of `len` bytes (no FCS) to our address with a local EtherType and random payload.
inline std::vector<uint8_t> plain_frame(size_t len, std::mt19937_64& rng,
                                        const std::vector<uint8_t>& dst = kOurMac) {
    auto f = eth(dst, 0x88b5, random_bytes(len - 14, rng));
    return f;
}

struct PacketSpec {
    enum Kind { Tcp, Udp, UdpNoCsum, OtherIp, NonIp } kind = Tcp;
    size_t opt_len = 0;             // IPv4 options, multiple of 4, <= 40
    size_t payload = 64;
    bool fragment = false;          // MF set or offset != 0
    size_t eth_pad = 0;             // bytes after the IP datagram (Ethernet padding)
};

// Builds the frame with correct checksums everywhere (IP header and L4).
struct Packet {
    std::vector<uint8_t> frame;
    size_t ip_hlen = 0;
    size_t l4_off = 0;              // offset of the TCP/UDP header
    size_t l4_csum_field = 0;       // offset of its checksum field from l4_off
    uint32_t pseudo = 0;            // pseudo-header sum (not folded)
};

inline Packet make_packet(const PacketSpec& s, std::mt19937_64& rng) {
    Packet p;
    if (s.kind == PacketSpec::NonIp) {
        p.frame = eth(kOurMac, 0x86dd ^ 0x0100, random_bytes(std::max<size_t>(s.payload, 46), rng));
        return p;
    }
    p.ip_hlen = 20 + s.opt_len;
    size_t l4_hdr = s.kind == PacketSpec::Tcp ? 20 : s.kind == PacketSpec::OtherIp ? 0 : 8;
    std::vector<uint8_t> l4(l4_hdr + s.payload);
    for (auto& b : l4) b = uint8_t(rng());
    uint8_t proto = s.kind == PacketSpec::Tcp ? 6 : s.kind == PacketSpec::OtherIp ? 47 : 17;
    size_t tot = p.ip_hlen + l4.size();
    std::vector<uint8_t> ip(p.ip_hlen);
    ip[0] = uint8_t(0x40 | (p.ip_hlen / 4));
    ip[1] = 0;
    ip[2] = uint8_t(tot >> 8);
    ip[3] = uint8_t(tot);
    ip[4] = uint8_t(rng());
    ip[5] = uint8_t(rng());
    uint16_t frag = 0x4000;         // DF
    if (s.fragment) frag = (rng() & 1) ? 0x2000 : uint16_t(0x0000 | (1 + rng() % 100));
    ip[6] = uint8_t(frag >> 8);
    ip[7] = uint8_t(frag);
    ip[8] = 64;
    ip[9] = proto;
    for (size_t i = 12; i < 20; ++i) ip[i] = uint8_t(rng());
    for (size_t i = 20; i < p.ip_hlen; ++i) ip[i] = (i == 20) ? 0x01 : uint8_t(rng());  // NOP then junk
    uint16_t ipck = uint16_t(~fold(sum16(ip.data(), ip.size())));
    ip[10] = uint8_t(ipck >> 8);
    ip[11] = uint8_t(ipck);
    p.l4_off = 14 + p.ip_hlen;
    if (proto == 6 || proto == 17) {
        p.l4_csum_field = proto == 6 ? 16 : 6;
        if (proto == 17) {          // UDP Length: header and data (RFC 768)
            l4[4] = uint8_t(l4.size() >> 8);
            l4[5] = uint8_t(l4.size());
        }
        uint32_t ps = sum16(&ip[12], 8) + proto + uint32_t(l4.size());
        p.pseudo = ps;
        l4[p.l4_csum_field] = l4[p.l4_csum_field + 1] = 0;
        uint16_t ck = uint16_t(~fold(sum16(l4.data(), l4.size(), ps)));
        if (proto == 17 && ck == 0) ck = 0xFFFF;
        if (s.kind == PacketSpec::UdpNoCsum) ck = 0;
        l4[p.l4_csum_field] = uint8_t(ck >> 8);
        l4[p.l4_csum_field + 1] = uint8_t(ck);
    }
    std::vector<uint8_t> payload(ip);
    payload.insert(payload.end(), l4.begin(), l4.end());
    for (size_t i = 0; i < s.eth_pad; ++i) payload.push_back(uint8_t(rng()));
    p.frame = eth(kOurMac, 0x0800, payload);
    return p;
}

// What the NIC's RX completion must say for `f` (the reference for the verdicts).
struct RxVerdict { uint16_t csum; uint8_t status; };
inline RxVerdict rx_reference(const std::vector<uint8_t>& f) {
    RxVerdict v{fold(sum16(f.data() + 14, f.size() - 14)), 0};
    if (f.size() < 34 || f[12] != 0x08 || f[13] != 0x00) return v;
    v.status |= R::rxc::kIp4;
    unsigned ver = f[14] >> 4, ihl = f[14] & 15;
    size_t tot = size_t(f[16]) << 8 | f[17];
    bool bad = ver != 4 || ihl < 5 || tot < ihl * 4u || 14 + tot > f.size();
    if (!bad && fold(sum16(&f[14], ihl * 4u)) != 0xFFFF) bad = true;
    if (bad) v.status |= R::rxc::kIpBad;
    uint8_t proto = f[23];
    bool frag = (f[20] & 0x20) || ((f[20] & 0x1F) << 8 | f[21]) != 0;
    if (proto == 6) v.status |= R::rxc::kTcp;
    if (proto == 17) v.status |= R::rxc::kUdp;
    if (frag) v.status |= R::rxc::kFrag;
    if (bad || frag || (proto != 6 && proto != 17)) return v;
    // Everything here is inside the IPv4 datagram (total length, RFC 791 section 3.1): Ethernet
    // padding after it is never part of the segment.
    size_t l4 = 14 + ihl * 4u, l4len = tot - ihl * 4u;
    // RFC 768: "An all zero transmitted checksum value means that the transmitter generated no
    // checksum": nothing to verify. Only a datagram that holds the field can say so (a shorter one
    // is malformed, below), whatever bytes follow it in the frame.
    if (proto == 17 && l4len >= 8 && f[l4 + 6] == 0 && f[l4 + 7] == 0) return v;
    v.status |= R::rxc::kL4Checked;
    // What the checksum covers, and the length in its pseudo-header:
    //   TCP: the whole IP payload, "TCP Length" (RFC 9293 section 3.1), a 20-byte header at least;
    //   UDP: the datagram of Length octets, "the length in octets of this user datagram including
    //        this header and the data", the same Length in the pseudo-header (RFC 768). It must hold
    //        the 8-byte header and fit in the IP payload; bytes of the payload past it are not part
    //        of it.
    // A segment too short for its header, or a UDP Length that is not possible, is malformed:
    // checked and bad (there is no valid checksum to accept).
    size_t seg = l4len;
    bool malformed = proto == 6 ? l4len < 20 : l4len < 8;
    if (proto == 17 && !malformed) {
        seg = size_t(f[l4 + 4]) << 8 | f[l4 + 5];
        malformed = seg < 8 || seg > l4len;
    }
    if (malformed || fold(sum16(&f[l4], seg, sum16(&f[26], 8) + proto + uint32_t(seg))) != 0xFFFF)
        v.status |= R::rxc::kL4Bad;
    return v;
}

// Rewrites the 16-bit word at l4_off + at (`at` even, inside the L4 payload) so that the sum a
// sender computes over pseudo-header and segment, with the checksum field as zero, is 0xFFFF:
// the computed checksum, its complement, is 0. Then stores what the sender transmits for it: 0xFFFF
// for UDP (RFC 768: "If the computed checksum is zero, it is transmitted as all one bits"), 0 for
// TCP (RFC 9293 section 3.1 has no such rule). A receiver's sum comes to 0xFFFF with either.
inline void force_l4_sum_zero(Packet& p, size_t at) {
    auto& f = p.frame;
    const size_t l4 = p.l4_off, len = (size_t(f[16]) << 8 | f[17]) - p.ip_hlen;
    const size_t field = l4 + p.l4_csum_field;
    if (at % 2 || at < p.l4_csum_field + 2 || at + 2 > len) throw std::logic_error("force_l4_sum_zero");
    f[field] = f[field + 1] = f[l4 + at] = f[l4 + at + 1] = 0;
    const uint16_t rest = fold(sum16(&f[l4], len, p.pseudo));   // never 0: the protocol is in it
    const uint16_t w = uint16_t(0xFFFF - rest);                  // rest + w = 0xFFFF, no carry
    f[l4 + at] = uint8_t(w >> 8);
    f[l4 + at + 1] = uint8_t(w);
    const uint16_t ck = f[23] == 17 ? 0xFFFF : 0x0000;
    f[field] = uint8_t(ck >> 8);
    f[field + 1] = uint8_t(ck);
}

// The frame as a transmitting NIC must send it after checksum offload (software reference).
inline std::vector<uint8_t> tx_reference(const TxPacket& p) {
    std::vector<uint8_t> f = p.data;
    if (p.csum_ip) {
        f[24] = f[25] = 0;
        uint16_t ck = uint16_t(~fold(sum16(&f[14], p.ip_hlen)));
        f[24] = uint8_t(ck >> 8);
        f[25] = uint8_t(ck);
    }
    if (p.csum_l4) {
        uint16_t ck = uint16_t(~fold(sum16(&f[p.csum_start], f.size() - p.csum_start)));
        // RFC 768: a UDP sender transmits a computed 0 as all ones (0 means "no checksum");
        // TCP has no such rule (RFC 9293 section 3.1): the 0 goes out as it is.
        if (ck == 0 && p.csum_udp) ck = 0xFFFF;
        size_t at = size_t(p.csum_start) + p.csum_off;
        f[at] = uint8_t(ck >> 8);
        f[at + 1] = uint8_t(ck);
    }
    return f;
}

// The frame bytes a line burst carries (preamble, SFD and FCS checked and stripped; padding kept).
inline bool decode_burst(const ref::Symbols& s, std::vector<uint8_t>& frame) {
    if (s.size() < 8 + 64) return false;
    for (size_t i = 0; i < 7; ++i)
        if (s[i].d != 0x55 || s[i].er) return false;
    if (s[7].d != 0xD5) return false;
    std::vector<uint8_t> f;
    for (size_t i = 8; i < s.size(); ++i) {
        if (s[i].er) return false;
        f.push_back(s[i].d);
    }
    uint32_t fcs = uint32_t(f[f.size() - 4]) | uint32_t(f[f.size() - 3]) << 8 |
                   uint32_t(f[f.size() - 2]) << 16 | uint32_t(f[f.size() - 1]) << 24;
    f.resize(f.size() - 4);
    if (ref::crc32(f) != fcs) return false;
    frame = std::move(f);
    return true;
}

// The frame padded to 60 bytes, as it must appear on the wire.
inline std::vector<uint8_t> padded(std::vector<uint8_t> f) {
    if (f.size() < 60) f.resize(60, 0);
    return f;
}

inline void expect_clean_bus(NicHarness& h) {
    for (const auto& e : h.axi().protocol_errors()) ADD_FAILURE() << "AXI protocol: " << e;
    for (const auto& e : h.axi().violations()) ADD_FAILURE() << "DMA window: " << e;
    for (const auto& e : h.axil().protocol_errors()) ADD_FAILURE() << "AXI4-Lite protocol: " << e;
}

}  // namespace nic::test
