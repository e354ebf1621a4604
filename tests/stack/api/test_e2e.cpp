// Two stacks over the in-memory link: UDP echo and ping, lossless (exact virtual-time RTTs) and with
// 10% loss plus reordering on both directions (fixed seeds; results checked payload by payload).
#include "harness.h"

#include "svc/ping.h"

#include <map>

using namespace nic;
using namespace nic::test;

namespace {

sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

// UDP echo server on B as a runner task (non-blocking, single-threaded).
void start_echo(TwoHosts& h, uint16_t port) {
    int fd = h.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), port});
    EXPECT_EQ(h.api_b.bind(fd, sa(any), sizeof any), 0);
    h.runner.add_task([&h, fd] {
        bool did = false;
        char buf[2048];
        for (;;) {
            sockaddr_in from{};
            socklen_t fl = sizeof from;
            long n = h.api_b.recvfrom(fd, buf, sizeof buf, 0, sa(from), &fl);
            if (n < 0) break;
            h.api_b.sendto(fd, buf, size_t(n), 0, sa(from), fl);
            did = true;
        }
        return did;
    });
}

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

struct EchoOutcome {
    int matched = 0, retries = 0;
    uint64_t sent_hash = 0, echoed_hash = 0;
};

EchoOutcome udp_echo_run(TwoHosts& h, int n) {
    start_echo(h, 7);
    EchoOutcome out;
    out.sent_hash = out.echoed_hash = 1469598103934665603ull;
    int fd = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 7});
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), 0);
    timeval tv{0, 20000};  // 20 ms: far above the link RTT, so a timeout means a loss
    h.api_a.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (int i = 0; i < n; ++i) {
        std::string msg = "echo #" + std::to_string(i) + " " + std::string(size_t(i % 97), char('a' + i % 26));
        out.sent_hash = fnv1a(msg, out.sent_hash);
        bool ok = false;
        for (int attempt = 0; attempt < 200 && !ok; ++attempt) {  // 4 s: covers ARP's 1 s retries
            if (attempt) ++out.retries;
            EXPECT_EQ(h.api_a.send(fd, msg.data(), msg.size(), 0), long(msg.size()));
            char buf[256];
            for (;;) {
                long r = h.api_a.recv(fd, buf, sizeof buf, 0);
                if (r < 0) break;  // timeout: resend
                std::string got(buf, size_t(r));
                if (got == msg) {
                    ok = true;
                    break;
                }
                // A late echo of an earlier attempt or message (reordering, retries): skip it.
            }
        }
        if (!ok) return out;
        ++out.matched;
        out.echoed_hash = fnv1a(msg, out.echoed_hash);
    }
    return out;
}

FaultConfig lossy() {
    FaultConfig f;
    f.drop = 0.10;
    f.reorder = 0.10;
    f.reorder_max_hold = Duration::from_ms(2);
    return f;
}

}  // namespace

TEST(EndToEnd, UdpEchoLossless) {
    TwoHosts h;
    auto r = udp_echo_run(h, 100);
    EXPECT_EQ(r.matched, 100);
    EXPECT_EQ(r.retries, 0);
    EXPECT_EQ(r.sent_hash, r.echoed_hash);
}

TEST(EndToEnd, UdpEchoOverLossyReorderingLink) {
    const uint64_t seed = 20261126;
    TwoHosts h(MemLinkConfig{}, lossy(), seed);
    auto r = udp_echo_run(h, 300);
    EXPECT_EQ(r.matched, 300) << "seed " << seed;
    EXPECT_EQ(r.sent_hash, r.echoed_hash) << "seed " << seed;
    EXPECT_GT(r.retries, 20) << "seed " << seed << ": the link really lost packets";
    EXPECT_GT(h.fault_a->tx_stats().dropped + h.fault_b->tx_stats().dropped, 40u) << "seed " << seed;
    EXPECT_GT(h.fault_a->tx_stats().reordered, 10u) << "seed " << seed;
}

TEST(EndToEnd, PingLosslessHasExactVirtualRtt) {
    TwoHosts h;  // 50 us one-way latency
    // Let the gratuitous ARPs of both hosts pass first: one arriving while A waits for B's address
    // would resolve it early (RFC 826 merge), which is correct but makes the first RTT 150 us.
    h.runner.run_for(Duration::from_ms(1));
    PingConfig pc;
    pc.dst = kIpB;
    pc.count = 5;
    pc.interval = Duration::from_ms(10);
    auto r = ping(h.api_a, pc);
    EXPECT_EQ(r.transmitted, 5);
    EXPECT_EQ(r.received, 5);
    EXPECT_EQ(r.loss_percent(), 0.0);
    // The first exchange waits for ARP (request + reply) before the echo: 4 link crossings.
    EXPECT_EQ(r.rtt_max.ns, Duration::from_us(200).ns);
    EXPECT_EQ(r.rtt_min.ns, Duration::from_us(100).ns);
    EXPECT_EQ(r.rtt_avg.ns, Duration::from_us(120).ns) << "(200 + 4 * 100) / 5";
    ASSERT_EQ(r.replies.size(), 5u);
    for (size_t i = 0; i < r.replies.size(); ++i) {
        EXPECT_EQ(r.replies[i].seq, i + 1);
        EXPECT_EQ(r.replies[i].bytes, 8u + 56u) << "ICMP header + the default 56 data bytes";
    }
    std::string sum = r.summary(kIpB);
    EXPECT_NE(sum.find("5 packets transmitted, 5 received, 0.0% packet loss"), std::string::npos) << sum;
    EXPECT_NE(sum.find("rtt min/avg/max = 0.100/0.120/0.200 ms"), std::string::npos) << sum;
}

TEST(EndToEnd, PingStatisticsCountLossSizeAndRtt) {
    // B answers the first two echo requests, then its interface goes down: requests 3 and 4 are lost.
    TwoHosts h;
    h.runner.run_for(Duration::from_ms(1));  // gratuitous ARPs out of the way (see above)
    h.runner.add_task([&h] {
        if (h.b.interfaces()[0].admin_up && h.b.stats().rx_icmp_echo_request >= 2) h.b.set_up(h.clock.now(), 0, false);
        return false;
    });
    PingConfig pc;
    pc.dst = kIpB;
    pc.count = 4;
    pc.size = 1000;
    pc.interval = Duration::from_ms(10);
    pc.timeout = Duration::from_ms(100);
    auto r = ping(h.api_a, pc);
    EXPECT_EQ(r.transmitted, 4);
    EXPECT_EQ(r.received, 2);
    EXPECT_EQ(r.errors, 0);
    EXPECT_EQ(r.loss_percent(), 50.0);
    EXPECT_EQ(counter(h.b, "rx_iface_down"), 2u);
    ASSERT_EQ(r.replies.size(), 2u);
    for (const auto& rep : r.replies) EXPECT_EQ(rep.bytes, 8u + 1000u) << "ICMP header + --size data bytes";
    // The first exchange waits for ARP: 4 crossings of 50 us; the second 2.
    EXPECT_EQ(r.rtt_max.ns, Duration::from_us(200).ns);
    EXPECT_EQ(r.rtt_min.ns, Duration::from_us(100).ns);
    EXPECT_EQ(r.rtt_avg.ns, Duration::from_us(150).ns);
    std::string sum = r.summary(kIpB);
    EXPECT_NE(sum.find("4 packets transmitted, 2 received, 50.0% packet loss"), std::string::npos) << sum;
    EXPECT_NE(sum.find("rtt min/avg/max = 0.100/0.150/0.200 ms"), std::string::npos) << sum;
}

TEST(EndToEnd, PingRefusesConfigurationsItCannotRun) {
    TwoHosts h;
    for (int variant = 0; variant < 5; ++variant) {
        PingConfig pc;
        pc.dst = kIpB;
        if (variant == 0) pc.count = 0;
        if (variant == 1) pc.interval = Duration::from_ms(-1);
        if (variant == 2) pc.timeout = Duration::from_ms(-1);
        if (variant == 3) pc.size = kPingMaxSize + 1;
        if (variant == 4) pc.ttl = 0;
        auto r = ping(h.api_a, pc);
        EXPECT_EQ(r.setup_error, EINVAL) << "variant " << variant;
        EXPECT_EQ(r.transmitted, 0) << "variant " << variant;
    }
    EXPECT_EQ(counter(h.a, "tx_icmp_echo_request"), 0u);
    EXPECT_TRUE(h.api_a.netstat().empty()) << "no socket left behind";
}

TEST(EndToEnd, PingOverLossyReorderingLinkIsConsistentAndReproducible) {
    const uint64_t seed = 77;
    auto run = [&](uint64_t s) {
        TwoHosts h(MemLinkConfig{}, lossy(), s);
        PingConfig pc;
        pc.dst = kIpB;
        pc.count = 200;
        pc.interval = Duration::from_ms(5);
        pc.timeout = Duration::from_ms(500);
        auto r = ping(h.api_a, pc);
        uint64_t dropped = h.fault_a->tx_stats().dropped + h.fault_b->tx_stats().dropped;
        return std::make_pair(r, dropped);
    };
    auto [r, dropped] = run(seed);
    EXPECT_EQ(r.transmitted, 200) << "seed " << seed;
    EXPECT_EQ(r.corrupted, 0) << "seed " << seed;
    EXPECT_EQ(r.duplicates, 0) << "seed " << seed;
    // Every lost exchange is a dropped request or reply (ARP frames can add drops, never losses
    // beyond them): losses <= drops, and with 10% per direction about 19% of exchanges fail.
    int lost = r.transmitted - r.received;
    EXPECT_LE(uint64_t(lost), dropped) << "seed " << seed;
    EXPECT_GT(r.loss_percent(), 8.0) << "seed " << seed;
    EXPECT_LT(r.loss_percent(), 32.0) << "seed " << seed;
    EXPECT_EQ(int(r.replies.size()), r.received);
    for (const auto& rep : r.replies) EXPECT_GE(rep.rtt.ns, Duration::from_us(100).ns) << "seed " << seed;
    auto [r2, dropped2] = run(seed);
    EXPECT_EQ(r2.received, r.received) << "same seed, same run";
    EXPECT_EQ(dropped2, dropped);
    EXPECT_EQ(r2.rtt_avg.ns, r.rtt_avg.ns);
}

// Same seed and options, same run: the capture of A's link is identical byte for byte and so are
// the counters of both stacks and fault injectors. A different seed gives a different capture (the
// faults really depend on the seed). This is what makes a failing random run reproducible.
TEST(EndToEnd, LossyRunIsReproducibleToThePcapByteAndTheStatistics) {
    const uint64_t seed = 31337;
    struct Outcome {
        std::vector<uint8_t> pcap;
        std::string stats;
        int echoed = 0, pinged = 0;
    };
    auto run = [](uint64_t s) {
        Outcome o;
        TempFile file("nic_stack_determinism");
        {
            PcapWriter w;
            EXPECT_TRUE(w.open(file.path())) << w.error();
            TwoHosts h(MemLinkConfig{}, lossy(), s, StackConfig{}, &w);
            o.echoed = udp_echo_run(h, 60).matched;
            PingConfig pc;
            pc.dst = kIpB;
            pc.count = 60;
            pc.interval = Duration::from_ms(5);
            pc.timeout = Duration::from_ms(200);
            auto r = ping(h.api_a, pc);
            o.pinged = r.received;
            auto fs = [](const FaultStats& f) {
                return std::to_string(f.passed) + "/" + std::to_string(f.dropped) + "/" + std::to_string(f.reordered);
            };
            o.stats = "A\n" + h.a.stats().dump() + "B\n" + h.b.stats().dump() + "faults " + fs(h.fault_a->tx_stats()) +
                      " " + fs(h.fault_b->tx_stats()) + "\n" + r.summary(kIpB) + h.api_a.netstat_table() +
                      h.a.arp_cache().dump(h.clock.now());
        }
        o.pcap = file.contents();
        return o;
    };
    Outcome x = run(seed), y = run(seed), z = run(seed + 1);
    ASSERT_GT(x.pcap.size(), 24u) << "seed " << seed << ": the capture holds frames";
    EXPECT_EQ(x.echoed, 60) << "seed " << seed;
    EXPECT_GT(x.pinged, 0) << "seed " << seed;
    EXPECT_TRUE(x.pcap == y.pcap) << "seed " << seed << ": same seed, different capture (" << x.pcap.size() << " vs "
                                  << y.pcap.size() << " bytes)";
    EXPECT_EQ(x.stats, y.stats) << "seed " << seed;
    EXPECT_FALSE(x.pcap == z.pcap) << "seeds " << seed << " and " << seed + 1 << " gave the same capture";
}

TEST(EndToEnd, PingUnreachableHostReportsErrors) {
    TwoHosts h;
    PingConfig pc;
    pc.dst = kIpC;  // nobody answers ARP
    pc.count = 3;
    pc.interval = Duration::from_s(1);
    pc.timeout = Duration::from_s(5);
    auto r = ping(h.api_a, pc);
    EXPECT_EQ(r.received, 0);
    EXPECT_GT(r.errors, 0);
    EXPECT_EQ(r.last_error, EHOSTUNREACH);
    EXPECT_EQ(counter(h.a, "arp_resolve_failed"), 1u);
}

TEST(EndToEnd, UdpEchoSurvivesBitCorruptionAndCountsIt) {
    // 20% of frames get one bit flipped. There is no FCS on the in-memory link, so the stack's own
    // checks must catch every damaged frame (MAC/ethertype, IPv4 header checksum, UDP checksum, ARP
    // fields); the application must still see exactly the bytes that were sent.
    const uint64_t seed = 4242;
    FaultConfig f;
    f.corrupt = 0.2;
    TwoHosts h(MemLinkConfig{}, f, seed);
    auto r = udp_echo_run(h, 200);
    EXPECT_EQ(r.matched, 200) << "seed " << seed;
    EXPECT_EQ(r.sent_hash, r.echoed_hash) << "seed " << seed;
    uint64_t corrupted = h.fault_a->tx_stats().corrupted + h.fault_b->tx_stats().corrupted;
    EXPECT_GT(corrupted, 40u) << "seed " << seed;
    uint64_t caught = 0;
    for (const Stack* s : {&h.a, &h.b})
        for (const char* c : {"rx_eth_not_for_us", "rx_eth_unknown_type", "rx_ip_bad_checksum", "rx_ip_bad_version",
                              "rx_ip_bad_ihl", "rx_ip_bad_total_len", "rx_udp_bad_checksum", "rx_udp_bad_length",
                              "rx_arp_unsupported", "rx_ip_not_for_us", "rx_ip_bad_src", "rx_udp_no_port"})
            caught += counter(*s, c);
    EXPECT_GT(caught, 0u) << "seed " << seed;
    EXPECT_LE(caught, corrupted) << "seed " << seed << ": every drop is explained by a corrupted frame";
}
