// TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 section 3.4, "the comparison
// must use modular arithmetic"). a < b means b lies in the 2^31 numbers after a.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nic {

struct SeqNum {
    uint32_t v = 0;
    constexpr SeqNum() = default;
    constexpr explicit SeqNum(uint32_t x) : v(x) {}
    constexpr SeqNum operator+(uint32_t n) const { return SeqNum(v + n); }
    constexpr SeqNum operator-(uint32_t n) const { return SeqNum(v - n); }
    SeqNum& operator+=(uint32_t n) {
        v += n;
        return *this;
    }
    // Signed distance a - b; meaningful when the two are within 2^31 of each other.
    constexpr int32_t operator-(SeqNum o) const { return int32_t(v - o.v); }
    constexpr bool operator==(SeqNum o) const { return v == o.v; }
    constexpr bool operator!=(SeqNum o) const { return v != o.v; }
    constexpr bool operator<(SeqNum o) const { return int32_t(v - o.v) < 0; }
    constexpr bool operator<=(SeqNum o) const { return int32_t(v - o.v) <= 0; }
    constexpr bool operator>(SeqNum o) const { return int32_t(v - o.v) > 0; }
    constexpr bool operator>=(SeqNum o) const { return int32_t(v - o.v) >= 0; }
};

inline SeqNum seq_max(SeqNum a, SeqNum b) { return a < b ? b : a; }
inline SeqNum seq_min(SeqNum a, SeqNum b) { return a < b ? a : b; }
// Unsigned length of [a, b) for a <= b (0 otherwise).
inline uint32_t seq_len(SeqNum a, SeqNum b) { return b > a ? uint32_t(b - a) : 0; }

}  // namespace nic
