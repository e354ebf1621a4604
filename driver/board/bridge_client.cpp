// spi_host_bridge's protocol, host side (see bridge_client.h and spi_host_bridge.v's table).
#include "driver/board/bridge_client.h"

#include <cstdio>

namespace nic::board {

uint8_t bridge_crc8(const uint8_t* p, size_t n, uint8_t crc) {
    for (size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int b = 0; b < 8; ++b) crc = uint8_t(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc;
}

namespace {
std::string hex(uint32_t v, int digits) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%0*x", digits, unsigned(v));
    return b;
}
bool replies_check(const std::vector<uint8_t>& in) { return bridge_crc8(in.data(), in.size()) == 0; }
}  // namespace

BridgeClient::BridgeClient(SpiTransport& t, BridgeConfig cfg) : t_(t), cfg_(cfg) {
    if (cfg_.chunk == 0) cfg_.chunk = 256;
}

std::vector<uint8_t> BridgeClient::header(uint8_t c, uint32_t addr) {
    std::vector<uint8_t> h = {c, uint8_t(addr >> 8), uint8_t(addr)};
    h.push_back(bridge_crc8(h.data(), 3));
    return h;
}

bool BridgeClient::xfer(const std::vector<uint8_t>& out, std::vector<uint8_t>& in) {
    in.assign(out.size(), 0);
    ++st_.transactions;
    st_.spi_bytes += out.size();
    if (!t_.transfer(out.data(), in.data(), out.size())) {
        error_ = "SPI transport: " + t_.error();
        return false;
    }
    return true;
}

// Every attempt failed: say whether anything answered at all.
bool BridgeClient::fail(const std::string& what, const std::vector<uint8_t>& last) {
    ++st_.failures;
    bool all0 = true, all1 = true;
    for (uint8_t b : last) {
        all0 &= b == 0x00;
        all1 &= b == 0xFF;
    }
    if (all0 || all1)
        error_ = std::string("no board answers on SPI (MISO reads all ") + (all0 ? "0x00" : "0xff") +
                 "; is the bitstream loaded, are the SPI jumpers set?) during " + what;
    else
        error_ = "CRC errors persist after " + std::to_string(cfg_.max_retries) + " retries (" + what + ")";
    return false;
}

bool BridgeClient::open() {
    BridgeStatus s;
    return status(s);
}

bool BridgeClient::status(BridgeStatus& s) {
    out_ = header(cmd::kStatus, 0);
    out_.resize(8, 0);
    for (unsigned a = 0; a <= cfg_.max_retries; ++a) {
        if (a) ++st_.retries;
        if (!xfer(out_, in_)) return false;
        if (in_[4] == cmd::kAck && replies_check(in_)) {
            s.pins = in_[5];
            s.last_ok = in_[6] >> 7;
            s.errors = in_[6] & 0x7F;
            return true;
        }
        ++(in_[4] == cmd::kNak ? st_.refused : st_.reply_crc_errors);
    }
    return fail("status", in_);
}

bool BridgeClient::read_reg(uint16_t off, uint32_t& v) {
    ++st_.reg_reads;
    out_ = header(cmd::kRdReg, off);
    out_.resize(10, 0);
    for (unsigned a = 0; a <= cfg_.max_retries; ++a) {
        if (a) ++st_.retries;
        if (!xfer(out_, in_)) return false;
        if (in_[4] == cmd::kAck && replies_check(in_)) {
            v = uint32_t(in_[5]) << 24 | uint32_t(in_[6]) << 16 | uint32_t(in_[7]) << 8 | in_[8];
            return true;
        }
        ++(in_[4] == cmd::kNak ? st_.refused : st_.reply_crc_errors);
    }
    return fail("read reg " + hex(off, 3), in_);
}

bool BridgeClient::write_reg(uint16_t off, uint32_t v) {
    ++st_.reg_writes;
    std::vector<uint8_t> out = header(cmd::kWrReg, off);
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
    out.push_back(bridge_crc8(out.data(), out.size()));
    out.resize(11, 0);
    for (unsigned a = 0; a <= cfg_.max_retries; ++a) {
        if (a) ++st_.retries;
        if (!xfer(out, in_)) return false;
        if (replies_check(in_)) {
            if (in_[4] == cmd::kAck && in_[9] == cmd::kAck) return true;
            ++st_.refused;                      // not issued: safe to send again
            continue;
        }
        // The verdict was lost on MISO: the status reply's L says whether the write was issued.
        ++st_.reply_crc_errors;
        ++st_.lost_verdicts;
        std::vector<uint8_t> keep = in_;
        BridgeStatus s;
        if (!status(s)) return false;
        if (s.last_ok) return true;
        ++st_.refused;
        in_ = keep;
    }
    return fail("write reg " + hex(off, 3), in_);
}

bool BridgeClient::write_mem_chunk(uint32_t addr, const uint8_t* src, size_t n) {
    std::vector<uint8_t> out = header(cmd::kWrMem, addr);
    out.insert(out.end(), src, src + n);
    out.push_back(bridge_crc8(out.data(), out.size()));
    for (unsigned a = 0; a <= cfg_.max_retries; ++a) {
        if (a) ++st_.retries;
        if (!xfer(out, in_)) return false;
        BridgeStatus s;
        if (!status(s)) return false;
        if (s.last_ok) return true;
        ++st_.refused;                          // written in part or not at all: send it again
    }
    return fail("write mem " + hex(addr, 4) + "+" + std::to_string(n), in_);
}

bool BridgeClient::read_mem_chunk(uint32_t addr, uint8_t* dst, size_t n) {
    out_ = header(cmd::kRdMem, addr);
    out_.resize(4 + n + 2, 0);
    out_[4 + n] = cmd::kEndMarker;
    for (unsigned a = 0; a <= cfg_.max_retries; ++a) {
        if (a) ++st_.retries;
        if (!xfer(out_, in_)) return false;
        if (in_[4] == cmd::kAck && replies_check(in_)) {
            std::copy(in_.begin() + 5, in_.begin() + 5 + long(n), dst);
            return true;
        }
        ++(in_[4] == cmd::kNak ? st_.refused : st_.reply_crc_errors);
    }
    return fail("read mem " + hex(addr, 4) + "+" + std::to_string(n), in_);
}

bool BridgeClient::write_mem(uint32_t addr, const uint8_t* src, size_t n) {
    if (size_t(addr) + n > cfg_.mem_bytes) {
        error_ = "write mem " + hex(addr, 4) + "+" + std::to_string(n) + " outside the " +
                 std::to_string(cfg_.mem_bytes) + "-byte window";
        return false;
    }
    st_.mem_write_bytes += n;
    for (size_t done = 0; done < n; done += cfg_.chunk) {
        size_t k = std::min(cfg_.chunk, n - done);
        if (!write_mem_chunk(uint32_t(addr + done), src + done, k)) return false;
    }
    return true;
}

bool BridgeClient::read_mem(uint32_t addr, uint8_t* dst, size_t n) {
    if (size_t(addr) + n > cfg_.mem_bytes) {
        error_ = "read mem " + hex(addr, 4) + "+" + std::to_string(n) + " outside the " +
                 std::to_string(cfg_.mem_bytes) + "-byte window";
        return false;
    }
    st_.mem_read_bytes += n;
    for (size_t done = 0; done < n; done += cfg_.chunk) {
        size_t k = std::min(cfg_.chunk, n - done);
        if (!read_mem_chunk(uint32_t(addr + done), dst + done, k)) return false;
    }
    return true;
}

}  // namespace nic::board
