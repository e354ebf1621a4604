// TCP header parse and emit (RFC 9293 section 3.1). See tcp_wire.h.
#include "tcp/tcp_wire.h"

#include "wire/checksum.h"

#include <cstdio>

namespace nic {

namespace {

enum : uint8_t { kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWs = 3, kOptSackPerm = 4, kOptSack = 5, kOptTs = 8 };

// How many SACK blocks fit beside the other options in 40 bytes.
size_t sack_fit(const TcpOptions& o, size_t other) {
    if (o.sack_count == 0 || other + 12 > kTcpMaxOptionsLen) return 0;
    size_t n = (kTcpMaxOptionsLen - other - 4) / 8;
    return n < o.sack_count ? n : o.sack_count;
}

size_t fixed_options_len(const TcpOptions& o) {
    size_t n = 0;
    if (o.mss) n += 4;
    if (o.ts || o.sack_permitted) n += (o.ts ? 12 : 4);  // TS (with SACK-perm or 2 NOPs), or NOP NOP SACK-perm
    if (o.wscale) n += 4;                                // NOP + window scale
    return n;
}

}  // namespace

bool TcpOptions::operator==(const TcpOptions& o) const {
    if (mss != o.mss || wscale != o.wscale || sack_permitted != o.sack_permitted || ts != o.ts ||
        sack_count != o.sack_count)
        return false;
    for (size_t i = 0; i < sack_count; ++i)
        if (!(sack[i] == o.sack[i])) return false;
    return true;
}

std::string TcpFlags::str() const {
    std::string s;
    if (syn()) s += 'S';
    if (fin()) s += 'F';
    if (rst()) s += 'R';
    if (psh()) s += 'P';
    if (urg()) s += 'U';
    if (ack()) s += '.';
    return s.empty() ? "none" : s;
}

std::string TcpRepr::str() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s seq=%u ack=%u win=%u len=%zu", flags.str().c_str(), seq.v, ack.v,
                  unsigned(window), payload.size);
    std::string s = buf;
    std::string o;
    auto add = [&](const std::string& x) { o += (o.empty() ? "" : ",") + x; };
    if (options.mss) add("mss " + std::to_string(*options.mss));
    if (options.wscale) add("ws " + std::to_string(*options.wscale));
    if (options.sack_permitted) add("sackOK");
    if (options.ts) add("ts " + std::to_string(options.ts->val) + " " + std::to_string(options.ts->ecr));
    for (size_t i = 0; i < options.sack_count; ++i)
        add("sack " + std::to_string(options.sack[i].left.v) + "-" + std::to_string(options.sack[i].right.v));
    if (!o.empty()) s += " <" + o + ">";
    return s;
}

size_t tcp_options_len(const TcpOptions& o) {
    size_t fixed = fixed_options_len(o);
    size_t n = sack_fit(o, fixed);
    return fixed + (n ? 4 + 8 * n : 0);
}

Result<TcpRepr> parse_tcp(ConstBytes seg, Ipv4Addr src, Ipv4Addr dst, bool verify_checksum) {
    if (seg.size < kTcpHeaderLen) return WireError::Truncated;
    const uint8_t* p = seg.data;
    size_t hlen = size_t(p[12] >> 4) * 4;
    if (hlen < kTcpHeaderLen || hlen > seg.size) return WireError::BadHeaderLen;
    if (seg.size > 0xffff) return WireError::BadLength;
    if (verify_checksum) {
        // RFC 9293 3.1: the sum over pseudo-header, header and data, checksum field included, is 0.
        uint32_t acc = pseudo_header_sum(src, dst, kIpProtoTcp, uint16_t(seg.size));
        if (checksum_finish(checksum_add(seg, acc)) != 0) return WireError::BadChecksum;
    }
    TcpRepr r;
    r.src_port = rd16(p);
    r.dst_port = rd16(p + 2);
    r.seq = SeqNum(rd32(p + 4));
    r.ack = SeqNum(rd32(p + 8));
    r.flags = TcpFlags(p[13]);
    r.window = rd16(p + 14);
    r.urgent = rd16(p + 18);
    // Options (RFC 9293 3.1 "Options"; RFC 7323; RFC 2018). Each multi-byte option must have a
    // length byte that is >= 2, stays inside the header and matches its kind.
    size_t i = kTcpHeaderLen;
    while (i < hlen) {
        uint8_t kind = p[i];
        if (kind == kOptEol) break;
        if (kind == kOptNop) {
            ++i;
            continue;
        }
        if (i + 1 >= hlen) return WireError::BadOptions;
        size_t len = p[i + 1];
        if (len < 2 || i + len > hlen) return WireError::BadOptions;
        const uint8_t* v = p + i + 2;
        switch (kind) {
        case kOptMss:
            if (len != 4) return WireError::BadOptions;
            r.options.mss = rd16(v);
            break;
        case kOptWs:
            if (len != 3) return WireError::BadOptions;
            // RFC 7323 2.3: a shift above 14 is treated as 14.
            r.options.wscale = v[0] > 14 ? uint8_t(14) : v[0];
            break;
        case kOptSackPerm:
            if (len != 2) return WireError::BadOptions;
            r.options.sack_permitted = true;
            break;
        case kOptSack: {
            if (len < 10 || (len - 2) % 8 != 0 || (len - 2) / 8 > 4) return WireError::BadOptions;
            size_t n = (len - 2) / 8;
            r.options.sack_count = uint8_t(n);
            for (size_t b = 0; b < n; ++b)
                r.options.sack[b] = SackBlock{SeqNum(rd32(v + 8 * b)), SeqNum(rd32(v + 8 * b + 4))};
            break;
        }
        case kOptTs:
            if (len != 10) return WireError::BadOptions;
            r.options.ts = TcpTimestamp{rd32(v), rd32(v + 4)};
            break;
        default:
            break;  // unknown: skipped by its length
        }
        i += len;
    }
    r.payload = seg.sub(hlen);
    return r;
}

size_t emit_tcp(const TcpRepr& r, Ipv4Addr src, Ipv4Addr dst, MutBytes out, bool fill_checksum) {
    const TcpOptions& o = r.options;
    size_t fixed = fixed_options_len(o);
    size_t nsack = sack_fit(o, fixed);
    size_t hlen = kTcpHeaderLen + fixed + (nsack ? 4 + 8 * nsack : 0);
    size_t total = hlen + r.payload.size;
    if (hlen > kTcpHeaderLen + kTcpMaxOptionsLen || total > 0xffff || out.size < total) return 0;
    uint8_t* p = out.data;
    wr16(p, r.src_port);
    wr16(p + 2, r.dst_port);
    wr32(p + 4, r.seq.v);
    wr32(p + 8, r.ack.v);
    p[12] = uint8_t((hlen / 4) << 4);
    p[13] = r.flags.bits;
    wr16(p + 14, r.window);
    wr16(p + 16, 0);
    wr16(p + 18, r.urgent);
    uint8_t* q = p + kTcpHeaderLen;
    if (o.mss) {
        q[0] = kOptMss, q[1] = 4;
        wr16(q + 2, *o.mss);
        q += 4;
    }
    if (o.ts) {
        if (o.sack_permitted) {
            q[0] = kOptSackPerm, q[1] = 2;
        } else {
            q[0] = kOptNop, q[1] = kOptNop;
        }
        q[2] = kOptTs, q[3] = 10;
        wr32(q + 4, o.ts->val);
        wr32(q + 8, o.ts->ecr);
        q += 12;
    } else if (o.sack_permitted) {
        q[0] = kOptNop, q[1] = kOptNop, q[2] = kOptSackPerm, q[3] = 2;
        q += 4;
    }
    if (o.wscale) {
        q[0] = kOptNop, q[1] = kOptWs, q[2] = 3, q[3] = *o.wscale;
        q += 4;
    }
    if (nsack) {
        q[0] = kOptNop, q[1] = kOptNop, q[2] = kOptSack, q[3] = uint8_t(2 + 8 * nsack);
        q += 4;
        for (size_t b = 0; b < nsack; ++b, q += 8) {
            wr32(q, o.sack[b].left.v);
            wr32(q + 4, o.sack[b].right.v);
        }
    }
    if (fill_checksum) {
        // RFC 9293 3.1: over pseudo-header, header and data; the data summed as it is copied (the
        // header length is a multiple of 4, so the chained sums stay aligned to 16-bit words).
        uint32_t acc = checksum_add(ConstBytes(p, hlen), pseudo_header_sum(src, dst, kIpProtoTcp, uint16_t(total)));
        if (r.payload.size) acc = checksum_copy(p + hlen, r.payload, acc);
        wr16(p + 16, checksum_finish(acc));
    } else if (r.payload.size) {
        std::memcpy(p + hlen, r.payload.data, r.payload.size);
    }
    return total;
}

}  // namespace nic
