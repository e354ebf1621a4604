// Line rate in both directions at once. The far end sends back-to-back frames (12-byte gap) to
// the NIC while the driver keeps the TX ring full; the NIC must transmit and receive at line rate:
//   line rate = 125e6 / (L + 20) frames/s for frames of L bytes with FCS (8 preamble + 12 gap)
// Figures are cycle counts (deterministic): TX from the start of the first to the start of the
// last measured burst on the line, RX from the first to the last measured completion write.
// Asserted for every size from 64 to 1518 bytes, host memory latency 1 us and 2 us (125 and
// 250 core cycles at 125 MHz, reads and write responses): >= 99 % both ways, no receive drops,
// every frame byte-exact both ways. A slave that takes AW only after the burst's write data
// (legal, ARM IHI 0022 A3.3.1) must not slow the NIC down either.
// Under NIC_AXI_STALLS (ctest's nic_rate_stalls.* variants: random back-pressure on every
// channel) the frames must still be byte-exact; the rate is printed, not asserted.
#include "nic_test_util.h"

#include <cstdio>

namespace nic::test {
namespace {

struct Rate { double tx_pct, rx_pct, tx_fps, rx_fps; uint32_t rx_drops; size_t tx_seen, rx_seen; };

Rate measure(size_t L, unsigned warm, unsigned meas, const NicConfig& cfg) {
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
    std::vector<std::vector<uint8_t>> sent_rx, sent_tx;
    for (unsigned i = 0; i < total + 4; ++i) {
        sent_rx.push_back(plain_frame(L - 4, rng));
        h.send_line(sent_rx.back());
    }
    unsigned posted = 0;
    uint64_t quiet_since = 0;
    std::vector<std::vector<uint8_t>> got_rx;
    h.run_until([&] {
        if (h.cycle() % 64) return false;
        d.poll_tx();
        bool rung = false;
        while (posted < total + 4 && d.tx_free() > 0) {
            TxPacket p;
            p.data = plain_frame(L - 4, rng);
            p.align = posted % 8;
            sent_tx.push_back(p.data);
            d.post_tx(p, false);
            ++posted;
            rung = true;
        }
        if (rung) d.tx_doorbell();
        for (auto& r : d.poll_rx(true)) got_rx.push_back(std::move(r.data));
        // done when both directions have their frames, or (receive drops) the line has been
        // quiet for a while
        if (h.line_rx_pending() != 0 || h.line_tx().size() < total) quiet_since = h.cycle();
        return (h.line_tx().size() >= total && rx_cpl_cycles.size() >= total) ||
               h.cycle() - quiet_since > 20000;
    }, 40'000'000);
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
    r.tx_seen = b.size();
    r.rx_seen = got_rx.size();
    // byte-exact both ways, in order (RX only when nothing was dropped: then frame i is sent i)
    for (size_t i = 0; i < b.size() && i < sent_tx.size(); ++i) {
        std::vector<uint8_t> f;
        EXPECT_TRUE(decode_burst(b[i].symbols, f)) << "burst " << i << " at " << L << " bytes";
        EXPECT_EQ(f, padded(sent_tx[i])) << "TX frame " << i << " at " << L << " bytes";
    }
    if (r.rx_drops == 0) {
        for (size_t i = 0; i < got_rx.size() && i < sent_rx.size(); ++i)
            EXPECT_EQ(got_rx[i], sent_rx[i]) << "RX frame " << i << " at " << L << " bytes";
    }
    expect_clean_bus(h);
    return r;
}

const size_t kSizes[] = {64, 65, 128, 256, 384, 512, 768, 1024, 1280, 1518};

// The table for one memory configuration, every size asserted (unless the stall profile is on).
void rate_table(const char* what, const NicConfig& cfg) {
    const bool stalls = stall_profile_seed().has_value();
    std::printf("%s%s\n", what, stalls ? " (NIC_AXI_STALLS: random back-pressure, rate not asserted)" : "");
    std::printf("frame  TX frames/s   %%line   RX frames/s   %%line  RX drops  (line rate frames/s)\n");
    for (size_t L : kSizes) {
        unsigned meas = L < 256 ? 200 : L < 1024 ? 100 : 60;
        Rate r = measure(L, 30, meas, cfg);
        double line_fps = 125e6 / double(L + 20);
        std::printf("%5zu  %11.0f  %6.2f  %11.0f  %6.2f  %8u  (%.0f)\n", L, r.tx_fps, r.tx_pct,
                    r.rx_fps, r.rx_pct, r.rx_drops, line_fps);
        EXPECT_GE(r.tx_seen, size_t(30 + meas)) << what << ": TX frames on the line at " << L << " bytes";
        if (!stalls) {
            EXPECT_GE(r.tx_pct, 99.0) << what << ": TX at " << L << " bytes";
            EXPECT_GE(r.rx_pct, 99.0) << what << ": RX at " << L << " bytes";
            EXPECT_EQ(r.rx_drops, 0u) << what << ": RX drops at " << L << " bytes";
            EXPECT_GE(r.rx_seen, size_t(30 + meas)) << what << ": RX frames at " << L << " bytes";
        }
    }
}

TEST(NicRate, LineRateBothDirections1usLatency) {
    rate_table("host memory latency 1 us", NicConfig{});
}

TEST(NicRate, LineRateBothDirections2usLatency) {
    NicConfig cfg;
    cfg.axi.read_latency = cfg.axi.write_latency = 250;
    rate_table("host memory latency 2 us", cfg);
}

// A3.3.1: "the slave can wait for AWVALID or WVALID, or both, before asserting AWREADY". A slave
// that takes the address only after the whole burst's data deadlocks a master that waits for
// AWREADY before WVALID; the model records that as a protocol error after 10,000 cycles.
TEST(NicRate, LineRateWithSlaveTakingAddressAfterWriteData) {
    NicConfig cfg;
    cfg.axi.aw_after_w = AwAfterW::last_beat;
    rate_table("host memory latency 1 us, AWREADY only after the burst's last W beat", cfg);
}

}  // namespace
}  // namespace nic::test
