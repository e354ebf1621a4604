// IPv4 header parse/emit and option validation (RFC 791 section 3.1). parse_ipv4 checks in the order
// ip_input counts its drops: length, version, IHL, total length, checksum, options.
//   Stack::ipv4_input -> parse_ipv4 ; Stack::ip_output -> emit_ipv4
#include "wire/ipv4.h"

#include <cstring>

namespace nic {

namespace {
enum : uint8_t {
    kOptEol = 0, kOptNop = 1, kOptSecurity = 130, kOptLsrr = 131, kOptSsrr = 137, kOptRr = 7,
    kOptTs = 68, kOptRouterAlert = 148,
};
}

Result<Ipv4Repr> parse_ipv4(ConstBytes p, bool verify_checksum) {
    if (p.size < kIpv4MinHeader) return WireError::Truncated;
    if ((p[0] >> 4) != 4) return WireError::BadVersion;
    size_t ihl = size_t(p[0] & 0xf) * 4;
    if (ihl < kIpv4MinHeader || ihl > p.size) return WireError::BadHeaderLen;
    size_t total = rd16(p.data + 2);
    // The frame may be longer (Ethernet pads to 60 bytes) but never shorter than the datagram.
    if (total < ihl || total > p.size) return WireError::BadTotalLen;
    if (verify_checksum && internet_checksum(p.sub(0, ihl)) != 0) return WireError::BadChecksum;
    Ipv4Repr r;
    r.tos = p[1];
    r.ident = rd16(p.data + 4);
    uint16_t ff = rd16(p.data + 6);
    // Bit 0 of the flags is reserved and must be zero (RFC 791); we ignore it as Linux does.
    r.dont_frag = ff & 0x4000;
    r.more_frags = ff & 0x2000;
    r.frag_offset = uint16_t((ff & 0x1fff) * 8);
    r.ttl = p[8];
    r.proto = p[9];
    r.src = Ipv4Addr(rd32(p.data + 12));
    r.dst = Ipv4Addr(rd32(p.data + 16));
    r.options = p.sub(kIpv4MinHeader, ihl - kIpv4MinHeader);
    r.payload = p.sub(ihl, total - ihl);
    if (!r.options.empty() && !parse_ipv4_options(r.options)) return WireError::BadOptions;
    return r;
}

Result<Ipv4OptionInfo> parse_ipv4_options(ConstBytes o) {
    Ipv4OptionInfo info;
    size_t i = 0;
    while (i < o.size) {
        uint8_t type = o[i];
        if (type == kOptEol) break;  // the rest is padding
        if (type == kOptNop) {
            ++i;
            continue;
        }
        // Every other option is type, length (counting type and length), data.
        if (i + 2 > o.size) return WireError::BadOptions;
        size_t len = o[i + 1];
        if (len < 2 || i + len > o.size) return WireError::BadOptions;
        switch (type) {
            case kOptRr:
            case kOptLsrr:
            case kOptSsrr: {
                // Route data: pointer >= 4 (it indexes the option from 1), addresses of 4 bytes.
                if (len < 3 || o[i + 2] < 4) return WireError::BadOptions;
                if (type == kOptRr) info.record_route = true;
                if (type == kOptLsrr) info.loose_source_route = true;
                if (type == kOptSsrr) info.strict_source_route = true;
                break;
            }
            case kOptTs:
                // RFC 791 "Internet Timestamp": length >= 4, pointer >= 5.
                if (len < 4 || o[i + 2] < 5) return WireError::BadOptions;
                info.timestamp = true;
                break;
            case kOptRouterAlert:
                if (len != 4) return WireError::BadOptions;  // RFC 2113 section 2.1
                info.router_alert = true;
                break;
            case kOptSecurity:
                if (len != 11) return WireError::BadOptions;  // RFC 791 "Security"
                info.security = true;
                break;
            default: break;  // unknown options are skipped by their length (RFC 1122 3.2.1.8)
        }
        ++info.count;
        i += len;
    }
    return info;
}

size_t emit_ipv4(const Ipv4Repr& r, size_t payload_len, MutBytes out, bool fill_checksum) {
    size_t optlen = (r.options.size + 3) & ~size_t(3);
    if (optlen > kIpv4MaxOptions) return 0;
    size_t hl = kIpv4MinHeader + optlen;
    if (out.size < hl || hl + payload_len > 0xffff) return 0;
    uint8_t* p = out.data;
    p[0] = uint8_t(0x40 | (hl / 4));
    p[1] = r.tos;
    wr16(p + 2, uint16_t(hl + payload_len));
    wr16(p + 4, r.ident);
    wr16(p + 6, uint16_t((r.dont_frag ? 0x4000 : 0) | (r.more_frags ? 0x2000 : 0) | ((r.frag_offset / 8) & 0x1fff)));
    p[8] = r.ttl;
    p[9] = r.proto;
    wr16(p + 10, 0);
    wr32(p + 12, r.src.v);
    wr32(p + 16, r.dst.v);
    if (r.options.size) std::memcpy(p + 20, r.options.data, r.options.size);
    std::memset(p + 20 + r.options.size, 0, optlen - r.options.size);  // EOL padding
    if (fill_checksum) wr16(p + 10, internet_checksum(ConstBytes(p, hl)));
    return hl;
}

size_t ipv4_options_for_fragments(ConstBytes o, uint8_t out[kIpv4MaxOptions]) {
    size_t n = 0, i = 0;
    while (i < o.size && n < kIpv4MaxOptions) {
        uint8_t type = o[i];
        if (type == kOptEol) break;
        if (type == kOptNop) {
            ++i;
            continue;
        }
        if (i + 2 > o.size) break;
        size_t len = o[i + 1];
        if (len < 2 || i + len > o.size) break;
        if ((type & 0x80) && n + len <= kIpv4MaxOptions) {  // the "copied" flag (RFC 791 section 3.1)
            std::memcpy(out + n, o.data + i, len);
            n += len;
        }
        i += len;
    }
    size_t padded = (n + 3) & ~size_t(3);
    std::memset(out + n, 0, padded - n);
    return padded;
}

}  // namespace nic
