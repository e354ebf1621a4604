// BoardPlatform (see board_platform.h).
#include "driver/board/board_platform.h"

#include <chrono>
#include <thread>

namespace nic::board {

Instant SteadyBoardClock::now() const {
    return Instant::from_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count());
}

void SteadyBoardClock::delay(Duration d) {
    if (d.ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(d.ns));
}

BoardPlatform::BoardPlatform(BridgeClient& bridge, BoardClock& clock)
    : bridge_(bridge), clock_(clock), shadow_(bridge.config().mem_bytes, 0) {}

void BoardPlatform::bus_error() {
    if (bus_errors_++ == 0) error_ = bridge_.error();
}

uint32_t BoardPlatform::read32(uint32_t off) {
    uint32_t v = 0;
    if (!bridge_.read_reg(uint16_t(off), v)) {
        bus_error();
        return 0xFFFFFFFF;
    }
    return v;
}

void BoardPlatform::write32(uint32_t off, uint32_t v) {
    if (!bridge_.write_reg(uint16_t(off), v)) bus_error();
}

bool BoardPlatform::alloc(size_t size, size_t align, drv::DmaRegion& out) {
    size_t a = (next_ + align - 1) / align * align;
    if (a + size > shadow_.size()) {
        error_ = "DMA memory: " + std::to_string(size) + " bytes do not fit the board's " +
                 std::to_string(shadow_.size()) + "-byte window (" + std::to_string(next_) + " in use)";
        return false;
    }
    next_ = a + size;
    out = drv::DmaRegion{a, shadow_.data() + a, size};
    return true;
}

void BoardPlatform::sync_for_device(const drv::DmaRegion& r, size_t off, size_t len) {
    if (len && !bridge_.write_mem(uint32_t(r.dev_addr + off), r.cpu + off, len)) bus_error();
}

void BoardPlatform::sync_for_cpu(const drv::DmaRegion& r, size_t off, size_t len) {
    if (len && !bridge_.read_mem(uint32_t(r.dev_addr + off), r.cpu + off, len)) bus_error();
}

bool BoardPlatform::asserted() const {
    BridgeStatus s;
    if (!const_cast<BridgeClient&>(bridge_).status(s)) {
        const_cast<BoardPlatform*>(this)->bus_error();
        return false;
    }
    return s.irq();
}

}  // namespace nic::board
