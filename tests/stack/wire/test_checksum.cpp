// checksum_add (wire/checksum.cpp) sums eight bytes at a time; these tests hold it to the plain RFC 1071
// loop (one big-endian 16-bit word at a time, 64-bit sum, folded to 32 bits) bit for bit: every length
// 0..2048 at every alignment 0..7 of random bytes with a random running sum, all-0xff buffers (the
// most carries), and buffers long enough to fill the 16-bit lanes many times over. The seed is fixed
// and printed on failure (NIC_CHECKSUM_SEED overrides it).
#include "wire/checksum.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

using namespace nic;

namespace {

// The reference: RFC 1071 section 4.1, word by word, deferred carries folded at the end.
uint32_t reference_add(ConstBytes d, uint32_t acc) {
    uint64_t sum = acc;
    size_t i = 0;
    for (; i + 1 < d.size; i += 2) sum += (uint32_t(d.data[i]) << 8) | d.data[i + 1];
    if (i < d.size) sum += uint32_t(d.data[i]) << 8;
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return uint32_t(sum);
}

uint64_t test_seed() {
    const char* e = std::getenv("NIC_CHECKSUM_SEED");
    return e ? std::strtoull(e, nullptr, 0) : 0x1071;
}

}  // namespace

TEST(ChecksumAdd, MatchesWordByWordReferenceForEveryLengthAndAlignment) {
    const uint64_t seed = test_seed();
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> buf(2048 + 8);
    int failures = 0;
    for (size_t len = 0; len <= 2048 && failures < 10; ++len) {
        for (size_t align = 0; align < 8; ++align) {
            for (auto& b : buf) b = uint8_t(rng());
            // Small, large and all-ones running sums (the chaining callers pass the pseudo-header sum
            // or an earlier buffer's result, which can be anything up to 0xffffffff).
            for (uint32_t acc : {0u, uint32_t(rng()), 0xffffffffu}) {
                ConstBytes d(buf.data() + align, len);
                uint32_t want = reference_add(d, acc), got = checksum_add(d, acc);
                if (got != want && failures++ < 10)
                    ADD_FAILURE() << "seed " << seed << " length " << len << " alignment " << align << " acc 0x"
                                  << std::hex << acc << ": got 0x" << got << " want 0x" << want;
            }
        }
    }
}

TEST(ChecksumAdd, MatchesReferenceOnAllOnesAndLongBuffers) {
    const uint64_t seed = test_seed();
    std::mt19937_64 rng(seed);
    // All 0xff: every lane at its limit; lengths around the 257-word (2056-byte) block and up to
    // the 64 KiB an IPv4 datagram can hold, odd and even, at odd and even alignments.
    for (size_t len : {size_t(2055), size_t(2056), size_t(2057), size_t(4113), size_t(65535), size_t(65536),
                       size_t(200001)}) {
        for (size_t align : {size_t(0), size_t(1), size_t(3)}) {
            std::vector<uint8_t> ones(len + align, 0xff), rnd(len + align);
            for (auto& b : rnd) b = uint8_t(rng());
            for (uint32_t acc : {0u, 0xffffffffu, uint32_t(rng())}) {
                ConstBytes a(ones.data() + align, len), r(rnd.data() + align, len);
                EXPECT_EQ(checksum_add(a, acc), reference_add(a, acc))
                    << "all ones, length " << len << " alignment " << align << " acc " << acc << " seed " << seed;
                EXPECT_EQ(checksum_add(r, acc), reference_add(r, acc))
                    << "random, length " << len << " alignment " << align << " acc " << acc << " seed " << seed;
            }
        }
    }
}

TEST(ChecksumAdd, KnownValueFromRfc1071) {
    // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (folded), checksum 220d.
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(checksum_add(ConstBytes(b, sizeof b)), 0x2ddf0u);
    EXPECT_EQ(checksum_finish(checksum_add(ConstBytes(b, sizeof b))), 0x220d);
}
