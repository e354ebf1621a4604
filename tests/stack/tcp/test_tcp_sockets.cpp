// TCP through the whole stack and the BSD socket API (SOCK_STREAM): connect/listen/accept,
// send/recv, shutdown, close, poll, options, the netstat table, the route-MTU clamp of the MSS,
// and every error a stream socket reports (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE,
// EHOSTUNREACH, ENOTCONN, EISCONN, EADDRINUSE, ENETUNREACH, EINPROGRESS) on the virtual clock.
#include "tcp_stack.h"

#include <netinet/tcp.h>

using namespace nic;
using namespace nic::test;

namespace {

// A blocking accept on B needs B's stack only (the handshake completes without the application);
// A's blocking calls run both stacks through the shared runner.
struct Pair {
    TcpHosts h;
    int lfd = -1, cfd = -1, sfd = -1;  // B's listener, A's client, B's accepted socket
    explicit Pair(MemLinkConfig lc = {}) : h(lc) {
        lfd = tcp_listen(h.api_b, 80);
        EXPECT_GE(lfd, 0) << h.api_b.error();
        cfd = tcp_connect(h.api_a, kIpB, 80);
        EXPECT_GE(cfd, 0) << "connect: " << -cfd;
        sfd = h.api_b.accept(lfd, nullptr, nullptr);
        EXPECT_GE(sfd, 0) << h.api_b.error();
    }
};

std::vector<uint8_t> data_of(size_t n, uint64_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = pattern_byte(seed, i);
    return v;
}

// Reads until end of stream (or error); returns the bytes.
std::vector<uint8_t> read_all(SocketApi& api, int fd, int* err = nullptr) {
    std::vector<uint8_t> out;
    uint8_t buf[4096];
    for (int i = 0; i < 100000; ++i) {
        long n = api.recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            if (err) *err = n < 0 ? api.error() : 0;
            break;
        }
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

}  // namespace

TEST(TcpSockets, ConnectAcceptSendRecvCloseBothWays) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    sockaddr_in peer{};
    socklen_t pl = sizeof peer;
    ASSERT_EQ(p.h.api_b.getpeername(p.sfd, sa(peer), &pl), 0);
    EXPECT_EQ(from_sockaddr(peer).addr, kIpA);
    // 200 KB from A: the blocking send queues it all (as Linux), B's stack buffers what fits.
    auto d = data_of(200000, 1);
    EXPECT_EQ(p.h.api_a.send(p.cfd, d.data(), d.size(), 0), long(d.size())) << p.h.api_a.error();
    EXPECT_EQ(p.h.api_a.shutdown(p.cfd, SHUT_WR), 0);
    int err = -1;
    auto got = read_all(p.h.api_b, p.sfd, &err);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(got, d);
    // And back on the half-closed connection.
    auto back = data_of(30000, 2);
    EXPECT_EQ(p.h.api_b.send(p.sfd, back.data(), back.size(), 0), long(back.size()));
    EXPECT_EQ(p.h.api_b.close(p.sfd), 0);
    EXPECT_EQ(read_all(p.h.api_a, p.cfd, &err), back);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(p.h.api_a.close(p.cfd), 0);
    // Both ends reach CLOSED (A through TIME-WAIT, 2 MSL) and are reaped.
    p.h.runner.run_for(Duration::from_s(61));
    p.h.tcp_a.flush(p.h.clock.now());
    p.h.tcp_b.flush(p.h.clock.now());
    EXPECT_EQ(p.h.tcp_a.mux().connections(), 0u) << p.h.dump();
    EXPECT_EQ(p.h.tcp_b.mux().connections(), 0u) << p.h.dump();
    EXPECT_EQ(p.h.tcp_a.stats().rx_bad_checksum + p.h.tcp_b.stats().rx_bad_checksum, 0u);
}

TEST(TcpSockets, RefusedByRstThenRetriedOnTheSameSocket) {
    TcpHosts h;
    EXPECT_EQ(tcp_connect(h.api_a, kIpB, 81), -ECONNREFUSED);  // B answers the SYN with RST (3.10.7.1)
    EXPECT_GE(h.tcp_b.mux().counters().rst_sent, 1u);
    int fd = h.api_a.socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 81});
    ASSERT_EQ(h.api_a.connect(fd, sa(to), sizeof to), -1);
    EXPECT_EQ(h.api_a.error(), ECONNREFUSED);
    ASSERT_GE(tcp_listen(h.api_b, 81), 0);
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), 0) << h.api_a.error();  // a failed connect may be retried
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), -1);
    EXPECT_EQ(h.api_a.error(), EISCONN);
}

TEST(TcpSockets, NonBlockingConnectPollAndSoError) {
    TcpHosts h;
    int lfd = tcp_listen(h.api_b, 80, 4, true);
    ASSERT_GE(lfd, 0);
    int fd = tcp_connect(h.api_a, kIpB, 80, true);
    ASSERT_GE(fd, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 80});
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), -1);
    EXPECT_EQ(h.api_a.error(), EALREADY);
    char c;
    EXPECT_EQ(h.api_a.send(fd, "x", 1, 0), -1);  // not yet established: would block
    EXPECT_EQ(h.api_a.error(), EAGAIN);
    pollfd pf{fd, POLLOUT, 0};
    ASSERT_EQ(h.api_a.poll(&pf, 1, 5000), 1);
    EXPECT_TRUE(pf.revents & POLLOUT);
    int e = -1;
    socklen_t el = sizeof e;
    ASSERT_EQ(h.api_a.getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el), 0);
    EXPECT_EQ(e, 0);
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), -1);
    EXPECT_EQ(h.api_a.error(), EISCONN);
    // The listener is readable once a connection waits; accept does not block.
    pollfd lp{lfd, POLLIN, 0};
    ASSERT_EQ(h.api_b.poll(&lp, 1, 1000), 1);
    int s = h.api_b.accept(lfd, nullptr, nullptr);
    ASSERT_GE(s, 0);
    EXPECT_EQ(h.api_b.accept(lfd, nullptr, nullptr), -1);
    EXPECT_EQ(h.api_b.error(), EAGAIN);
    EXPECT_EQ(h.api_b.recv(s, &c, 1, MSG_DONTWAIT), -1);
    EXPECT_EQ(h.api_b.error(), EAGAIN);
    // Refused, non-blocking: the error arrives through poll (POLLERR) and SO_ERROR.
    int r = tcp_connect(h.api_a, kIpB, 9, true);
    ASSERT_GE(r, 0);
    pollfd rp{r, POLLOUT, 0};
    ASSERT_EQ(h.api_a.poll(&rp, 1, 5000), 1);
    EXPECT_TRUE(rp.revents & POLLERR);
    ASSERT_EQ(h.api_a.getsockopt(r, SOL_SOCKET, SO_ERROR, &e, &el), 0);
    EXPECT_EQ(e, ECONNREFUSED);
}

TEST(TcpSockets, ResetByPeerIsEconnresetThenEpipe) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    // B closes with unread data: RFC 2525 2.17 says reset, so A learns the data was not consumed.
    ASSERT_EQ(p.h.api_a.send(p.cfd, "unread", 6, 0), 6);
    p.h.runner.run_for(Duration::from_ms(100));
    ASSERT_EQ(p.h.api_b.close(p.sfd), 0);
    char buf[16];
    EXPECT_EQ(p.h.api_a.recv(p.cfd, buf, sizeof buf, 0), -1);
    EXPECT_EQ(p.h.api_a.error(), ECONNRESET);
    EXPECT_EQ(p.h.api_a.recv(p.cfd, buf, sizeof buf, 0), 0);  // reported once, then end of stream
    pollfd pf{p.cfd, POLLIN | POLLOUT, 0};
    ASSERT_EQ(p.h.api_a.poll(&pf, 1, 0), 1);
    EXPECT_TRUE(pf.revents & POLLHUP) << pf.revents;  // the connection is gone both ways
    EXPECT_EQ(p.h.api_a.send(p.cfd, "x", 1, 0), -1);
    EXPECT_EQ(p.h.api_a.error(), EPIPE);
}

TEST(TcpSockets, SendAfterShutdownIsEpipe) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    ASSERT_EQ(p.h.api_a.shutdown(p.cfd, SHUT_WR), 0);
    EXPECT_EQ(p.h.api_a.send(p.cfd, "x", 1, 0), -1);
    EXPECT_EQ(p.h.api_a.error(), EPIPE);
    char c;
    EXPECT_EQ(p.h.api_b.recv(p.sfd, &c, 1, 0), 0);  // B sees the FIN as end of stream
    EXPECT_EQ(p.h.api_b.send(p.sfd, "y", 1, 0), 1);  // half-close: B may still send
    EXPECT_EQ(p.h.api_a.recv(p.cfd, &c, 1, 0), 1);
    EXPECT_EQ(c, 'y');
}

TEST(TcpSockets, UnansweredDataTimesOutWithEtimedout) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    int ms = 5000;  // RFC 5482 user timeout
    ASSERT_EQ(p.h.api_a.setsockopt(p.cfd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms), 0);
    p.h.b.set_up(p.h.clock.now(), 0, false);  // B goes silent: its interface drops everything
    ASSERT_EQ(p.h.api_a.send(p.cfd, "hello", 5, 0), 5);
    char buf[8];
    Instant t0 = p.h.clock.now();
    EXPECT_EQ(p.h.api_a.recv(p.cfd, buf, sizeof buf, 0), -1);
    EXPECT_EQ(p.h.api_a.error(), ETIMEDOUT);
    EXPECT_GE((p.h.clock.now() - t0).to_ms(), 4999.0);
    auto c = p.h.tcp_a.mux().netstat();
    ASSERT_FALSE(c.empty());
    EXPECT_GE(c.back().info.total_retrans, 1u);
}

TEST(TcpSockets, AbsentNeighbourIsEhostunreach) {
    TcpHosts h;
    int fd = h.api_a.socket(AF_INET, SOCK_STREAM, 0);
    int n = 2;  // SYN retries: 1 + 2 SYNs, each ARP-resolved in vain
    ASSERT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &n, sizeof n), 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpC, 80});  // nobody has 192.0.2.3
    EXPECT_EQ(h.api_a.connect(fd, sa(to), sizeof to), -1);
    EXPECT_EQ(h.api_a.error(), EHOSTUNREACH);  // the soft error replaces ETIMEDOUT (RFC 1122 4.2.3.9)
    EXPECT_GE(h.tcp_a.stats().icmp_soft, 1u);
}

TEST(TcpSockets, UsageErrors) {
    TcpHosts h;
    int fd = h.api_a.socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    char c;
    EXPECT_EQ(h.api_a.send(fd, "x", 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
    EXPECT_EQ(h.api_a.recv(fd, &c, 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
    EXPECT_EQ(h.api_a.shutdown(fd, SHUT_WR), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
    EXPECT_EQ(h.api_a.accept(fd, nullptr, nullptr), -1);
    EXPECT_EQ(h.api_a.error(), EINVAL);
    // No route off the subnet (no gateway): nothing is sent.
    sockaddr_in far = make_sockaddr(Endpoint{Ipv4Addr(198, 51, 100, 1), 80});
    EXPECT_EQ(h.api_a.connect(fd, sa(far), sizeof far), -1);
    EXPECT_EQ(h.api_a.error(), ENETUNREACH);
    int l1 = tcp_listen(h.api_a, 7000);
    ASSERT_GE(l1, 0);
    EXPECT_EQ(tcp_listen(h.api_a, 7000), -1);
    EXPECT_EQ(h.api_a.error(), EADDRINUSE);
    EXPECT_EQ(h.api_a.send(l1, "x", 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
    int ty = 0;
    socklen_t tl = sizeof ty;
    EXPECT_EQ(h.api_a.getsockopt(l1, SOL_SOCKET, SO_TYPE, &ty, &tl), 0);
    EXPECT_EQ(ty, SOCK_STREAM);
    EXPECT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, 9999, &ty, sizeof ty), -1);
    EXPECT_EQ(h.api_a.error(), ENOPROTOOPT);
}

TEST(TcpSockets, OptionsAndTcpInfo) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    int one = 1, v = 0;
    socklen_t vl = sizeof v;
    for (int opt : {TCP_NODELAY, TCP_CORK, TCP_QUICKACK}) {
        ASSERT_EQ(p.h.api_a.setsockopt(p.cfd, IPPROTO_TCP, opt, &one, sizeof one), 0) << opt;
        vl = sizeof v;
        ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, IPPROTO_TCP, opt, &v, &vl), 0) << opt;
        EXPECT_EQ(v, 1) << opt;
    }
    ASSERT_EQ(p.h.api_a.setsockopt(p.cfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), 0);
    vl = sizeof v;
    ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
    EXPECT_EQ(v, 1);
    int zero = 0;
    ASSERT_EQ(p.h.api_a.setsockopt(p.cfd, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero), 0);
    ASSERT_EQ(p.h.api_a.send(p.cfd, "ping", 4, 0), 4);
    char buf[8];
    ASSERT_EQ(p.h.api_b.recv(p.sfd, buf, sizeof buf, 0), 4);
    TcpInfo info;
    socklen_t il = sizeof info;
    ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, IPPROTO_TCP, TCP_INFO, &info, &il), 0);
    EXPECT_EQ(info.state, TcpState::Established);
    EXPECT_GT(info.cwnd, 0u);
    EXPECT_GE(info.rto.ns, Duration::from_s(1).ns);  // RFC 6298 (2.4): never below 1 s
    EXPECT_EQ(info.snd_mss, 1500 - 40 - 12);  // timestamps negotiated: 12 bytes of options
    // TCP_CONGESTION, by name as Linux takes it: cubic by default, reno selectable, others ENOENT.
    char name[16] = {};
    socklen_t nl = sizeof name;
    ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, IPPROTO_TCP, TCP_CONGESTION, name, &nl), 0);
    EXPECT_STREQ(name, "cubic");
    ASSERT_EQ(p.h.api_a.setsockopt(p.cfd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), 0);
    nl = sizeof name;
    ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, IPPROTO_TCP, TCP_CONGESTION, name, &nl), 0);
    EXPECT_STREQ(name, "reno");
    EXPECT_EQ(p.h.api_a.setsockopt(p.cfd, IPPROTO_TCP, TCP_CONGESTION, "bbr", 3), -1);
    EXPECT_EQ(p.h.api_a.error(), ENOENT);
}

TEST(TcpSockets, MssClampedToRouteMtu) {
    MemLinkConfig lc;
    lc.mtu = 1000;
    Pair p(lc);
    ASSERT_GE(p.sfd, 0);
    int mss = 0;
    socklen_t ml = sizeof mss;
    ASSERT_EQ(p.h.api_a.getsockopt(p.cfd, IPPROTO_TCP, TCP_MAXSEG, &mss, &ml), 0);
    EXPECT_EQ(mss, 1000 - 40 - 12);
    // Full-size segments pass the 1000-byte link unfragmented (DF set, no EMSGSIZE).
    auto d = data_of(50000, 3);
    ASSERT_EQ(p.h.api_a.send(p.cfd, d.data(), d.size(), 0), long(d.size()));
    ASSERT_EQ(p.h.api_a.shutdown(p.cfd, SHUT_WR), 0);
    EXPECT_EQ(read_all(p.h.api_b, p.sfd), d);
    EXPECT_EQ(counter(p.h.a, "tx_ip_too_big"), 0u);
    EXPECT_EQ(counter(p.h.a, "tx_ip_fragmented"), 0u);
}

TEST(TcpSockets, NetstatShowsStateQueuesAndCongestionColumns) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    ASSERT_EQ(p.h.api_a.send(p.cfd, "abc", 3, 0), 3);
    p.h.runner.run_for(Duration::from_ms(100));
    std::string t = p.h.tcp_b.netstat_table();
    EXPECT_NE(t.find("LISTEN"), std::string::npos) << t;
    EXPECT_NE(t.find("ESTABLISHED"), std::string::npos) << t;
    for (const char* col : {"cwnd", "ssthresh", "srtt", "rto", "retrans", "Recv-Q"})
        EXPECT_NE(t.find(col), std::string::npos) << col << "\n" << t;
    auto rows = p.h.api_b.netstat();
    bool found = false;
    for (auto& r : rows)
        if (r.state == "ESTABLISHED" && r.recv_q == 3 && r.proto == "tcp") found = true;
    EXPECT_TRUE(found) << p.h.api_b.netstat_table();
}

TEST(TcpSockets, LoopbackConnectionWithinOneStack) {
    TcpHosts h;
    int l = tcp_listen(h.api_a, 8080);
    ASSERT_GE(l, 0);
    int c = tcp_connect(h.api_a, kIpA, 8080);
    ASSERT_GE(c, 0) << -c;
    int s = h.api_a.accept(l, nullptr, nullptr);
    ASSERT_GE(s, 0);
    auto d = data_of(100000, 4);
    ASSERT_EQ(h.api_a.send(c, d.data(), d.size(), 0), long(d.size()));
    ASSERT_EQ(h.api_a.close(c), 0);
    EXPECT_EQ(read_all(h.api_a, s), d);
}

TEST(TcpSockets, MsgPeekLeavesTheData) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    ASSERT_EQ(p.h.api_a.send(p.cfd, "peekaboo", 8, 0), 8);
    char buf[16] = {};
    pollfd pf{p.sfd, POLLIN, 0};
    ASSERT_EQ(p.h.api_b.poll(&pf, 1, 1000), 1);
    EXPECT_EQ(p.h.api_b.recv(p.sfd, buf, 4, MSG_PEEK), 4);
    EXPECT_EQ(std::string(buf, 4), "peek");
    EXPECT_EQ(p.h.api_b.recv(p.sfd, buf, sizeof buf, 0), 8);
    EXPECT_EQ(std::string(buf, 8), "peekaboo");
}

// ---- ICMP errors quoting our segments (RFC 1122 4.2.3.9, RFC 5927, RFC 1191), through a probe
// that plays host C (192.0.2.3) by hand on the other end of the link.
namespace {

struct TcpProbe {
    Probe p;
    TcpLayer tcp{p.s, TcpConfig{}, 99};
    std::vector<std::vector<uint8_t>> keep;
    TcpProbe() {
        tcp.attach(p.api);
        std::vector<uint8_t> b(kArpLen);
        emit_arp(ArpRepr{ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA}, b);  // A learns C's MAC
        p.inject(eth_frame(MacAddr::broadcast(), kMacC, kEtherArp, b));
        p.drain();
    }
    // The TCP segments A sent, as raw IP packets.
    std::vector<std::vector<uint8_t>> tcp_packets() {
        std::vector<std::vector<uint8_t>> out;
        for (const Frame& f : p.drain()) {
            auto e = parse_ethernet(f);
            if (!e || e->ethertype != kEtherIpv4) continue;
            auto ip = parse_ipv4(e->payload, false);
            if (ip && ip->proto == kProtoTcp) out.push_back(e->payload.to_vector());
        }
        return out;
    }
    void inject_ip(uint8_t proto, const std::vector<uint8_t>& l4) {
        p.inject(eth_frame(kMacA, kMacC, kEtherIpv4, ip_packet(ip_hdr(kIpC, kIpA, proto), l4)));
    }
    // ICMP type/code quoting `pkt` (its IP header and first 8 data bytes, RFC 792).
    void inject_icmp(uint8_t type, uint8_t code, const std::vector<uint8_t>& pkt, uint16_t mtu = 0) {
        size_t ihl = size_t(pkt[0] & 15) * 4;
        std::vector<uint8_t> quote(pkt.begin(), pkt.begin() + long(ihl + 8));
        IcmpRepr m;
        m.type = type;
        m.code = code;
        m.next_hop_mtu = mtu;
        m.data = quote;
        std::vector<uint8_t> msg(icmp_len(m));
        emit_icmp(m, msg, true);
        inject_ip(kProtoIcmp, msg);
    }
    TcpRepr parse(const std::vector<uint8_t>& pkt) {
        keep.push_back(pkt);
        auto ip = parse_ipv4(keep.back(), false);
        auto t = parse_tcp(ip->payload, ip->src, ip->dst, true);
        EXPECT_TRUE(bool(t));
        return *t;
    }
};

}  // namespace

TEST(TcpIcmpErrors, PortUnreachableRefusesTheConnectionForgedOnesAreIgnored) {
    TcpProbe t;
    int fd = tcp_connect(t.p.api, kIpC, 80, true);
    ASSERT_GE(fd, 0);
    auto syns = t.tcp_packets();
    ASSERT_EQ(syns.size(), 1u);
    // RFC 5927 4.1: a quote whose sequence number is not in [SND.UNA, SND.NXT] is ignored.
    auto forged = syns[0];
    size_t ihl = size_t(forged[0] & 15) * 4;
    wr32(&forged[ihl + 4], rd32(&forged[ihl + 4]) + 100000);
    t.inject_icmp(kIcmpDestUnreach, kUnreachPort, forged);
    EXPECT_EQ(t.tcp.stats().icmp_ignored, 1u);
    Socket* s = t.p.api.socket_of(fd);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->so_error, 0);
    // The genuine one: port unreachable is a hard error while opening (RFC 1122 4.2.3.9).
    t.inject_icmp(kIcmpDestUnreach, kUnreachPort, syns[0]);
    int e = 0;
    socklen_t el = sizeof e;
    ASSERT_EQ(t.p.api.getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el), 0);
    EXPECT_EQ(e, ECONNREFUSED);
    EXPECT_EQ(t.tcp.stats().icmp_hard, 1u);
}

TEST(TcpIcmpErrors, HostUnreachableIsSoftAndReportedOnGiveUp) {
    TcpProbe t;
    int fd = t.p.api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int n = 1;
    ASSERT_EQ(t.p.api.setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &n, sizeof n), 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpC, 80});
    ASSERT_EQ(t.p.api.connect(fd, sa(to), sizeof to), -1);
    ASSERT_EQ(t.p.api.error(), EINPROGRESS);
    auto syns = t.tcp_packets();
    ASSERT_EQ(syns.size(), 1u);
    t.inject_icmp(kIcmpDestUnreach, kUnreachHost, syns[0]);
    EXPECT_EQ(t.tcp.stats().icmp_soft, 1u);
    EXPECT_EQ(t.p.api.socket_of(fd)->so_error, 0);  // soft: the connection keeps trying
    pollfd pf{fd, POLLOUT, 0};
    ASSERT_EQ(t.p.api.poll(&pf, 1, 60000), 1);  // the SYN retry times out (1 s + 2 s RTO)
    int e = 0;
    socklen_t el = sizeof e;
    ASSERT_EQ(t.p.api.getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el), 0);
    EXPECT_EQ(e, EHOSTUNREACH);  // the soft error, not ETIMEDOUT
}

TEST(TcpIcmpErrors, FragmentationNeededShrinksSegmentsToThePathMtu) {
    TcpProbe t;
    int fd = tcp_connect(t.p.api, kIpC, 80, true);
    ASSERT_GE(fd, 0);
    auto syns = t.tcp_packets();
    ASSERT_EQ(syns.size(), 1u);
    TcpRepr syn = t.parse(syns[0]);
    EXPECT_EQ(syn.options.mss, std::optional<uint16_t>(1460));  // route MTU 1500 - 40
    // C answers with a SYN-ACK (no options: MSS 536 would apply, so announce 1460).
    TcpRepr sa_;
    sa_.src_port = 80;
    sa_.dst_port = syn.src_port;
    sa_.seq = SeqNum(5000);
    sa_.ack = syn.seq + 1;
    sa_.flags = TcpFlags(TcpFlags::kSyn | TcpFlags::kAck);
    sa_.window = 65535;
    sa_.options.mss = 1460;
    std::vector<uint8_t> seg(kTcpHeaderLen + kTcpMaxOptionsLen);
    seg.resize(emit_tcp(sa_, kIpC, kIpA, seg, true));
    t.inject_ip(kProtoTcp, seg);
    auto acks = t.tcp_packets();
    ASSERT_EQ(acks.size(), 1u);
    auto d = data_of(3000, 9);
    ASSERT_EQ(t.p.api.send(fd, d.data(), d.size(), 0), 3000);
    auto data = t.tcp_packets();
    ASSERT_GE(data.size(), 1u);
    EXPECT_EQ(t.parse(data[0]).payload.size, 1460u);
    EXPECT_TRUE(data[0][6] & 0x40) << "DF set (RFC 1191)";
    // A router with a 1000-byte next hop: RFC 1191 fragmentation needed, quoting the first segment.
    t.inject_icmp(kIcmpDestUnreach, kUnreachFragNeeded, data[0], 1000);
    EXPECT_EQ(t.tcp.stats().path_mtu_updates, 1u);
    auto resent = t.tcp_packets();
    ASSERT_GE(resent.size(), 1u);
    for (auto& r : resent) EXPECT_LE(t.parse(r).payload.size, 960u);
    EXPECT_EQ(t.p.api.socket_of(fd)->so_error, 0);  // not an error for the application
}

TEST(TcpSockets, KeepaliveOptionsSetBeforeConnectDetectADeadPeer) {
    TcpHosts h;
    int l = tcp_listen(h.api_b, 80);
    ASSERT_GE(l, 0);
    int fd = h.api_a.socket(AF_INET, SOCK_STREAM, 0);
    int one = 1, idle = 10, intvl = 2, cnt = 3;
    ASSERT_EQ(h.api_a.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), 0);
    ASSERT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle), 0);
    ASSERT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl), 0);
    ASSERT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt), 0);
    int zero = 0;
    EXPECT_EQ(h.api_a.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &zero, sizeof zero), -1);
    EXPECT_EQ(h.api_a.error(), EINVAL);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 80});
    ASSERT_EQ(h.api_a.connect(fd, sa(to), sizeof to), 0) << h.api_a.error();
    ASSERT_GE(h.api_b.accept(l, nullptr, nullptr), 0);
    h.b.set_up(h.clock.now(), 0, false);  // B vanishes without a word
    Instant t0 = h.clock.now();
    char c;
    EXPECT_EQ(h.api_a.recv(fd, &c, 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), ETIMEDOUT);  // RFC 1122 4.2.3.6: the probes went unanswered
    double s = (h.clock.now() - t0).to_ms() / 1000;
    EXPECT_GE(s, 10.0 + 2 * 2);  // idle, then KEEPCNT probes KEEPINTVL apart
    EXPECT_LE(s, 10.0 + 3 * 2 + 1);
    EXPECT_GE(h.tcp_a.mux().totals().keepalive_probes, 3u);
}

TEST(TcpSockets, ReceiveBufferBoundsTheAdvertisedWindow) {
    TcpHosts h;
    int l = h.api_b.socket(AF_INET, SOCK_STREAM, 0);
    int small = 8192;
    ASSERT_EQ(h.api_b.setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 80});
    ASSERT_EQ(h.api_b.bind(l, sa(any), sizeof any), 0);
    ASSERT_EQ(h.api_b.listen(l, 1), 0);
    int c = tcp_connect(h.api_a, kIpB, 80);
    ASSERT_GE(c, 0);
    int s = h.api_b.accept(l, nullptr, nullptr);
    ASSERT_GE(s, 0);
    // A writes far more than B's 8 KiB buffer; until B reads, only the buffer's worth is in B.
    auto d = data_of(100000, 5);
    h.api_a.set_nonblocking(c, true);
    long n = h.api_a.send(c, d.data(), d.size(), 0);
    ASSERT_GT(n, 0);
    h.runner.run_for(Duration::from_ms(200));
    EXPECT_LE(h.api_b.socket_of(s)->recv_queue_bytes(), 8192u);
    TcpInfo info;
    socklen_t il = sizeof info;
    ASSERT_EQ(h.api_a.getsockopt(c, IPPROTO_TCP, TCP_INFO, &info, &il), 0);
    EXPECT_LE(info.snd_wnd, 8192u);
    // And the rest arrives as B reads (window updates, RFC 1122 4.2.3.3).
    h.api_a.set_nonblocking(c, false);
    ASSERT_EQ(h.api_a.send(c, d.data() + n, d.size() - size_t(n), 0), long(d.size()) - n);
    ASSERT_EQ(h.api_a.shutdown(c, SHUT_WR), 0);
    EXPECT_EQ(read_all(h.api_b, s), d);
}

// Each connection caches its route, next-hop MAC and offloads (TxPath) so that a bulk sender skips
// the lookups; the cache must follow every change. Here A's ARP entry for B is changed to another
// MAC: the next segments go there (B drops them as not addressed to it) instead of to the MAC the
// connection cached; restored, data flows again. Then the route to B is removed: the next segment
// finds no route instead of leaving on the cached path.
TEST(TcpSockets, CachedPathFollowsArpAndRouteChanges) {
    Pair p;
    ASSERT_GE(p.sfd, 0);
    auto d = data_of(3000, 3);
    std::vector<uint8_t> buf(8192);
    ASSERT_EQ(p.h.api_a.send(p.cfd, d.data(), 1000, 0), 1000);
    p.h.runner.run_for(Duration::from_ms(1));
    ASSERT_EQ(p.h.api_b.recv(p.sfd, buf.data(), buf.size(), MSG_DONTWAIT), 1000);
    p.h.runner.run_for(Duration::from_ms(500));  // B's delayed ACK: nothing outstanding (Nagle)
    Instant now = p.h.clock.now();
    const MacAddr other{{2, 0, 0, 0, 0, 0x99}};
    p.h.a.arp_cache().update(0, kIpB, other, now, false);
    uint64_t foreign = p.h.b.stats().rx_eth_not_for_us;
    ASSERT_EQ(p.h.api_a.send(p.cfd, d.data() + 1000, 1000, 0), 1000);
    p.h.runner.run_for(Duration::from_ms(1));
    EXPECT_GT(p.h.b.stats().rx_eth_not_for_us, foreign) << "the segment went to the new MAC";
    EXPECT_EQ(p.h.api_b.recv(p.sfd, buf.data(), buf.size(), MSG_DONTWAIT), -1);
    p.h.a.arp_cache().update(0, kIpB, kMacB, p.h.clock.now(), false);
    p.h.runner.run_for(Duration::from_s(2));  // the retransmission, now to B
    ASSERT_EQ(p.h.api_b.recv(p.sfd, buf.data(), buf.size(), MSG_DONTWAIT), 1000);
    EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + 1000, d.begin() + 1000));
    uint64_t no_route = p.h.a.stats().tx_ip_no_route;
    ASSERT_TRUE(p.h.a.routes().remove(Ipv4Cidr{Ipv4Addr(192, 0, 2, 0), 24}, 0));
    ASSERT_EQ(p.h.api_a.send(p.cfd, d.data() + 2000, 1000, 0), 1000);
    p.h.runner.run_for(Duration::from_ms(1));
    EXPECT_GT(p.h.a.stats().tx_ip_no_route, no_route) << "no route: the cached path is not used";
}

// A device queue that fills (here 4 frames on the in-memory link) is back-pressure: TCP stops
// building segments while it is full and resumes as it drains, so nothing is refused by the
// device, nothing is lost and nothing is retransmitted. (Before, each segment the device refused
// was dropped and counted as tx_dev_busy, and loss recovery had to repair it.)
TEST(TcpSockets, FullDeviceQueueIsBackPressureNotLoss) {
    MemLinkConfig lc;
    lc.queue_frames = 4;
    Pair p(lc);
    ASSERT_GE(p.sfd, 0);
    auto d = data_of(300000, 4);
    ASSERT_EQ(p.h.api_a.send(p.cfd, d.data(), d.size(), 0), long(d.size())) << p.h.api_a.error();
    ASSERT_EQ(p.h.api_a.shutdown(p.cfd, SHUT_WR), 0);
    int err = -1;
    EXPECT_EQ(read_all(p.h.api_b, p.sfd, &err), d);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(p.h.a.stats().tx_dev_busy, 0u) << p.h.dump();
    EXPECT_GT(p.h.tcp_a.stats().tx_backpressure, 0u) << "the queue did fill";
    EXPECT_EQ(p.h.tcp_a.mux().totals().retrans_segs, 0u) << p.h.dump();
}

// Checksum once on receive: in-order payloads are summed while they are copied into the receive
// ring (TcpSocket::place_payload). A corrupted one must still be dropped and counted, its copied
// bytes never reaching the application: with single-bit corruption on A's frames, the data
// arrives intact, the placed path was taken and the bad checksums were caught.
TEST(TcpSockets, PayloadsSummedWhileCopiedStillCatchCorruption) {
    FaultConfig f;
    f.corrupt = 0.05;
    TcpHosts h(MemLinkConfig{}, f, 7);
    // ARP first, on a clean link (a corrupted reply could poison the cache, which is not this test).
    h.fault_a->set_config(FaultConfig{}, FaultConfig{});
    h.fault_b->set_config(FaultConfig{}, FaultConfig{});
    int lfd = tcp_listen(h.api_b, 80);
    int cfd = tcp_connect(h.api_a, kIpB, 80);
    ASSERT_GE(cfd, 0);
    int sfd = h.api_b.accept(lfd, nullptr, nullptr);
    ASSERT_GE(sfd, 0);
    h.fault_a->set_config(f, FaultConfig{});  // A's frames towards B get corrupted
    auto d = data_of(400000, 5);
    ASSERT_EQ(h.api_a.send(cfd, d.data(), d.size(), 0), long(d.size()));
    ASSERT_EQ(h.api_a.shutdown(cfd, SHUT_WR), 0);
    int err = -1;
    EXPECT_EQ(read_all(h.api_b, sfd, &err), d);
    EXPECT_EQ(err, 0);
    EXPECT_GT(h.fault_a->tx_stats().corrupted, 0u);
    EXPECT_GT(h.tcp_b.stats().rx_bad_checksum, 0u) << h.dump();
    EXPECT_GT(h.tcp_b.mux().totals().rx_placed, 100u) << "the placed path carried the transfer";
}

// RFC 9293 3.10.7.4 / RFC 1122 4.2.2.21 (MUST-59): all queued segments are processed before an
// ACK is sent. Ten full segments reach B in one burst; B answers the burst with one ACK for all
// of it (acknowledging each pair as it was processed, as delayed ACK alone would, sends five).
TEST(TcpSockets, ABurstOfSegmentsIsAnsweredByOneAck) {
    TcpConfig tc;
    tc.initial_window_segments = 10;  // RFC 6928
    tc.nodelay = true;
    TcpHosts h(MemLinkConfig{}, std::nullopt, 1, StackConfig{}, tc);
    int lfd = tcp_listen(h.api_b, 80);
    int cfd = tcp_connect(h.api_a, kIpB, 80);
    ASSERT_GE(cfd, 0);
    int sfd = h.api_b.accept(lfd, nullptr, nullptr);
    ASSERT_GE(sfd, 0);
    h.runner.run_for(Duration::from_ms(500));  // handshake settled, nothing outstanding
    uint64_t acks_before = h.tcp_b.stats().tx_segments;
    auto d = data_of(10 * 1448, 6);
    // Queued in one call: A's stack sends all ten back to back and they arrive at B's port
    // together, one link latency later.
    ASSERT_EQ(h.api_a.send(cfd, d.data(), d.size(), MSG_DONTWAIT), long(d.size()));
    h.runner.run_for(Duration::from_us(100));
    EXPECT_EQ(h.tcp_b.stats().tx_segments - acks_before, 1u) << "one ACK for the burst\n" << h.dump();
    std::vector<uint8_t> buf(d.size());
    ASSERT_EQ(h.api_b.recv(sfd, buf.data(), buf.size(), MSG_DONTWAIT), long(d.size())) << h.dump();
    EXPECT_EQ(buf, d);
}
