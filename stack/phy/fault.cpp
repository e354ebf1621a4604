// Fault injector. Transmit: faults applied, survivors wait in a queue until their release time and
// are handed to the inner device from transmit()/receive()/next_deadline() driven polls.
// Receive: frames pulled from the inner device go through the same faults before the stack sees them.
#include "phy/fault.h"

#include <algorithm>

namespace nic {

FaultInjector::FaultInjector(Device& inner, uint64_t seed, FaultConfig tx, FaultConfig rx)
    : DeviceWrapper(inner), seed_(seed), rng_(seed) {
    dir_[0].cfg = tx;
    dir_[1].cfg = rx;
}

void FaultInjector::enqueue(Direction& d, Instant at, Frame f, RxInfo info) {
    Held h{at, order_++, std::move(f), info};
    auto pos = std::upper_bound(d.q.begin(), d.q.end(), h, [](const Held& a, const Held& b) {
        return a.at < b.at || (a.at == b.at && a.order < b.order);
    });
    d.q.insert(pos, std::move(h));
}

void FaultInjector::release_held(Direction& d, Instant now) {
    if (d.have_held && d.held.at <= now) {
        d.have_held = false;
        enqueue(d, now, std::move(d.held.frame), d.held.info);
    }
}

void FaultInjector::inject(Direction& d, Instant now, Frame f, RxInfo info) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const FaultConfig& c = d.cfg;
    if (c.rate_bps) {
        // Token bucket: refill at rate_bps/8 bytes per second, up to bucket_bytes.
        if (!d.bucket_init) {
            d.bucket_init = true;
            d.tokens = double(c.bucket_bytes);
            d.last_refill = now;
        }
        d.tokens = std::min(double(c.bucket_bytes), d.tokens + (now - d.last_refill).to_s() * double(c.rate_bps) / 8.0);
        d.last_refill = now;
        if (d.tokens < double(f.size())) {
            ++d.stats.rate_limited;
            return;
        }
        d.tokens -= double(f.size());
    }
    if (c.drop > 0 && u(rng_) < c.drop) {
        ++d.stats.dropped;
        return;
    }
    if (c.corrupt > 0 && !f.empty() && u(rng_) < c.corrupt) {
        size_t bit = size_t(rng_() % (f.size() * 8));
        f[bit / 8] ^= uint8_t(1u << (bit % 8));
        ++d.stats.corrupted;
        info = RxInfo{};  // damaged after the device looked at it: its verdict no longer holds
    }
    Duration extra = c.delay;
    if (c.jitter.ns > 0) extra = extra + Duration{int64_t(rng_() % uint64_t(c.jitter.ns + 1))};
    if (extra.ns > 0) ++d.stats.delayed;
    Instant at = now + extra;
    int copies = (c.duplicate > 0 && u(rng_) < c.duplicate) ? 2 : 1;
    if (copies == 2) ++d.stats.duplicated;
    for (int i = 0; i < copies; ++i) {
        Frame g = (i + 1 == copies) ? std::move(f) : f;
        ++d.stats.passed;
        if (!d.have_held && c.reorder > 0 && u(rng_) < c.reorder) {
            // Hold this frame; it goes out right after the next frame (or after reorder_max_hold).
            d.have_held = true;
            d.held = Held{at + c.reorder_max_hold, 0, std::move(g), info};
            ++d.stats.reordered;
            continue;
        }
        enqueue(d, at, std::move(g), info);
        if (d.have_held) {
            d.have_held = false;
            enqueue(d, at, std::move(d.held.frame), d.held.info);
        }
    }
}

void FaultInjector::flush_tx(Instant now) {
    Direction& d = dir_[0];
    release_held(d, now);
    // The inner device may refuse (full); the frame is then lost as on a real full ring, counted there.
    while (!d.q.empty() && d.q.front().at <= now) {
        Held h = std::move(d.q.front());
        d.q.pop_front();
        inner_.transmit(now, h.frame);
    }
}

bool FaultInjector::transmit(Instant now, ConstBytes f) {
    flush_tx(now);
    inject(dir_[0], now, f.to_vector());
    flush_tx(now);
    return true;
}

bool FaultInjector::receive(Instant now, Frame& out, RxInfo& info) {
    flush_tx(now);  // the stack polls receive regularly: delayed tx frames go out on time
    Direction& d = dir_[1];
    Frame f;
    RxInfo fi;
    while (inner_.receive(now, f, fi)) inject(d, now, std::move(f), fi);
    release_held(d, now);
    if (!d.q.empty() && d.q.front().at <= now) {
        out = std::move(d.q.front().frame);
        info = d.q.front().info;
        d.q.pop_front();
        return true;
    }
    return false;
}

Instant FaultInjector::next_deadline() const {
    Instant t = inner_.next_deadline();
    for (const auto& d : dir_) {
        if (!d.q.empty()) t = min(t, d.q.front().at);
        if (d.have_held) t = min(t, d.held.at);
    }
    return t;
}

}  // namespace nic
