// TCP header parse and emit (RFC 9293 section 3.1) with the options this stack speaks: MSS
// (RFC 9293 3.2), window scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
//   ip_input -> parse_tcp -> TcpMux::input -> TcpSocket::on_segment
//   TcpSocket::poll_transmit -> TcpRepr -> emit_tcp -> ip_output
// The checksum covers the IPv4 pseudo-header (RFC 9293 3.1, "Checksum") and reuses wire/checksum.
#pragma once

#include "iface/tx_path.h"
#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "tcp/seq.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace nic {

constexpr size_t kTcpHeaderLen = 20;      // without options
constexpr size_t kTcpMaxOptionsLen = 40;  // data offset is 4 bits of 32-bit words: 60 - 20
constexpr uint8_t kIpProtoTcp = 6;

// Control bits (RFC 9293 3.1; ECE/CWR from RFC 3168, parsed and carried but not acted on).
struct TcpFlags {
    static constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                             kUrg = 0x20, kEce = 0x40, kCwr = 0x80;
    uint8_t bits = 0;
    constexpr TcpFlags() = default;
    constexpr explicit TcpFlags(uint8_t b) : bits(b) {}
    bool fin() const { return bits & kFin; }
    bool syn() const { return bits & kSyn; }
    bool rst() const { return bits & kRst; }
    bool psh() const { return bits & kPsh; }
    bool ack() const { return bits & kAck; }
    bool urg() const { return bits & kUrg; }
    bool operator==(TcpFlags o) const { return bits == o.bits; }
    std::string str() const;  // "SA", "FPA", ... as tcpdump prints them ('.' for ACK)
};

struct SackBlock {
    SeqNum left, right;  // [left, right): RFC 2018 section 3
    bool operator==(const SackBlock& o) const { return left == o.left && right == o.right; }
};

struct TcpTimestamp {
    uint32_t val = 0, ecr = 0;  // RFC 7323 section 3.2
    bool operator==(const TcpTimestamp& o) const { return val == o.val && ecr == o.ecr; }
    bool operator!=(const TcpTimestamp& o) const { return !(*this == o); }
};

struct TcpOptions {
    std::optional<uint16_t> mss;          // kind 2, only on SYN (RFC 9293 3.7.1)
    std::optional<uint8_t> wscale;        // kind 3, only on SYN; parse clamps > 14 to 14 (RFC 7323 2.3)
    bool sack_permitted = false;          // kind 4, only on SYN (RFC 2018 section 2)
    uint8_t sack_count = 0;               // kind 5, up to 4 blocks (3 with timestamps)
    std::array<SackBlock, 4> sack{};
    std::optional<TcpTimestamp> ts;       // kind 8
    bool operator==(const TcpOptions& o) const;
};

struct TcpRepr {
    uint16_t src_port = 0, dst_port = 0;
    SeqNum seq, ack;
    TcpFlags flags;
    uint16_t window = 0;   // raw field, before window scaling
    uint16_t urgent = 0;
    TcpOptions options;
    ConstBytes payload;    // view into the parsed buffer or the sender's buffer: valid until its next call
    // Received only: the payload is already in the connection's receive ring at RCV.NXT
    // (TcpSocket::place_payload copied it there while the checksum was verified).
    bool payload_placed = false;
    // Sequence space the segment occupies: data plus one each for SYN and FIN (RFC 9293 3.4).
    uint32_t seg_len() const { return uint32_t(payload.size) + (flags.syn() ? 1 : 0) + (flags.fin() ? 1 : 0); }
    std::string str() const;  // "S seq=1000 ack=0 win=65535 len=0 <mss 1460,ws 7,sackOK,ts 1 0>"
};

// Size of the options as emit_tcp lays them out (padded to 32 bits).
size_t tcp_options_len(const TcpOptions& o);
inline size_t tcp_header_len(const TcpRepr& r) { return kTcpHeaderLen + tcp_options_len(r.options); }

// Errors: Truncated (< 20 bytes), BadHeaderLen (data offset < 5 or past the segment), BadChecksum,
// BadOptions (an option whose length byte is missing, < 2, runs past the header, or is wrong for its
// kind). Unknown options are skipped by their length (RFC 9293 3.1, "must be prepared to handle").
Result<TcpRepr> parse_tcp(ConstBytes seg, Ipv4Addr src, Ipv4Addr dst, bool verify_checksum = true);
// Returns the segment length, or 0 if `out` is too small, the options do not fit in 40 bytes, or the
// segment would exceed 65535 bytes. fill_checksum false leaves the field 0 for checksum offload.
size_t emit_tcp(const TcpRepr& r, Ipv4Addr src, Ipv4Addr dst, MutBytes out, bool fill_checksum = true);

// A segment with its IPv4 addresses: what a listener (many peers) or the mux hands to ip_output.
struct TcpOut {
    Ipv4Addr src, dst;
    TcpRepr repr;
    TxPath* path = nullptr;  // the connection's cached path (none for listeners' and stray answers)
};

}  // namespace nic
