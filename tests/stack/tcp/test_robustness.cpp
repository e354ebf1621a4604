// Segment-level tests of TcpSocket, continued (conventions as in test_socket.cpp; the fixture,
// tcp_fixture.h, plays the peer): segment validation against blind attacks (RFC 5961) and old
// duplicates (RFC 7323 PAWS), keepalive (RFC 1122 4.2.3.6), and the edge cases of closing,
// bounded queues, sequence wrap and idle restart.
#include "tcp_fixture.h"

#include <algorithm>
#include <cerrno>

using namespace nic;
using namespace nic::test;

namespace {

using Tcp = TcpFixture;

// ---- RFC 5961 and RFC 7323 PAWS

TEST_F(Tcp, InWindowRstGetsChallengeAckExactRstResets) {
    establish();
    in(seg(R, 100, 0));
    EXPECT_EQ(sock->state(), TcpState::Established);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[0].r.ack, irs + 1);
    EXPECT_EQ(sock->counters().challenge_acks, 1u);
    in(seg(R, 1000000, 0));  // outside the window: silently dropped
    EXPECT_TRUE(out().empty());
    EXPECT_EQ(sock->counters().drop_rst_ignored, 1u);
    in(seg(R, 1, 0));  // exactly RCV.NXT
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ECONNRESET);
}

TEST_F(Tcp, SynInEstablishedGetsChallengeAck) {
    establish();
    in(seg(S, 50, 0));
    EXPECT_EQ(sock->state(), TcpState::Established);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[0].r.ack, irs + 1);
    EXPECT_EQ(sock->counters().challenge_acks, 1u);
}

TEST_F(Tcp, UnacceptableAckGetsChallengeAckAndIsDropped) {
    establish();
    in(seg(A, 1, 5000, 65535, 100));  // acknowledges data never sent
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 1);  // the data was dropped too
    EXPECT_EQ(sock->counters().challenge_acks, 1u);
    EXPECT_EQ(sock->recv_queue(), 0u);
    in(seg(A, 1, uint32_t(-200000)));  // older than SND.UNA - MAX.SND.WND
    EXPECT_EQ(out().size(), 1u);
    EXPECT_EQ(sock->counters().challenge_acks, 2u);
}

TEST_F(Tcp, ChallengeAcksAreRateLimited) {
    cfg.challenge_ack_limit = 2;
    establish();
    for (int i = 0; i < 5; ++i) in(seg(R, 100 + uint32_t(i), 0));
    EXPECT_EQ(sock->counters().challenge_acks, 2u);
    EXPECT_EQ(sock->counters().challenge_acks_suppressed, 3u);
    out();
    advance(Duration::from_s(1));
    in(seg(R, 100, 0));
    EXPECT_EQ(sock->counters().challenge_acks, 3u);
}

TEST_F(Tcp, PawsDropsOldTimestamp) {
    cfg.timestamps = true;
    TcpOptions peer;
    peer.ts = TcpTimestamp{1000, 0};
    establish(1460, 65535, peer);
    TcpRepr d = seg(A, 1, 1, 65535, 100);
    d.options.ts = TcpTimestamp{1005, 0};
    in(d);
    EXPECT_EQ(sock->recv_queue(), 100u);
    TcpRepr old = seg(A, 101, 1, 65535, 100);
    old.options.ts = TcpTimestamp{900, 0};  // older than TS.Recent: an old duplicate (RFC 7323 5.3)
    in(old);
    EXPECT_EQ(sock->recv_queue(), 100u);
    EXPECT_EQ(sock->counters().drop_paws, 1u);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 101);
    TcpRepr nots = seg(A, 101, 1, 65535, 100);  // no timestamp once negotiated: dropped (RFC 7323 3.2)
    in(nots);
    EXPECT_EQ(sock->counters().drop_no_timestamp, 1u);
}

TEST_F(Tcp, OldDuplicateDataIsAckedNotDelivered) {
    establish();
    in(seg(A, 1, 1, 65535, 100));
    out();
    advance(Duration::from_ms(40));
    out();
    in(seg(A, 1, 1, 65535, 100));  // retransmitted duplicate
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 101);
    EXPECT_EQ(sock->recv_queue(), 100u);
    EXPECT_EQ(sock->counters().drop_out_of_window, 1u);
}

// RFC 5961 section 7 (and Linux's tcp_invalid_ratelimit): the duplicate ACKs that answer
// out-of-window and PAWS-rejected segments are rate-limited per socket, so a flood of such
// segments (or two hosts that disagree about the sequence space) cannot become an ACK storm. A
// probe into a zero window (at RCV.NXT) is always answered.
TEST_F(Tcp, OutOfWindowAndPawsAcksAreRateLimited) {
    cfg.timestamps = true;
    TcpOptions peer;
    peer.ts = TcpTimestamp{1000, 0};
    establish(1460, 65535, peer);
    size_t acks = 0;
    for (int i = 0; i < 50; ++i) {
        TcpRepr far = seg(A, 200000 + uint32_t(i) * 100, 1, 65535, 100);  // beyond the window
        far.options.ts = TcpTimestamp{1001, 0};
        in(far);
        TcpRepr old = seg(A, 1, 1, 65535, 100);
        old.options.ts = TcpTimestamp{900, 0};  // PAWS
        in(old);
        acks += out().size();
        advance(Duration::from_ms(10));
    }
    // 50 x 2 invalid segments over 0.5 s: one ACK per 500 ms.
    EXPECT_EQ(acks, 1u);
    EXPECT_EQ(sock->counters().drop_out_of_window, 50u);
    EXPECT_EQ(sock->counters().drop_paws, 50u);
    EXPECT_EQ(sock->counters().invalid_acks_suppressed, 99u);
    advance(Duration::from_ms(10));
    TcpRepr far = seg(A, 300000, 1, 65535, 100);
    far.options.ts = TcpTimestamp{1002, 0};
    in(far);
    auto o = out();
    ASSERT_EQ(o.size(), 1u) << "answered again after the interval";
    EXPECT_EQ(o[0].r.ack, irs + 1);
}

// RFC 7323 4.1: TSecr echoes one of our TSvals. An echo from the future or from before the
// connection began gives no RTT sample (the 32-bit difference would be days) and is counted;
// RTO stays where real samples put it.
TEST_F(Tcp, ImplausibleTimestampEchoGivesNoRttSample) {
    cfg.timestamps = true;
    TcpOptions peer;
    peer.ts = TcpTimestamp{1000, 0};
    establish(1460, 65535, peer);
    ASSERT_EQ(send_bytes(300), 300);
    auto d = out();
    ASSERT_EQ(d.size(), 1u);
    uint32_t tsval = d[0].r.options.ts->val;
    uint64_t samples = sock->counters().rtt_samples;
    Duration rto = sock->current_rto();
    advance(Duration::from_ms(20));
    TcpRepr a = seg(A, 1, 101);
    a.options.ts = TcpTimestamp{1001, tsval + 100000};  // from the future
    in(a);
    a = seg(A, 1, 201);
    a.options.ts = TcpTimestamp{1002, tsval - 3000000};  // long before the connection began
    in(a);
    EXPECT_EQ(sock->counters().ts_ecr_implausible, 2u);
    EXPECT_EQ(sock->counters().rtt_samples, samples);
    EXPECT_EQ(sock->current_rto(), rto);
    a = seg(A, 1, 301);
    a.options.ts = TcpTimestamp{1003, tsval};  // the real echo: a 20 ms sample
    in(a);
    EXPECT_EQ(sock->counters().rtt_samples, samples + 1);
    EXPECT_LT(sock->current_rto(), Duration::from_s(2));
}

// ---- keepalive (RFC 1122 4.2.3.6)

TEST_F(Tcp, KeepaliveProbesThenTimesOut) {
    establish();
    Instant t0 = now();
    EXPECT_TRUE(sock->next_deadline().is_max());  // off by default
    sock->set_keepalive(now(), true);
    auto o = run_until(t0 + Duration::from_s(7200 + 75 * 10));
    ASSERT_EQ(o.size(), 9u) << describe(o);
    EXPECT_EQ(o[0].at - t0, Duration::from_s(7200));
    EXPECT_EQ(o[1].at - t0, Duration::from_s(7275));
    EXPECT_EQ(o[0].r.seq, iss);  // SND.NXT - 1, no data
    EXPECT_EQ(o[0].len(), 0u);
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ETIMEDOUT);
}

TEST_F(Tcp, KeepaliveAnsweredKeepsConnection) {
    establish();
    sock->set_keepalive(now(), true);
    advance(Duration::from_s(7200));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    in(seg(A, 1, 1));
    EXPECT_EQ(sock->next_deadline(), now() + Duration::from_s(7200));
    EXPECT_EQ(sock->state(), TcpState::Established);
}

TEST_F(Tcp, InfoShowsNetstatColumns) {
    establish();
    send_bytes(5000);
    in(seg(A, 1, 1, 65535, 300));
    TcpInfo i = sock->info();
    EXPECT_EQ(i.state, TcpState::Established);
    EXPECT_EQ(i.send_q, 5000u);
    EXPECT_EQ(i.recv_q, 300u);
    EXPECT_EQ(i.cwnd, 3u * 1460);
    EXPECT_EQ(i.rto, Duration::from_s(1));
    std::string s = i.str();
    EXPECT_NE(s.find("ESTABLISHED"), std::string::npos);
    EXPECT_NE(s.find("sendq 5000"), std::string::npos);
    TcpCounters c = sock->counters();
    size_t n = 0;
    c.for_each([&](const char*, uint64_t) { ++n; });
    EXPECT_GT(n, 30u);
}

TEST_F(Tcp, CongestionAvoidanceAddsOneSegmentPerWindow) {
    cfg.nodelay = true;
    establish();
    send_bytes(10 * 1460);
    ASSERT_EQ(out().size(), 3u);
    advance(Duration::from_s(1));
    ASSERT_EQ(out().size(), 1u);  // RTO: ssthresh = max(4380 / 2, 2 SMSS) = 2920, cwnd 1460
    EXPECT_EQ(sock->ssthresh(), 2920u);
    in(seg(A, 1, 1461));
    EXPECT_EQ(sock->cwnd(), 2920u);  // slow start up to ssthresh
    EXPECT_EQ(out().size(), 2u);
    in(seg(A, 1, 2921));
    EXPECT_EQ(sock->cwnd(), 2920u);  // congestion avoidance: 1460 of 2920 counted
    in(seg(A, 1, 4381));
    EXPECT_EQ(sock->cwnd(), 4380u);  // a full window acknowledged: + 1 SMSS (RFC 5681 3.1)
}

TEST_F(Tcp, LostFinIsRetransmitted) {
    establish();
    sock->close(now());
    ASSERT_EQ(out().size(), 1u);
    advance(Duration::from_s(1));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A);
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(sock->counters().retrans_segs, 1u);
    in(seg(A, 1, 2));
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
}

TEST_F(Tcp, FinAheadOfMissingDataWaitsForIt) {
    establish();
    in(seg(F | A, 101, 1, 65535, 100));
    EXPECT_EQ(sock->state(), TcpState::Established);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 1);
    in(seg(A, 1, 1, 65535, 100));
    EXPECT_EQ(sock->state(), TcpState::CloseWait);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 202);  // 200 bytes and the FIN
    EXPECT_EQ(read_all().size(), 200u);
    uint8_t b[1];
    EXPECT_EQ(sock->recv(now(), MutBytes(b, 1)), 0);
}

TEST_F(Tcp, OutOfOrderQueueIsBounded) {
    cfg.max_ooo_ranges = 2;
    establish();
    in(seg(A, 201, 1, 65535, 100));
    in(seg(A, 401, 1, 65535, 100));
    in(seg(A, 601, 1, 65535, 100));  // a third hole: dropped and counted
    EXPECT_EQ(sock->counters().drop_ooo_full, 1u);
    in(seg(A, 1, 1, 65535, 200));
    in(seg(A, 301, 1, 65535, 100));
    EXPECT_EQ(sock->rcv_nxt(), irs + 501);
    EXPECT_EQ(read_all().size(), 500u);
}

// With the out-of-order tracker full, in-order data that does not reach the first held range is
// still taken (it needs no new range), acknowledged, and the held ranges stay usable.
TEST_F(Tcp, InOrderDataIsTakenWhenTheOutOfOrderTrackerIsFull) {
    cfg.max_ooo_ranges = 2;
    establish();
    in(seg(A, 201, 1, 65535, 100));
    in(seg(A, 401, 1, 65535, 100));
    out();
    in(seg(A, 1, 1, 65535, 100));  // [1, 101): in order, short of the first range at 201
    EXPECT_EQ(sock->rcv_nxt(), irs + 101);
    EXPECT_EQ(sock->recv_queue(), 100u);
    auto o = out();
    ASSERT_FALSE(o.empty());
    EXPECT_EQ(o.back().r.ack, irs + 101) << describe(o);
    in(seg(A, 101, 1, 65535, 100));  // fills up to the first held range, which is then delivered
    in(seg(A, 301, 1, 65535, 100));
    EXPECT_EQ(sock->rcv_nxt(), irs + 501);
    auto d = read_all();
    ASSERT_EQ(d.size(), 500u);
    for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(d[i], uint8_t(1 + i)) << "byte " << i;
    EXPECT_EQ(sock->counters().drop_ooo_full, 0u);
}

TEST_F(Tcp, SequenceNumbersWrapAround) {
    cfg.nodelay = true;
    iss = SeqNum(0xffffff00u);
    irs = SeqNum(0xfffffff0u);
    establish();
    send_bytes(1000);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.seq, SeqNum(0xffffff01u));
    in(seg(A, 1, 1001));
    EXPECT_EQ(sock->snd_una(), SeqNum(0xffffff00u + 1001));
    EXPECT_EQ(sock->send_queue(), 0u);
    in(seg(A, 1, 1001, 65535, 100));  // peer data crossing 2^32
    in(seg(A, 101, 1001, 65535, 100));
    auto d = read_all();
    ASSERT_EQ(d.size(), 200u);
    for (size_t i = 0; i < 200; ++i) ASSERT_EQ(d[i], uint8_t(1 + i));
}

TEST_F(Tcp, ListenerRstExactlyAtRcvNxtRemovesHalfOpen) {
    IsnGenerator isn(7);
    TcpListener l(cfg, Endpoint{kLocalIp, 80}, 4, &isn);
    TcpRepr syn;
    syn.src_port = 5555;
    syn.dst_port = 80;
    syn.seq = irs;
    syn.flags = TcpFlags(S);
    l.on_segment(now(), kRemoteIp, kLocalIp, syn);
    TcpRepr rst = syn;
    rst.flags = TcpFlags(R);
    rst.seq = irs + 5;  // not RCV.NXT (RFC 5961 3.2): ignored
    l.on_segment(now(), kRemoteIp, kLocalIp, rst);
    EXPECT_EQ(l.syn_queue_len(), 1u);
    rst.seq = irs + 1;
    l.on_segment(now(), kRemoteIp, kLocalIp, rst);
    EXPECT_EQ(l.syn_queue_len(), 0u);
}

TEST_F(Tcp, ZeroCopySendWithAndRecvWith) {
    cfg.nodelay = true;
    cfg.sndbuf = 1000;
    establish();
    long n = sock->send_with(now(), [](MutBytes w) {
        for (size_t i = 0; i < 600; ++i) w.data[i] = uint8_t(i);
        return size_t(600);
    });
    EXPECT_EQ(n, 600);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    ASSERT_EQ(o[0].len(), 600u);
    EXPECT_EQ(o[0].data[599], uint8_t(599));
    in(seg(A, 1, 301));  // half of it acknowledged: 300 bytes stay at [300, 600) of the ring
    // The ring wraps: the contiguous window is what is left before the end, then the start.
    n = sock->send_with(now(), [](MutBytes w) { return w.size; });
    EXPECT_EQ(n, 400);
    n = sock->send_with(now(), [](MutBytes w) { return w.size; });
    EXPECT_EQ(n, 300);
    EXPECT_EQ(sock->send_with(now(), [](MutBytes w) { return w.size; }), -EAGAIN);
    for (int i = 0; i < 10 && sock->send_queue() > 0; ++i) {  // everything acknowledged ...
        out();
        in(seg(A, 1, uint32_t(sock->snd_nxt() - iss)));
    }
    // ... and the empty ring starts over at its front; an established connection keeps the
    // storage (TcpSocket::keep_idle_storage), a closing one gives it back (TcpMemory tests)
    EXPECT_EQ(sock->send_queue(), 0u);
    EXPECT_GT(sock->buffer_storage(), 0u);
    n = sock->send_with(now(), [](MutBytes w) { return w.size; });
    EXPECT_EQ(n, 1000) << "a fresh ring: the whole buffer is one window";
    EXPECT_EQ(sock->send_with(now(), [](MutBytes w) { return w.size; }), -EAGAIN);
    in(seg(A, 1, 601, 65535, 300));
    std::vector<uint8_t> got;
    n = sock->recv_with(now(), [&](ConstBytes r) {
        got.assign(r.begin(), r.begin() + 100);
        return size_t(100);
    });
    EXPECT_EQ(n, 100);
    EXPECT_EQ(got[99], uint8_t(1 + 99));
    EXPECT_EQ(sock->recv_queue(), 200u);
    EXPECT_EQ(sock->recv_with(now(), [](ConstBytes r) { return r.size; }), 200);
    EXPECT_EQ(sock->recv_with(now(), [](ConstBytes r) { return r.size; }), -EAGAIN);
}

TEST_F(Tcp, LoneFinToClosedWindowIsPacedByRtoNotResentAtOnce) {
    establish();
    send_bytes(100);
    sock->close(now());
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A | P);
    in(seg(A, 1, 101, 0));  // the data acknowledged, the FIN not, window closed
    EXPECT_TRUE(out().empty());
    advance(Duration::from_ms(999));
    EXPECT_TRUE(out().empty());
    advance(Duration::from_ms(1));
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A);
    EXPECT_EQ(o[0].r.seq, iss + 101);
    in(seg(A, 1, 102, 0));
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
}

TEST_F(Tcp, FinWait1ToTimeWaitWhenFinAndAckArriveTogether) {
    establish();
    sock->close(now());
    out();
    in(seg(F | A, 1, 2));  // acknowledges our FIN and carries the peer's
    EXPECT_EQ(sock->state(), TcpState::TimeWait);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2);
}

TEST_F(Tcp, OrphanedFinWait2TimesOutButHalfCloseDoesNot) {
    cfg.fin_wait2_timeout = Duration::from_s(60);
    establish();
    sock->close(now());
    out();
    in(seg(A, 1, 2));
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
    advance(Duration::from_s(60));
    out();
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), 0);
    establish();
    sock->shutdown(now(), false, true);  // half-close: the application still reads, no timeout
    out();
    in(seg(A, 1, 2));
    EXPECT_TRUE(sock->next_deadline().is_max());
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
}

TEST_F(Tcp, RstInSimultaneousOpenSynReceivedIsRefused) {
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    TcpRepr syn = seg(S, 0, 0);
    syn.ack = SeqNum(0);
    in(syn);
    out();
    EXPECT_EQ(sock->state(), TcpState::SynReceived);
    in(seg(R, 1, 0));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ECONNREFUSED);
}

TEST_F(Tcp, RstInCloseWaitIsConnectionResetAndInLastAckJustCloses) {
    establish();
    in(seg(F | A, 1, 1));
    out();
    in(seg(R, 2, 0));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ECONNRESET);
    establish();
    in(seg(F | A, 1, 1));
    out();
    sock->close(now());
    out();
    EXPECT_EQ(sock->state(), TcpState::LastAck);
    in(seg(R, 2, 0));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), 0);
}

TEST_F(Tcp, DataAfterCloseIsAnsweredWithReset) {
    establish();
    sock->close(now());
    out();
    in(seg(A, 1, 2, 65535, 50));  // nobody will read it (RFC 2525 2.17, as Linux)
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, R);
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->counters().drop_after_close, 1u);
}

TEST_F(Tcp, TimedOutSynRestartsRtoAtThreeSeconds) {
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    advance(Duration::from_s(1));
    ASSERT_EQ(out().size(), 1u);  // SYN retransmitted: no RTT sample will be taken (Karn)
    TcpRepr sa = seg(S | A, 0, 1);
    sa.options.mss = 1460;
    in(sa);
    EXPECT_EQ(sock->state(), TcpState::Established);
    EXPECT_EQ(sock->current_rto(), Duration::from_s(3));  // RFC 6298 5.7
    EXPECT_EQ(sock->cwnd(), 1460u);                       // RFC 5681 3.1: IW of one segment
}

TEST_F(Tcp, CwndRestartsAfterIdle) {
    cfg.nodelay = true;
    establish();
    send_bytes(3 * 1460);
    out();
    in(seg(A, 1, 1 + 3 * 1460));
    EXPECT_EQ(sock->cwnd(), 4u * 1460);  // one stretch ACK: + 1 SMSS (RFC 3465 with L = 1)
    advance(Duration::from_s(2));  // idle for longer than the RTO
    send_bytes(10 * 1460);
    auto o = out();
    EXPECT_EQ(o.size(), 3u);  // RFC 5681 4.1: restart window = IW
    EXPECT_EQ(sock->cwnd(), 3u * 1460);
}

TEST_F(Tcp, SmallerPathMtuResegmentsWhatIsInFlight) {
    cfg.nodelay = true;
    establish();
    send_bytes(3 * 1460);
    ASSERT_EQ(out().size(), 3u);
    sock->on_path_mtu(now(), 1000);  // ICMP fragmentation needed (RFC 1191)
    EXPECT_EQ(sock->mss(), 960);
    auto o = out();
    ASSERT_EQ(o.size(), 5u) << describe(o);  // 4 x 960 + 540, from SND.UNA, within cwnd 4380
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(o[0].len(), 960u);
    EXPECT_EQ(o[4].len(), 540u);
    EXPECT_EQ(sock->ssthresh(), 0xffffffffu);  // not a congestion signal
    sock->on_path_mtu(now(), 1400);             // larger: ignored
    EXPECT_EQ(sock->mss(), 960);
}

}  // namespace
