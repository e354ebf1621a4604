// A TCP-only test channel: two TcpMux hosts joined by a seeded, faulty, rate-limited segment link on
// a virtual clock. Every segment is emitted to bytes (with the IPv4 pseudo-header checksum) and
// parsed back, so bit corruption is real and caught by the checksum (and counted). Faults per
// direction: loss, duplication, reordering (extra delay), corruption of one random bit. The link
// has a serialisation rate (Ethernet framing overhead included) and a one-way propagation delay.
// Used by the 1,000-seed transfer test and by bench/tcp. The full-stack version (Stack + MemLink +
// FaultInjector) replaces it once the stack's TCP integration lands.
#pragma once

#include "base/clock.h"
#include "tcp/tcp_mux.h"
#include "tcp/tcp_wire.h"

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

namespace nic::test {

struct ChannelConfig {
    double loss = 0, duplicate = 0, reorder = 0, corrupt = 0;  // probabilities per segment
    Duration delay = Duration::from_us(50);                    // one-way propagation
    Duration reorder_extra = Duration::from_ms(2);             // a reordered segment is held this much longer
    double rate_bps = 0;                                       // 0: infinitely fast link
    // false: as a NIC with TCP checksum offload both ways (ChecksumCaps::all()), the checksum is
    // neither filled nor verified; corruption then goes undetected, so only fault-free runs use it.
    bool checksum = true;
};

struct ChannelStats {
    uint64_t sent = 0, lost = 0, duplicated = 0, reordered = 0, corrupted = 0, delivered = 0;
    uint64_t bad_checksum = 0, parse_errors = 0;
    uint64_t wire_bytes = 0;
};

// Ethernet bytes on the wire for an IP packet: header 14 + FCS 4, padded to 64, + preamble/SFD 8
// + inter-frame gap 12 (IEEE 802.3 clause 4.4.2).
inline size_t ethernet_wire_bytes(size_t ip_len) {
    size_t frame = ip_len + 18;
    if (frame < 64) frame = 64;
    return frame + 20;
}

class TcpChannel {
public:
    TcpChannel(VirtualClock& clock, TcpMux& a, Ipv4Addr ip_a, TcpMux& b, Ipv4Addr ip_b, ChannelConfig cfg, uint64_t seed)
        : clock_(clock), cfg_(cfg), rng_(seed) {
        host_[0] = {&a, ip_a};
        host_[1] = {&b, ip_b};
    }

    // Moves every segment both hosts want to send onto the link, then advances the clock to the
    // next event (a delivery or a timer) and handles it. Returns false when nothing at all is
    // pending (idle) or `deadline` is reached.
    bool step(Instant deadline = Instant::max()) {
        flush();
        Instant t = next_event();
        if (t.is_max() || t > deadline) return false;
        clock_.advance_to(t);
        deliver_due();
        return true;
    }
    // Runs until `done()` or the virtual deadline; returns done().
    bool run_until(const std::function<bool()>& done, Instant deadline) {
        while (!done()) {
            if (!step(deadline)) {
                flush();
                return done();
            }
        }
        return true;
    }
    // Sends everything the hosts have ready at the current time.
    void flush() {
        for (int h = 0; h < 2; ++h)
            while (auto o = host_[h].mux->poll_transmit(clock_.now())) transmit(h, *o);
    }
    Instant next_event() const {
        Instant t = min(host_[0].mux->next_deadline(), host_[1].mux->next_deadline());
        if (!q_.empty()) t = min(t, q_.top().at);
        return t;
    }
    const ChannelStats& stats() const { return st_; }
    ChannelConfig& config() { return cfg_; }
    // Segments seen on the wire in each direction (after faults), for tests that look at them.
    std::function<void(int from, const TcpRepr&)> tap;

private:
    struct Host {
        TcpMux* mux = nullptr;
        Ipv4Addr ip;
    };
    struct Packet {
        Instant at;
        uint64_t order;
        int to;
        std::vector<uint8_t> bytes;
        bool operator<(const Packet& o) const { return at == o.at ? order > o.order : at > o.at; }
    };

    bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    void transmit(int from, const TcpOut& o) {
        ++st_.sent;
        std::vector<uint8_t> buf = take_buffer();
        buf.resize(tcp_header_len(o.repr) + o.repr.payload.size);
        size_t n = emit_tcp(o.repr, o.src, o.dst, buf, cfg_.checksum);
        buf.resize(n);
        size_t wire = ethernet_wire_bytes(n + 20);
        st_.wire_bytes += wire;
        // Serialisation: the link sends one frame at a time at rate_bps.
        Instant start = clock_.now() > busy_[from] ? clock_.now() : busy_[from];
        Instant done = start;
        if (cfg_.rate_bps > 0) done = start + Duration{int64_t(double(wire) * 8e9 / cfg_.rate_bps)};
        busy_[from] = done;
        if (chance(cfg_.loss)) {
            ++st_.lost;
            give_buffer(std::move(buf));
            return;
        }
        int copies = 1;
        if (chance(cfg_.duplicate)) {
            ++st_.duplicated;
            copies = 2;
        }
        for (int c = 0; c < copies; ++c) {
            Packet p{done + cfg_.delay, order_++, 1 - from, c + 1 < copies ? buf : std::move(buf)};
            if (chance(cfg_.reorder)) {
                ++st_.reordered;
                p.at = p.at + cfg_.reorder_extra;
            }
            if (chance(cfg_.corrupt) && !p.bytes.empty()) {
                ++st_.corrupted;
                size_t bit = std::uniform_int_distribution<size_t>(0, p.bytes.size() * 8 - 1)(rng_);
                p.bytes[bit / 8] ^= uint8_t(1u << (bit % 8));
            }
            q_.push(std::move(p));
        }
    }

    void deliver_due() {
        while (!q_.empty() && q_.top().at <= clock_.now()) {
            // Moving out of top() is safe: the element is popped right after.
            Packet p = std::move(const_cast<Packet&>(q_.top()));
            q_.pop();
            Host& to = host_[p.to];
            Host& from = host_[1 - p.to];
            auto r = parse_tcp(p.bytes, from.ip, to.ip, cfg_.checksum);
            if (!r) {
                if (r.error() == WireError::BadChecksum)
                    ++st_.bad_checksum;
                else
                    ++st_.parse_errors;
                give_buffer(std::move(p.bytes));
                continue;
            }
            ++st_.delivered;
            if (tap) tap(1 - p.to, *r);
            to.mux->input(clock_.now(), from.ip, to.ip, *r);
            give_buffer(std::move(p.bytes));
            // Answer promptly: what the receiver wants to send now goes out at this instant.
            flush();
        }
    }

    // Recycled packet buffers: no allocation per segment once warmed up.
    std::vector<uint8_t> take_buffer() {
        if (pool_.empty()) return std::vector<uint8_t>(2048);
        std::vector<uint8_t> b = std::move(pool_.back());
        pool_.pop_back();
        return b;
    }
    void give_buffer(std::vector<uint8_t>&& b) {
        if (pool_.size() < 4096) pool_.push_back(std::move(b));
    }

    VirtualClock& clock_;
    ChannelConfig cfg_;
    std::vector<std::vector<uint8_t>> pool_;
    std::mt19937_64 rng_;
    Host host_[2];
    Instant busy_[2]{};
    std::priority_queue<Packet> q_;
    uint64_t order_ = 0;
    ChannelStats st_;
};

}  // namespace nic::test
