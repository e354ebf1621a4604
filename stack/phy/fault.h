// Fault injector middleware: seeded, reproducible drop, duplicate, reorder, bit corruption, delay and
// rate limiting, separately for each direction. Every fault is counted in FaultStats.
#pragma once

#include "phy/device.h"

#include <deque>
#include <random>

namespace nic {

struct FaultConfig {
    double drop = 0;        // probability a frame is lost
    double duplicate = 0;   // probability a frame is delivered twice
    double reorder = 0;     // probability a frame is held back and released after the next one
    double corrupt = 0;     // probability one random bit of the frame is flipped
    Duration delay{};       // fixed extra delay
    Duration jitter{};      // uniform extra delay in [0, jitter]
    uint64_t rate_bps = 0;  // token bucket rate in bits/s (0: unlimited); over-rate frames dropped
    size_t bucket_bytes = 16384;
    Duration reorder_max_hold = Duration::from_ms(10);  // a held frame is released after this at the latest
};

struct FaultStats {
    uint64_t passed = 0, dropped = 0, duplicated = 0, reordered = 0, corrupted = 0, delayed = 0,
             rate_limited = 0;
};

class FaultInjector : public DeviceWrapper {
public:
    FaultInjector(Device& inner, uint64_t seed, FaultConfig tx = {}, FaultConfig rx = {});
    bool transmit(Instant now, ConstBytes f) override;
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override;
    Instant next_deadline() const override;
    void set_config(FaultConfig tx, FaultConfig rx) { dir_[0].cfg = tx; dir_[1].cfg = rx; }
    const FaultStats& tx_stats() const { return dir_[0].stats; }
    const FaultStats& rx_stats() const { return dir_[1].stats; }
    uint64_t seed() const { return seed_; }

private:
    struct Held {
        Instant at;
        uint64_t order;
        Frame frame;
        RxInfo info;  // receive direction: the inner device's verdicts travel with the frame
    };
    struct Direction {
        FaultConfig cfg;
        FaultStats stats;
        std::deque<Held> q;        // sorted by (at, order)
        bool have_held = false;    // reorder: one frame waiting to go after its successor
        Held held;
        double tokens = 0;
        Instant last_refill{};
        bool bucket_init = false;
    };
    // Applies the faults to one frame; the survivors land in d.q with their release time.
    void inject(Direction& d, Instant now, Frame f, RxInfo info = {});
    void enqueue(Direction& d, Instant at, Frame f, RxInfo info = {});
    void release_held(Direction& d, Instant now);
    void flush_tx(Instant now);

    uint64_t seed_;
    std::mt19937_64 rng_;
    uint64_t order_ = 0;
    Direction dir_[2];  // 0 = tx, 1 = rx
};

}  // namespace nic
