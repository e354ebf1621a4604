// DNS parse/emit (RFC 1035 section 4). Every read is bounds-checked against the message; names are
// read with compression pointers that must point strictly backwards (section 4.1.4), so a pointer
// chain always ends. Used by the resolver and the responder (svc/dns.cpp) and the DNS fuzz target.
#include "wire/dns.h"

#include <cctype>

namespace nic {

namespace {
constexpr int kMaxPointers = 127;  // a name has at most 127 labels; more jumps can only be a loop
}

Result<DnsHeader> parse_dns_header(ConstBytes m) {
    if (m.size < kDnsHeaderLen) return WireError::Truncated;
    DnsHeader h;
    h.id = rd16(m.data);
    uint16_t f = rd16(m.data + 2);
    h.qr = f & 0x8000;
    h.opcode = uint8_t((f >> 11) & 0xf);
    h.aa = f & 0x0400;
    h.tc = f & 0x0200;
    h.rd = f & 0x0100;
    h.ra = f & 0x0080;
    h.rcode = uint8_t(f & 0xf);
    h.qdcount = rd16(m.data + 4);
    h.ancount = rd16(m.data + 6);
    h.nscount = rd16(m.data + 8);
    h.arcount = rd16(m.data + 10);
    return h;
}

WireError read_dns_name(ConstBytes m, size_t off, std::string& out, size_t& next) {
    out.clear();
    size_t pos = off;
    size_t wire_len = 0;        // encoded length of the name as if uncompressed (<= 255)
    size_t limit = off;         // a pointer must point before the start of what we are reading
    bool jumped = false;
    int jumps = 0;
    for (;;) {
        if (pos >= m.size) return WireError::Truncated;
        uint8_t len = m[pos];
        if ((len & 0xc0) == 0xc0) {
            if (pos + 1 >= m.size) return WireError::Truncated;
            size_t target = (size_t(len & 0x3f) << 8) | m[pos + 1];
            // Strictly backwards from the label that holds the pointer: no pointer can then reach
            // itself or anything after it, so following pointers always terminates.
            if (target >= limit || target >= m.size || ++jumps > kMaxPointers) return WireError::BadPointer;
            if (!jumped) next = pos + 2;
            jumped = true;
            limit = target;
            pos = target;
            continue;
        }
        if (len & 0xc0) return WireError::Malformed;  // 0x40 (EDNS extended labels, RFC 6891), 0x80 reserved
        if (len == 0) {
            if (!jumped) next = pos + 1;
            wire_len += 1;
            if (wire_len > kDnsMaxName) return WireError::Malformed;
            return WireError::Ok;
        }
        if (pos + 1 + len > m.size) return WireError::Truncated;
        wire_len += 1 + len;
        if (wire_len > kDnsMaxName) return WireError::Malformed;
        if (!out.empty()) out += '.';
        for (size_t i = 0; i < len; ++i) {
            char c = char(m[pos + 1 + i]);
            if (c == '.') return WireError::Malformed;  // would make the dotted form ambiguous
            out += c;
        }
        pos += 1 + len;
    }
}

namespace {

WireError read_record(ConstBytes m, size_t& off, DnsRecord& r) {
    size_t next = 0;
    if (WireError e = read_dns_name(m, off, r.name, next); e != WireError::Ok) return e;
    if (next + 10 > m.size) return WireError::Truncated;
    r.type = rd16(m.data + next);
    r.klass = rd16(m.data + next + 2);
    r.ttl = rd32(m.data + next + 4);
    // RFC 2181 section 8: a TTL with the top bit set is treated as zero.
    if (r.ttl & 0x80000000u) r.ttl = 0;
    size_t rdlen = rd16(m.data + next + 8);
    size_t rd = next + 10;
    if (rd + rdlen > m.size) return WireError::Truncated;
    r.rdata = m.sub(rd, rdlen);
    if (r.type == kDnsA && r.klass == kDnsIn) {
        if (rdlen != 4) return WireError::Malformed;
        r.a = Ipv4Addr(rd32(m.data + rd));
    } else if (r.type == kDnsCname || r.type == kDnsNs || r.type == kDnsPtr) {
        size_t after = 0;
        // The target may point anywhere before itself in the message, not only inside rdata.
        if (WireError e = read_dns_name(m, rd, r.target, after); e != WireError::Ok) return e;
        if (after != rd + rdlen) return WireError::Malformed;
    } else if (r.type == kDnsSoa) {
        // RFC 1035 3.3.13: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM (5 x 32 bits).
        std::string rname;
        size_t after = 0, after2 = 0;
        if (WireError e = read_dns_name(m, rd, r.target, after); e != WireError::Ok) return e;
        if (after > rd + rdlen) return WireError::Malformed;
        if (WireError e = read_dns_name(m, after, rname, after2); e != WireError::Ok) return e;
        if (after2 + 20 != rd + rdlen) return WireError::Malformed;
        r.soa_minimum = rd32(m.data + after2 + 16);
    }
    off = rd + rdlen;
    return WireError::Ok;
}

}  // namespace

Result<DnsMessage> parse_dns(ConstBytes m) {
    auto h = parse_dns_header(m);
    if (!h) return h.error();
    DnsMessage msg;
    msg.header = *h;
    size_t off = kDnsHeaderLen;
    // A question takes at least 5 bytes and a record 11: counts beyond that cannot be honest.
    if (size_t(h->qdcount) * 5 + (size_t(h->ancount) + h->nscount + h->arcount) * 11 > m.size - kDnsHeaderLen)
        return WireError::Truncated;
    for (uint16_t i = 0; i < h->qdcount; ++i) {
        DnsQuestion q;
        size_t next = 0;
        if (WireError e = read_dns_name(m, off, q.name, next); e != WireError::Ok) return e;
        if (next + 4 > m.size) return WireError::Truncated;
        q.qtype = rd16(m.data + next);
        q.qclass = rd16(m.data + next + 2);
        off = next + 4;
        msg.questions.push_back(std::move(q));
    }
    std::vector<DnsRecord>* sections[3] = {&msg.answers, &msg.authority, &msg.additional};
    uint16_t counts[3] = {h->ancount, h->nscount, h->arcount};
    for (int s = 0; s < 3; ++s) {
        for (uint16_t i = 0; i < counts[s]; ++i) {
            DnsRecord r;
            if (WireError e = read_record(m, off, r); e != WireError::Ok) return e;
            sections[s]->push_back(std::move(r));
        }
    }
    return msg;
}

bool encode_dns_name(const std::string& name, std::vector<uint8_t>& out) {
    std::string n = name;
    if (!n.empty() && n.back() == '.') n.pop_back();
    size_t start_size = out.size();
    size_t i = 0;
    while (i < n.size()) {
        size_t dot = n.find('.', i);
        if (dot == std::string::npos) dot = n.size();
        size_t len = dot - i;
        if (len == 0 || len > 63) return false;
        out.push_back(uint8_t(len));
        out.insert(out.end(), n.begin() + long(i), n.begin() + long(dot));
        i = dot + 1;
        if (dot == n.size()) break;
    }
    out.push_back(0);
    return out.size() - start_size <= kDnsMaxName;
}

bool dns_name_equal(const std::string& a, const std::string& b) {
    size_t la = a.size() - (!a.empty() && a.back() == '.');
    size_t lb = b.size() - (!b.empty() && b.back() == '.');
    if (la != lb) return false;
    for (size_t i = 0; i < la; ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

std::vector<uint8_t> build_dns_query(uint16_t id, const std::string& name, uint16_t qtype) {
    std::vector<uint8_t> m(kDnsHeaderLen, 0);
    wr16(&m[0], id);
    wr16(&m[2], 0x0100);  // RD
    wr16(&m[4], 1);
    if (!encode_dns_name(name, m)) return {};
    m.resize(m.size() + 4);
    wr16(&m[m.size() - 4], qtype);
    wr16(&m[m.size() - 2], kDnsIn);
    return m;
}

std::vector<uint8_t> build_dns_response(const DnsHeader& qh, const DnsQuestion& q, uint8_t rcode,
                                        const std::vector<DnsAnswerA>& answers) {
    std::vector<uint8_t> m(kDnsHeaderLen, 0);
    wr16(&m[0], qh.id);
    uint16_t flags = 0x8000 | 0x0400 | (qh.rd ? 0x0100 : 0) | (rcode & 0xf);  // QR, AA, RD echoed
    flags |= uint16_t((qh.opcode & 0xf) << 11);
    wr16(&m[2], flags);
    if (!encode_dns_name(q.name, m)) {
        m.resize(kDnsHeaderLen);  // no question we can repeat: header only
        wr16(&m[2], uint16_t((flags & 0xfff0) | kRcodeFormErr));
        return m;
    }
    wr16(&m[4], 1);
    m.resize(m.size() + 4);
    wr16(&m[m.size() - 4], q.qtype);
    wr16(&m[m.size() - 2], q.qclass);
    size_t n = 0;
    for (const auto& a : answers) {
        if (m.size() + 16 > kDnsMaxUdp) {
            wr16(&m[2], uint16_t(rd16(&m[2]) | 0x0200));  // TC: did not fit (RFC 1035 4.1.1)
            break;
        }
        size_t o = m.size();
        m.resize(o + 16);
        wr16(&m[o], 0xc00c);  // pointer to the question's name at offset 12
        wr16(&m[o + 2], kDnsA);
        wr16(&m[o + 4], kDnsIn);
        wr32(&m[o + 6], a.ttl);
        wr16(&m[o + 10], 4);
        wr32(&m[o + 12], a.addr.v);
        ++n;
    }
    wr16(&m[6], uint16_t(n));
    return m;
}

}  // namespace nic
