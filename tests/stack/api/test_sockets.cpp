// The BSD-style socket API: descriptors, errno codes, bind/connect rules, blocking and non-blocking
// receive on the virtual clock, poll, shutdown, options, asynchronous errors, the netstat table, and
// the protocol-dispatch hook TCP will use.
#include "harness.h"

using namespace nic;
using namespace nic::test;

namespace {

sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

int bound_udp(SocketApi& api, Endpoint ep, bool nonblock = true) {
    int fd = api.socket(AF_INET, SOCK_DGRAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    sockaddr_in s = make_sockaddr(ep);
    EXPECT_EQ(api.bind(fd, sa(s), sizeof s), 0) << api.error();
    return fd;
}

}  // namespace

TEST(Sockets, DescriptorsAreSmallLowestFreeIntegers) {
    TwoHosts h;
    int a = h.api_a.socket(AF_INET, SOCK_DGRAM, 0), b = h.api_a.socket(AF_INET, SOCK_DGRAM, 0),
        c = h.api_a.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    EXPECT_EQ(a, SocketApi::kFirstFd);
    EXPECT_EQ(b, a + 1);
    EXPECT_EQ(c, a + 2);
    EXPECT_EQ(h.api_a.close(b), 0);
    EXPECT_EQ(h.api_a.socket(AF_INET, SOCK_DGRAM, 0), b);
    EXPECT_EQ(h.api_a.close(b), 0);
    EXPECT_EQ(h.api_a.close(b), -1);
    EXPECT_EQ(h.api_a.error(), EBADF);
    EXPECT_EQ(h.api_a.send(999, "x", 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), EBADF);
    EXPECT_EQ(h.api_a.socket(AF_INET6, SOCK_DGRAM, 0), -1);
    EXPECT_EQ(h.api_a.error(), EAFNOSUPPORT);
    EXPECT_EQ(h.api_a.socket(AF_INET, SOCK_STREAM, 0), -1);  // TCP registers itself in the next issue
    EXPECT_EQ(h.api_a.error(), EPROTONOSUPPORT);
    EXPECT_EQ(h.api_a.socket(AF_INET, SOCK_SEQPACKET, 0), -1);
    EXPECT_EQ(h.api_a.error(), ESOCKTNOSUPPORT);
    // The table is bounded: EMFILE, and a closed descriptor is usable again.
    int last = -1;
    for (size_t i = 0; i < SocketApi::kMaxFds + 5; ++i) {
        int fd = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) break;
        last = fd;
    }
    EXPECT_EQ(h.api_a.error(), EMFILE);
    EXPECT_EQ(last, int(SocketApi::kMaxFds) - 1 + SocketApi::kFirstFd);
    ASSERT_EQ(h.api_a.close(last), 0);
    EXPECT_EQ(h.api_a.socket(AF_INET, SOCK_DGRAM, 0), last);
}

TEST(Sockets, BindRules) {
    TwoHosts h;
    bound_udp(h.api_a, Endpoint{Ipv4Addr::any(), 5000});  // holds the port for the conflict below
    int b = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in s = make_sockaddr(Endpoint{kIpA, 5000});
    EXPECT_EQ(h.api_a.bind(b, sa(s), sizeof s), -1);
    EXPECT_EQ(h.api_a.error(), EADDRINUSE);
    s = make_sockaddr(Endpoint{kIpB, 5001});  // not our address
    EXPECT_EQ(h.api_a.bind(b, sa(s), sizeof s), -1);
    EXPECT_EQ(h.api_a.error(), EADDRNOTAVAIL);
    s = make_sockaddr(Endpoint{kIpA, 0});  // ephemeral
    ASSERT_EQ(h.api_a.bind(b, sa(s), sizeof s), 0);
    sockaddr_in got{};
    socklen_t gl = sizeof got;
    ASSERT_EQ(h.api_a.getsockname(b, sa(got), &gl), 0);
    EXPECT_GE(from_sockaddr(got).port, 49152);
    EXPECT_EQ(from_sockaddr(got).addr, kIpA);
    // SO_REUSEADDR on both: allowed.
    int one = 1;
    int c = h.api_a.socket(AF_INET, SOCK_DGRAM, 0), d = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    h.api_a.setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    h.api_a.setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    s = make_sockaddr(Endpoint{Ipv4Addr::any(), 6000});
    EXPECT_EQ(h.api_a.bind(c, sa(s), sizeof s), 0);
    EXPECT_EQ(h.api_a.bind(d, sa(s), sizeof s), 0);
}

TEST(Sockets, ConnectSendRecvPeekTruncAndNetstat) {
    TwoHosts h;
    int srv = bound_udp(h.api_b, Endpoint{Ipv4Addr::any(), 7});
    int cli = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    EXPECT_EQ(h.api_a.send(cli, "x", 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), EDESTADDRREQ);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 7});
    ASSERT_EQ(h.api_a.connect(cli, sa(to), sizeof to), 0);
    sockaddr_in peer{};
    socklen_t pl = sizeof peer;
    ASSERT_EQ(h.api_a.getpeername(cli, sa(peer), &pl), 0);
    EXPECT_EQ(from_sockaddr(peer), (Endpoint{kIpB, 7}));
    ASSERT_EQ(h.api_a.send(cli, "hello world", 11, 0), 11);
    char buf[32];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    // Blocking receive on B: the runner moves the frames across the link meanwhile.
    h.api_b.set_nonblocking(srv, false);
    ASSERT_EQ(h.api_b.recvfrom(srv, buf, 5, MSG_PEEK, sa(from), &fl), 5);
    EXPECT_EQ(std::string(buf, 5), "hello");
    auto rows = h.api_b.netstat();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].recv_q, 11u);
    std::string queued = h.api_b.netstat_table();
    EXPECT_NE(queued.find("BOUND             0      11      0"), std::string::npos)
        << "Send-Q 0, Recv-Q 11 (the peeked datagram), Drops 0:\n" << queued;
    EXPECT_EQ(h.api_b.recv(srv, buf, 5, MSG_TRUNC), 11) << "MSG_TRUNC returns the datagram's real length";
    EXPECT_EQ(from_sockaddr(from).addr, kIpA);
    // Netstat: A's connected socket shows both ends; B's is bound to the wildcard.
    auto ra = h.api_a.netstat();
    ASSERT_EQ(ra.size(), 1u);
    EXPECT_EQ(ra[0].proto, "udp");
    EXPECT_EQ(ra[0].local.addr, kIpA);
    EXPECT_EQ(ra[0].remote, (Endpoint{kIpB, 7}));
    EXPECT_EQ(ra[0].state, "ESTABLISHED");
    std::string table = h.api_b.netstat_table();
    // The columns of the seed's netstat: protocol, local, remote, state, send-Q, recv-Q (plus drops).
    std::string header = table.substr(0, table.find('\n'));
    size_t at = 0;
    for (const char* col : {"Proto", "Local Address", "Foreign Address", "State", "Send-Q", "Recv-Q", "Drops"}) {
        size_t pos = header.find(col, at);
        ASSERT_NE(pos, std::string::npos) << col << " in order in: " << header;
        at = pos;
    }
    EXPECT_NE(table.find("udp    0.0.0.0:7"), std::string::npos) << table;
    EXPECT_NE(table.find("0.0.0.0:7"), std::string::npos) << table;
    EXPECT_NE(table.find("BOUND"), std::string::npos) << table;
    // Disconnect with AF_UNSPEC.
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    ASSERT_EQ(h.api_a.connect(cli, &unspec, sizeof unspec), 0);
    EXPECT_EQ(h.api_a.getpeername(cli, sa(peer), &pl), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
}

TEST(Sockets, BlockingTimeoutsRunOnTheVirtualClock) {
    TwoHosts h;
    int s = bound_udp(h.api_a, Endpoint{Ipv4Addr::any(), 9}, /*nonblock=*/false);
    timeval tv{0, 250000};
    ASSERT_EQ(h.api_a.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    char buf[8];
    Instant t0 = h.clock.now();
    EXPECT_EQ(h.api_a.recv(s, buf, sizeof buf, 0), -1);
    EXPECT_EQ(h.api_a.error(), EAGAIN);
    EXPECT_EQ((h.clock.now() - t0).ns, Duration::from_ms(250).ns) << "exactly SO_RCVTIMEO of virtual time";
    EXPECT_EQ(h.api_a.recv(s, buf, sizeof buf, MSG_DONTWAIT), -1);
    EXPECT_EQ(h.api_a.error(), EAGAIN);
    EXPECT_EQ((h.clock.now() - t0).ns, Duration::from_ms(250).ns);
    // No timeout and nothing that could ever arrive: returns instead of hanging the test.
    timeval forever{0, 0};
    h.api_a.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever);
    EXPECT_EQ(h.api_a.recv(s, buf, sizeof buf, 0), -1);
    // A datagram that B sends "later" (from a task at 1 s) wakes the blocking receive exactly then.
    int bs = h.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    Instant send_at = h.clock.now() + Duration::from_s(1);
    bool sent = false;
    h.runner.add_task([&] {
        if (sent || h.clock.now() < send_at) return false;
        sockaddr_in to = make_sockaddr(Endpoint{kIpA, 9});
        sent = h.api_b.sendto(bs, "late", 4, 0, sa(to), sizeof to) == 4;
        return true;
    });
    h.runner.add_deadline_source([&] { return sent ? Instant::max() : send_at; });
    ASSERT_EQ(h.api_a.recv(s, buf, sizeof buf, 0), 4);
    EXPECT_GE(h.clock.now(), send_at);
    EXPECT_LT(h.clock.now(), send_at + Duration::from_ms(1));
}

TEST(Sockets, PollReadinessErrorsAndTimeouts) {
    TwoHosts h;
    int s = bound_udp(h.api_a, Endpoint{Ipv4Addr::any(), 9});
    pollfd p[2] = {{s, POLLIN | POLLOUT, 0}, {77, POLLIN, 0}};
    EXPECT_EQ(h.api_a.poll(p, 2, 0), 2);
    EXPECT_EQ(p[0].revents, POLLOUT);
    EXPECT_EQ(p[1].revents, POLLNVAL);
    pollfd q{s, POLLIN, 0};
    Instant t0 = h.clock.now();
    EXPECT_EQ(h.api_a.poll(&q, 1, 100), 0);
    EXPECT_EQ((h.clock.now() - t0).ns, Duration::from_ms(100).ns);
    int c = h.api_b.socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpA, 9});
    ASSERT_EQ(h.api_b.sendto(c, "p", 1, 0, sa(to), sizeof to), 1);
    EXPECT_EQ(h.api_a.poll(&q, 1, 1000), 1);
    EXPECT_EQ(q.revents, POLLIN);
    // Connected socket to a closed port: ICMP port unreachable becomes ECONNREFUSED (POLLERR first).
    int d = h.api_a.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in closed = make_sockaddr(Endpoint{kIpB, 4444});
    ASSERT_EQ(h.api_a.connect(d, sa(closed), sizeof closed), 0);
    ASSERT_EQ(h.api_a.send(d, "?", 1, 0), 1);
    pollfd e{d, POLLIN, 0};
    EXPECT_EQ(h.api_a.poll(&e, 1, 1000), 1);
    EXPECT_TRUE(e.revents & POLLERR);
    char buf[4];
    EXPECT_EQ(h.api_a.recv(d, buf, sizeof buf, 0), -1);
    EXPECT_EQ(h.api_a.error(), ECONNREFUSED);
    EXPECT_EQ(counter(h.b, "tx_icmp_dest_unreach"), 1u);
    EXPECT_EQ(counter(h.a, "sock_async_errors"), 1u);
}

TEST(Sockets, ShutdownBroadcastAndOptions) {
    TwoHosts h;
    int s = h.api_a.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    EXPECT_EQ(h.api_a.shutdown(s, SHUT_RD), -1);
    EXPECT_EQ(h.api_a.error(), ENOTCONN);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 7});
    ASSERT_EQ(h.api_a.connect(s, sa(to), sizeof to), 0);
    ASSERT_EQ(h.api_a.shutdown(s, SHUT_RD), 0);
    char buf[4];
    EXPECT_EQ(h.api_a.recv(s, buf, sizeof buf, 0), 0) << "EOF after SHUT_RD";
    // A datagram arriving after SHUT_RD is dropped under its own counter, not as "queue full".
    sockaddr_in local{};
    socklen_t ll = sizeof local;
    ASSERT_EQ(h.api_a.getsockname(s, sa(local), &ll), 0);
    int from_b = h.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    ASSERT_EQ(h.api_b.bind(from_b, sa(to), sizeof to), 0);  // B:7, the peer A is connected to
    ASSERT_EQ(h.api_b.sendto(from_b, "late", 4, 0, sa(local), sizeof local), 4);
    h.runner.run_for(Duration::from_ms(10));
    EXPECT_EQ(counter(h.a, "rx_udp_shut_rd"), 1u);
    EXPECT_EQ(counter(h.a, "rx_udp_queue_full"), 0u);
    EXPECT_EQ(h.api_a.recv(s, buf, sizeof buf, 0), 0) << "still EOF";
    ASSERT_EQ(h.api_a.shutdown(s, SHUT_WR), 0);
    EXPECT_EQ(h.api_a.send(s, "x", 1, 0), -1);
    EXPECT_EQ(h.api_a.error(), EPIPE);
    pollfd p{s, POLLIN, 0};
    EXPECT_EQ(h.api_a.poll(&p, 1, 0), 1);
    EXPECT_TRUE(p.revents & POLLHUP);

    int rx = bound_udp(h.api_b, Endpoint{Ipv4Addr::any(), 67});
    int bc = h.api_a.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in all = make_sockaddr(Endpoint{Ipv4Addr::broadcast(), 67});
    EXPECT_EQ(h.api_a.sendto(bc, "b", 1, 0, sa(all), sizeof all), -1);
    EXPECT_EQ(h.api_a.error(), EACCES) << "SO_BROADCAST not set";
    int one = 1;
    ASSERT_EQ(h.api_a.setsockopt(bc, SOL_SOCKET, SO_BROADCAST, &one, sizeof one), 0);
    ASSERT_EQ(h.api_a.sendto(bc, "b", 1, 0, sa(all), sizeof all), 1);
    h.runner.run_for(Duration::from_ms(1));
    EXPECT_EQ(h.api_b.recv(rx, buf, sizeof buf, 0), 1);

    int ttl = 0;
    EXPECT_EQ(h.api_a.setsockopt(bc, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), -1);
    EXPECT_EQ(h.api_a.error(), EINVAL);
    ttl = 7;
    ASSERT_EQ(h.api_a.setsockopt(bc, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl), 0);
    int got = 0;
    socklen_t gl = sizeof got;
    ASSERT_EQ(h.api_a.getsockopt(bc, IPPROTO_IP, IP_TTL, &got, &gl), 0);
    EXPECT_EQ(got, 7);
    ASSERT_EQ(h.api_a.getsockopt(bc, SOL_SOCKET, SO_TYPE, &got, &gl), 0);
    EXPECT_EQ(got, SOCK_DGRAM);
    EXPECT_EQ(h.api_a.getsockopt(bc, SOL_SOCKET, SO_KEEPALIVE, &got, &gl), -1);
    EXPECT_EQ(h.api_a.error(), ENOPROTOOPT);
}

namespace {
// A stand-in stream protocol: proves that SOCK_STREAM dispatch, listen/accept, blocking accept and
// the netstat columns work for a protocol registered from outside, as TCP will be.
struct FakeStreamSocket : Socket {
    FakeStreamSocket() : Socket(SockKind::Tcp) {}
    std::string state = "CLOSED";
    int pending = 0;
    std::string state_name() const override { return state; }
    size_t recv_queue_bytes() const override { return 0; }
    size_t send_queue_bytes() const override { return 42; }
    bool readable() const override { return pending > 0; }
};
struct FakeStreamOps : ProtocolOps {
    SockKind kind() const override { return SockKind::Tcp; }
    std::unique_ptr<Socket> create() override { return std::make_unique<FakeStreamSocket>(); }
    int bind(Stack& st, int h, Endpoint l) override {
        st.socket(h)->local = l;
        st.socket(h)->bound = true;
        return 0;
    }
    int connect(Stack&, Instant, int, Endpoint) override { return -EINPROGRESS; }
    int disconnect(Stack&, int) override { return -EOPNOTSUPP; }
    int listen(Stack& st, int h, int) override {
        static_cast<FakeStreamSocket*>(st.socket(h))->state = "LISTEN";
        return 0;
    }
    int accept(Stack& st, Instant, int h, Endpoint* peer) override {
        auto* s = static_cast<FakeStreamSocket*>(st.socket(h));
        if (!s->pending) return -EAGAIN;
        --s->pending;
        auto c = std::make_unique<FakeStreamSocket>();
        c->state = "ESTABLISHED";
        *peer = Endpoint{kIpB, 40000};
        return st.add_socket(std::move(c));
    }
    long sendto(Stack&, Instant, int, ConstBytes d, const Endpoint*, int) override { return long(d.size); }
    long recvfrom(Stack&, Instant, int, MutBytes, Endpoint*, int) override { return -EAGAIN; }
    int shutdown(Stack&, Instant, int, int) override { return 0; }
    void close(Stack& st, Instant, int h) override { st.remove_socket(h); }
};
}  // namespace

TEST(Sockets, StreamProtocolPlugsInThroughProtocolOps) {
    TwoHosts h;
    h.api_a.register_protocol(SOCK_STREAM, IPPROTO_TCP, std::make_unique<FakeStreamOps>());
    int l = h.api_a.socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(l, 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 80});
    ASSERT_EQ(h.api_a.bind(l, sa(any), sizeof any), 0);
    ASSERT_EQ(h.api_a.listen(l, 8), 0);
    timeval tv{0, 100000};
    h.api_a.setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(h.api_a.accept(l, nullptr, nullptr), -1);
    EXPECT_EQ(h.api_a.error(), EAGAIN);
    static_cast<FakeStreamSocket*>(h.api_a.socket_of(l))->pending = 1;
    sockaddr_in peer{};
    socklen_t pl = sizeof peer;
    int c = h.api_a.accept(l, sa(peer), &pl);
    ASSERT_GE(c, 0);
    EXPECT_EQ(from_sockaddr(peer).port, 40000);
    auto rows = h.api_a.netstat();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].proto, "tcp");
    EXPECT_EQ(rows[0].state, "LISTEN");
    EXPECT_EQ(rows[1].state, "ESTABLISHED");
    EXPECT_EQ(rows[1].send_q, 42u);
    // UDP's listen/accept: EOPNOTSUPP.
    int u = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    EXPECT_EQ(h.api_a.listen(u, 1), -1);
    EXPECT_EQ(h.api_a.error(), EOPNOTSUPP);
}

TEST(Sockets, LoopbackToOwnAddressAnd127) {
    TwoHosts h;
    int rx = bound_udp(h.api_a, Endpoint{Ipv4Addr::any(), 5353});
    int tx = h.api_a.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    for (Ipv4Addr dst : {kIpA, Ipv4Addr(127, 0, 0, 1)}) {
        sockaddr_in to = make_sockaddr(Endpoint{dst, 5353});
        ASSERT_EQ(h.api_a.sendto(tx, "self", 4, 0, sa(to), sizeof to), 4);
        h.runner.run_for(Duration::from_us(1));
        char buf[8];
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        ASSERT_EQ(h.api_a.recvfrom(rx, buf, sizeof buf, 0, sa(from), &fl), 4) << dst.str();
        EXPECT_EQ(from_sockaddr(from).addr, dst) << "source is the address we sent to";
    }
    EXPECT_EQ(counter(h.a, "tx_ip_loopback"), 2u);
    h.runner.run_for(Duration::from_ms(1));
    EXPECT_EQ(h.link.stats().frames[1], 1u) << "only A's gratuitous ARP went on the wire";
}

namespace {
// A control block with a timer, as TCP's will have (RTO, delayed ACK): the Stack must call poll(now)
// exactly when next_deadline() comes, and the runner must sleep until then, not spin.
struct TimerSocket : Socket {
    TimerSocket() : Socket(SockKind::Tcp) {}
    Instant due = Instant{0} + Duration::from_s(5);
    std::vector<Instant> polled;
    std::string state_name() const override { return "TIME-WAIT"; }
    size_t recv_queue_bytes() const override { return 0; }
    bool readable() const override { return false; }
    Instant next_deadline() const override { return due; }
    void poll(Instant now, Stack&) override {
        polled.push_back(now);
        due = polled.size() < 3 ? now + Duration::from_s(5) : Instant::max();
    }
};
}  // namespace

TEST(Sockets, SocketTimersArePolledExactlyAtTheirDeadline) {
    TwoHosts h;
    h.runner.run_for(Duration::from_ms(1));  // the gratuitous ARPs have crossed the link
    auto owned = std::make_unique<TimerSocket>();
    TimerSocket* t = owned.get();
    h.a.add_socket(std::move(owned));
    EXPECT_EQ(h.a.next_deadline(), Instant{0} + Duration::from_s(5));
    uint64_t steps_before = h.runner.steps();
    h.runner.run_for(Duration::from_s(60));
    ASSERT_EQ(t->polled.size(), 3u);
    EXPECT_EQ(t->polled[0], Instant{0} + Duration::from_s(5));
    EXPECT_EQ(t->polled[1], Instant{0} + Duration::from_s(10));
    EXPECT_EQ(t->polled[2], Instant{0} + Duration::from_s(15));
    EXPECT_LT(h.runner.steps() - steps_before, 50u) << "the runner jumps between deadlines";
}
