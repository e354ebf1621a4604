// Helpers shared by the MAC tests: frames to send and checks of what came back.
#pragma once

#include "mac/gmii_ref.h"
#include "mac/mac_harness.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nic::test {

using namespace nic::sim;
using nic::ref::GmiiSymbol;
using nic::ref::RxOutcome;
using nic::ref::Symbols;

// A frame of `len` bytes from the destination address to the end of the payload (no FCS):
// unicast destination, a fixed source, an EtherType, then bytes from the generator.
inline std::vector<uint8_t> make_frame(size_t len, std::mt19937_64& rng) {
    std::vector<uint8_t> f(len);
    const uint8_t hdr[14] = {0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0x02, 0x00,
                             0x00, 0x11, 0x22, 0x33, 0x88, 0xb5};
    for (size_t i = 0; i < len; ++i) f[i] = i < 14 ? hdr[i] : uint8_t(rng());
    return f;
}

// GMII symbols for a list of wire bytes, all with rx_dv.
inline Symbols symbols(const std::vector<uint8_t>& bytes) {
    Symbols s;
    for (uint8_t b : bytes) s.push_back(GmiiSymbol{b, true, false});
    return s;
}

inline std::vector<uint8_t> bytes_of(const Symbols& s) {
    std::vector<uint8_t> b;
    for (const auto& x : s) b.push_back(x.d);
    return b;
}

// Every test of the suite runs once per PHY mode: GMII, MII, RMII at 100 and at 10 Mb/s
// (instances Modes/<Suite>.<Test>/GMII, /MII, /RMII100, /RMII10).
inline std::string mode_name(const ::testing::TestParamInfo<MacMode>& i) { return to_string(i.param); }
#define NIC_MAC_MODES(suite) \
    INSTANTIATE_TEST_SUITE_P(Modes, suite, ::testing::ValuesIn(::nic::sim::kAllMacModes), \
                             ::nic::test::mode_name)

// Counter differences, for "exactly this counter moved by one".
inline MacCounters delta(const MacCounters& after, const MacCounters& before) {
    MacCounters d;
    for (int i = 0; i < MacCounters::kTxCount; ++i) d.tx[i] = after.tx[i] - before.tx[i];
    for (int i = 0; i < MacCounters::kRxCount; ++i) d.rx[i] = after.rx[i] - before.rx[i];
    return d;
}

}  // namespace nic::test
