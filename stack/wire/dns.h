// DNS messages (RFC 1035 section 4): header, questions, resource records, names with compression
// (section 4.1.4). The parser never trusts a count or a pointer: every read is bounds-checked, a
// compression pointer must point strictly backwards (so it cannot loop) and at most 127 of them are
// followed, labels are <= 63 bytes and names <= 255 bytes (section 2.3.4).
#pragma once

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"

#include <string>
#include <vector>

namespace nic {

constexpr size_t kDnsHeaderLen = 12;
constexpr size_t kDnsMaxName = 255;
constexpr size_t kDnsMaxUdp = 512;  // RFC 1035 4.2.1 (no EDNS0)

enum DnsType : uint16_t { kDnsA = 1, kDnsNs = 2, kDnsCname = 5, kDnsSoa = 6, kDnsPtr = 12, kDnsMx = 15, kDnsTxt = 16, kDnsAaaa = 28 };
enum DnsClass : uint16_t { kDnsIn = 1 };
enum DnsRcode : uint8_t { kRcodeOk = 0, kRcodeFormErr = 1, kRcodeServFail = 2, kRcodeNxDomain = 3, kRcodeNotImp = 4, kRcodeRefused = 5 };

struct DnsHeader {
    uint16_t id = 0;
    bool qr = false, aa = false, tc = false, rd = false, ra = false;
    uint8_t opcode = 0, rcode = 0;
    uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
};

struct DnsQuestion {
    std::string name;  // dotted, no trailing dot; "" is the root
    uint16_t qtype = kDnsA, qclass = kDnsIn;
};

struct DnsRecord {
    std::string name;
    uint16_t type = 0, klass = 0;
    uint32_t ttl = 0;
    ConstBytes rdata;     // view into the message
    Ipv4Addr a;           // type A (rdlength 4)
    std::string target;   // CNAME/NS/PTR: the decompressed name; SOA: MNAME
    uint32_t soa_minimum = 0;  // SOA: the MINIMUM field (RFC 2308 section 4: the negative-caching TTL)
};

struct DnsMessage {
    DnsHeader header;
    std::vector<DnsQuestion> questions;
    std::vector<DnsRecord> answers, authority, additional;
};

// Truncated: the message ends inside something a count or length announced. BadPointer: forward,
// self, looping or out-of-bounds compression pointer. Malformed: label > 63, name > 255, reserved
// label types (0x40, 0x80), A record with rdlength != 4, a '.' inside a label.
Result<DnsMessage> parse_dns(ConstBytes msg);
Result<DnsHeader> parse_dns_header(ConstBytes msg);
// Reads a (possibly compressed) name at `off`; `next` is the offset after it in the original stream.
WireError read_dns_name(ConstBytes msg, size_t off, std::string& out, size_t& next);

// Query with one question (RD set: we are a stub resolver, RFC 1123 6.1.3.1). Empty on a bad name.
std::vector<uint8_t> build_dns_query(uint16_t id, const std::string& name, uint16_t qtype = kDnsA);
// Encodes a name without compression; false if a label is empty/too long or the name > 255 bytes.
bool encode_dns_name(const std::string& name, std::vector<uint8_t>& out);
// Case-insensitive name comparison (RFC 4343), ignoring one trailing dot.
bool dns_name_equal(const std::string& a, const std::string& b);

// Response builder for the tiny authoritative server: copies the question, points answer names at it
// (compression pointer 0xc00c), sets QR/AA and echoes RD.
struct DnsAnswerA {
    Ipv4Addr addr;
    uint32_t ttl = 300;
};
std::vector<uint8_t> build_dns_response(const DnsHeader& query, const DnsQuestion& q, uint8_t rcode,
                                        const std::vector<DnsAnswerA>& answers);

}  // namespace nic
