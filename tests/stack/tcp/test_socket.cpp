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
    auto sack = [&](std::vector<std::pair<uint32_t, uint32_t>> blocks) {  // in segments [a, b), 0-based
        in(sack_seg(1, blocks, 1460));
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

}  // namespace
