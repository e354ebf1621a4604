// TX wired to RX through the loopback wire of MacHarness: every size end to end, then a seeded
// soak of random frames with random faults on both sides. Every frame the wire carries is
// classified by the reference model; every good frame must arrive byte-exact, every bad one
// must be flagged and counted in exactly its counter.
#include "mac_test_util.h"

#include <cstdlib>

namespace nic::test {
namespace {

class MacLoopback : public ::testing::TestWithParam<MacMode> {
protected:
    MacConfig cfg() const {
        MacConfig c;
        c.mode = GetParam();
        return c;
    }
};

TEST_P(MacLoopback, EverySize64To1518) {
    MacHarness h(cfg());
    std::mt19937_64 rng(21);
    std::vector<std::vector<uint8_t>> sent;
    for (size_t len = 64; len <= 1518; ++len) {
        sent.push_back(make_frame(len - 4, rng));
        h.send(sent.back());
    }
    ASSERT_TRUE(h.drain());
    auto& f = h.rx_frames();
    ASSERT_EQ(f.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        ASSERT_FALSE(f[i].bad);
        ASSERT_EQ(f[i].data, sent[i]) << "size " << sent[i].size() + 4;
    }
    auto c = h.counters();
    EXPECT_EQ(c.rx[MacCounters::kRxFrames], c.tx[MacCounters::kTxFrames]);
    EXPECT_EQ(c.rx[MacCounters::kRxBytes], c.tx[MacCounters::kTxBytes]);
}

// The wire faults the soak draws from.
enum class WireFault { None, BitFlip, RxEr, Truncate, Stray, ShortPreamble, BadSfd, Count };

struct Soak {
    MacMode mode;
    uint64_t seed;
    size_t frames;
};

void run_soak(const Soak& p) {
    SCOPED_TRACE(std::string(to_string(p.mode)) + " soak seed " + std::to_string(p.seed) +
                 " (rerun: NIC_SEED=" + std::to_string(p.seed) + ")");
    MacConfig cfg;
    cfg.mode = p.mode;
    MacHarness h(cfg);
    std::mt19937_64 rng(p.seed);
    std::mt19937_64 wire_rng(p.seed ^ 0x9e3779b97f4a7c15ull);

    std::vector<ref::RxExpect> expected;
    std::array<uint64_t, ref::kRxOutcomes> outcome_count{};
    h.set_fault_hook([&](Symbols& s) {
        auto f = WireFault(wire_rng() % 40);   // about one burst in six is damaged
        size_t n = s.size();
        switch (f) {
        case WireFault::BitFlip: s[wire_rng() % n].d ^= uint8_t(1u << (wire_rng() % 8)); break;
        case WireFault::RxEr: s[wire_rng() % n].er = true; break;
        case WireFault::Truncate: s.resize(1 + wire_rng() % (n - 1)); break;
        case WireFault::Stray:
            for (int i = 0, k = 1 + int(wire_rng() % 3); i < k; ++i)
                s.push_back(GmiiSymbol{uint8_t(wire_rng()), true, false});
            break;
        case WireFault::ShortPreamble: s.erase(s.begin(), s.begin() + wire_rng() % 8); break;
        case WireFault::BadSfd: s[7].d ^= uint8_t(1u << (wire_rng() % 8)); break;
        default: break;
        }
    });
    h.set_wire_tap([&](const Symbols& s, uint64_t) {
        expected.push_back(h.expect_rx(s));
        ++outcome_count[int(expected.back().outcome)];
    });

    size_t sent_ok = 0;
    for (size_t i = 0; i < p.frames; ++i) {
        TxRequest r;
        size_t len = rng() % 4 ? 1 + rng() % 200 : 1 + rng() % 1514;
        r.data = make_frame(len, rng);
        r.gap_before = rng() % 8 ? 0 : unsigned(rng() % 40);
        unsigned tx_fault = rng() % 100;
        if (tx_fault == 0 && len > 1) r.underflow_at = 1 + int(rng() % (len - 1));
        else if (tx_fault == 1) r.abort = true;
        else ++sent_ok;
        h.send(std::move(r));
        // keep the queue short so the source never runs far ahead
        if (i % 64 == 63) h.step(64 * 84 * h.clocks_per_byte());
    }
    ASSERT_TRUE(h.drain(100'000'000));

    auto c = h.counters();
    EXPECT_EQ(c.tx[MacCounters::kTxFrames], sent_ok);
    EXPECT_EQ(c.tx[MacCounters::kTxUnderflow] + c.tx[MacCounters::kTxAbort] + sent_ok, p.frames);
    ASSERT_EQ(expected.size(), p.frames) << "every request became one burst on the wire";

    // Counters: exactly one per carrier event, in the class the reference model says.
    for (int o = 0; o < ref::kRxOutcomes; ++o) {
        int idx = MacCounters::rx_index(ref::RxOutcome(o));
        EXPECT_EQ(c.rx[idx], outcome_count[o]) << MacCounters::rx_name(idx);
    }
    EXPECT_EQ(h.pulses().rx, c.rx);

    // Delivered frames, in order.
    auto& got = h.rx_frames();
    size_t k = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const auto& e = expected[i];
        if (!e.has_output) continue;
        ASSERT_LT(k, got.size()) << "missing frame for burst " << i;
        ASSERT_EQ(got[k].bad, e.outcome != RxOutcome::Good)
            << "burst " << i << " outcome " << ref::to_string(e.outcome);
        ASSERT_EQ(got[k].data, e.delivered) << "burst " << i;
        ++k;
    }
    EXPECT_EQ(k, got.size()) << "frames delivered that the wire never carried";
    std::printf("%s soak seed %llu: %zu frames, %llu cycles; good %llu fcs %llu runt %llu oversize "
                "%llu rx_er %llu preamble %llu short %llu\n",
                to_string(p.mode), (unsigned long long)p.seed, p.frames, (unsigned long long)h.cycle(),
                (unsigned long long)outcome_count[0], (unsigned long long)outcome_count[1],
                (unsigned long long)outcome_count[2], (unsigned long long)outcome_count[3],
                (unsigned long long)outcome_count[4], (unsigned long long)outcome_count[5],
                (unsigned long long)outcome_count[6]);
}

uint64_t seed_from_env(uint64_t dflt) {
    const char* s = std::getenv("NIC_SEED");
    return s ? std::strtoull(s, nullptr, 0) : dflt;
}

// 100 000 frames at 1 Gb/s; the slower modes take more clocks a byte and fewer frames, for about
// the same run time (RMII 10 Mb/s: 40 clocks a byte).
TEST_P(MacLoopback, SeededSoak) {
    size_t frames = 0;
    switch (GetParam()) {
    case MacMode::Gmii: frames = 100'000; break;
    case MacMode::Mii: frames = 50'000; break;
    case MacMode::Rmii100: frames = 25'000; break;
    case MacMode::Rmii10: frames = 4'000; break;
    }
    run_soak({GetParam(), seed_from_env(0x5eed), frames});
}

NIC_MAC_MODES(MacLoopback);

}  // namespace
}  // namespace nic::test
