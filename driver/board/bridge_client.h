// The host side of spi_host_bridge's protocol (firmware/common/spi_host_bridge.v has the wire
// format and the command table): register and memory-window accesses, each checked by CRC-8 in both
// directions and repeated a bounded number of times when a transfer is corrupted or refused.
//   BoardPlatform (board_platform.h) -> BridgeClient -> SpiTransport (spi_transport.h)
// Safe to repeat: reads (no NIC register has a read side effect, docs/registers.md); a register
// write the bridge refused (it was not issued); a memory write (the same bytes again). A register
// write whose verdict was lost (its reply failed the CRC) is resolved by the status reply's L bit,
// never by sending the write blindly again.
#pragma once

#include "driver/board/spi_transport.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nic::board {

// CRC-8 of the bridge: polynomial 0x07, MSB first, preset 0xFF, no final XOR.
uint8_t bridge_crc8(const uint8_t* p, size_t n, uint8_t crc = 0xFF);

namespace cmd {
constexpr uint8_t kWrReg = 0x01, kRdReg = 0x02, kWrMem = 0x03, kRdMem = 0x04, kStatus = 0x05;
constexpr uint8_t kAck = 0x5A, kNak = 0xA5;
constexpr uint8_t kEndMarker = 0xFF;   // read mem: MOSI in the last data byte's slot
}  // namespace cmd

struct BridgeConfig {
    unsigned max_retries = 8;          // attempts after the first, per access
    size_t mem_bytes = 4096;           // the board's host memory window (nic_fpga_core's default)
    size_t chunk = 256;                // memory bytes per transaction (a corrupted one is resent)
};

// The status reply.
struct BridgeStatus {
    uint8_t pins = 0;                  // the status input: bit 0 irq, bit 1 link (nic_fpga_core)
    bool last_ok = false;              // L: the last command other than status was accepted in full
    uint8_t errors = 0;                // E: commands the bridge refused since reset (7 bits, wraps)
    bool irq() const { return pins & 1; }
    bool link() const { return pins & 2; }
};

struct BridgeStats {
    uint64_t transactions = 0;         // SPI transactions (CS low .. high)
    uint64_t spi_bytes = 0;            // bytes clocked, each direction
    uint64_t reg_reads = 0, reg_writes = 0;
    uint64_t mem_read_bytes = 0, mem_write_bytes = 0;
    uint64_t retries = 0;              // accesses sent again (any reason below)
    uint64_t reply_crc_errors = 0;     // replies that failed their CRC (MISO corrupted)
    uint64_t refused = 0;              // commands the bridge refused (MOSI corrupted)
    uint64_t lost_verdicts = 0;        // register writes resolved through the status reply
    uint64_t failures = 0;             // accesses given up after max_retries
};

class BridgeClient {
public:
    explicit BridgeClient(SpiTransport& t, BridgeConfig cfg = {});
    // Checks that a bridge answers: a status reply that passes its CRC. False with error() set:
    // "no board answers on SPI (MISO reads all 0x00)", or CRC errors that persist.
    bool open();

    bool read_reg(uint16_t off, uint32_t& v);
    bool write_reg(uint16_t off, uint32_t v);
    // [addr, addr + n) must lie inside the window.
    bool read_mem(uint32_t addr, uint8_t* dst, size_t n);
    bool write_mem(uint32_t addr, const uint8_t* src, size_t n);
    bool status(BridgeStatus& s);

    const std::string& error() const { return error_; }
    const BridgeStats& stats() const { return st_; }
    const BridgeConfig& config() const { return cfg_; }
    SpiTransport& transport() { return t_; }

private:
    bool xfer(const std::vector<uint8_t>& out, std::vector<uint8_t>& in);
    bool fail(const std::string& what, const std::vector<uint8_t>& last_reply);
    bool write_mem_chunk(uint32_t addr, const uint8_t* src, size_t n);
    bool read_mem_chunk(uint32_t addr, uint8_t* dst, size_t n);
    static std::vector<uint8_t> header(uint8_t c, uint32_t addr);

    SpiTransport& t_;
    BridgeConfig cfg_;
    std::string error_;
    BridgeStats st_;
    std::vector<uint8_t> out_, in_;
};

}  // namespace nic::board
