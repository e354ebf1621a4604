// Wire and TapBridge (see wire.h).
//   NicModule::on_line_tx -> Wire::carry -> faults -> capture -> NicModule::deliver (far end)
//   TapBridge::thread -> TapDevice::receive -> Wire::from_tap -> NicModule::deliver (A)
#include "cosim/wire.h"

#include "mac/gmii_ref.h"
#include "phy/device.h"

#include <chrono>
#include <thread>

namespace nic::cosim {

namespace {
uint64_t wire_delay_cycles(uint64_t ns) { return std::max<uint64_t>(1, (ns + kCycleNs / 2) / kCycleNs); }
}  // namespace

Wire::Wire(sc_core::sc_module_name name, const WireConfig& cfg)
    : sc_module(name), cfg_(cfg), delay_(wire_delay_cycles(cfg.delay_ns)) {
    dir_[0].rng.seed(cfg.seed * 2 + 11);
    dir_[1].rng.seed(cfg.seed * 2 + 12);
    for (Dir& d : dir_)
        if (cfg_.ber > 0) d.bits_to_error = std::geometric_distribution<uint64_t>(cfg_.ber)(d.rng);
}

Wire::~Wire() { finish(); }

bool Wire::open_pcap(const std::string& path, std::string& err) {
    if (pcap_.open(path)) return true;
    err = pcap_.error();
    return false;
}

void Wire::connect(NicModule& a, NicModule& b) {
    nic_[0] = &a;
    nic_[1] = &b;
    a.on_line_tx = [this](sim::LineBurst&& bu) { carry(0, std::move(bu)); };
    b.on_line_tx = [this](sim::LineBurst&& bu) { carry(1, std::move(bu)); };
    a.input_horizon = [this] { return nic_[1]->cycle() + delay_; };
    b.input_horizon = [this] { return nic_[0]->cycle() + delay_; };
    a.peer_progress = &b.progress;
    b.peer_progress = &a.progress;
    if (cfg_.link_down_at_ns) {
        for (NicModule* n : nic_) {
            n->schedule_link(cfg_.link_down_at_ns / kCycleNs, false);
            if (cfg_.link_up_at_ns > cfg_.link_down_at_ns) n->schedule_link(cfg_.link_up_at_ns / kCycleNs, true);
        }
    }
}

void Wire::connect(NicModule& a, TapBridge& t) {
    nic_[0] = &a;
    tap_ = &t;
    t.attach(*this);
    a.on_line_tx = [this](sim::LineBurst&& bu) { carry(0, std::move(bu)); };
    a.input_horizon = [this] { return tap_->next_poll_cycle() + delay_; };
    a.peer_progress = &t.progress;
}

bool Wire::decode(const ref::Symbols& s, std::vector<uint8_t>& frame) {
    frame.clear();
    if (s.size() < ref::kPreambleLen + 1 + ref::kMinFrame) return false;
    size_t i = 0;
    while (i < s.size() && s[i].d == ref::kPreambleByte && !s[i].er) ++i;
    if (i == 0 || i >= s.size() || s[i].d != ref::kSfd) return false;
    for (++i; i < s.size(); ++i) {
        if (s[i].er) return false;
        frame.push_back(s[i].d);
    }
    if (frame.size() < ref::kMinFrame) return false;
    const size_t n = frame.size() - ref::kFcsLen;
    uint32_t fcs = uint32_t(frame[n]) | uint32_t(frame[n + 1]) << 8 | uint32_t(frame[n + 2]) << 16 |
                   uint32_t(frame[n + 3]) << 24;
    frame.resize(n);
    return ref::crc32(frame) == fcs;
}

void Wire::carry(int from, sim::LineBurst&& b) {
    Dir& d = dir_[from];
    ++d.st.frames;
    const bool good = decode(b.symbols, scratch_);
    if (good) {
        d.st.bytes += scratch_.size();
        capture(b.start_cycle * kCycleNs, from, scratch_);
        if (cfg_.verify_checksums) {
            // The differential check of TX checksum offload: what the NIC put on the wire must be
            // what software computes (any Bad verdict is a wrong checksum in the sent frame).
            RxInfo v = model_rx_checksums(ConstBytes(scratch_.data(), scratch_.size()), ChecksumCaps::all());
            if (v.ipv4 == RxCsum::Bad || v.l4 == RxCsum::Bad) ++d.st.csum_bad;
        }
    } else {
        ++d.st.bad_bursts;
    }
    if (cfg_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(d.rng) < cfg_.loss) {
        ++d.st.lost;
        return;
    }
    if (cfg_.ber > 0) {
        // Errors fall on the continuous bit stream of this direction: the gap to the next one is
        // geometric, so the cost is per error, not per bit.
        const uint64_t bits = uint64_t(b.symbols.size()) * 8;
        uint64_t pos = 0;
        bool hit = false;
        while (d.bits_to_error < bits - pos) {
            pos += d.bits_to_error;
            b.symbols[pos / 8].d ^= uint8_t(1u << (pos % 8));
            ++d.st.bit_errors;
            hit = true;
            ++pos;
            d.bits_to_error = std::geometric_distribution<uint64_t>(cfg_.ber)(d.rng);
        }
        d.bits_to_error -= bits - pos;
        if (hit) ++d.st.damaged;
    }
    ++d.st.delivered;
    if (from == 0 && tap_) {
        if (good) tap_->send(scratch_);
        return;
    }
    const uint64_t at = std::max(b.end_cycle + delay_, d.next_free);
    d.next_free = at + b.symbols.size() + 12;
    nic_[1 - from]->deliver(at, std::move(b.symbols));
}

void Wire::from_tap(uint64_t cycle, const std::vector<uint8_t>& frame) {
    Dir& d = dir_[1];
    ++d.st.frames;
    d.st.bytes += frame.size();
    capture(cycle * kCycleNs, 1, frame);
    if (cfg_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(d.rng) < cfg_.loss) {
        ++d.st.lost;
        return;
    }
    ref::Symbols s;
    for (uint8_t byte : ref::wire_bytes(frame)) s.push_back(ref::GmiiSymbol{byte, true, false});
    ++d.st.delivered;
    const uint64_t at = std::max(cycle + delay_, d.next_free);
    d.next_free = at + s.size() + 12;
    nic_[0]->deliver(at, std::move(s));
}

uint64_t Wire::watermark() const {
    uint64_t w = nic_[0] ? nic_[0]->cycle() : 0;
    if (nic_[1]) w = std::min(w, nic_[1]->cycle());
    if (tap_) w = std::min(w, tap_->next_poll_cycle());
    return w * kCycleNs;
}

void Wire::capture(uint64_t time_ns, int from, const std::vector<uint8_t>& frame) {
    if (!pcap_.is_open()) return;
    pending_.emplace(std::make_pair(time_ns, from), frame);
    flush_capture(false);
}

void Wire::flush_capture(bool all) {
    // A burst is reported when it ends, at most one frame time (12.3 us) after it started: entries
    // older than every end's current time minus that can no longer be overtaken.
    const uint64_t horizon = watermark();
    const uint64_t safe = horizon > 20000 ? horizon - 20000 : 0;
    while (!pending_.empty() && (all || pending_.begin()->first.first < safe)) {
        auto it = pending_.begin();
        pcap_.write(it->first.first, it->second.data(), it->second.size());
        pending_.erase(it);
    }
}

void Wire::finish() {
    flush_capture(true);
    pcap_.close();
}

// ---------------------------------------------------------------- TAP

TapBridge::TapBridge(sc_core::sc_module_name name, TapDevice& tap, uint64_t poll_ns)
    : sc_module(name), tap_(tap), poll_cycles_(std::max<uint64_t>(1, poll_ns / kCycleNs)) {
    next_poll_ = poll_cycles_;
    SC_THREAD(thread);
}

void TapBridge::send(const std::vector<uint8_t>& frame) {
    if (tap_.transmit(Instant{}, ConstBytes(frame.data(), frame.size()))) ++tx_frames;
    else ++tx_errors;
}

void TapBridge::thread() {
    const auto wall0 = std::chrono::steady_clock::now();
    Frame f;
    for (;;) {
        wait(cycle_time(next_poll_) - sc_core::sc_time_stamp());
        const uint64_t now = now_cycle();
        while (tap_.receive(Instant{}, f)) {
            ++rx_frames;
            if (wire_) wire_->from_tap(now, f);
        }
        next_poll_ = now + poll_cycles_;
        progress.notify(sc_core::SC_ZERO_TIME);
        // Simulated time may not run ahead of the wall clock (Linux's timers are real).
        auto sim_elapsed = std::chrono::nanoseconds(int64_t(now * kCycleNs));
        auto wall_elapsed = std::chrono::steady_clock::now() - wall0;
        if (sim_elapsed > wall_elapsed) std::this_thread::sleep_for(sim_elapsed - wall_elapsed);
    }
}

}  // namespace nic::cosim
