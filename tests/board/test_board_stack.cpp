// The whole board path with the real software on both sides: the host's stack and NicDriver over the
// simulated FT2232H -> SPI bridge -> the board's RTL (nic_fpga_core as firmware/ice40-hx8k builds
// it: 8 KB window, 2 KB FIFOs, RMII at 50 MHz REF_CLK beside a 50.25 MHz core) -> RMII dibits -> a
// peer host's stack. ARP both ways, ping with RTTs, and an HTTP GET checked byte for byte while SPI
// transfers are corrupted on purpose (the bridge's CRC catches them and the client repeats them).
#include "board_apps.h"
#include "driver/board/sim/sim_board.h"
#include "driver/nic_regs.h"
#include "http.h"
#include "svc/ping.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>

namespace nic::board {
namespace {

namespace R = nic::regs;

const Ipv4Addr kHostIp(0xC0000201), kPeerIp(0xC0000202);

TEST(BoardStack, DriverNegotiatesRmiiAt100AndFitsTheWindow) {
    SimBoard sb;
    ASSERT_TRUE(sb.open()) << sb.error();
    auto& d = sb.host().driver();
    EXPECT_EQ(R::caps::kMacMode.get(d.device_caps()), 2u) << "the board's MAC is RMII";
    EXPECT_EQ(sb.host().platform().read32(R::kCtrl) & R::ctrl::kSpeed10(1), 0u) << "CTRL.SPEED_10 must be 0: 100 Mb/s";
    EXPECT_TRUE(sb.board().speed_100());
    EXPECT_EQ(d.config().tx_ring, 16u);
    EXPECT_EQ(d.config().rx_buffers, 2u);
    EXPECT_EQ(d.config().tx_buffers, 2u);
    EXPECT_EQ(sb.host().platform().allocated(), 7168u) << "4 rings of 256 bytes + 4 buffers of 1536 bytes";
    EXPECT_EQ(sb.host().platform().bus_errors(), 0u) << sb.host().platform().error();
}

// A partner that advertises 10BASE-T only: the driver sets CTRL.SPEED_10 and frames still cross
// (each dibit held 10 REF_CLK cycles both ways).
TEST(BoardStack, TenMegabitPartnerGivesSpeed10AndPingStillWorks) {
    SimBoardConfig c;
    c.board.phy_100 = false;
    SimBoard sb(c);
    ASSERT_TRUE(sb.open()) << sb.error();
    EXPECT_NE(sb.host().platform().read32(R::kCtrl) & R::ctrl::kSpeed10(1), 0u);
    PingConfig pc;
    pc.dst = kPeerIp;
    pc.count = 2;
    pc.interval = Duration::from_ms(1);
    pc.timeout = Duration::from_ms(100);
    PingResult r = ping(sb.host().api(), pc);
    EXPECT_EQ(r.received, 2) << r.summary(pc.dst);
}

// Bring-up failures say which step failed: no link on the board's link pin, nothing on SPI.
TEST(BoardStack, OpenFailsClearlyWithoutLinkOrBoard) {
    SimBoardConfig c;
    c.board.link = false;
    SimBoard sb(c);
    EXPECT_FALSE(sb.open());
    EXPECT_NE(sb.error().find("no link: the board's link pin is low"), std::string::npos) << sb.error();

    struct Nothing : SpiPins, BoardClock {
        void set(bool, bool, bool) override {}
        bool miso() override { return false; }
        void advance_ns(double ns) override { t += int64_t(ns); }
        Instant now() const override { return Instant::from_ns(t); }
        void delay(Duration d) override { t += d.ns; }
        int64_t t = 0;
    } nothing;
    SimFtdi ftdi(nothing);
    BoardHost host(ftdi, nothing);
    EXPECT_FALSE(host.open());
    EXPECT_NE(host.error().find("no board answers on SPI"), std::string::npos) << host.error();
}

TEST(BoardStack, ArpPingAndHttpGetAcrossSpiWithCorruptedTransfers) {
    SimBoardConfig c;
    c.board.ref_ppm = 50;              // REF_CLK 50 ppm fast against the core's PLL clock
    SimBoard sb(c);
    ASSERT_TRUE(sb.open()) << sb.error();
    auto& host = sb.host();
    ASSERT_EQ(R::caps::kMacMode.get(host.driver().device_caps()), 2u);
    ASSERT_EQ(host.platform().read32(R::kCtrl) & R::ctrl::kSpeed10(1), 0u) << "RMII must run at 100 Mb/s";

    // ARP (the first echo request waits for it) and ping.
    PingConfig pc;
    pc.dst = kPeerIp;
    pc.count = 4;
    // A request every 10 ms: the board has two RX buffers and the host re-posts them at SPI speed,
    // so requests 1 ms apart can meet a reply dropped for want of a descriptor (counted, not lost
    // silently, but ping does not retransmit).
    pc.interval = Duration::from_ms(10);
    pc.timeout = Duration::from_ms(100);
    PingResult pr = ping(host.api(), pc);
    EXPECT_EQ(pr.transmitted, 4);
    EXPECT_EQ(pr.received, 4) << pr.summary(pc.dst);
    std::printf("ping over the board: %d/%d replies, rtt min/avg/max %.3f/%.3f/%.3f ms (simulated)\n", pr.received,
                pr.transmitted, pr.rtt_min.to_ms(), pr.rtt_avg.to_ms(), pr.rtt_max.to_ms());
    EXPECT_GT(pr.rtt_min.to_ms(), 0.0);
    const Instant now = sb.runner().now();
    auto host_sees = host.stack().arp_cache().lookup(0, kPeerIp, now);
    auto peer_sees = sb.peer().arp_cache().lookup(0, kHostIp, now);
    ASSERT_TRUE(host_sees.has_value()) << "the board host's ARP cache lacks 192.0.2.2";
    ASSERT_TRUE(peer_sees.has_value()) << "the peer's ARP cache lacks 192.0.2.1";
    EXPECT_EQ(*host_sees, sb.config().peer_mac);
    EXPECT_EQ(*peer_sees, host.config().mac);

    // HTTP GET from the peer's server, with SPI transfers corrupted on the way, every 25th
    // alternately: a MOSI bit of the header's address (the bridge refuses the command: HC fails)
    // and a MISO bit of the last byte (the reply's CRC, MC, fails at the host).
    HttpServer server(sb.peer_api(), HttpServerConfig{});
    ASSERT_EQ(server.start(), 0);
    sb.runner().add_task([&server] { return server.step(); });
    const BridgeStats before = host.bridge().stats();
    const uint64_t first = sb.ftdi().transfers();
    sb.ftdi().fault_hook = [first](uint64_t i, size_t bytes) {
        SpiFault f;
        if (i > first && (i - first) % 25 == 0) {
            if ((i - first) / 25 % 2)
                f.mosi_bit = 8 + 3;
            else
                f.miso_bit = long(8 * bytes - 3);
        }
        return f;
    };
    const size_t kBody = 6000;
    HttpUrl url;
    ASSERT_TRUE(parse_http_url("http://192.0.2.2/gen/" + std::to_string(kBody), url));
    char* buf = nullptr;
    size_t len = 0;
    FILE* out = open_memstream(&buf, &len);
    ASSERT_NE(out, nullptr);
    HttpResult hr = http_get(host.api(), url, out, Duration::from_s(5));
    std::fclose(out);
    std::string body(buf, len);
    std::free(buf);
    sb.ftdi().fault_hook = nullptr;
    EXPECT_EQ(hr.err, 0) << std::strerror(hr.err);
    EXPECT_EQ(hr.error, "");
    EXPECT_EQ(hr.status, 200) << hr.status_line;
    ASSERT_EQ(body.size(), kBody);
    for (size_t i = 0; i < kBody; ++i) ASSERT_EQ(body[i], char('a' + i % 26)) << "body byte " << i;

    const BridgeStats& after = host.bridge().stats();
    std::printf("GET %zu bytes: %llu SPI transfers, %llu faults injected, %llu retries, %llu refused, %llu reply CRC errors\n",
                kBody, (unsigned long long)(sb.ftdi().transfers() - first), (unsigned long long)sb.ftdi().faults_injected(),
                (unsigned long long)(after.retries - before.retries), (unsigned long long)(after.refused - before.refused),
                (unsigned long long)(after.reply_crc_errors - before.reply_crc_errors));
    EXPECT_GE(sb.ftdi().faults_injected(), 2u);
    EXPECT_GT(after.refused, before.refused) << "a corrupted command must be refused by the bridge";
    EXPECT_GT(after.reply_crc_errors, before.reply_crc_errors) << "a corrupted reply must fail its CRC";
    EXPECT_GT(after.retries, before.retries);
    EXPECT_EQ(after.failures, 0u);
    EXPECT_EQ(host.platform().bus_errors(), 0u) << host.platform().error();
    EXPECT_EQ(sb.board().bad_tx_frames(), 0u) << "every frame the MAC sent has a valid FCS";
    auto& d = host.driver();
    d.update_stats();
    EXPECT_EQ(d.stats().dev_rx_drop_mac, 0u);
    EXPECT_EQ(d.stats().rx_error_completions, 0u);
    EXPECT_GE(d.stats().rx_frames, 4u + kBody / 1448);
}

// The board's statistics counters are 16 bits wide (STAT_WIDTH 16): a bulk transfer past 2^16
// bytes wraps them, and the driver's totals must still equal what it posted and took (it reads them
// modulo their width, and often enough that none wraps twice between reads).
TEST(BoardStack, SixteenBitDeviceCountersFollowAWrap) {
    SimBoard sb;
    ASSERT_TRUE(sb.open()) << sb.error();
    BulkOptions o;
    o.bytes = 150 * 1000;                        // > 2^17 bytes on the wire: two wraps at least
    o.direction = "both";
    BulkOutcome b = run_bulk(sb.host().api(), sb.runner(), &sb.peer_api(), o);
    ASSERT_TRUE(b.ok) << b.error;
    auto& d = sb.host().driver();
    d.update_stats();
    const drv::DriverStats& st = d.stats();
    ASSERT_GT(st.tx_bytes, 2u * 65536u);
    ASSERT_GT(st.rx_bytes, 2u * 65536u);
    EXPECT_EQ(st.dev_tx_frames, st.tx_frames);
    EXPECT_EQ(st.dev_tx_bytes, st.tx_bytes);
    // The device counts at least every frame the driver was handed (more when some found no
    // descriptor); with a lost wrap its byte count would fall 65,536 short.
    EXPECT_GE(st.dev_rx_frames, st.rx_frames);
    EXPECT_GE(st.dev_rx_bytes, st.rx_bytes);
    EXPECT_LT(st.dev_rx_bytes, st.rx_bytes + 65536u);
}

}  // namespace
}  // namespace nic::board
