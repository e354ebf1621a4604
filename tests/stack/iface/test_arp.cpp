// ARP (RFC 826, RFC 1122 2.3.2): answering, gratuitous ARP on up, the pending queue that delivers after
// the reply, one request per second, EHOSTUNREACH after 3 unanswered requests, ageing and refresh.
#include "harness.h"

using namespace nic;
using namespace nic::test;

namespace {

std::vector<ArpRepr> arps(const std::vector<Frame>& frames) {
    std::vector<ArpRepr> out;
    for (const auto& f : frames) {
        auto e = parse_ethernet(f);
        if (e && e->ethertype == kEtherArp) {
            auto a = parse_arp(e->payload);
            if (a) out.push_back(*a);
        }
    }
    return out;
}

size_t count_udp(const std::vector<Frame>& frames, MacAddr dst) {
    size_t n = 0;
    for (const auto& f : frames) {
        auto e = parse_ethernet(f);
        if (!e || e->ethertype != kEtherIpv4 || e->dst != dst) continue;
        auto ip = parse_ipv4(e->payload);
        if (ip && ip->proto == kProtoUdp) ++n;
    }
    return n;
}

Frame arp_frame(ArpOp op, MacAddr sha, Ipv4Addr spa, MacAddr tha, Ipv4Addr tpa, MacAddr eth_dst) {
    ArpRepr a{op, sha, spa, tha, tpa};
    std::vector<uint8_t> b(kArpLen);
    emit_arp(a, b);
    return eth_frame(eth_dst, sha, kEtherArp, b);
}

int udp_socket_to(SocketApi& api, Ipv4Addr dst, uint16_t port) {
    int fd = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in sa = make_sockaddr(Endpoint{dst, port});
    EXPECT_EQ(api.connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << api.error();
    return fd;
}

}  // namespace

TEST(Arp, GratuitousAnnouncementWhenInterfaceComesUp) {
    VirtualClock clock;
    MemLink link;
    Stack s;
    s.add_interface(InterfaceConfig{"eth0", &link.port(0), kMacA, Ipv4Cidr{kIpA, 24}, std::nullopt});
    s.set_up(clock.now(), 0, true);
    clock.advance(Duration::from_ms(1));
    Frame f;
    ASSERT_TRUE(link.port(1).receive(clock.now(), f));
    auto a = arps({f});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].op, ArpOp::Request);
    EXPECT_EQ(a[0].spa, kIpA);
    EXPECT_EQ(a[0].tpa, kIpA);  // RFC 5227 announcement: sender = target = our address
    EXPECT_EQ(counter(s, "tx_arp_gratuitous"), 1u);
    // Down and up again: another announcement.
    s.set_up(clock.now(), 0, false);
    s.set_up(clock.now(), 0, true);
    EXPECT_EQ(counter(s, "tx_arp_gratuitous"), 2u);
}

TEST(Arp, AnswersRequestsForOurAddressOnly) {
    Probe p;
    p.inject(arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA, MacAddr::broadcast()));
    auto a = arps(p.drain());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].op, ArpOp::Reply);
    EXPECT_EQ(a[0].sha, kMacA);
    EXPECT_EQ(a[0].spa, kIpA);
    EXPECT_EQ(a[0].tha, kMacC);
    EXPECT_EQ(a[0].tpa, kIpC);
    // We were the target, so C is now in the cache (RFC 826): sending to C needs no request.
    int fd = udp_socket_to(p.api, kIpC, 9);
    ASSERT_EQ(p.api.send(fd, "x", 1, 0), 1);
    auto frames = p.drain();
    EXPECT_EQ(arps(frames).size(), 0u);
    EXPECT_EQ(count_udp(frames, kMacC), 1u);

    p.inject(arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpB, MacAddr::broadcast()));
    EXPECT_TRUE(p.drain().empty());
    EXPECT_EQ(counter(p.s, "rx_arp_not_for_us"), 1u);
    // Malformed ARP: counted, never answered.
    Frame bad = arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA, MacAddr::broadcast());
    bad.resize(kEthHeaderLen + 20);
    p.inject(bad);
    EXPECT_EQ(counter(p.s, "rx_arp_truncated"), 1u);
    Frame own = arp_frame(ArpOp::Request, kMacA, kIpC, MacAddr{}, kIpA, MacAddr::broadcast());
    p.inject(own);
    EXPECT_EQ(counter(p.s, "rx_arp_bad_sender"), 1u);
    Frame conflict = arp_frame(ArpOp::Reply, kMacC, kIpA, kMacA, kIpA, kMacA);
    p.inject(conflict);
    EXPECT_EQ(counter(p.s, "rx_arp_conflict"), 1u);
    EXPECT_TRUE(p.drain().empty());
}

TEST(Arp, PendingQueueDeliversAfterReplyInOrder) {
    Probe p;
    int fd = udp_socket_to(p.api, kIpC, 9);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(p.api.send(fd, &i, sizeof i, 0), long(sizeof i));
    auto frames = p.drain();
    auto a = arps(frames);
    ASSERT_EQ(a.size(), 1u) << "one request for three packets";
    EXPECT_EQ(a[0].tpa, kIpC);
    EXPECT_EQ(count_udp(frames, kMacC), 0u);
    p.inject(arp_frame(ArpOp::Reply, kMacC, kIpC, kMacA, kIpA, kMacA));
    frames = p.drain();
    ASSERT_EQ(count_udp(frames, kMacC), 3u);
    for (int i = 0; i < 3; ++i) {  // in the order they were sent
        auto ip = parse_ipv4(parse_ethernet(frames[size_t(i)])->payload);
        auto u = parse_udp(ip->payload, ip->src, ip->dst);
        ASSERT_TRUE(u.ok());
        int v;
        std::memcpy(&v, u->payload.data, sizeof v);
        EXPECT_EQ(v, i);
    }
    EXPECT_EQ(counter(p.s, "arp_pending_dropped"), 0u);
}

TEST(Arp, ThreeUnansweredRequestsGiveEhostunreachAndCountDrops) {
    Probe p;
    int fd = udp_socket_to(p.api, kIpC, 9);
    std::vector<Instant> request_times;
    // 5 datagrams over 0.5 s: still one request (at most one per destination per second).
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(p.api.send(fd, "abc", 3, 0), 3);
        request_times.insert(request_times.end(), arps(p.drain()).size(), p.clock.now());
        p.runner.run_for(Duration::from_ms(100));
    }
    EXPECT_EQ(request_times.size(), 1u);
    // Let the retries run: requests at 1 s and 2 s, verdict at 3 s.
    for (int ms = 0; ms < 4000; ms += 100) {
        for (auto& a : arps(p.drain())) {
            EXPECT_EQ(a.tpa, kIpC);
            request_times.push_back(p.clock.now());
        }
        p.runner.run_for(Duration::from_ms(100));
    }
    ASSERT_EQ(request_times.size(), 3u);
    EXPECT_GE((request_times[1] - request_times[0]).ns, Duration::from_s(1).ns);
    EXPECT_GE((request_times[2] - request_times[1]).ns, Duration::from_s(1).ns);
    EXPECT_EQ(counter(p.s, "arp_resolve_failed"), 1u);
    EXPECT_EQ(counter(p.s, "arp_pending_dropped"), 5u);
    EXPECT_EQ(counter(p.s, "tx_arp_request"), 3u);
    char buf[8];
    EXPECT_EQ(p.api.recv(fd, buf, sizeof buf, 0), -1);
    EXPECT_EQ(p.api.error(), EHOSTUNREACH);
    int err = -1;
    socklen_t len = sizeof err;
    ASSERT_EQ(p.api.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    EXPECT_EQ(err, 0) << "reported once";
}

TEST(Arp, RateLimitIsPerDestination) {
    Probe p;
    const Ipv4Addr kIpD(192, 0, 2, 4);
    int c = udp_socket_to(p.api, kIpC, 9), d = udp_socket_to(p.api, kIpD, 9);
    for (int i = 0; i < 3; ++i) {  // three datagrams to each within 2 ms
        ASSERT_EQ(p.api.send(c, "c", 1, 0), 1);
        ASSERT_EQ(p.api.send(d, "d", 1, 0), 1);
    }
    auto a = arps(p.drain());
    ASSERT_EQ(a.size(), 2u) << "one request for each destination, not one in all";
    EXPECT_EQ(a[0].tpa, kIpC);
    EXPECT_EQ(a[1].tpa, kIpD);
    // Half a second later a new datagram to C still asks nobody; at 1 s both are asked again.
    p.runner.run_for(Duration::from_ms(500));
    ASSERT_EQ(p.api.send(c, "c", 1, 0), 1);
    EXPECT_TRUE(arps(p.drain()).empty());
    p.runner.run_for(Duration::from_ms(500));
    EXPECT_EQ(arps(p.drain()).size(), 2u);
    EXPECT_EQ(counter(p.s, "tx_arp_request"), 4u);
}

TEST(Arp, PacketsWaitingWhenTheInterfaceGoesDownAreCountedAndReported) {
    Probe p;
    int fd = udp_socket_to(p.api, kIpC, 9);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(p.api.send(fd, "w", 1, 0), 1);
    ASSERT_EQ(arps(p.drain()).size(), 1u);
    p.s.set_up(p.clock.now(), 0, false);
    EXPECT_EQ(counter(p.s, "arp_pending_flushed"), 3u) << "never lost silently";
    char buf[4];
    EXPECT_EQ(p.api.recv(fd, buf, sizeof buf, 0), -1);
    EXPECT_EQ(p.api.error(), ENETDOWN);
    // Nothing is left to retry or fail later.
    p.runner.run_for(Duration::from_s(5));
    EXPECT_EQ(counter(p.s, "arp_pending_dropped"), 0u);
    EXPECT_EQ(counter(p.s, "tx_arp_request"), 1u);
}

TEST(Arp, PendingQueueIsBoundedAndOverflowIsReported) {
    StackConfig sc;
    sc.arp.max_pending_packets = 4;
    Probe p(sc);
    int fd = udp_socket_to(p.api, kIpC, 9);
    int ok = 0, nobufs = 0;
    for (int i = 0; i < 6; ++i) {
        if (p.api.send(fd, "z", 1, 0) == 1)
            ++ok;
        else if (p.api.error() == ENOBUFS)
            ++nobufs;
    }
    EXPECT_EQ(ok, 4);
    EXPECT_EQ(nobufs, 2);
    EXPECT_EQ(counter(p.s, "arp_pending_overflow"), 2u);
}

TEST(Arp, EntriesAgeOutAndAreRefreshedByTraffic) {
    StackConfig sc;  // default ageing: 60 s
    Probe p(sc);
    int fd = udp_socket_to(p.api, kIpC, 9);
    ASSERT_EQ(p.api.send(fd, "1", 1, 0), 1);
    ASSERT_EQ(arps(p.drain()).size(), 1u);
    p.inject(arp_frame(ArpOp::Reply, kMacC, kIpC, kMacA, kIpA, kMacA));
    EXPECT_EQ(count_udp(p.drain(), kMacC), 1u);
    // 50 s later C asks for us: that refreshes C's entry (RFC 826 merge) until 110 s.
    p.runner.run_until(Instant{0} + Duration::from_s(50));
    p.inject(arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA, MacAddr::broadcast()));
    p.drain();
    p.runner.run_until(Instant{0} + Duration::from_s(100));
    ASSERT_EQ(p.api.send(fd, "2", 1, 0), 1);
    auto frames = p.drain();
    EXPECT_EQ(arps(frames).size(), 0u) << "entry still fresh at 100 s";
    EXPECT_EQ(count_udp(frames, kMacC), 1u);
    EXPECT_EQ(counter(p.s, "arp_entries_aged"), 0u);
    // Past 110 s it is gone; the next packet asks again.
    p.runner.run_until(Instant{0} + Duration::from_s(111));
    EXPECT_EQ(counter(p.s, "arp_entries_aged"), 1u);
    ASSERT_EQ(p.api.send(fd, "3", 1, 0), 1);
    frames = p.drain();
    EXPECT_EQ(arps(frames).size(), 1u);
    EXPECT_EQ(count_udp(frames, kMacC), 0u);
}

TEST(Arp, DefaultAgeingIsSixtySecondsFromTheLastUpdate) {
    EXPECT_EQ(ArpConfig{}.entry_ttl, Duration::from_s(60));
    EXPECT_EQ(StackConfig{}.arp.entry_ttl, Duration::from_s(60));
    Probe p;  // default configuration
    const Instant learned = p.clock.now();
    p.inject(arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA, MacAddr::broadcast()));
    p.drain();
    const Instant t0 = learned + Duration::from_ms(1);  // inject() ran the link for 1 ms: learned in [learned, t0]
    EXPECT_TRUE(p.s.arp_cache().lookup(0, kIpC, learned + Duration::from_s(60) - Duration::from_ms(1)).has_value());
    EXPECT_FALSE(p.s.arp_cache().lookup(0, kIpC, t0 + Duration::from_s(60)).has_value());
    p.runner.run_until(learned + Duration::from_s(59));
    EXPECT_EQ(counter(p.s, "arp_entries_aged"), 0u);
    p.runner.run_until(t0 + Duration::from_s(60));
    EXPECT_EQ(counter(p.s, "arp_entries_aged"), 1u);
}

TEST(Arp, ConfigurableAgeing) {
    StackConfig sc;
    sc.arp.entry_ttl = Duration::from_s(5);
    Probe p(sc);
    p.inject(arp_frame(ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA, MacAddr::broadcast()));
    p.drain();
    EXPECT_TRUE(p.s.arp_cache().lookup(0, kIpC, p.clock.now()).has_value());
    p.runner.run_for(Duration::from_s(6));
    EXPECT_FALSE(p.s.arp_cache().lookup(0, kIpC, p.clock.now()).has_value());
    EXPECT_EQ(counter(p.s, "arp_entries_aged"), 1u);
}

TEST(Arp, OffLinkDestinationsResolveTheGateway) {
    Probe p;  // default route via 192.0.2.254
    int fd = udp_socket_to(p.api, Ipv4Addr(203, 0, 113, 5), 53);
    ASSERT_EQ(p.api.send(fd, "q", 1, 0), 1);
    auto a = arps(p.drain());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].tpa, Ipv4Addr(192, 0, 2, 254));
}

TEST(Arp, LateFailureDoesNotReachASocketThatReusedTheHandle) {
    Probe p;
    int fd = udp_socket_to(p.api, kIpC, 9);
    ASSERT_EQ(p.api.send(fd, "x", 1, 0), 1);
    int old_handle = p.api.handle_of(fd);
    ASSERT_EQ(p.api.close(fd), 0);
    int fd2 = udp_socket_to(p.api, kIpB, 9);  // takes over the same control-block slot
    ASSERT_EQ(p.api.handle_of(fd2), old_handle);
    p.runner.run_for(Duration::from_s(4));
    EXPECT_EQ(counter(p.s, "arp_pending_dropped"), 1u);
    int err = -1;
    socklen_t len = sizeof err;
    ASSERT_EQ(p.api.getsockopt(fd2, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    EXPECT_EQ(err, 0);
}

// A full cache makes room by evicting the least recently used resolved entry, not the lowest
// address: a gateway at the bottom of the subnet that is in use survives any number of new
// destinations, and the counters say how many entries were evicted.
TEST(Arp, FullCacheEvictsTheLeastRecentlyUsedEntry) {
    ArpConfig cfg;
    cfg.max_entries = 4;
    ArpCache c(cfg);
    Instant t{0};
    const Ipv4Addr gw(192, 0, 2, 1);  // the lowest key in the table
    const MacAddr gw_mac{{2, 0, 0, 0, 0, 1}};
    c.update(0, gw, gw_mac, t, true);
    for (uint8_t h = 10; h < 13; ++h) c.update(0, Ipv4Addr(192, 0, 2, h), MacAddr{{2, 0, 0, 0, 0, h}}, t, true);
    EXPECT_EQ(c.size(), 4u);
    for (int n = 0; n < 100; ++n) {
        t = t + Duration::from_ms(10);
        ASSERT_TRUE(c.lookup(0, gw, t)) << "gateway evicted after " << n << " new destinations";
        Ipv4Addr fresh(198, 51, 100, uint8_t(n));
        if (n % 2) {
            // Traffic to an address that never answers: at most half the table goes unresolved.
            auto v = c.enqueue(0, fresh, t, PendingPacket{});
            EXPECT_EQ(v, n < 4 ? ArpCache::Enqueue::SendRequest : ArpCache::Enqueue::CacheFull) << n;
        } else
            c.update(0, fresh, MacAddr{{2, 0, 0, 0, 1, uint8_t(n)}}, t, true);  // a new host asks for us
        EXPECT_LE(c.size(), 4u);
    }
    EXPECT_TRUE(c.lookup(0, gw, t));
    EXPECT_EQ(c.evictions(), 50u + 2u) << "one per new host, one per new unresolved destination";
}

// Through the stack: the eviction shows in the statistics.
TEST(Arp, EvictionsAreCountedInTheStackStatistics) {
    StackConfig sc;
    sc.arp.max_entries = 2;
    Probe p(sc);
    for (uint8_t h = 20; h < 25; ++h)
        p.inject(arp_frame(ArpOp::Request, MacAddr{{2, 0, 0, 0, 2, h}}, Ipv4Addr(192, 0, 2, h), MacAddr{}, kIpA,
                           MacAddr::broadcast()));
    EXPECT_EQ(counter(p.s, "tx_arp_reply"), 5u) << "every request answered";
    EXPECT_EQ(counter(p.s, "arp_entries_evicted"), 3u);
}
