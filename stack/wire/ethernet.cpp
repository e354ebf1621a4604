// Ethernet II and ARP parse/emit (IEEE 802.3 3.2.6, RFC 826). Lengths are checked once, up front.
//   Stack::eth_input -> parse_ethernet -> Stack::arp_input -> parse_arp
#include "wire/ethernet.h"

#include <algorithm>

namespace nic {

Result<EthRepr> parse_ethernet(ConstBytes f) {
    if (f.size < kEthHeaderLen) return WireError::Truncated;
    EthRepr r;
    std::copy(f.data, f.data + 6, r.dst.b.begin());
    std::copy(f.data + 6, f.data + 12, r.src.b.begin());
    r.ethertype = rd16(f.data + 12);
    if (r.ethertype < 0x0600) return WireError::Unsupported;  // IEEE 802.3 length field (LLC/SNAP)
    r.payload = f.sub(kEthHeaderLen);
    return r;
}

size_t emit_ethernet(const EthRepr& r, MutBytes out) {
    if (out.size < kEthHeaderLen) return 0;
    std::copy(r.dst.b.begin(), r.dst.b.end(), out.data);
    std::copy(r.src.b.begin(), r.src.b.end(), out.data + 6);
    wr16(out.data + 12, r.ethertype);
    return kEthHeaderLen;
}

Result<ArpRepr> parse_arp(ConstBytes p) {
    if (p.size < 8) return WireError::Truncated;
    // Check the fixed part before the lengths it announces (RFC 826: hrd, pro, hln, pln, op).
    if (rd16(p.data) != 1 || rd16(p.data + 2) != kEtherIpv4 || p[4] != 6 || p[5] != 4)
        return WireError::Unsupported;
    uint16_t op = rd16(p.data + 6);
    if (p.size < kArpLen) return WireError::Truncated;
    if (op != 1 && op != 2) return WireError::Unsupported;
    ArpRepr r;
    r.op = ArpOp(op);
    std::copy(p.data + 8, p.data + 14, r.sha.b.begin());
    r.spa = Ipv4Addr(rd32(p.data + 14));
    std::copy(p.data + 18, p.data + 24, r.tha.b.begin());
    r.tpa = Ipv4Addr(rd32(p.data + 24));
    return r;
}

size_t emit_arp(const ArpRepr& r, MutBytes out) {
    if (out.size < kArpLen) return 0;
    uint8_t* p = out.data;
    wr16(p, 1);
    wr16(p + 2, kEtherIpv4);
    p[4] = 6;
    p[5] = 4;
    wr16(p + 6, uint16_t(r.op));
    std::copy(r.sha.b.begin(), r.sha.b.end(), p + 8);
    wr32(p + 14, r.spa.v);
    std::copy(r.tha.b.begin(), r.tha.b.end(), p + 18);
    wr32(p + 24, r.tpa.v);
    return kArpLen;
}

}  // namespace nic
