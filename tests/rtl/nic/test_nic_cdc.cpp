// Clock-domain crossings: the MAC's tx_clk and rx_clk 100 ppm either side of 125 MHz and of each
// other, and core clocks from half to 1.6 times the MAC clock. Frames cross core -> tx_clk and
// rx_clk -> core in the asynchronous FIFOs, the drop counters in Gray code; everything must
// arrive intact and be counted exactly. Then the soft reset against the MAC clocks: a stopped
// tx_clk or rx_clk (PHY down) neither hangs it nor lets stale frames out afterwards, and at any
// core clock it never cuts a frame on the line.
#include "nic_test_util.h"

#include <memory>

namespace nic::test {
namespace {

struct Clocks { double core_mhz, tx_ppm, rx_ppm; };
void PrintTo(const Clocks& c, std::ostream* os) {
    *os << "core " << c.core_mhz << " MHz, tx " << c.tx_ppm << " ppm, rx " << c.rx_ppm << " ppm";
}

class NicCdc : public ::testing::TestWithParam<Clocks> {};

TEST_P(NicCdc, LoopbackIntactAndCounted) {
    const Clocks c = GetParam();
    const uint64_t seed = uint64_t(c.core_mhz * 1000 + c.tx_ppm * 7 + c.rx_ppm * 13 + 100000);
    NicConfig cfg;
    cfg.core_mhz = c.core_mhz;
    cfg.tx_ppm = c.tx_ppm;
    cfg.rx_ppm = c.rx_ppm;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(64, 64);
    d.post_rx(63);
    std::mt19937_64 rng(seed);
    const size_t n = 150;
    std::vector<TxPacket> frames(n);
    for (auto& p : frames) {
        p.data = plain_frame(256 + rng() % (1514 - 256), rng);
        p.align = unsigned(rng() % 8);
    }
    size_t next = 0;
    std::vector<RxCompletion> rx;
    ASSERT_TRUE(h.run_until([&] {
        if (h.cycle() % 64) return false;
        d.poll_tx();
        bool rung = false;
        while (next < n && d.tx_free() > 0) {
            d.post_tx(frames[next++], false);
            rung = true;
        }
        if (rung) d.tx_doorbell();
        for (auto& r : d.poll_rx(true)) rx.push_back(std::move(r));
        return rx.size() == n;
    }, 20'000'000)) << "seed " << seed << " received " << rx.size();
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(rx[i].data, frames[i].data) << i << " seed " << seed;
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 0u);
    EXPECT_EQ(h.rd(R::kStatRxDropFifo), 0u);

    // the rx_clk-domain drop counter crosses in Gray code: 37 bad frames, 37 counted
    h.set_loopback(false);
    for (int i = 0; i < 37; ++i) {
        auto s = ref::Symbols();
        for (uint8_t b : ref::wire_bytes(plain_frame(100, rng))) s.push_back({b, true, false});
        s[30].d ^= 0x01;                              // FCS error
        h.send_symbols(s);
        h.send_symbols(ref::Symbols(12));
    }
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxDropMac) == 37; }, 500000)) << "seed " << seed;
    h.run(1000);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 37u);
    expect_clean_bus(h);
}

INSTANTIATE_TEST_SUITE_P(Ppm, NicCdc,
    ::testing::Values(Clocks{125.0, +100, -100}, Clocks{125.0, -100, +100},
                      Clocks{125.0 * (1 - 100e-6), +100, +100}, Clocks{62.5, +100, -100},
                      Clocks{200.0, -100, +100}),
    [](const ::testing::TestParamInfo<Clocks>& i) {
        auto ppm = [](double p) { return (p < 0 ? "m" : "p") + std::to_string(int(p < 0 ? -p : p)); };
        return "core" + std::to_string(int(i.param.core_mhz * 1000)) + "kHz_tx" + ppm(i.param.tx_ppm) +
               "_rx" + ppm(i.param.rx_ppm);
    });

// ---------------------------------------------------------------------------------------------
// Soft reset (CTRL.RESET) and the MAC clocks. The PHY supplies tx_clk and rx_clk (IEEE 802.3
// clause 35.2.2.1, 35.2.2.2); when it is powered down or unplugged they stop. The reset must
// still complete, and when a clock comes back the FIFOs between its domain and the core must
// agree that they are empty: no frame from before the reset may come out.

bool reset_done(NicHarness& h) { return !(h.rd(R::kCtrl) & R::ctrl::kReset.mask()); }

// The bound the register map gives for a soft reset with a stopped PHY clock: DRAIN_TIMEOUT
// (65536) core cycles, the 16 cycles of reset, and a few AXI4-Lite reads to see it.
constexpr uint64_t kResetBound = 65536 + 16 + 2000;

std::vector<uint8_t> decoded(const LineBurst& b) {
    std::vector<uint8_t> f;
    return decode_burst(b.symbols, f) ? f : std::vector<uint8_t>{};
}

// (a) rx_clk stops in the middle of a frame, with three earlier frames already through the RX
// FIFO; soft reset; rx_clk restarts. Only frames sent after the restart are delivered: the RX
// FIFO's rx_clk side was reset while its clock was stopped, so its pointers agree with the core
// side's (before, the core side restarted at 0 while rx_clk's side still pointed past the three
// old frames, and they came out again).
TEST(NicReset, RxClockStoppedMidFrame) {
    NicConfig cfg;
    cfg.rx_ppm = -100;
    cfg.tx_ppm = +100;
    NicHarness h(cfg);
    auto d = std::make_unique<RingDriver>(h);
    d->init(32, 32);
    d->post_rx(31);
    std::mt19937_64 rng(35221);
    std::vector<std::vector<uint8_t>> old;
    for (int i = 0; i < 3; ++i) {
        old.push_back(plain_frame(300 + 100 * i, rng));
        h.send_line(old.back());
    }
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 3; }, 200000));
    h.send_line(plain_frame(1500, rng));
    ASSERT_TRUE(h.run_until([&] { return h.line_rx_dv(); }, 10000));
    h.run(400);                                        // about 400 bytes into the frame
    h.set_rx_clk_running(false);
    h.run(1000);
    h.wr(R::kCtrl, R::ctrl::kReset(1));
    const uint64_t t0 = h.cycle();
    ASSERT_TRUE(h.run_until([&] { return reset_done(h); }, kResetBound));
    // TX was idle and its clock runs: the reset needs no time-out
    EXPECT_LT(h.cycle() - t0, 2000u);
    h.run(1000);
    h.set_rx_clk_running(true);                        // the rest of the old frame follows
    d = std::make_unique<RingDriver>(h);
    d->init(32, 32);
    d->post_rx(31);
    std::vector<std::vector<uint8_t>> fresh;
    for (int i = 0; i < 4; ++i) {
        fresh.push_back(plain_frame(64 + 200 * i, rng));
        h.send_line(fresh.back());
    }
    ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 200000));
    h.run(20000);
    std::vector<std::vector<uint8_t>> got;
    for (auto& c : d->poll_rx()) {
        EXPECT_EQ(c.error, 0) << "completion " << got.size();
        got.push_back(c.data);
    }
    EXPECT_EQ(got, fresh);
    EXPECT_EQ(h.rd(R::kStatRxFrames), 4u);
    EXPECT_LE(h.rd(R::kStatRxDropMac), 1u);           // the tail of the cut frame
    expect_clean_bus(h);
}

// (b) tx_clk stops while a frame is on the line and more are queued in the TX FIFO and ring:
// the FIFO never empties, so the reset ends by its time-out, within the documented bound. After
// tx_clk returns and the rings are set up again, only the newly posted frames go out, whole.
TEST(NicReset, TxClockStoppedWithFramesQueued) {
    NicConfig cfg;
    cfg.tx_ppm = -100;
    NicHarness h(cfg);
    auto d = std::make_unique<RingDriver>(h);
    d->init(32, 32);
    std::mt19937_64 rng(65536);
    for (int i = 0; i < 12; ++i) {
        TxPacket p;
        p.data = plain_frame(1000, rng);
        d->post_tx(p, false);
    }
    d->tx_doorbell();
    ASSERT_TRUE(h.run_until([&] { return h.line_tx_en(); }, 100000));
    h.run(200);
    h.set_tx_clk_running(false);
    h.run(5000);                                       // the engine fills the FIFO and waits
    EXPECT_LT(h.rd(R::kTxCons), 12u);
    h.wr(R::kCtrl, R::ctrl::kReset(1));
    const uint64_t t0 = h.cycle();
    ASSERT_TRUE(h.run_until([&] { return reset_done(h); }, kResetBound))
        << "soft reset hangs with tx_clk stopped";
    EXPECT_GE(h.cycle() - t0, 65500u);                 // it did wait for the MAC first
    EXPECT_EQ(h.rd(R::kTxCons), 0u);
    h.run(1000);
    h.set_tx_clk_running(true);
    h.run(2000);
    const size_t before = h.line_tx().size();          // the cut frame ends when the MAC resets
    d = std::make_unique<RingDriver>(h);
    d->init(32, 32);
    std::vector<TxPacket> fresh(3);
    for (auto& p : fresh) {
        p.data = plain_frame(60 + rng() % 600, rng);
        d->post_tx(p, false);
    }
    d->tx_doorbell();
    ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == before + 3; }, 200000));
    h.run(50000);
    ASSERT_EQ(h.line_tx().size(), before + 3) << "frames from before the reset went out";
    for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(decoded(h.line_tx()[before + i]), padded(fresh[i].data)) << i;
    EXPECT_EQ(h.rd(R::kStatTxFrames), 3u);
    expect_clean_bus(h);
}

// (c) CTRL.RESET while short frames stream out, at core clocks below, equal to and above tx_clk:
// the reset waits for the MAC's tail (last FIFO word, padding to 60 bytes, FCS: IEEE 802.3
// clause 4.2.3.3, 3.2.9), so every burst on the line is a whole frame with a good FCS and the
// frames are the first ones posted, in order. Short frames make the tail long: a 20-byte frame
// leaves the FIFO after its last word, and 40 bytes of padding are still to go.
class NicResetDrain : public ::testing::TestWithParam<double> {};

TEST_P(NicResetDrain, NeverCutsAFrame) {
    const double mhz = GetParam();
    // reset requests spread over a frame time (84 tx_clk cycles for a short frame) and more
    for (unsigned when = 0; when < 400; when += 11) {
        NicConfig cfg;
        cfg.core_mhz = mhz;
        cfg.tx_ppm = 50;
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(128, 16);
        std::mt19937_64 rng(when * 7 + unsigned(mhz));
        std::vector<TxPacket> frames(100);              // more than the TX FIFO holds
        for (auto& p : frames) {
            p.data = plain_frame(14 + rng() % 60, rng);
            p.align = unsigned(rng() % 8);
            d.post_tx(p, false);
        }
        d.tx_doorbell();
        ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == 2; }, 100000));
        h.run(when);
        h.wr(R::kCtrl, R::ctrl::kReset(1));
        // with tx_clk running the MAC's report ends the wait, long before the time-out
        ASSERT_TRUE(h.run_until([&] { return reset_done(h); }, 40000)) << "at " << when;
        h.run(5000);
        const auto& b = h.line_tx();
        ASSERT_LT(b.size(), frames.size());
        for (size_t i = 0; i < b.size(); ++i)
            EXPECT_EQ(decoded(b[i]), padded(frames[i].data))
                << "burst " << i << " of " << b.size() << ", reset " << when << " cycles after the second";
        EXPECT_FALSE(h.line_tx_en());
    }
}

INSTANTIATE_TEST_SUITE_P(CoreClock, NicResetDrain, ::testing::Values(50.0, 125.0, 250.0),
    [](const ::testing::TestParamInfo<double>& i) {
        return "core" + std::to_string(int(i.param)) + "MHz";
    });

}  // namespace
}  // namespace nic::test
