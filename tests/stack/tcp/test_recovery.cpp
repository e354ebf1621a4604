// Loss recovery and congestion control of TcpSocket, segment by segment on a virtual clock (the
// fixture, tcp_fixture.h, plays the peer; conventions as in test_socket.cpp): cwnd arithmetic,
// CUBIC (RFC 9438), Proportional Rate Reduction (RFC 6937), the Tail Loss Probe and RACK (RFC 8985).
// The code under test is stack/tcp/tcp_recovery.cpp and stack/tcp/congestion.h.
#include "tcp_fixture.h"

#include <algorithm>
#include <cerrno>

using namespace nic;
using namespace nic::test;

namespace {

using Tcp = TcpFixture;

}  // namespace

// A connection that never loses a segment keeps growing cwnd; near 2^32 the old arithmetic wrapped
// to a window of a few bytes (after a few GB acknowledged). Every increase saturates at 2^30,
// the largest window RFC 7323 2.3 allows, in slow start, in congestion avoidance and when
// recovery inflates the window.
TEST(Congestion, CwndSaturatesInsteadOfWrapping) {
    CongestionControl cc;
    cc.algo = CcAlgo::NewReno;
    cc.init(1460, 10);
    EXPECT_EQ(cc.cwnd, 14600u);
    cc.cwnd = 0xfffffa00u - 1460;  // where a loss-free transfer gets after ~4 GB in slow start
    cc.on_ack(1460, 1460);
    EXPECT_EQ(cc.cwnd, CongestionControl::kMaxCwnd);
    for (int i = 0; i < 1000; ++i) cc.on_ack(1460, 1460);
    EXPECT_EQ(cc.cwnd, CongestionControl::kMaxCwnd);
    // Congestion avoidance with a huge byte count.
    cc.ssthresh = 1u << 20;
    for (int i = 0; i < 4; ++i) cc.on_ack(0xffffffffu, 1460);
    EXPECT_EQ(cc.cwnd, CongestionControl::kMaxCwnd);
    EXPECT_LE(cc.bytes_acked, CongestionControl::kMaxCwnd);
    cc.cwnd = CongestionControl::kMaxCwnd - 100;
    cc.grow(0xffffffffu);
    EXPECT_EQ(cc.cwnd, CongestionControl::kMaxCwnd);
    // A loss still reduces it as RFC 5681 says.
    cc.on_rto(cc.cwnd, 1460);
    EXPECT_EQ(cc.cwnd, 1460u);
    EXPECT_EQ(cc.ssthresh, CongestionControl::kMaxCwnd / 2);
}

namespace {
// Drives a CongestionControl in congestion avoidance with an ACK clock: every RTT, one ACK per
// SMSS of the window. Returns cwnd (in segments) at each RTT boundary.
std::vector<double> ack_clock(CongestionControl& cc, Instant& now, Duration rtt, int rtts, uint32_t smss = 1000) {
    std::vector<double> w;
    for (int r = 0; r < rtts; ++r) {
        uint32_t acks = cc.cwnd / smss;
        for (uint32_t a = 0; a < acks; ++a) cc.on_ack(smss, smss, now + Duration{rtt.ns * a / acks}, rtt);
        now = now + rtt;
        w.push_back(double(cc.cwnd) / smss);
    }
    return w;
}
}  // namespace

// RFC 9438: after a loss at W_max = 100 segments, CUBIC cuts to beta = 0.7, grows back concavely
// to W_max in K = cbrt(W_max (1 - beta) / C) = 4.22 s (RTT 100 ms: the Reno-friendly estimate is
// lower), plateaus there, then probes convexly: W_max + C (t - K)^3, 130 segments at t = 2K.
TEST(Congestion, CubicRegainsWmaxAfterKSecondsThenProbesConvexly) {
    CongestionControl cc;
    cc.algo = CcAlgo::Cubic;
    const uint32_t smss = 1000;
    cc.cwnd = 100 * smss;
    cc.ssthresh = 0;  // congestion avoidance
    Instant now{};
    cc.on_congestion(cc.cwnd, smss);
    cc.cwnd = cc.ssthresh;  // what recovery leaves
    EXPECT_EQ(cc.cwnd, 70u * smss);
    EXPECT_DOUBLE_EQ(cc.w_max, 100.0 * smss);
    Duration rtt = Duration::from_ms(100);
    auto w = ack_clock(cc, now, rtt, 85);  // 8.5 s
    const double K = std::cbrt(100 * 0.3 / 0.4);
    size_t at_k = size_t(K / 0.1);
    EXPECT_NEAR(w[at_k], 100.0, 4.0) << "back at W_max after K seconds";
    // Concave before K (fast first, slow near W_max), convex after.
    double first_second = w[9] - 70, last_second_before_k = w[at_k] - w[at_k - 10];
    EXPECT_GT(first_second, 2 * last_second_before_k);
    EXPECT_NEAR(w[2 * at_k], 100 + 0.4 * K * K * K, 6.0) << "W_max + C K^3 at t = 2K";
    // NewReno from the same loss would be at 50 + 42 = 92 segments after 4.2 s.
    CongestionControl reno;
    reno.algo = CcAlgo::NewReno;
    reno.cwnd = 100 * smss;
    reno.ssthresh = 0;
    reno.on_congestion(reno.cwnd, smss);
    reno.cwnd = reno.ssthresh;
    Instant t2{};
    auto r = ack_clock(reno, t2, rtt, 85);
    EXPECT_NEAR(r[at_k], 50 + at_k, 2.0);
    EXPECT_GT(w[at_k], r[at_k] + 5) << "CUBIC is back at W_max while NewReno is still below it";
}

// RFC 9438 4.7 fast convergence: a second loss below the previous W_max remembers less, so the
// flow gives way to newer ones; and 4.3: at a short RTT the window is never below what the
// Reno-friendly estimate gives.
TEST(Congestion, CubicFastConvergenceAndRenoFriendlyFloor) {
    CongestionControl cc;
    cc.algo = CcAlgo::Cubic;
    const uint32_t smss = 1000;
    cc.cwnd = 100 * smss;
    cc.ssthresh = 0;
    cc.on_congestion(cc.cwnd, smss);
    cc.cwnd = cc.ssthresh;
    cc.on_congestion(cc.cwnd, smss);  // again, at 70 < W_max 100
    EXPECT_DOUBLE_EQ(cc.w_max, 70.0 * smss * (1 + 0.7) / 2);
    cc.cwnd = cc.ssthresh;
    Instant now{};
    auto w = ack_clock(cc, now, Duration::from_ms(1), 300);  // 0.3 s at 1 ms RTT
    // Reno-friendly: 49 segments + 0.53 segment per RTT (alpha until W_max, then 1).
    EXPECT_GE(w.back(), 49 + 0.5 * 300 - 5);
    EXPECT_EQ(cc.reductions, 2u);
}

TEST(Congestion, AlgorithmNames) {
    EXPECT_EQ(cc_algo_from("cubic"), CcAlgo::Cubic);
    EXPECT_EQ(cc_algo_from("reno"), CcAlgo::NewReno);
    EXPECT_EQ(cc_algo_from("newreno"), CcAlgo::NewReno);
    EXPECT_FALSE(cc_algo_from("bbr"));
    EXPECT_STREQ(to_string(CcAlgo::Cubic), "cubic");
    EXPECT_EQ(TcpConfig{}.congestion, CcAlgo::Cubic) << "CUBIC by default, as Linux";
}

// RFC 6937 PRR: during SACK recovery the sender sends about ssthresh / RecoverFS (here 1/2) of
// what each ACK reports delivered, from the first duplicate on, instead of RFC 6675's silence
// until pipe falls below ssthresh followed by one segment per ACK; and the window ends at
// ssthresh when the recovery does.
TEST_F(Tcp, PrrSpreadsTransmissionsOverTheRecovery) {
    cfg.rack = false;  // RFC 6675's duplicate-ACK rules alone (RACK has its own tests)
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 20;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1460, 65535, peer);
    send_bytes(40 * 1460);
    ASSERT_EQ(out().size(), 20u);  // segments 0..19 in flight, 20 more waiting
    // Segment 0 is lost; each later one arrives and is SACKed.
    std::vector<size_t> sent_after;  // new segments sent after each duplicate ACK
    for (int k = 1; k < 20; ++k) {
        in(sack_seg(0, {{1, uint32_t(k + 1)}}, 1460));
        size_t n = 0;
        for (auto& s : out())
            if (s.r.seq != iss + 1) ++n;  // not the retransmission of segment 0
        sent_after.push_back(n);
    }
    EXPECT_EQ(sock->counters().sack_recoveries, 1u);
    size_t total = 0;
    for (size_t n : sent_after) total += n;
    // Limited transmit (RFC 3042) on the first two duplicates: one new segment each (the bound is
    // on FlightSize, so the SACKed segments do not count as gone as well); recovery starts at the
    // third with 22 segments out (RecoverFS) and ssthresh 11; then 17 ACKs: PRR sends one segment
    // for about every second one delivered, beginning in the first half of the recovery (RFC 6675
    // alone would wait until pipe fell below ssthresh).
    size_t during = total - sent_after[0] - sent_after[1], early = 0;
    for (size_t i = 2; i < 11; ++i) early += sent_after[i];
    EXPECT_EQ(sent_after[0], 1u);
    EXPECT_EQ(sent_after[1], 1u);
    EXPECT_GE(during, 6u);
    EXPECT_LE(during, 9u);
    EXPECT_GE(early, 3u);
    EXPECT_LE(*std::max_element(sent_after.begin() + 2, sent_after.end()), 1u) << "no bursts";
    EXPECT_GT(sock->counters().prr_updates, 0u);
    in(seg(A, 1, 1 + 22 * 1460));  // the retransmission arrives: ACK at the recovery point
    EXPECT_FALSE(sock->info().in_recovery);
    EXPECT_EQ(sock->cwnd(), sock->ssthresh());
}

// RFC 8985 section 7 (Tail Loss Probe): the last segment of a flight is lost and no more data
// follows, so no duplicate ACK can come. Instead of waiting for the RTO, the sender probes after
// PTO = max(2 SRTT, 1.5 SRTT + 200 ms) (one segment outstanding) by sending the last segment
// again; its ACK repairs the loss (counted, with the congestion response) and no RTO expires.
TEST_F(Tcp, TailLossProbeRepairsALostLastSegmentWithoutAnRto) {
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 10;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1000, 65535, peer);
    ASSERT_EQ(send_bytes(1000), 1000);
    ASSERT_EQ(out().size(), 1u);
    advance(Duration::from_ms(10));
    in(seg(A, 1, 1001));  // an RTT sample: SRTT 10 ms
    ASSERT_EQ(send_bytes(4000), 4000);
    ASSERT_EQ(out().size(), 4u);
    advance(Duration::from_ms(10));
    in(seg(A, 1, 4001));  // three of the four arrive; the last is lost
    Instant acked_at = now();
    Duration srtt = sock->rtt().srtt();
    Duration pto = std::max(srtt * 2, Duration{srtt.ns * 3 / 2} + Duration::from_ms(200));
    auto o = run_until(now() + Duration::from_ms(500));  // well before the 1 s RTO
    ASSERT_EQ(o.size(), 1u) << describe(o);
    EXPECT_EQ(o[0].r.seq, iss + 4001) << describe(o);
    EXPECT_EQ(o[0].len(), 1000u);
    EXPECT_EQ(o[0].at - acked_at, pto) << "max(2 SRTT, 1.5 SRTT + the worst-case delayed ACK)";
    EXPECT_EQ(sock->counters().tlp_probes, 1u);
    in(seg(A, 1, 5001));
    EXPECT_TRUE(run_until(now() + Duration::from_s(3)).empty());
    EXPECT_EQ(sock->counters().tlp_recoveries, 1u) << "the probe repaired a loss: congestion response";
    EXPECT_EQ(sock->counters().rto_expirations, 0u);
    EXPECT_EQ(sock->send_queue(), 0u);
}

// RFC 8985 RACK: a retransmission that is lost again is found by time (a range sent after it
// was delivered, and RACK.rtt has passed), and sent a third time at once, where RFC 6675's
// duplicate-ACK rules can only wait for the RTO. The first loss is found from the first SACK.
TEST_F(Tcp, RackFindsALostRetransmissionWithoutAnRto) {
    cfg.rack = true;  // opt-in (TcpConfig::rack)
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 20;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1000, 65535, peer);
    ASSERT_EQ(send_bytes(40000), 40000);
    auto first = out();
    ASSERT_EQ(first.size(), 20u);
    auto sack_ack = [&](uint32_t ack_segs, uint32_t sack_from, uint32_t sack_to) {  // in segments
        in(sack_seg(ack_segs, {{sack_from, sack_to}}, 1000));
        return out();
    };
    auto count_seg1 = [&](const std::vector<Sent>& v) {
        size_t n = 0;
        for (auto& s : v) n += s.r.seq == iss + 1001;
        return n;
    };
    advance(Duration::from_ms(10));
    in(seg(A, 1, 1001));  // segment 0 arrives; segment 1 is lost
    out();
    size_t rexmits = count_seg1(sack_ack(1, 2, 3));  // the first SACK: RACK marks segment 1 lost
    EXPECT_EQ(rexmits, 1u) << "recovery from the first SACK";
    EXPECT_EQ(sock->counters().rack_losses, 1u);
    std::vector<Sent> during;
    for (uint32_t k = 4; k <= 20; ++k) {
        auto o = sack_ack(1, 2, k);
        during.insert(during.end(), o.begin(), o.end());
    }
    ASSERT_FALSE(during.empty()) << "PRR sends new data during the recovery";
    EXPECT_EQ(count_seg1(during), 0u);
    // The retransmission of segment 1 is lost; the new data sent with it arrives one RTT later.
    advance(Duration::from_ms(10));
    auto o = sack_ack(1, 2, 21);
    EXPECT_EQ(count_seg1(o), 1u) << "the lost retransmission is found and sent again\n" << describe(o);
    EXPECT_GE(sock->counters().rack_losses, 2u);
    in(seg(A, 1, 1 + 21 * 1000));
    EXPECT_EQ(sock->counters().rto_expirations, 0u);
}

// RFC 8985 marks loss per range: when a retransmission is found lost again, that range is sent
// again and nothing else. Retransmissions of other ranges still in flight (sent after the
// delivered data, so not deemed lost) are not repeated. (An "everything unSACKed below the
// highest lost mark" edge resent them all: ~500 retransmissions for ~45 losses in
// `nicsim bulk --loss 0.01 --ber 2e-6 --seed 3`.)
TEST_F(Tcp, RackResendsOnlyTheRangeFoundLostAgain) {
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 20;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1000, 65535, peer);
    ASSERT_EQ(send_bytes(60000), 60000);
    ASSERT_EQ(out().size(), 20u);
    std::vector<Sent> all;
    // Blocks in segments [from, to); the cumulative ACK stays at segment 1.
    auto sack_ack = [&](std::vector<std::pair<uint32_t, uint32_t>> blocks) {
        in(sack_seg(1, blocks, 1000));
        auto o = out();
        all.insert(all.end(), o.begin(), o.end());
        return o;
    };
    auto sent_of = [&](uint32_t segno, Instant from) {
        size_t n = 0;
        for (auto& s : all) n += s.r.seq == iss + 1 + segno * 1000 && s.at >= from;
        return n;
    };
    advance(Duration::from_ms(10));
    Instant t10 = now();
    in(seg(A, 1, 1001));  // segment 0 arrives (slow start sends 20 and 21); 1 and 5 are lost
    all = out();
    sack_ack({{2, 3}});
    sack_ack({{2, 4}});
    sack_ack({{2, 5}});
    ASSERT_EQ(sent_of(1, t10), 1u) << "segment 1 retransmitted at 10 ms\n" << describe(all);
    size_t sent_at_10 = all.size();
    advance(Duration::from_ms(1));
    Instant t11 = now();
    for (uint32_t k = 7; k <= 12; ++k) sack_ack({{2, 5}, {6, k}});
    ASSERT_EQ(sent_of(5, t11), 1u) << "segment 5 retransmitted at 11 ms\n" << describe(all);
    // The retransmission of segment 1 is lost; data sent with it at 10 ms arrives at 20 ms.
    uint32_t last_at_10 = 0;
    for (size_t i = 0; i < sent_at_10; ++i)
        if (all[i].r.seq > iss + 1 + 19 * 1000) last_at_10 = std::max(last_at_10, seq_len(iss + 1, all[i].r.seq) / 1000 + 1);
    ASSERT_GT(last_at_10, 20u) << "new data went out at 10 ms\n" << describe(all);
    advance(Duration::from_ms(9));
    Instant t20 = now();
    for (int i = 0; i < 4; ++i) sack_ack({{2, 5}, {6, last_at_10}});
    EXPECT_EQ(sent_of(1, t20), 1u) << "the lost retransmission is sent again\n" << describe(all);
    EXPECT_EQ(sent_of(5, t20), 0u) << "segment 5's retransmission (11 ms) is in flight, not lost\n" << describe(all);
    EXPECT_EQ(sock->counters().rto_expirations, 0u);
}

// RFC 8985 6.2: RACK compares transmission times, not sequence numbers. The last segment (with
// the FIN) is lost while a hole below it is being repaired; when the retransmission of the hole,
// sent after that last segment, is acknowledged, the last segment is deemed lost and sent again at
// once: no probe runs during recovery, so anything else waits for the RTO.
TEST_F(Tcp, RackFindsALostTailSegmentSentBeforeADeliveredRetransmission) {
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 10;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1000, 65535, peer);
    ASSERT_EQ(send_bytes(1000), 1000);
    out();
    advance(Duration::from_ms(10));
    in(seg(A, 1, 1001));  // an RTT sample: SRTT 10 ms
    ASSERT_EQ(send_bytes(8000), 8000);
    sock->close(now());
    auto o = out();
    ASSERT_EQ(o.size(), 8u) << describe(o);
    ASSERT_TRUE(o.back().r.flags.fin()) << describe(o);
    // Segment 3 (from 3001) and the last one with the FIN are lost; 4..7 arrive and are SACKed.
    advance(Duration::from_ms(1));
    in(seg(A, 1, 3001));
    std::vector<Sent> rexmit;
    for (uint32_t k = 5; k <= 8; ++k) {
        in(sack_seg(3, {{4, k}}, 1000));
        auto x = out();
        rexmit.insert(rexmit.end(), x.begin(), x.end());
    }
    ASSERT_EQ(rexmit.size(), 1u) << describe(rexmit);
    ASSERT_EQ(rexmit[0].r.seq, iss + 3001) << describe(rexmit);
    ASSERT_TRUE(sock->info().in_recovery);
    // The retransmission arrives: the ACK covers everything up to the lost last segment.
    advance(Duration::from_ms(10));
    in(seg(A, 1, 8001));
    auto tail = out();
    ASSERT_EQ(tail.size(), 1u) << "the lost last segment is sent again at once\n" << describe(tail);
    EXPECT_EQ(tail[0].r.seq, iss + 8001);
    EXPECT_TRUE(tail[0].r.flags.fin());
    EXPECT_EQ(sock->counters().rto_expirations, 0u);
}
