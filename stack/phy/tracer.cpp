// Frame summaries for the tracer: parses with the same wire parsers as the stack and describes
// whatever it finds, malformed parts included (it never fails).
//   Tracer::transmit/receive -> describe_frame -> sink
#include "phy/tracer.h"

#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#include <cstdio>

namespace nic {

std::string describe_frame(ConstBytes f) {
    auto eth = parse_ethernet(f);
    if (!eth) return std::string("eth ") + to_string(eth.error()) + " len " + std::to_string(f.size);
    if (eth->ethertype == kEtherArp) {
        auto a = parse_arp(eth->payload);
        if (!a) return std::string("ARP ") + to_string(a.error());
        if (a->op == ArpOp::Request) return "ARP who-has " + a->tpa.str() + " tell " + a->spa.str();
        return "ARP " + a->spa.str() + " is-at " + a->sha.str();
    }
    if (eth->ethertype != kEtherIpv4) {
        char b[32];
        std::snprintf(b, sizeof b, "ethertype 0x%04x len %zu", eth->ethertype, f.size);
        return b;
    }
    // Checksums are not checked: a frame on its way to a NIC that offloads them has them blank.
    auto ip = parse_ipv4(eth->payload, false);
    if (!ip) return std::string("IPv4 ") + to_string(ip.error());
    std::string s = ip->src.str() + " > " + ip->dst.str() + " ";
    if (ip->is_fragment()) {
        s += "frag id " + std::to_string(ip->ident) + " off " + std::to_string(ip->frag_offset) +
             (ip->more_frags ? "+" : "") + " proto " + std::to_string(ip->proto) + " len " + std::to_string(ip->payload.size);
        if (ip->frag_offset != 0) return s;
    }
    if (ip->proto == kProtoUdp) {
        auto u = parse_udp(ip->payload, ip->src, ip->dst, false);
        if (!u) return s + "UDP " + to_string(u.error());
        return s + "UDP " + std::to_string(u->src_port) + " > " + std::to_string(u->dst_port) + " len " +
               std::to_string(u->payload.size);
    }
    if (ip->proto == kProtoIcmp) {
        auto c = parse_icmp(ip->payload, false);
        if (!c) return s + "ICMP " + to_string(c.error());
        if (c->type == kIcmpEchoRequest || c->type == kIcmpEchoReply)
            return s + (c->type == kIcmpEchoRequest ? "ICMP echo request" : "ICMP echo reply") + " id " +
                   std::to_string(c->ident) + " seq " + std::to_string(c->seq) + " len " + std::to_string(c->data.size);
        return s + "ICMP type " + std::to_string(c->type) + " code " + std::to_string(c->code);
    }
    if (ip->proto == 6 && !ip->is_fragment()) return s + describe_tcp(ip->payload);
    return s + "proto " + std::to_string(ip->proto) + " len " + std::to_string(ip->payload.size);
}

// tcpdump-style: "TCP 49152 > 80 [S.] seq 1 ack 2 win 512 len 0" (RFC 9293 3.1 header fields).
std::string describe_tcp(ConstBytes p) {
    if (p.size < 20) return "TCP truncated len " + std::to_string(p.size);
    auto be16 = [&](size_t i) { return unsigned(p.data[i]) << 8 | p.data[i + 1]; };
    auto be32 = [&](size_t i) { return uint32_t(be16(i)) << 16 | be16(i + 2); };
    const size_t off = size_t(p.data[12] >> 4) * 4;
    const uint8_t fl = p.data[13];
    std::string flags;
    if (fl & 0x02) flags += 'S';
    if (fl & 0x01) flags += 'F';
    if (fl & 0x04) flags += 'R';
    if (fl & 0x08) flags += 'P';
    if (fl & 0x10) flags += '.';
    char b[160];
    std::snprintf(b, sizeof b, "TCP %u > %u [%s] seq %u ack %u win %u len %zu", be16(0), be16(2), flags.c_str(),
                  be32(4), be32(8), be16(14), off >= 20 && off <= p.size ? p.size - off : size_t(0));
    return b;
}

}  // namespace nic
