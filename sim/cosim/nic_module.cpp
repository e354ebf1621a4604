// NicModule: the RTL's thread and the host-side synchronisation (see nic_module.h for the rules).
//   host SC_THREAD: reg_read/reg_write/sleep_until --(nic_event_)--> NicModule::thread
//   NicModule::thread: NicHarness::step per core cycle, up to the limit --(host_event_)--> host
#include "cosim/nic_module.h"

#include <algorithm>

namespace nic::cosim {

using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_ZERO_TIME;

namespace {
sim::NicConfig harness_config(const NicModuleConfig& c) {
    sim::NicConfig h;
    h.in_phase = true;
    h.mem_base = c.mem_base;
    h.mem_size = c.mem_size;
    h.axi.read_latency = c.mem_latency_cycles;
    h.axi.write_latency = c.mem_latency_cycles;
    h.vcd = c.vcd;
    h.vcd_from = c.vcd_from;
    h.vcd_to = c.vcd_to;
    return h;
}
uint64_t ns_to_cycles_up(uint64_t ns) { return (ns + kCycleNs - 1) / kCycleNs; }
}  // namespace

NicModule::NicModule(sc_core::sc_module_name name, const NicModuleConfig& cfg)
    : sc_module(name), cfg_(cfg), h_(harness_config(cfg)) {
    if (cfg_.quantum == 0) cfg_.quantum = 1;
    // The harness has run its reset cycles: they happened before SystemC time 0.
    base_ = h_.cycle();
    host_wake_ = 0;
    h_.on_line_tx = [this](sim::LineBurst&& b) {
        b.start_cycle -= base_;
        b.end_cycle -= base_;
        if (on_line_tx) on_line_tx(std::move(b));
    };
    SC_THREAD(thread);
}

NicModule::~NicModule() = default;

void NicModule::wake_host() {
    host_wake_ = cycle();
    host_irq_wakes_ = false;
    host_event_.notify();
}

void NicModule::thread() {
    for (;;) {
        const uint64_t start = cycle();
        // Scheduled events (link, injected faults) due now; the next one bounds this run.
        uint64_t limit = std::min({host_wake_, std::max(now_cycle(), start) + cfg_.quantum, end_});
        for (auto it = events_.begin(); it != events_.end();) {
            if (it->first <= start) {
                it->second();
                it = events_.erase(it);
            } else {
                limit = std::min(limit, it->first);
                ++it;
            }
        }
        if (input_horizon) limit = std::min(limit, input_horizon());
        if (start < limit) {
            bool irq_prev = h_.irq();
            while (cycle() < limit) {
                // After a while without host-model or line activity, try jumping over idle cycles
                // (exact: only a model at a fixed point is skipped); back off if the RTL is busy inside.
                uint64_t adv = 0;
                if (quiet_ >= 32 && limit - cycle() > 64) {
                    adv = h_.skip_idle(limit - cycle());
                    if (adv > 1) {
                        ++st_.idle_skips;
                        st_.idle_cycles_skipped += adv - 1;
                    }
                    quiet_ = adv > 1 ? 32 : -1024;
                }
                if (adv == 0) h_.step();
                if (host_waits_op_ && op_done_) {
                    stop_for_host_ = true;
                    break;
                }
                const bool irq_now = h_.irq();
                if (host_irq_wakes_ && irq_now && !irq_prev) {
                    stop_for_host_ = true;
                    ++st_.host_wakeups_irq;
                    break;
                }
                irq_prev = irq_now;
                quiet_ = h_.quiet() ? quiet_ + 1 : std::min<int64_t>(quiet_, 0);
            }
            progress.notify(SC_ZERO_TIME);
        }
        // Let SystemC time catch up with the NIC before anything else looks at it.
        const sc_time t = cycle_time(cycle());
        if (t > sc_time_stamp()) {
            ++st_.syncs;
            wait(t - sc_time_stamp());
        }
        if (stop_for_host_) {
            stop_for_host_ = false;
            wake_host();
            continue;
        }
        if (cycle() == start) {
            if (peer_progress) wait(nic_event_ | *peer_progress);
            else wait(nic_event_);
        }
    }
}

void NicModule::check_in_sync() {
    // The NIC may be held back by its line input while SystemC time moved on: let it catch up to
    // the host's time (it can: the host acts now, so its wake cycle is now).
    while (cycle() < now_cycle()) {
        ++sync_violations_;
        host_wake_ = now_cycle();
        nic_event_.notify(SC_ZERO_TIME);
        wait(progress);
    }
}

void NicModule::sleep_until(uint64_t cycle, bool irq_wakes) {
    const uint64_t now = now_cycle();
    if (cycle < now) cycle = now;
    if (irq_wakes && h_.irq()) return;
    if (cycle == now) return;
    host_wake_ = cycle;
    host_irq_wakes_ = irq_wakes;
    nic_event_.notify(SC_ZERO_TIME);
    if (cycle == kNever) wait(host_event_);
    else if (irq_wakes) wait(cycle_time(cycle) - sc_time_stamp(), host_event_);
    else wait(cycle_time(cycle) - sc_time_stamp());
    host_wake_ = now_cycle();
    host_irq_wakes_ = false;
    check_in_sync();
}

// A register access from the host: started at the host's time, the host blocked until the
// AXI4-Lite transaction completes in the RTL, then the rest of the access latency.
void NicModule::host_op(uint64_t latency_ns) {
    host_waits_op_ = true;
    host_wake_ = kNever;
    nic_event_.notify(SC_ZERO_TIME);
    while (!op_done_) wait(host_event_);
    host_waits_op_ = false;
    host_wake_ = now_cycle();
    if (latency_ns) sleep_until(now_cycle() + ns_to_cycles_up(latency_ns), false);
}

uint32_t NicModule::reg_read(uint32_t off) {
    if (offline_) return h_.rd(uint16_t(off));
    check_in_sync();  // the access starts at the host's time, not before
    uint32_t v = 0;
    op_done_ = false;
    h_.axil().read(uint16_t(off), [this, &v](uint32_t d, uint8_t) {
        v = d;
        op_done_ = true;
    });
    ++st_.reg_reads;
    host_op(cfg_.mmio_read_ns);
    return v;
}

void NicModule::reg_write(uint32_t off, uint32_t v) {
    if (offline_) return h_.wr(uint16_t(off), v);
    check_in_sync();
    op_done_ = false;
    h_.axil().write(uint16_t(off), v, 0xF, [this](uint32_t, uint8_t) { op_done_ = true; });
    ++st_.reg_writes;
    host_op(cfg_.mmio_write_ns);
}

}  // namespace nic::cosim
