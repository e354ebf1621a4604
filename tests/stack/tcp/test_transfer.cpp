// Whole-transfer test over the TCP-only test channel: 1,000 seeds, each a client that connects,
// sends a random amount (up to 512 KiB) and half-closes, and a server that reads to EOF, answers
// with up to 64 KiB and closes. Faults spread over seeds: loss 0-10 %, duplication, reordering and
// bit corruption (caught by the checksum), with options (SACK, timestamps, window scale, Nagle,
// delayed ACK, buffer sizes, initial window, route MTU) varied too. Every byte must arrive in order
// and hash-identical (BLAKE2b), every connection must close cleanly (no error, client in TIME-WAIT
// or CLOSED, server CLOSED, and both tables empty once TIME-WAIT ends), within a bounded virtual
// time (3000 s). The seed is printed on failure.
#include "tcp_channel.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <sstream>

using namespace nic;
using namespace nic::test;

namespace {

const Ipv4Addr kA(192, 0, 2, 1), kB(192, 0, 2, 2);

std::string blake2b(const std::vector<uint8_t>& v) {
    uint8_t h[32];
    crypto_generichash(h, sizeof h, v.data(), v.size(), nullptr, 0);
    char s[65];
    for (int i = 0; i < 32; ++i) std::snprintf(s + 2 * i, 3, "%02x", h[i]);
    return s;
}

struct Outcome {
    bool ok = false;
    std::string why;
    double virtual_s = 0;
    ChannelStats ch;
    uint64_t retrans = 0;
};

Outcome run_seed(uint64_t seed) {
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 1);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    auto pick = [&](size_t a, size_t b) { return std::uniform_int_distribution<size_t>(a, b)(rng); };

    ChannelConfig ch;
    ch.loss = double(seed % 11) / 100.0;            // 0 .. 10 %, evenly spread over the seeds
    ch.duplicate = (seed % 3 == 0) ? uni(0, 0.05) : 0;
    ch.reorder = (seed % 4 == 1) ? uni(0, 0.1) : 0;
    ch.corrupt = (seed % 5 == 2) ? uni(0, 0.05) : 0;
    ch.delay = Duration::from_us(int64_t(pick(20, 5000)));
    ch.reorder_extra = Duration::from_us(int64_t(pick(100, 4000)));
    ch.rate_bps = (seed % 2) ? 1e9 : 0;

    TcpConfig cfg;
    cfg.sack = seed % 7 != 3;
    cfg.timestamps = seed % 6 != 4;
    cfg.window_scale = seed % 9 != 5;
    cfg.nodelay = seed % 2 == 0;
    cfg.delayed_ack = seed % 8 != 7;
    cfg.rcvbuf = (seed % 10 == 6) ? 8192 : 256 * 1024;
    cfg.sndbuf = (seed % 10 == 8) ? 6000 : 128 * 1024;
    cfg.rtt.min_rto = Duration::from_ms(200);  // Linux's minimum: keeps lossy seeds short in virtual time
    cfg.rtt.initial_rto = Duration::from_s(1);

    std::vector<uint8_t> up(pick(0, 512 * 1024)), down(pick(0, 64 * 1024));
    for (auto& b : up) b = uint8_t(rng());
    for (auto& b : down) b = uint8_t(rng());

    cfg.initial_window_segments = seed % 5 == 4 ? 10 : 0;
    // The two ends disagree on the route MTU for some seeds: the MSS option clamps both ways.
    TcpConfig cfg_b = cfg;
    if (seed % 13 == 0) cfg.mtu = 576;
    if (seed % 13 == 1) cfg_b.mtu = 1280;

    VirtualClock clock(Instant{int64_t(seed) * 1000000007});
    TcpMux a(cfg, seed * 2 + 1), b(cfg_b, seed * 2 + 2);
    auto listener = b.listen(Endpoint{kB, 80}, 4);
    auto c = a.connect(clock.now(), Endpoint{kA, uint16_t(40000 + seed % 20000)}, Endpoint{kB, 80});
    TcpChannel chan(clock, a, kA, b, kB, ch, seed);

    std::shared_ptr<TcpSocket> s;
    std::vector<uint8_t> got_up, got_down;
    size_t up_off = 0, down_off = 0;
    bool c_shut = false, c_closed = false, s_eof = false, s_closed = false, c_eof = false;
    std::vector<uint8_t> buf(8192);
    Instant deadline = clock.now() + Duration::from_s(3000);
    std::string why;

    auto app = [&]() {
        Instant now = clock.now();
        // Client: write all, half-close, read the answer to EOF, close.
        while (up_off < up.size()) {
            long n = c->send(now, ConstBytes(up.data() + up_off, up.size() - up_off));
            if (n <= 0) break;
            up_off += size_t(n);
        }
        if (up_off == up.size() && !c_shut && c->state() != TcpState::SynSent) {
            c->shutdown(now, false, true);
            c_shut = true;
        }
        while (!c_eof) {
            long n = c->recv(now, MutBytes(buf.data(), buf.size()));
            if (n > 0) {
                got_down.insert(got_down.end(), buf.begin(), buf.begin() + n);
            } else {
                if (n == 0) c_eof = true;
                if (n < 0 && n != -EAGAIN) why = "client recv error " + std::to_string(-n);
                break;
            }
        }
        if (c_eof && !c_closed) {
            c->close(now);
            c_closed = true;
        }
        // Server: accept, read to EOF, answer, close.
        if (!s) s = listener->accept();
        if (!s) return;
        while (!s_eof) {
            long n = s->recv(now, MutBytes(buf.data(), buf.size()));
            if (n > 0) {
                got_up.insert(got_up.end(), buf.begin(), buf.begin() + n);
            } else {
                if (n == 0) s_eof = true;
                if (n < 0 && n != -EAGAIN) why = "server recv error " + std::to_string(-n);
                break;
            }
        }
        if (s_eof) {
            while (down_off < down.size()) {
                long n = s->send(now, ConstBytes(down.data() + down_off, down.size() - down_off));
                if (n <= 0) break;
                down_off += size_t(n);
            }
            if (down_off == down.size() && !s_closed) {
                s->close(now);
                s_closed = true;
            }
        }
    };
    auto done = [&]() {
        return !why.empty() || (s_closed && c_closed && s->state() == TcpState::Closed &&
                                (c->state() == TcpState::TimeWait || c->state() == TcpState::Closed));
    };
    while (!done()) {
        app();
        if (done()) break;
        if (!chan.step(deadline)) {
            app();
            if (!done()) {
                why = "stalled or out of virtual time";
            }
            break;
        }
    }
    Outcome o;
    o.virtual_s = (clock.now() - Instant{int64_t(seed) * 1000000007}).to_s();
    std::ostringstream m;
    if (why.empty()) {
        if (c->error() || (s && s->error())) why = "connection error";
        else if (blake2b(got_up) != blake2b(up) || got_up.size() != up.size()) why = "upload differs";
        else if (blake2b(got_down) != blake2b(down) || got_down.size() != down.size()) why = "download differs";
    }
    if (!why.empty()) {
        m << "seed " << seed << ": " << why << " (loss " << ch.loss << " dup " << ch.duplicate << " reorder "
          << ch.reorder << " corrupt " << ch.corrupt << ", up " << got_up.size() << "/" << up.size() << " down "
          << got_down.size() << "/" << down.size() << ", t=" << o.virtual_s << "s)\n  client " << c->info().str()
          << " err " << c->error();
        if (s) m << "\n  server " << s->info().str() << " err " << s->error();
        o.why = m.str();
        return o;
    }
    // TIME-WAIT ends after 2 MSL, and then nothing is left in either connection table.
    chan.run_until([&] { return c->state() == TcpState::Closed; }, clock.now() + Duration::from_s(120));
    if (c->state() != TcpState::Closed || c->error() != 0) {
        o.why = "seed " + std::to_string(seed) + ": client did not leave TIME-WAIT cleanly";
        return o;
    }
    o.retrans = a.totals().retrans_segs + b.totals().retrans_segs;
    c.reset();
    s.reset();
    if (a.reap() != 1 || b.reap() != 1 || a.connections() != 0 || b.connections() != 0) {
        o.why = "seed " + std::to_string(seed) + ": connections not reaped";
        return o;
    }
    o.ch = chan.stats();
    o.ok = true;
    return o;
}

class TcpTransfer : public ::testing::TestWithParam<int> {};

TEST_P(TcpTransfer, HundredSeedsDeliverEverythingAndCloseCleanly) {
    int shard = GetParam();
    ChannelStats sum;
    uint64_t retrans = 0;
    for (uint64_t seed = uint64_t(shard) * 100; seed < uint64_t(shard + 1) * 100; ++seed) {
        Outcome o = run_seed(seed);
        EXPECT_TRUE(o.ok) << o.why;
        sum.lost += o.ch.lost;
        sum.duplicated += o.ch.duplicated;
        sum.reordered += o.ch.reordered;
        sum.bad_checksum += o.ch.bad_checksum;
        sum.delivered += o.ch.delivered;
        retrans += o.retrans;
    }
    // The faults really happened (and corruption was caught by the checksum, not by luck).
    EXPECT_GT(sum.lost, 100u);
    EXPECT_GT(sum.duplicated, 10u);
    EXPECT_GT(sum.reordered, 10u);
    EXPECT_GT(sum.bad_checksum, 10u);
    EXPECT_GT(retrans, 100u);
    std::printf("shard %d: %llu segments delivered, %llu lost, %llu duplicated, %llu reordered, %llu corrupted "
                "(caught by checksum), %llu retransmissions\n",
                shard, (unsigned long long)sum.delivered, (unsigned long long)sum.lost,
                (unsigned long long)sum.duplicated, (unsigned long long)sum.reordered,
                (unsigned long long)sum.bad_checksum, (unsigned long long)retrans);
}

INSTANTIATE_TEST_SUITE_P(Seeds, TcpTransfer, ::testing::Range(0, 10));

// Simultaneous open (RFC 9293 3.5 figure 8) and simultaneous close (figure 13) through the faulty
// channel: both hosts connect to each other at once with no listener, exchange data both ways and
// close at the same time; both must pass through SYN-RECEIVED / CLOSING and end cleanly.
TEST(TcpTransferSimultaneous, OpenAndCloseUnderFaults) {
    int both_synack = 0, both_time_wait = 0;
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        std::mt19937_64 rng(seed);
        ChannelConfig ch;
        ch.loss = double(seed % 6) / 100.0;
        ch.duplicate = seed % 3 == 0 ? 0.02 : 0;
        ch.reorder = seed % 4 == 0 ? 0.05 : 0;
        ch.corrupt = seed % 5 == 0 ? 0.02 : 0;
        ch.delay = Duration::from_us(int64_t(100 + seed * 37 % 3000));
        TcpConfig cfg;
        cfg.sack = seed % 2;
        cfg.timestamps = seed % 3 != 0;
        cfg.rtt.min_rto = Duration::from_ms(200);
        VirtualClock clock(Instant{int64_t(seed) * 999999937});
        TcpMux a(cfg, seed * 2 + 1), b(cfg, seed * 2 + 2);
        TcpChannel chan(clock, a, kA, b, kB, ch, seed);
        bool synack[2] = {false, false};
        chan.tap = [&](int from, const TcpRepr& r) {
            if (r.flags.syn() && r.flags.ack()) synack[from] = true;
        };
        Endpoint ea{kA, 1000}, eb{kB, 2000};
        auto x = a.connect(clock.now(), ea, eb);
        auto y = b.connect(clock.now(), eb, ea);
        std::vector<uint8_t> dx(size_t(rng() % 20000)), dy(size_t(rng() % 20000)), gx, gy, buf(4096);
        for (auto& v : dx) v = uint8_t(rng());
        for (auto& v : dy) v = uint8_t(rng());
        size_t ox = 0, oy = 0;
        bool closed = false, ex = false, ey = false;
        Instant deadline = clock.now() + Duration::from_s(600);
        auto pump = [&](std::shared_ptr<TcpSocket>& s, std::vector<uint8_t>& d, size_t& off, std::vector<uint8_t>& g,
                        bool& eof) {
            Instant now = clock.now();
            if (!s->established()) return;
            while (off < d.size()) {
                long n = s->send(now, ConstBytes(d.data() + off, d.size() - off));
                if (n <= 0) break;
                off += size_t(n);
            }
            for (;;) {
                long n = s->recv(now, buf);
                if (n > 0) g.insert(g.end(), buf.begin(), buf.begin() + n);
                if (n == 0) eof = true;
                if (n <= 0) break;
            }
        };
        bool ok = chan.run_until(
            [&] {
                pump(x, dx, ox, gx, ex);  // x sends dx and receives gx (which must equal dy)
                pump(y, dy, oy, gy, ey);
                // Both close at the same instant once all data is written and read.
                if (!closed && ox == dx.size() && oy == dy.size() && gx.size() == dy.size() && gy.size() == dx.size() &&
                    x->send_queue() == 0 && y->send_queue() == 0) {
                    x->close(clock.now());
                    y->close(clock.now());
                    closed = true;
                }
                auto done = [](const std::shared_ptr<TcpSocket>& s) {
                    return s->state() == TcpState::TimeWait || s->state() == TcpState::Closed;
                };
                return (closed && done(x) && done(y)) || x->error() || y->error();
            },
            deadline);
        ASSERT_TRUE(ok) << "seed " << seed << ": " << x->info().str() << " / " << y->info().str() << " sent " << ox << "/"
                        << dx.size() << " " << oy << "/" << dy.size() << " got " << gx.size() << " " << gy.size()
                        << " t=" << (clock.now() - Instant{int64_t(seed) * 999999937}).to_s();
        EXPECT_EQ(x->error(), 0) << "seed " << seed;
        EXPECT_EQ(y->error(), 0) << "seed " << seed;
        EXPECT_EQ(gx, dy) << "seed " << seed;
        EXPECT_EQ(gy, dx) << "seed " << seed;
        both_synack += synack[0] && synack[1];  // both went SYN-SENT -> SYN-RECEIVED
        both_time_wait += x->state() == TcpState::TimeWait && y->state() == TcpState::TimeWait;  // via CLOSING
    }
    EXPECT_GT(both_synack, 150);
    EXPECT_GT(both_time_wait, 150);
}

}  // namespace
