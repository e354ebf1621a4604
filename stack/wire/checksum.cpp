// RFC 1071 checksum, RFC 1624 incremental update. Used by every emitter and parser in wire/ and by
// the Stack for the echo reply (type word changed in place) and the model NIC's verdicts.
#include "wire/checksum.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace nic {

namespace {

// Sum of the four 16-bit lanes of x.
inline uint64_t lane_sum(uint64_t x) { return (x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48); }

}  // namespace

uint32_t checksum_add(ConstBytes data, uint32_t acc) {
    // The sum of the big-endian 16-bit words is exactly 256 * (bytes at even offsets) + (bytes at odd
    // offsets), an odd trailing byte counting as even (zero padding). Eight bytes at a time, the two
    // byte classes are split with a mask into four 16-bit lanes each; a lane takes at most 257 bytes
    // of 255 before it could overflow, then the lanes are added into exact totals. The result is the
    // same 64-bit sum as adding word by word, folded the same way (RFC 1071 section 2(B): deferred
    // carries), so callers see bit-identical values (tests/stack/wire/test_checksum.cpp). On x86-64 an
    // SSE2 loop takes the bulk first; the portable loop takes what is left.
    constexpr uint64_t kLow = 0x00ff00ff00ff00ffull;
    const uint8_t* p = data.data;
    size_t n = data.size;
    uint64_t even = 0, odd = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    // Sixteen bytes at a time (x86 is little-endian: the low byte of each 16-bit lane is at the even
    // offset): PSADBW adds the masked bytes of each half into a 64-bit lane, which cannot overflow.
    if (n >= 16) {
        const __m128i mask = _mm_set1_epi16(0x00ff), zero = _mm_setzero_si128();
        __m128i ev = zero, od = zero;
        for (; n >= 16; n -= 16, p += 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            ev = _mm_add_epi64(ev, _mm_sad_epu8(_mm_and_si128(v, mask), zero));
            od = _mm_add_epi64(od, _mm_sad_epu8(_mm_srli_epi16(v, 8), zero));
        }
        even += uint64_t(_mm_cvtsi128_si64(ev)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(ev, ev)));
        odd += uint64_t(_mm_cvtsi128_si64(od)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(od, od)));
    }
#endif
    while (n >= 8) {
        size_t words = std::min<size_t>(n / 8, 257);
        uint64_t lo = 0, hi = 0;  // lanes of the bytes at memory offsets 0,2,4,6 and 1,3,5,7
        for (size_t k = 0; k < words; ++k, p += 8) {
            uint64_t w;
            std::memcpy(&w, p, 8);
            lo += w & kLow;
            hi += (w >> 8) & kLow;
        }
        n -= words * 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        even += lane_sum(hi);  // big-endian load: the low byte of a lane is the odd offset
        odd += lane_sum(lo);
#else
        even += lane_sum(lo);
        odd += lane_sum(hi);
#endif
    }
    for (size_t i = 0; i < n; ++i) (i % 2 ? odd : even) += p[i];  // p is at an even offset here
    uint64_t sum = uint64_t(acc) + (even << 8) + odd;
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return uint32_t(sum);
}

uint16_t checksum_finish(uint32_t acc) {
    uint64_t sum = acc;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

uint32_t pseudo_header_sum(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t length) {
    return (src.v >> 16) + (src.v & 0xffff) + (dst.v >> 16) + (dst.v & 0xffff) + proto + length;
}

uint16_t checksum_update16(uint16_t hc, uint16_t old_word, uint16_t new_word) {
    uint32_t sum = uint32_t(uint16_t(~hc)) + uint16_t(~old_word) + new_word;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

}  // namespace nic
