// The driver (driver/nic_driver.h) against the NIC RTL, over the plain harness (no SystemC): probe and
// its failures, frames through the line loopback byte-exact, checksum offload both ways, TX back-
// pressure, packet buffers fewer than ring slots, link changes by interrupt, the multicast filter, and recovery from a fatal DMA error and
// from a stalled TX ring.
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "nic_test_util.h"

#include <gtest/gtest.h>

namespace nic::test {
namespace {

const MacAddr kMac{{0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc}};

struct DriverRig {
    explicit DriverRig(drv::DriverConfig c = {}, bool loopback = true) : h(make_cfg(loopback)), p(h) {
        c.mac = kMac;
        cfg = c;
        d = std::make_unique<drv::NicDriver>(p.env(), cfg);
    }
    static NicConfig make_cfg(bool loopback) {
        NicConfig n;
        n.loopback = loopback;
        n.mem_size = 4 << 20;
        return n;
    }
    // Runs until `n` frames came up through the driver (or the cycle budget ends).
    std::vector<Frame> receive(size_t n, uint64_t max_cycles = 400000) {
        std::vector<Frame> got;
        Frame f;
        RxInfo info;
        const uint64_t end = h.cycle() + max_cycles;
        while (got.size() < n && h.cycle() < end) {
            h.run(16);
            while (d->receive(p.now(), f, info)) {
                got.push_back(f);
                infos.push_back(info);
            }
        }
        return got;
    }
    NicHarness h;
    HarnessPlatform p;
    drv::DriverConfig cfg;
    std::unique_ptr<drv::NicDriver> d;
    std::vector<RxInfo> infos;
};

Frame to_us(size_t len, uint8_t seed) {
    std::mt19937_64 rng(seed);
    Frame f = plain_frame(len, rng, kOurMac);
    return f;
}

uint64_t stat(const drv::NicDriver& d, const char* name) {
    uint64_t v = 0;
    EXPECT_TRUE(d.stats().get(name, v)) << name;
    return v;
}

TEST(NicDriver, ProbeBringsTheDeviceUpWithLink) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    EXPECT_TRUE(r.d->link_up());
    // The DMA window is exactly the driver's memory: the memory model saw nothing outside it.
    expect_clean_bus(r.h);
}

TEST(NicDriver, ProbeFailsClearlyWithoutADevice) {
    struct DeadBus : drv::RegBus {
        uint32_t read32(uint32_t) override { return 0xFFFFFFFF; }
        void write32(uint32_t, uint32_t) override {}
    } bus;
    DriverRig r;
    drv::NicDriver d(drv::DriverEnv{bus, r.p, r.p, r.p}, r.cfg);
    EXPECT_FALSE(d.probe());
    EXPECT_NE(d.error().find("no NIC found: ID register reads 0xffffffff"), std::string::npos) << d.error();
}

TEST(NicDriver, ProbeFailsClearlyWithoutAPhyOrALink) {
    drv::DriverConfig c;
    c.phy_addr = 7;  // the PHY model answers at address 1 only
    DriverRig r(c);
    EXPECT_FALSE(r.d->probe());
    EXPECT_NE(r.d->error().find("no PHY answers at MDIO address 7"), std::string::npos) << r.d->error();

    DriverRig r2;
    r2.h.set_link(false);
    EXPECT_FALSE(r2.d->probe());
    EXPECT_NE(r2.d->error().find("no link"), std::string::npos) << r2.d->error();
}

TEST(NicDriver, FramesOfEverySizeClassComeBackByteExact) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    std::vector<Frame> sent;
    for (size_t len : {14u, 60u, 61u, 64u, 333u, 1000u, 1514u}) {
        sent.push_back(to_us(std::max<size_t>(len, 15), uint8_t(len)));
        ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(sent.back().data(), sent.back().size())));
    }
    auto got = r.receive(sent.size());
    ASSERT_EQ(got.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], padded(sent[i])) << "frame " << i;
    EXPECT_EQ(stat(*r.d, "rx_frames"), sent.size());
    EXPECT_GE(stat(*r.d, "irqs"), 1u);
    r.d->update_stats();
    EXPECT_EQ(stat(*r.d, "dev_tx_frames"), sent.size());
    EXPECT_EQ(stat(*r.d, "dev_rx_frames"), sent.size());
    expect_clean_bus(r.h);
}

TEST(NicDriver, ChecksumOffloadFillsWhatTheStackLeftBlankAndVerifiesOnReceive) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    std::mt19937_64 rng(9);
    for (auto kind : {PacketSpec::Tcp, PacketSpec::Udp}) {
        PacketSpec s;
        s.kind = kind;
        s.payload = 300;
        Packet pk = make_packet(s, rng);
        Frame blank = pk.frame;
        blank[24] = blank[25] = 0;                                              // IPv4 header checksum
        blank[pk.l4_off + pk.l4_csum_field] = blank[pk.l4_off + pk.l4_csum_field + 1] = 0;
        ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(blank.data(), blank.size())));
        auto got = r.receive(1);
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0], pk.frame) << "the NIC must insert exactly the software checksums";
        EXPECT_EQ(r.infos.back().ipv4, RxCsum::Good);
        EXPECT_EQ(r.infos.back().l4, RxCsum::Good);
    }
    EXPECT_EQ(stat(*r.d, "tx_csum_offloaded"), 2u);
    EXPECT_EQ(stat(*r.d, "rx_csum_good"), 2u);
}

// A segment whose checksum computes to 0: the driver marks UDP with CSUM_UDP, so the NIC sends
// 0xFFFF (RFC 768: 0 would mean "no checksum"), and TCP without, so it sends the 0 (RFC 9293
// section 3.1). Both verify on receive.
TEST(NicDriver, ComputedZeroChecksumIsAllOnesForUdpOnly) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    std::mt19937_64 rng(10);
    for (auto kind : {PacketSpec::Udp, PacketSpec::Tcp}) {
        PacketSpec s;
        s.kind = kind;
        s.payload = 101;
        Packet pk = make_packet(s, rng);
        force_l4_sum_zero(pk, kind == PacketSpec::Udp ? 8 : 20);
        const size_t field = pk.l4_off + pk.l4_csum_field;
        const uint8_t want = kind == PacketSpec::Udp ? 0xFF : 0x00;
        ASSERT_EQ(pk.frame[field], want);
        ASSERT_EQ(pk.frame[field + 1], want);
        Frame blank = pk.frame;
        blank[24] = blank[25] = 0;
        blank[field] = blank[field + 1] = 0;
        ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(blank.data(), blank.size())));
        auto got = r.receive(1);
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0], pk.frame);
        EXPECT_EQ(got[0][field], want) << (kind == PacketSpec::Udp ? "UDP" : "TCP");
        EXPECT_EQ(got[0][field + 1], want) << (kind == PacketSpec::Udp ? "UDP" : "TCP");
        EXPECT_EQ(r.infos.back().l4, RxCsum::Good);
    }
    EXPECT_EQ(stat(*r.d, "tx_csum_offloaded"), 2u);
}

TEST(NicDriver, AFullTxRingIsBackPressureNotLoss) {
    drv::DriverConfig c;
    c.tx_ring = 16;
    c.tx_queue = 20;
    DriverRig r(c);
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    Frame f = to_us(1514, 1);
    size_t accepted = 0;
    for (int i = 0; i < 50; ++i) accepted += r.d->transmit(r.p.now(), ConstBytes(f.data(), f.size()));
    // 15 in the ring (one entry stays empty), 20 queued; the rest refused and counted.
    EXPECT_EQ(accepted, 35u);
    EXPECT_EQ(stat(*r.d, "tx_queue_full"), 15u);
    auto got = r.receive(accepted, 2000000);
    EXPECT_EQ(got.size(), accepted) << "every accepted frame must go out";
}

// Packet buffers apart from the ring size (DriverConfig::tx_buffers / rx_buffers, what a board's
// 8 KB window needs): 16-entry rings with 2 TX and 2 RX buffers carry a burst of every frame size
// through the line loopback byte-exact and in order, never more than 2 frames in flight, the rest
// waiting in the software queue; the memory model checks that the NIC touched only the driver's
// (smaller) allocation.
TEST(NicDriver, TwoBuffersPerDirectionCarryABurstOnSixteenEntryRings) {
    drv::DriverConfig c;
    c.tx_ring = c.rx_ring = 16;
    c.tx_buffers = c.rx_buffers = 2;
    c.tx_queue = 100;
    DriverRig r(c);
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    // 4 rings of 256 bytes and 4 buffers of round_up(1514, 64) = 1536 bytes.
    EXPECT_EQ(drv::NicDriver::dma_bytes(r.cfg), 4 * 256u + 4 * 1536u);
    EXPECT_EQ(r.d->tx_free(), 2u);
    EXPECT_EQ(r.d->tx_room(), 2u + 100u);
    const uint64_t seed = 11;
    std::mt19937_64 rng(seed);
    std::vector<Frame> sent;
    for (int i = 0; i < 60; ++i) {
        const size_t len = i % 3 == 0 ? 1514 : i % 3 == 1 ? 60 : 60 + rng() % 1455;
        sent.push_back(to_us(len, uint8_t(i)));
        ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(sent.back().data(), sent.back().size()))) << "frame " << i;
        EXPECT_LE(r.d->tx_inflight(), 2u) << "frame " << i;
    }
    EXPECT_EQ(r.d->tx_room(), 100u - r.d->tx_backlog()) << "a waiting queue leaves no ring room to report";
    EXPECT_GE(stat(*r.d, "tx_queued"), 50u) << "all but the first frames wait for a TX buffer";
    std::vector<Frame> got;
    Frame f;
    RxInfo info;
    for (uint64_t end = r.h.cycle() + 4000000; got.size() < sent.size() && r.h.cycle() < end;) {
        r.h.run(16);
        while (r.d->receive(r.p.now(), f, info)) got.push_back(f);
        ASSERT_LE(r.d->tx_inflight(), 2u);
    }
    ASSERT_EQ(got.size(), sent.size()) << "seed " << seed;
    for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], padded(sent[i])) << "frame " << i << " seed " << seed;
    r.d->update_stats();
    EXPECT_EQ(stat(*r.d, "dev_rx_drop_nodesc"), 0u);
    EXPECT_EQ(stat(*r.d, "dev_dma_err"), 0u);
    EXPECT_EQ(stat(*r.d, "tx_queue_full"), 0u);
    EXPECT_EQ(r.d->tx_free(), 2u);
    expect_clean_bus(r.h);

    drv::DriverConfig bad = c;
    bad.rx_buffers = 16;
    DriverRig r2(bad);
    EXPECT_FALSE(r2.d->probe());
    EXPECT_NE(r2.d->error().find("rx_buffers must be 1 .. ring size - 1"), std::string::npos) << r2.d->error();
}

TEST(NicDriver, LinkChangesArriveByInterrupt) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    r.h.set_link(false);
    r.receive(1, 2000);
    EXPECT_FALSE(r.d->link_up());
    r.h.set_link(true);
    r.receive(1, 2000);
    EXPECT_TRUE(r.d->link_up());
    EXPECT_EQ(stat(*r.d, "link_down_events"), 1u);
    EXPECT_EQ(stat(*r.d, "link_up_events"), 1u);
    EXPECT_EQ(stat(*r.d, "irq_link"), 2u);
}

TEST(NicDriver, MulticastHashMatchesTheRtlFilter) {
    drv::DriverConfig c;
    const MacAddr group{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x42}}, other{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x43}};
    ASSERT_NE(drv::multicast_hash_index(group), drv::multicast_hash_index(other));
    c.multicast = {group};
    DriverRig r(c);
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    std::mt19937_64 rng(3);
    Frame to_group = plain_frame(100, rng, std::vector<uint8_t>(group.b.begin(), group.b.end()));
    Frame to_other = plain_frame(100, rng, std::vector<uint8_t>(other.b.begin(), other.b.end()));
    r.d->transmit(r.p.now(), ConstBytes(to_other.data(), to_other.size()));
    r.d->transmit(r.p.now(), ConstBytes(to_group.data(), to_group.size()));
    auto got = r.receive(2, 100000);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], to_group);
    r.d->update_stats();
    EXPECT_EQ(stat(*r.d, "dev_rx_drop_filter"), 1u);
}

TEST(NicDriver, AFatalDmaErrorResetsTheDeviceAndTrafficResumes) {
    DriverRig r;
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    // Something breaks the window under the running device: its next descriptor fetch is refused.
    r.h.wr(regs::kDmaWinLimitLo, 0);
    r.h.wr(regs::kDmaWinLimitHi, 0);
    Frame f = to_us(200, 4);
    r.d->transmit(r.p.now(), ConstBytes(f.data(), f.size()));
    r.receive(1, 20000);
    EXPECT_EQ(stat(*r.d, "irq_err"), 1u);
    EXPECT_EQ(stat(*r.d, "error_resets"), 1u);
    EXPECT_EQ(stat(*r.d, "tx_lost_in_reset"), 1u);
    r.d->update_stats();
    EXPECT_GE(stat(*r.d, "dev_dma_err"), 1u);
    // The rebuilt rings carry traffic again.
    ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(f.data(), f.size())));
    auto got = r.receive(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], f);
    EXPECT_TRUE(r.h.axi().violations().empty()) << r.h.axi().violations().front();
}

TEST(NicDriver, TheWatchdogRecoversAStalledTxRing) {
    drv::DriverConfig c;
    c.tx_watchdog = Duration::from_us(200);
    DriverRig r(c);
    ASSERT_TRUE(r.d->probe()) << r.d->error();
    r.h.wr(regs::kCtrl, regs::ctrl::kRxEn(1));  // TX engine stopped behind the driver's back
    Frame f = to_us(300, 5);
    r.d->transmit(r.p.now(), ConstBytes(f.data(), f.size()));
    r.receive(1, 50000);  // 400 us
    EXPECT_EQ(stat(*r.d, "watchdog_resets"), 1u);
    EXPECT_EQ(stat(*r.d, "tx_lost_in_reset"), 1u);
    ASSERT_TRUE(r.d->transmit(r.p.now(), ConstBytes(f.data(), f.size())));
    auto got = r.receive(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], f);
}

}  // namespace
}  // namespace nic::test
