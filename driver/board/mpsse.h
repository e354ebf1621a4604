// FTDI MPSSE (Multi-Protocol Synchronous Serial Engine, FTDI AN_108) as an SPI master for the
// iCE40-HX8K breakout's FT2232H channel A, wired as iceprog uses it:
//   ADBUS0 SCK, ADBUS1 MOSI (to the FPGA's SI), ADBUS2 MISO (from SO), ADBUS4 SS_B (chip select);
//   ADBUS6 CDONE and ADBUS7 CRESET_B are left as inputs (driving CRESET_B low would clear the FPGA).
// MpsseSpi turns each SPI transaction into one MPSSE command buffer and reads the reply bytes back
// through an MpssePort: the real chip (ftdi_port.h, libftdi1) or SimFtdi below, which interprets the
// same bytes and drives the pins of a simulated board (SpiPins), so the command generation is
// tested without hardware.
//   BridgeClient -> MpsseSpi (SpiTransport) -> MpssePort: FtdiPort | SimFtdi -> SpiPins
#pragma once

#include "driver/board/spi_transport.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nic::board {

// The opcodes used (AN_108 section 3).
namespace mpsse {
constexpr uint8_t kXferBytesOutNegInPos = 0x31;   // clock bytes out on -ve edge, in on +ve, MSB first
constexpr uint8_t kSetLowByte = 0x80;             // value, direction of ADBUS7..0
constexpr uint8_t kGetLowByte = 0x81;
constexpr uint8_t kLoopbackOff = 0x85;
constexpr uint8_t kSetDivisor = 0x86;             // SCK = 60 MHz / ((1 + divisor) * 2)
constexpr uint8_t kSendImmediate = 0x87;
constexpr uint8_t kDisableDiv5 = 0x8A;
constexpr uint8_t kDisable3Phase = 0x8D;
constexpr uint8_t kDisableAdaptive = 0x97;
constexpr uint8_t kBadCommand = 0xFA;             // the chip's answer to an opcode it does not know
constexpr uint8_t kPinSck = 0x01, kPinMosi = 0x02, kPinMiso = 0x04, kPinCs = 0x10;
constexpr uint8_t kDirection = kPinSck | kPinMosi | kPinCs;
constexpr double kBaseHz = 60e6;
inline double sck_hz(unsigned divisor) { return kBaseHz / ((1.0 + divisor) * 2.0); }
}  // namespace mpsse

// The byte pipe to an MPSSE: commands in, the bytes the commands read out.
class MpssePort {
public:
    virtual ~MpssePort() = default;
    virtual bool write(const uint8_t* p, size_t n) = 0;
    virtual bool read(uint8_t* p, size_t n) = 0;    // exactly n bytes, or false (timeout)
    virtual const std::string& error() const = 0;
};

// The command bytes, as pure functions (tested against the AN_108 encodings).
std::vector<uint8_t> mpsse_init_commands(unsigned divisor);
// CS low, `n` bytes full duplex (split into commands of at most 65536), CS high, send immediate.
void mpsse_transfer_commands(const uint8_t* out, size_t n, std::vector<uint8_t>& cmds);

class MpsseSpi : public SpiTransport {
public:
    // `divisor`: SCK = 30 MHz / (1 + divisor); the board needs 5 or more (BoardHostConfig::divisor).
    MpsseSpi(MpssePort& port, unsigned divisor);
    bool init();                       // sends the set-up commands and checks the chip is in sync
    bool transfer(const uint8_t* out, uint8_t* in, size_t n) override;
    const std::string& error() const override { return error_; }
    double sck_hz() const override { return mpsse::sck_hz(divisor_); }

private:
    MpssePort& port_;
    unsigned divisor_;
    std::string error_;
    std::vector<uint8_t> cmds_;
};

// The pins of a simulated SPI slave, with time: what SimFtdi drives.
class SpiPins {
public:
    virtual ~SpiPins() = default;
    virtual void set(bool sck, bool mosi, bool cs_n) = 0;
    virtual bool miso() = 0;
    virtual void advance_ns(double ns) = 0;           // let the slave run for this long
};

// One transfer's injected faults (a bit index counts from the MSB of the transfer's first byte).
struct SpiFault {
    long mosi_bit = -1;
    long miso_bit = -1;
};

// An FT2232H MPSSE in software: interprets the command bytes it is written (the opcodes above;
// anything else is answered 0xFA <opcode> as the chip does, and counted) and moves the pins of
// `pins`, advancing its time by the SCK half periods that the divisor sets.
class SimFtdi : public MpssePort {
public:
    explicit SimFtdi(SpiPins& pins) : pins_(pins) {}
    bool write(const uint8_t* p, size_t n) override;
    bool read(uint8_t* p, size_t n) override;
    const std::string& error() const override { return error_; }

    // Called once per 0x31 command with its index (from 0) and byte count: the faults to inject.
    std::function<SpiFault(uint64_t index, size_t bytes)> fault_hook;
    // Modelled USB turnaround per read (0: pins only). The board runs meanwhile.
    double usb_turnaround_ns = 0;

    uint64_t transfers() const { return transfers_; }
    uint64_t bad_commands() const { return bad_commands_; }
    uint64_t faults_injected() const { return faults_; }
    double sck_hz() const { return mpsse::sck_hz(divisor_); }
    uint8_t pins_value() const { return value_; }

private:
    bool run(uint8_t op, const uint8_t* args, size_t avail, size_t& used);
    void drive();

    SpiPins& pins_;
    std::string error_;
    std::vector<uint8_t> pending_;     // command bytes not yet complete
    std::vector<uint8_t> rx_;          // bytes for read()
    unsigned divisor_ = 0xFFFF;
    bool div5_ = true;
    uint8_t value_ = 0, dir_ = 0;
    uint64_t transfers_ = 0, bad_commands_ = 0, faults_ = 0;
};

}  // namespace nic::board
