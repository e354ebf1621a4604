// FtdiPort over libftdi1 (see ftdi_port.h).
#include "driver/board/ftdi_port.h"

#include <chrono>
#include <cstdio>
#include <thread>

#ifdef NIC_HAVE_LIBFTDI
#include <ftdi.h>
#endif

namespace nic::board {

namespace {
std::string id(const FtdiOptions& o) {
    char b[32];
    std::snprintf(b, sizeof b, "%04x:%04x", unsigned(o.vendor), unsigned(o.product));
    return b;
}
}  // namespace

#ifdef NIC_HAVE_LIBFTDI

bool FtdiPort::available() { return true; }

FtdiPort::~FtdiPort() {
    if (ctx_) {
        ftdi_set_bitmode(ctx_, 0, BITMODE_RESET);
        ftdi_usb_close(ctx_);
        ftdi_free(ctx_);
    }
}

bool FtdiPort::open(const FtdiOptions& o) {
    o_ = o;
    ctx_ = ftdi_new();
    if (!ctx_) {
        error_ = "libftdi: out of memory";
        return false;
    }
    ftdi_set_interface(ctx_, o.interface == 0 ? INTERFACE_A : INTERFACE_B);
    int r = ftdi_usb_open_desc(ctx_, o.vendor, o.product, nullptr, o.serial.empty() ? nullptr : o.serial.c_str());
    if (r == -3) {
        error_ = "no FTDI device " + id(o) + (o.serial.empty() ? "" : " with serial " + o.serial) +
                 " found (is the board plugged in?)";
        return false;
    }
    if (r < 0) {
        error_ = "cannot open FTDI device " + id(o) + ": " + ftdi_get_error_string(ctx_) +
                 " (permissions? a udev rule for it, or another program such as iceprog holds it)";
        return false;
    }
    if (ftdi_usb_reset(ctx_) < 0 || ftdi_set_latency_timer(ctx_, 1) < 0 || ftdi_tcioflush(ctx_) < 0 ||
        ftdi_set_bitmode(ctx_, 0xFF, BITMODE_RESET) < 0 || ftdi_set_bitmode(ctx_, 0xFF, BITMODE_MPSSE) < 0) {
        error_ = std::string("cannot put the FTDI into MPSSE mode: ") + ftdi_get_error_string(ctx_);
        return false;
    }
    return true;
}

bool FtdiPort::write(const uint8_t* p, size_t n) {
    while (n) {
        int r = ftdi_write_data(ctx_, p, int(n));
        if (r < 0) {
            error_ = std::string("FTDI write failed: ") + ftdi_get_error_string(ctx_);
            return false;
        }
        p += r;
        n -= size_t(r);
    }
    return true;
}

bool FtdiPort::read(uint8_t* p, size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o_.read_timeout_ms);
    while (n) {
        int r = ftdi_read_data(ctx_, p, int(n));
        if (r < 0) {
            error_ = std::string("FTDI read failed: ") + ftdi_get_error_string(ctx_);
            return false;
        }
        p += r;
        n -= size_t(r);
        if (n && std::chrono::steady_clock::now() > deadline) {
            error_ = "FTDI read timed out (" + std::to_string(n) + " bytes missing)";
            return false;
        }
        if (r == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return true;
}

#else

bool FtdiPort::available() { return false; }
FtdiPort::~FtdiPort() = default;
bool FtdiPort::open(const FtdiOptions& o) {
    error_ = "this build has no FTDI support (install libftdi1-dev and configure again) - cannot open " + id(o);
    return false;
}
bool FtdiPort::write(const uint8_t*, size_t) { return false; }
bool FtdiPort::read(uint8_t*, size_t) { return false; }

#endif

}  // namespace nic::board
