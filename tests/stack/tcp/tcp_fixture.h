// Segment-level fixture: one TcpSocket driven with crafted segments from a pretend peer on a
// virtual clock; every segment the socket sends is captured (with a copy of its payload) so tests
// assert exactly what goes out and when (the lwIP / smoltcp way).
#pragma once

#include "tcp/tcp_listener.h"
#include "tcp/tcp_socket.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nic::test {

inline const Ipv4Addr kLocalIp(192, 0, 2, 1), kRemoteIp(192, 0, 2, 2);

struct Sent {
    TcpRepr r;
    std::vector<uint8_t> data;
    Instant at;
    uint32_t len() const { return uint32_t(data.size()); }
};

// Flags shorthand.
constexpr uint8_t S = TcpFlags::kSyn, A = TcpFlags::kAck, F = TcpFlags::kFin, R = TcpFlags::kRst,
                  P = TcpFlags::kPsh;

struct TcpFixture : ::testing::Test {
    VirtualClock clock{Instant{1000000000}};
    TcpConfig cfg;
    std::unique_ptr<TcpSocket> sock;
    Endpoint local{kLocalIp, 40000}, remote{kRemoteIp, 80};
    SeqNum iss{1000}, irs{5000};
    std::vector<uint8_t> payload_store;

    TcpFixture() {
        // Plain segments by default: tests that need the options turn them on.
        cfg.timestamps = false;
        cfg.sack = false;
        cfg.window_scale = false;
        cfg.rcvbuf = 65535;
        // The segment-level tests check RFC 5681/6582/6675 window arithmetic exactly; CUBIC (the
        // default) has its own tests.
        cfg.congestion = CcAlgo::NewReno;
    }
    Instant now() const { return clock.now(); }
    void advance(Duration d) { clock.advance(d); }
    void advance_to(Instant t) { clock.advance_to(t); }

    // The peer's ACK with SACK blocks (RFC 2018), counted in segments of `size` bytes numbered from
    // 0 at our ISS + 1: the ACK covers segments [0, ack), each block [first, second).
    TcpRepr sack_seg(uint32_t ack, const std::vector<std::pair<uint32_t, uint32_t>>& blocks, uint32_t size) {
        TcpRepr r = seg(TcpFlags::kAck, 1, 1 + ack * size);
        r.options.sack_count = uint8_t(blocks.size());
        for (size_t i = 0; i < blocks.size() && i < r.options.sack.size(); ++i)
            r.options.sack[i] = SackBlock{iss + 1 + blocks[i].first * size, iss + 1 + blocks[i].second * size};
        return r;
    }
    TcpRepr seg(uint8_t flags, uint32_t seq_off, uint32_t ack_off, uint16_t win = 65535, size_t len = 0) {
        TcpRepr r;
        r.src_port = remote.port;
        r.dst_port = local.port;
        r.seq = irs + seq_off;
        r.ack = iss + ack_off;
        r.flags = TcpFlags(flags);
        r.window = win;
        if (len) {
            payload_store.assign(len, 0);
            for (size_t i = 0; i < len; ++i) payload_store[i] = uint8_t(seq_off + i);
            r.payload = ConstBytes(payload_store.data(), len);
        }
        return r;
    }
    void in(const TcpRepr& r) { sock->on_segment(now(), r); }
    std::vector<Sent> out() {
        std::vector<Sent> v;
        while (auto r = sock->poll_transmit(now())) {
            Sent s{*r, r->payload.to_vector(), now()};
            s.r.payload = {};
            v.push_back(std::move(s));
            if (v.size() > 10000) break;
        }
        return v;
    }
    // Runs timers up to `until`, collecting what goes out at each deadline.
    std::vector<Sent> run_until(Instant until) {
        std::vector<Sent> v = out();
        for (;;) {
            Instant t = sock->next_deadline();
            if (t > until) break;
            advance_to(t);
            auto o = out();
            v.insert(v.end(), o.begin(), o.end());
        }
        advance_to(until);
        return v;
    }
    // Active open through SYN / SYN-ACK / ACK; the peer offers `peer_mss` and window `win`.
    void establish(uint16_t peer_mss = 1460, uint16_t win = 65535, TcpOptions extra = {}) {
        sock = std::make_unique<TcpSocket>(cfg);
        ASSERT_EQ(sock->connect(now(), local, remote, iss), 0);
        auto syn = out();
        ASSERT_EQ(syn.size(), 1u);
        TcpRepr sa = seg(S | A, 0, 1, win);
        sa.options = extra;
        sa.options.mss = peer_mss;
        in(sa);
        ASSERT_EQ(sock->state(), TcpState::Established);
        auto ack = out();
        ASSERT_EQ(ack.size(), 1u);
        ASSERT_EQ(ack[0].r.flags.bits, A);
    }
    long send_bytes(size_t n) {
        std::vector<uint8_t> d(n);
        for (size_t i = 0; i < n; ++i) d[i] = uint8_t(i);
        return sock->send(now(), d);
    }
    std::vector<uint8_t> read_all() {
        std::vector<uint8_t> v, buf(65536);
        for (;;) {
            long n = sock->recv(now(), buf);
            if (n <= 0) break;
            v.insert(v.end(), buf.begin(), buf.begin() + n);
        }
        return v;
    }
};

inline std::string describe(const std::vector<Sent>& v) {
    std::string s;
    for (const auto& x : v) s += "  " + x.r.str() + " len=" + std::to_string(x.data.size()) + "\n";
    return s;
}

}  // namespace nic::test
