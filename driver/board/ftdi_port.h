// The real FT2232H behind libftdi1 (Debian: libftdi1-dev): channel A of the iCE40-HX8K breakout put
// into MPSSE mode, as iceprog does. Built only when libftdi1 is found at configure time
// (NIC_HAVE_LIBFTDI); without it open() says how to get it.
#pragma once

#include "driver/board/mpsse.h"

#include <string>

struct ftdi_context;

namespace nic::board {

struct FtdiOptions {
    int vendor = 0x0403;
    int product = 0x6010;              // FT2232H (the breakout)
    std::string serial;                // empty: the first one found
    int interface = 0;                 // 0: channel A
    int read_timeout_ms = 1000;
};

class FtdiPort : public MpssePort {
public:
    FtdiPort() = default;
    ~FtdiPort() override;
    FtdiPort(const FtdiPort&) = delete;
    FtdiPort& operator=(const FtdiPort&) = delete;
    // Opens the device, resets it and enters MPSSE mode. False with error() set, e.g.
    // "no FTDI device 0403:6010 found (board plugged in? permissions: a udev rule for it)".
    bool open(const FtdiOptions& o);
    bool write(const uint8_t* p, size_t n) override;
    bool read(uint8_t* p, size_t n) override;
    const std::string& error() const override { return error_; }
    static bool available();           // built with libftdi1

private:
    ftdi_context* ctx_ = nullptr;
    FtdiOptions o_;
    std::string error_;
};

}  // namespace nic::board
