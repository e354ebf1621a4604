// What the NIC driver needs from the machine it runs on, and nothing else: three small interfaces a
// backend implements, plus time. The co-simulation implements them over the Verilated NIC in SystemC
// (sim/cosim), the RTL tests over the plain harness (sim/nic/harness_platform.h), and a board over its
// SPI bridge; the driver never knows which.
//   RegBus     32-bit register reads and writes (a read may be slow, like an MMIO read over PCIe)
//   DmaMemory  DMA-able host memory: aligned regions with a device address and a CPU view, and the
//              two sync calls of Linux's DMA API (dma_sync_single_for_device / _for_cpu)
//   IrqLine    the interrupt line, level-sensitive
//   Platform   the current time and a delay (udelay/msleep), for polling loops with timeouts
#pragma once

#include "base/clock.h"

#include <cstddef>
#include <cstdint>

namespace nic::drv {

class RegBus {
public:
    virtual ~RegBus() = default;
    virtual uint32_t read32(uint32_t off) = 0;
    virtual void write32(uint32_t off, uint32_t v) = 0;
};

// One allocation of DMA-able memory: the address the device uses, the CPU's view, the size.
struct DmaRegion {
    uint64_t dev_addr = 0;
    uint8_t* cpu = nullptr;
    size_t size = 0;
    bool valid() const { return cpu != nullptr; }
};

class DmaMemory {
public:
    virtual ~DmaMemory() = default;
    // `size` bytes aligned to `align` (a power of two) in device address space; false if none left.
    virtual bool alloc(size_t size, size_t align, DmaRegion& out) = 0;
    // Ownership passes to the device: what the CPU wrote in [off, off+len) must be visible to it.
    virtual void sync_for_device(const DmaRegion& r, size_t off, size_t len) = 0;
    // Ownership passes back to the CPU: what the device wrote up to now must be visible. A simulated
    // backend brings the device up to the host's time here.
    virtual void sync_for_cpu(const DmaRegion& r, size_t off, size_t len) = 0;
};

class IrqLine {
public:
    virtual ~IrqLine() = default;
    virtual bool asserted() const = 0;
};

class Platform {
public:
    virtual ~Platform() = default;
    virtual Instant now() const = 0;
    // Lets `d` pass (the device keeps running). Used only in bring-up and recovery polling loops.
    virtual void delay(Duration d) = 0;
};

// Everything a driver instance is given.
struct DriverEnv {
    RegBus& bus;
    DmaMemory& dma;
    IrqLine& irq;
    Platform& platform;
};

}  // namespace nic::drv
