// The driver's platform (driver/platform.h) over a board's SPI bridge: NicDriver runs unchanged on a
// board (FT2232H + libftdi1) or on the simulated FTDI and the Verilated board.
//   RegBus     register reads and writes through BridgeClient (CRC-checked, retried)
//   DmaMemory  a bump allocator inside the board's memory window, with a CPU-side shadow copy:
//              sync_for_device writes the range over SPI, sync_for_cpu reads it back
//   IrqLine    the irq bit of the bridge's status reply (polled)
//   Platform   time from a BoardClock: the simulated board's clock, or steady_clock on hardware
// A bus access that fails for good (no board, CRC errors that persist) reads 0xFFFFFFFF as a PCIe
// master abort does; the first such error is kept in error() and counted in bus_errors().
#pragma once

#include "driver/board/bridge_client.h"
#include "driver/platform.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nic::board {

class BoardClock {
public:
    virtual ~BoardClock() = default;
    virtual Instant now() const = 0;
    virtual void delay(Duration d) = 0;      // the board keeps running
};

// Hardware: the host's monotonic clock; delay sleeps.
class SteadyBoardClock : public BoardClock {
public:
    Instant now() const override;
    void delay(Duration d) override;
};

class BoardPlatform : public drv::RegBus, public drv::DmaMemory, public drv::IrqLine, public drv::Platform {
public:
    BoardPlatform(BridgeClient& bridge, BoardClock& clock);
    drv::DriverEnv env() { return drv::DriverEnv{*this, *this, *this, *this}; }

    uint32_t read32(uint32_t off) override;
    void write32(uint32_t off, uint32_t v) override;

    bool alloc(size_t size, size_t align, drv::DmaRegion& out) override;
    void sync_for_device(const drv::DmaRegion& r, size_t off, size_t len) override;
    void sync_for_cpu(const drv::DmaRegion& r, size_t off, size_t len) override;

    bool asserted() const override;

    Instant now() const override { return clock_.now(); }
    void delay(Duration d) override { clock_.delay(d); }

    const std::string& error() const { return error_; }
    uint64_t bus_errors() const { return bus_errors_; }
    size_t allocated() const { return next_; }
    BridgeClient& bridge() { return bridge_; }

private:
    void bus_error();

    BridgeClient& bridge_;
    BoardClock& clock_;
    std::vector<uint8_t> shadow_;            // the window as the CPU sees it
    size_t next_ = 0;
    std::string error_;
    uint64_t bus_errors_ = 0;
};

}  // namespace nic::board
