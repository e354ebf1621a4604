// Checksum offload against the software reference (RFC 1071 sums in nic_test_util.h):
//   TX: IPv4 header checksum insertion and the Linux CHECKSUM_PARTIAL L4 checksum (driver seeds
//       the pseudo-header sum) over TCP and UDP with IPv4 options, at every buffer alignment: the
//       frame on the line must be exactly what software computes.
//   RX: the completion's sum of bytes 14..end and its verdicts (IPv4 header good/bad, TCP/UDP
//       good/bad/not checked, fragment, protocol) for good and damaged packets of every kind:
//       TCP, UDP, UDP without checksum, other IP protocols, fragments, options, Ethernet padding,
//       non-IP frames.
// Random packets from fixed seeds; a failure prints the seed and the packet number.
#include "nic_test_util.h"

namespace nic::test {
namespace {

PacketSpec random_spec(std::mt19937_64& rng, size_t max_payload) {
    PacketSpec s;
    unsigned k = unsigned(rng() % 100);
    s.kind = k < 35 ? PacketSpec::Tcp : k < 65 ? PacketSpec::Udp : k < 72 ? PacketSpec::UdpNoCsum
           : k < 80 ? PacketSpec::OtherIp : k < 90 ? PacketSpec::Tcp : PacketSpec::NonIp;
    s.opt_len = (rng() % 3 == 0) ? 4 * (rng() % 11) : 0;
    s.payload = rng() % (max_payload + 1);
    s.fragment = rng() % 10 == 0;
    s.eth_pad = rng() % 8 == 0 ? rng() % 12 : 0;
    return s;
}

// TX offload of 10,000 packets through the NIC and back over the line loopback.
TEST(NicChecksum, TxOffloadMatchesSoftwareAndRxAgrees) {
    const uint64_t seed = 20240601;
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(256, 256);
    d.post_rx(255);
    std::mt19937_64 rng(seed);
    const size_t n = 10000;
    std::vector<TxPacket> pk;
    std::vector<std::vector<uint8_t>> want;
    size_t ip_l4 = 0;
    for (size_t i = 0; i < n; ++i) {
        PacketSpec s = random_spec(rng, 160);
        if (s.kind == PacketSpec::UdpNoCsum || s.kind == PacketSpec::OtherIp) s.kind = PacketSpec::Udp;
        s.eth_pad = 0;                  // the partial sum runs to the end of the frame
        Packet p = make_packet(s, rng);
        TxPacket t;
        t.data = p.frame;
        t.align = unsigned(rng() % 8);
        if (p.ip_hlen) {
            // what a driver hands over: IP checksum field stale, L4 field seeded with the
            // pseudo-header sum (Linux CHECKSUM_PARTIAL)
            t.csum_ip = rng() % 4 != 0;
            t.ip_hlen = uint8_t(p.ip_hlen);
            if (t.csum_ip) t.data[24] = uint8_t(rng()), t.data[25] = uint8_t(rng());
            if (p.l4_csum_field && !s.fragment && rng() % 4 != 0) {
                t.csum_l4 = true;
                t.csum_start = uint16_t(p.l4_off);
                t.csum_off = uint8_t(p.l4_csum_field);
                t.csum_udp = s.kind == PacketSpec::Udp;
                uint16_t seedsum = fold(p.pseudo);
                t.data[p.l4_off + p.l4_csum_field] = uint8_t(seedsum >> 8);
                t.data[p.l4_off + p.l4_csum_field + 1] = uint8_t(seedsum);
                ++ip_l4;
            }
        }
        want.push_back(tx_reference(t));
        // the reference must rebuild the correct packet (sanity of the test itself)
        if (t.csum_ip || t.csum_l4) {
            ASSERT_EQ(want.back(), p.frame) << "packet " << i;
        }
        pk.push_back(std::move(t));
    }
    ASSERT_GT(ip_l4, n / 2);

    size_t next = 0, got_rx = 0, got_tx = 0;
    size_t burst_seen = 0;
    bool broken = false;
    ASSERT_TRUE(h.run_until([&] {
        if (h.cycle() % 64) return false;
        for (auto& c : d.poll_tx()) {
            EXPECT_EQ(c.status, 0) << "packet " << got_tx << " seed " << seed;
            ++got_tx;
        }
        bool rung = false;
        while (next < n && d.tx_free() > 0) {
            d.post_tx(pk[next++], false);
            rung = true;
        }
        if (rung) d.tx_doorbell();
        auto& bursts = h.line_tx();
        for (; burst_seen < bursts.size(); ++burst_seen) {
            std::vector<uint8_t> f;
            if (!decode_burst(bursts[burst_seen].symbols, f)) {
                ADD_FAILURE() << "bad burst, packet " << burst_seen << " seed " << seed;
                broken = true;
            }
            EXPECT_EQ(f, padded(want[burst_seen])) << "packet " << burst_seen << " seed " << seed;
        }
        bursts.clear();
        for (auto& r : d.poll_rx(true)) {
            RxVerdict v = rx_reference(padded(want[got_rx]));
            EXPECT_EQ(r.data, padded(want[got_rx])) << "packet " << got_rx << " seed " << seed;
            EXPECT_EQ(r.status, v.status) << "packet " << got_rx << " seed " << seed;
            EXPECT_EQ(r.csum, v.csum) << "packet " << got_rx << " seed " << seed;
            if (v.status & R::rxc::kL4Checked) {
                EXPECT_FALSE(v.status & R::rxc::kL4Bad);
            }
            ++got_rx;
        }
        return got_rx == n || broken || ::testing::Test::HasFailure();
    }, 50'000'000));
    EXPECT_EQ(got_tx, n);
    expect_clean_bus(h);
}

// RX verdicts on 10,000 packets straight from the line, a third of them damaged.
TEST(NicChecksum, RxVerdictsMatchReference) {
    const uint64_t seed = 77031;
    NicHarness h;
    RingDriver d(h);
    d.init(512, 512);
    d.post_rx(511);
    std::mt19937_64 rng(seed);
    const size_t n = 10000;
    std::vector<std::vector<uint8_t>> sent;
    unsigned counts[8] = {};
    size_t queued = 0, got = 0;
    ASSERT_TRUE(h.run_until([&] {
        if (h.cycle() % 64) return false;
        while (queued < n && h.line_rx_pending() < 4000) {
            Packet p = make_packet(random_spec(rng, 200), rng);
            std::vector<uint8_t> f = p.frame;
            switch (rng() % 9) {
            case 0: f[14 + 4 + rng() % 8] ^= uint8_t(1 + rng() % 255); break;     // IP header
            case 1: if (f.size() > 60) f[40 + rng() % (f.size() - 40)] ^= 0x10; break;  // payload
            case 2: f[14] = uint8_t(0x40 | (rng() % 5)); break;                   // IHL < 5
            case 3: f[16] = uint8_t(0x20 + rng() % 8); break;                     // total length too big
            case 4: f[14] = uint8_t(0x60 | (f[14] & 15)); break;                  // version 6
            default: break;
            }
            sent.push_back(padded(f));
            // at least 240 byte times per frame: with 1 us memory latency the RX engine needs
            // ~1.3 us per small frame plus a descriptor fetch per two (the line-rate test
            // measures that limit on its own)
            h.send_line(f, int(std::max<size_t>(12, 240 - std::min<size_t>(240, padded(f).size() + 12))));
            ++queued;
        }
        for (auto& r : d.poll_rx(true)) {
            const auto& f = sent[got];
            RxVerdict v = rx_reference(f);
            EXPECT_EQ(r.data, f) << "packet " << got << " seed " << seed;
            EXPECT_EQ(r.csum, v.csum) << "packet " << got << " seed " << seed;
            EXPECT_EQ(r.status, v.status) << "packet " << got << " seed " << seed << " "
                                          << ref::hex(f, 40);
            for (int b = 0; b < 7; ++b) counts[b] += (v.status >> b) & 1;
            counts[7] += (v.status & R::rxc::kL4Checked) && !(v.status & R::rxc::kL4Bad);
            ++got;
        }
        return got == n || ::testing::Test::HasFailure();
    }, 80'000'000));
    // every verdict occurs often
    const char* names[] = {"ip4", "ip_bad", "l4_checked", "l4_bad", "tcp", "udp", "frag", "l4_good"};
    for (int b = 0; b < 8; ++b) EXPECT_GT(counts[b], 200u) << names[b];
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 0u);
    expect_clean_bus(h);
}

}  // namespace
}  // namespace nic::test
