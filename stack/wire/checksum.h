// The Internet checksum (RFC 1071) and its incremental update (RFC 1624), plus the capabilities a
// device reports for computing it in hardware (per protocol and direction).
#pragma once

#include "base/addr.h"
#include "base/bytes.h"

#include <cstdint>

namespace nic {

// One's-complement sum of 16-bit big-endian words, not yet folded (RFC 1071 section 4.1). An odd
// trailing byte is padded with zero. `acc` chains sums over several buffers; callers that chain must
// give all but the last buffer an even length.
uint32_t checksum_add(ConstBytes data, uint32_t acc = 0);
// Copies `src` to `dst` and returns checksum_add(src, acc): one pass over the bytes for both, as
// the data path does when it moves payload between a socket buffer and a frame.
uint32_t checksum_copy(uint8_t* dst, ConstBytes src, uint32_t acc = 0);
// The loop checksum_add and checksum_copy run: the widest the CPU has, chosen at start-up. Tests
// select each in turn to hold them all to the reference; false if the CPU lacks the one asked for.
enum class ChecksumImpl : uint8_t { Portable = 0, Sse2 = 1, Avx2 = 2 };
ChecksumImpl checksum_impl();
bool checksum_select(ChecksumImpl impl);
// Folds the carries and complements: the value to put in a header field.
uint16_t checksum_finish(uint32_t acc);
inline uint16_t internet_checksum(ConstBytes data) { return checksum_finish(checksum_add(data)); }
// Sum of the IPv4 pseudo-header (RFC 768; RFC 9293 section 3.1) for UDP/TCP.
uint32_t pseudo_header_sum(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t length);
// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after one 16-bit word changes from m to m'.
// Unlike eqn. 2 it never yields 0xffff-vs-0 ambiguity for a header whose sum is not all zero.
uint16_t checksum_update16(uint16_t hc, uint16_t old_word, uint16_t new_word);

// Who computes a checksum, per direction (as smoltcp's Checksum): a NIC that offloads it says so and
// the stack leaves the field for it (tx) or trusts its verdict (rx); otherwise software does it.
enum class Offload : uint8_t { None = 0, Rx = 1, Tx = 2, Both = 3 };
inline bool offloads_rx(Offload o) { return o == Offload::Rx || o == Offload::Both; }
inline bool offloads_tx(Offload o) { return o == Offload::Tx || o == Offload::Both; }

struct ChecksumCaps {
    Offload ipv4 = Offload::None;
    Offload udp = Offload::None;
    Offload tcp = Offload::None;
    Offload icmp = Offload::None;
    // Software does everything: the default for TAP, the in-memory link and parsers in tests.
    static ChecksumCaps none() { return ChecksumCaps{}; }
    static ChecksumCaps all() { return ChecksumCaps{Offload::Both, Offload::Both, Offload::Both, Offload::Both}; }
};

}  // namespace nic
