// The fuzz harness shared by the libFuzzer target (fuzz_tcp_segment, built with Clang) and the
// seeded gtest that runs the same code under the normal build (test_stack_tcp_fuzz). An input is
// a script of actions against a listening socket and an established connection (with data queued
// both ways): arbitrary segments (raw bytes through parse_tcp, optionally re-anchored near the
// connection's RCV.NXT / SND.UNA so they reach deep states), clock advances and application calls.
// After every action everything the sockets want to send is drained. Checked: nothing crashes, no
// poll_transmit loop runs away, and no timer is left due (which would make a caller spin).
#pragma once

#include "tcp/tcp_listener.h"
#include "tcp/tcp_socket.h"
#include "tcp/tcp_wire.h"

#include <memory>
#include <string>
#include <vector>

namespace nic::test {

inline std::string tcp_fuzz_one(const uint8_t* data, size_t size) {
    const Ipv4Addr kL(10, 0, 0, 1), kR(10, 0, 0, 2);
    if (size < 1) return "";
    TcpConfig cfg;
    cfg.timestamps = data[0] & 1;
    cfg.sack = data[0] & 2;
    cfg.window_scale = data[0] & 4;
    cfg.nodelay = data[0] & 8;
    cfg.rcvbuf = (data[0] & 16) ? 3000 : 65536;
    cfg.sndbuf = 20000;
    cfg.max_ooo_ranges = 4;
    ++data, --size;
    VirtualClock clock{Instant{1000000000}};
    IsnGenerator isn(1);
    TcpListener listener(cfg, Endpoint{kL, 80}, 2, &isn, 4);
    std::vector<std::shared_ptr<TcpSocket>> accepted;
    auto s = std::make_shared<TcpSocket>(cfg);
    s->connect(clock.now(), Endpoint{kL, 40000}, Endpoint{kR, 80}, SeqNum(1000));
    while (s->poll_transmit(clock.now())) {
    }
    TcpRepr sa;
    sa.src_port = 80;
    sa.dst_port = 40000;
    sa.seq = SeqNum(5000);
    sa.ack = SeqNum(1001);
    sa.flags = TcpFlags(TcpFlags::kSyn | TcpFlags::kAck);
    sa.window = 65535;
    sa.options.mss = 1000;
    sa.options.wscale = 2;
    sa.options.sack_permitted = true;
    sa.options.ts = TcpTimestamp{1, 0};
    s->on_segment(clock.now(), sa);
    std::vector<uint8_t> junk(5000, 0x5a);
    s->send(clock.now(), junk);
    std::vector<uint8_t> buf(4096);

    auto drain = [&](TcpSocket& x) -> std::string {
        for (int n = 0;; ++n) {
            if (n > 100000) return "poll_transmit does not stop";
            if (!x.poll_transmit(clock.now())) break;
        }
        if (x.next_deadline() <= clock.now()) return "a timer is left due after poll_transmit";
        return "";
    };
    auto drain_all = [&]() -> std::string {
        std::string e = drain(*s);
        if (!e.empty()) return e;
        for (auto& a : accepted)
            if (!(e = drain(*a)).empty()) return "accepted: " + e;
        for (int n = 0; listener.poll_transmit(clock.now()); ++n)
            if (n > 100000) return "listener poll_transmit does not stop";
        return "";
    };
    while (size >= 3) {
        uint8_t sel = data[0];
        size_t len = rd16(data + 1) % 256;
        data += 3;
        size -= 3;
        if (len > size) len = size;
        ConstBytes chunk(data, len);
        data += len;
        size -= len;
        switch (sel & 7) {
        case 0:
        case 1:
        case 2:
        case 3: {
            auto p = parse_tcp(chunk, kR, kL, false);
            if (!p) break;
            TcpRepr r = *p;
            if (sel & 0x10) {
                // Re-anchor near the connection's edges so the deep paths are reached.
                int32_t ds = int8_t(chunk.size > 4 ? chunk[4] : 0), da = int8_t(chunk.size > 8 ? chunk[8] : 0);
                r.seq = s->rcv_nxt() + uint32_t(ds * 97);
                r.ack = s->snd_una() + uint32_t(da * 61);
                r.src_port = 80;
                r.dst_port = 40000;
            }
            if (sel & 0x08) {
                r.dst_port = 80;
                auto a = listener.on_segment(clock.now(), kR, kL, r);
                if (a && accepted.size() < 8) accepted.push_back(a);
                for (auto& x : accepted)
                    if (x->remote().port == r.src_port) x->on_segment(clock.now(), r);
            } else {
                s->on_segment(clock.now(), r);
            }
            break;
        }
        case 4:
            clock.advance(Duration::from_ms(int64_t(len) * (sel >> 3)));
            break;
        case 5: {
            TcpSocket& x = (sel & 0x80) && !accepted.empty() ? *accepted[0] : *s;
            switch ((sel >> 3) & 7) {
            case 0: x.recv(clock.now(), buf); break;
            case 1: x.send(clock.now(), chunk); break;
            case 2: x.shutdown(clock.now(), false, true); break;
            case 3: x.close(clock.now()); break;
            case 4: if (len == 7) x.abort(clock.now()); break;
            case 5: x.set_cork(len & 1); break;
            case 6: x.set_keepalive(clock.now(), len & 1); break;
            default: x.on_icmp_error(clock.now(), 113, len & 1); break;
            }
            break;
        }
        default:
            // Let the timers run to their next deadline.
            if (!s->next_deadline().is_max()) clock.advance_to(s->next_deadline());
            break;
        }
        std::string e = drain_all();
        if (!e.empty()) return e;
        (void)s->info();
        (void)listener.accept();
    }
    return "";
}

}  // namespace nic::test
