// Receive path of rtl/mac/eth_mac_rx.v, driven symbol by symbol on its GMII pins: every frame
// size, jumbo, and the fault matrix. For every fault the expectation comes from ref::classify
// (written from 802.3, not from the RTL): the frame is flagged or dropped, exactly the right
// counter moves by one, and the good frame sent right after it arrives intact.
#include "mac_test_util.h"

#include <sstream>

namespace nic::test {
namespace {

MacConfig rx_only(MacMode mode, uint16_t max_len = 1518) {
    MacConfig c;
    c.mode = mode;
    c.loopback = false;
    c.max_len = max_len;
    return c;
}

class MacRx : public ::testing::TestWithParam<MacMode> {
protected:
    MacConfig rx_only(uint16_t max_len = 1518) const { return test::rx_only(GetParam(), max_len); }
};

// Pushes one carrier event plus a gap, then a good frame, and checks both against the model.
class RxFault : public ::testing::TestWithParam<MacMode> {
protected:
    void SetUp() override { h_ = std::make_unique<MacHarness>(rx_only(GetParam())); }

    // `burst` is what the PHY delivers with rx_dv; returns the outcome the MAC produced.
    void expect_fault(const Symbols& burst, RxOutcome want, const std::string& what,
                      unsigned gap = 12) {
        SCOPED_TRACE(what);
        auto before = h_->counters();
        size_t frames_before = h_->rx_frames().size();
        ref::RxExpect e = h_->expect_rx(burst);
        ASSERT_EQ(ref::to_string(e.outcome), std::string(ref::to_string(want)))
            << "the reference model disagrees with the test's expectation";
        auto good = make_frame(60 + rng_() % 100, rng_);
        h_->push_rx(burst);
        h_->push_rx_idle(gap);
        h_->push_rx(symbols(ref::wire_bytes(good)));
        h_->push_rx_idle(12);
        ASSERT_TRUE(h_->drain());

        auto d = delta(h_->counters(), before);
        MacCounters want_d;
        want_d.rx[MacCounters::rx_index(want)] = 1;
        want_d.rx[MacCounters::kRxFrames] += 1;   // the good frame after it
        want_d.rx[MacCounters::kRxBytes] = uint32_t(good.size() + 4 +
                                                    (want == RxOutcome::Good ? e.length : 0));
        for (int i = 0; i < MacCounters::kRxCount; ++i)
            EXPECT_EQ(d.rx[i], want_d.rx[i]) << MacCounters::rx_name(i);

        auto& f = h_->rx_frames();
        size_t expect_frames = frames_before + (e.has_output ? 1 : 0) + 1;
        ASSERT_EQ(f.size(), expect_frames);
        if (e.has_output) {
            const RxFrame& bad = f[f.size() - 2];
            EXPECT_EQ(bad.bad, want != RxOutcome::Good);
            EXPECT_EQ(bad.data, e.delivered);
        }
        EXPECT_FALSE(f.back().bad);
        EXPECT_EQ(f.back().data, good) << "the good frame after the fault";
    }

    std::vector<uint8_t> frame(size_t len_with_fcs) { return make_frame(len_with_fcs - 4, rng_); }

    std::unique_ptr<MacHarness> h_;
    std::mt19937_64 rng_{42};
};

TEST_P(MacRx, EverySize64To1518) {
    MacHarness h(rx_only());
    std::mt19937_64 rng(11);
    std::vector<std::vector<uint8_t>> sent;
    uint64_t bytes = 0;
    for (size_t len = 64; len <= 1518; ++len) {
        sent.push_back(make_frame(len - 4, rng));
        bytes += len;
        h.push_rx(symbols(ref::wire_bytes(sent.back())));
        h.push_rx_idle(12);
    }
    ASSERT_TRUE(h.drain());
    auto& f = h.rx_frames();
    ASSERT_EQ(f.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        ASSERT_FALSE(f[i].bad) << "size " << sent[i].size() + 4;
        ASSERT_EQ(f[i].data, sent[i]) << "size " << sent[i].size() + 4;
    }
    auto c = h.counters();
    EXPECT_EQ(c.rx[MacCounters::kRxFrames], sent.size());
    EXPECT_EQ(c.rx[MacCounters::kRxBytes], bytes);
    for (int i = MacCounters::kRxFcs; i < MacCounters::kRxCount; ++i)
        EXPECT_EQ(c.rx[i], 0u) << MacCounters::rx_name(i);
    EXPECT_EQ(h.pulses().rx, c.rx) << "stat pulses and counters disagree";
}

TEST_P(MacRx, JumboWhenEnabled) {
    MacHarness h(rx_only(9018));
    std::mt19937_64 rng(12);
    std::vector<size_t> sizes = {1519, 4000, 9000, 9017, 9018, 9019};
    std::vector<std::vector<uint8_t>> sent;
    for (size_t len : sizes) {
        sent.push_back(make_frame(len - 4, rng));
        h.push_rx(symbols(ref::wire_bytes(sent.back())));
        h.push_rx_idle(12);
    }
    ASSERT_TRUE(h.drain());
    auto& f = h.rx_frames();
    ASSERT_EQ(f.size(), sizes.size());
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        EXPECT_FALSE(f[i].bad) << sizes[i];
        EXPECT_EQ(f[i].data, sent[i]) << sizes[i];
    }
    EXPECT_TRUE(f.back().bad);   // 9019: one byte over
    EXPECT_EQ(h.counters().rx[MacCounters::kRxOversize], 1u);
    EXPECT_EQ(h.counters().rx[MacCounters::kRxFrames], sizes.size() - 1);
}

// A single bit flipped at every bit position of a 64-byte frame, FCS included: CRC-32 catches
// every single-bit error (802.3 3.2.9), so each is an FCS error.
TEST_P(RxFault, SingleBitFlipEveryPosition) {
    auto f = frame(64);
    auto wire = ref::wire_bytes(f);
    for (size_t bit = 0; bit < 64 * 8; ++bit) {
        Symbols s = symbols(wire);
        s[8 + bit / 8].d ^= uint8_t(1u << (bit % 8));
        expect_fault(s, RxOutcome::Fcs, "bit " + std::to_string(bit));
        if (HasFatalFailure()) return;
    }
}

TEST_P(RxFault, RxErAtStartMiddleLastByte) {
    for (size_t len : {64u, 200u}) {
        auto wire = ref::wire_bytes(frame(len));
        for (size_t pos : {size_t(8), size_t(8 + len / 2), size_t(8 + len - 1)}) {
            Symbols s = symbols(wire);
            s[pos].er = true;
            expect_fault(s, RxOutcome::RxEr,
                         "rx_er at byte " + std::to_string(pos - 8) + " of " + std::to_string(len));
        }
    }
    // rx_er inside the preamble
    Symbols s = symbols(ref::wire_bytes(frame(64)));
    s[3].er = true;
    expect_fault(s, RxOutcome::RxEr, "rx_er in the preamble");
}

TEST_P(RxFault, Runt63) {
    // A 63-byte frame with a correct FCS is still a runt.
    std::vector<uint8_t> data = frame(63);
    data.resize(59);
    std::vector<uint8_t> w(7, 0x55);
    w.push_back(0xD5);
    w.insert(w.end(), data.begin(), data.end());
    uint32_t fcs = ref::crc32(data);
    for (int i = 0; i < 4; ++i) w.push_back(uint8_t(fcs >> (8 * i)));
    expect_fault(symbols(w), RxOutcome::Runt, "runt 63");
    // and every length below it down to 5
    for (size_t n = 5; n < 63; n += 7) {
        Symbols s = symbols(w);
        s.resize(8 + n);
        expect_fault(s, RxOutcome::Runt, "runt " + std::to_string(n));
    }
}

TEST_P(RxFault, OversizeMaxPlusOne) {
    expect_fault(symbols(ref::wire_bytes(frame(1519))), RxOutcome::Oversize, "1519 bytes");
    expect_fault(symbols(ref::wire_bytes(frame(1518))), RxOutcome::Good, "1518 bytes is fine");
    expect_fault(symbols(ref::wire_bytes(frame(3000))), RxOutcome::Oversize, "3000 bytes");
}

TEST_P(RxFault, MissingOrBadSfd) {
    auto wire = ref::wire_bytes(frame(64));
    Symbols s = symbols(wire);
    s.erase(s.begin() + 7);   // the SFD is gone: preamble runs into the destination address
    expect_fault(s, RxOutcome::Preamble, "missing SFD");
    s = symbols(wire);
    s[7].d = 0xD4;
    expect_fault(s, RxOutcome::Preamble, "SFD with one bit wrong");
    s = symbols(wire);
    s.resize(5);
    expect_fault(s, RxOutcome::Preamble, "carrier ends inside the preamble");
    s = symbols(wire);
    // 0x45: nibbles 5 4, dibits 01 01 00 01 - damaged in every mode without forming an SFD
    // across a byte boundary (0x57, dibits 11 01 01 01, would read 01 01 01 11 over RMII)
    s[2].d = 0x45;
    expect_fault(s, RxOutcome::Preamble, "damaged preamble byte");
}

// A PHY may eat preamble bytes (802.3 35.2.3.2.1): any shortened preamble, even none, is fine.
TEST_P(RxFault, TruncatedPreambleIsTolerated) {
    auto wire = ref::wire_bytes(frame(100));
    for (size_t keep = 0; keep <= 7; ++keep) {
        Symbols s = symbols(wire);
        s.erase(s.begin(), s.begin() + (7 - keep));
        expect_fault(s, RxOutcome::Good, "preamble of " + std::to_string(keep) + " bytes");
    }
}

TEST_P(RxFault, StrayBytesAfterFcs) {
    auto wire = ref::wire_bytes(frame(64));
    for (int extra = 1; extra <= 3; ++extra) {
        Symbols s = symbols(wire);
        for (int i = 0; i < extra; ++i) s.push_back(GmiiSymbol{uint8_t(0xA5 + i), true, false});
        expect_fault(s, RxOutcome::Fcs, std::to_string(extra) + " stray bytes");
    }
}

TEST_P(RxFault, FrameCutShort) {
    for (size_t len : {64u, 100u}) {
        auto wire = ref::wire_bytes(frame(len));
        for (int cut = 1; cut <= 4; ++cut) {
            Symbols s = symbols(wire);
            s.resize(s.size() - cut);
            expect_fault(s, len - cut < 64 ? RxOutcome::Runt : RxOutcome::Fcs,
                         "size " + std::to_string(len) + " cut by " + std::to_string(cut));
        }
    }
}

TEST_P(RxFault, TooShortToHoldFcs) {
    auto wire = ref::wire_bytes(frame(64));
    for (size_t n = 0; n <= 4; ++n) {
        Symbols s = symbols(wire);
        s.resize(8 + n);
        expect_fault(s, RxOutcome::Short, std::to_string(n) + " bytes after the SFD");
    }
}

// Back-to-back frames whose gap a repeater shrank (802.3 4.4.2 allows it to shrink on the way)
// are all received.
TEST_P(MacRx, ShrunkenIfg) {
    for (unsigned gap : {1u, 2u, 4u, 11u}) {
        MacHarness h(rx_only());
        std::mt19937_64 rng(13 + gap);
        std::vector<std::vector<uint8_t>> sent;
        for (int i = 0; i < 20; ++i) {
            sent.push_back(make_frame(60 + rng() % 200, rng));
            h.push_rx(symbols(ref::wire_bytes(sent.back())));
            h.push_rx_idle(gap);
        }
        ASSERT_TRUE(h.drain());
        ASSERT_EQ(h.rx_frames().size(), sent.size()) << "gap " << gap;
        for (size_t i = 0; i < sent.size(); ++i) {
            EXPECT_FALSE(h.rx_frames()[i].bad);
            EXPECT_EQ(h.rx_frames()[i].data, sent[i]) << "gap " << gap << " frame " << i;
        }
    }
}

// rx_er without rx_dv (false carrier, 802.3 35.2.2.8 with RXD 0x0E) is not a frame.
TEST_P(MacRx, FalseCarrierIgnored) {
    MacHarness h(rx_only());
    std::mt19937_64 rng(14);
    h.push_rx({GmiiSymbol{0x0E, false, true}, GmiiSymbol{0x0E, false, true}});
    h.push_rx_idle(4);
    auto f = make_frame(60, rng);
    h.push_rx(symbols(ref::wire_bytes(f)));
    h.push_rx_idle(12);
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.rx_frames().size(), 1u);
    EXPECT_EQ(h.rx_frames()[0].data, f);
    auto c = h.counters();
    for (int i = MacCounters::kRxFcs; i < MacCounters::kRxCount; ++i) EXPECT_EQ(c.rx[i], 0u);
}

// RMII 1.2 section 5.3.1: when the carrier drops before the PHY has delivered the whole frame,
// CRS_DV toggles (low on the first dibit of each nibble, high on the second) until the data is
// out. The frame must be received whole, and the next one too.
// CRS_DV exists in RMII only: the suite runs in those two modes (no skipped instances).
class MacRxRmii : public MacRx {};
TEST_P(MacRxRmii, CrsDvTogglesAtEnd) {
    MacHarness h(rx_only());
    std::mt19937_64 rng(15);
    std::vector<std::vector<uint8_t>> sent;
    for (size_t toggled_bytes : {1u, 2u, 5u, 20u}) {
        sent.push_back(make_frame(60 + rng() % 100, rng));
        auto wire = ref::wire_bytes(sent.back());
        std::vector<LineSymbol> line;
        for (size_t i = 0; i < wire.size(); ++i) {
            bool toggling = i + toggled_bytes >= wire.size();
            for (unsigned k = 0; k < 4; ++k)
                line.push_back(LineSymbol{uint8_t((wire[i] >> (2 * k)) & 3), !toggling || k % 2 == 1,
                                          false});
        }
        h.push_rx_line(line);
        h.push_rx_idle(12);
    }
    sent.push_back(make_frame(60, rng));
    h.push_rx(symbols(ref::wire_bytes(sent.back())));
    h.push_rx_idle(12);
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.rx_frames().size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        EXPECT_FALSE(h.rx_frames()[i].bad) << "frame " << i;
        EXPECT_EQ(h.rx_frames()[i].data, sent[i]) << "frame " << i;
    }
    EXPECT_EQ(h.counters().rx[MacCounters::kRxFrames], sent.size());
}

// MII/RMII: a PHY may drop preamble symbols, not only whole bytes (802.3 22.2.3.2.1); the
// receiver aligns on the SFD wherever it falls.
// GMII symbols are bytes: the suite runs in the narrow modes.
class MacRxNarrow : public MacRx {};
TEST_P(MacRxNarrow, OddPreambleSymbolCount) {
    MacHarness h(rx_only());
    std::mt19937_64 rng(16);
    const unsigned w = GetParam() == MacMode::Mii ? 4 : 2;
    std::vector<std::vector<uint8_t>> sent;
    for (unsigned drop = 1; drop < 8 / w * 7; ++drop) {
        sent.push_back(make_frame(60 + rng() % 50, rng));
        auto wire = ref::wire_bytes(sent.back());
        std::vector<LineSymbol> line;
        for (uint8_t b : wire)
            for (unsigned k = 0; k < 8 / w; ++k)
                line.push_back(LineSymbol{uint8_t((b >> (w * k)) & ((1u << w) - 1)), true, false});
        line.erase(line.begin(), line.begin() + drop);
        h.push_rx_line(line);
        h.push_rx_idle(12);
    }
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.rx_frames().size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        EXPECT_FALSE(h.rx_frames()[i].bad) << "dropped " << i + 1;
        EXPECT_EQ(h.rx_frames()[i].data, sent[i]) << "dropped " << i + 1;
    }
}

NIC_MAC_MODES(MacRx);
NIC_MAC_MODES(RxFault);
INSTANTIATE_TEST_SUITE_P(Modes, MacRxRmii, ::testing::Values(MacMode::Rmii100, MacMode::Rmii10), mode_name);
INSTANTIATE_TEST_SUITE_P(Modes, MacRxNarrow, ::testing::Values(MacMode::Mii, MacMode::Rmii100, MacMode::Rmii10),
                         mode_name);

}  // namespace
}  // namespace nic::test
