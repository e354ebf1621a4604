// The host side over SPI (driver/board) against the board RTL: the MPSSE bytes MpsseSpi emits, as
// the simulated FT2232H interprets them, move the SPI pins of the Verilated nic_fpga_core; the
// bridge client checks every reply and repeats corrupted transfers (faults injected at the pins by
// SimFtdi::fault_hook); the driver's platform reaches registers, DMA memory and the interrupt line.
#include "driver/board/board_host.h"
#include "driver/board/board_platform.h"
#include "driver/board/bridge_client.h"
#include "driver/board/mpsse.h"
#include "driver/board/sim/board_sim.h"
#include "driver/nic_driver.h"
#include "driver/nic_regs.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace nic::board {
namespace {

namespace R = nic::regs;

// Everything between the driver and the pins, on the simulated board.
struct Rig {
    explicit Rig(unsigned divisor = BoardHostConfig{}.divisor) : spi(ftdi, divisor), bridge(spi), platform(bridge, board) {
        EXPECT_TRUE(spi.init()) << spi.error();
    }
    BoardSim board;
    SimFtdi ftdi{board};
    MpsseSpi spi;
    BridgeClient bridge;
    BoardPlatform platform;
};

TEST(Mpsse, CommandBytesAreThoseOfAn108) {
    EXPECT_EQ(mpsse_init_commands(4),
              (std::vector<uint8_t>{0x8A, 0x97, 0x8D, 0x85, 0x86, 0x04, 0x00, 0x80, 0x10, 0x13, 0x87}));
    std::vector<uint8_t> c;
    const uint8_t out[3] = {0x01, 0x02, 0x03};
    mpsse_transfer_commands(out, 3, c);
    EXPECT_EQ(c, (std::vector<uint8_t>{0x80, 0x00, 0x13, 0x31, 0x02, 0x00, 0x01, 0x02, 0x03, 0x80, 0x10, 0x13, 0x87}));
    EXPECT_DOUBLE_EQ(mpsse::sck_hz(4), 6e6);
}

// The simulated chip answers an opcode it does not know as the real one does (AN_108 3.4), which
// MpsseSpi::init uses to check the command stream is in step.
TEST(Mpsse, SimulatedChipEchoesBadOpcodes) {
    Rig r;
    EXPECT_EQ(r.ftdi.bad_commands(), 1u);
    const uint8_t bad[1] = {0xAB};
    uint8_t in[2] = {0, 0};
    ASSERT_TRUE(r.ftdi.write(bad, 1));
    ASSERT_TRUE(r.ftdi.read(in, 2));
    EXPECT_EQ(in[0], 0xFA);
    EXPECT_EQ(in[1], 0xAB);
    EXPECT_FALSE(r.ftdi.read(in, 1));
    EXPECT_NE(r.ftdi.error().find("1 bytes wanted, 0 produced"), std::string::npos) << r.ftdi.error();
}

TEST(BoardBackend, RegistersMemoryAndStatus) {
    Rig r;
    ASSERT_TRUE(r.bridge.open()) << r.bridge.error();
    EXPECT_EQ(r.platform.read32(R::kId), R::kIdValue);
    r.platform.write32(R::kMacLo, 0xCAFEF00D);
    EXPECT_EQ(r.platform.read32(R::kMacLo), 0xCAFEF00Du);

    drv::DmaRegion a, b;
    ASSERT_TRUE(r.platform.alloc(1000, 64, a));
    ASSERT_TRUE(r.platform.alloc(600, 128, b));
    EXPECT_EQ(a.dev_addr, 0u);
    EXPECT_EQ(b.dev_addr, 1024u);
    const uint32_t seed = 5;
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < a.size; ++i) a.cpu[i] = uint8_t(rng());
    std::vector<uint8_t> want(a.cpu, a.cpu + a.size);
    r.platform.sync_for_device(a, 0, a.size);
    std::fill(a.cpu, a.cpu + a.size, 0);
    r.platform.sync_for_cpu(a, 100, 700);                  // only the range asked for comes back
    EXPECT_EQ(std::vector<uint8_t>(a.cpu + 100, a.cpu + 800), std::vector<uint8_t>(want.begin() + 100, want.begin() + 800))
        << "seed " << seed;
    EXPECT_EQ(a.cpu[99], 0);
    EXPECT_EQ(a.cpu[800], 0);
    drv::DmaRegion c;
    EXPECT_FALSE(r.platform.alloc(4096, 4096, c));
    EXPECT_NE(r.platform.error().find("do not fit the board's 4096-byte window"), std::string::npos) << r.platform.error();

    EXPECT_FALSE(r.platform.asserted());
    BridgeStatus st;
    ASSERT_TRUE(r.bridge.status(st));
    EXPECT_TRUE(st.link());
    EXPECT_EQ(st.errors, 0);
    EXPECT_EQ(r.bridge.stats().retries, 0u);
    EXPECT_EQ(r.platform.bus_errors(), 0u);
}

// One bit flipped in chosen transfers, on either wire: every access still returns or stores the
// right value, and the counters say what happened. A register write refused (MOSI) is sent again;
// one whose verdict was lost (MISO) is resolved through the status reply, not sent blindly again.
TEST(BoardBackend, CorruptedTransfersAreDetectedAndRetried) {
    Rig r;
    ASSERT_TRUE(r.bridge.open()) << r.bridge.error();
    std::map<uint64_t, SpiFault> plan;
    r.ftdi.fault_hook = [&](uint64_t i, size_t) {
        auto it = plan.find(i);
        return it == plan.end() ? SpiFault{} : it->second;
    };
    auto next = [&] { return r.ftdi.transfers(); };

    plan[next()] = SpiFault{60, -1};                       // write reg: a data bit
    r.platform.write32(R::kMacLo, 0x12345678);
    EXPECT_EQ(r.bridge.stats().refused, 1u);
    plan[next()] = SpiFault{-1, 44};                       // read reg: a data bit of the reply
    EXPECT_EQ(r.platform.read32(R::kMacLo), 0x12345678u);
    EXPECT_EQ(r.bridge.stats().reply_crc_errors, 1u);
    plan[next()] = SpiFault{-1, 75};                       // write reg: its verdict
    r.platform.write32(R::kMacHi, 0x9ABC);
    EXPECT_EQ(r.bridge.stats().lost_verdicts, 1u);
    EXPECT_EQ(r.platform.read32(R::kMacHi) & 0xFFFF, 0x9ABCu);

    drv::DmaRegion m;
    ASSERT_TRUE(r.platform.alloc(512, 64, m));
    for (size_t i = 0; i < m.size; ++i) m.cpu[i] = uint8_t(i * 7 + 3);
    std::vector<uint8_t> want(m.cpu, m.cpu + m.size);
    plan[next()] = SpiFault{32 + 8 * 100 + 3, -1};         // write mem: a data bit of chunk 1
    r.platform.sync_for_device(m, 0, m.size);
    EXPECT_EQ(r.bridge.stats().refused, 2u);
    std::fill(m.cpu, m.cpu + m.size, 0);
    plan[next()] = SpiFault{-1, 8 * 5 + 1};                // read mem: the first data byte
    r.platform.sync_for_cpu(m, 0, m.size);
    EXPECT_EQ(std::vector<uint8_t>(m.cpu, m.cpu + m.size), want);
    EXPECT_EQ(r.bridge.stats().reply_crc_errors, 3u);
    EXPECT_EQ(r.bridge.stats().retries, 4u);
    EXPECT_EQ(r.ftdi.faults_injected(), 5u);
    EXPECT_EQ(r.bridge.stats().failures, 0u);
    BridgeStatus st;
    ASSERT_TRUE(r.bridge.status(st));
    EXPECT_EQ(st.errors, 2) << "the bridge counts the two transfers it refused";
}

TEST(BoardBackend, PersistentCorruptionIsAClearError) {
    Rig r;
    r.ftdi.fault_hook = [](uint64_t, size_t) { return SpiFault{-1, 40}; };
    EXPECT_EQ(r.platform.read32(R::kId), 0xFFFFFFFFu);
    EXPECT_NE(r.platform.error().find("CRC errors persist after 8 retries (read reg 0x000)"), std::string::npos)
        << r.platform.error();
    EXPECT_EQ(r.bridge.stats().failures, 1u);
}

TEST(BoardBackend, NoBoardIsAClearError) {
    struct Nothing : SpiPins {
        void set(bool, bool, bool) override {}
        bool miso() override { return false; }
        void advance_ns(double) override {}
    } nothing;
    SimFtdi ftdi(nothing);
    MpsseSpi spi(ftdi, BoardHostConfig{}.divisor);
    ASSERT_TRUE(spi.init());
    BridgeClient bridge(spi);
    EXPECT_FALSE(bridge.open());
    EXPECT_NE(bridge.error().find("no board answers on SPI (MISO reads all 0x00"), std::string::npos) << bridge.error();
}

// The real driver's probe over the bridge: ID, version, CAPS and soft reset go through; with one
// buffer per ring entry (DriverConfig's default) its DMA memory does not fit a 4 KB window
// (nic_fpga_core's default build, BridgeConfig's default), and probe says so.
TEST(BoardBackend, DriverProbeRunsOverTheBridge) {
    Rig r;
    drv::DriverConfig cfg;
    cfg.mac = MacAddr{{0x02, 0, 0, 0, 0, 0x01}};
    cfg.tx_ring = cfg.rx_ring = 16;
    cfg.mtu = 68;
    drv::NicDriver d(r.platform.env(), cfg);
    const bool ok = d.probe();
    if (r.bridge.config().mem_bytes < 5120) {
        // 4 rings of 16 x 16 bytes (128-aligned) + 32 buffers of 128 bytes: 5120 bytes at the least.
        EXPECT_FALSE(ok);
        EXPECT_NE(d.error().find("cannot allocate 5120 bytes of DMA memory"), std::string::npos) << d.error();
        EXPECT_GE(r.bridge.stats().reg_writes, 1u) << "the soft reset went over the bridge";
    } else {
        EXPECT_TRUE(ok) << d.error();
    }
    EXPECT_EQ(r.platform.bus_errors(), 0u);
}

// The board's driver configuration (one place for the apps, the tests and the benchmark): 16-entry
// rings and as many packet buffers as the window holds, RX taking the odd one.
TEST(BoardBackend, BoardDriverConfigFillsTheWindow) {
    struct Case { size_t mem, mtu; unsigned rx, tx; size_t bytes; };
    for (const Case& c : {Case{8192, 1500, 2, 2, 7168}, Case{8192, 576, 6, 5, 8064}, Case{4096, 1500, 1, 1, 4096},
                          Case{65536, 1500, 15, 15, 47104}}) {
        const drv::DriverConfig d = board_driver_config(c.mem, c.mtu);
        EXPECT_EQ(d.tx_ring, 16u);
        EXPECT_EQ(d.rx_ring, 16u);
        EXPECT_EQ(d.rx_buffers, c.rx) << c.mem << " bytes, MTU " << c.mtu;
        EXPECT_EQ(d.tx_buffers, c.tx) << c.mem << " bytes, MTU " << c.mtu;
        EXPECT_EQ(drv::NicDriver::dma_bytes(d), c.bytes) << c.mem << " bytes, MTU " << c.mtu;
    }
}

// The real driver's probe in the default board build's 8 KB window with that configuration.
TEST(BoardBackend, DriverProbeFitsTheBoardWindow) {
    BoardSim board;
    SimFtdi ftdi(board);
    MpsseSpi spi(ftdi, BoardHostConfig{}.divisor);
    ASSERT_TRUE(spi.init()) << spi.error();
    BridgeConfig bc;
    bc.mem_bytes = board.mem_bytes();
    BridgeClient bridge(spi, bc);
    BoardPlatform platform(bridge, board);
    drv::DriverConfig cfg = board_driver_config(board.mem_bytes(), 1500);
    cfg.mac = MacAddr{{0x02, 0, 0, 0, 0, 0x01}};
    drv::NicDriver d(platform.env(), cfg);
    ASSERT_TRUE(d.probe()) << d.error();
    EXPECT_TRUE(d.link_up());
    EXPECT_EQ(platform.allocated(), 7168u);
    EXPECT_EQ(platform.bus_errors(), 0u) << platform.error();
}

}  // namespace
}  // namespace nic::board
