// Line rate in both directions at once, host memory latency 1 us (125 core cycles at 125 MHz,
// for reads and for write responses). The far end sends back-to-back frames (12-byte gap) to the
// NIC while the driver keeps the TX ring full; the NIC must transmit and receive at line rate:
//   line rate = 125e6 / (L + 20) frames/s for frames of L bytes with FCS (8 preamble + 12 gap)
// Figures are cycle counts: TX from the start of the first to the start of the last measured
// burst on the line, RX from the first to the last measured completion write. Asserted: >= 99 %
// both ways for L >= 256, no receive drops; the table is printed for every size.
#include "nic_test_util.h"

#include <cstdio>

namespace nic::test {
namespace {

struct Rate { double tx_pct, rx_pct, tx_fps, rx_fps; uint32_t rx_drops; };

Rate measure(size_t L, unsigned warm, unsigned meas) {
    NicConfig cfg;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(256, 256);
    d.post_rx(255);
    std::mt19937_64 rng(L);
    const uint64_t cpl_lo = d.base() + RingDriver::kRxCpl, cpl_hi = cpl_lo + 256 * 16;
    std::vector<uint64_t> rx_cpl_cycles;
    h.axi().on_write = [&](uint64_t a, uint8_t, uint64_t, uint64_t cyc) {
        if (a >= cpl_lo && a < cpl_hi && (a & 15) == 8) rx_cpl_cycles.push_back(cyc);
    };
    const unsigned total = warm + meas;
    for (unsigned i = 0; i < total + 4; ++i) h.send_line(plain_frame(L - 4, rng));
    unsigned posted = 0;
    uint64_t quiet_since = 0;
    h.run_until([&] {
        if (h.cycle() % 64) return false;
        d.poll_tx();
        bool rung = false;
        while (posted < total + 4 && d.tx_free() > 0) {
            TxPacket p;
            p.data = plain_frame(L - 4, rng);
            p.align = posted % 8;
            d.post_tx(p, false);
            ++posted;
            rung = true;
        }
        if (rung) d.tx_doorbell();
        d.poll_rx(true);
        // done when both directions have their frames, or (receive drops at small sizes) the
        // line has been quiet for a while
        if (h.line_rx_pending() != 0 || h.line_tx().size() < total) quiet_since = h.cycle();
        return (h.line_tx().size() >= total && rx_cpl_cycles.size() >= total) ||
               h.cycle() - quiet_since > 20000;
    }, 20'000'000);
    Rate r{};
    const double line_fps = 125e6 / double(L + 20);
    const double core_hz = cfg.core_mhz * 1e6;
    auto& b = h.line_tx();
    if (b.size() >= total) {
        double cyc = double(b[total - 1].start_cycle - b[warm].start_cycle);
        r.tx_fps = double(meas - 1) / (cyc / core_hz);
    }
    // frames delivered per second while the far end was sending (all completions after warm-up)
    if (rx_cpl_cycles.size() > warm + 1) {
        size_t last = std::min<size_t>(rx_cpl_cycles.size(), total) - 1;
        double cyc = double(rx_cpl_cycles[last] - rx_cpl_cycles[warm]);
        r.rx_fps = double(last - warm) / (cyc / core_hz);
    }
    r.tx_pct = 100.0 * r.tx_fps / line_fps;
    r.rx_pct = 100.0 * r.rx_fps / line_fps;
    r.rx_drops = h.rd(R::kStatRxDropFifo) + h.rd(R::kStatRxDropNodesc);
    for (size_t i = 0; i < b.size(); ++i) {
        std::vector<uint8_t> f;
        EXPECT_TRUE(decode_burst(b[i].symbols, f)) << "burst " << i;
    }
    expect_clean_bus(h);
    return r;
}

TEST(NicRate, LineRateBothDirections1usLatency) {
    std::printf("frame  TX frames/s   %%line   RX frames/s   %%line  RX drops  (line rate frames/s)\n");
    for (size_t L : {64, 128, 256, 384, 512, 768, 1024, 1280, 1518}) {
        unsigned meas = L < 256 ? 200 : L < 1024 ? 100 : 60;
        Rate r = measure(L, 30, meas);
        double line_fps = 125e6 / double(L + 20);
        std::printf("%5zu  %11.0f  %6.2f  %11.0f  %6.2f  %8u  (%.0f)\n", L, r.tx_fps, r.tx_pct,
                    r.rx_fps, r.rx_pct, r.rx_drops, line_fps);
        if (L >= 256) {
            EXPECT_GE(r.tx_pct, 99.0) << "TX at " << L << " bytes";
            EXPECT_GE(r.rx_pct, 99.0) << "RX at " << L << " bytes";
            EXPECT_EQ(r.rx_drops, 0u) << "RX drops at " << L << " bytes";
        }
    }
}

}  // namespace
}  // namespace nic::test
