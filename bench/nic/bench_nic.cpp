// Benchmark of the verilated NIC core driven by the real driver (driver/nic_driver.h over the
// plain harness) with the host models and traffic through the line loopback, so both directions
// run at once: every frame the driver sends comes back and is received.
//   1. The frame rate table: for each frame size 64..1518 bytes, frames/s sent (TX, bursts on the
//      line) and received (RX, frames the driver took), side by side with line rate
//      125e6 / (L + 20) frames/s, at the chosen host memory latency. The NIC's figures are cycle
//      counts of the RTL (deterministic); tests/rtl/nic/test_nic_rate asserts them.
//   2. Simulation speed: core clock cycles per second of wall time, three clocks (core 125 MHz,
//      MAC TX and RX 125 MHz, staggered, as the CDC tests run) and the three in phase (one
//      evaluation per edge, as the co-simulation runs). Wall time: figures only, nothing asserted.
//   bench_nic [--latency-us U] [--cycles N] [FRAME_LEN]
//      FRAME_LEN given: only that size in the table and the speed lines (default: all sizes)
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "nic/nic_harness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace nic;
using namespace nic::sim;

namespace {

struct Run {
    double mcps = 0, real_time_fraction = 0, gbps = 0;
    uint64_t frames = 0;
    double tx_fps = 0, rx_fps = 0;     // after the warm-up, simulated time
};

Run run(size_t len, uint64_t cycles, bool in_phase, double latency_us, uint64_t warm = 0) {
    NicConfig cfg;
    cfg.loopback = true;
    cfg.in_phase = in_phase;
    cfg.axi.read_latency = cfg.axi.write_latency = unsigned(latency_us * cfg.core_mhz + 0.5);
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
    uint64_t tx_frames = 0, tx_at_warm = 0, rx_at_warm = 0;
    h.on_line_tx = [&](LineBurst) { ++tx_frames; };
    auto t0 = std::chrono::steady_clock::now();
    const uint64_t start = h.cycle();
    bool warmed = warm == 0;
    while (h.cycle() - start < cycles + warm) {
        h.run(64);
        while (d.receive(p.now(), in, info)) ++r.frames;
        while (d.tx_inflight() + 1 < dc.tx_ring && d.tx_backlog() == 0) d.transmit(p.now(), ConstBytes(f.data(), f.size()));
        if (!warmed && h.cycle() - start >= warm) {
            warmed = true;
            tx_at_warm = tx_frames;
            rx_at_warm = r.frames;
        }
    }
    const double meas_s = double(h.cycle() - start - warm) / (cfg.core_mhz * 1e6);
    r.tx_fps = double(tx_frames - tx_at_warm) / meas_s;
    r.rx_fps = double(r.frames - rx_at_warm) / meas_s;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double sim_s = double(h.cycle() - start) / (cfg.core_mhz * 1e6);
    r.mcps = double(h.cycle() - start) / s / 1e6;
    r.real_time_fraction = s / sim_s;
    r.gbps = double(r.frames) * double(len + 20) * 8 / sim_s / 1e9;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    double latency_us = 1.0;
    uint64_t cycles = 400000;
    size_t only = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* what) -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_nic: %s needs a value (see --help)\n", what);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::printf("usage: bench_nic [--latency-us U] [--cycles N] [FRAME_LEN]\n"
                        "  Frame rate of the NIC RTL, both directions at once through the line\n"
                        "  loopback, against line rate for each frame size (64..1518 bytes with FCS),\n"
                        "  then the simulator's speed in core cycles per second of wall time.\n"
                        "  --latency-us U  host memory latency, reads and write responses (default 1)\n"
                        "  --cycles N      core cycles measured per run, after a 100000-cycle warm-up\n"
                        "                  for the table (default 400000)\n"
                        "  FRAME_LEN       one size only (default: 64 65 128 256 512 1024 1518)\n");
            return 0;
        } else if (a == "--latency-us") {
            latency_us = std::atof(value("--latency-us").c_str());
        } else if (a == "--cycles") {
            cycles = uint64_t(std::atoll(value("--cycles").c_str()));
        } else if (!a.empty() && a[0] != '-') {
            only = size_t(std::atoi(a.c_str()));
        } else {
            std::fprintf(stderr, "bench_nic: unknown option %s (see --help)\n", a.c_str());
            return 2;
        }
    }
    if ((only && (only < 64 || only > 1518)) || latency_us < 0 || latency_us > 100 || cycles < 1000) {
        std::fprintf(stderr, "bench_nic: FRAME_LEN must be 64..1518, --latency-us 0..100, --cycles >= 1000\n");
        return 2;
    }
    std::vector<size_t> sizes = only ? std::vector<size_t>{only}
                                     : std::vector<size_t>{64, 65, 128, 256, 512, 1024, 1518};
    std::printf("NIC frame rate, both directions at once (loopback, real driver), host memory latency "
                "%.2f us, %llu core cycles at 125 MHz per size\n",
                latency_us, (unsigned long long)cycles);
    std::printf("frame  line rate    TX frames/s  %%line    RX frames/s  %%line\n");
    for (size_t len : sizes) {
        Run r = run(len, cycles, true, latency_us, 100000);
        const double line = 125e6 / double(len + 20);
        std::printf("%5zu  %9.0f    %11.0f  %5.1f    %11.0f  %5.1f\n", len, line, r.tx_fps,
                    100 * r.tx_fps / line, r.rx_fps, 100 * r.rx_fps / line);
        std::fflush(stdout);
    }
    const size_t len = only ? only : 1518;
    for (bool in_phase : {false, true}) {
        Run r = run(len, cycles, in_phase, latency_us);
        std::printf("nic core sim  %-9s  %zu-byte frames  %.2f M core cycles/s  (1/%.0f real time)  %llu frames "
                    "received, %.3f Gb/s line use\n",
                    in_phase ? "in phase" : "3 clocks", len, r.mcps, r.real_time_fraction,
                    (unsigned long long)r.frames, r.gbps);
    }
    return 0;
}
