// Benchmark: how fast the verilated MAC simulates, in cycles and frames per second of wall time.
//   raw      a plain loop: the model alone, TX pins copied to RX pins each cycle, a preloaded
//            back-to-back stream of frames (what a user's own Verilator testbench would get)
//   harness  the same traffic through MacHarness, with the TX monitor and RX sink that the
//            tests use (what the regression suite pays)
// Figures only, nothing asserted.
#include "mac/gmii_ref.h"
#include "mac/mac_harness.h"

#include "Veth_mac.h"
#include "verilated.h"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

namespace po = boost::program_options;

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Returns {cycles, frames received}.
std::pair<uint64_t, uint64_t> raw_loop(size_t frame_len, uint64_t cycles) {
    VerilatedContext ctx;
    Veth_mac m(&ctx, "mac");
    std::mt19937_64 rng(1);
    std::vector<uint8_t> frame(frame_len - 4);
    for (auto& b : frame) b = uint8_t(rng());
    m.cfg_ifg = 12;
    m.cfg_rx_max_len = 1518;
    m.tx_rst = m.rx_rst = 1;
    for (int i = 0; i < 4; ++i) {
        m.tx_clk = m.rx_clk = 0;
        m.eval();
        m.tx_clk = m.rx_clk = 1;
        m.eval();
    }
    m.tx_rst = m.rx_rst = 0;
    size_t beat = 0;
    uint64_t frames = 0;
    for (uint64_t c = 0; c < cycles; ++c) {
        m.tx_clk = m.rx_clk = 0;
        m.s_axis_tx_tvalid = 1;
        m.s_axis_tx_tdata = frame[beat];
        m.s_axis_tx_tlast = beat + 1 == frame.size();
        m.s_axis_tx_tuser = 0;
        m.gmii_rxd = m.gmii_txd;
        m.gmii_rx_dv = m.gmii_tx_en;
        m.gmii_rx_er = m.gmii_tx_er;
        m.eval();
        bool fire = m.s_axis_tx_tready;
        m.tx_clk = m.rx_clk = 1;
        m.eval();
        if (fire && ++beat == frame.size()) beat = 0;
        frames += m.m_axis_rx_tvalid & m.m_axis_rx_tlast;
    }
    m.final();
    return {cycles, frames};
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t cycles = 20'000'000;
    po::options_description opts("bench_mac: simulation speed of the verilated MAC in loopback\n\nOptions");
    opts.add_options()("help,h", "show this help")(
        "cycles,c", po::value(&cycles)->default_value(cycles), "cycles per measurement");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "bench_mac: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }

    std::printf("MAC loopback simulation speed (one cycle = one 8 ns byte time at 1 Gb/s)\n");
    std::printf("%-8s %6s %14s %14s %12s %10s\n", "mode", "frame", "M cycles/s", "frames/s",
                "x real time", "line rate");
    for (size_t len : {64u, 512u, 1518u}) {
        double t0 = now_s();
        auto [c, f] = raw_loop(len, cycles);
        double dt = now_s() - t0;
        double line = double(f) * (8 + len + 12) / double(c);
        std::printf("%-8s %6zu %14.2f %14.0f %12.1f %9.1f%%\n", "raw", len, c / dt / 1e6, f / dt,
                    dt / (c * 8e-9), 100 * line);
    }
    for (size_t len : {64u, 512u, 1518u}) {
        nic::sim::MacHarness h;
        std::mt19937_64 rng(2);
        std::vector<uint8_t> frame(len - 4);
        for (auto& b : frame) b = uint8_t(rng());
        uint64_t n = cycles / (8 + len + 12);
        double t0 = now_s();
        for (uint64_t i = 0; i < n; ++i) {
            h.send(frame);
            if (i % 256 == 255) {
                h.step(256 * (8 + len + 12));
                h.rx_frames().clear();
                h.tx_bursts().clear();
            }
        }
        h.drain();
        double dt = now_s() - t0;
        std::printf("%-8s %6zu %14.2f %14.0f %12.1f %9s\n", "harness", len, h.cycle() / dt / 1e6,
                    n / dt, dt / (h.cycle() * 8e-9), "");
    }
    std::printf("reference: verilog-ethernet eth_mac_1g, plain Verilator loop on this machine: 13 M cycles/s\n");
    return 0;
}
