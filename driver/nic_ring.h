// The NIC's descriptor and completion rings as the host sees them (docs/registers.md): the 16-byte
// descriptor and completion formats, and one ring's indexes and phase bit. The one ring implementation
// of the project: NicDriver runs on it, and the RTL tests' RingDriver (sim/nic/ring_driver.h) is a thin
// helper over it that can also post the malformed descriptors a driver never would.
//
//   host: write descriptor at prod() -> advance() -> PROD doorbell
//   device: fetch CONS..PROD-1, write completion i at index i, phase 1 on the first pass, 0 on the next
//   host: completion() at head() while its phase matches -> consume()
#pragma once

#include "driver/nic_regs.h"

#include <cstdint>
#include <cstring>

namespace nic::drv {

struct TxDesc {
    uint64_t addr = 0;
    uint16_t len = 0;
    uint8_t flags = 0;           // regs::txd::kCsumIp | kCsumL4 | kCsumUdp
    uint8_t ip_hlen = 0;
    uint16_t csum_start = 0;
    uint8_t csum_off = 0;
};
struct RxDesc {
    uint64_t addr = 0;
    uint16_t len = 0;
};
struct TxCpl {
    uint16_t len = 0, index = 0;
    uint8_t status = 0;          // regs::txc::kErrAddr | kErrLen
};
struct RxCpl {
    uint16_t len = 0, index = 0, csum = 0;
    uint8_t status = 0, error = 0, hash = 0;
};

void encode(const TxDesc& d, uint8_t out[16]);
void encode(const RxDesc& d, uint8_t out[16]);
TxCpl decode_txc(const uint8_t c[16]);
RxCpl decode_rxc(const uint8_t c[16]);

// One descriptor ring and its completion ring, both `size` entries of 16 bytes at the given CPU
// addresses. Tracks what the host has posted and not yet seen completed; one entry always stays
// empty so that PROD == CONS means "nothing posted".
class DescRing {
public:
    DescRing() = default;
    DescRing(uint8_t* desc, uint8_t* cpl, unsigned size) { attach(desc, cpl, size); }
    void attach(uint8_t* desc, uint8_t* cpl, unsigned size) {
        desc_ = desc;
        cpl_ = cpl;
        size_ = size;
        reset();
    }
    // Empties the ring and zeroes the completions (so that phase 1 marks the first pass).
    void reset() {
        prod_ = head_ = inflight_ = 0;
        phase_ = true;
        if (cpl_) std::memset(cpl_, 0, 16 * size_t(size_));
    }
    unsigned size() const { return size_; }
    unsigned prod() const { return prod_; }        // what to write to the PROD doorbell
    unsigned head() const { return head_; }        // next completion expected
    unsigned inflight() const { return inflight_; }
    unsigned free() const { return size_ - 1 - inflight_; }
    uint8_t* desc(unsigned i) { return desc_ + 16 * size_t(i); }
    const uint8_t* cpl(unsigned i) const { return cpl_ + 16 * size_t(i); }
    // Posts the descriptor at prod() (written by the caller) to the device's side of the ring.
    unsigned advance() {
        unsigned i = prod_;
        prod_ = (prod_ + 1) % size_;
        ++inflight_;
        return i;
    }
    // The completion at head() if the device has written it (its phase bit matches), else null.
    const uint8_t* completion() const {
        if (inflight_ == 0) return nullptr;
        const uint8_t* c = cpl(head_);
        return bool(c[15] & 0x80) == phase_ ? c : nullptr;
    }
    unsigned consume() {
        unsigned i = head_;
        head_ = (head_ + 1) % size_;
        if (head_ == 0) phase_ = !phase_;
        --inflight_;
        return i;
    }

private:
    uint8_t* desc_ = nullptr;
    uint8_t* cpl_ = nullptr;
    unsigned size_ = 0, prod_ = 0, head_ = 0, inflight_ = 0;
    bool phase_ = true;
};

}  // namespace nic::drv
