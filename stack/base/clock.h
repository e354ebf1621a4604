// Time for the stack: Instants and Durations are passed in by the caller, never read from a hidden
// global, so the same code runs on a virtual clock in unit tests, on the wall clock on a TAP device and
// (later) on SystemC time above the driver. Nanosecond resolution, signed 64-bit (292 years).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace nic {

struct Duration {
    int64_t ns = 0;
    static constexpr Duration from_ns(int64_t v) { return Duration{v}; }
    static constexpr Duration from_us(int64_t v) { return Duration{v * 1000}; }
    static constexpr Duration from_ms(int64_t v) { return Duration{v * 1000000}; }
    static constexpr Duration from_s(int64_t v) { return Duration{v * 1000000000}; }
    static constexpr Duration max() { return Duration{std::numeric_limits<int64_t>::max()}; }
    constexpr double to_ms() const { return double(ns) / 1e6; }
    constexpr double to_s() const { return double(ns) / 1e9; }
    constexpr Duration operator+(Duration o) const { return Duration{ns + o.ns}; }
    constexpr Duration operator-(Duration o) const { return Duration{ns - o.ns}; }
    constexpr Duration operator*(int64_t k) const { return Duration{ns * k}; }
    constexpr bool operator<(Duration o) const { return ns < o.ns; }
    constexpr bool operator<=(Duration o) const { return ns <= o.ns; }
    constexpr bool operator>(Duration o) const { return ns > o.ns; }
    constexpr bool operator>=(Duration o) const { return ns >= o.ns; }
    constexpr bool operator==(Duration o) const { return ns == o.ns; }
    constexpr bool operator!=(Duration o) const { return ns != o.ns; }
};

struct Instant {
    int64_t ns = 0;  // since an arbitrary epoch chosen by the clock
    static constexpr Instant from_ns(int64_t v) { return Instant{v}; }
    static constexpr Instant max() { return Instant{std::numeric_limits<int64_t>::max()}; }
    constexpr bool is_max() const { return ns == std::numeric_limits<int64_t>::max(); }
    // Saturating: adding to Instant::max() (no deadline) stays "never".
    constexpr Instant operator+(Duration d) const {
        if (is_max() || d.ns >= std::numeric_limits<int64_t>::max() - ns) return max();
        return Instant{ns + d.ns};
    }
    constexpr Instant operator-(Duration d) const { return Instant{ns - d.ns}; }
    constexpr Duration operator-(Instant o) const { return Duration{ns - o.ns}; }
    constexpr bool operator<(Instant o) const { return ns < o.ns; }
    constexpr bool operator<=(Instant o) const { return ns <= o.ns; }
    constexpr bool operator>(Instant o) const { return ns > o.ns; }
    constexpr bool operator>=(Instant o) const { return ns >= o.ns; }
    constexpr bool operator==(Instant o) const { return ns == o.ns; }
    constexpr bool operator!=(Instant o) const { return ns != o.ns; }
};

inline Instant min(Instant a, Instant b) { return a < b ? a : b; }
std::string to_string(Instant t);  // "12.345678s"

// A source of the current time for the code at the edge (apps, the socket API's blocking calls, the
// runners). The protocol code below it only ever sees the Instant it is handed.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
};

// Tests and the in-memory link: time moves only when told to.
class VirtualClock : public Clock {
public:
    explicit VirtualClock(Instant start = Instant{0}) : now_(start) {}
    Instant now() const override { return now_; }
    void advance(Duration d) { now_ = now_ + d; }
    void advance_to(Instant t) {
        if (t > now_) now_ = t;
    }

private:
    Instant now_;
};

// CLOCK_MONOTONIC: for TAP, where Linux on the other side runs in real time.
class WallClock : public Clock {
public:
    Instant now() const override;
};

}  // namespace nic
