// Runs the fuzz harness (fuzz_tcp.h) under the normal build on seeded random scripts, so the
// properties hold in every `ctest -L stack` run; the libFuzzer target explores further.
#include "fuzz_tcp.h"

#include <gtest/gtest.h>

#include <random>

namespace {

// A script: a config byte, then actions; segments are built from real TCP headers with random
// flags, options and payloads so that most of them parse.
std::vector<uint8_t> script(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> s{uint8_t(rng())};
    int actions = int(rng() % 60);
    for (int i = 0; i < actions; ++i) {
        uint8_t sel = uint8_t(rng());
        std::vector<uint8_t> chunk;
        if ((sel & 7) < 4) {
            size_t opt = (rng() % 5) * 4;
            chunk.resize(20 + opt + rng() % 40);
            for (auto& b : chunk) b = uint8_t(rng());
            chunk[12] = uint8_t(((20 + opt) / 4) << 4);
            if (rng() % 2) chunk[13] = uint8_t(rng() % 2 ? 0x10 : rng() & 0x17);
            for (size_t k = 20; k + 1 < 20 + opt; k += 4) {  // plausible options
                static const uint8_t kinds[] = {1, 2, 3, 4, 5, 8, 0, 30};
                chunk[k] = kinds[rng() % 8];
                chunk[k + 1] = uint8_t(rng() % 12);
            }
        } else {
            chunk.resize(rng() % 20);
            for (auto& b : chunk) b = uint8_t(rng());
        }
        s.push_back(sel);
        s.push_back(0);
        s.push_back(uint8_t(chunk.size()));
        s.insert(s.end(), chunk.begin(), chunk.end());
    }
    return s;
}

TEST(TcpFuzz, TwentyThousandSeededScripts) {
    for (uint64_t seed = 1; seed <= 20000; ++seed) {
        auto s = script(seed);
        std::string e = nic::test::tcp_fuzz_one(s.data(), s.size());
        ASSERT_TRUE(e.empty()) << "seed " << seed << ": " << e;
    }
}

}  // namespace
