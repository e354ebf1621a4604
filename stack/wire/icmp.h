// ICMP for IPv4 (RFC 792): echo, destination unreachable (with the quoted header), time exceeded.
#pragma once

#include "base/bytes.h"
#include "base/result.h"

namespace nic {

enum IcmpType : uint8_t {
    kIcmpEchoReply = 0, kIcmpDestUnreach = 3, kIcmpEchoRequest = 8, kIcmpTimeExceeded = 11,
    kIcmpParamProblem = 12,
};
enum IcmpUnreachCode : uint8_t {
    kUnreachNet = 0, kUnreachHost = 1, kUnreachProtocol = 2, kUnreachPort = 3, kUnreachFragNeeded = 4,
};
constexpr size_t kIcmpHeaderLen = 8;

struct IcmpRepr {
    uint8_t type = 0, code = 0;
    uint16_t ident = 0, seq = 0;  // echo request/reply
    uint16_t next_hop_mtu = 0;    // dest unreachable code 4 (RFC 1191 section 4)
    ConstBytes data;              // echo data, or the quoted IP header + 8 bytes for errors
    bool is_error() const {
        return type == kIcmpDestUnreach || type == kIcmpTimeExceeded || type == kIcmpParamProblem;
    }
};

// Truncated (< 8), BadChecksum (unless the device verified it).
Result<IcmpRepr> parse_icmp(ConstBytes p, bool verify_checksum = true);
size_t icmp_len(const IcmpRepr& r);
// Writes header + data; returns length or 0 when `out` is too small.
size_t emit_icmp(const IcmpRepr& r, MutBytes out, bool fill_checksum = true);

}  // namespace nic
