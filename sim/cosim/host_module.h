// A host in the co-simulation: one SC_THREAD that runs the application, the stack (with TCP) and the
// driver, on SystemC time. Blocking socket calls wait in ScRunner, which sleeps the thread until the
// stack's next deadline or the NIC's interrupt, whichever comes first.
//   app -> SocketApi -> ScRunner::step -> Stack::poll -> NicDriver::receive/transmit
//       -> CosimPlatform (RegBus/DmaMemory/IrqLine/Platform) -> NicModule (the RTL)
// Host CPU time: an optional cost per packet and per byte of the stack's work, spent as simulated time
// during which the host does nothing else (default 0: an infinitely fast host).
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "cosim/nic_module.h"
#include "driver/nic_driver.h"
#include "nic/harness_platform.h"
#include "iface/stack.h"
#include "phy/tracer.h"
#include "tcp/tcp_glue.h"

#include <systemc>

#include <functional>
#include <memory>
#include <string>

namespace nic::cosim {

// The driver's platform over a NicModule (called from the host thread only).
class CosimPlatform : public drv::RegBus, public sim::HostMemoryDma, public drv::IrqLine, public drv::Platform {
public:
    explicit CosimPlatform(NicModule& nic) : HostMemoryDma(nic.harness()), nic_(nic) {}
    drv::DriverEnv env() { return drv::DriverEnv{*this, *this, *this, *this}; }
    uint32_t read32(uint32_t off) override { return nic_.reg_read(off); }
    void write32(uint32_t off, uint32_t v) override { nic_.reg_write(off, v); }
    // The device runs at the host's time (NicModule); nothing to copy. For the CPU, make sure the
    // device has caught up to now before looking at what it wrote.
    void sync_for_cpu(const drv::DmaRegion&, size_t, size_t) override { nic_.check_in_sync(); }
    bool asserted() const override { return nic_.irq(); }
    Instant now() const override { return Instant::from_ns(int64_t(now_cycle() * kCycleNs)); }
    void delay(Duration d) override;

private:
    NicModule& nic_;
};

struct HostCpuCost {
    Duration per_packet{};       // per frame the stack sends or receives
    double ns_per_byte = 0;      // per byte of those frames
    bool any() const { return per_packet.ns > 0 || ns_per_byte > 0; }
};

class ScRunner : public Runner {
public:
    ScRunner(NicModule& nic, Stack& stack, HostCpuCost cost) : nic_(nic), stack_(stack), cost_(cost) {}
    // Called after every poll (tracing TCP state changes).
    std::function<void()> after_poll;
    Instant now() const override { return Instant::from_ns(int64_t(now_cycle() * kCycleNs)); }
    bool step(Instant until) override;
    Duration cpu_busy() const { return busy_; }
    // Drops the application tasks (their destructors may still use the sockets: call it first).
    void clear_tasks() { tasks_.clear(); }

private:
    void charge_cpu();
    NicModule& nic_;
    Stack& stack_;
    HostCpuCost cost_;
    uint64_t last_frames_ = 0, last_bytes_ = 0;
    Duration busy_{};
};

struct HostConfig {
    MacAddr mac;
    Ipv4Cidr addr;
    drv::DriverConfig driver;    // mac filled from `mac`
    TcpConfig tcp;
    uint64_t seed = 1;           // stack (ports, IP IDs) and ISN key: reproducible
    HostCpuCost cpu;
    // Not empty: one line per frame in and out, per driver event (descriptor, doorbell, interrupt)
    // and per change of a TCP connection's state, cwnd or RTO.
    std::function<void(const std::string&)> trace;
};

class HostModule : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(HostModule);
    HostModule(sc_core::sc_module_name name, const HostConfig& cfg, NicModule& nic);
    ~HostModule() override;

    // Runs in the host thread once the driver and the stack are up; the thread then keeps serving
    // the stack (timers, the peer's traffic) until the simulation stops.
    std::function<void(HostModule&)> app;
    // Called (in the host thread) when bring-up fails, with the reason.
    std::function<void(HostModule&, const std::string&)> on_failure;

    Stack& stack() { return *stack_; }
    SocketApi& api() { return *api_; }
    ScRunner& runner() { return *runner_; }
    TcpLayer& tcp() { return *tcp_; }
    drv::NicDriver& driver() { return *drv_; }
    NicModule& nic() { return nic_; }
    const HostConfig& config() const { return cfg_; }
    bool up() const { return up_; }

private:
    void thread();
    void trace_tcp();

    HostConfig cfg_;
    NicModule& nic_;
    CosimPlatform platform_;
    std::unique_ptr<drv::NicDriver> drv_;
    std::unique_ptr<Tracer> tracer_;
    struct TcpSeen { Endpoint local, remote; TcpState state; uint32_t cwnd; Duration rto; };
    std::vector<TcpSeen> tcp_seen_;
    std::unique_ptr<Stack> stack_;
    std::unique_ptr<ScRunner> runner_;
    std::unique_ptr<SocketApi> api_;
    std::unique_ptr<TcpLayer> tcp_;
    bool up_ = false;
};

}  // namespace nic::cosim
