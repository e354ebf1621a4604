// Segment-level tests of TcpSocket on a virtual clock: for each behaviour, the exact segments that
// go out and when. The fixture (tcp_fixture.h) plays the peer. Unless a test turns them on, the
// options are off (no timestamps, SACK or window scale), MSS 1460, receive buffer 65535, ISS 1000
// (ours) and 5000 (the peer's); seg(flags, seq_off, ack_off, ...) is relative to those.
#include "tcp_fixture.h"

#include <cerrno>

using namespace nic;
using namespace nic::test;

namespace {

using Tcp = TcpFixture;

// ---- handshake and states (RFC 9293 3.5, 3.6, 3.10)

TEST_F(Tcp, ActiveOpenSendsSynThenAckOnSynAck) {
    sock = std::make_unique<TcpSocket>(cfg);
    ASSERT_EQ(sock->connect(now(), local, remote, iss), 0);
    EXPECT_EQ(sock->state(), TcpState::SynSent);
    auto o = out();
    ASSERT_EQ(o.size(), 1u) << describe(o);
    EXPECT_EQ(o[0].r.flags.bits, S);
    EXPECT_EQ(o[0].r.seq, iss);
    EXPECT_EQ(o[0].r.options.mss, 1460);
    EXPECT_FALSE(o[0].r.options.wscale);
    EXPECT_FALSE(o[0].r.options.sack_permitted);
    EXPECT_FALSE(o[0].r.options.ts);
    EXPECT_EQ(o[0].r.window, 65535);
    EXPECT_TRUE(out().empty());
    EXPECT_EQ(sock->connect(now(), local, remote, iss), -EALREADY);
    TcpRepr sa = seg(S | A, 0, 1);
    sa.options.mss = 1460;
    in(sa);
    EXPECT_EQ(sock->state(), TcpState::Established);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(o[0].r.ack, irs + 1);
    EXPECT_EQ(sock->connect(now(), local, remote, iss), -EISCONN);
}

TEST_F(Tcp, SynCarriesAllOptionsWhenEnabledAndNegotiates) {
    cfg.timestamps = cfg.sack = cfg.window_scale = true;
    cfg.rcvbuf = 256 * 1024;
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.options.mss, 1460);
    EXPECT_EQ(o[0].r.options.wscale, 3);  // 256 KiB >> 3 fits 16 bits (RFC 7323 2.3)
    EXPECT_TRUE(o[0].r.options.sack_permitted);
    ASSERT_TRUE(o[0].r.options.ts);
    EXPECT_EQ(o[0].r.options.ts->ecr, 0u);
    uint32_t our_tsval = o[0].r.options.ts->val;
    TcpRepr sa = seg(S | A, 0, 1, 1000);
    sa.options.mss = 1400;
    sa.options.wscale = 2;
    sa.options.sack_permitted = true;
    sa.options.ts = TcpTimestamp{777, our_tsval};
    in(sa);
    auto info = sock->info();
    EXPECT_TRUE(info.sack);
    EXPECT_TRUE(info.timestamps);
    EXPECT_EQ(info.snd_wscale, 2);
    EXPECT_EQ(info.rcv_wscale, 3);
    EXPECT_EQ(info.snd_wnd, 1000u);      // RFC 7323 2.2: the SYN's window is not scaled
    EXPECT_EQ(sock->mss(), 1400 - 12);   // RFC 6691: the timestamp option comes out of the MSS
    o = out();
    ASSERT_EQ(o.size(), 1u);
    ASSERT_TRUE(o[0].r.options.ts);
    EXPECT_EQ(o[0].r.options.ts->ecr, 777u);
    EXPECT_EQ(o[0].r.window, 32768);     // 256 KiB >> 3
    TcpRepr ack = seg(A, 1, 1, 1000);
    ack.options.ts = TcpTimestamp{778, our_tsval};
    in(ack);
    EXPECT_EQ(sock->info().snd_wnd, 4000u);  // now scaled by 2^2
}

// The send MSS never exceeds what the peer announced, however small (the old floor of 64 bytes
// sent 64-byte segments to a peer that asked for 40); an MSS option of 0 counts as absent.
TEST_F(Tcp, SendMssNeverExceedsThePeersAnnouncement) {
    for (uint16_t peer : {40, 63, 64, 100}) {
        establish(peer);
        EXPECT_EQ(sock->mss(), peer);
        sock->set_nodelay(true);
        ASSERT_EQ(send_bytes(1000), 1000);
        size_t total = 0;
        for (int round = 0; round < 50 && total < 1000; ++round) {
            auto o = out();
            for (const auto& s : o) {
                EXPECT_LE(s.len(), peer) << "peer MSS " << peer;
                total += s.len();
            }
            if (!o.empty()) in(seg(A, 1, 1 + uint32_t(total)));
        }
        EXPECT_EQ(total, 1000u) << "peer MSS " << peer;
    }
    establish(0);
    EXPECT_EQ(sock->mss(), 536) << "MSS 0: as if absent";
}

TEST_F(Tcp, MssClampedToRouteMtuAndDefaultsTo536) {
    cfg.mtu = 1000;
    establish(1460);
    EXPECT_EQ(sock->mss(), 960);
    cfg.mtu = 1500;
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    in(seg(S | A, 0, 1));  // no MSS option: RFC 9293 3.7.1 says 536
    EXPECT_EQ(sock->mss(), 536);
    out();
    sock->set_nodelay(true);
    send_bytes(1000);
    auto o = out();
    ASSERT_EQ(o.size(), 2u);
    EXPECT_EQ(o[0].len(), 536u);
    EXPECT_EQ(o[1].len(), 464u);
}

TEST_F(Tcp, PassiveOpenThroughListener) {
    IsnGenerator isn(7);
    TcpListener l(cfg, Endpoint{kLocalIp, 80}, 4, &isn);
    TcpRepr syn;
    syn.src_port = 5555;
    syn.dst_port = 80;
    syn.seq = irs;
    syn.flags = TcpFlags(S);
    syn.window = 65535;
    syn.options.mss = 1200;
    EXPECT_EQ(l.on_segment(now(), kRemoteIp, kLocalIp, syn), nullptr);
    auto sa = l.poll_transmit(now());
    ASSERT_TRUE(sa);
    EXPECT_EQ(sa->repr.flags.bits, S | A);
    EXPECT_EQ(sa->repr.ack, irs + 1);
    EXPECT_EQ(sa->src, kLocalIp);
    EXPECT_EQ(sa->dst, kRemoteIp);
    EXPECT_EQ(sa->repr.options.mss, 1460);
    EXPECT_FALSE(l.poll_transmit(now()));
    EXPECT_EQ(l.syn_queue_len(), 1u);
    TcpRepr ack = syn;
    ack.flags = TcpFlags(A);
    ack.seq = irs + 1;
    ack.ack = sa->repr.seq + 1;
    auto s = l.on_segment(now(), kRemoteIp, kLocalIp, ack);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state(), TcpState::Established);
    EXPECT_EQ(s->mss(), 1200);
    EXPECT_EQ(l.syn_queue_len(), 0u);
    EXPECT_EQ(l.accept(), s);
    EXPECT_EQ(l.accept(), nullptr);
}

TEST_F(Tcp, SynSentRstWithAcceptableAckIsConnectionRefused) {
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    in(seg(R | A, 0, 5));  // unacceptable ACK: ignored (RFC 9293 3.10.7.3, RFC 5961 3.2)
    EXPECT_EQ(sock->state(), TcpState::SynSent);
    in(seg(R | A, 0, 1));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    uint8_t b[10];
    EXPECT_EQ(sock->recv(now(), MutBytes(b, 10)), -ECONNREFUSED);
    EXPECT_EQ(sock->send(now(), ConstBytes(b, 10)), -EPIPE);
    EXPECT_TRUE(out().empty());
}

TEST_F(Tcp, SynSentUnacceptableAckGetsReset) {
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    in(seg(A, 0, 100));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, R);
    EXPECT_EQ(o[0].r.seq, iss + 100);  // <SEQ=SEG.ACK><CTL=RST>
    EXPECT_EQ(sock->state(), TcpState::SynSent);
}

TEST_F(Tcp, SimultaneousOpen) {
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    TcpRepr syn = seg(S, 0, 0);
    syn.ack = SeqNum(0);
    syn.options.mss = 1460;
    in(syn);
    EXPECT_EQ(sock->state(), TcpState::SynReceived);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, S | A);
    EXPECT_EQ(o[0].r.seq, iss);
    EXPECT_EQ(o[0].r.ack, irs + 1);
    TcpRepr sa = seg(S | A, 0, 1);
    sa.options.mss = 1460;
    in(sa);  // the peer's SYN-ACK (figure 8 of RFC 9293)
    EXPECT_EQ(sock->state(), TcpState::Established);
    EXPECT_TRUE(out().empty());
}

TEST_F(Tcp, ActiveCloseFinWait1FinWait2TimeWaitClosed) {
    cfg.msl = Duration::from_s(10);  // TIME-WAIT = 2 MSL = 20 s (configurable)
    establish();
    sock->close(now());
    EXPECT_EQ(sock->state(), TcpState::FinWait1);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A);
    EXPECT_EQ(o[0].r.seq, iss + 1);
    in(seg(A, 1, 2));
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
    in(seg(F | A, 1, 2));
    EXPECT_EQ(sock->state(), TcpState::TimeWait);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[0].r.ack, irs + 2);
    EXPECT_EQ(sock->next_deadline(), now() + Duration::from_s(20));
    advance(Duration::from_s(15));
    in(seg(F | A, 1, 2));  // the peer retransmits its FIN: ACK it and restart 2 MSL
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2);
    EXPECT_EQ(sock->next_deadline(), now() + Duration::from_s(20));
    advance(Duration::from_s(20) - Duration::from_ns(1));
    out();
    EXPECT_EQ(sock->state(), TcpState::TimeWait);
    advance(Duration::from_ns(1));
    EXPECT_TRUE(out().empty());
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), 0);
}

TEST_F(Tcp, PassiveCloseCloseWaitLastAck) {
    establish();
    in(seg(F | A, 1, 1));
    EXPECT_EQ(sock->state(), TcpState::CloseWait);
    auto o = out();  // the FIN is acknowledged at once
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[0].r.ack, irs + 2);
    uint8_t b[4];
    EXPECT_EQ(sock->recv(now(), MutBytes(b, 4)), 0);  // end of stream
    EXPECT_EQ(send_bytes(10), 10);                     // CLOSE-WAIT may still send
    sock->close(now());
    EXPECT_EQ(sock->state(), TcpState::LastAck);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A | P);  // the data and the FIN together
    EXPECT_EQ(o[0].len(), 10u);
    in(seg(A, 2, 12));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), 0);
}

TEST_F(Tcp, SimultaneousCloseGoesThroughClosing) {
    establish();
    sock->close(now());
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A);
    in(seg(F | A, 1, 1));  // the peer's FIN crossed ours
    EXPECT_EQ(sock->state(), TcpState::Closing);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2);
    in(seg(A, 2, 2));
    EXPECT_EQ(sock->state(), TcpState::TimeWait);
}

TEST_F(Tcp, HalfCloseKeepsReceiving) {
    establish();
    sock->shutdown(now(), false, true);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, F | A);
    EXPECT_EQ(send_bytes(5), -EPIPE);
    in(seg(A, 1, 2));
    EXPECT_EQ(sock->state(), TcpState::FinWait2);
    in(seg(A | P, 1, 2, 65535, 300));
    EXPECT_EQ(read_all().size(), 300u);
    in(seg(F | A, 301, 2));
    EXPECT_EQ(sock->state(), TcpState::TimeWait);
}

TEST_F(Tcp, CloseWithUnreadDataResets) {
    establish();
    in(seg(A, 1, 1, 65535, 100));
    out();
    sock->close(now());
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, R);  // RFC 2525 2.17
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(sock->state(), TcpState::Closed);
}

TEST_F(Tcp, AbortSendsRst) {
    establish();
    send_bytes(100);
    out();
    sock->abort(now());
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.flags.bits, R);
    EXPECT_EQ(o[0].r.seq, iss + 101);  // RFC 9293 3.10.5: <SEQ=SND.NXT>
    EXPECT_EQ(sock->state(), TcpState::Closed);
}

TEST_F(Tcp, PeerResetIsConnectionReset) {
    establish();
    in(seg(R, 1, 0));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    uint8_t b[4];
    EXPECT_EQ(sock->recv(now(), MutBytes(b, 4)), -ECONNRESET);
    EXPECT_EQ(sock->error(), ECONNRESET);
}

// ---- sending: MSS segmentation, Nagle, cork (RFC 1122 4.2.3.4, RFC 896)

TEST_F(Tcp, SegmentsAtMssWithNodelay) {
    cfg.nodelay = true;
    establish();
    EXPECT_EQ(send_bytes(4000), 4000);
    auto o = out();
    ASSERT_EQ(o.size(), 3u) << describe(o);
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(o[0].len(), 1460u);
    EXPECT_EQ(o[1].r.seq, iss + 1461);
    EXPECT_EQ(o[1].len(), 1460u);
    EXPECT_EQ(o[2].r.seq, iss + 2921);
    EXPECT_EQ(o[2].len(), 1080u);
    EXPECT_EQ(o[0].r.flags.bits, A);
    EXPECT_EQ(o[2].r.flags.bits, A | P);  // the last segment empties the buffer: PSH
    EXPECT_EQ(o[2].data[0], uint8_t(2920));
    EXPECT_EQ(sock->counters().writes, 1u);
    EXPECT_EQ(sock->counters().data_segs_out, 3u);
}

TEST_F(Tcp, NodelaySendsSmallSegmentsAtOnce) {
    cfg.nodelay = true;
    establish();
    send_bytes(100);
    send_bytes(0);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    send_bytes(100);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.seq, iss + 101);
}

TEST_F(Tcp, CorkHoldsPartialSegmentsUntilUncorked) {
    cfg.nodelay = true;
    establish();
    sock->set_cork(true);
    send_bytes(100);
    EXPECT_TRUE(out().empty());
    send_bytes(1400);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].len(), 1460u);
    EXPECT_TRUE(out().empty());
    sock->set_cork(false);
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].len(), 40u);
}

// ---- receiving: delayed ACK, immediate ACKs, piggybacking (RFC 1122 4.2.3.2, RFC 5681 4.2)

TEST_F(Tcp, DelayedAckTimerIsConfigurable) {
    cfg.ack_delay = Duration::from_ms(200);
    establish();
    in(seg(A, 1, 1, 65535, 10));
    EXPECT_EQ(sock->next_deadline(), now() + Duration::from_ms(200));
}

TEST_F(Tcp, AckEverySecondFullSegment) {
    establish();
    in(seg(A, 1, 1, 65535, 1460));
    EXPECT_TRUE(out().empty());
    in(seg(A, 1461, 1, 65535, 1460));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2921);
    EXPECT_EQ(sock->counters().delayed_acks_saved, 1u);
    EXPECT_EQ(sock->counters().delayed_ack_fired, 0u);
}

TEST_F(Tcp, DelayedAckSwitchedOffAcksEverySegment) {
    establish();
    sock->set_delayed_ack(false);
    in(seg(A, 1, 1, 65535, 100));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 101);
}

TEST_F(Tcp, OutOfOrderGetsImmediateDupAckAndGapFillImmediateAck) {
    cfg.sack = true;
    sock.reset();
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1460, 65535, peer);
    in(seg(A, 1461, 1, 65535, 1460));  // a hole at [1, 1461)
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 1);  // duplicate ACK, immediately
    ASSERT_EQ(o[0].r.options.sack_count, 1u);
    EXPECT_EQ(o[0].r.options.sack[0], (SackBlock{irs + 1461, irs + 2921}));
    in(seg(A, 4381, 1, 65535, 1460));  // another hole; the first SACK block is the newest (RFC 2018 4)
    o = out();
    ASSERT_EQ(o.size(), 1u);
    ASSERT_EQ(o[0].r.options.sack_count, 2u);
    EXPECT_EQ(o[0].r.options.sack[0], (SackBlock{irs + 4381, irs + 5841}));
    EXPECT_EQ(o[0].r.options.sack[1], (SackBlock{irs + 1461, irs + 2921}));
    in(seg(A, 1, 1, 65535, 1460));  // fills the first hole: ACK at once
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2921);
    ASSERT_EQ(o[0].r.options.sack_count, 1u);
    auto data = read_all();
    ASSERT_EQ(data.size(), 2920u);
    for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(data[i], uint8_t(1 + i)) << i;
    EXPECT_EQ(sock->counters().ooo_segs_in, 2u);
}

TEST_F(Tcp, AckAndDataPiggybackedAndOnlyLatestAckSent) {
    establish();
    in(seg(A, 1, 1, 65535, 500));
    in(seg(A, 501, 1, 65535, 300));
    EXPECT_EQ(sock->counters().pure_acks_out, 1u);  // the handshake's
    send_bytes(200);
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].len(), 200u);
    EXPECT_EQ(o[0].r.ack, irs + 801);  // the latest ACK only, on the data
    EXPECT_EQ(sock->counters().piggybacked_acks, 1u);
    advance(Duration::from_ms(100));
    EXPECT_TRUE(out().empty());  // nothing left to acknowledge separately
    EXPECT_EQ(sock->counters().pure_acks_out, 1u);
}

// ---- retransmission (RFC 6298), Karn, backoff, giving up (RFC 1122 4.2.3.5)

TEST(TcpRto, ValuesAcrossSamples) {
    RttConfig c;
    c.min_rto = Duration::from_ms(1);
    RttEstimator e(c);
    EXPECT_EQ(e.rto(), Duration::from_s(1));  // RFC 6298 2.1
    e.sample(Duration::from_ms(100));          // SRTT 100, RTTVAR 50
    EXPECT_EQ(e.rto(), Duration::from_ms(300));
    e.sample(Duration::from_ms(100));          // RTTVAR 37.5
    EXPECT_EQ(e.rto(), Duration::from_ms(250));
    e.sample(Duration::from_ms(300));          // RTTVAR 78.125, SRTT 125
    EXPECT_EQ(e.srtt(), Duration::from_ms(125));
    EXPECT_EQ(e.rttvar(), Duration::from_us(78125));
    EXPECT_EQ(e.rto(), Duration::from_us(437500));
    e.sample(Duration::from_ms(50));           // RTTVAR 77.34375, SRTT 115.625
    EXPECT_EQ(e.rto(), Duration::from_ms(425));
    RttEstimator d;  // defaults: 1 s floor (RFC 6298 2.4), 120 s ceiling
    d.sample(Duration::from_ms(100));
    EXPECT_EQ(d.rto(), Duration::from_s(1));
    d.sample(Duration::from_s(200));
    EXPECT_EQ(d.rto(), Duration::from_s(120));
    RttEstimator g(c);  // a zero RTT: the clock granularity G = 1 ms is the variance term
    g.sample(Duration{0});
    EXPECT_EQ(g.rto(), Duration::from_ms(1));
}

TEST_F(Tcp, RttSampledFromTimedSegment) {
    cfg.rtt.min_rto = Duration::from_ms(1);
    establish();  // SYN round trip of 0: SRTT 0
    send_bytes(100);
    out();
    advance(Duration::from_ms(80));
    in(seg(A, 1, 101));
    // RFC 6298 2.3: RTTVAR = (3*0 + 80)/4 = 20, SRTT = 80/8 = 10, RTO = 10 + 80 = 90 ms
    EXPECT_EQ(sock->rtt().srtt(), Duration::from_ms(10));
    EXPECT_EQ(sock->rtt().rttvar(), Duration::from_ms(20));
    EXPECT_EQ(sock->current_rto(), Duration::from_ms(90));
    EXPECT_EQ(sock->counters().rtt_samples, 2u);
}

TEST_F(Tcp, KarnNoSampleFromRetransmittedSegmentAndBackoffKept) {
    establish();
    EXPECT_EQ(sock->counters().rtt_samples, 1u);
    send_bytes(100);
    out();
    advance(Duration::from_s(1));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);  // RTO: retransmission
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(sock->current_rto(), Duration::from_s(2));
    advance(Duration::from_ms(500));
    in(seg(A, 1, 101));
    EXPECT_EQ(sock->counters().rtt_samples, 1u);          // Karn: ambiguous, not sampled
    EXPECT_EQ(sock->current_rto(), Duration::from_s(2));  // RFC 6298 5.7: backoff kept
    send_bytes(100);
    out();
    advance(Duration::from_ms(100));
    in(seg(A, 1, 201));
    EXPECT_EQ(sock->counters().rtt_samples, 2u);
    EXPECT_EQ(sock->current_rto(), Duration::from_s(1));
}

TEST_F(Tcp, TimestampRttSampleSurvivesRetransmission) {
    cfg.timestamps = true;
    cfg.rtt.min_rto = Duration::from_ms(1);
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    auto o = out();
    TcpRepr sa = seg(S | A, 0, 1);
    sa.options.mss = 1460;
    sa.options.ts = TcpTimestamp{100, o[0].r.options.ts->val};
    advance(Duration::from_ms(30));
    in(sa);
    EXPECT_EQ(sock->rtt().srtt(), Duration::from_ms(30));  // RFC 7323 4.1: from TSecr
    out();
}

TEST_F(Tcp, ExponentialBackoffCappedAtMaxRto) {
    establish();
    Instant t0 = now();
    send_bytes(100);
    auto o = run_until(t0 + Duration::from_s(400));
    std::vector<double> at;
    for (auto& s : o) at.push_back((s.at - t0).to_s());
    // RFC 6298 5.5: doubling from 1 s; then the 120 s ceiling (2.5; Linux's TCP_RTO_MAX).
    std::vector<double> want{0, 1, 3, 7, 15, 31, 63, 127, 247, 367};
    EXPECT_EQ(at, want);
    EXPECT_EQ(sock->info().backoff, 9u);
}

TEST_F(Tcp, GivesUpAfterExactly15RetransmissionsWithEtimedout) {
    establish();
    Instant t0 = now();
    send_bytes(100);
    auto o = run_until(t0 + Duration::from_s(3600));
    ASSERT_EQ(o.size(), 16u) << describe(o);  // the original and 15 retransmissions (Linux tcp_retries2)
    EXPECT_EQ(sock->counters().retrans_segs, 15u);
    EXPECT_EQ(o[15].at - t0, Duration::from_s(1087));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ETIMEDOUT);
    uint8_t b[4];
    EXPECT_EQ(sock->recv(now(), MutBytes(b, 4)), -ETIMEDOUT);
}

TEST_F(Tcp, SynGivesUpAfter6RetransmissionsAt127s) {
    sock = std::make_unique<TcpSocket>(cfg);
    Instant t0 = now();
    sock->connect(now(), local, remote, iss);
    std::vector<Sent> o;
    Instant closed_at{};
    while (sock->state() != TcpState::Closed && now() < t0 + Duration::from_s(1000)) {
        auto x = out();
        o.insert(o.end(), x.begin(), x.end());
        if (sock->state() == TcpState::Closed) break;
        advance_to(sock->next_deadline());
        closed_at = now();
        x = out();
        o.insert(o.end(), x.begin(), x.end());
    }
    ASSERT_EQ(o.size(), 7u);
    for (auto& s : o) EXPECT_EQ(s.r.flags.bits, S);
    EXPECT_EQ((closed_at - t0).to_s(), 127.0);  // as Linux: 1+2+4+8+16+32+64
    EXPECT_EQ(sock->error(), ETIMEDOUT);
}

// SYN-RECEIVED (here from a simultaneous open) retransmits its SYN-ACK synack_retries times, not
// syn_retries, then gives up with ETIMEDOUT.
TEST_F(Tcp, SynReceivedGivesUpAfterTheSynAckRetryCount) {
    cfg.synack_retries = 2;
    cfg.syn_retries = 6;
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    TcpRepr syn = seg(S, 0, 0);
    syn.ack = SeqNum(0);
    syn.options.mss = 1460;
    in(syn);
    ASSERT_EQ(sock->state(), TcpState::SynReceived);
    size_t synacks = 0;
    for (int i = 0; i < 20 && sock->state() != TcpState::Closed; ++i) {
        for (auto& s : out()) synacks += s.r.flags.bits == (S | A);
        advance_to(sock->next_deadline());
    }
    for (auto& s : out()) synacks += s.r.flags.bits == (S | A);
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(synacks, 1u + 2u) << "the first SYN-ACK and synack_retries retransmissions";
    EXPECT_EQ(sock->error(), ETIMEDOUT);
}

TEST_F(Tcp, SoftIcmpErrorReportedInsteadOfTimeout) {
    cfg.syn_retries = 1;
    sock = std::make_unique<TcpSocket>(cfg);
    sock->connect(now(), local, remote, iss);
    out();
    sock->on_icmp_error(now(), EHOSTUNREACH, false);
    EXPECT_EQ(sock->state(), TcpState::SynSent);
    run_until(now() + Duration::from_s(10));
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), EHOSTUNREACH);
    auto s2 = std::make_unique<TcpSocket>(cfg);
    s2->connect(now(), local, remote, iss);
    s2->on_icmp_error(now(), ECONNREFUSED, true);  // port unreachable: hard (RFC 1122 4.2.3.9)
    EXPECT_EQ(s2->state(), TcpState::Closed);
    EXPECT_EQ(s2->error(), ECONNREFUSED);
}

TEST_F(Tcp, UserTimeoutGivesUpEarly) {
    establish();
    sock->set_user_timeout(Duration::from_s(5));
    Instant t0 = now();
    send_bytes(100);
    auto o = run_until(t0 + Duration::from_s(60));
    ASSERT_EQ(o.size(), 3u);  // 0, 1, 3 s; at 5 s the user timeout ends it
    EXPECT_EQ(sock->state(), TcpState::Closed);
    EXPECT_EQ(sock->error(), ETIMEDOUT);
}

// ---- flow control: zero window, persist, SWS (RFC 9293 3.8.6, RFC 1122 4.2.2.17, 4.2.3.3/4)

TEST_F(Tcp, SenderSwsAvoidanceWaitsForUsefulWindow) {
    cfg.nodelay = true;
    cfg.initial_window_segments = 10;
    establish(1460, 3000);
    send_bytes(4000);
    auto o = out();
    ASSERT_EQ(o.size(), 2u) << describe(o);  // 1460 + 1460; an 80-byte sliver is not sent
    in(seg(A, 1, 2921, 3000));
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].len(), 1080u);
    in(seg(A, 1, 4001, 100));  // everything acknowledged, but only 100 bytes of window
    send_bytes(1000);
    EXPECT_TRUE(out().empty());  // 100 < min(MSS, max window / 2): wait (RFC 1122 4.2.3.4)
    advance_to(sock->next_deadline());  // the override timeout sends what fits
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].len(), 100u);
}

TEST_F(Tcp, ReceiverSwsAvoidanceAndWindowUpdate) {
    cfg.rcvbuf = 4096;
    establish();
    in(seg(A, 1, 1, 65535, 1460));
    in(seg(A, 1461, 1, 65535, 1460));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.window, 4096 - 2920);
    in(seg(A, 2921, 1, 65535, 1176));
    advance(Duration::from_ms(40));
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.window, 0);
    std::vector<uint8_t> b(100);
    EXPECT_EQ(sock->recv(now(), b), 100);
    EXPECT_TRUE(out().empty());  // 100 bytes free: too small to announce (RFC 1122 4.2.3.3)
    b.resize(2000);
    EXPECT_EQ(sock->recv(now(), b), 2000);
    o = out();
    ASSERT_EQ(o.size(), 1u);  // 2100 free: a window update
    EXPECT_EQ(o[0].r.window, 2100);
    EXPECT_EQ(o[0].r.ack, irs + 4097);
    EXPECT_EQ(sock->counters().window_updates, 1u);
}

TEST_F(Tcp, ZeroWindowReceiverAcksProbeWithoutTakingIt) {
    cfg.rcvbuf = 2920;
    establish();
    in(seg(A, 1, 1, 65535, 1460));
    in(seg(A, 1461, 1, 65535, 1460));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.window, 0);
    in(seg(A, 2921, 1, 65535, 1));  // a zero-window probe
    o = out();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].r.ack, irs + 2921);
    EXPECT_EQ(o[0].r.window, 0);
    EXPECT_EQ(read_all().size(), 2920u);
}

// ---- congestion control and loss recovery (RFC 5681, 6582, 3042, 6675)

TEST_F(Tcp, SlowStartGrowsCwndPerAck) {
    cfg.nodelay = true;
    establish();
    EXPECT_EQ(sock->cwnd(), 3u * 1460);  // RFC 5681 3.1: IW for SMSS 1460
    send_bytes(20000);
    auto o = out();
    EXPECT_EQ(o.size(), 3u);
    in(seg(A, 1, 1461));
    EXPECT_EQ(sock->cwnd(), 4u * 1460);
    o = out();
    EXPECT_EQ(o.size(), 2u);  // one acknowledged + one more of cwnd
}

TEST_F(Tcp, FastRetransmitAfterThreeDupAcksWithLimitedTransmit) {
    cfg.nodelay = true;
    cfg.initial_window_segments = 10;
    establish();
    send_bytes(30 * 1460);
    auto o = out();
    ASSERT_EQ(o.size(), 10u);
    // Segment 1 lost; the peer's duplicate ACKs for segments 2, 3, 4.
    in(seg(A, 1, 1));
    o = out();
    ASSERT_EQ(o.size(), 1u);  // RFC 3042: one new segment on the first duplicate
    EXPECT_EQ(o[0].r.seq, iss + 1 + 10 * 1460);
    in(seg(A, 1, 1));
    o = out();
    ASSERT_EQ(o.size(), 1u);  // and on the second
    EXPECT_EQ(o[0].r.seq, iss + 1 + 11 * 1460);
    EXPECT_EQ(sock->counters().limited_transmits, 2u);
    in(seg(A, 1, 1));
    o = out();
    ASSERT_EQ(o.size(), 1u) << describe(o);
    EXPECT_EQ(o[0].r.seq, iss + 1);  // fast retransmit of the first segment
    EXPECT_EQ(o[0].len(), 1460u);
    EXPECT_EQ(sock->counters().fast_retransmits, 1u);
    EXPECT_EQ(sock->ssthresh(), 12u * 1460 / 2);             // FlightSize / 2
    EXPECT_EQ(sock->cwnd(), 12u * 1460 / 2 + 3 * 1460);      // + 3 SMSS
    for (int i = 0; i < 3; ++i) in(seg(A, 1, 1));             // inflation: 13140 + 3 * 1460 = 17520
    EXPECT_TRUE(out().empty());
    in(seg(A, 1, 1));
    o = out();
    ASSERT_EQ(o.size(), 1u);  // cwnd 18980 > flight 17520: one new segment
    EXPECT_EQ(o[0].r.seq, iss + 1 + 12 * 1460);
    // A partial ACK (RFC 6582 3.2 step 4): the next hole is retransmitted at once.
    in(seg(A, 1, 1 + 5 * 1460));
    o = out();
    ASSERT_GE(o.size(), 1u);
    EXPECT_EQ(o[0].r.seq, iss + 1 + 5 * 1460);
    EXPECT_EQ(sock->counters().newreno_partial_acks, 1u);
    // The full ACK ends recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
    in(seg(A, 1, 1 + 13 * 1460));
    EXPECT_EQ(sock->cwnd(), 2u * 1460);
}

TEST_F(Tcp, SackRecoveryRetransmitsOnlyTheHoles) {
    cfg.rack = false;  // RFC 6675's duplicate-ACK rules alone (RACK has its own tests)
    cfg.nodelay = true;
    cfg.sack = true;
    cfg.initial_window_segments = 10;
    TcpOptions peer;
    peer.sack_permitted = true;
    establish(1460, 65535, peer);
    send_bytes(10 * 1460);
    ASSERT_EQ(out().size(), 10u);
    auto sack = [&](std::vector<std::pair<int, int>> blocks) {  // in segments [a, b), 0-based
        TcpRepr r = seg(A, 1, 1 + 1460);
        r.options.sack_count = uint8_t(blocks.size());
        for (size_t i = 0; i < blocks.size(); ++i)
            r.options.sack[i] = SackBlock{iss + 1 + uint32_t(blocks[i].first) * 1460, iss + 1 + uint32_t(blocks[i].second) * 1460};
        in(r);
        return out();
    };
    in(seg(A, 1, 1 + 1460));  // segment 0 arrives; 1 and 4 are lost
    EXPECT_TRUE(out().empty());
    EXPECT_TRUE(sack({{2, 3}}).empty());
    EXPECT_TRUE(sack({{2, 4}}).empty());
    auto o = sack({{5, 6}, {2, 4}});  // third duplicate: recovery, retransmit segment 1
    ASSERT_EQ(o.size(), 1u) << describe(o);
    EXPECT_EQ(o[0].r.seq, iss + 1 + 1460);
    EXPECT_EQ(sock->counters().sack_recoveries, 1u);
    EXPECT_EQ(sock->ssthresh(), 9u * 1460 / 2);  // RFC 5681 eq. 4: FlightSize / 2 (cwnd: PRR's)
    EXPECT_TRUE(sack({{5, 7}, {2, 4}}).empty());  // segment 4 not yet deemed lost; pipe full
    o = sack({{5, 8}, {2, 4}});  // now 3 segments SACKed above 4: lost, and pipe has room
    ASSERT_EQ(o.size(), 1u) << describe(o);
    EXPECT_EQ(o[0].r.seq, iss + 1 + 4 * 1460);
    EXPECT_EQ(sock->counters().retrans_segs, 2u);
    in(seg(A, 1, 1 + 10 * 1460));  // everything acknowledged
    EXPECT_FALSE(sock->info().in_recovery);
    EXPECT_EQ(sock->cwnd(), sock->ssthresh());
}

TEST_F(Tcp, RtoCollapsesCwndAndGoesBackN) {
    cfg.nodelay = true;
    establish();
    send_bytes(3 * 1460);
    out();
    advance(Duration::from_s(1));
    auto o = out();
    ASSERT_EQ(o.size(), 1u);  // cwnd = 1 SMSS: only the first segment again
    EXPECT_EQ(o[0].r.seq, iss + 1);
    EXPECT_EQ(sock->cwnd(), 1460u);
    EXPECT_EQ(sock->ssthresh(), 2u * 1460);  // max(FlightSize / 2, 2 SMSS)
    EXPECT_EQ(sock->counters().rto_expirations, 1u);
    in(seg(A, 1, 1461));
    o = out();
    ASSERT_EQ(o.size(), 2u);  // slow start again from 2 SMSS
    EXPECT_EQ(o[0].r.seq, iss + 1461);
}

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
        TcpRepr r = seg(A, 1, 1);
        r.options.sack_count = 1;
        r.options.sack[0] = SackBlock{iss + 1 + 1460, iss + 1 + uint32_t(k + 1) * 1460};
        in(r);
        size_t n = 0;
        for (auto& s : out())
            if (s.r.seq != iss + 1) ++n;  // not the retransmission of segment 0
        sent_after.push_back(n);
    }
    EXPECT_EQ(sock->counters().sack_recoveries, 1u);
    size_t total = 0;
    for (size_t n : sent_after) total += n;
    // Limited transmit (RFC 3042) on the first two duplicates (4 segments: SACK shrinks the
    // flight too); recovery starts at the third with 24 segments out (RecoverFS) and ssthresh 12;
    // then 17 ACKs: PRR sends one segment for about every second one delivered, beginning in the
    // first half of the recovery (RFC 6675 alone would wait until pipe fell below ssthresh).
    size_t during = total - sent_after[0] - sent_after[1], early = 0;
    for (size_t i = 2; i < 11; ++i) early += sent_after[i];
    EXPECT_EQ(sent_after[0] + sent_after[1], 4u);
    EXPECT_GE(during, 6u);
    EXPECT_LE(during, 9u);
    EXPECT_GE(early, 3u);
    EXPECT_LE(*std::max_element(sent_after.begin() + 2, sent_after.end()), 1u) << "no bursts";
    EXPECT_GT(sock->counters().prr_updates, 0u);
    in(seg(A, 1, 1 + 24 * 1460));  // the retransmission arrives: ACK at the recovery point
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
        TcpRepr r = seg(A, 1, 1 + ack_segs * 1000);
        r.options.sack_count = 1;
        r.options.sack[0] = SackBlock{iss + 1 + sack_from * 1000, iss + 1 + sack_to * 1000};
        in(r);
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
        TcpRepr r = seg(A, 1, 1 + 1000);
        r.options.sack_count = uint8_t(blocks.size());
        for (size_t i = 0; i < blocks.size(); ++i)
            r.options.sack[i] = SackBlock{iss + 1 + blocks[i].first * 1000, iss + 1 + blocks[i].second * 1000};
        in(r);
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
        TcpRepr r = seg(A, 1, 3001);
        r.options.sack_count = 1;
        r.options.sack[0] = SackBlock{iss + 4001, iss + 1 + k * 1000};
        in(r);
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
