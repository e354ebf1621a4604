// Reference model of Ethernet framing on GMII, written from IEEE 802.3 clauses 3, 4 and 35 and
// independent of the RTL: a software CRC-32, the frame encoder a transmitting MAC must produce,
// and the classifier that says what a receiving MAC must make of any symbol stream.
// Tests, the demo and the benchmarks check the RTL against it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nic::ref {

// One GMII byte time.
struct GmiiSymbol {
    uint8_t d = 0;
    bool dv = false;
    bool er = false;
};
using Symbols = std::vector<GmiiSymbol>;

constexpr size_t kPreambleLen = 7;     // clause 4.2.5
constexpr uint8_t kPreambleByte = 0x55;
constexpr uint8_t kSfd = 0xD5;
constexpr size_t kMinFrame = 64;       // clause 4.4.2 minFrameSize, FCS included
constexpr size_t kFcsLen = 4;
constexpr size_t kMaxFrame = 1518;     // untagged maxFrameSize, FCS included
constexpr size_t kJumboFrame = 9018;

// CRC-32 of clause 3.2.9 over `len` bytes, as transmitted in the FCS field (complemented).
uint32_t crc32(const uint8_t* data, size_t len);
inline uint32_t crc32(const std::vector<uint8_t>& v) { return crc32(v.data(), v.size()); }

// The MAC frame for a payload from the destination address on: padded to 60 bytes with zeros
// (clause 4.2.3.3), FCS appended least significant byte first.
std::vector<uint8_t> mac_frame(const std::vector<uint8_t>& data);

// The bytes a transmitting MAC puts on GMII with tx_en: preamble, SFD, then mac_frame(data).
std::vector<uint8_t> wire_bytes(const std::vector<uint8_t>& data);

// What a receiving MAC must do with one carrier event (the symbols while rx_dv is high).
enum class RxOutcome { Good, Fcs, Runt, Oversize, RxEr, Preamble, Short };
const char* to_string(RxOutcome o);
constexpr int kRxOutcomes = 7;

struct RxExpect {
    RxOutcome outcome = RxOutcome::Good;
    // Bytes handed to the user: the frame without its FCS for a good frame; for a bad one, the
    // part a cut-through MAC has already delivered (it must then end with tuser set).
    std::vector<uint8_t> delivered;
    bool has_output = false;           // a tlast beat is produced at all
    size_t length = 0;                 // bytes after the SFD that the MAC accepted
};

// Classifies one carrier event. `max_len` counts the FCS (1518 untagged, 9018 jumbo).
RxExpect classify(const Symbols& burst, size_t max_len);

// The PHY interfaces a MAC may have: symbol widths 8 (GMII, clause 35), 4 (MII, clause 22) and 2
// (RMII spec 1.2), symbols least significant first.
enum class PhyIf { Gmii, Mii, Rmii };

// What a receiver that finds the byte boundary on the SFD makes of one carrier event sent as
// bytes (`burst`) over `phy`: the bytes it hands on, one GmiiSymbol per byte. GMII: the burst
// itself. MII/RMII: the symbols are packed into bytes from the first one; the first time the
// last 8 bits received (newest at the top) read 0xD5 (nibbles 5 D, dibits 01 01 01 11), that SFD
// is a byte by itself and the boundary is fixed there (802.3 22.2.3.2.1: a PHY may drop preamble
// symbols). RMII: dibits 00 before the first other one are not data (RXD idles at 00 while the
// PHY locks, RMII 1.2 section 5.3.1). Symbols left over at the end are dropped (4.2.4.2.1); a
// byte's er is the OR over its symbols since the previous byte.
Symbols align_rx(PhyIf phy, const Symbols& burst);

// Splits a symbol stream into carrier events (maximal runs with dv high).
std::vector<Symbols> carrier_events(const Symbols& stream);

std::string hex(const std::vector<uint8_t>& v, size_t max_bytes = 32);

}  // namespace nic::ref
