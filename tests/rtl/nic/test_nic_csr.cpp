// Register block: ID and reset values, read/write with byte strobes, RW1C interrupt causes,
// MDIO reads and writes to the PHY model (IEEE 802.3 clause 22), link status, and the receive
// address filter (unicast, broadcast, multicast hash, all-multicast, promiscuous).
#include "nic_test_util.h"

namespace nic::test {
namespace {

TEST(NicCsr, IdVersionAndResetValues) {
    NicHarness h;
    EXPECT_EQ(h.rd(R::kId), R::kIdValue);
    EXPECT_EQ(h.rd(R::kVersion), R::kVersionValue);
    EXPECT_EQ(h.rd(R::kCtrl), R::kCtrlReset);
    EXPECT_EQ(h.rd(R::kRxFilter), R::kRxFilterReset);
    EXPECT_EQ(h.rd(R::kMaxLen), R::kMaxLenReset);
    EXPECT_EQ(h.rd(R::kTxSize), R::kTxSizeReset);
    EXPECT_EQ(h.rd(R::kRxSize), R::kRxSizeReset);
    EXPECT_EQ(h.rd(R::kIrqModPkts), R::kIrqModPktsReset);
    EXPECT_EQ(h.rd(R::kMdioDiv), R::kMdioDivReset);
    EXPECT_EQ(h.rd(R::kStatus) & R::status::kLink.mask(), R::status::kLink.mask());
    EXPECT_EQ(h.rd(0xFFC), 0u);                      // unknown offset reads 0
    EXPECT_EQ(h.last_resp(), 0);
    expect_clean_bus(h);
}

TEST(NicCsr, ReadWriteAndStrobes) {
    NicHarness h;
    const uint16_t rw[] = {R::kMacLo, R::kMcHashLo, R::kMcHashHi, R::kDmaWinBaseLo, R::kDmaWinBaseHi,
                           R::kDmaWinLimitLo, R::kDmaWinLimitHi, R::kTxRingLo, R::kTxRingHi,
                           R::kTxCplLo, R::kTxCplHi, R::kRxRingLo, R::kRxRingHi, R::kRxCplLo,
                           R::kRxCplHi};
    uint32_t v = 0x12345678;
    for (uint16_t a : rw) {
        h.wr(a, v);
        // the DMA window has 8-byte granularity
        uint32_t want = (a == R::kDmaWinBaseLo || a == R::kDmaWinLimitLo) ? v & ~7u : v;
        EXPECT_EQ(h.rd(a), want) << std::hex << a;
        v = v * 2654435761u + 1;
    }
    h.wr(R::kMacLo, 0xA5A5A5A5);
    h.wr(R::kMacLo, 0x00CC0000, 0x4);                 // one byte lane
    EXPECT_EQ(h.rd(R::kMacLo), 0xA5CCA5A5u);
    h.wr(R::kMacHi, 0xFFFFFFFF);
    EXPECT_EQ(h.rd(R::kMacHi), 0xFFFFu);              // 16 bits
    h.wr(R::kTxSize, 0xFFFFFFFF);                     // outside 16..4096: refused
    EXPECT_EQ(h.rd(R::kTxSize), R::kTxSizeReset);
    h.wr(R::kTxSize, 0xFFFF1000, 0x3);                // 4096 in the strobed lanes
    EXPECT_EQ(h.rd(R::kTxSize), 4096u);
    h.wr(R::kIrqModTimer, 0xFFFFFFFF);
    EXPECT_EQ(h.rd(R::kIrqModTimer), 0xFFFFFFu);
    h.wr(R::kId, 0);                                  // read-only
    EXPECT_EQ(h.rd(R::kId), R::kIdValue);
    expect_clean_bus(h);
}

// Every writable register, one byte lane at a time: only that lane changes (AXI4-Lite WSTRB).
TEST(NicCsr, EveryRegisterByteLane) {
    NicHarness h;
    struct Reg { uint16_t addr; uint32_t mask; };
    const Reg regs[] = {
        {R::kMacLo, ~0u}, {R::kMacHi, 0xFFFF}, {R::kRxFilter, 0x1F}, {R::kMaxLen, 0x3FFF},
        {R::kMcHashLo, ~0u}, {R::kMcHashHi, ~0u}, {R::kDmaWinBaseLo, ~7u}, {R::kDmaWinBaseHi, ~0u},
        {R::kDmaWinLimitLo, ~7u}, {R::kDmaWinLimitHi, ~0u}, {R::kTxRingLo, ~0u}, {R::kTxRingHi, ~0u},
        {R::kTxCplLo, ~0u}, {R::kTxCplHi, ~0u},
        {R::kRxRingLo, ~0u}, {R::kRxRingHi, ~0u}, {R::kRxCplLo, ~0u}, {R::kRxCplHi, ~0u},
        {R::kIrqMask, 0xF}, {R::kIrqModPkts, 0xFFFF},
        {R::kIrqModTimer, 0xFFFFFF}, {R::kMdioDiv, 0xFF}};
    for (const Reg& r : regs) {
        h.wr(r.addr, 0);
        uint32_t want = 0;
        for (int lane = 0; lane < 4; ++lane) {
            uint32_t v = 0xA5C3E1F7u;
            h.wr(r.addr, v, uint8_t(1u << lane));
            want |= v & (0xFFu << (8 * lane)) & r.mask;
            EXPECT_EQ(h.rd(r.addr), want) << std::hex << "register 0x" << r.addr << " lane " << lane;
        }
    }
    h.wr(R::kCtrl, 0x3, 0x2);                         // CTRL bits live in lane 0
    EXPECT_EQ(h.rd(R::kCtrl), 0u);
    expect_clean_bus(h);
}

// Ring SIZE (16..4096) and PROD (below SIZE), as the register map has them: a write that breaks a
// rule is refused whole and the register keeps its value. Byte strobes merge first, then the rule
// applies to the merged value. SIZE may not drop to PROD or below (the engine would otherwise
// see PROD >= SIZE). Engines disabled: only the registers are under test here.
TEST(NicCsr, RingSizeAndProdRangeRules) {
    NicHarness h;
    struct Ring { const char* name; uint16_t size, prod; };
    for (const Ring& r : {Ring{"tx", R::kTxSize, R::kTxProd}, Ring{"rx", R::kRxSize, R::kRxProd}}) {
        SCOPED_TRACE(r.name);
        h.wr(r.size, 64);
        EXPECT_EQ(h.rd(r.size), 64u);
        for (uint32_t bad : {5000u, 8u, 8192u, 15u, 4097u, 0u, 0x10040u}) {
            h.wr(r.size, bad);
            EXPECT_EQ(h.rd(r.size), 64u) << "SIZE " << bad;
        }
        h.wr(r.size, 16);
        EXPECT_EQ(h.rd(r.size), 16u);
        h.wr(r.size, 4096);
        EXPECT_EQ(h.rd(r.size), 4096u);
        h.wr(r.size, 0x00000100, 0x2);                // lane 1 only: 0x1000 -> 0x0100
        EXPECT_EQ(h.rd(r.size), 256u);
        h.wr(r.size, 0x00010000, 0x4);                // lane 2: 0x10100 is out of range
        EXPECT_EQ(h.rd(r.size), 256u);

        h.wr(r.size, 64);
        h.wr(r.prod, 63);
        EXPECT_EQ(h.rd(r.prod), 63u);
        for (uint32_t bad : {64u, 65u, 4095u, 0x1000u, 0xFFFFFFFFu}) {
            h.wr(r.prod, bad);
            EXPECT_EQ(h.rd(r.prod), 63u) << "PROD " << bad;
        }
        h.wr(r.prod, 40);
        h.wr(r.size, 32);                              // would leave PROD 40 >= SIZE 32
        EXPECT_EQ(h.rd(r.size), 64u);
        h.wr(r.size, 40);                              // PROD == SIZE: refused too
        EXPECT_EQ(h.rd(r.size), 64u);
        h.wr(r.size, 41);
        EXPECT_EQ(h.rd(r.size), 41u);
        h.wr(r.prod, 0);
        h.wr(r.size, 16);
        EXPECT_EQ(h.rd(r.size), 16u);
    }
    expect_clean_bus(h);
}

// The device takes only descriptors the driver posted: with descriptors written in the ring but
// never announced, refused SIZE writes (8192, 5000, 8) and refused doorbells (PROD >= SIZE) send
// nothing more; the next valid doorbell sends exactly the frames it covers.
TEST(NicCsr, NoUnpostedDescriptorProcessed) {
    NicHarness h;
    RingDriver d(h);
    d.init(16, 16);
    std::mt19937_64 rng(5000);
    std::vector<TxPacket> frames(8);
    for (auto& p : frames) p.data = plain_frame(100 + rng() % 200, rng);
    for (int i = 0; i < 3; ++i) d.post_tx(frames[i], false);
    d.tx_doorbell();
    ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == 3; }, 200000));
    for (int i = 3; i < 8; ++i) d.post_tx(frames[i], false);   // in the ring, not posted
    for (uint32_t size : {8192u, 5000u, 8u, 0u}) h.wr(R::kTxSize, size);
    EXPECT_EQ(h.rd(R::kTxSize), 16u);
    for (uint32_t prod : {16u, 20u, 4095u, 0x2003u}) h.wr(R::kTxProd, prod);
    EXPECT_EQ(h.rd(R::kTxProd), 3u);
    h.run(100000);
    EXPECT_EQ(h.line_tx().size(), 3u);
    EXPECT_EQ(h.rd(R::kTxCons), 3u);
    EXPECT_EQ(h.rd(R::kStatTxFrames), 3u);
    EXPECT_EQ(h.rd(R::kStatTxDescErr), 0u);
    d.tx_doorbell();                                   // PROD 8
    ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == 8; }, 200000));
    h.run(20000);
    ASSERT_EQ(h.line_tx().size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
        std::vector<uint8_t> f;
        ASSERT_TRUE(decode_burst(h.line_tx()[i].symbols, f)) << i;
        EXPECT_EQ(f, padded(frames[i].data)) << i;
    }
    EXPECT_EQ(h.rd(R::kTxCons), 8u);
    expect_clean_bus(h);
}

// MAX_LEN crosses to the MAC's rx_clk through a handshake and applies between frames: after a
// change, the next frames are judged by the new limit (IEEE 802.3 clause 4.2.4.2.1: a frame longer
// than the maximum is not passed on; here MAX_LEN bytes without FCS are the maximum).
TEST(NicCsr, MaxLenChangeAppliesToNextFrames) {
    NicConfig cfg;
    cfg.rx_ppm = -100;                                 // rx_clk not in step with the core
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(1514);
    std::vector<std::vector<uint8_t>> want;
    auto send = [&](size_t len, bool kept) {
        auto f = plain_frame(len, rng);
        h.send_line(f);
        if (kept) want.push_back(f);
        ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 100000));
        h.run(300);
    };
    send(200, true);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 0u);
    h.wr(R::kMaxLen, 100);
    h.run(50);                                         // the handshake: a few cycles each side
    send(200, false);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 1u);
    send(100, true);                                   // exactly MAX_LEN: kept
    send(101, false);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 2u);
    h.wr(R::kMaxLen, 1514);
    h.run(50);
    send(1514, true);
    send(1515, false);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 3u);
    h.run(5000);
    std::vector<std::vector<uint8_t>> got;
    for (auto& c : d.poll_rx()) got.push_back(c.data);
    EXPECT_EQ(got, want);
    expect_clean_bus(h);
}

// The MAX_LEN handshake moves only when MAX_LEN changes: an idle NIC is a fixed point of the
// model (every flip-flop unchanged from cycle to cycle), which NicHarness::skip_idle and the
// co-simulation rely on to skip idle time.
TEST(NicCsr, IdleNicIsAFixedPointAfterMaxLenChange) {
    NicConfig cfg;
    cfg.in_phase = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    h.wr(R::kMaxLen, 9000);
    h.run(200);
    EXPECT_GT(h.skip_idle(10000), 1u);
    EXPECT_EQ(h.rd(R::kMaxLen), 9000u);
}

// MAC transmit error counters (tx_clk, crossed in Gray code): STAT_TX_UNDERFLOW and
// STAT_TX_ABORT read 0 through normal traffic - the serialiser starts a frame only when it is
// whole in the FIFO, and the core never sets tuser - and STAT_DMA_RESP_ERR with an all-OKAY host.
TEST(NicCsr, TxErrorCountersZeroInNormalTraffic) {
    NicConfig cfg;
    cfg.loopback = true;
    cfg.tx_ppm = 100;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(130);
    for (int i = 0; i < 10; ++i) {
        TxPacket p;
        p.data = plain_frame(i % 2 ? 1514 : 20 + rng() % 40, rng);
        d.post_tx(p, false);
    }
    d.tx_doorbell();
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 10; }, 500000));
    EXPECT_EQ(h.rd(R::kStatTxFrames), 10u);
    EXPECT_EQ(h.rd(R::kStatTxUnderflow), 0u);
    EXPECT_EQ(h.rd(R::kStatTxAbort), 0u);
    EXPECT_EQ(h.rd(R::kStatDmaRespErr), 0u);
    for (const auto& b : h.line_tx())
        for (const auto& s : b.symbols) ASSERT_FALSE(s.er) << "error symbol on the line";
    expect_clean_bus(h);
}

// MDIO frames through the NIC's master to the PHY model: IDs, BMSR with link and autoneg
// complete, a write and read-back of ANAR, self-clearing BMCR bits, latching-low link status.
struct Mdio {
    NicHarness& h;
    uint16_t read(unsigned phy, unsigned reg) {
        h.wr(R::kMdioCmd, R::mdio_cmd::kRead(1) | R::mdio_cmd::kPhy(phy) | R::mdio_cmd::kReg(reg));
        wait();
        return uint16_t(h.rd(R::kMdioData));
    }
    void write(unsigned phy, unsigned reg, uint16_t v) {
        h.wr(R::kMdioCmd, R::mdio_cmd::kPhy(phy) | R::mdio_cmd::kReg(reg) | R::mdio_cmd::kData(v));
        wait();
    }
    void wait() {
        for (int i = 0; i < 1000; ++i)
            if (!(h.rd(R::kMdioCmd) & R::mdio_cmd::kBusy.mask())) return;
        FAIL() << "MDIO busy for too long";
    }
};

TEST(NicCsr, MdioClause22) {
    NicHarness h;
    h.wr(R::kMdioDiv, 3);                             // MDC = core / 8: fast for the test
    Mdio m{h};
    EXPECT_EQ(m.read(1, 2), 0x001C);
    EXPECT_EQ(m.read(1, 3), 0xC915);
    EXPECT_EQ(m.read(1, 0), 0x1140);
    EXPECT_EQ(m.read(1, 1), 0x0109 | 0x20 | 0x04);    // autoneg complete, link up
    EXPECT_EQ(m.read(1, 5), 0xC1E1);
    m.write(1, 4, 0x0DE1);
    EXPECT_EQ(m.read(1, 4), 0x0DE1);
    m.write(1, 0, 0x9340);                            // reset + restart autoneg: self-clearing
    EXPECT_EQ(m.read(1, 0), 0x1140);
    EXPECT_EQ(m.read(2, 2), 0xFFFF);                  // no PHY at address 2: the pull-up
    // latching-low link status (clause 22.2.4.2.13)
    h.set_link(false);
    h.run(50);
    h.set_link(true);
    h.run(50);
    EXPECT_EQ(m.read(1, 1) & 0x04, 0);                // the loss is reported once
    EXPECT_EQ(m.read(1, 1) & 0x04, 0x04);
    expect_clean_bus(h);
}

TEST(NicCsr, MdioTiming) {
    // One frame is 64 MDC periods of 2*(DIV+1) core cycles.
    NicHarness h;
    h.wr(R::kMdioDiv, 4);
    h.wr(R::kMdioCmd, R::mdio_cmd::kRead(1) | R::mdio_cmd::kPhy(1) | R::mdio_cmd::kReg(2));
    uint64_t start = h.cycle();
    ASSERT_TRUE(h.run_until([&] { return !(h.rd(R::kMdioCmd) >> 31); }, 10000));
    uint64_t took = h.cycle() - start;
    EXPECT_GE(took, 64u * 10);
    EXPECT_LE(took, 64u * 10 + 40);                   // plus the polling reads
}

TEST(NicCsr, LinkStatusAndInterrupt) {
    NicHarness h;
    h.wr(R::kIrqMask, R::irq_cause::kLink(1));
    EXPECT_FALSE(h.irq());
    h.set_link(false);
    h.run(10);
    EXPECT_EQ(h.rd(R::kStatus) & 1, 0u);
    EXPECT_TRUE(h.irq());
    EXPECT_EQ(h.rd(R::kIrqCause), R::irq_cause::kLink(1));
    h.wr(R::kIrqCause, R::irq_cause::kLink(1));       // write 1 to clear
    h.run(2);
    EXPECT_FALSE(h.irq());
    EXPECT_EQ(h.rd(R::kIrqCause), 0u);
    h.set_link(true);
    h.run(10);
    EXPECT_EQ(h.rd(R::kStatus) & 1, 1u);
    EXPECT_TRUE(h.irq());
}

// The address filter: each frame is sent on the line; accepted ones arrive in host memory,
// rejected ones are counted in STAT_RX_DROP_FILTER and never written.
class Filter : public ::testing::Test {
protected:
    NicHarness h;
    RingDriver d{h};
    std::mt19937_64 rng{7};
    void SetUp() override {
        d.init(16, 16);
        d.post_rx(15);
    }
    // Returns true if the frame was delivered.
    bool deliver(const std::vector<uint8_t>& dst) {
        auto f = plain_frame(100, rng, dst);
        uint32_t drops = h.rd(R::kStatRxDropFilter);
        uint32_t frames = h.rd(R::kStatRxFrames);
        h.send_line(f);
        bool ok = h.run_until([&] {
            return h.rd(R::kStatRxDropFilter) != drops || h.rd(R::kStatRxFrames) != frames;
        }, 20000);
        EXPECT_TRUE(ok);
        auto c = d.poll_rx(true);
        if (c.empty()) return false;
        EXPECT_EQ(c.size(), 1u);
        EXPECT_EQ(c[0].data, f);
        return true;
    }
};

TEST_F(Filter, UnicastBroadcastMulticastPromiscuous) {
    const std::vector<uint8_t> other = {0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcd};
    const std::vector<uint8_t> bcast(6, 0xFF);
    const std::vector<uint8_t> mc1 = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    const std::vector<uint8_t> mc2 = {0x33, 0x33, 0x00, 0x00, 0x00, 0x16};
    auto hash = [](const std::vector<uint8_t>& a) { return ref::crc32(a.data(), 6) >> 26; };
    ASSERT_NE(hash(mc1), hash(mc2));

    // reset value: unicast + broadcast
    EXPECT_TRUE(deliver(kOurMac));
    EXPECT_FALSE(deliver(other));
    EXPECT_TRUE(deliver(bcast));
    EXPECT_FALSE(deliver(mc1));
    // broadcast off
    h.wr(R::kRxFilter, R::rx_filter::kUcast(1));
    EXPECT_FALSE(deliver(bcast));
    // multicast hash: only mc1's bit
    uint64_t tbl = 1ull << hash(mc1);
    h.wr(R::kMcHashLo, uint32_t(tbl));
    h.wr(R::kMcHashHi, uint32_t(tbl >> 32));
    h.wr(R::kRxFilter, R::rx_filter::kUcast(1) | R::rx_filter::kMcast(1));
    EXPECT_TRUE(deliver(mc1));
    EXPECT_FALSE(deliver(mc2));
    EXPECT_FALSE(deliver(bcast));
    // all-multicast
    h.wr(R::kRxFilter, R::rx_filter::kAllmulti(1));
    EXPECT_TRUE(deliver(mc2));
    EXPECT_FALSE(deliver(kOurMac));
    // promiscuous
    h.wr(R::kRxFilter, R::rx_filter::kPromisc(1));
    EXPECT_TRUE(deliver(other));
    EXPECT_TRUE(deliver(bcast));
    EXPECT_TRUE(deliver(mc2));
    EXPECT_EQ(h.rd(R::kStatRxDropFilter), 6u);
    EXPECT_EQ(h.rd(R::kStatRxDropNodesc), 0u);
    expect_clean_bus(h);
}

TEST_F(Filter, HashIndexInCompletion) {
    h.wr(R::kRxFilter, R::rx_filter::kPromisc(1));
    std::vector<uint8_t> dst = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
    auto f = plain_frame(80, rng, dst);
    h.send_line(f);
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 1; }, 20000));
    auto c = d.poll_rx();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].hash, ref::crc32(dst.data(), 6) >> 26);
}

}  // namespace
}  // namespace nic::test

namespace nic::test {
namespace {

// PHY model latency: the same frame reaches the line cfg_latency clocks later, each way.
TEST(NicPhy, ConfigurableLatency) {
    uint64_t tx_start[2], rx_done[2];
    for (int k = 0; k < 2; ++k) {
        NicConfig cfg;
        cfg.phy_latency = k ? 15 : 0;
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(16, 16);
        d.post_rx(15);
        std::mt19937_64 rng(3);
        TxPacket p;
        p.data = plain_frame(200, rng);
        d.post_tx(p);
        ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == 1; }, 100000));
        tx_start[k] = h.line_tx()[0].start_cycle;
        h.send_line(plain_frame(200, rng));
        uint64_t sent = h.cycle();
        ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 1; }, 100000));
        rx_done[k] = h.cycle() - sent;
    }
    // MAC and core clocks are both 125 MHz here: 15 byte clocks = 15 core cycles (+-1 for the
    // phase between the clocks)
    EXPECT_NEAR(double(tx_start[1] - tx_start[0]), 15.0, 1.0);
    EXPECT_NEAR(double(rx_done[1]) - double(rx_done[0]), 15.0, 6.0);   // polled every register read
}

}  // namespace
}  // namespace nic::test
