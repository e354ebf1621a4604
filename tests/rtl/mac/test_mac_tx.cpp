// Transmit path of rtl/mac/eth_mac_tx.v: wire bytes of every frame size, padding, FCS, the
// inter-frame gap after every size, line rate as exact cycle counts, underflow and user aborts,
// in every PHY mode (GMII, MII, RMII 100 and 10 Mb/s): figures in byte times times the mode's
// clocks per byte.
// The expected bytes come from ref::wire_bytes (software CRC), never from the RTL.
#include "mac_test_util.h"

namespace nic::test {
namespace {

class MacTx : public ::testing::TestWithParam<MacMode> {
protected:
    MacConfig tx_only(uint8_t ifg = 12) const {
        MacConfig c;
        c.mode = GetParam();
        c.ifg = ifg;
        c.loopback = false;
        return c;
    }
    // MAC clocks per byte time in this mode: 1, 2, 4 or 40.
    uint64_t cpb() const { return clocks_per_byte(GetParam()); }
};

// Every frame size from 64 to 1518 bytes (FCS included), back to back: each burst is exactly
// preamble + SFD + frame + FCS, and exactly cfg_ifg idle byte times follow every size.
TEST_P(MacTx, EverySize64To1518BackToBack) {
    MacHarness h(tx_only());
    std::mt19937_64 rng(1);
    std::vector<std::vector<uint8_t>> sent;
    for (size_t len = 64; len <= 1518; ++len) {
        sent.push_back(make_frame(len - 4, rng));
        h.send(sent.back());
    }
    ASSERT_TRUE(h.drain());
    auto& bursts = h.tx_bursts();
    ASSERT_EQ(bursts.size(), sent.size());
    uint64_t bytes = 0;
    for (size_t i = 0; i < sent.size(); ++i) {
        size_t len = sent[i].size() + 4;
        bytes += len;
        ASSERT_EQ(bytes_of(bursts[i].symbols), ref::wire_bytes(sent[i])) << "frame size " << len;
        for (const auto& s : bursts[i].symbols) ASSERT_FALSE(s.er) << "frame size " << len;
        ASSERT_FALSE(bursts[i].partial) << "frame size " << len;
        if (i + 1 < sent.size()) {
            ASSERT_EQ(bursts[i + 1].start - bursts[i].end, 12u * cpb()) << "gap after size " << len;
        }
    }
    auto c = h.counters();
    EXPECT_EQ(c.tx[MacCounters::kTxFrames], sent.size());
    EXPECT_EQ(c.tx[MacCounters::kTxBytes], bytes);
    EXPECT_EQ(c.tx[MacCounters::kTxUnderflow], 0u);
    EXPECT_EQ(c.tx[MacCounters::kTxAbort], 0u);
    EXPECT_EQ(h.pulses().tx, c.tx) << "stat pulses and counters disagree";
    EXPECT_EQ(h.tx_pin_glitches(), 0u) << "RMII 10 Mb/s: each dibit held for 10 clocks";
}

// Frames shorter than 60 bytes are padded with zeros to 60 before the FCS (802.3 4.2.3.3).
TEST_P(MacTx, PaddingToMinimumFrame) {
    MacHarness h(tx_only());
    std::mt19937_64 rng(2);
    std::vector<std::vector<uint8_t>> sent;
    for (size_t len = 1; len <= 60; ++len) {
        sent.push_back(make_frame(len, rng));
        h.send(sent.back());
    }
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.tx_bursts().size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        const auto& w = h.tx_bursts()[i].symbols;
        ASSERT_EQ(w.size(), 8u + 64u) << "payload " << sent[i].size();
        ASSERT_EQ(bytes_of(w), ref::wire_bytes(sent[i])) << "payload " << sent[i].size();
        for (size_t k = 8 + sent[i].size(); k < 8 + 60; ++k)
            ASSERT_EQ(w[k].d, 0x00) << "pad byte " << k - 8 << " of payload " << sent[i].size();
    }
    EXPECT_EQ(h.counters().tx[MacCounters::kTxBytes], 64u * sent.size());
}

// Line rate: back-to-back frames start exactly preamble + frame + IFG byte times apart.
TEST_P(MacTx, LineRateIsExactCycleCount) {
    for (unsigned ifg : {12u, 8u, 1u, 24u}) {
        for (size_t len : {64u, 65u, 128u, 256u, 512u, 1024u, 1500u, 1518u}) {
            MacHarness h(tx_only(uint8_t(ifg)));
            std::mt19937_64 rng(len * 31 + ifg);
            const int n = 16;
            for (int i = 0; i < n; ++i) h.send(make_frame(len - 4, rng));
            ASSERT_TRUE(h.drain());
            auto& b = h.tx_bursts();
            ASSERT_EQ(b.size(), size_t(n));
            for (int i = 1; i < n; ++i)
                ASSERT_EQ(b[i].start - b[i - 1].start, (8 + len + ifg) * cpb())
                    << "size " << len << " ifg " << ifg << " frame " << i;
        }
    }
}

// The figures 802.3 gives with the standard gap, as MAC clocks: a 64-byte frame takes 84 byte
// times (8 preamble/SFD + 64 + 12 IFG), a 1518-byte one 1538: 672 ns / 12.304 us at 1 Gb/s
// (GMII 125 MHz), 6.72 us / 123.04 us at 100 Mb/s (MII 25 MHz: 2 clocks a byte; RMII 50 MHz:
// 4), 67.2 us / 1230.4 us at 10 Mb/s (RMII: 40 clocks a byte).
TEST_P(MacTx, LineRateFiguresPerMode) {
    struct Figures { uint64_t f64, f1518; };
    Figures want{};
    switch (GetParam()) {
    case MacMode::Gmii: want = {84, 1538}; break;
    case MacMode::Mii: want = {168, 3076}; break;
    case MacMode::Rmii100: want = {336, 6152}; break;
    case MacMode::Rmii10: want = {3360, 61520}; break;
    }
    MacHarness h(tx_only());
    std::mt19937_64 rng(3);
    for (int i = 0; i < 3; ++i) h.send(make_frame(60, rng));
    for (int i = 0; i < 3; ++i) h.send(make_frame(1514, rng));
    ASSERT_TRUE(h.drain());
    auto& b = h.tx_bursts();
    ASSERT_EQ(b.size(), 6u);
    EXPECT_EQ(b[1].start - b[0].start, want.f64);
    EXPECT_EQ(b[2].start - b[1].start, want.f64);
    EXPECT_EQ(b[1].end - b[1].start, want.f64 - 12 * cpb()) << "the burst itself: 72 byte times";
    EXPECT_EQ(b[4].start - b[3].start, want.f1518);
    EXPECT_EQ(b[5].start - b[4].start, want.f1518);
}

// A source slower than the line leaves a longer gap, never a shorter one.
TEST_P(MacTx, GapNeverShorterThanIfgWithSlowSource) {
    MacHarness h(tx_only(10));
    std::mt19937_64 rng(4);
    std::vector<unsigned> extra = {0, 1, 5, 9, 10, 11, 30};
    for (unsigned g : extra) h.send(TxRequest{make_frame(100, rng), false, -1, g});
    ASSERT_TRUE(h.drain());
    auto& b = h.tx_bursts();
    ASSERT_EQ(b.size(), extra.size());
    for (size_t i = 1; i < b.size(); ++i) EXPECT_GE(b[i].start - b[i - 1].end, 10u * cpb());
}

// Underflow: tvalid drops inside a frame. The frame ends at once with tx_er, the counter moves,
// the rest of that frame is discarded up to tlast, and the next frame goes out intact.
TEST_P(MacTx, UnderflowAbortsFrameWithTxEr) {
    std::mt19937_64 rng(5);
    for (int at : {1, 13, 100, 199}) {
        MacHarness h(tx_only());
        auto bad = make_frame(200, rng);
        auto good = make_frame(80, rng);
        h.send(TxRequest{bad, false, at, 0});
        h.send(good);
        ASSERT_TRUE(h.drain());
        auto& b = h.tx_bursts();
        ASSERT_EQ(b.size(), 2u) << "underflow at " << at;
        const auto& w = b[0].symbols;
        ASSERT_EQ(w.size(), 8u + at + 1) << "underflow at " << at;
        EXPECT_TRUE(w.back().er);
        for (size_t k = 0; k + 1 < w.size(); ++k) EXPECT_FALSE(w[k].er);
        auto expect = ref::wire_bytes(bad);
        for (int k = 0; k < 8 + at; ++k) ASSERT_EQ(w[k].d, expect[k]);
        EXPECT_EQ(bytes_of(b[1].symbols), ref::wire_bytes(good));
        EXPECT_GE(b[1].start - b[0].end, 12u * cpb());
        auto c = h.counters();
        EXPECT_EQ(c.tx[MacCounters::kTxUnderflow], 1u);
        EXPECT_EQ(c.tx[MacCounters::kTxFrames], 1u);
        EXPECT_EQ(c.tx[MacCounters::kTxBytes], 84u);
    }
}

// tuser with tlast: the user aborts; the last byte carries tx_er and the abort counter moves.
TEST_P(MacTx, UserAbortMarksLastByte) {
    MacHarness h(tx_only());
    std::mt19937_64 rng(6);
    auto bad = make_frame(70, rng);
    auto good = make_frame(70, rng);
    h.send(TxRequest{bad, true, -1, 0});
    h.send(good);
    ASSERT_TRUE(h.drain());
    auto& b = h.tx_bursts();
    ASSERT_EQ(b.size(), 2u);
    ASSERT_EQ(b[0].symbols.size(), 8u + 70u);
    EXPECT_TRUE(b[0].symbols.back().er);
    EXPECT_EQ(bytes_of(b[1].symbols), ref::wire_bytes(good));
    auto c = h.counters();
    EXPECT_EQ(c.tx[MacCounters::kTxAbort], 1u);
    EXPECT_EQ(c.tx[MacCounters::kTxFrames], 1u);
}

// Jumbo frames need nothing special on transmit: 9018 bytes with FCS.
TEST_P(MacTx, JumboFrame) {
    MacHarness h(tx_only());
    std::mt19937_64 rng(7);
    auto f = make_frame(9014, rng);
    h.send(f);
    h.send(f);
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.tx_bursts().size(), 2u);
    EXPECT_EQ(bytes_of(h.tx_bursts()[0].symbols), ref::wire_bytes(f));
    EXPECT_EQ(h.tx_bursts()[1].start - h.tx_bursts()[0].start, (8u + 9018u + 12u) * cpb());
}

// A reset in the middle of a frame leaves the line idle, and the next frame goes out whole.
TEST_P(MacTx, ResetMidFrame) {
    MacHarness h(tx_only());
    std::mt19937_64 rng(8);
    h.send(make_frame(500, rng));
    h.step(200 * cpb());
    ASSERT_TRUE(h.tx_en());
    h.clear_tx();   // the source forgets the frame, as a driver resetting the NIC would
    h.reset();
    EXPECT_FALSE(h.tx_en());
    EXPECT_EQ(h.counters().tx[MacCounters::kTxFrames], 0u);
    auto f = make_frame(300, rng);
    h.send(f);
    ASSERT_TRUE(h.drain());
    ASSERT_EQ(h.tx_bursts().size(), 2u);
    EXPECT_EQ(bytes_of(h.tx_bursts()[1].symbols), ref::wire_bytes(f));
    EXPECT_EQ(h.counters().tx[MacCounters::kTxFrames], 1u);
}

NIC_MAC_MODES(MacTx);

}  // namespace
}  // namespace nic::test
