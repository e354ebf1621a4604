// IPv4 header (RFC 791 section 3.1) with options. parse_ipv4 checks, in this order, exactly what
// ip_input counts: length >= 20, version, IHL, total length against the frame, header checksum, options.
#pragma once

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "wire/checksum.h"

namespace nic {

enum IpProto : uint8_t { kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17 };
constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpv4MaxHeader = 60;
constexpr size_t kIpv4MaxOptions = 40;

struct Ipv4Repr {
    Ipv4Addr src, dst;
    uint8_t proto = 0;
    uint8_t ttl = 64;
    uint8_t tos = 0;           // DSCP + ECN (RFC 2474, RFC 3168)
    uint16_t ident = 0;
    bool dont_frag = false;
    bool more_frags = false;
    uint16_t frag_offset = 0;  // in bytes (the field counts 8-byte units)
    ConstBytes options;        // raw option bytes including padding, a multiple of 4 long
    ConstBytes payload;        // exactly total_length - header_length bytes (link padding trimmed)
    size_t header_len() const { return kIpv4MinHeader + options.size; }
    bool is_fragment() const { return more_frags || frag_offset != 0; }
};

// Option summary for callers that care (RFC 791 section 3.1; RFC 2113 router alert).
struct Ipv4OptionInfo {
    bool record_route = false, timestamp = false, loose_source_route = false,
         strict_source_route = false, router_alert = false, security = false;
    int count = 0;
};

// `verify_checksum` false when the device checked it (ChecksumCaps::ipv4 Rx).
Result<Ipv4Repr> parse_ipv4(ConstBytes pkt, bool verify_checksum = true);
// Validates the option list format (type, length within bounds, pointer fields); BadOptions on error.
Result<Ipv4OptionInfo> parse_ipv4_options(ConstBytes options);
// Writes the header for a payload of `payload_len` bytes; options are copied and padded with EOL to a
// multiple of 4. Returns the header length, or 0 if `out` is too small or the options are > 40 bytes.
size_t emit_ipv4(const Ipv4Repr& r, size_t payload_len, MutBytes out, bool fill_checksum = true);
// RFC 791 section 3.2 fragmentation: an option is copied into every fragment when its "copied" bit is
// set; returns the options to put into non-first fragments (written into `out`, padded).
size_t ipv4_options_for_fragments(ConstBytes options, uint8_t out[kIpv4MaxOptions]);

}  // namespace nic
