// Benchmark: how fast the verilated NIC core simulates, in core clock cycles per second of wall
// time, with the host models (1 us memory latency) and two-way traffic at line rate over the
// line loopback (three clocks: core 125 MHz, MAC TX and RX 125 MHz). Figures only, nothing
// asserted.
//   bench_nic [FRAME_LEN [CORE_CYCLES]]      defaults: 1518 bytes (with FCS), 400000 cycles
#include "nic/nic_harness.h"
#include "nic/ring_driver.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace nic::sim;

int main(int argc, char** argv) {
    size_t len = argc > 1 ? size_t(std::atoi(argv[1])) : 1518;
    uint64_t cycles = argc > 2 ? uint64_t(std::atoll(argv[2])) : 400000;
    if (len < 64 || len > 1518) {
        std::fprintf(stderr, "usage: bench_nic [FRAME_LEN 64..1518 [CORE_CYCLES]]\n");
        return 2;
    }
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(256, 256);
    d.post_rx(255);
    std::mt19937_64 rng(1);
    TxPacket p;
    p.data.resize(len - 4);
    for (auto& b : p.data) b = uint8_t(rng());
    const uint8_t hdr[14] = {0x02, 0, 0, 0xaa, 0xbb, 0xcc, 0x02, 0, 0, 0x11, 0x22, 0x33, 0x88, 0xb5};
    std::copy(hdr, hdr + 14, p.data.begin());

    auto t0 = std::chrono::steady_clock::now();
    uint64_t start = h.cycle(), frames = 0;
    while (h.cycle() - start < cycles) {
        h.run(64);
        d.poll_tx();
        bool rung = false;
        while (d.tx_free() > 0) {
            d.post_tx(p, false);
            rung = true;
        }
        if (rung) d.tx_doorbell();
        frames += d.poll_rx(true).size();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double sim_s = double(cycles) / (cfg.core_mhz * 1e6);
    double gbps = double(frames) * double(len + 20) * 8 / sim_s / 1e9;
    std::printf("nic core sim  %zu-byte frames  %.2f M core cycles/s  (1/%.0f real time; 3 clocks)"
                "  %.0f frames received, %.3f Gb/s line use\n",
                len, double(cycles) / s / 1e6, s / sim_s, double(frames), gbps);
    return 0;
}
