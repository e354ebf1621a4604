// CAPS (docs/registers.md) against the build it describes, and a build without the checksum
// engines (nic_core CSUM 0, as the iCE40 board builds it): TX checksum flags are ignored and the
// frame goes out as given, RX completions carry no verdict and no sum, and the driver reads CAPS
// at probe and tells the stack to compute every checksum itself. Compiled once per verilated
// build: NIC_WANT_PIPE and NIC_WANT_CSUM say which (tests/rtl/nic/CMakeLists.txt).
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "nic_test_util.h"

#include <gtest/gtest.h>

namespace nic::test {
namespace {

constexpr unsigned kWantPipe = NIC_WANT_PIPE;
constexpr bool kWantCsum = NIC_WANT_CSUM != 0;

TEST(NicCaps, CapsDescribesThisBuild) {
    NicHarness h;
    const uint32_t caps = h.rd(R::kCaps);
    EXPECT_EQ(R::caps::kTxCsum.get(caps), kWantCsum ? 1u : 0u) << std::hex << caps;
    EXPECT_EQ(R::caps::kRxCsum.get(caps), kWantCsum ? 1u : 0u) << std::hex << caps;
    EXPECT_EQ(R::caps::kPipe.get(caps), kWantPipe) << std::hex << caps;
    EXPECT_EQ(R::caps::kAddrWidth.get(caps), 64u) << std::hex << caps;
    EXPECT_EQ(R::caps::kStatWidth.get(caps), 32u) << std::hex << caps;
    EXPECT_EQ(h.rd(R::kVersion), R::kVersionValue);
    // read-only: a write changes nothing
    h.wr(R::kCaps, ~caps);
    EXPECT_EQ(h.rd(R::kCaps), caps);
}

// The same TCP and UDP frames, asked for IP and L4 checksum insertion with the fields blank: with
// the engines they come back with exactly the software checksums and good verdicts; without them,
// byte for byte as given, and the completion says nothing about checksums.
TEST(NicCaps, ChecksumFlagsAndVerdictsFollowTheBuild) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(77);
    for (auto kind : {PacketSpec::Tcp, PacketSpec::Udp}) {
        PacketSpec s;
        s.kind = kind;
        s.payload = 200;
        Packet pk = make_packet(s, rng);
        TxPacket t;
        t.data = pk.frame;
        t.data[24] = t.data[25] = 0;
        const size_t field = pk.l4_off + pk.l4_csum_field;
        // the pseudo-header sum seeds the L4 field (Linux CHECKSUM_PARTIAL)
        const uint16_t seed = fold(pk.pseudo);
        t.data[field] = uint8_t(seed >> 8);
        t.data[field + 1] = uint8_t(seed);
        t.csum_ip = true;
        t.ip_hlen = uint8_t(pk.ip_hlen);
        t.csum_l4 = true;
        t.csum_start = uint16_t(pk.l4_off);
        t.csum_off = uint8_t(pk.l4_csum_field);
        t.csum_udp = kind == PacketSpec::Udp;
        d.post_tx(t);
        std::vector<RxCompletion> got;
        ASSERT_TRUE(h.run_until([&] {
            for (auto& r : d.poll_rx(true)) got.push_back(std::move(r));
            return !got.empty();
        }, 200000));
        d.poll_tx();
        if (kWantCsum) {
            EXPECT_EQ(got[0].data, pk.frame) << "checksums inserted";
            EXPECT_EQ(int(got[0].status), int(rx_reference(pk.frame).status));
            EXPECT_EQ(got[0].csum, rx_reference(pk.frame).csum);
        } else {
            EXPECT_EQ(got[0].data, t.data) << "no checksum engine: the frame goes out as given";
            EXPECT_EQ(int(got[0].status), 0) << "no checksum engine: no verdict";
            EXPECT_EQ(got[0].csum, 0u);
        }
    }
    expect_clean_bus(h);
}

// The driver offers the stack exactly what CAPS says the NIC does.
TEST(NicCaps, DriverOffersTheStackWhatTheNicHas) {
    NicConfig cfg;
    cfg.loopback = true;
    cfg.mem_size = 4 << 20;
    NicHarness h(cfg);
    HarnessPlatform p(h);
    drv::DriverConfig dc;
    dc.mac = MacAddr{{0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc}};
    drv::NicDriver d(p.env(), dc);
    ASSERT_TRUE(d.probe()) << d.error();
    EXPECT_EQ(d.device_caps(), h.rd(R::kCaps));
    EXPECT_EQ(d.tx_offload(), kWantCsum);
    EXPECT_EQ(d.rx_offload(), kWantCsum);
    const DeviceCaps c = d.caps();
    const Offload want = kWantCsum ? Offload::Both : Offload::None;
    EXPECT_EQ(c.checksum.ipv4, want);
    EXPECT_EQ(c.checksum.tcp, want);
    EXPECT_EQ(c.checksum.udp, want);
    EXPECT_EQ(c.checksum.icmp, kWantCsum ? Offload::Tx : Offload::None);
    expect_clean_bus(h);
}

}  // namespace
}  // namespace nic::test
