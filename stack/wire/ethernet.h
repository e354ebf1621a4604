// Ethernet II framing (IEEE 802.3 clause 3.2.6 length/type >= 0x0600) and ARP for IPv4 over Ethernet
// (RFC 826). Frames arrive without preamble and FCS (a NIC strips them).
#pragma once

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"

namespace nic {

enum EtherType : uint16_t { kEtherIpv4 = 0x0800, kEtherArp = 0x0806, kEtherVlan = 0x8100, kEtherIpv6 = 0x86dd };
constexpr size_t kEthHeaderLen = 14;

struct EthRepr {
    MacAddr dst, src;
    uint16_t ethertype = 0;
    ConstBytes payload;  // may include padding up to the 60-byte minimum; upper layers trim it
};

// Errors: Truncated (< 14 bytes), Unsupported (length field < 0x0600: 802.3 length / LLC, not Ethernet II).
Result<EthRepr> parse_ethernet(ConstBytes frame);
// Writes the 14-byte header; returns 0 if `out` is too small.
size_t emit_ethernet(const EthRepr& r, MutBytes out);

enum class ArpOp : uint16_t { Request = 1, Reply = 2 };
constexpr size_t kArpLen = 28;

struct ArpRepr {
    ArpOp op = ArpOp::Request;
    MacAddr sha;   // sender hardware address
    Ipv4Addr spa;  // sender protocol address
    MacAddr tha;
    Ipv4Addr tpa;
};

// RFC 826 "Packet Reception": only hrd=1 (Ethernet), pro=0x0800, hln=6, pln=4 and op 1 or 2 are
// ours; others are Unsupported. Fewer than 28 bytes: Truncated.
Result<ArpRepr> parse_arp(ConstBytes p);
size_t emit_arp(const ArpRepr& r, MutBytes out);

}  // namespace nic
