// Descriptor and completion formats (docs/registers.md, generated with driver/nic_regs.h from
// rtl/nic/nic_regs.json): every multi-byte field little-endian.
#include "driver/nic_ring.h"

namespace nic::drv {

namespace R = nic::regs;

namespace {
void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
}  // namespace

void encode(const TxDesc& d, uint8_t out[16]) {
    std::memset(out, 0, 16);
    put64(out + R::txd::kAddr, d.addr);
    put16(out + R::txd::kLen, d.len);
    out[R::txd::kFlags] = d.flags;
    out[R::txd::kIpHlen] = d.ip_hlen;
    put16(out + R::txd::kCsumStart, d.csum_start);
    out[R::txd::kCsumOff] = d.csum_off;
}

void encode(const RxDesc& d, uint8_t out[16]) {
    std::memset(out, 0, 16);
    put64(out + R::rxd::kAddr, d.addr);
    put16(out + R::rxd::kLen, d.len);
}

TxCpl decode_txc(const uint8_t c[16]) {
    return TxCpl{get16(c + R::txc::kLen), get16(c + R::txc::kIndex), c[R::txc::kStatus]};
}

RxCpl decode_rxc(const uint8_t c[16]) {
    return RxCpl{get16(c + R::rxc::kLen), get16(c + R::rxc::kIndex), get16(c + R::rxc::kCsum),
                 c[R::rxc::kStatus], c[R::rxc::kError], c[R::rxc::kHash]};
}

}  // namespace nic::drv
