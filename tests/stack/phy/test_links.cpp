// Devices and middleware: the in-memory link (latency, bounded queue), the fault injector (seeded and
// reproducible: drop, duplicate, reorder, corrupt, delay, rate limit, each counted), the pcap writer
// middleware (read back with libpcap) and the tracer.
#include "harness.h"

#include "phy/pcap_device.h"
#include "phy/tracer.h"

#include <pcap/pcap.h>

using namespace nic;
using namespace nic::test;

namespace {

Frame numbered(uint32_t i, size_t len = 64) {
    Frame f(len, 0);
    wr32(f.data(), i);
    return f;
}

std::vector<uint32_t> collect(Device& d, Instant now) {
    std::vector<uint32_t> out;
    Frame f;
    while (d.receive(now, f)) out.push_back(rd32(f.data()));
    return out;
}

}  // namespace

TEST(MemLink, DeliversAfterLatencyInOrderAndBoundsItsQueue) {
    MemLinkConfig c;
    c.latency = Duration::from_us(100);
    c.queue_frames = 4;
    MemLink l(c);
    Instant t0{0};
    for (uint32_t i = 0; i < 6; ++i) {
        bool ok = l.port(0).transmit(t0, numbered(i));
        EXPECT_EQ(ok, i < 4) << i;
    }
    EXPECT_EQ(l.stats().dropped_full[1], 2u);
    EXPECT_TRUE(collect(l.port(1), t0 + Duration::from_us(99)).empty());
    EXPECT_EQ(l.next_deadline(), t0 + Duration::from_us(100));
    EXPECT_EQ(collect(l.port(1), t0 + Duration::from_us(100)), (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_FALSE(l.port(0).transmit(t0, numbered(9, 1515 + 14)));
    EXPECT_EQ(l.stats().dropped_oversize[1], 1u);
    l.set_link_up(false);
    EXPECT_FALSE(l.port(1).link_up());
    EXPECT_FALSE(l.port(0).transmit(t0, numbered(1)));
}

TEST(FaultInjector, SameSeedSameFaultsAndEveryFaultCounted) {
    FaultConfig fc;
    fc.drop = 0.1;
    fc.duplicate = 0.05;
    fc.reorder = 0.1;
    fc.corrupt = 0.05;
    auto run = [&](uint64_t seed, FaultStats* st) {
        MemLinkConfig lc;
        lc.latency = Duration{};
        lc.queue_frames = 100000;
        MemLink l(lc);
        FaultInjector fi(l.port(0), seed, fc);
        Instant t{0};
        for (uint32_t i = 0; i < 2000; ++i) {
            fi.transmit(t, numbered(i));
            t = t + Duration::from_us(10);
        }
        Frame scratch;
        fi.receive(t + Duration::from_s(1), scratch);  // a poll past the hold time flushes held frames
        *st = fi.tx_stats();
        std::vector<uint32_t> got = collect(l.port(1), t + Duration::from_s(1));
        return got;
    };
    FaultStats s1, s2, s3;
    auto a = run(42, &s1), b = run(42, &s2), c = run(43, &s3);
    EXPECT_EQ(a, b) << "seed 42 must reproduce";
    EXPECT_NE(a, c);
    // drop ~10%, duplicate ~5%, reorder ~10% of 2000 (wide bounds: a fixed seed, not a statistics test)
    EXPECT_GT(s1.dropped, 120u) << "seed 42";
    EXPECT_LT(s1.dropped, 280u) << "seed 42";
    EXPECT_GT(s1.duplicated, 50u) << "seed 42";
    EXPECT_GT(s1.reordered, 100u) << "seed 42";
    EXPECT_GT(s1.corrupted, 40u) << "seed 42";
    EXPECT_EQ(a.size(), 2000 - s1.dropped + s1.duplicated) << "seed 42";
    size_t inversions = 0;
    for (size_t i = 1; i < a.size(); ++i) inversions += a[i] < a[i - 1];
    EXPECT_GT(inversions, 50u) << "seed 42";
}

TEST(FaultInjector, DelayAndRateLimit) {
    MemLinkConfig lc;
    lc.latency = Duration{};
    MemLink l(lc);
    FaultConfig fc;
    fc.delay = Duration::from_ms(5);
    FaultInjector fi(l.port(0), 1, fc);
    fi.transmit(Instant{0}, numbered(1));
    EXPECT_EQ(fi.next_deadline(), Instant{0} + Duration::from_ms(5));
    Frame f;
    fi.receive(Instant{0} + Duration::from_ms(4), f);
    EXPECT_TRUE(collect(l.port(1), Instant{0} + Duration::from_ms(4)).empty());
    fi.receive(Instant{0} + Duration::from_ms(5), f);  // the stack's poll moves delayed frames on
    EXPECT_EQ(collect(l.port(1), Instant{0} + Duration::from_ms(5)).size(), 1u);
    EXPECT_EQ(fi.tx_stats().delayed, 1u);

    FaultConfig rl;
    rl.rate_bps = 8 * 1000 * 100;  // 100 kB/s
    rl.bucket_bytes = 1000;
    MemLink l2(lc);
    FaultInjector fr(l2.port(0), 1, rl);
    for (int i = 0; i < 30; ++i) fr.transmit(Instant{0}, numbered(uint32_t(i), 100));
    EXPECT_EQ(fr.tx_stats().passed, 10u);  // the 1000-byte bucket
    EXPECT_EQ(fr.tx_stats().rate_limited, 20u);
    fr.transmit(Instant{0} + Duration::from_ms(1), numbered(99, 100));  // 1 ms refills 100 bytes
    EXPECT_EQ(fr.tx_stats().passed, 11u);
}

TEST(FaultInjector, ReceiveDirectionFaults) {
    MemLinkConfig lc;
    lc.latency = Duration{};
    MemLink l(lc);
    FaultConfig drop_all;
    drop_all.drop = 1.0;
    FaultInjector fi(l.port(1), 3, FaultConfig{}, drop_all);
    l.port(0).transmit(Instant{0}, numbered(1));
    Frame f;
    EXPECT_FALSE(fi.receive(Instant{0}, f));
    EXPECT_EQ(fi.rx_stats().dropped, 1u);
}

TEST(PcapMiddleware, RecordsBothDirectionsReadableByLibpcap) {
    TempFile file("nic_stack_pcap");
    {
        PcapWriter w;
        ASSERT_TRUE(w.open(file.path())) << w.error();
        // A's port is wrapped by the capture device: everything A sends and receives is recorded.
        TwoHosts h(MemLinkConfig{}, std::nullopt, 1, StackConfig{}, &w);
        int s = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in to = make_sockaddr(Endpoint{kIpB, 9});
        ASSERT_EQ(h.api_a.sendto(s, "cap", 3, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 3);
        h.runner.run_for(Duration::from_ms(10));
        // gratuitous ARP (A), gratuitous ARP (B, received), ARP request, ARP reply, UDP, ICMP port unreachable
        EXPECT_EQ(w.frames(), 6u);
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline_with_tstamp_precision(file.path().c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    ASSERT_NE(p, nullptr) << err;
    pcap_pkthdr* hdr;
    const u_char* data;
    int n = 0;
    bool saw_udp = false;
    while (pcap_next_ex(p, &hdr, &data) == 1) {
        ++n;
        std::string d = describe_frame(ConstBytes(data, hdr->caplen));
        if (d.find("UDP") != std::string::npos && d.find("> 9 len 3") != std::string::npos) saw_udp = true;
    }
    pcap_close(p);
    EXPECT_EQ(n, 6);
    EXPECT_TRUE(saw_udp);
}

TEST(Tracer, OneLinePerFrame) {
    MemLinkConfig lc;
    lc.latency = Duration{};
    MemLink link;
    std::vector<std::string> lines;
    Tracer t(link.port(0), "eth0", [&](const std::string& s) { lines.push_back(s); });
    Stack a;
    a.add_interface(InterfaceConfig{"eth0", &t, kMacA, Ipv4Cidr{kIpA, 24}, std::nullopt});
    a.set_up(Instant{0}, 0, true);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("eth0 tx ARP who-has 192.0.2.1 tell 192.0.2.1"), std::string::npos) << lines[0];
    EXPECT_NE(describe_frame(Frame(3, 0)).find("truncated"), std::string::npos);
}
