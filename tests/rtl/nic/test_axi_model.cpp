// The AXI4 slave model of sim/nic/axi_models.h on its own, cycle by cycle against a small scripted
// master in C++ (no Verilator), so that what the NIC tests lean on is itself checked:
//   - the default timing is the fixed one the NIC tests' cycle counts assume, with READY always high
//   - seeded back-pressure on all five channels and latency jitter: present, within bounds, the
//     same trace for the same seed and another for another seed; the slave keeps an R beat or B
//     response it has shown, unchanged, until the master takes it (A3.2.1)
//   - write data before its address (A3.3.1): taken, written where the AW later says
//   - aw_after_w: AWREADY only after the burst's first / last W beat; B only after both AW and WLAST
//   - error ranges: SLVERR/DECERR per read beat, on B for a write, whose data is not written (A3.4.4)
//   - the deadlock detector against a master that waits for AWREADY before WVALID, and not against
//     one whose W merely pauses for less than the limit
//   - the master-side protocol checks: VALID dropped before READY, WLAST, 4 KB
#include "nic/axi_models.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace nic::sim {
namespace {

constexpr uint64_t kBase = 0x100000000ull;   // above 4 GB, as in the NIC tests
constexpr size_t kMemSize = 0x10000;

uint64_t pattern(uint64_t addr) { return addr * 0x9E3779B97F4A7C15ull ^ 0x0123456789ABCDEFull; }

struct ReadReq { uint64_t addr; unsigned len; uint8_t id; };
struct WriteReq { uint64_t addr; std::vector<uint64_t> data; uint8_t id; uint8_t strb = 0xFF; };

// How the master orders a write burst's address and data.
enum class WOrder {
    together,       // AWVALID and WVALID as soon as it has them (what A3.3.1 asks of a master)
    w_first,        // AWVALID only once all the burst's W beats are taken (legal)
    aw_first,       // WVALID only once its AW is taken: waits for AWREADY (forbidden by A3.3.1)
};

// The slave's outputs every cycle, to compare two runs.
struct Sample {
    bool arready, awready, wready, rvalid, rlast, bvalid;
    uint8_t rid, rresp, bid, bresp;
    uint64_t rdata;
    bool operator==(const Sample& o) const {
        return arready == o.arready && awready == o.awready && wready == o.wready &&
               rvalid == o.rvalid && bvalid == o.bvalid &&
               (!rvalid || (rlast == o.rlast && rid == o.rid && rresp == o.rresp && rdata == o.rdata)) &&
               (!bvalid || (bid == o.bid && bresp == o.bresp));
    }
};

// A scripted AXI4 master around one AxiSlaveMemory: runs the reads and writes it is given, in
// order, holds every VALID and payload until its handshake, and records when each handshake
// happened (the model's cycle() before the edge) and what came back. It also checks the slave:
// a shown R beat or B response must still be there, unchanged, until taken (A3.2.1).
struct Bench {
    HostMemory mem{kBase, kMemSize};
    AxiSlaveMemory axi;

    // Master behaviour.
    WOrder order = WOrder::together;
    unsigned rready_pct = 100, bready_pct = 100;   // READY high this often
    unsigned w_pause = 0;        // WVALID low this many cycles before each beat it could send
    bool serial_reads = false;   // next AR only after the previous burst's RLAST
    bool serial_writes = false;  // next AW and W only after the previous burst's B
    std::mt19937_64 rng{7};      // the master's own randomness (READY), fixed

    std::vector<ReadReq> reads;
    std::vector<WriteReq> writes;

    // What happened.
    struct RBeat { uint8_t id; uint64_t data; uint8_t resp; bool last; uint64_t cycle; };
    struct BResp { uint8_t id; uint8_t resp; uint64_t cycle; };
    std::vector<uint64_t> ar_cycle, aw_cycle;
    std::vector<std::vector<uint64_t>> w_cycle;
    std::vector<RBeat> rbeats;
    std::vector<BResp> bresps;
    std::vector<Sample> trace;
    std::vector<std::string> slave_errors;
    uint64_t ar_stalls = 0, aw_stalls = 0, w_stalls = 0;   // VALID high, READY low
    uint64_t r_mid_gaps = 0;     // RVALID low inside a burst, after its first beat was taken
    uint64_t r_held = 0, b_held = 0;   // VALID high, master's READY low

    explicit Bench(const AxiSlaveConfig& c = {}) : axi(mem, c) {
        for (uint64_t a = kBase; a < kBase + kMemSize; a += 8) mem.wr64(a, pattern(a));
    }

    size_t ar_next = 0, aw_next = 0, w_burst = 0, w_beat = 0, r_burst = 0, r_beat = 0;
    unsigned w_wait = 0;
    bool w_wait_armed = false;
    AxiSlaveSignals prev_s{};
    bool prev_r_shown = false, prev_b_shown = false;   // shown and not taken

    size_t beats_expected() const {
        size_t n = 0;
        for (auto& r : reads) n += r.len;
        return n;
    }
    bool done() const { return rbeats.size() == beats_expected() && bresps.size() == writes.size(); }

    void step() {
        const AxiSlaveSignals s = axi.outputs();
        const uint64_t cyc = axi.cycle();
        trace.push_back(Sample{s.arready, s.awready, s.wready, s.rvalid, s.rlast, s.bvalid, s.rid,
                               s.rresp, s.bid, s.bresp, s.rdata});
        if (prev_r_shown && !(s.rvalid && s.rid == prev_s.rid && s.rdata == prev_s.rdata &&
                              s.rresp == prev_s.rresp && s.rlast == prev_s.rlast))
            slave_errors.push_back("R beat changed or dropped before RREADY at cycle " +
                                   std::to_string(cyc));
        if (prev_b_shown && !(s.bvalid && s.bid == prev_s.bid && s.bresp == prev_s.bresp))
            slave_errors.push_back("B changed or dropped before BREADY at cycle " + std::to_string(cyc));

        AxiMasterSignals m;
        if (ar_next < reads.size() && (!serial_reads || r_burst == ar_next)) {
            const ReadReq& r = reads[ar_next];
            m.arvalid = true;
            m.arid = r.id;
            m.araddr = r.addr;
            m.arlen = uint8_t(r.len - 1);
            m.arsize = 3;
            m.arburst = 1;
        }
        m.rready = unsigned(rng() % 100) < rready_pct;
        if (aw_next < writes.size() && (order != WOrder::w_first || w_burst > aw_next) &&
            (!serial_writes || bresps.size() == aw_next)) {
            const WriteReq& w = writes[aw_next];
            m.awvalid = true;
            m.awid = w.id;
            m.awaddr = w.addr;
            m.awlen = uint8_t(w.data.size() - 1);
            m.awsize = 3;
            m.awburst = 1;
        }
        bool w_may = w_burst < writes.size() && (order != WOrder::aw_first || aw_next > w_burst) &&
                     (!serial_writes || bresps.size() == w_burst);
        if (w_may && !w_wait_armed) {
            w_wait = w_pause;
            w_wait_armed = true;
        }
        if (w_may && w_wait > 0) {
            --w_wait;
            w_may = false;
        }
        if (w_may) {
            const WriteReq& w = writes[w_burst];
            m.wvalid = true;
            m.wdata = w.data[w_beat];
            m.wstrb = w.strb;
            m.wlast = w_beat + 1 == w.data.size();
        }
        m.bready = unsigned(rng() % 100) < bready_pct;

        const bool ar = m.arvalid && s.arready, aw = m.awvalid && s.awready;
        const bool w = m.wvalid && s.wready, r = s.rvalid && m.rready, b = s.bvalid && m.bready;
        ar_stalls += m.arvalid && !s.arready;
        aw_stalls += m.awvalid && !s.awready;
        w_stalls += m.wvalid && !s.wready;
        r_mid_gaps += !s.rvalid && r_beat > 0;
        r_held += s.rvalid && !m.rready;
        b_held += s.bvalid && !m.bready;
        axi.clock(m);

        if (ar) {
            ar_cycle.push_back(cyc);
            ++ar_next;
        }
        if (aw) {
            aw_cycle.push_back(cyc);
            ++aw_next;
        }
        if (w) {
            if (w_cycle.size() <= w_burst) w_cycle.resize(w_burst + 1);
            w_cycle[w_burst].push_back(cyc);
            w_wait_armed = false;
            if (++w_beat == writes[w_burst].data.size()) {
                ++w_burst;
                w_beat = 0;
            }
        }
        if (r) {
            rbeats.push_back(RBeat{s.rid, s.rdata, s.rresp, s.rlast, cyc});
            ++r_beat;
            if (s.rlast) {
                ++r_burst;
                r_beat = 0;
            }
        }
        if (b) bresps.push_back(BResp{s.bid, s.bresp, cyc});
        prev_s = s;
        prev_r_shown = s.rvalid && !r;
        prev_b_shown = s.bvalid && !b;
    }

    bool run(uint64_t max = 100000) {
        for (uint64_t i = 0; i < max && !done(); ++i) step();
        return done();
    }

    // Every error the slave or the model found, as test failures.
    void expect_clean() const {
        for (auto& e : slave_errors) ADD_FAILURE() << "slave: " << e;
        for (auto& e : axi.protocol_errors()) ADD_FAILURE() << "master protocol: " << e;
        for (auto& e : axi.violations()) ADD_FAILURE() << "window: " << e;
    }

    // The R beats of read k, in order (bursts come back in order).
    std::vector<RBeat> beats_of(size_t k) const {
        size_t first = 0;
        for (size_t i = 0; i < k; ++i) first += reads[i].len;
        return {rbeats.begin() + first, rbeats.begin() + first + reads[k].len};
    }
};

std::vector<uint64_t> words(size_t n, uint64_t salt) {
    std::vector<uint64_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (salt << 32) ^ (i * 0x1111111111111111ull) ^ 0xA5A5;
    return v;
}

// A mixed workload: reads in the low half of memory, writes in the high half (so read data does
// not depend on write timing), bursts of 1..16 beats, two IDs.
void mixed_workload(Bench& t, uint64_t seed, int n) {
    std::mt19937_64 g(seed);
    for (int i = 0; i < n; ++i) {
        unsigned len = 1 + unsigned(g() % 16);
        t.reads.push_back(ReadReq{kBase + (g() % 64) * 128, len, uint8_t(g() % 2)});
        unsigned wlen = 1 + unsigned(g() % 16);
        t.writes.push_back(WriteReq{kBase + kMemSize / 2 + uint64_t(i) * 128, words(wlen, i),
                                    uint8_t(g() % 2)});
    }
}

// Reads returned the memory's words, each burst ending with RLAST; writes are in memory.
void expect_data(const Bench& t) {
    for (size_t k = 0; k < t.reads.size(); ++k) {
        auto beats = t.beats_of(k);
        for (size_t i = 0; i < beats.size(); ++i) {
            uint64_t a = t.reads[k].addr + 8 * i;
            EXPECT_EQ(beats[i].data, pattern(a)) << "read " << k << " beat " << i;
            EXPECT_EQ(beats[i].resp, 0) << "read " << k << " beat " << i;
            EXPECT_EQ(beats[i].id, t.reads[k].id) << "read " << k;
            EXPECT_EQ(beats[i].last, i + 1 == beats.size()) << "read " << k << " beat " << i;
        }
    }
    for (size_t k = 0; k < t.writes.size(); ++k) {
        const WriteReq& w = t.writes[k];
        for (size_t i = 0; i < w.data.size(); ++i)
            EXPECT_EQ(t.mem.rd64(w.addr + 8 * i), w.data[i]) << "write " << k << " beat " << i;
        EXPECT_EQ(t.bresps[k].id, w.id) << "write " << k;
        EXPECT_EQ(t.bresps[k].resp, 0) << "write " << k;
    }
}

// A3.3.1: B only after the AW and the last W beat were both taken.
void expect_b_after_aw_and_wlast(const Bench& t) {
    for (size_t k = 0; k < t.writes.size(); ++k) {
        EXPECT_GT(t.bresps[k].cycle, t.aw_cycle[k]) << "write " << k;
        EXPECT_GT(t.bresps[k].cycle, t.w_cycle[k].back()) << "write " << k;
    }
}

TEST(AxiModel, DefaultTimingIsFixedLatencyAndReadyAlwaysHigh) {
    AxiSlaveConfig c;
    c.read_latency = 5;
    c.write_latency = 7;
    Bench t(c);
    t.serial_reads = true;
    t.serial_writes = true;
    t.reads = {{kBase + 0x40, 4, 0}, {kBase + 0x1000, 1, 1}};
    t.writes = {{kBase + 0x8000, words(3, 1), 0}, {kBase + 0x9000, words(1, 2), 1}};
    ASSERT_TRUE(t.run());
    t.expect_clean();
    expect_data(t);
    for (size_t k = 0; k < t.reads.size(); ++k) {
        auto beats = t.beats_of(k);
        for (size_t i = 0; i < beats.size(); ++i)   // first beat `latency` after AR, then back to back
            EXPECT_EQ(beats[i].cycle, t.ar_cycle[k] + 5 + i) << "read " << k << " beat " << i;
    }
    for (size_t k = 0; k < t.writes.size(); ++k) {
        EXPECT_EQ(t.aw_cycle[k], t.w_cycle[k].front()) << "write " << k;   // taken together
        EXPECT_EQ(t.bresps[k].cycle, t.w_cycle[k].back() + 7) << "write " << k;
    }
    EXPECT_EQ(t.ar_stalls + t.aw_stalls + t.w_stalls, 0u);
    for (const Sample& s : t.trace) ASSERT_TRUE(s.arready && s.awready && s.wready);
    EXPECT_EQ(t.axi.read_errors(), 0u);
    EXPECT_EQ(t.axi.write_errors(), 0u);
}

AxiSlaveConfig unkind(uint64_t seed) {
    AxiSlaveConfig c;
    c.read_latency = 10;
    c.write_latency = 10;
    c.read_latency_jitter = 20;
    c.write_latency_jitter = 20;
    c.ready_stall_pct = 30;
    c.r_gap_pct = 30;
    c.b_gap_pct = 30;
    c.seed = seed;
    return c;
}

Bench& unkind_run(Bench& t) {
    mixed_workload(t, 99, 40);
    t.rready_pct = 70;
    t.bready_pct = 70;
    return t;
}

TEST(AxiModel, BackPressureOnEveryChannelKeepsDataAndOrder) {
    for (uint64_t seed : {1u, 2u, 3u}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        Bench t(unkind(seed));
        unkind_run(t);
        ASSERT_TRUE(t.run());
        t.expect_clean();
        expect_data(t);
        expect_b_after_aw_and_wlast(t);
        EXPECT_GT(t.ar_stalls, 0u);
        EXPECT_GT(t.aw_stalls, 0u);
        EXPECT_GT(t.w_stalls, 0u);
        EXPECT_GT(t.r_mid_gaps, 0u);
        // the master's READY low while VALID was up: the slave held (checked in step())
        EXPECT_GT(t.r_held, 0u);
        EXPECT_GT(t.b_held, 0u);
    }
}

TEST(AxiModel, SameSeedSameTraceOtherSeedOtherTrace) {
    Bench a(unkind(5)), b(unkind(5)), c(unkind(6));
    for (Bench* t : {&a, &b, &c}) {
        unkind_run(*t);
        ASSERT_TRUE(t->run());
    }
    ASSERT_EQ(a.trace.size(), b.trace.size());
    EXPECT_TRUE(a.trace == b.trace) << "seed 5 twice gave two traces";
    EXPECT_FALSE(a.trace == c.trace) << "seeds 5 and 6 gave the same trace";
    EXPECT_EQ(a.ar_stalls, b.ar_stalls);
    EXPECT_EQ(a.bresps.back().cycle, b.bresps.back().cycle);
}

TEST(AxiModel, LatencyJitterIsPerTransactionWithinBounds) {
    for (uint64_t seed : {11u, 12u}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        AxiSlaveConfig c;
        c.read_latency = 20;
        c.write_latency = 30;
        c.read_latency_jitter = 15;
        c.write_latency_jitter = 5;
        c.seed = seed;
        Bench t(c);
        t.serial_reads = true;    // one at a time: no burst waits behind another
        t.serial_writes = true;
        for (int i = 0; i < 60; ++i) {
            t.reads.push_back(ReadReq{kBase + uint64_t(i) * 64, 2, 0});
            t.writes.push_back(WriteReq{kBase + 0x8000 + uint64_t(i) * 64, words(2, i), 0});
        }
        ASSERT_TRUE(t.run());
        t.expect_clean();
        expect_data(t);
        std::set<uint64_t> rl, wl;
        for (size_t k = 0; k < t.reads.size(); ++k) {
            uint64_t l = t.beats_of(k).front().cycle - t.ar_cycle[k];
            EXPECT_GE(l, 20u);
            EXPECT_LE(l, 35u);
            rl.insert(l);
        }
        for (size_t k = 0; k < t.writes.size(); ++k) {
            uint64_t l = t.bresps[k].cycle - t.w_cycle[k].back();
            EXPECT_GE(l, 30u);
            EXPECT_LE(l, 35u);
            wl.insert(l);
        }
        // 60 draws from 16 and from 6 values: nearly all of them seen
        EXPECT_GE(rl.size(), 12u);
        EXPECT_EQ(wl.size(), 6u);
    }
}

TEST(AxiModel, ResponseGapsDelayFirstBeatSplitBurstsAndDelayB) {
    for (uint64_t seed : {31u, 32u}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        AxiSlaveConfig c;
        c.read_latency = 8;
        c.write_latency = 8;
        c.r_gap_pct = 40;
        c.b_gap_pct = 40;
        c.seed = seed;
        Bench t(c);
        t.serial_reads = true;    // no jitter, no queueing: any delay past the latency is a gap
        t.serial_writes = true;
        for (int i = 0; i < 30; ++i) {
            t.reads.push_back(ReadReq{kBase + uint64_t(i) * 128, 8, 1});
            t.writes.push_back(WriteReq{kBase + 0x8000 + uint64_t(i) * 64, words(1, i), 1});
        }
        ASSERT_TRUE(t.run());
        t.expect_clean();
        expect_data(t);
        unsigned late_r = 0, late_b = 0;
        for (size_t k = 0; k < t.reads.size(); ++k) {
            uint64_t l = t.beats_of(k).front().cycle - t.ar_cycle[k];
            EXPECT_GE(l, 8u);
            late_r += l > 8;
        }
        for (size_t k = 0; k < t.writes.size(); ++k) {
            uint64_t l = t.bresps[k].cycle - t.w_cycle[k].back();
            EXPECT_GE(l, 8u);
            late_b += l > 8;
        }
        EXPECT_GT(late_r, 0u);
        EXPECT_GT(late_b, 0u);
        EXPECT_GT(t.r_mid_gaps, 0u);
    }
}

TEST(AxiModel, HeldReadBeatKeepsItsDataWhenMemoryChanges) {
    AxiSlaveConfig c;
    c.read_latency = 3;
    Bench t(c);
    t.reads = {{kBase + 0x100, 2, 1}};
    t.rready_pct = 0;                 // never takes: the first beat is shown and held
    for (int i = 0; i < 10; ++i) t.step();
    ASSERT_TRUE(t.axi.outputs().rvalid);
    t.mem.wr64(kBase + 0x100, 0x1122334455667788ull);
    for (int i = 0; i < 5; ++i) t.step();
    EXPECT_EQ(t.axi.outputs().rdata, pattern(kBase + 0x100));
    t.rready_pct = 100;
    ASSERT_TRUE(t.run());
    t.expect_clean();
    EXPECT_EQ(t.rbeats[0].data, pattern(kBase + 0x100));       // what was shown
    EXPECT_EQ(t.rbeats[1].data, pattern(kBase + 0x108));
    EXPECT_GT(t.r_held, 5u);
}

TEST(AxiModel, WriteDataBeforeAddressIsTakenAndWritten) {
    AxiSlaveConfig c;
    c.write_latency = 4;
    Bench t(c);
    t.order = WOrder::w_first;
    t.writes = {{kBase + 0x2000, words(4, 1), 0}, {kBase + 0x3000, words(1, 2), 1},
                {kBase + 0x2100, words(3, 3), 0, 0x0F}};
    ASSERT_TRUE(t.run());
    t.expect_clean();
    for (size_t k = 0; k < t.writes.size(); ++k) {
        // WREADY was high with no AW pending: the whole burst went in before its address
        EXPECT_LT(t.w_cycle[k].back(), t.aw_cycle[k]) << "write " << k;
        EXPECT_EQ(t.bresps[k].resp, 0);
        EXPECT_EQ(t.bresps[k].id, t.writes[k].id);
    }
    expect_b_after_aw_and_wlast(t);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(t.mem.rd64(kBase + 0x2000 + 8 * i), words(4, 1)[i]);
    EXPECT_EQ(t.mem.rd64(kBase + 0x3000), words(1, 2)[0]);
    for (size_t i = 0; i < 3; ++i) {   // WSTRB 0x0F: the low four bytes only
        uint64_t a = kBase + 0x2100 + 8 * i;
        uint64_t want = (words(3, 3)[i] & 0xFFFFFFFFull) | (pattern(a) & ~0xFFFFFFFFull);
        EXPECT_EQ(t.mem.rd64(a), want) << "beat " << i;
    }
}

TEST(AxiModel, AwAfterWHoldsAwreadyUntilWriteData) {
    for (AwAfterW mode : {AwAfterW::first_beat, AwAfterW::last_beat}) {
        for (uint64_t seed : {21u, 22u}) {
            SCOPED_TRACE("mode " + std::to_string(int(mode)) + " seed " + std::to_string(seed));
            AxiSlaveConfig c;
            c.aw_after_w = mode;
            c.write_latency = 5;
            c.ready_stall_pct = 20;
            c.seed = seed;
            Bench t(c);
            t.bready_pct = 60;
            std::mt19937_64 g(seed);
            for (int i = 0; i < 20; ++i)
                t.writes.push_back(WriteReq{kBase + uint64_t(i) * 256, words(1 + g() % 8, i),
                                            uint8_t(i % 2)});
            ASSERT_TRUE(t.run());
            t.expect_clean();
            expect_data(t);
            expect_b_after_aw_and_wlast(t);
            for (size_t k = 0; k < t.writes.size(); ++k) {
                uint64_t w = mode == AwAfterW::first_beat ? t.w_cycle[k].front() : t.w_cycle[k].back();
                EXPECT_GT(t.aw_cycle[k], w) << "write " << k;
            }
            // until the first burst's data was taken, AWREADY was low throughout
            uint64_t until = mode == AwAfterW::first_beat ? t.w_cycle[0].front() : t.w_cycle[0].back();
            for (uint64_t cyc = 0; cyc <= until; ++cyc)
                EXPECT_FALSE(t.trace[cyc].awready) << "cycle " << cyc;
        }
    }
}

TEST(AxiModel, ErrorRangesAnswerSlverrDecerrAndDropTheWrite) {
    AxiSlaveConfig c;
    c.read_latency = 4;
    c.write_latency = 4;
    c.add_error_range(kBase + 0x100, kBase + 0x130, 2, true, true);     // SLVERR both ways
    c.add_error_range(kBase + 0x800, kBase + 0x900, 3, false, true);    // DECERR on writes only
    Bench t(c);
    std::vector<uint64_t> written;
    t.axi.on_write = [&](uint64_t a, uint8_t, uint64_t, uint64_t) { written.push_back(a); };
    // Reads first, on memory as it was filled, then writes.
    t.reads = {{kBase + 0xF8, 8, 0},     // 0xF8 fine, 0x100..0x128 inside, 0x130 fine
               {kBase + 0xC0, 8, 1},     // ends at lo: outside (the range is [lo, hi))
               {kBase + 0x800, 4, 0}};   // writes-only range: reads are fine
    ASSERT_TRUE(t.run());
    t.writes = {{kBase + 0xF0, words(2, 1), 0},     // ends at lo: written
                {kBase + 0x130, words(2, 2), 1},    // starts at hi: written
                {kBase + 0x128, words(2, 3), 0},    // 0x128 inside, 0x130 not: none written
                {kBase + 0x8F8, words(1, 4), 0},    // DECERR
                {kBase + 0x900, words(1, 5), 1}};   // just past it
    ASSERT_TRUE(t.run());
    t.expect_clean();

    auto r0 = t.beats_of(0);
    for (size_t i = 0; i < r0.size(); ++i) {
        uint64_t a = kBase + 0xF8 + 8 * i;
        bool bad = a >= kBase + 0x100 && a < kBase + 0x130;
        EXPECT_EQ(r0[i].resp, bad ? 2 : 0) << "beat " << i;
        EXPECT_EQ(r0[i].data, bad ? 0xDEADBEEFDEADBEEFull : pattern(a)) << "beat " << i;
        EXPECT_EQ(r0[i].last, i + 1 == r0.size()) << "beat " << i;
    }
    for (size_t k : {1, 2})
        for (auto& b : t.beats_of(k)) EXPECT_EQ(b.resp, 0) << "read " << k;

    const uint8_t want_b[] = {0, 0, 2, 3, 0};
    for (size_t k = 0; k < t.writes.size(); ++k) {
        EXPECT_EQ(t.bresps[k].resp, want_b[k]) << "write " << k;
        EXPECT_EQ(t.bresps[k].id, t.writes[k].id) << "write " << k;
    }
    EXPECT_EQ(t.mem.rd64(kBase + 0xF8), words(2, 1)[1]);
    EXPECT_EQ(t.mem.rd64(kBase + 0x128), pattern(kBase + 0x128));
    EXPECT_EQ(t.mem.rd64(kBase + 0x130), words(2, 2)[0]);   // not the refused burst's second beat
    EXPECT_EQ(t.mem.rd64(kBase + 0x8F8), pattern(kBase + 0x8F8));
    EXPECT_EQ(t.mem.rd64(kBase + 0x900), words(1, 5)[0]);
    EXPECT_EQ(written, (std::vector<uint64_t>{kBase + 0xF0, kBase + 0xF8, kBase + 0x130,
                                              kBase + 0x138, kBase + 0x900}));

    EXPECT_EQ(t.axi.read_errors(), 6u);    // 0x100, 0x108, ..., 0x128
    EXPECT_EQ(t.axi.write_errors(), 2u);
}

TEST(AxiModel, ErrorRangeArgumentsAreChecked) {
    AxiSlaveConfig c;
    EXPECT_THROW(c.add_error_range(0x1000, 0x2000, 0, true, true), std::invalid_argument);
    EXPECT_THROW(c.add_error_range(0x1000, 0x2000, 1, true, true), std::invalid_argument);   // EXOKAY
    EXPECT_THROW(c.add_error_range(0x2000, 0x2000, 2, true, true), std::invalid_argument);
    EXPECT_TRUE(c.error_ranges.empty());
    c.add_error_range(0x1000, 0x2000, 3, true, false);
    ASSERT_EQ(c.error_ranges.size(), 1u);
    EXPECT_EQ(c.error_ranges[0].resp, 3);
}

TEST(AxiModel, DeadlockDetectorFiresAgainstMasterWaitingForAwready) {
    for (AwAfterW mode : {AwAfterW::first_beat, AwAfterW::last_beat}) {
        SCOPED_TRACE("mode " + std::to_string(int(mode)));
        AxiSlaveConfig c;
        c.aw_after_w = mode;
        c.deadlock_cycles = 100;
        Bench t(c);
        t.order = WOrder::aw_first;
        t.writes = {{kBase, words(2, 1), 0}};
        for (int i = 0; i < 100; ++i) t.step();        // 100 cycles of WVALID low: not yet
        EXPECT_TRUE(t.axi.protocol_errors().empty());
        t.step();                                      // the 101st
        ASSERT_EQ(t.axi.protocol_errors().size(), 1u);
        EXPECT_NE(t.axi.protocol_errors()[0].find("master waits for AWREADY before WVALID (A3.3.1)"),
                  std::string::npos) << t.axi.protocol_errors()[0];
        for (int i = 0; i < 500; ++i) t.step();        // told once
        EXPECT_EQ(t.axi.protocol_errors().size(), 1u);
        EXPECT_TRUE(t.aw_cycle.empty());
        EXPECT_FALSE(t.done());
    }
    // The same master against the default slave completes without a word.
    Bench t;
    t.order = WOrder::aw_first;
    t.writes = {{kBase, words(2, 1), 0}};
    ASSERT_TRUE(t.run());
    t.expect_clean();
}

TEST(AxiModel, DeadlockDetectorCountsOnlyWvalidLowStretches) {
    // A legal master whose W pauses 50 cycles before each beat: an AW waits up to 50 cycles.
    for (unsigned limit : {60u, 40u}) {
        SCOPED_TRACE("limit " + std::to_string(limit));
        AxiSlaveConfig c;
        c.aw_after_w = AwAfterW::first_beat;
        c.deadlock_cycles = limit;
        Bench t(c);
        t.w_pause = 50;
        t.writes = {{kBase, words(3, 1), 0}, {kBase + 0x100, words(2, 2), 1}};
        ASSERT_TRUE(t.run());
        expect_data(t);
        if (limit > 50) {
            t.expect_clean();
        } else {
            ASSERT_FALSE(t.axi.protocol_errors().empty());
            EXPECT_NE(t.axi.protocol_errors()[0].find("A3.3.1"), std::string::npos);
        }
    }
}

TEST(AxiModel, MasterProtocolErrorsAreRecorded) {
    auto aw = [](uint64_t addr, uint8_t len) {
        AxiMasterSignals m;
        m.awvalid = true;
        m.awaddr = addr;
        m.awlen = len;
        m.awsize = 3;
        m.awburst = 1;
        return m;
    };
    {   // AWVALID dropped while the slave held AWREADY low for the data (A3.2.1)
        HostMemory mem(kBase, kMemSize);
        AxiSlaveConfig c;
        c.aw_after_w = AwAfterW::first_beat;
        AxiSlaveMemory axi(mem, c);
        axi.clock(aw(kBase, 0));
        EXPECT_TRUE(axi.protocol_errors().empty());
        axi.clock(AxiMasterSignals{});
        ASSERT_EQ(axi.protocol_errors().size(), 1u);
        EXPECT_NE(axi.protocol_errors()[0].find("AW changed or dropped"), std::string::npos);
    }
    {   // WLAST on the first beat of two
        HostMemory mem(kBase, kMemSize);
        AxiSlaveMemory axi(mem);
        AxiMasterSignals m = aw(kBase, 1);
        m.wvalid = true;
        m.wstrb = 0xFF;
        m.wlast = true;
        axi.clock(m);
        ASSERT_FALSE(axi.protocol_errors().empty());
        EXPECT_NE(axi.protocol_errors()[0].find("WLAST at beat 1 of 2"), std::string::npos)
            << axi.protocol_errors()[0];
    }
    {   // a burst across 4 KB (A3.4.1)
        Bench t;
        t.writes = {{kBase + 0xFF8, words(2, 1), 0}};
        ASSERT_TRUE(t.run());
        ASSERT_EQ(t.axi.protocol_errors().size(), 1u);
        EXPECT_NE(t.axi.protocol_errors()[0].find("crosses 4 KB"), std::string::npos);
    }
}

}  // namespace
}  // namespace nic::sim
