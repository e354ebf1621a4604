// Faults and their accounting:
//   - DMA window: TX and RX descriptors whose buffers leave the window get an error completion
//     and a counter; rings and completion rings outside it halt the engine with IRQ_CAUSE.ERR
//     and STAT_DMA_ERR; the bus model sees no access outside the window, ever.
//   - bad descriptors: length 0, above MAX_LEN, checksum offsets past the end; RX buffers that
//     are misaligned or too small.
//   - receive errors: FCS (bit flip in the PHY), RX_ER, link down in the middle of a frame, RX
//     FIFO overflow: each dropped, counted once, never written to host memory.
//   - error responses (SLVERR, DECERR; ARM IHI 0022 A3.4.4) from host memory: a frame read or
//     frame write that gets one ends in an ERR_DMA completion and STAT_DMA_RESP_ERR, never a
//     frame sent from garbage or a success completion over lost data; a descriptor fetch or
//     completion write that gets one halts the engine (STAT_DMA_ERR, IRQ_CAUSE.ERR).
//   - interrupt moderation: packet count and timer, as exact cycle counts.
#include "nic_test_util.h"

#ifndef NIC_FIFO_WORDS
#define NIC_FIFO_WORDS 512      // nic_core's FIFO_AW 9 (the build under test sets it otherwise)
#endif

namespace nic::test {
namespace {

// A harness whose DMA window is a slice of host memory: rings and buffers inside, and a
// "forbidden" region right after the limit.
struct Windowed {
    NicHarness h;
    RingDriver d{h};
    uint64_t lo, hi;
    Windowed() {
        d.init(16, 16, false);
        lo = h.mem().base();
        hi = h.mem().base() + RingDriver::kRxBuf + 16 * RingDriver::kBufStride;
        d.set_window(lo, hi);
        h.wr(R::kCtrl, R::ctrl::kTxEn(1) | R::ctrl::kRxEn(1));
    }
};

TEST(NicErrors, TxDescriptorsOutsideWindowOrBadLength) {
    Windowed w;
    auto& h = w.h;
    auto& d = w.d;
    std::mt19937_64 rng(11);
    // a build without checksum engines (CAPS.TX_CSUM 0) ignores the checksum flags: that
    // descriptor is then a good one
    const bool tx_csum = R::caps::kTxCsum.get(h.rd(R::kCaps)) != 0;
    struct Case { const char* what; std::optional<uint64_t> addr; std::optional<uint16_t> len;
                  bool csum = false; uint8_t status; };
    std::vector<Case> cases = {
        {"below window", w.lo - 64, {}, false, R::txc::kErrAddr},
        {"at the limit", w.hi, {}, false, R::txc::kErrAddr},
        {"straddles limit", w.hi - 50, {}, false, R::txc::kErrAddr},
        {"wraps 2^64", ~0ull - 20, {}, false, R::txc::kErrAddr},
        {"length 0", {}, uint16_t(0), false, R::txc::kErrLen},
        {"above MAX_LEN", {}, uint16_t(1515), false, R::txc::kErrLen},
        {"csum past end", {}, {}, true, uint8_t(tx_csum ? R::txc::kErrLen : 0)},
    };
    std::vector<std::vector<uint8_t>> good;
    for (auto& c : cases) {
        TxPacket bad;
        bad.data = plain_frame(100, rng);
        bad.addr = c.addr;
        bad.len = c.len;
        if (c.csum) {
            bad.csum_l4 = true;
            bad.csum_start = 90;
            bad.csum_off = 9;                        // field at 99..100: one byte past the end
        }
        d.post_tx(bad);
        if (c.status == 0) good.push_back(bad.data);
        TxPacket ok;
        ok.data = plain_frame(80, rng);
        good.push_back(ok.data);
        d.post_tx(ok);
    }
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kTxCons) == 2 * cases.size(); }, 200000));
    h.run(3000);
    auto c = d.poll_tx();
    ASSERT_EQ(c.size(), 2 * cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(c[2 * i].status, cases[i].status) << cases[i].what;
        EXPECT_EQ(c[2 * i + 1].status, 0) << cases[i].what;
    }
    ASSERT_EQ(h.line_tx().size(), good.size());     // only the good ones reached the line
    for (size_t i = 0; i < good.size(); ++i) {
        std::vector<uint8_t> f;
        ASSERT_TRUE(decode_burst(h.line_tx()[i].symbols, f));
        EXPECT_EQ(f, good[i]);
    }
    EXPECT_EQ(h.rd(R::kStatTxDescErr), cases.size() - (tx_csum ? 0 : 1));
    EXPECT_EQ(h.rd(R::kStatTxFrames), good.size());
    EXPECT_EQ(h.rd(R::kStatDmaErr), 0u);
    expect_clean_bus(h);                              // includes: nothing outside the window
}

TEST(NicErrors, RxDescriptorsBadAndFrameDropped) {
    Windowed w;
    auto& h = w.h;
    auto& d = w.d;
    std::mt19937_64 rng(12);
    h.mem().fill(w.hi, 0xEE, 4096);
    d.post_rx_raw(w.hi, 2048);                        // outside
    d.post_rx_raw(w.hi - 1024, 2048);                 // straddles the limit
    d.post_rx_raw(d.rx_buf(2) + 4, 2048);             // misaligned
    d.post_rx_raw(d.rx_buf(3), 0);                    // length 0
    d.post_rx_raw(d.rx_buf(4), 99);                   // shorter than the frame
    d.post_rx_raw(d.rx_buf(5), 2048);                 // good
    d.rx_doorbell();
    std::vector<std::vector<uint8_t>> sent;
    for (int i = 0; i < 6; ++i) {
        sent.push_back(plain_frame(100, rng));
        h.send_line(sent.back());
    }
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kRxCons) == 6; }, 200000));
    h.run(2000);
    auto c = d.poll_rx();
    ASSERT_EQ(c.size(), 6u);
    const uint8_t want[] = {R::rxc::kErrAddr, R::rxc::kErrAddr, R::rxc::kErrAddr, R::rxc::kErrLen,
                            R::rxc::kErrLen, 0};
    for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i].error, want[i]) << i;
    EXPECT_EQ(c[5].data, sent[5]);                    // frames 0..4 were dropped
    EXPECT_EQ(h.rd(R::kStatRxDescErr), 5u);
    EXPECT_EQ(h.rd(R::kStatRxFrames), 1u);
    auto after = h.mem().bytes(w.hi, 4096);
    EXPECT_EQ(std::count(after.begin(), after.end(), 0xEE), 4096);
    expect_clean_bus(h);
}

// Rings outside the window: the engine stops before the access, ERR is raised and counted.
TEST(NicErrors, RingOutsideWindowHaltsEngine) {
    for (int which = 0; which < 3; ++which) {
        Windowed w;
        auto& h = w.h;
        auto& d = w.d;
        std::mt19937_64 rng(13);
        h.wr(R::kIrqMask, R::irq_cause::kErr(1));
        if (which == 0) {
            h.wr(R::kTxRingLo, uint32_t(w.hi));      // descriptor ring outside
            h.wr(R::kTxRingHi, uint32_t(w.hi >> 32));
        } else if (which == 1) {
            h.wr(R::kTxCplLo, uint32_t(w.hi));       // completion ring outside
            h.wr(R::kTxCplHi, uint32_t(w.hi >> 32));
        } else {
            h.wr(R::kRxRingLo, uint32_t(w.lo - 4096));
            h.wr(R::kRxRingHi, uint32_t((w.lo - 4096) >> 32));
        }
        TxPacket p;
        p.data = plain_frame(100, rng);
        d.post_tx(p);
        d.post_rx(4);
        h.send_line(plain_frame(100, rng));
        ASSERT_TRUE(h.run_until([&] { return h.irq(); }, 100000)) << "case " << which;
        EXPECT_EQ(h.rd(R::kStatDmaErr), 1u) << which;
        EXPECT_EQ(h.rd(R::kIrqCause) & R::irq_cause::kErr.mask(), R::irq_cause::kErr.mask());
        h.run(5000);
        EXPECT_EQ(h.rd(R::kStatDmaErr), 1u) << which;  // halted: no retry
        expect_clean_bus(h);
        // CTRL.RESET brings it back
        h.wr(R::kCtrl, R::ctrl::kReset(1));
        ASSERT_TRUE(h.run_until([&] { return h.rd(R::kCtrl) == 0; }, 100000));
        EXPECT_FALSE(h.irq());
        EXPECT_EQ(h.rd(R::kStatDmaErr), 0u);
    }
}

// A frame read answered SLVERR or DECERR: that frame's completion says ERR_DMA and nothing of it
// reaches the line; the frames before and after go out intact, the engine does not halt.
TEST(NicErrors, TxFrameReadErrorResponseGivesErrDmaCompletion) {
    for (uint8_t resp : {uint8_t(2), uint8_t(3)}) {
        NicConfig cfg;
        const uint64_t bad = cfg.mem_base + RingDriver::kTxBuf + 1 * RingDriver::kBufStride;
        cfg.axi.add_error_range(bad, bad + RingDriver::kBufStride, resp, true, false);
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(16, 16);
        std::mt19937_64 rng(resp);
        std::vector<TxPacket> p(3);
        for (auto& x : p) {
            x.data = plain_frame(300, rng);
            d.post_tx(x);
        }
        std::vector<TxCompletion> done;
        ASSERT_TRUE(h.run_until([&] {
            for (auto& c : d.poll_tx()) done.push_back(c);
            return done.size() >= 3;
        }, 200000)) << "resp " << int(resp);
        h.run(5000);
        EXPECT_EQ(done[0].status, 0) << int(resp);
        EXPECT_EQ(done[1].status, R::txc::kErrDma) << int(resp);
        EXPECT_EQ(done[2].status, 0) << int(resp);
        ASSERT_EQ(h.line_tx().size(), 2u) << "resp " << int(resp) << ": the frame read with an error is not sent";
        for (size_t i = 0; i < 2; ++i) {
            std::vector<uint8_t> f;
            ASSERT_TRUE(decode_burst(h.line_tx()[i].symbols, f));
            EXPECT_EQ(f, padded(p[i == 0 ? 0 : 2].data)) << int(resp) << " frame " << i;
        }
        EXPECT_GT(h.axi().read_errors(), 0u);
        EXPECT_EQ(h.rd(R::kStatDmaRespErr), 1u) << int(resp);
        EXPECT_EQ(h.rd(R::kStatTxDescErr), 0u) << int(resp);
        EXPECT_EQ(h.rd(R::kStatDmaErr), 0u) << int(resp) << ": a frame error does not halt";
        expect_clean_bus(h);
    }
}

// A frame write answered SLVERR or DECERR: the completion says ERR_DMA with length 0 (the buffer
// holds nothing valid), the next frame arrives intact in the next buffer.
TEST(NicErrors, RxFrameWriteErrorResponseGivesErrDmaCompletion) {
    for (uint8_t resp : {uint8_t(2), uint8_t(3)}) {
        NicConfig cfg;
        // the second burst of buffer 1 only: a frame whose first bursts went through
        const uint64_t bad = cfg.mem_base + RingDriver::kRxBuf + 1 * RingDriver::kBufStride + 256;
        cfg.axi.add_error_range(bad, bad + 256, resp, false, true);
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(16, 16);
        d.post_rx(8);
        std::mt19937_64 rng(10 + resp);
        std::vector<std::vector<uint8_t>> f;
        for (int i = 0; i < 3; ++i) {
            f.push_back(plain_frame(1000, rng));
            h.send_line(f.back());
        }
        std::vector<RxCompletion> got;
        ASSERT_TRUE(h.run_until([&] {
            for (auto& r : d.poll_rx()) got.push_back(std::move(r));
            return got.size() >= 3;
        }, 400000)) << "resp " << int(resp);
        EXPECT_EQ(got[0].error, 0);
        EXPECT_EQ(got[0].data, f[0]);
        EXPECT_EQ(got[1].error, R::rxc::kErrDma) << int(resp);
        EXPECT_EQ(got[1].len, 0) << int(resp) << ": no length for data that did not land";
        EXPECT_EQ(got[2].error, 0);
        EXPECT_EQ(got[2].data, f[2]) << int(resp);
        EXPECT_GT(h.axi().write_errors(), 0u);
        EXPECT_EQ(h.rd(R::kStatDmaRespErr), 1u) << int(resp);
        EXPECT_EQ(h.rd(R::kStatRxDescErr), 0u) << int(resp);
        EXPECT_EQ(h.rd(R::kStatDmaErr), 0u) << int(resp);
        expect_clean_bus(h);
    }
}

// Ring accesses answered SLVERR or DECERR: TX descriptor fetch, TX completion write, RX descriptor
// fetch, RX completion write. The ring can no longer be trusted: the engine halts with
// STAT_DMA_ERR and IRQ_CAUSE.ERR, sends and writes nothing more, and CTRL.RESET brings it back.
TEST(NicErrors, RingAccessErrorResponseHaltsEngine) {
    const char* names[] = {"TX descriptor fetch", "TX completion write", "RX descriptor fetch",
                           "RX completion write"};
    for (int which = 0; which < 4; ++which) {
        NicConfig cfg;
        const uint64_t at[] = {RingDriver::kTxRing, RingDriver::kTxCpl, RingDriver::kRxRing,
                               RingDriver::kRxCpl};
        const uint64_t lo = cfg.mem_base + at[which];
        cfg.axi.add_error_range(lo, lo + 4096, which % 2 ? 3 : 2, which % 2 == 0, which % 2 == 1);
        NicHarness h(cfg);
        RingDriver d(h);
        d.init(16, 16);
        h.wr(R::kIrqMask, R::irq_cause::kErr(1));
        std::mt19937_64 rng(20 + which);
        TxPacket p;
        p.data = plain_frame(100, rng);
        // one engine at a time: the other stays idle, so every access seen is the one under test's
        if (which < 2) {
            d.post_tx(p);
        } else {
            d.post_rx(4);
            h.send_line(plain_frame(100, rng));
        }
        ASSERT_TRUE(h.run_until([&] { return h.irq(); }, 100000)) << names[which];
        EXPECT_EQ(h.rd(R::kStatDmaErr), 1u) << names[which];
        EXPECT_EQ(h.rd(R::kIrqCause) & R::irq_cause::kErr.mask(), R::irq_cause::kErr.mask()) << names[which];
        const size_t sent = h.line_tx().size();
        // halted: nothing more is fetched, sent or completed, however much is posted
        for (int i = 0; i < 4; ++i) {
            if (which < 2) {
                d.post_tx(p);
            } else {
                d.post_rx(1);
                h.send_line(plain_frame(100, rng));
            }
        }
        const uint64_t reads = h.axi().read_beats(), writes = h.axi().write_beats();
        h.run(20000);
        EXPECT_EQ(h.rd(R::kStatDmaErr), 1u) << names[which] << ": no retry";
        if (which < 2) {
            EXPECT_EQ(h.line_tx().size(), sent) << names[which];
        } else {
            EXPECT_EQ(h.axi().write_beats(), writes) << names[which] << ": RX writes nothing more";
        }
        EXPECT_EQ(h.axi().read_beats(), reads) << names[which] << ": no descriptor fetched after the halt";
        expect_clean_bus(h);
        h.wr(R::kCtrl, R::ctrl::kReset(1));
        ASSERT_TRUE(h.run_until([&] { return h.rd(R::kCtrl) == 0; }, 100000)) << names[which];
        EXPECT_EQ(h.rd(R::kStatDmaErr), 0u) << names[which];
    }
}

// Receive errors from the PHY: a bit flip (FCS error), RX_ER, link loss in mid-frame. Each
// frame is dropped and counted once; the next good frame arrives intact.
TEST(NicErrors, ReceiveErrorsDroppedAndCounted) {
    NicHarness h;
    RingDriver d(h);
    d.init(16, 16);
    d.post_rx(15);
    std::mt19937_64 rng(14);
    // `undo` 3 cycles after the fault, or once the far end has finished the frame
    auto during_frame = [&](const std::function<void()>& fault, const std::function<void()>& undo,
                            bool undo_after_frame = false) {
        auto f = plain_frame(600, rng);
        h.send_line(f);
        ASSERT_TRUE(h.run_until([&] { return h.line_rx_dv(); }, 10000));
        h.run(100 + rng() % 300);
        fault();
        if (undo_after_frame)
            ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 100000));
        else
            h.run(3);
        undo();
        ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 100000));
        h.run(500);
    };
    during_frame([&] { h.set_flip(0x10); }, [&] { h.set_flip(0); });
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 1u);
    during_frame([&] { h.set_rx_er(true); }, [&] { h.set_rx_er(false); });
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 2u);
    during_frame([&] { h.set_link(false); }, [&] { h.set_link(true); }, true);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 3u);
    EXPECT_EQ(h.rd(R::kStatRxFrames), 0u);
    EXPECT_TRUE(d.poll_rx().empty());
    EXPECT_EQ(h.rd(R::kStatus) & 1, 1u);
    auto f = plain_frame(300, rng);
    h.send_line(f);
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == 1; }, 100000));
    auto c = d.poll_rx();
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].data, f);
    expect_clean_bus(h);
}

// Link down while the NIC transmits: the frame in flight is cut on the line (the far end sees
// a short burst that fails its FCS), later ones are lost while the link is down, the rings keep
// moving, and after the link returns frames go out whole.
TEST(NicErrors, LinkDownMidFrameTx) {
    NicHarness h;
    RingDriver d(h);
    d.init(16, 16);
    std::mt19937_64 rng(15);
    TxPacket p;
    p.data = plain_frame(1500, rng);
    d.post_tx(p);
    ASSERT_TRUE(h.run_until([&] { return h.line_tx_en(); }, 10000));
    h.run(200);
    h.set_link(false);
    d.post_tx(p);
    h.run(40000);
    h.set_link(true);
    h.run(100);
    auto c = d.poll_tx();
    EXPECT_EQ(c.size(), 2u);
    ASSERT_EQ(h.line_tx().size(), 1u);
    std::vector<uint8_t> f;
    EXPECT_FALSE(decode_burst(h.line_tx()[0].symbols, f));   // cut
    EXPECT_LT(h.line_tx()[0].symbols.size(), 1500u);
    d.post_tx(p);
    ASSERT_TRUE(h.run_until([&] { return h.line_tx().size() == 2; }, 100000));
    h.run(200);
    ASSERT_TRUE(decode_burst(h.line_tx()[1].symbols, f));
    EXPECT_EQ(f, p.data);
}

// RX_EN off: frames collect in the 4 KB RX FIFO; the ones that do not fit are counted in
// RX_DROP_FIFO; enabling RX delivers the stored ones intact.
TEST(NicErrors, RxFifoOverflow) {
    NicHarness h;
    RingDriver d(h);
    d.init(16, 16, false);
    h.wr(R::kCtrl, R::ctrl::kTxEn(1));
    d.post_rx(15);
    std::mt19937_64 rng(16);
    std::vector<std::vector<uint8_t>> sent;
    for (int i = 0; i < 6; ++i) {
        sent.push_back(plain_frame(1000, rng));
        h.send_line(sent.back());
    }
    ASSERT_TRUE(h.run_until([&] { return h.line_rx_pending() == 0; }, 100000));
    h.run(500);
    // The RX FIFO holds NIC_FIFO_WORDS 8-byte words (4 KB by default, 2 KB in the board's build):
    // as many 1000-byte frames (125 words each) fit as whole frames fit in it; the rest are dropped.
    const unsigned fit = NIC_FIFO_WORDS / 125;
    EXPECT_EQ(h.rd(R::kStatRxDropFifo), 6u - fit);
    h.wr(R::kCtrl, R::ctrl::kTxEn(1) | R::ctrl::kRxEn(1));
    ASSERT_TRUE(h.run_until([&] { return h.rd(R::kStatRxFrames) == fit; }, 100000));
    auto c = d.poll_rx();
    ASSERT_EQ(c.size(), fit);
    for (unsigned i = 0; i < fit; ++i) EXPECT_EQ(c[i].data, sent[i]);
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 0u);
}

// Interrupt moderation, cycle-exact. The reference point is the core cycle in which the device
// writes the completion's last beat (seen by the memory model).
struct IrqBench {
    NicHarness h;
    RingDriver d{h};
    std::mt19937_64 rng{17};
    std::vector<uint64_t> cpl_cycles;
    uint64_t irq_rise = 0;
    bool prev_irq = false;
    IrqBench() {
        d.init(64, 64);
        d.post_rx(63);
        uint64_t lo = d.base() + RingDriver::kRxCpl;
        h.axi().on_write = [this, lo](uint64_t a, uint8_t, uint64_t, uint64_t cyc) {
            if (a >= lo && a < lo + 64 * 16 && (a & 15) == 8) cpl_cycles.push_back(cyc);
        };
        h.on_core_cycle = [this] {
            bool now = h.irq();
            if (now && !prev_irq && irq_rise == 0) irq_rise = h.cycle();
            prev_irq = now;
        };
    }
    void frames(int n, int gap = 12) {
        for (int i = 0; i < n; ++i) h.send_line(plain_frame(100, rng), gap);
    }
};

TEST(NicErrors, IrqImmediateLatency) {
    IrqBench b;
    b.h.wr(R::kIrqMask, R::irq_cause::kRx(1));
    b.frames(1);
    ASSERT_TRUE(b.h.run_until([&] { return b.irq_rise != 0; }, 100000));
    ASSERT_EQ(b.cpl_cycles.size(), 1u);
    // 3 cycles: the completion event (registered), IRQ_CAUSE and the moderation state, the IRQ
    // flip-flop
    EXPECT_EQ(b.irq_rise - b.cpl_cycles[0], 3u);
    // RW1C clears, the line drops
    b.h.wr(R::kIrqCause, R::irq_cause::kRx(1));
    b.h.run(2);
    EXPECT_FALSE(b.h.irq());
}

TEST(NicErrors, IrqModerationPacketCount) {
    IrqBench b;
    b.h.wr(R::kIrqModPkts, 4);
    b.h.wr(R::kIrqMask, R::irq_cause::kRx(1));
    b.frames(3, 400);
    ASSERT_TRUE(b.h.run_until([&] { return b.cpl_cycles.size() == 3; }, 100000));
    b.h.run(3000);
    EXPECT_EQ(b.irq_rise, 0u);                        // 3 pending: not yet
    EXPECT_EQ(b.h.rd(R::kIrqCause), R::irq_cause::kRx(1));
    b.frames(1);
    ASSERT_TRUE(b.h.run_until([&] { return b.irq_rise != 0; }, 100000));
    EXPECT_EQ(b.irq_rise - b.cpl_cycles[3], 3u);     // the fourth completion fires it
}

TEST(NicErrors, IrqModerationTimer) {
    IrqBench b;
    b.h.wr(R::kIrqModPkts, 100);
    b.h.wr(R::kIrqModTimer, 2000);
    b.h.wr(R::kIrqMask, R::irq_cause::kRx(1));
    b.frames(2, 12);
    ASSERT_TRUE(b.h.run_until([&] { return b.irq_rise != 0; }, 100000));
    ASSERT_EQ(b.cpl_cycles.size(), 2u);
    // the timer starts with the first pending completion: 2000 cycles after it (plus the same
    // 3-cycle pipeline as an immediate interrupt)
    EXPECT_EQ(b.irq_rise - b.cpl_cycles[0], 2000u + 3u);
    // NAPI: mask, poll, clear, unmask: the line stays low with nothing new
    b.h.wr(R::kIrqMask, 0);
    EXPECT_EQ(b.d.poll_rx(true).size(), 2u);
    b.h.wr(R::kIrqCause, R::irq_cause::kRx(1));
    b.h.wr(R::kIrqMask, R::irq_cause::kRx(1));
    b.h.run(5000);
    EXPECT_FALSE(b.h.irq());
}

}  // namespace
}  // namespace nic::test
