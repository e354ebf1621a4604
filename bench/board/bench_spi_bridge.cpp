// What a host gets through spi_host_bridge, in simulated time (the Verilated board's core clock):
// register accesses per second, memory-window bytes per second, and Ethernet transmit goodput
// (frames posted by hand through the descriptor ring, as docs/registers.md describes), each beside
// the SPI clock's raw byte rate. Once with the pins only, once with a modelled USB round trip per
// transaction (an FT2232H answers a read at the earliest in the next 125 us high-speed microframe).
// Then what an application gets: TCP goodput through the real driver and stack, over the board (its
// real parameters: 8 KB window, 2+2 packet buffers, RMII at 100 Mb/s) to a peer stack, in simulated
// time, beside the SPI clock's raw bit rate that bounds it.
//   bench_spi_bridge [--divisor N] [--usb-us U] [--bulk-bytes N]
#include "driver/board/board_host.h"
#include "driver/board/board_platform.h"
#include "driver/board/bridge_client.h"
#include "driver/board/mpsse.h"
#include "board_apps.h"
#include "driver/board/sim/board_sim.h"
#include "driver/board/sim/sim_board.h"
#include "driver/nic_regs.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace nic;
using namespace nic::board;
namespace R = nic::regs;

namespace {

struct Rig {
    Rig(unsigned divisor, double usb_ns) : spi(ftdi, divisor), bridge(spi) {
        ftdi.usb_turnaround_ns = usb_ns;
        if (!spi.init() || !bridge.open()) {
            std::fprintf(stderr, "bench_spi_bridge: %s %s\n", spi.error().c_str(), bridge.error().c_str());
            std::exit(1);
        }
    }
    double sim_s() const { return double(board.now().ns) * 1e-9; }
    BoardSim board;
    SimFtdi ftdi{board};
    MpsseSpi spi;
    BridgeClient bridge;
};

void put_le(std::vector<uint8_t>& v, size_t off, uint64_t x, size_t n) {
    for (size_t i = 0; i < n; ++i) v[off + i] = uint8_t(x >> (8 * i));
}

void run(unsigned divisor, double usb_us) {
    Rig r(divisor, usb_us * 1000.0);
    const double raw = r.spi.sck_hz() / 8.0;
    auto wall0 = std::chrono::steady_clock::now();
    std::printf("SCK %.2f MHz (divisor %u), raw %.1f kB/s, USB round trip %.0f us per transaction\n",
                r.spi.sck_hz() / 1e6, divisor, raw / 1e3, usb_us);

    const int n = 200;
    double t0 = r.sim_s();
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) r.bridge.read_reg(R::kId, v);
    double reads = n / (r.sim_s() - t0);
    t0 = r.sim_s();
    for (int i = 0; i < n; ++i) r.bridge.write_reg(R::kMacLo, uint32_t(i));
    double writes = n / (r.sim_s() - t0);
    std::printf("  register reads   %9.0f /s   (10 bytes each: %.1f%% of raw)\n", reads, 100.0 * reads * 10 / raw);
    std::printf("  register writes  %9.0f /s   (11 bytes each: %.1f%% of raw)\n", writes, 100.0 * writes * 11 / raw);

    std::vector<uint8_t> buf(2048, 0xA5);
    const int rounds = 4;
    t0 = r.sim_s();
    for (int i = 0; i < rounds; ++i) r.bridge.write_mem(0, buf.data(), buf.size());
    double wr = rounds * double(buf.size()) / (r.sim_s() - t0);
    t0 = r.sim_s();
    for (int i = 0; i < rounds; ++i) r.bridge.read_mem(0, buf.data(), buf.size());
    double rd = rounds * double(buf.size()) / (r.sim_s() - t0);
    std::printf("  memory write     %9.1f kB/s (%zu-byte transactions + status: %.1f%% of raw)\n", wr / 1e3,
                r.bridge.config().chunk, 100.0 * wr / raw);
    std::printf("  memory read      %9.1f kB/s (%zu-byte transactions: %.1f%% of raw)\n", rd / 1e3,
                r.bridge.config().chunk, 100.0 * rd / raw);

    // Ethernet transmit: 1514-byte frames posted one at a time through a 16-entry TX ring.
    constexpr uint32_t kTxRing = 0x000, kTxCpl = 0x100, kBuf = 0x200;
    std::vector<uint8_t> zero(256, 0);
    r.bridge.write_mem(kTxRing, zero.data(), 256);
    r.bridge.write_mem(kTxCpl, zero.data(), 256);
    r.bridge.write_reg(R::kDmaWinBaseLo, 0);
    r.bridge.write_reg(R::kDmaWinLimitLo, uint32_t(r.bridge.config().mem_bytes));
    r.bridge.write_reg(R::kTxRingLo, kTxRing);
    r.bridge.write_reg(R::kTxCplLo, kTxCpl);
    r.bridge.write_reg(R::kTxSize, 16);
    r.bridge.write_reg(R::kMaxLen, 1514);
    r.bridge.write_reg(R::kCtrl, 1);
    std::vector<uint8_t> frame(1514, 0x5A);
    frame[0] = 0x02;
    frame[12] = 0x88;
    frame[13] = 0xB5;
    const int frames = 6;
    t0 = r.sim_s();
    for (int i = 0; i < frames; ++i) {
        r.bridge.write_mem(kBuf, frame.data(), frame.size());
        std::vector<uint8_t> d(16, 0);
        put_le(d, 0, kBuf, 8);
        put_le(d, 8, frame.size(), 2);
        r.bridge.write_mem(kTxRing + 16 * uint32_t(i % 16), d.data(), 16);
        r.bridge.write_reg(R::kTxProd, uint32_t(i + 1) % 16);
        uint32_t cons = 0;
        do r.bridge.read_reg(R::kTxCons, cons);
        while (cons != uint32_t(i + 1) % 16);
    }
    double goodput = frames * 1500.0 * 8 / (r.sim_s() - t0);
    r.board.run_cycles(20000);                             // the last frame leaves the MAC
    std::printf("  Ethernet TX      %9.1f kb/s IP goodput (1514-byte frames, one in flight; %zu of %d sent, "
                "bound: raw %.1f kb/s)\n", goodput / 1e3, r.board.sent().size(), frames, raw * 8 / 1e3);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("  sim %.3f s simulated in %.1f s wall; retries %llu\n", r.sim_s(), wall,
                (unsigned long long)r.bridge.stats().retries);
}

// TCP bulk from the board host to the peer (a2b: every data byte crosses SPI into the window, then
// the MAC; the peer's ACKs come back the other way), through NicDriver and the stack.
void run_stack(unsigned divisor, double usb_us, uint64_t bytes) {
    SimBoardConfig c;
    c.host.divisor = divisor;
    SimBoard sb(c);
    sb.ftdi().usb_turnaround_ns = usb_us * 1000.0;
    auto wall0 = std::chrono::steady_clock::now();
    if (!sb.open()) {
        std::fprintf(stderr, "bench_spi_bridge: board bring-up failed: %s\n", sb.error().c_str());
        std::exit(1);
    }
    const double sck = sb.host().spi().sck_hz();
    const Instant t0 = sb.runner().now();
    BulkOptions o;
    o.bytes = bytes;
    o.limit = Duration::from_s(600);
    BulkOutcome b = run_bulk(sb.host().api(), sb.runner(), &sb.peer_api(), o);
    if (!b.ok) {
        std::fprintf(stderr, "bench_spi_bridge: bulk transfer failed: %s\n", b.error.c_str());
        std::exit(1);
    }
    const double sim_s = double((sb.runner().now() - t0).ns) * 1e-9;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    auto& d = sb.host().driver();
    d.update_stats();
    const auto& bs = sb.host().bridge().stats();
    std::printf("TCP goodput, board host -> peer, MTU %zu, SCK %.2f MHz, USB round trip %.0f us per transaction:\n",
                d.config().mtu, sck / 1e6, usb_us);
    std::printf("  %9.3f Mb/s  (%.1f%% of the %.2f Mb/s SPI bit rate; %llu kB in %.1f ms simulated, SHA-256 checked)\n",
                b.goodput_mbps(), 100.0 * b.goodput_mbps() / (sck / 1e6), sck / 1e6,
                (unsigned long long)(b.sent / 1024), b.elapsed.to_ms());
    std::printf("  frames tx %llu rx %llu, device drops no-descriptor %llu fifo %llu; SPI %llu transactions, "
                "%.1f kB each way, %llu retries\n",
                (unsigned long long)d.stats().tx_frames, (unsigned long long)d.stats().rx_frames,
                (unsigned long long)d.stats().dev_rx_drop_nodesc, (unsigned long long)d.stats().dev_rx_drop_fifo,
                (unsigned long long)bs.transactions, double(bs.spi_bytes) / 1e3, (unsigned long long)bs.retries);
    std::printf("  sim %.3f s simulated in %.1f s wall\n", sim_s, wall);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned divisor = BoardHostConfig{}.divisor;   // the board's SCK (3.75 MHz)
    double usb_us = 125;
    uint64_t bulk_bytes = 200 * 1024;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::printf("usage: bench_spi_bridge [--divisor N] [--usb-us U] [--bulk-bytes N]\n"
                        "  Figures of the SPI host bridge over the simulated FT2232H and Verilated board.\n"
                        "  --divisor N  MPSSE clock divisor: SCK = 30 MHz / (1 + N) (default 7: 3.75 MHz, the\n"
                        "               board's; 5 is the fastest the board's I/O registers allow)\n"
                        "  --usb-us U   modelled USB round trip per transaction, us (default 125)\n"
                        "  --bulk-bytes N  TCP bulk through driver and stack, bytes (default 204800; 0: skip)\n");
            return 0;
        }
        if (!std::strcmp(argv[i], "--divisor") && i + 1 < argc) {
            divisor = unsigned(std::atoi(argv[++i]));
        } else if (!std::strcmp(argv[i], "--usb-us") && i + 1 < argc) {
            usb_us = std::atof(argv[++i]);
        } else if (!std::strcmp(argv[i], "--bulk-bytes") && i + 1 < argc) {
            if (!parse_byte_count(argv[++i], bulk_bytes, uint64_t(1) << 30)) {
                std::fprintf(stderr, "bench_spi_bridge: bad --bulk-bytes %s\n", argv[i]);
                return 2;
            }
        } else {
            std::fprintf(stderr, "bench_spi_bridge: unknown option %s (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (divisor < 5) {
        std::fprintf(stderr, "bench_spi_bridge: divisor %u: SCK above 5 MHz, faster than the board answers (100 ns)\n", divisor);
        return 2;
    }
    run(divisor, 0);
    run(divisor, usb_us);
    if (bulk_bytes) {
        run_stack(divisor, 0, bulk_bytes);
        run_stack(divisor, usb_us, bulk_bytes);
    }
    return 0;
}
