// Drives the verilated NIC (nic_sim_top: rtl/nic/nic_core.v + rtl/phy/phy_model.v) with its three
// clocks, the host models of sim/nic/axi_models.h on the AXI4-Lite and AXI4 ports, and a far end
// on the PHY's line side: TX bursts are captured, RX frames are sent from a queue, or the line is
// looped back (TX -> RX, whole bursts, like a cable with a store-and-forward repeater).
//
// Time: the core clock and the two MAC clocks have their own periods (femtoseconds), so that
// the MAC clocks may sit +-100 ppm from each other and from the core. cycle() counts core
// clock cycles, the unit of every figure the tests assert.
//
// Used by tests/rtl/nic and bench/nic.
#pragma once

#include "mac/gmii_ref.h"
#include "nic/axi_models.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

class Vnic_sim_top;
class VerilatedContext;
class VerilatedVcdC;

namespace nic::sim {

struct NicConfig {
    double core_mhz = 125.0;
    double tx_ppm = 0;              // MAC TX clock offset from 125 MHz
    double rx_ppm = 0;              // MAC RX clock (the PHY's recovered clock) offset from 125 MHz
    uint64_t mem_base = 0x100000000ull;   // host memory above 4 GB: 64-bit addresses are exercised
    size_t mem_size = 0x1100000;      // what RingDriver lays out (17 MB)
    // The host memory's AXI4 slave: latency 125 core cycles = 1 us at 125 MHz. Back-pressure,
    // latency jitter, AWREADY after W and error ranges are there too, all off by default
    // (sim/nic/axi_models.h).
    AxiSlaveConfig axi;
    bool loopback = false;          // line TX -> line RX
    unsigned line_gap = 12;         // idle symbols after each burst sent to the line RX side
    unsigned phy_latency = 0;       // PHY model cfg_latency (extra clocks each way)
    std::string vcd;                // waveform file when not empty
    uint64_t vcd_from = 0;          // ... dumped only for core cycles in [vcd_from, vcd_to)
    uint64_t vcd_to = ~0ull;
    // All three clocks in phase at 125 MHz (core_mhz and both ppm ignored): one evaluation per edge
    // instead of three, about 3x faster. The co-simulation runs so; the CDC tests keep the offsets.
    bool in_phase = false;
};

// One burst of line_tx_en, as the far end sees it.
struct LineBurst {
    ref::Symbols symbols;
    uint64_t start_cycle = 0;       // core cycle at the first symbol
    uint64_t end_cycle = 0;
};

// The host-memory stress profile: seeded random back-pressure on every AXI channel (AR/AW/W
// READY low, gaps before R beats and B responses), latency jitter, and AWREADY only after the
// burst's first W beat (A3.3.1). NicHarness applies it to every harness when the environment has
// NIC_AXI_STALLS=<seed> (ctest's *_stalls variants of the ring, checksum and rate suites), so a
// suite written for the fixed-latency memory runs unchanged against a difficult legal slave.
void apply_stall_profile(AxiSlaveConfig& axi, uint64_t seed);
// The seed from NIC_AXI_STALLS, or nullopt when the variable is unset or empty.
std::optional<uint64_t> stall_profile_seed();

class NicHarness {
public:
    explicit NicHarness(const NicConfig& cfg = {});
    ~NicHarness();
    NicHarness(const NicHarness&) = delete;
    NicHarness& operator=(const NicHarness&) = delete;

    // Advance to the next clock edge of any clock.
    void step();
    // Advance n core clock cycles.
    void run(uint64_t n);
    // Idle-cycle skipping (in_phase only): steps one cycle; if the whole model state (every flip-flop
    // and memory of the RTL) came out bit-identical, with the host models idle and no line input due,
    // the model sits at a fixed point and stays there while its inputs do not change: the clocks then
    // jump ahead, up to `max` cycles in all (and not past the next timed line burst). Returns the
    // cycles advanced: 0 (not idle on the C++ side: nothing done), 1 (stepped, RTL busy), or more.
    // Exact by construction: a skipped cycle is one that would have changed nothing.
    uint64_t skip_idle(uint64_t max);
    // No host-model or line activity this cycle (cheap; a hint for when to try skip_idle).
    bool quiet() const;
    // Run until pred() is true (checked once per core cycle); false after max core cycles.
    bool run_until(const std::function<bool()>& pred, uint64_t max = 5'000'000);
    uint64_t cycle() const { return core_cycles_; }
    uint64_t tx_cycles() const { return tx_cycles_; }
    uint64_t rx_cycles() const { return rx_cycles_; }

    // Closes the waveform file (it is also closed on destruction).
    void close_waves();
    // Hard reset: every clock runs, rst high for `cycles` core cycles.
    void reset(unsigned cycles = 32);

    // Register access through the AXI4-Lite master (blocking: runs the simulation).
    uint32_t rd(uint16_t addr);
    void wr(uint16_t addr, uint32_t v, uint8_t strb = 0xF);
    uint8_t last_resp() const { return last_resp_; }

    // Line side.
    // Preamble/SFD/FCS added (ref::wire_bytes), then `gap` idle symbols (config line_gap if < 0).
    void send_line(const std::vector<uint8_t>& frame, int gap = -1);
    void send_symbols(const ref::Symbols& s) { rx_q_.insert(rx_q_.end(), s.begin(), s.end()); }
    // A burst that starts arriving at RX clock cycle `rx_cycle` (a wire with a delay); bursts are
    // given in time order; one that would overlap the previous starts right after it.
    void send_burst_at(uint64_t rx_cycle, ref::Symbols s);
    size_t line_rx_pending() const { return rx_q_.size() + timed_.size(); }
    std::vector<LineBurst>& line_tx() { return tx_bursts_; }
    void set_loopback(bool on) { cfg_.loopback = on; }
    // Called with each burst before it is looped back (fault injection on the cable).
    std::function<void(ref::Symbols&)> loop_hook;
    // When set, every burst the NIC sends goes here instead of into line_tx() (the co-simulation's
    // wire; nothing accumulates).
    std::function<void(LineBurst&&)> on_line_tx;

    // PHY clocks: a stopped tx_clk or rx_clk (a PHY powered down or unplugged) has no edges until
    // it is started again, its first edge one period later. Not with in_phase (throws).
    void set_tx_clk_running(bool on) { set_clock_running(1, on); }
    void set_rx_clk_running(bool on) { set_clock_running(2, on); }

    // PHY controls.
    void set_link(bool up);
    void set_rx_er(bool on);
    void set_flip(uint8_t mask);
    bool irq() const;
    bool mdio_line() const;
    bool line_rx_dv() const;        // the far end is sending a frame right now
    bool line_tx_en() const;        // the NIC is sending a frame right now

    HostMemory& mem() { return mem_; }
    AxiSlaveMemory& axi() { return axi_; }
    AxiLiteMaster& axil() { return axil_; }
    const NicConfig& config() const { return cfg_; }
    Vnic_sim_top& top() { return *top_; }

    // Every core cycle, after the edge (for monitors in tests).
    std::function<void()> on_core_cycle;

private:
    void core_edge();
    void tx_edge();
    void rx_edge();
    void all_edge();                // in_phase: the three clocks together
    void drive_core_inputs();
    void sample_core_outputs(AxiMasterSignals& m, AxiLiteSlaveSignals& ls);
    void drive_line_rx();
    void capture_line_tx();
    void set_clock_running(int k, bool on);

    NicConfig cfg_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vnic_sim_top> top_;
    std::unique_ptr<VerilatedVcdC> vcd_;
    HostMemory mem_;
    AxiSlaveMemory axi_;
    AxiLiteMaster axil_;

    uint64_t period_fs_[3];
    uint64_t next_fs_[3];
    bool stopped_[3] = {false, false, false};
    uint64_t now_fs_ = 0;
    uint64_t core_cycles_ = 0, tx_cycles_ = 0, rx_cycles_ = 0;

    std::deque<ref::GmiiSymbol> rx_q_;
    std::deque<std::pair<uint64_t, ref::Symbols>> timed_;
    std::vector<uint8_t> snapshot_;
    ref::Symbols cur_burst_;
    uint64_t cur_start_ = 0;
    std::vector<LineBurst> tx_bursts_;
    uint8_t last_resp_ = 0;
};

}  // namespace nic::sim
