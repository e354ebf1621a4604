// Cycle-level C++ models of the NIC's host side, independent of Verilator and of SystemC so that
// the co-simulation can reuse them:
//   HostMemory     flat byte-addressed host memory
//   AxiSlaveMemory an AXI4 slave (ARM IHI 0022E) in front of it: fixed latency from address to
//                  first data / from last write beat to B, any number of outstanding bursts,
//                  answered in order; checks the master's protocol on every cycle and records
//                  every access outside the DMA window the test declares. Optionally as unkind
//                  as the specification allows (AxiSlaveConfig): seeded back-pressure on all five
//                  channels, per-transaction latency, AWREADY held until the write data came,
//                  SLVERR/DECERR on configured address ranges
//   AxiLiteMaster  an AXI4-Lite master that runs register reads and writes one at a time
// Each model is clocked by its owner: outputs() gives the signals to drive before a rising edge,
// clock(in) takes the master's signals as they were at that edge and advances.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace nic::sim {

class HostMemory {
public:
    HostMemory(uint64_t base, size_t size) : base_(base), mem_(size, 0) {}
    uint64_t base() const { return base_; }
    uint64_t end() const { return base_ + mem_.size(); }
    bool contains(uint64_t a, size_t n) const { return a >= base_ && a + n <= end() && a + n >= a; }
    uint8_t* at(uint64_t a) { return &mem_[a - base_]; }
    void write(uint64_t a, const void* p, size_t n);
    void read(uint64_t a, void* p, size_t n) const;
    void fill(uint64_t a, uint8_t v, size_t n);
    std::vector<uint8_t> bytes(uint64_t a, size_t n) const;
    uint64_t rd64(uint64_t a) const;
    void wr64(uint64_t a, uint64_t v) { write(a, &v, 8); }
    uint32_t rd32(uint64_t a) const { uint32_t v; read(a, &v, 4); return v; }
    uint16_t rd16(uint64_t a) const { uint16_t v; read(a, &v, 2); return v; }

private:
    uint64_t base_;
    std::vector<uint8_t> mem_;
};

struct AxiMasterSignals {                // what the DMA master drives
    bool arvalid = false; uint8_t arid = 0; uint64_t araddr = 0; uint8_t arlen = 0;
    uint8_t arsize = 0; uint8_t arburst = 0; bool rready = false;
    bool awvalid = false; uint8_t awid = 0; uint64_t awaddr = 0; uint8_t awlen = 0;
    uint8_t awsize = 0; uint8_t awburst = 0;
    bool wvalid = false; uint64_t wdata = 0; uint8_t wstrb = 0; bool wlast = false;
    bool bready = false;
};

struct AxiSlaveSignals {                 // what the memory drives
    bool arready = false;
    bool rvalid = false; uint8_t rid = 0; uint64_t rdata = 0; uint8_t rresp = 0; bool rlast = false;
    bool awready = false; bool wready = false;
    bool bvalid = false; uint8_t bid = 0; uint8_t bresp = 0;
};

// When the slave asserts AWREADY relative to the burst's write data. A3.3.1 lets a slave wait for
// WVALID (or for the whole burst) before AWREADY, and forbids the master to wait for AWREADY
// before WVALID: a master that does deadlocks against such a slave, which is what these modes are
// for (the model detects it, see AxiSlaveConfig::deadlock_cycles).
enum class AwAfterW : uint8_t {
    off,            // AWREADY does not look at W
    first_beat,     // AWREADY low until the burst's first W beat has been accepted
    last_beat,      // AWREADY low until its last W beat (WLAST) has been accepted
};

// Accesses to [lo, hi) that the slave answers with an error response (A3.4.4): SLVERR (2, the
// slave got the access and refuses it) or DECERR (3, nothing at that address). A read burst gets
// the error on each beat inside the range, with garbage data (A3.4.4 allows a response per read
// beat); a write burst touching the range gets it on its one B response and none of its data is
// written, so a test sees any success the master reports over lost data.
struct AxiErrorRange {
    uint64_t lo, hi;
    uint8_t resp;
    bool reads, writes;
};

// Everything but the latencies is off by default, and then the model's timing is exactly the
// fixed-latency one the NIC tests' cycle counts assume. One seed drives all the randomness: the
// same seed and configuration give the same behaviour, cycle for cycle.
struct AxiSlaveConfig {
    unsigned read_latency = 125;         // core cycles from AR handshake to the first R beat
    unsigned write_latency = 125;        // core cycles from the last W beat to B
    // Latency per transaction uniform in [latency, latency + jitter]: a memory behind a real
    // interconnect. Responses stay in order (AXI only orders responses of the same ID, and keeping
    // all of them in order is legal), so a quick burst still waits for a slow one before it.
    unsigned read_latency_jitter = 0;
    unsigned write_latency_jitter = 0;
    // A3.2.1: a slave may hold READY low as long as it likes. AR/AW/W ready low this often (each
    // cycle, each channel). The only knob that draws on idle cycles too, so NicHarness::skip_idle
    // stays off with it.
    unsigned ready_stall_pct = 0;
    // A3.2.1: the source asserts VALID when it likes, but once asserted holds it (and the payload)
    // until the handshake. An R beat or B response not yet shown is held back this often each
    // cycle: gaps before the first R beat and between beats, delays before BVALID. Once shown it
    // stays, unchanged, until RREADY / BREADY.
    unsigned r_gap_pct = 0;
    unsigned b_gap_pct = 0;
    AwAfterW aw_after_w = AwAfterW::off;
    // With aw_after_w on: an AW waiting for its write data while WVALID has been low for more
    // than this many cycles is a master waiting for AWREADY before WVALID (A3.3.1), a deadlock;
    // it is recorded as a protocol error instead of the test timing out without a word.
    unsigned deadlock_cycles = 10000;
    std::vector<AxiErrorRange> error_ranges;     // first match wins
    uint64_t seed = 1;

    // resp is 2 (SLVERR) or 3 (DECERR); reads / writes: which accesses get it. Throws
    // std::invalid_argument for another response or an empty range.
    void add_error_range(uint64_t lo, uint64_t hi, uint8_t resp, bool reads, bool writes);
};

class AxiSlaveMemory {
public:
    AxiSlaveMemory(HostMemory& mem, const AxiSlaveConfig& cfg = {});
    AxiSlaveSignals outputs() const { return out_; }
    void clock(const AxiMasterSignals& in);
    void reset();

    // The window the device may touch; accesses outside it are recorded as violations.
    void set_window(uint64_t lo, uint64_t hi) { win_lo_ = lo; win_hi_ = hi; }
    const std::vector<std::string>& violations() const { return violations_; }
    const std::vector<std::string>& protocol_errors() const { return protocol_; }
    // Called for every completed write beat (address of the 8-byte word, strobe, data) that was
    // written: not for those of a burst an error range refused.
    std::function<void(uint64_t addr, uint8_t strb, uint64_t data, uint64_t cycle)> on_write;
    uint64_t cycle() const { return cycle_; }
    uint64_t read_beats() const { return read_beats_; }
    uint64_t write_beats() const { return write_beats_; }
    // Error responses the master has taken: R beats with RRESP != OKAY (an error range, or outside
    // host memory) and B responses with BRESP != OKAY.
    uint64_t read_errors() const { return read_errors_; }
    uint64_t write_errors() const { return write_errors_; }
    bool idle() const { return reads_.empty() && writes_.empty() && bs_.empty() && wq_.empty(); }
    AxiSlaveConfig& config() { return cfg_; }
    // Idle cycles passed without clocking (NicHarness::skip_idle): only the cycle count moves.
    void skip(uint64_t n) { cycle_ += n; }

private:
    // resp: for a write burst, its B response (decided by the error ranges at AW).
    struct Burst { uint64_t addr; unsigned len; uint8_t id; uint64_t ready; unsigned beat = 0;
                   uint8_t resp = 0; };
    struct WBeat { uint64_t data; uint8_t strb; bool last; };
    struct BResp { uint8_t id; uint64_t ready; uint8_t resp; };
    void check_burst(const char* ch, uint64_t addr, unsigned len, unsigned size, unsigned burst);
    void check_deadlock(const AxiMasterSignals& in);
    uint8_t error_resp(uint64_t addr, uint64_t n, bool write) const;
    bool aw_waits_for_w() const;
    unsigned jitter(unsigned max);
    void update_outputs();

    HostMemory& mem_;
    AxiSlaveConfig cfg_;
    std::mt19937_64 rng_;
    AxiSlaveSignals out_;
    uint64_t cycle_ = 0;
    std::deque<Burst> reads_, writes_;
    std::deque<WBeat> wq_;
    std::deque<BResp> bs_;
    uint64_t win_lo_ = 0, win_hi_ = ~0ull;
    std::vector<std::string> violations_, protocol_;
    AxiMasterSignals prev_;
    bool prev_ar_wait_ = false, prev_aw_wait_ = false, prev_w_wait_ = false;
    // The R beat / B response shown was not taken: it stays as it is (A3.2.1).
    bool r_held_ = false, b_held_ = false;
    // AWREADY is low because the burst's write data has not come (aw_after_w), and since when
    // the master has kept an AW waiting with WVALID low.
    bool aw_waits_w_ = false;
    std::optional<uint64_t> aw_starved_since_;
    bool aw_starved_told_ = false;
    uint64_t read_beats_ = 0, write_beats_ = 0;
    uint64_t read_errors_ = 0, write_errors_ = 0;
};

struct AxiLiteMasterSignals {
    uint16_t awaddr = 0; bool awvalid = false; uint32_t wdata = 0; uint8_t wstrb = 0;
    bool wvalid = false; bool bready = false; uint16_t araddr = 0; bool arvalid = false;
    bool rready = false;
};
struct AxiLiteSlaveSignals {
    bool awready = false, wready = false, bvalid = false, arready = false, rvalid = false;
    uint8_t bresp = 0, rresp = 0; uint32_t rdata = 0;
};

class AxiLiteMaster {
public:
    AxiLiteMasterSignals outputs() const { return out_; }
    void clock(const AxiLiteSlaveSignals& in);
    void reset();
    // Queue a transaction; `done` is called with the read data (or 0 for a write) and the
    // response code.
    void write(uint16_t addr, uint32_t data, uint8_t strb = 0xF,
               std::function<void(uint32_t, uint8_t)> done = nullptr);
    void read(uint16_t addr, std::function<void(uint32_t, uint8_t)> done);
    bool idle() const { return ops_.empty(); }
    const std::vector<std::string>& protocol_errors() const { return protocol_; }

private:
    struct Op { bool write; uint16_t addr; uint32_t data; uint8_t strb;
                std::function<void(uint32_t, uint8_t)> done; };
    void start();
    std::deque<Op> ops_;
    AxiLiteMasterSignals out_;
    bool active_ = false, aw_done_ = false, w_done_ = false;
    std::vector<std::string> protocol_;
};

}  // namespace nic::sim
