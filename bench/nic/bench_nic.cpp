// Benchmark: how fast the verilated NIC core simulates, in core clock cycles per second of wall
// time, driven by the real driver (driver/nic_driver.h over the plain harness) with the host models
// (1 us memory latency) and traffic at line rate through the line loopback. Two clockings side by
// side: three clocks (core 125 MHz, MAC TX and RX 125 MHz, staggered, as the CDC tests run) and the
// three in phase (one evaluation per edge, as the co-simulation runs). Figures only, nothing asserted.
//   bench_nic [FRAME_LEN [CORE_CYCLES]]      defaults: 1518 bytes (with FCS), 400000 cycles
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "nic/nic_harness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace nic;
using namespace nic::sim;

namespace {

struct Run {
    double mcps = 0, real_time_fraction = 0, gbps = 0;
    uint64_t frames = 0;
};

Run run(size_t len, uint64_t cycles, bool in_phase) {
    NicConfig cfg;
    cfg.loopback = true;
    cfg.in_phase = in_phase;
    NicHarness h(cfg);
    HarnessPlatform p(h);
    drv::DriverConfig dc;
    dc.mac = MacAddr{{0x02, 0, 0, 0xaa, 0xbb, 0xcc}};
    drv::NicDriver d(p.env(), dc);
    if (!d.probe()) {
        std::fprintf(stderr, "bench_nic: %s\n", d.error().c_str());
        std::exit(1);
    }
    std::mt19937_64 rng(1);
    Frame f(len - 4);
    for (auto& b : f) b = uint8_t(rng());
    const uint8_t hdr[14] = {0x02, 0, 0, 0xaa, 0xbb, 0xcc, 0x02, 0, 0, 0x11, 0x22, 0x33, 0x88, 0xb5};
    std::copy(hdr, hdr + 14, f.begin());

    Run r;
    Frame in;
    RxInfo info;
    auto t0 = std::chrono::steady_clock::now();
    const uint64_t start = h.cycle();
    while (h.cycle() - start < cycles) {
        h.run(64);
        while (d.receive(p.now(), in, info)) ++r.frames;
        while (d.tx_inflight() + 1 < dc.tx_ring && d.tx_backlog() == 0) d.transmit(p.now(), ConstBytes(f.data(), f.size()));
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double sim_s = double(h.cycle() - start) / (cfg.core_mhz * 1e6);
    r.mcps = double(h.cycle() - start) / s / 1e6;
    r.real_time_fraction = s / sim_s;
    r.gbps = double(r.frames) * double(len + 20) * 8 / sim_s / 1e9;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    size_t len = argc > 1 ? size_t(std::atoi(argv[1])) : 1518;
    uint64_t cycles = argc > 2 ? uint64_t(std::atoll(argv[2])) : 400000;
    if (len < 64 || len > 1518 || (argc > 1 && std::string(argv[1]) == "--help")) {
        std::fprintf(stderr, "usage: bench_nic [FRAME_LEN 64..1518 [CORE_CYCLES]]\n");
        return 2;
    }
    for (bool in_phase : {false, true}) {
        Run r = run(len, cycles, in_phase);
        std::printf("nic core sim  %-9s  %zu-byte frames  %.2f M core cycles/s  (1/%.0f real time)  %llu frames "
                    "received, %.3f Gb/s line use\n",
                    in_phase ? "in phase" : "3 clocks", len, r.mcps, r.real_time_fraction,
                    (unsigned long long)r.frames, r.gbps);
    }
    return 0;
}
