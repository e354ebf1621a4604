// checksum_add and checksum_copy (wire/checksum.cpp) sum 8, 16 or 64 bytes at a time (portable, SSE2,
// AVX2 chosen at start-up); these tests hold every implementation the CPU has to the plain RFC 1071
// loop (one big-endian 16-bit word at a time, 64-bit sum, folded to 32 bits) bit for bit: every length
// 0..2048 at every alignment 0..7 of random bytes with a random running sum, all-0xff buffers (the
// most carries), and buffers long enough to fill the 16-bit lanes many times over; checksum_copy must
// also copy exactly (and write nothing outside the destination). The seed is fixed and printed on
// failure (NIC_CHECKSUM_SEED overrides it).
#include "wire/checksum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
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

// Runs the test body once per implementation this CPU has (the widest is what the stack uses;
// the narrower ones are what other x86-64 machines and other architectures run).
std::vector<ChecksumImpl> available_impls() {
    std::vector<ChecksumImpl> v;
    ChecksumImpl saved = checksum_impl();
    for (ChecksumImpl i : {ChecksumImpl::Portable, ChecksumImpl::Sse2, ChecksumImpl::Avx2})
        if (checksum_select(i)) v.push_back(i);
    checksum_select(saved);
    return v;
}

class ChecksumAdd : public ::testing::TestWithParam<ChecksumImpl> {
protected:
    void SetUp() override {
        saved_ = checksum_impl();
        ASSERT_TRUE(checksum_select(GetParam()));
    }
    void TearDown() override { checksum_select(saved_); }
    ChecksumImpl saved_{};
};
INSTANTIATE_TEST_SUITE_P(Impl, ChecksumAdd, ::testing::ValuesIn(available_impls()), [](const auto& i) {
    return std::string(i.param == ChecksumImpl::Portable ? "Portable" : i.param == ChecksumImpl::Sse2 ? "Sse2" : "Avx2");
});

TEST_P(ChecksumAdd, MatchesWordByWordReferenceForEveryLengthAndAlignment) {
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

TEST_P(ChecksumAdd, MatchesReferenceOnAllOnesAndLongBuffers) {
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

TEST_P(ChecksumAdd, CopyMovesTheBytesAndReturnsTheSameSum) {
    const uint64_t seed = test_seed();
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> src(4200), dst(4200 + 16);
    int failures = 0;
    for (size_t len : {size_t(0), size_t(1), size_t(7), size_t(15), size_t(16), size_t(63), size_t(64),
                       size_t(65), size_t(1448), size_t(1449), size_t(4096), size_t(4100)}) {
        for (size_t sa = 0; sa < 4; ++sa) {
            for (size_t da = 0; da < 4; ++da) {
                for (auto& b : src) b = uint8_t(rng());
                std::fill(dst.begin(), dst.end(), uint8_t(0xa5));
                uint32_t acc = uint32_t(rng());
                ConstBytes in(src.data() + sa, len);
                uint32_t got = checksum_copy(dst.data() + 8 + da, in, acc), want = reference_add(in, acc);
                bool copied = std::equal(in.begin(), in.end(), dst.begin() + 8 + long(da));
                bool outside = std::all_of(dst.begin(), dst.begin() + 8 + long(da), [](uint8_t b) { return b == 0xa5; }) &&
                               std::all_of(dst.begin() + 8 + long(da + len), dst.end(), [](uint8_t b) { return b == 0xa5; });
                if ((got != want || !copied || !outside) && failures++ < 10)
                    ADD_FAILURE() << "seed " << seed << " length " << len << " alignments " << sa << "/" << da
                                  << ": sum 0x" << std::hex << got << " want 0x" << want << std::dec
                                  << (copied ? "" : ", bytes differ") << (outside ? "" : ", wrote outside");
            }
        }
    }
}

TEST(Checksum, KnownValueFromRfc1071) {
    // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (folded), checksum 220d.
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(checksum_add(ConstBytes(b, sizeof b)), 0x2ddf0u);
    EXPECT_EQ(checksum_finish(checksum_add(ConstBytes(b, sizeof b))), 0x220d);
}
