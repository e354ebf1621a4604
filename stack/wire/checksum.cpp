// RFC 1071 checksum, RFC 1624 incremental update. Used by every emitter and parser in wire/ and by
// the Stack for the echo reply (type word changed in place) and the model NIC's verdicts.
#include "wire/checksum.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nic {

namespace {

// Sum of the four 16-bit lanes of x.
inline uint64_t lane_sum(uint64_t x) { return (x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48); }

// The sum of the big-endian 16-bit words is exactly 256 * (bytes at even offsets) + (bytes at odd
// offsets), an odd trailing byte counting as even (zero padding). Every loop below adds the two
// byte classes into exact 64-bit totals; the result is the same 64-bit sum as adding word by word,
// folded the same way (RFC 1071 section 2(B): deferred carries), so every implementation is
// bit-identical (tests/stack/wire/test_checksum.cpp). With Copy, each block is also stored to `d`
// as it is summed: the payload is read once for both (copy and checksum in one pass).
struct Sums {
    uint64_t even = 0, odd = 0;
};

// Eight bytes at a time: the two byte classes split with a mask into four 16-bit lanes each; a lane
// takes at most 257 bytes of 255 before it could overflow, then the lanes are added into the totals.
template <bool Copy>
void sum_portable(const uint8_t*& p, uint8_t*& d, size_t& n, Sums& s) {
    constexpr uint64_t kLow = 0x00ff00ff00ff00ffull;
    while (n >= 8) {
        size_t words = std::min<size_t>(n / 8, 257);
        uint64_t lo = 0, hi = 0;  // lanes of the bytes at memory offsets 0,2,4,6 and 1,3,5,7
        for (size_t k = 0; k < words; ++k, p += 8) {
            uint64_t w;
            std::memcpy(&w, p, 8);
            if constexpr (Copy) {
                std::memcpy(d, &w, 8);
                d += 8;
            }
            lo += w & kLow;
            hi += (w >> 8) & kLow;
        }
        n -= words * 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        s.even += lane_sum(hi);  // big-endian load: the low byte of a lane is the odd offset
        s.odd += lane_sum(lo);
#else
        s.even += lane_sum(lo);
        s.odd += lane_sum(hi);
#endif
    }
}

#if defined(__SSE2__) && defined(__x86_64__)
// Sixteen bytes at a time (x86 is little-endian: the low byte of each 16-bit lane is at the even
// offset): PSADBW adds the masked bytes of each half into a 64-bit lane, which cannot overflow.
template <bool Copy>
void sum_sse2(const uint8_t*& p, uint8_t*& d, size_t& n, Sums& s) {
    if (n < 16) return;
    const __m128i mask = _mm_set1_epi16(0x00ff), zero = _mm_setzero_si128();
    __m128i ev = zero, od = zero;
    for (; n >= 16; n -= 16, p += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        if constexpr (Copy) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(d), v);
            d += 16;
        }
        ev = _mm_add_epi64(ev, _mm_sad_epu8(_mm_and_si128(v, mask), zero));
        od = _mm_add_epi64(od, _mm_sad_epu8(_mm_srli_epi16(v, 8), zero));
    }
    s.even += uint64_t(_mm_cvtsi128_si64(ev)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(ev, ev)));
    s.odd += uint64_t(_mm_cvtsi128_si64(od)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(od, od)));
}

// The same with AVX2, 64 bytes per iteration in two independent chains; chosen at run time when
// the CPU has it (the build stays for any x86-64).
template <bool Copy>
__attribute__((target("avx2"))) void sum_avx2(const uint8_t*& p, uint8_t*& d, size_t& n, Sums& s) {
    if (n < 64) return;
    const __m256i mask = _mm256_set1_epi16(0x00ff), zero = _mm256_setzero_si256();
    __m256i ev0 = zero, od0 = zero, ev1 = zero, od1 = zero;
    for (; n >= 64; n -= 64, p += 64) {
        __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        if constexpr (Copy) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(d), a);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + 32), b);
            d += 64;
        }
        ev0 = _mm256_add_epi64(ev0, _mm256_sad_epu8(_mm256_and_si256(a, mask), zero));
        od0 = _mm256_add_epi64(od0, _mm256_sad_epu8(_mm256_srli_epi16(a, 8), zero));
        ev1 = _mm256_add_epi64(ev1, _mm256_sad_epu8(_mm256_and_si256(b, mask), zero));
        od1 = _mm256_add_epi64(od1, _mm256_sad_epu8(_mm256_srli_epi16(b, 8), zero));
    }
    alignas(32) uint64_t e[4], o[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(e), _mm256_add_epi64(ev0, ev1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(o), _mm256_add_epi64(od0, od1));
    s.even += e[0] + e[1] + e[2] + e[3];
    s.odd += o[0] + o[1] + o[2] + o[3];
}

ChecksumImpl best_impl() { return __builtin_cpu_supports("avx2") ? ChecksumImpl::Avx2 : ChecksumImpl::Sse2; }
#else
ChecksumImpl best_impl() { return ChecksumImpl::Portable; }
#endif

ChecksumImpl g_impl = best_impl();

template <bool Copy>
uint32_t sum_impl(const uint8_t* p, uint8_t* d, size_t n, uint32_t acc) {
    Sums s;
#if defined(__SSE2__) && defined(__x86_64__)
    if (g_impl == ChecksumImpl::Avx2) sum_avx2<Copy>(p, d, n, s);
    if (g_impl != ChecksumImpl::Portable) sum_sse2<Copy>(p, d, n, s);
#endif
    sum_portable<Copy>(p, d, n, s);
    for (size_t i = 0; i < n; ++i) {  // p is at an even offset here
        (i % 2 ? s.odd : s.even) += p[i];
        if constexpr (Copy) d[i] = p[i];
    }
    uint64_t sum = uint64_t(acc) + (s.even << 8) + s.odd;
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return uint32_t(sum);
}

}  // namespace

ChecksumImpl checksum_impl() { return g_impl; }

bool checksum_select(ChecksumImpl impl) {
    ChecksumImpl best = best_impl();
    if (int(impl) > int(best)) return false;  // the CPU (or build) does not have it
    g_impl = impl;
    return true;
}

uint32_t checksum_add(ConstBytes data, uint32_t acc) { return sum_impl<false>(data.data, nullptr, data.size, acc); }

uint32_t checksum_copy(uint8_t* dst, ConstBytes src, uint32_t acc) {
    return sum_impl<true>(src.data, dst, src.size, acc);
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
