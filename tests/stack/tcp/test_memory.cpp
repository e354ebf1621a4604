// Memory the TCP layer holds: buffers allocated as data needs them under a stack-wide budget,
// TIME-WAIT as compact records, and caps on connections, TIME-WAIT records and orphans. The churn
// test states the bound a server keeps under 10,000 short connections.
#include "tcp_fixture.h"
#include "tcp_stack.h"

#include "tcp/tcp_mux.h"

#include <cstdio>

using namespace nic;
using namespace nic::test;

namespace {

// One short request/response: A connects, sends `req` bytes, B answers `resp` bytes and closes
// first (so B, the server, goes through TIME-WAIT), A reads to the end and closes. Returns false
// with a message on any failure.
::testing::AssertionResult exchange(TcpHosts& h, int lfd, size_t req, size_t resp) {
    int c = tcp_connect(h.api_a, kIpB, 80);
    if (c < 0) return ::testing::AssertionFailure() << "connect: errno " << -c;
    int s = h.api_b.accept(lfd, nullptr, nullptr);
    if (s < 0) return ::testing::AssertionFailure() << "accept: errno " << h.api_b.error();
    std::vector<uint8_t> q(req, 'q'), r(resp, 'r'), buf(std::max(req, resp) + 1);
    if (h.api_a.send(c, q.data(), q.size(), 0) != long(q.size())) return ::testing::AssertionFailure() << "send";
    size_t got = 0;
    while (got < req) {
        long n = h.api_b.recv(s, buf.data(), buf.size(), 0);
        if (n <= 0) return ::testing::AssertionFailure() << "server recv " << n << " errno " << h.api_b.error();
        got += size_t(n);
    }
    if (h.api_b.send(s, r.data(), r.size(), 0) != long(r.size())) return ::testing::AssertionFailure() << "reply";
    h.api_b.close(s);
    got = 0;
    for (;;) {
        long n = h.api_a.recv(c, buf.data(), buf.size(), 0);
        if (n < 0) return ::testing::AssertionFailure() << "client recv errno " << h.api_a.error();
        if (n == 0) break;
        got += size_t(n);
    }
    h.api_a.close(c);
    if (got != resp) return ::testing::AssertionFailure() << "reply " << got << " of " << resp << " bytes";
    return ::testing::AssertionSuccess();
}

}  // namespace

// 10,000 short connections churned through a server with the default 256 KiB buffers. The stated
// bound: the server's TCP memory (buffers + connection objects + TIME-WAIT records) stays under
// 2 MiB at every point, buffers go back to 0 between connections, and 10,000 TIME-WAIT
// connections cost a record each (~100 bytes), not a connection with its buffers. Before,
// every connection allocated 512 KiB of buffers up front and kept them through TIME-WAIT:
// 10,000 x ~513 KiB = 5 GB for the same churn.
TEST(TcpMemory, TenThousandShortConnectionsStayUnderTheBound) {
    TcpHosts h;
    int lfd = tcp_listen(h.api_b, 80, 64);
    ASSERT_GE(lfd, 0);
    const size_t kBound = size_t(2) << 20;
    size_t worst = 0, worst_buffers = 0;
    for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(exchange(h, lfd, 200, 1000)) << "connection " << i << "\n" << h.dump();
        TcpMemoryUse m = h.tcp_b.mux().memory();
        worst = std::max(worst, m.total_bytes);
        worst_buffers = std::max(worst_buffers, m.buffers_peak);
        ASSERT_LE(m.total_bytes, kBound) << "after connection " << i;
    }
    h.runner.run_for(Duration::from_ms(100));
    TcpMemoryUse m = h.tcp_b.mux().memory();
    std::printf("server after 10,000 connections: %zu connections, %zu TIME-WAIT records, buffers %zu B "
                "(peak %zu B), total %zu B (worst %zu B); sizeof(TcpSocket) %zu B\n",
                m.connections, m.timewait, m.buffers, m.buffers_peak, m.total_bytes, worst, sizeof(TcpSocket));
    EXPECT_EQ(m.buffers, 0u) << "no buffer storage held by closed or TIME-WAIT connections";
    EXPECT_LE(m.connections, 1u);
    // The server closed first: every connection waited as a record; those older than 2 MSL are
    // gone and some were ended early by the client reusing its port (RFC 6191).
    const TcpMuxCounters& mc = h.tcp_b.mux().counters();
    EXPECT_EQ(mc.timewait_records, 10000u);
    EXPECT_GT(m.timewait, 0u);
    std::printf("TIME-WAIT records: %llu made, %zu held, %llu ended by a reused port, %.1f s of virtual time\n",
                (unsigned long long)mc.timewait_records, m.timewait, (unsigned long long)mc.timewait_reused,
                h.clock.now().ns / 1e9);
    EXPECT_LE(worst_buffers, size_t(64) << 10) << "one connection at a time needs a few KiB of storage";
    EXPECT_EQ(h.tcp_b.mux().counters().timewait_overflow, 0u);
    // After 2 MSL the records are gone.
    h.runner.run_for(Duration::from_s(61));
    h.tcp_b.flush(h.clock.now());
    EXPECT_EQ(h.tcp_b.mux().memory().timewait, 0u);
    EXPECT_EQ(h.tcp_b.mux().memory().total_bytes, 0u);
}

// The budget bites: with 64 KiB for all connections of A, four senders of 200 KB each get EAGAIN
// (counted) instead of memory, the receiver's drops are counted, the budget is never exceeded,
// and every byte still arrives.
TEST(TcpMemory, StackWideBudgetBoundsBuffersAndCountsWhenItBites) {
    TcpConfig tc;
    tc.mem_limit = 64 * 1024;
    TcpHosts h({}, std::nullopt, 1, {}, tc);
    int lfd = tcp_listen(h.api_b, 80, 8);
    ASSERT_GE(lfd, 0);
    std::vector<int> cs, ss;
    for (int i = 0; i < 4; ++i) {
        cs.push_back(tcp_connect(h.api_a, kIpB, 80, true));
        ASSERT_GE(cs.back(), 0);
    }
    for (int i = 0; i < 4; ++i) {
        ss.push_back(h.api_b.accept(lfd, nullptr, nullptr));
        ASSERT_GE(ss.back(), 0);
    }
    const size_t kEach = 200000;
    std::vector<size_t> sent(4, 0), got(4, 0);
    std::vector<uint8_t> buf(65536);
    // Stream i carries bytes of value i; the accepted sockets may come in any order, so each
    // receiving socket learns its stream from its first byte and must see nothing else.
    std::vector<int> stream_of(4, -1);
    for (int round = 0; round < 20000; ++round) {
        bool done = true;
        for (int i = 0; i < 4; ++i) {
            if (sent[size_t(i)] < kEach) {
                std::vector<uint8_t> d(std::min<size_t>(16384, kEach - sent[size_t(i)]), uint8_t(i));
                long n = h.api_a.send(cs[size_t(i)], d.data(), d.size(), MSG_DONTWAIT);
                if (n > 0) sent[size_t(i)] += size_t(n);
            }
            long n = h.api_b.recv(ss[size_t(i)], buf.data(), buf.size(), MSG_DONTWAIT);
            if (n > 0) {
                if (stream_of[size_t(i)] < 0) stream_of[size_t(i)] = buf[0];
                for (long k = 0; k < n; ++k) ASSERT_EQ(buf[size_t(k)], uint8_t(stream_of[size_t(i)])) << "socket " << i;
                got[size_t(stream_of[size_t(i)])] += size_t(n);
            }
            ASSERT_LE(h.tcp_a.mux().budget().used, tc.mem_limit);
            ASSERT_LE(h.tcp_b.mux().budget().used, tc.mem_limit);
            done = done && got[size_t(i)] == kEach;
        }
        if (done) break;
        h.runner.run_for(Duration::from_ms(1));
    }
    for (int i = 0; i < 4; ++i) EXPECT_EQ(got[size_t(i)], kEach) << "stream " << i << "\n" << h.dump();
    TcpCounters a = h.tcp_a.mux().totals(), b = h.tcp_b.mux().totals();
    EXPECT_GT(h.tcp_a.mux().memory().budget_refused, 0u) << "the senders felt the budget";
    EXPECT_LE(h.tcp_a.mux().memory().buffers_peak, tc.mem_limit);
    EXPECT_LE(h.tcp_b.mux().memory().buffers_peak, tc.mem_limit);
    std::printf("budget 64 KiB: A peak %zu B, %llu growths refused, %llu sends refused; B peak %zu B, "
                "%llu growths refused, %llu segments dropped\n",
                h.tcp_a.mux().memory().buffers_peak, (unsigned long long)h.tcp_a.mux().memory().budget_refused,
                (unsigned long long)a.send_mem_refused, h.tcp_b.mux().memory().buffers_peak,
                (unsigned long long)h.tcp_b.mux().memory().budget_refused, (unsigned long long)b.drop_memory);
}

// Connection table and orphan caps, with their counters.
TEST(TcpMemory, ConnectionAndOrphanCapsAreEnforcedAndCounted) {
    TcpConfig tc;
    tc.max_connections = 3;
    tc.max_orphans = 1;
    TcpHosts h({}, std::nullopt, 1, {}, tc);
    int lfd = tcp_listen(h.api_b, 80, 8, true);
    ASSERT_GE(lfd, 0);
    std::vector<int> cs;
    for (int i = 0; i < 3; ++i) cs.push_back(tcp_connect(h.api_a, kIpB, 80, true));
    for (int c : cs) ASSERT_GE(c, 0);
    EXPECT_EQ(tcp_connect(h.api_a, kIpB, 80, true), -ENOBUFS) << "A's table is full";
    h.runner.run_for(Duration::from_ms(10));
    std::vector<int> ss;
    for (int i = 0; i < 3; ++i) {
        int s = h.api_b.accept(lfd, nullptr, nullptr);
        ASSERT_GE(s, 0);
        ss.push_back(s);
    }
    // Orphans: B closes all three with data unacknowledged by a peer that stopped reading... the
    // simplest orphan is a FIN-WAIT connection: the first close lingers, the others are reset.
    for (int s : ss) h.api_b.close(s);
    EXPECT_EQ(h.tcp_b.mux().counters().orphans_reset, 2u);
    h.runner.run_for(Duration::from_ms(10));
    char b;
    int resets = 0;
    for (int c : cs) resets += h.api_a.recv(c, &b, 1, 0) < 0 && h.api_a.error() == ECONNRESET;
    EXPECT_EQ(resets, 2) << h.dump();
}

// An orphaned FIN-WAIT-1 facing a zero window used to probe forever; it is aborted after
// orphan_retries probes. A connection whose application still holds it keeps probing.
TEST_F(TcpFixture, OrphanFacingAZeroWindowIsAbortedAfterOrphanRetries) {
    cfg.orphan_retries = 3;
    establish();
    ASSERT_EQ(send_bytes(1000), 1000);
    out();
    in(seg(A, 1, 1001, 0));  // all acknowledged, window shut
    ASSERT_EQ(send_bytes(500), 500);
    sock->close(now());      // the FIN waits behind the data: FIN-WAIT-1, orphaned
    EXPECT_TRUE(out().empty());  // (the stack polls after every call: the persist timer starts)
    EXPECT_EQ(sock->state(), TcpState::FinWait1);
    ASSERT_FALSE(sock->next_deadline().is_max());
    size_t probes = 0, rsts = 0;
    for (int i = 0; i < 100 && sock->state() != TcpState::Closed; ++i) {
        advance_to(sock->next_deadline());
        for (auto& s : out()) {
            probes += s.len() > 0;
            rsts += s.r.flags.rst();
        }
        in(seg(A, 1, uint32_t(sock->snd_una() - iss), 0));  // the probe's byte is refused again
    }
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(probes, 3u);
    EXPECT_EQ(rsts, 1u);
    EXPECT_EQ(sock->counters().orphan_timeouts, 1u);
}

// TIME-WAIT as a compact record (TcpMux): an orphaned connection in TIME-WAIT leaves the table;
// the record acknowledges a retransmitted FIN and restarts 2 MSL (RFC 9293 3.10.7.4), answers
// other segments with rate-limited ACKs, keeps the 4-tuple from a new connect(), gives way to a
// newer SYN (RFC 6191) and disappears after 2 MSL.
TEST(TcpMemory, TimeWaitRecordAnswersLikeTheConnectionDid) {
    VirtualClock clock{Instant{1000000000}};
    TcpConfig cfg;
    cfg.timestamps = cfg.sack = cfg.window_scale = false;
    TcpMux m(cfg, 7);
    const Ipv4Addr srv(192, 0, 2, 1), cli(192, 0, 2, 2);
    auto l = m.listen(Endpoint{srv, 80}, 4);
    auto drain = [&] {
        std::vector<TcpOut> v;
        m.reap(clock.now());
        while (auto o = m.poll_transmit(clock.now())) v.push_back(*o);
        return v;
    };
    auto seg = [&](uint8_t flags, uint32_t seq, SeqNum ack) {
        TcpRepr r;
        r.src_port = 5555;
        r.dst_port = 80;
        r.seq = SeqNum(seq);
        r.ack = ack;
        r.flags = TcpFlags(flags);
        r.window = 65535;
        return r;
    };
    TcpRepr syn = seg(S, 1000, SeqNum(0));
    syn.options.mss = 1460;
    m.input(clock.now(), cli, srv, syn);
    auto sa = drain();
    ASSERT_EQ(sa.size(), 1u);
    SeqNum iss = sa[0].repr.seq;
    m.input(clock.now(), cli, srv, seg(A, 1001, iss + 1));
    auto s = l->accept();
    ASSERT_TRUE(s);
    s->close(clock.now());  // the application closes first and lets go: an orphan
    s.reset();
    auto fin = drain();
    ASSERT_EQ(fin.size(), 1u);
    ASSERT_TRUE(fin[0].repr.flags.fin());
    m.input(clock.now(), cli, srv, seg(A | F, 1001, iss + 2));  // ACK of our FIN with the peer's FIN
    auto last = drain();
    ASSERT_EQ(last.size(), 1u) << "the last ACK goes out before the connection becomes a record";
    EXPECT_EQ(last[0].repr.ack, SeqNum(1002));
    EXPECT_EQ(m.connections(), 0u);
    EXPECT_EQ(m.timewait_records(), 1u);
    EXPECT_EQ(m.memory().buffers, 0u);
    // The peer did not get that ACK and retransmits its FIN 20 s later.
    clock.advance(Duration::from_s(20));
    m.input(clock.now(), cli, srv, seg(A | F, 1001, iss + 2));
    auto again = drain();
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].repr.flags.bits, A);
    EXPECT_EQ(again[0].repr.seq, iss + 2);
    EXPECT_EQ(again[0].repr.ack, SeqNum(1002));
    EXPECT_EQ(m.next_deadline(), clock.now() + Duration::from_s(60)) << "2 MSL restarted";
    // Stray segments: one ACK per 500 ms.
    for (int i = 0; i < 5; ++i) m.input(clock.now() + Duration::from_ms(600), cli, srv, seg(A, 1002, iss + 2));
    EXPECT_EQ(drain().size(), 1u);
    // The 4-tuple is taken for a new active open ...
    EXPECT_FALSE(m.connect(clock.now(), Endpoint{srv, 80}, Endpoint{cli, 5555}));
    // ... but a newer SYN from the client (RFC 6191) starts a new connection.
    TcpRepr syn2 = seg(S, 900000, SeqNum(0));
    syn2.options.mss = 1460;
    m.input(clock.now(), cli, srv, syn2);
    auto sa2 = drain();
    ASSERT_EQ(sa2.size(), 1u);
    EXPECT_EQ(sa2[0].repr.flags.bits, S | A);
    EXPECT_EQ(m.counters().timewait_reused, 1u);
    EXPECT_EQ(m.timewait_records(), 0u);
}

TEST(TcpMemory, TimeWaitRecordsExpireAfterTwoMsl) {
    TcpHosts h;
    int lfd = tcp_listen(h.api_b, 80, 8);
    ASSERT_GE(lfd, 0);
    ASSERT_TRUE(exchange(h, lfd, 10, 10));
    h.runner.run_for(Duration::from_ms(100));
    EXPECT_EQ(h.tcp_b.mux().timewait_records(), 1u);
    h.runner.run_for(Duration::from_s(59));
    h.tcp_b.flush(h.clock.now());
    EXPECT_EQ(h.tcp_b.mux().timewait_records(), 1u);
    h.runner.run_for(Duration::from_s(1));
    h.tcp_b.flush(h.clock.now());
    EXPECT_EQ(h.tcp_b.mux().timewait_records(), 0u);
}
