// UDP parse/emit (RFC 768) with the IPv4 pseudo-header checksum; a zero checksum means "none".
//   Stack::udp_input -> parse_udp ; Stack::udp_send -> emit_udp
#include "wire/udp.h"

#include "wire/checksum.h"
#include "wire/ipv4.h"

#include <cstring>

namespace nic {

Result<UdpRepr> parse_udp(ConstBytes p, Ipv4Addr src, Ipv4Addr dst, bool verify_checksum) {
    if (p.size < kUdpHeaderLen) return WireError::Truncated;
    size_t len = rd16(p.data + 4);
    if (len < kUdpHeaderLen || len > p.size) return WireError::BadLength;
    UdpRepr r;
    r.src_port = rd16(p.data);
    r.dst_port = rd16(p.data + 2);
    r.had_checksum = rd16(p.data + 6) != 0;
    if (verify_checksum && r.had_checksum) {
        uint32_t acc = pseudo_header_sum(src, dst, kProtoUdp, uint16_t(len));
        if (checksum_finish(checksum_add(p.sub(0, len), acc)) != 0) return WireError::BadChecksum;
    }
    r.payload = p.sub(kUdpHeaderLen, len - kUdpHeaderLen);
    return r;
}

size_t emit_udp(const UdpRepr& r, Ipv4Addr src, Ipv4Addr dst, MutBytes out, bool fill_checksum) {
    size_t len = kUdpHeaderLen + r.payload.size;
    if (len > 0xffff || out.size < len) return 0;
    uint8_t* p = out.data;
    wr16(p, r.src_port);
    wr16(p + 2, r.dst_port);
    wr16(p + 4, uint16_t(len));
    wr16(p + 6, 0);
    if (r.payload.size) std::memmove(p + kUdpHeaderLen, r.payload.data, r.payload.size);
    if (fill_checksum) {
        uint16_t c = checksum_finish(checksum_add(ConstBytes(p, len), pseudo_header_sum(src, dst, kProtoUdp, uint16_t(len))));
        wr16(p + 6, c == 0 ? 0xffff : c);
    }
    return len;
}

}  // namespace nic
