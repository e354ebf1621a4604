// Clock-domain crossings: the MAC's tx_clk and rx_clk 100 ppm either side of 125 MHz and of each
// other, and core clocks from half to 1.6 times the MAC clock. Frames cross core -> tx_clk and
// rx_clk -> core in the asynchronous FIFOs, the drop counters in Gray code; everything must
// arrive intact and be counted exactly.
#include "nic_test_util.h"

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

}  // namespace
}  // namespace nic::test
