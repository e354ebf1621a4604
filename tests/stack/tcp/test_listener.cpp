// LISTEN with a real backlog (bounded SYN queue and accept queue), SYN cookies under a SYN flood,
// and the mux's demultiplexing and RSTs for segments that reach no connection (RFC 9293 3.10.7.1).
#include "tcp_channel.h"
#include "tcp_fixture.h"

#include "tcp/tcp_mux.h"

#include <random>

using namespace nic;
using namespace nic::test;

namespace {

const Ipv4Addr kServer(192, 0, 2, 1), kClient(192, 0, 2, 2);

struct Listen : ::testing::Test {
    VirtualClock clock{Instant{5000000000}};
    TcpConfig cfg;
    IsnGenerator isn{99};
    Listen() {
        cfg.timestamps = cfg.sack = cfg.window_scale = false;
    }
    TcpRepr syn(uint16_t port, uint32_t seq) {
        TcpRepr r;
        r.src_port = port;
        r.dst_port = 80;
        r.seq = SeqNum(seq);
        r.flags = TcpFlags(S);
        r.window = 65535;
        r.options.mss = 1460;
        return r;
    }
    TcpRepr ack_for(const TcpRepr& synack, uint16_t port, uint32_t seq) {
        TcpRepr r;
        r.src_port = port;
        r.dst_port = 80;
        r.seq = SeqNum(seq + 1);
        r.ack = synack.seq + 1;
        r.flags = TcpFlags(A);
        r.window = 65535;
        return r;
    }
    std::vector<TcpOut> drain(TcpListener& l) {
        std::vector<TcpOut> v;
        while (auto o = l.poll_transmit(clock.now())) v.push_back(*o);
        return v;
    }
};

TEST_F(Listen, BacklogOverflowDropsAndRecovers) {
    cfg.syn_cookies = false;
    TcpListener l(cfg, Endpoint{kServer, 80}, 2, &isn, 3);  // accept queue 2, SYN queue 3
    for (uint16_t p = 1; p <= 4; ++p) l.on_segment(clock.now(), kClient, kServer, syn(p, 100 * p));
    auto sa = drain(l);
    ASSERT_EQ(sa.size(), 3u);  // the fourth SYN found the SYN queue full
    EXPECT_EQ(l.counters().syn_queue_full, 1u);
    EXPECT_EQ(l.syn_queue_len(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        uint16_t port = sa[i].repr.dst_port;
        auto s = l.on_segment(clock.now(), kClient, kServer, ack_for(sa[i].repr, port, 100u * port));
        if (i < 2) {
            ASSERT_TRUE(s);
            EXPECT_EQ(s->state(), TcpState::Established);
        } else {
            EXPECT_FALSE(s);  // accept queue full: the ACK is dropped, the half-open entry kept
        }
    }
    EXPECT_EQ(l.accept_queue_len(), 2u);
    EXPECT_EQ(l.syn_queue_len(), 1u);
    EXPECT_EQ(l.counters().accept_queue_full, 1u);
    l.on_segment(clock.now(), kClient, kServer, syn(9, 900));  // no SYN while nobody accepts
    EXPECT_EQ(l.counters().accept_queue_full, 2u);
    EXPECT_TRUE(drain(l).empty());
    ASSERT_TRUE(l.accept());
    uint16_t port = sa[2].repr.dst_port;
    auto s = l.on_segment(clock.now(), kClient, kServer, ack_for(sa[2].repr, port, 100u * port));
    ASSERT_TRUE(s);  // the retried ACK now fits
    EXPECT_EQ(l.accept_queue_len(), 2u);
    EXPECT_EQ(l.syn_queue_len(), 0u);
}

TEST_F(Listen, BadAckInListenGetsReset) {
    TcpListener l(cfg, Endpoint{kServer, 80}, 2, &isn);
    TcpRepr a;
    a.src_port = 7;
    a.dst_port = 80;
    a.seq = SeqNum(1);
    a.ack = SeqNum(12345);
    a.flags = TcpFlags(A);
    l.on_segment(clock.now(), kClient, kServer, a);
    auto o = drain(l);
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(o[0].repr.flags.bits, R);
    EXPECT_EQ(o[0].repr.seq, SeqNum(12345));  // RFC 9293 3.10.7.2: <SEQ=SEG.ACK><CTL=RST>
    EXPECT_EQ(o[0].dst, kClient);
    EXPECT_EQ(l.counters().cookies_unsolicited, 1u) << "no cookie sent lately: not even checked";
}

TEST_F(Listen, SynFloodStaysBoundedWithCookiesAndConnectionsStillWork) {
    TcpListener l(cfg, Endpoint{kServer, 80}, 8, &isn, 16);
    // One connection established before the flood.
    l.on_segment(clock.now(), kClient, kServer, syn(1000, 42));
    auto sa = drain(l);
    ASSERT_EQ(sa.size(), 1u);
    auto est = l.on_segment(clock.now(), kClient, kServer, ack_for(sa[0].repr, 1000, 42));
    ASSERT_TRUE(est);
    ASSERT_EQ(l.accept(), est);
    // 20,000 spoofed SYNs.
    std::mt19937 rng(1);
    size_t replies = 0;
    for (int i = 0; i < 20000; ++i) {
        Ipv4Addr spoofed{static_cast<uint32_t>(rng())};
        l.on_segment(clock.now(), spoofed, kServer, syn(uint16_t(rng()), uint32_t(rng())));
        if (i % 100 == 99) replies += drain(l).size();
        ASSERT_LE(l.syn_queue_len(), 16u);
    }
    replies += drain(l).size();
    EXPECT_EQ(l.syn_queue_len(), 16u);
    EXPECT_EQ(l.counters().cookies_sent, 20000u - 16);
    EXPECT_EQ(replies, 20000u);
    // The established connection still works.
    TcpRepr d;
    d.src_port = 1000;
    d.dst_port = 80;
    d.seq = SeqNum(43);
    d.ack = sa[0].repr.seq + 1;
    d.flags = TcpFlags(A);
    d.window = 65535;
    std::vector<uint8_t> pl(100, 7);
    d.payload = pl;
    est->on_segment(clock.now(), d);
    EXPECT_EQ(est->recv_queue(), 100u);
    // A real client during the flood gets a cookie and completes with it.
    l.on_segment(clock.now(), kClient, kServer, syn(2000, 777));
    auto c = drain(l);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].repr.flags.bits, S | A);
    EXPECT_EQ(c[0].repr.ack, SeqNum(778));
    clock.advance(Duration::from_s(30));
    auto s = l.on_segment(clock.now(), kClient, kServer, ack_for(c[0].repr, 2000, 777));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state(), TcpState::Established);
    EXPECT_EQ(s->mss(), 1460);
    EXPECT_EQ(l.counters().cookies_ok, 1u);
    // A forged cookie ACK does not.
    TcpRepr forged = ack_for(c[0].repr, 2001, 777);
    EXPECT_FALSE(l.on_segment(clock.now(), kClient, kServer, forged));
    EXPECT_EQ(l.counters().cookies_bad, 1u);
    // And a cookie too old (more than two 64-second slots) is refused.
    l.on_segment(clock.now(), kClient, kServer, syn(3000, 555));
    std::vector<TcpOut> c2;
    for (auto& o : drain(l))
        if (o.repr.dst_port == 3000) c2.push_back(o);  // (the half-open entries retransmit meanwhile)
    ASSERT_EQ(c2.size(), 1u);
    clock.advance(Duration::from_s(170));  // three slots later, while cookies are still accepted
    EXPECT_FALSE(l.on_segment(clock.now(), kClient, kServer, ack_for(c2[0].repr, 3000, 555)));
    EXPECT_EQ(l.counters().cookies_bad, 2u);
}

TEST(TcpIsn, KeyedPerTupleAndAdvancingWithTime) {
    IsnGenerator g(5), h(6);
    Endpoint a{kServer, 80}, b{kClient, 1234}, c{kClient, 1235};
    Instant t{1000000000};
    EXPECT_NE(g.isn(t, a, b), g.isn(t, a, c));   // per 4-tuple
    EXPECT_NE(g.isn(t, a, b), h.isn(t, a, b));   // per key
    EXPECT_EQ(g.isn(t + Duration::from_us(40), a, b) - g.isn(t, a, b), 10);  // RFC 6528: 4 us ticks
    IsnGenerator r1, r2;  // random keys from libsodium
    EXPECT_NE(r1.isn(t, a, b), r2.isn(t, a, b));
}

// ---- the mux

TEST(TcpMuxTest, ResetsForSegmentsToNoSocket) {
    TcpMux m(TcpConfig{}, 3);
    TcpRepr s;
    s.src_port = 5555;
    s.dst_port = 81;
    s.seq = SeqNum(100);
    s.flags = TcpFlags(S);
    m.input(Instant{}, kClient, kServer, s);
    auto o = m.poll_transmit(Instant{});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->repr.flags.bits, R | A);  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    EXPECT_EQ(o->repr.seq, SeqNum(0));
    EXPECT_EQ(o->repr.ack, SeqNum(101));
    EXPECT_EQ(o->dst, kClient);
    EXPECT_EQ(o->repr.dst_port, 5555);
    s.flags = TcpFlags(A);
    s.ack = SeqNum(777);
    m.input(Instant{}, kClient, kServer, s);
    o = m.poll_transmit(Instant{});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->repr.flags.bits, R);  // <SEQ=SEG.ACK><CTL=RST>
    EXPECT_EQ(o->repr.seq, SeqNum(777));
    s.flags = TcpFlags(R);
    m.input(Instant{}, kClient, kServer, s);
    EXPECT_FALSE(m.poll_transmit(Instant{}));  // never an RST for an RST
    EXPECT_EQ(m.counters().no_socket, 3u);
    EXPECT_EQ(m.counters().rst_sent, 2u);
}

TEST(TcpMuxTest, ConnectRefusedEndToEnd) {
    VirtualClock clock;
    TcpMux a(TcpConfig{}, 1), b(TcpConfig{}, 2);
    TcpChannel ch(clock, a, kClient, b, kServer, ChannelConfig{}, 1);
    auto c = a.connect(clock.now(), Endpoint{kClient, 40000}, Endpoint{kServer, 80});
    ch.run_until([&] { return c->state() == TcpState::Closed; }, clock.now() + Duration::from_s(10));
    EXPECT_EQ(c->error(), ECONNREFUSED);
    EXPECT_EQ(b.counters().rst_sent, 1u);
}

TEST(TcpMuxTest, NetstatAndTotals) {
    VirtualClock clock;
    TcpMux a(TcpConfig{}, 1), b(TcpConfig{}, 2);
    auto l = b.listen(Endpoint{kServer, 80}, 4);
    EXPECT_FALSE(b.listen(Endpoint{kServer, 80}, 4));  // EADDRINUSE
    TcpChannel ch(clock, a, kClient, b, kServer, ChannelConfig{}, 1);
    auto c = a.connect(clock.now(), Endpoint{kClient, 40000}, Endpoint{kServer, 80});
    EXPECT_FALSE(a.connect(clock.now(), Endpoint{kClient, 40000}, Endpoint{kServer, 80}));
    ch.run_until([&] { return c->state() == TcpState::Established && l->accept_queue_len() == 1; },
                 clock.now() + Duration::from_s(10));
    std::vector<uint8_t> data(10000, 1);
    c->send(clock.now(), data);
    ch.run_until([&] { return c->send_queue() == 0; }, clock.now() + Duration::from_s(10));
    auto rows = b.netstat();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].info.state, TcpState::Listen);
    EXPECT_EQ(rows[0].info.recv_q, 1u);  // waiting for accept
    EXPECT_EQ(rows[1].info.state, TcpState::Established);
    EXPECT_EQ(rows[1].info.recv_q, 10000u);
    EXPECT_EQ(rows[1].remote, (Endpoint{kClient, 40000}));
    EXPECT_EQ(a.totals().bytes_out, 10000u);
    EXPECT_EQ(b.totals().bytes_in, 10000u);
    EXPECT_EQ(a.totals().writes, 1u);
    EXPECT_EQ(a.totals().segments_per_write(), 7.0);  // 10000 bytes in MSS-sized pieces: 6 x 1448 + 1312
    std::string table = tcp_netstat_table(b.netstat());
    EXPECT_NE(table.find("192.0.2.1:80"), std::string::npos) << table;
    EXPECT_NE(table.find("LISTEN"), std::string::npos) << table;
    EXPECT_NE(table.find("192.0.2.2:40000"), std::string::npos) << table;
}

TEST_F(Listen, CompletingAckMustBeAtRcvNxt) {
    TcpListener l(cfg, Endpoint{kServer, 80}, 2, &isn);
    l.on_segment(clock.now(), kClient, kServer, syn(7, 100));
    auto sa = drain(l);
    ASSERT_EQ(sa.size(), 1u);
    TcpRepr a = ack_for(sa[0].repr, 7, 100);
    a.seq = SeqNum(500);  // not RCV.NXT
    EXPECT_FALSE(l.on_segment(clock.now(), kClient, kServer, a));
    EXPECT_EQ(l.syn_queue_len(), 1u);
    EXPECT_TRUE(l.on_segment(clock.now(), kClient, kServer, ack_for(sa[0].repr, 7, 100)));
    EXPECT_EQ(l.syn_queue_len(), 0u);
}

// A completing ACK that the new connection would drop (no timestamp option after both sides
// agreed to timestamps, RFC 7323 3.2; or a TSval older than the SYN's, PAWS 5.3) does not
// complete the handshake: the half-open entry stays in the SYN queue, nothing enters the accept
// queue (so a poller is not woken for a connection accept() cannot return), and such handshakes
// cannot fill the backlog: a real client still gets its SYN-ACK and is accepted.
TEST_F(Listen, RejectedCompletingAckLeavesTheHandshakeInTheSynQueue) {
    cfg.timestamps = true;
    TcpListener l(cfg, Endpoint{kServer, 80}, 2, &isn);
    auto syn_ts = [&](uint16_t port, uint32_t seq, uint32_t tsval) {
        TcpRepr r = syn(port, seq);
        r.options.ts = TcpTimestamp{tsval, 0};
        return r;
    };
    for (uint16_t port = 1; port <= 4; ++port) {
        l.on_segment(clock.now(), kClient, kServer, syn_ts(port, 100u * port, 5000));
        auto sa = drain(l);
        ASSERT_EQ(sa.size(), 1u) << "port " << port << ": the backlog is not taken by the earlier handshakes";
        ASSERT_TRUE(sa[0].repr.options.ts) << "timestamps agreed";
        TcpRepr a = ack_for(sa[0].repr, port, 100u * port);
        if (port % 2) {
            // no timestamp option at all
        } else {
            a.options.ts = TcpTimestamp{4000, sa[0].repr.options.ts->val};  // older than the SYN's: PAWS
        }
        EXPECT_FALSE(l.on_segment(clock.now(), kClient, kServer, a)) << "port " << port;
        EXPECT_EQ(l.accept_queue_len(), 0u) << "port " << port;
        EXPECT_FALSE(l.accept()) << "port " << port;
    }
    EXPECT_EQ(l.syn_queue_len(), 4u);
    EXPECT_EQ(l.counters().ack_rejected, 4u);
    // A client that does it right.
    l.on_segment(clock.now(), kClient, kServer, syn_ts(9, 900, 5000));
    auto sa = drain(l);
    ASSERT_EQ(sa.size(), 1u);
    TcpRepr a = ack_for(sa[0].repr, 9, 900);
    a.options.ts = TcpTimestamp{5001, sa[0].repr.options.ts->val};
    auto s = l.on_segment(clock.now(), kClient, kServer, a);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state(), TcpState::Established);
    EXPECT_EQ(l.accept_queue_len(), 1u);
    EXPECT_EQ(l.accept(), s);
    // The rejected ones can still complete with a good ACK while their entry lives.
    l.on_segment(clock.now(), kClient, kServer, syn_ts(1, 100, 5000));
    auto again = drain(l);
    ASSERT_EQ(again.size(), 1u) << "a retransmitted SYN gets the SYN-ACK again";
    TcpRepr good = ack_for(again[0].repr, 1, 100);
    good.options.ts = TcpTimestamp{5002, again[0].repr.options.ts->val};
    EXPECT_TRUE(l.on_segment(clock.now(), kClient, kServer, good));
    EXPECT_EQ(l.syn_queue_len(), 3u);
}

// A SYN flood into a backlog of 4096: each SYN and each timer costs O(log n) half-open entries
// visited, not a walk over the whole SYN queue (which made a flood quadratic in CPU).
TEST_F(Listen, SynQueueTimersAreIndexedNotWalked) {
    cfg.syn_cookies = false;
    TcpListener l(cfg, Endpoint{kServer, 80}, 4096, &isn, 4096);
    size_t synacks = 0;
    for (uint32_t i = 0; i < 4096; ++i) {
        l.on_segment(clock.now(), Ipv4Addr(198, 51, 100, uint8_t(i)), kServer, syn(uint16_t(1024 + i / 256), i * 7));
        synacks += drain(l).size();
        EXPECT_LE(l.next_deadline(), clock.now() + cfg.rtt.initial_rto);
    }
    EXPECT_EQ(synacks, 4096u);
    EXPECT_EQ(l.syn_queue_len(), 4096u);
    // Every entry visited once to send its SYN-ACK; the old walk visited ~n^2/2 = 8.4 million.
    EXPECT_EQ(l.counters().timer_visits, 4096u);
    // The retransmission timers then fire in deadline order, once per entry and round, and the
    // entries are given up after synack_retries.
    for (uint32_t round = 0; round <= cfg.synack_retries; ++round) {
        clock.advance_to(l.next_deadline());
        synacks += drain(l).size();
    }
    EXPECT_EQ(synacks, 4096u * (1 + cfg.synack_retries));
    EXPECT_EQ(l.syn_queue_len(), 0u);
    EXPECT_EQ(l.counters().synack_timeouts, 4096u);
    EXPECT_EQ(l.counters().timer_visits, 4096u * (2 + cfg.synack_retries));
    EXPECT_EQ(l.next_deadline(), Instant::max());
}

// SYN cookies are for a SYN queue under pressure: a correct cookie ACK to a listener that has
// not sent a cookie lately is an ACK for no connection (RST), not a new connection.
TEST_F(Listen, CookieAckWithoutRecentOverflowIsRefused) {
    TcpListener l(cfg, Endpoint{kServer, 80}, 8, &isn, 16);
    TcpRepr cookie_synack;
    cookie_synack.seq = isn.cookie(clock.now(), Endpoint{kServer, 80}, Endpoint{kClient, 4000}, SeqNum(100), 1460);
    EXPECT_FALSE(l.on_segment(clock.now(), kClient, kServer, ack_for(cookie_synack, 4000, 100)));
    EXPECT_EQ(l.counters().cookies_unsolicited, 1u);
    EXPECT_EQ(l.counters().cookies_ok, 0u);
    EXPECT_EQ(l.accept_queue_len(), 0u);
    auto out = drain(l);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].repr.flags.rst());
    // Under pressure (the SYN queue overflowed and cookies went out), the same ACK is accepted.
    TcpListener busy(cfg, Endpoint{kServer, 80}, 8, &isn, 1);
    busy.on_segment(clock.now(), Ipv4Addr(198, 51, 100, 1), kServer, syn(1, 1));
    busy.on_segment(clock.now(), Ipv4Addr(198, 51, 100, 2), kServer, syn(2, 2));
    EXPECT_EQ(busy.counters().cookies_sent, 1u);
    auto s = busy.on_segment(clock.now(), kClient, kServer, ack_for(cookie_synack, 4000, 100));
    ASSERT_TRUE(s);
    EXPECT_EQ(busy.counters().cookies_ok, 1u);
    // And refused again once the pressure is long gone.
    clock.advance(Duration::from_s(200));
    cookie_synack.seq = isn.cookie(clock.now(), Endpoint{kServer, 80}, Endpoint{kClient, 4001}, SeqNum(100), 1460);
    EXPECT_FALSE(busy.on_segment(clock.now(), kClient, kServer, ack_for(cookie_synack, 4001, 100)));
    EXPECT_EQ(busy.counters().cookies_unsolicited, 1u);
}

// RFC 7323 5.4: TSval starts at a random per-connection offset that says nothing about the ISN
// (the old offset was ISS * constant: one SYN-ACK gave away both) and that the established
// connection keeps, so the peer sees one monotonic TSval clock across the handshake.
TEST_F(Listen, TimestampOffsetIsRandomPerConnectionAndNotDerivedFromTheIsn) {
    cfg.timestamps = true;
    TcpListener l(cfg, Endpoint{kServer, 80}, 8, &isn);
    uint32_t now_ms = uint32_t(clock.now().ns / 1000000);
    std::vector<uint32_t> offsets;
    for (uint16_t port = 1; port <= 3; ++port) {
        TcpRepr sy = syn(port, 100u * port);
        sy.options.ts = TcpTimestamp{777, 0};
        l.on_segment(clock.now(), kClient, kServer, sy);
        auto sa = drain(l);
        ASSERT_EQ(sa.size(), 1u);
        ASSERT_TRUE(sa[0].repr.options.ts);
        uint32_t off = sa[0].repr.options.ts->val - now_ms;
        EXPECT_NE(off, sa[0].repr.seq.v * 2654435761u) << "offset derived from the ISS";
        EXPECT_NE(off, sa[0].repr.seq.v) << "offset equal to the ISS";
        EXPECT_EQ(off, isn.ts_offset(Endpoint{kServer, 80}, Endpoint{kClient, port}));
        offsets.push_back(off);
        // The connection goes on with the same TSval clock.
        clock.advance(Duration::from_ms(25));
        TcpRepr a = ack_for(sa[0].repr, port, 100u * port);
        a.options.ts = TcpTimestamp{778, sa[0].repr.options.ts->val};
        auto s = l.on_segment(clock.now(), kClient, kServer, a);
        ASSERT_TRUE(s);
        ASSERT_GT(s->send(clock.now(), ConstBytes(reinterpret_cast<const uint8_t*>("x"), 1)), 0);
        auto d = s->poll_transmit(clock.now());
        ASSERT_TRUE(d && d->options.ts);
        EXPECT_EQ(d->options.ts->val, sa[0].repr.options.ts->val + 25);
        now_ms += 25;
    }
    EXPECT_NE(offsets[0], offsets[1]);
    EXPECT_NE(offsets[1], offsets[2]);
}

// Under SYN-cookie pressure the MSS the cookie encodes never exceeds the peer's announcement.
TEST_F(Listen, CookieMssNeverExceedsThePeers) {
    TcpListener l(cfg, Endpoint{kServer, 80}, 8, &isn, 1);
    l.on_segment(clock.now(), Ipv4Addr(198, 51, 100, 9), kServer, syn(9, 9));  // fills the SYN queue
    drain(l);
    for (uint16_t mss : {100, 600, 1300, 1460}) {
        TcpRepr s = syn(mss, 1000u + mss);
        s.options.mss = mss;
        l.on_segment(clock.now(), kClient, kServer, s);
        auto c = drain(l);
        ASSERT_EQ(c.size(), 1u);
        auto conn = l.on_segment(clock.now(), kClient, kServer, ack_for(c[0].repr, mss, 1000u + mss));
        ASSERT_TRUE(conn) << mss;
        EXPECT_LE(conn->mss(), mss);
        EXPECT_GE(conn->mss(), mss == 100 ? 64 : mss == 600 ? 536 : mss - 100);
    }
}

}  // namespace
