// ICMP parse/emit (RFC 792): the checksum covers the whole message; echo carries identifier and
// sequence, errors the quoted header.   Stack::icmp_input -> parse_icmp ; send paths -> emit_icmp
#include "wire/icmp.h"

#include "wire/checksum.h"

#include <cstring>

namespace nic {

Result<IcmpRepr> parse_icmp(ConstBytes p, bool verify_checksum) {
    if (p.size < kIcmpHeaderLen) return WireError::Truncated;
    // The checksum covers the whole ICMP message (RFC 792, every message type).
    if (verify_checksum && internet_checksum(p) != 0) return WireError::BadChecksum;
    IcmpRepr r;
    r.type = p[0];
    r.code = p[1];
    if (r.type == kIcmpEchoRequest || r.type == kIcmpEchoReply) {
        r.ident = rd16(p.data + 4);
        r.seq = rd16(p.data + 6);
    } else if (r.type == kIcmpDestUnreach && r.code == kUnreachFragNeeded) {
        r.next_hop_mtu = rd16(p.data + 6);
    }
    r.data = p.sub(kIcmpHeaderLen);
    return r;
}

size_t icmp_len(const IcmpRepr& r) { return kIcmpHeaderLen + r.data.size; }

size_t emit_icmp(const IcmpRepr& r, MutBytes out, bool fill_checksum) {
    size_t n = icmp_len(r);
    if (out.size < n) return 0;
    uint8_t* p = out.data;
    p[0] = r.type;
    p[1] = r.code;
    wr16(p + 2, 0);
    wr32(p + 4, 0);  // "unused" for errors (RFC 792)
    if (r.type == kIcmpEchoRequest || r.type == kIcmpEchoReply) {
        wr16(p + 4, r.ident);
        wr16(p + 6, r.seq);
    } else if (r.type == kIcmpDestUnreach && r.code == kUnreachFragNeeded) {
        wr16(p + 6, r.next_hop_mtu);
    }
    if (r.data.size) std::memmove(p + kIcmpHeaderLen, r.data.data, r.data.size);
    if (fill_checksum) wr16(p + 2, internet_checksum(ConstBytes(p, n)));
    return n;
}

}  // namespace nic
