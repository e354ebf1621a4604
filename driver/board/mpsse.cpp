// MPSSE command generation and its software interpreter (see mpsse.h; FTDI AN_108).
#include "driver/board/mpsse.h"

#include <cstdio>

namespace nic::board {

using namespace mpsse;

std::vector<uint8_t> mpsse_init_commands(unsigned divisor) {
    return {
        kDisableDiv5,                          // 60 MHz base clock (FT2232H)
        kDisableAdaptive,
        kDisable3Phase,
        kLoopbackOff,
        kSetDivisor, uint8_t(divisor), uint8_t(divisor >> 8),
        kSetLowByte, kPinCs, kDirection,       // CS high, SCK low; CDONE, CRESET_B stay inputs
        kSendImmediate,
    };
}

void mpsse_transfer_commands(const uint8_t* out, size_t n, std::vector<uint8_t>& c) {
    c.clear();
    c.insert(c.end(), {kSetLowByte, 0x00, kDirection});          // CS low
    for (size_t done = 0; done < n;) {
        size_t k = std::min<size_t>(65536, n - done);
        c.insert(c.end(), {kXferBytesOutNegInPos, uint8_t(k - 1), uint8_t((k - 1) >> 8)});
        c.insert(c.end(), out + done, out + done + k);
        done += k;
    }
    c.insert(c.end(), {kSetLowByte, kPinCs, kDirection, kSendImmediate});   // CS high
}

MpsseSpi::MpsseSpi(MpssePort& port, unsigned divisor) : port_(port), divisor_(divisor) {}

bool MpsseSpi::init() {
    auto c = mpsse_init_commands(divisor_);
    // AN_108 section 3.4: an invalid opcode is answered 0xFA <opcode>; use one (0xAA) to check that
    // the command stream and the replies are in step.
    c.push_back(0xAA);
    uint8_t r[2] = {0, 0};
    if (!port_.write(c.data(), c.size()) || !port_.read(r, 2)) {
        error_ = "MPSSE set-up failed: " + port_.error();
        return false;
    }
    if (r[0] != kBadCommand || r[1] != 0xAA) {
        char b[96];
        std::snprintf(b, sizeof b, "MPSSE out of sync: echo of a bad opcode reads %02x %02x, want fa aa", r[0], r[1]);
        error_ = b;
        return false;
    }
    return true;
}

bool MpsseSpi::transfer(const uint8_t* out, uint8_t* in, size_t n) {
    mpsse_transfer_commands(out, n, cmds_);
    if (!port_.write(cmds_.data(), cmds_.size()) || !port_.read(in, n)) {
        error_ = port_.error();
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- the simulated chip

void SimFtdi::drive() {
    auto pin = [&](uint8_t m, bool pulled) { return (dir_ & m) ? (value_ & m) != 0 : pulled; };
    // Inputs float; the breakout pulls SS_B up.
    pins_.set(pin(kPinSck, false), pin(kPinMosi, false), pin(kPinCs, true));
}


bool SimFtdi::run(uint8_t op, const uint8_t* a, size_t avail, size_t& used) {
    const double half = (div5_ ? 5.0 : 1.0) * (1.0 + divisor_) / kBaseHz * 1e9;
    switch (op) {
    case kDisableDiv5: div5_ = false; used = 0; return true;
    case 0x8B: div5_ = true; used = 0; return true;
    case kDisableAdaptive:
    case kDisable3Phase:
    case kLoopbackOff:
    case kSendImmediate: used = 0; return true;
    case kSetDivisor:
        if (avail < 2) return false;
        divisor_ = unsigned(a[0]) | unsigned(a[1]) << 8;
        used = 2;
        return true;
    case kSetLowByte:
        if (avail < 2) return false;
        value_ = a[0];
        dir_ = a[1];
        used = 2;
        drive();
        pins_.advance_ns(half);                // the engine's time for a GPIO command, about
        return true;
    case kGetLowByte: {
        uint8_t v = value_ & dir_;
        if (!(dir_ & kPinMiso) && pins_.miso()) v |= kPinMiso;
        rx_.push_back(v);
        used = 0;
        return true;
    }
    case kXferBytesOutNegInPos: {
        if (avail < 2) return false;
        size_t n = (size_t(a[0]) | size_t(a[1]) << 8) + 1;
        if (avail < 2 + n) return false;
        used = 2 + n;
        SpiFault f;
        if (fault_hook) f = fault_hook(transfers_, n);
        ++transfers_;
        if (f.mosi_bit >= 0 || f.miso_bit >= 0) ++faults_;
        // Mode 0 with SCK idle low: MOSI set up in the low half, both sides sample at the rising
        // edge, the slave changes MISO after the falling one.
        long pos = 0;
        for (size_t i = 0; i < n; ++i) {
            uint8_t in = 0;
            for (int bit = 7; bit >= 0; --bit, ++pos) {
                bool mo = ((a[2 + i] >> bit) & 1) ^ (pos == f.mosi_bit);
                value_ = uint8_t((value_ & ~(kPinSck | kPinMosi)) | (mo ? kPinMosi : 0));
                drive();
                pins_.advance_ns(half);
                value_ |= kPinSck;
                drive();
                in = uint8_t(in << 1 | (pins_.miso() ^ (pos == f.miso_bit)));
                pins_.advance_ns(half);
                value_ &= uint8_t(~kPinSck);
                drive();
            }
            rx_.push_back(in);
        }
        return true;
    }
    default:
        ++bad_commands_;
        rx_.push_back(kBadCommand);
        rx_.push_back(op);
        used = 0;
        return true;
    }
}

bool SimFtdi::write(const uint8_t* p, size_t n) {
    pending_.insert(pending_.end(), p, p + n);
    size_t i = 0;
    while (i < pending_.size()) {
        size_t used = 0;
        if (!run(pending_[i], pending_.data() + i + 1, pending_.size() - i - 1, used)) break;   // incomplete
        i += 1 + used;
    }
    pending_.erase(pending_.begin(), pending_.begin() + long(i));
    return true;
}

bool SimFtdi::read(uint8_t* p, size_t n) {
    if (usb_turnaround_ns > 0) pins_.advance_ns(usb_turnaround_ns);
    if (rx_.size() < n) {
        error_ = "simulated FTDI: " + std::to_string(n) + " bytes wanted, " + std::to_string(rx_.size()) +
                 " produced by the commands written";
        rx_.clear();
        return false;
    }
    std::copy(rx_.begin(), rx_.begin() + long(n), p);
    rx_.erase(rx_.begin(), rx_.begin() + long(n));
    return true;
}

}  // namespace nic::board
