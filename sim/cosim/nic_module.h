// The NIC in the co-simulation: the Verilated nic_sim_top (nic_core + PHY model, clocks in phase at
// 125 MHz) with its AXI4 master on the host-memory model, as an SC_MODULE whose thread runs the RTL
// ahead of SystemC time in quanta (temporal decoupling, as TLM-2.0's quantum keeper).
//
// Exactness: the NIC never runs past a cycle at which something outside it could act on it:
//   - its host: the host publishes the cycle at which it next acts (its next deadline, the end of a
//     register access's latency, the end of its CPU cost) and the NIC stops there;
//   - its line input: frames from the far end are known up to the far end's cycle plus the wire's
//     delay (the lookahead, as in SimBricks), and the NIC stops there;
//   - and it stops early, and wakes the host at that exact cycle, when the interrupt line rises while
//     the host sleeps interruptibly, or when a register access the host waits for completes.
// So the quantum (the most cycles run between two SystemC synchronisations) changes how often the
// threads switch, never what happens: quantum 1 and quantum 1000 give the same pcap and counters.
//
// Host side (called from the host's SC_THREAD): reg_read/reg_write (AXI4-Lite through the RTL, with
// the configured access latency), sleep(), irq(), the host memory (the device's DMA target).
#pragma once

#include "nic/nic_harness.h"

#include <systemc>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace nic::cosim {

constexpr uint64_t kCycleNs = 8;  // 125 MHz: core and MAC clocks in phase
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
inline sc_core::sc_time cycle_time(uint64_t c) { return sc_core::sc_time(double(c * kCycleNs), sc_core::SC_NS); }
inline uint64_t now_cycle() { return sc_core::sc_time_stamp().value() / (kCycleNs * 1000); }  // 1 ps resolution

struct NicModuleConfig {
    uint64_t quantum = 1000;            // most core cycles between synchronisations
    unsigned mem_latency_cycles = 125;  // host memory: AR to first R, last W to B (1 us)
    uint64_t mmio_read_ns = 500;        // register read: the host waits this on top of the AXI4-Lite cycles
    uint64_t mmio_write_ns = 0;         // register write (posted): the host's extra wait
    size_t mem_size = 8 << 20;          // host memory the device may be given
    uint64_t mem_base = 0x100000000ull;
    std::string vcd;                    // waveform of this NIC
    uint64_t vcd_from = 0, vcd_to = kNever;  // ... for these core cycles only
};

struct NicModuleStats {
    uint64_t syncs = 0;            // times the thread gave control back to SystemC
    uint64_t host_wakeups_irq = 0; // quanta ended early: interrupt rose
    uint64_t idle_skips = 0, idle_cycles_skipped = 0;  // fixed points jumped over
    uint64_t reg_reads = 0, reg_writes = 0;
};

class NicModule : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(NicModule);
    NicModule(sc_core::sc_module_name name, const NicModuleConfig& cfg);
    ~NicModule() override;

    // ---- host side (host SC_THREAD only)
    uint32_t reg_read(uint32_t off);
    void reg_write(uint32_t off, uint32_t v);
    bool irq() const { return h_.irq(); }
    // Sleeps the host until `cycle` (kNever: until woken), or until the interrupt line rises when
    // `irq_wakes`. The NIC runs meanwhile. Returns at once if irq_wakes and the line is already up.
    void sleep_until(uint64_t cycle, bool irq_wakes);
    // The host acts at the NIC's exact time (what dma_sync_for_cpu relies on); counts violations.
    void check_in_sync();
    sim::HostMemory& mem() { return h_.mem(); }
    sim::NicHarness& harness() { return h_; }

    // ---- line side
    uint64_t cycle() const { return h_.cycle() - base_; }   // cycle 0 = SystemC time 0
    // Line input known up to this cycle (the far end's cycle + wire delay); kNever when nothing feeds it.
    std::function<uint64_t()> input_horizon;
    sc_core::sc_event progress;                   // the NIC advanced (wakes the far end)
    const sc_core::sc_event* peer_progress = nullptr;
    void deliver(uint64_t rx_cycle, ref::Symbols s) { h_.send_burst_at(rx_cycle + base_, std::move(s)); }
    // Every burst the NIC sends, with its cycles on this module's time base.
    std::function<void(sim::LineBurst&&)> on_line_tx;
    // Link of the PHY, changed at an exact cycle.
    void schedule_link(uint64_t cycle, bool up) { events_.push_back({cycle, [this, up] { h_.set_link(up); }}); }
    // A register write from the testbench (fault injection) at an exact cycle.
    void schedule_reg_write(uint64_t cycle, uint32_t off, uint32_t v) {
        events_.push_back({cycle, [this, off, v] { h_.axil().write(uint16_t(off), v); }});
    }
    // After sc_start has returned: register accesses run the RTL directly (reading the counters for
    // the summary), no SystemC waits.
    void set_offline() { offline_ = true; }
    // The end of the run: the NIC runs up to this cycle and no further (so that what it did by then,
    // and nothing after, is what the figures count, whatever the quantum).
    void set_end(uint64_t cycle) {
        end_ = cycle;
        nic_event_.notify(sc_core::SC_ZERO_TIME);
    }
    uint64_t end() const { return end_; }

    const NicModuleStats& stats() const { return st_; }
    const NicModuleConfig& config() const { return cfg_; }
    uint64_t sync_violations() const { return sync_violations_; }

private:
    void thread();
    void wake_host();
    void host_op(uint64_t latency_ns);

    NicModuleConfig cfg_;
    sim::NicHarness h_;
    uint64_t base_ = 0;             // harness cycles spent in reset before SystemC time 0
    NicModuleStats st_;
    // host state
    uint64_t host_wake_ = 0;        // the host acts at this cycle: the NIC must not pass it
    bool host_irq_wakes_ = false;   // the host sleeps and wants the rising interrupt
    bool host_waits_op_ = false;    // the host waits for a register access
    bool op_done_ = false;
    bool stop_for_host_ = false;
    sc_core::sc_event nic_event_;   // host -> NIC: its state changed
    sc_core::sc_event host_event_;  // NIC -> host: wake up
    std::vector<std::pair<uint64_t, std::function<void()>>> events_;
    bool offline_ = false;
    uint64_t end_ = kNever;
    uint64_t sync_violations_ = 0;
    int64_t quiet_ = 0;             // consecutive quiet cycles (negative: back-off after a failed skip)
};

}  // namespace nic::cosim
