// Benchmark: the whole co-simulation against its limits, side by side in one run (figures only,
// nothing asserted):
//   1. TCP goodput of a bulk transfer between two hosts across the two co-simulated RTL NICs, against
//      the 1 Gb/s limit (949.28 Mb/s at MTU 1500, 941.48 with TCP timestamps);
//   2. its simulation speed (NIC core cycles per second, fraction of real time);
//   3. the same two NICs in a plain Verilator loop, no SystemC, no stack: the drivers over a
//      lock-step backend keep A's TX ring full of 1514-byte frames and B answers every second one
//      with a 66-byte frame, as TCP's ACKs would; the overhead of the co-simulation is the ratio.
// SystemC elaborates once per process: the co-simulation runs in a child process.
//   bench_cosim [BYTES]        default 16M
#include "cosim/system.h"
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "nic/nic_harness.h"

#include <systemc>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace nic;

namespace {

const int g_no_banner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // before SystemC starts

// Both NICs advance together whatever either driver waits for (a register access, a delay).
class Lockstep {
public:
    Lockstep(sim::NicHarness& a, sim::NicHarness& b) : h_{&a, &b} {}
    void step() {
        h_[0]->step();
        h_[1]->step();
    }
    sim::NicHarness* h_[2];
};

class LockstepPlatform : public drv::RegBus, public sim::HostMemoryDma, public drv::IrqLine, public drv::Platform {
public:
    LockstepPlatform(Lockstep& ls, int i) : HostMemoryDma(*ls.h_[i]), ls_(ls) {}
    drv::DriverEnv env() { return drv::DriverEnv{*this, *this, *this, *this}; }
    uint32_t read32(uint32_t off) override {
        bool done = false;
        uint32_t v = 0;
        h_.axil().read(uint16_t(off), [&](uint32_t d, uint8_t) { v = d; done = true; });
        while (!done) ls_.step();
        return v;
    }
    void write32(uint32_t off, uint32_t v) override {
        bool done = false;
        h_.axil().write(uint16_t(off), v, 0xF, [&](uint32_t, uint8_t) { done = true; });
        while (!done) ls_.step();
    }
    bool asserted() const override { return h_.irq(); }
    Instant now() const override { return Instant::from_ns(int64_t(h_.cycle() * 8)); }
    void delay(Duration d) override {
        for (int64_t c = 0; c < d.ns / 8; ++c) ls_.step();
    }

private:
    Lockstep& ls_;
};

struct Plain {
    double mcps = 0;  // NIC cycles per second, both NICs counted
    uint64_t frames_ab = 0, frames_ba = 0;
};

Plain plain_loop(uint64_t cycles) {
    sim::NicConfig cfg;
    cfg.in_phase = true;
    cfg.mem_size = 8 << 20;
    sim::NicHarness a(cfg), b(cfg);
    const uint64_t delay = 62;  // 500 ns of wire, as nicsim's default
    a.on_line_tx = [&](sim::LineBurst&& bu) { b.send_burst_at(bu.end_cycle + delay, std::move(bu.symbols)); };
    b.on_line_tx = [&](sim::LineBurst&& bu) { a.send_burst_at(bu.end_cycle + delay, std::move(bu.symbols)); };
    Lockstep ls(a, b);
    LockstepPlatform pa(ls, 0), pb(ls, 1);
    drv::DriverConfig ca, cb;
    ca.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 1}};
    cb.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 2}};
    drv::NicDriver da(pa.env(), ca), db(pb.env(), cb);
    if (!da.probe() || !db.probe()) {
        std::fprintf(stderr, "bench_cosim: probe failed: %s %s\n", da.error().c_str(), db.error().c_str());
        std::exit(1);
    }
    Frame big(1514, 0x5a), ack(66, 0);
    std::copy(cb.mac.b.begin(), cb.mac.b.end(), big.begin());
    std::copy(ca.mac.b.begin(), ca.mac.b.end(), ack.begin());
    big[12] = ack[12] = 0x88;
    big[13] = ack[13] = 0xb5;
    Plain r;
    Frame in;
    RxInfo info;
    auto t0 = std::chrono::steady_clock::now();
    const uint64_t start = a.cycle();
    while (a.cycle() - start < cycles) {
        for (int i = 0; i < 64; ++i) ls.step();
        while (da.receive(pa.now(), in, info)) ++r.frames_ba;
        while (da.tx_inflight() + 1 < ca.tx_ring && da.tx_backlog() == 0) da.transmit(pa.now(), ConstBytes(big.data(), big.size()));
        while (db.receive(pb.now(), in, info))
            if (++r.frames_ab % 2 == 0) db.transmit(pb.now(), ConstBytes(ack.data(), ack.size()));
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.mcps = 2.0 * double(a.cycle() - start) / s / 1e6;
    return r;
}

std::map<std::string, double> read_report(const std::string& path) {
    std::map<std::string, double> m;
    std::ifstream f(path);
    std::string k;
    double v;
    while (f >> k >> v) m[k] = v;
    return m;
}

}  // namespace

int sc_main(int argc, char** argv) {
    std::string bytes = argc > 1 ? argv[1] : "16M";
    if (bytes == "--help" || bytes == "-h") {
        std::printf("usage: bench_cosim [BYTES]   (default 16M; k/M suffixes)\n");
        return 0;
    }
    uint64_t n = std::strtoull(bytes.c_str(), nullptr, 10);
    if (bytes.back() == 'M') n <<= 20;
    if (bytes.back() == 'k') n <<= 10;
    if (n == 0 || n > (1ull << 32)) {
        std::fprintf(stderr, "bench_cosim: bad byte count '%s'\n", bytes.c_str());
        return 2;
    }
    const std::string report = "/tmp/bench_cosim." + std::to_string(getpid()) + ".report";
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
        sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
        cosim::SimOptions o;
        o.scenario = "bulk";
        o.bulk_bytes = n;
        o.quiet = true;
        o.report = report;
        o.time_limit_ms = 100000;
        FILE* devnull = std::fopen("/dev/null", "w");
        cosim::SimReport r = cosim::run_system(o, devnull);
        std::_Exit(r.ok ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    auto rep = read_report(report);
    std::remove(report.c_str());
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || rep["ok"] != 1) {
        std::fprintf(stderr, "bench_cosim: the co-simulated transfer failed\n");
        return 1;
    }
    const double sim_s = rep["sim_ns"] / 1e9, wall = rep["run_wall_s"], cycles = rep["cycles"];
    const double cosim_mcps = 2 * cycles / wall / 1e6;
    const double lim_ts = 941.48, lim = 949.28;
    std::printf("cosim tcp goodput  MTU 1500  %.2f Mb/s  (%.2f%% of %.2f Mb/s with timestamps; %.2f%% of %.2f)\n",
                rep["goodput_mbps"], 100 * rep["goodput_mbps"] / lim_ts, lim_ts, 100 * rep["goodput_mbps"] / lim, lim);
    std::printf("cosim speed        %.0f bytes in %.3f ms simulated, %.2f s wall: 1/%.0f of real time, %.2f M NIC cycles/s (2 NICs)\n",
                double(n), sim_s * 1e3, wall, wall / sim_s, cosim_mcps);
    Plain p = plain_loop(uint64_t(cycles));
    std::printf("plain loop         same 2 NICs, drivers, no SystemC or stack: %.2f M NIC cycles/s (1/%.0f of real time); "
                "%llu frames A->B, %llu B->A\n",
                p.mcps, 2 * 125.0 / p.mcps, (unsigned long long)p.frames_ab, (unsigned long long)p.frames_ba);
    std::printf("cosim overhead     %.2fx the plain loop (goal <= 1.1x); goal 1/50 of real time\n", p.mcps / cosim_mcps);
    return 0;
}
