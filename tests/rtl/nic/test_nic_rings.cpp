// Descriptor and completion rings: frames both ways through the NIC (line loopback), checked
// byte for byte; wraparound at several sizes including sizes that are not powers of two; full
// and empty rings; doorbells while the device is busy; completion phase flips; RX ring
// exhaustion (drops counted, nothing written, recovery); reset in the middle of traffic.
#include "nic_test_util.h"

namespace nic::test {
namespace {

// Sends `frames` through TX -> line loopback -> RX, keeping both rings fed like a driver would
// (TX posted as descriptors free up, RX buffers reposted after each completion). Returns the
// received completions in order.
struct Pump {
    NicHarness& h;
    RingDriver& d;
    std::vector<TxCompletion> tx_done;
    std::vector<RxCompletion> rx_done;
    bool run(const std::vector<TxPacket>& frames, uint64_t max_cycles, unsigned doorbell_every = 1) {
        size_t next = 0;
        unsigned unrung = 0;
        return h.run_until([&] {
            if (h.cycle() % 64 == 0) {
                auto t = d.poll_tx();
                tx_done.insert(tx_done.end(), t.begin(), t.end());
                while (next < frames.size() && d.tx_free() > 0) {
                    d.post_tx(frames[next++], false);
                    if (++unrung >= doorbell_every) {
                        d.tx_doorbell();
                        unrung = 0;
                    }
                }
                if (unrung) {
                    d.tx_doorbell();
                    unrung = 0;
                }
                auto r = d.poll_rx(true);
                rx_done.insert(rx_done.end(), std::make_move_iterator(r.begin()),
                               std::make_move_iterator(r.end()));
            }
            return rx_done.size() >= frames.size() && tx_done.size() >= frames.size();
        }, max_cycles);
    }
};

std::vector<TxPacket> random_frames(size_t n, std::mt19937_64& rng, size_t min_len = 60,
                                    size_t max_len = 1514) {
    std::vector<TxPacket> v(n);
    for (auto& p : v) {
        p.data = plain_frame(min_len + rng() % (max_len - min_len + 1), rng);
        p.align = unsigned(rng() % 8);
    }
    return v;
}

void expect_delivered(const std::vector<TxPacket>& sent, const Pump& p, uint64_t seed) {
    ASSERT_EQ(p.rx_done.size(), sent.size()) << "seed " << seed;
    for (size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(p.rx_done[i].error, 0) << "frame " << i << " seed " << seed;
        EXPECT_EQ(p.rx_done[i].data, sent[i].data) << "frame " << i << " seed " << seed;
        EXPECT_EQ(p.tx_done[i].status, 0) << "frame " << i;
        EXPECT_EQ(p.tx_done[i].len, sent[i].data.size()) << "frame " << i;
    }
}

TEST(NicRings, SmokeLoopback) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(1);
    std::vector<TxPacket> sent;
    for (size_t len : {60, 61, 100, 333, 1514}) {
        TxPacket p;
        p.data = plain_frame(len, rng);
        p.align = unsigned(len % 8);
        sent.push_back(p);
    }
    Pump p{h, d, {}, {}};
    ASSERT_TRUE(p.run(sent, 200000));
    expect_delivered(sent, p, 1);
    EXPECT_EQ(h.rd(R::kStatTxFrames), sent.size());
    EXPECT_EQ(h.rd(R::kStatRxFrames), sent.size());
    uint32_t bytes = 0;
    for (auto& s : sent) bytes += uint32_t(s.data.size());
    EXPECT_EQ(h.rd(R::kStatTxBytes), bytes);
    EXPECT_EQ(h.rd(R::kStatRxBytes), bytes);
    expect_clean_bus(h);
}

// Ring sizes: the smallest, odd ones, and one whose end is not a multiple of the 4-descriptor
// fetch group; each runs more than two laps so that the phase bit flips twice.
TEST(NicRings, WraparoundAtSeveralSizes) {
    for (unsigned size : {16u, 17u, 19u, 32u, 50u}) {
        uint64_t seed = 100 + size;
        NicConfig cfg;
        cfg.loopback = true;
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(size, size);
        d.post_rx(size - 1);
        std::mt19937_64 rng(seed);
        auto frames = random_frames(2 * size + 7, rng, 60, 300);
        Pump p{h, d, {}, {}};
        ASSERT_TRUE(p.run(frames, 3'000'000)) << "size " << size << " seed " << seed;
        expect_delivered(frames, p, seed);
        for (size_t i = 0; i < frames.size(); ++i) {
            EXPECT_EQ(p.tx_done[i].index, i % size);
            EXPECT_EQ(p.rx_done[i].index, i % size);
        }
        EXPECT_EQ(h.rd(R::kTxCons), frames.size() % size);
        EXPECT_EQ(h.rd(R::kRxCons), frames.size() % size);
        expect_clean_bus(h);
    }
}

// 4096 entries, the largest ring: one full lap and a bit, with minimum-size frames.
TEST(NicRings, Wraparound4096) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(4096, 4096);
    d.post_rx(4095);
    std::mt19937_64 rng(4096);
    auto frames = random_frames(4096 + 40, rng, 60, 64);
    Pump p{h, d, {}, {}};
    ASSERT_TRUE(p.run(frames, 3'000'000));
    expect_delivered(frames, p, 4096);
    EXPECT_EQ(h.rd(R::kTxCons), 40u);
    expect_clean_bus(h);
}

// The phase bit as written in host memory: 1 on the first pass over the ring, 0 on the second,
// 1 again on the third.
TEST(NicRings, CompletionPhaseFlips) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(5);
    auto phase_at = [&](unsigned i) {
        return h.mem().at(d.base() + RingDriver::kTxCpl + i * 16)[R::txc::kPhase] >> 7;
    };
    Pump p1{h, d, {}, {}};
    ASSERT_TRUE(p1.run(random_frames(16, rng, 60, 80), 500000));
    for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(phase_at(i), 1) << i;      // first pass
    Pump p2{h, d, {}, {}};
    ASSERT_TRUE(p2.run(random_frames(4, rng, 60, 80), 500000));
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(phase_at(i), 0) << i;       // second pass
    for (unsigned i = 4; i < 16; ++i) EXPECT_EQ(phase_at(i), 1) << i;
    Pump p3{h, d, {}, {}};
    ASSERT_TRUE(p3.run(random_frames(12 + 3, rng, 60, 80), 500000));
    for (unsigned i = 0; i < 3; ++i) EXPECT_EQ(phase_at(i), 1) << i;       // third pass
    for (unsigned i = 3; i < 16; ++i) EXPECT_EQ(phase_at(i), 0) << i;
}

// Empty ring: no doorbell, or a doorbell that does not move PROD, makes the device read nothing.
// Full ring: SIZE-1 descriptors with one doorbell all go out.
TEST(NicRings, EmptyAndFullRings) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(16, 16);
    h.run(2000);
    EXPECT_EQ(h.axi().read_beats(), 0u);
    d.tx_doorbell();                                   // PROD = CONS = 0
    d.rx_doorbell();
    h.run(2000);
    EXPECT_EQ(h.axi().read_beats(), 0u);
    EXPECT_EQ(h.axi().write_beats(), 0u);
    EXPECT_TRUE(h.rd(R::kStatus) & R::status::kTxIdle.mask());

    d.post_rx(15);
    std::mt19937_64 rng(6);
    auto frames = random_frames(15, rng, 60, 200);
    for (auto& f : frames) d.post_tx(f, false);
    EXPECT_EQ(d.tx_free(), 0u);
    d.tx_doorbell();
    Pump p{h, d, {}, {}};
    ASSERT_TRUE(h.run_until([&] {
        auto t = d.poll_tx();
        p.tx_done.insert(p.tx_done.end(), t.begin(), t.end());
        auto r = d.poll_rx();
        for (auto& x : r) p.rx_done.push_back(std::move(x));
        return p.rx_done.size() == 15 && p.tx_done.size() == 15;
    }, 500000));
    expect_delivered(frames, p, 6);
    EXPECT_EQ(d.rx_free(), 15u);                       // every RX buffer used: ring empty again
    expect_clean_bus(h);
}

// Doorbells arriving while the device is busy: one per frame, rung in the middle of transfers,
// and the same value rung again (harmless).
TEST(NicRings, DoorbellsWhileBusy) {
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(64, 64);
    d.post_rx(63);
    std::mt19937_64 rng(7);
    auto frames = random_frames(40, rng, 200, 1514);
    for (size_t i = 0; i < frames.size(); ++i) {
        d.post_tx(frames[i]);
        d.tx_doorbell();                               // repeated value
        h.run(37 + rng() % 300);                       // lands at any point of a transfer
    }
    Pump p{h, d, {}, {}};
    ASSERT_TRUE(h.run_until([&] {
        auto t = d.poll_tx();
        p.tx_done.insert(p.tx_done.end(), t.begin(), t.end());
        auto r = d.poll_rx();
        for (auto& x : r) p.rx_done.push_back(std::move(x));
        return p.rx_done.size() == frames.size() && p.tx_done.size() == frames.size();
    }, 2'000'000));
    expect_delivered(frames, p, 7);
    expect_clean_bus(h);
}

// RX ring exhaustion: 4 buffers for 10 frames. Four arrive, six are dropped and counted, and
// not a byte lands in the buffers that were not posted; buffers posted later receive the
// following frames.
TEST(NicRings, RxExhaustionDropsAndRecovers) {
    NicHarness h;
    RingDriver d(h);
    d.init(16, 16);
    h.mem().fill(d.rx_buf(0), 0xEE, 16 * RingDriver::kBufStride);
    d.post_rx(4);
    std::mt19937_64 rng(8);
    std::vector<std::vector<uint8_t>> sent;
    for (int i = 0; i < 10; ++i) {
        sent.push_back(plain_frame(100 + 50 * i, rng));
        h.send_line(sent.back());
    }
    ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 200000));
    h.run(5000);
    auto c = d.poll_rx();
    ASSERT_EQ(c.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(c[i].data, sent[i]);
    EXPECT_EQ(h.rd(R::kStatRxDropNodesc), 6u);
    EXPECT_EQ(h.rd(R::kStatRxFrames), 4u);
    for (unsigned b = 4; b < 16; ++b) {
        auto bytes = h.mem().bytes(d.rx_buf(b), RingDriver::kBufStride);
        EXPECT_EQ(std::count(bytes.begin(), bytes.end(), 0xEE), long(bytes.size())) << "buffer " << b;
    }
    // recovery
    d.post_rx(8);
    auto f = plain_frame(500, rng);
    h.send_line(f);
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 5; }, 200000));
    c = d.poll_rx();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].data, f);
    EXPECT_EQ(c[0].index, 4);
    expect_clean_bus(h);
}

// CTRL.RESET in the middle of two-way traffic: the device finishes its transfers (the bus model
// sees no abandoned burst), every register but the DMA window returns to its reset value, and
// after the driver sets the rings up again, traffic flows and arrives intact.
TEST(NicRings, ResetInTheMiddleOfTraffic) {
    for (uint64_t when : {1000u, 3333u, 7777u, 12345u}) {
        NicConfig cfg;
        cfg.loopback = true;
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(32, 32);
        d.post_rx(31);
        std::mt19937_64 rng(when);
        auto frames = random_frames(30, rng, 60, 1514);
        for (auto& f : frames) d.post_tx(f, false);
        d.tx_doorbell();
        h.run(when);
        h.wr(R::kCtrl, R::ctrl::kReset(1));
        ASSERT_TRUE(h.run_until([&] { return !(h.rd(R::kCtrl) & R::ctrl::kReset.mask()); }, 200000))
            << "reset at " << when;
        EXPECT_EQ(h.rd(R::kCtrl), 0u);
        EXPECT_EQ(h.rd(R::kTxCons), 0u);
        EXPECT_EQ(h.rd(R::kRxCons), 0u);
        EXPECT_EQ(h.rd(R::kStatTxFrames), 0u);
        EXPECT_EQ(h.rd(R::kStatRxFrames), 0u);
        // a frame on the line while the receiver was in reset arrives cut: the MAC drops it
        EXPECT_LE(h.rd(R::kStatRxDropMac), 1u);
        EXPECT_EQ(h.rd(R::kDmaWinLimitLo), uint32_t(h.mem().end()));   // kept
        h.run(3000);
        EXPECT_TRUE(h.axi().idle()) << "reset at " << when;
        uint64_t wbeats = h.axi().write_beats();
        h.run(3000);
        EXPECT_EQ(h.axi().write_beats(), wbeats);     // nothing moves while disabled
        // Frames that were on the cable when the reset came arrive afterwards and wait in the
        // RX FIFO (RX_EN is 0): after the restart they are delivered first, intact.
        h.run(20000);
        d.init(32, 32);
        d.post_rx(31);
        h.run(20000);
        auto stale = d.poll_rx(true);
        EXPECT_LE(stale.size(), 2u);
        for (auto& st : stale) {
            bool known = false;
            for (auto& f : frames) known |= st.data == f.data;
            EXPECT_TRUE(known) << "a frame that was never sent, reset at " << when;
        }
        auto again = random_frames(20, rng, 60, 1514);
        Pump p{h, d, {}, {}};
        ASSERT_TRUE(p.run(again, 2'000'000)) << "reset at " << when;
        expect_delivered(again, p, when);
        expect_clean_bus(h);
    }
}

}  // namespace
}  // namespace nic::test
