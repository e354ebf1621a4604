// UDP (RFC 768) with the IPv4 pseudo-header checksum.
#pragma once

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"

namespace nic {

constexpr size_t kUdpHeaderLen = 8;

struct UdpRepr {
    uint16_t src_port = 0, dst_port = 0;
    ConstBytes payload;         // trimmed to the UDP length field
    bool had_checksum = true;   // false when the sender sent 0 (RFC 768: "no checksum")
};

// Truncated (< 8 bytes), BadLength (length field < 8 or > the IP payload), BadChecksum.
// A zero checksum field is accepted: RFC 768 lets an IPv4 sender omit the checksum.
Result<UdpRepr> parse_udp(ConstBytes p, Ipv4Addr src, Ipv4Addr dst, bool verify_checksum = true);
// Returns 8 + payload length, or 0 if `out` is too small or the datagram would exceed 65535 bytes.
// A computed checksum of 0 is sent as 0xffff (RFC 768). With fill_checksum false the field is left 0
// for a device that computes it (ChecksumCaps::udp Tx).
size_t emit_udp(const UdpRepr& r, Ipv4Addr src, Ipv4Addr dst, MutBytes out, bool fill_checksum = true);

}  // namespace nic
