// The driver's platform (driver/platform.h) over the plain NicHarness, for the RTL tests and the
// benchmarks: register accesses run the simulation until the AXI4-Lite transaction completes, DMA
// memory is carved from the harness's host memory, time is the core clock cycle count, and a delay
// runs the clocks. No SystemC: the co-simulation has its own backend (sim/cosim).
#pragma once

#include "driver/platform.h"
#include "nic/nic_harness.h"

#include <cstddef>
#include <cstdint>

namespace nic::sim {

// DMA memory carved from a harness's host memory (a bump allocator: drivers allocate at probe). The
// CPU and the memory model share one array, so the syncs have nothing to copy; a backend whose
// device may run behind the host (the co-simulation) overrides sync_for_cpu.
class HostMemoryDma : public drv::DmaMemory {
public:
    explicit HostMemoryDma(NicHarness& h, uint64_t offset = 0) : h_(h), next_(h.mem().base() + offset) {}
    bool alloc(size_t size, size_t align, drv::DmaRegion& out) override {
        uint64_t a = (next_ + align - 1) / align * align;
        if (!h_.mem().contains(a, size)) return false;
        next_ = a + size;
        out = drv::DmaRegion{a, h_.mem().at(a), size};
        // The memory model checks every access against what the driver owns: tell it.
        h_.axi().set_window(a, a + size);
        return true;
    }
    void sync_for_device(const drv::DmaRegion&, size_t, size_t) override {}
    void sync_for_cpu(const drv::DmaRegion&, size_t, size_t) override {}

protected:
    NicHarness& h_;

private:
    uint64_t next_;
};

class HarnessPlatform : public drv::RegBus, public HostMemoryDma, public drv::IrqLine, public drv::Platform {
public:
    // DMA memory is handed out from `offset` bytes into the harness's host memory.
    explicit HarnessPlatform(NicHarness& h, uint64_t offset = 0) : HostMemoryDma(h, offset) {}
    drv::DriverEnv env() { return drv::DriverEnv{*this, *this, *this, *this}; }

    uint32_t read32(uint32_t off) override { return h_.rd(uint16_t(off)); }
    void write32(uint32_t off, uint32_t v) override { h_.wr(uint16_t(off), v); }
    // The simulation only runs inside register accesses and delays: it is at the host's time.

    bool asserted() const override { return h_.irq(); }

    Instant now() const override {
        return Instant::from_ns(int64_t(double(h_.cycle()) * 1000.0 / h_.config().core_mhz));
    }
    void delay(Duration d) override {
        h_.run(uint64_t(double(d.ns) * h_.config().core_mhz / 1000.0 + 0.5));
    }
};

}  // namespace nic::sim
