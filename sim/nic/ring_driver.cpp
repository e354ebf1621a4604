#include "nic/ring_driver.h"

#include "driver/nic_regs.h"

#include <stdexcept>

namespace nic::sim {

namespace R = nic::regs;

void RingDriver::set_window(uint64_t lo, uint64_t hi) {
    h_.wr(R::kDmaWinBaseLo, uint32_t(lo));
    h_.wr(R::kDmaWinBaseHi, uint32_t(lo >> 32));
    h_.wr(R::kDmaWinLimitLo, uint32_t(hi));
    h_.wr(R::kDmaWinLimitHi, uint32_t(hi >> 32));
    h_.axi().set_window(lo, hi);
}

void RingDriver::init(unsigned tx_size, unsigned rx_size, bool enable) {
    if (h_.mem().end() - h_.mem().base() < kMemNeeded) throw std::runtime_error("host memory too small");
    tx_size_ = tx_size;
    rx_size_ = rx_size;
    tx_prod_ = tx_head_ = tx_inflight_ = 0;
    rx_prod_ = rx_head_ = rx_posted_ = 0;
    tx_phase_ = rx_phase_ = true;
    h_.mem().fill(base() + kTxCpl, 0, 0x10000);
    h_.mem().fill(base() + kRxCpl, 0, 0x10000);
    set_window(h_.mem().base(), h_.mem().end());
    h_.wr(R::kMacLo, 0xAA000002);          // 02:00:00:aa:bb:cc
    h_.wr(R::kMacHi, 0xCCBB);
    h_.wr(R::kTxRingLo, uint32_t(base() + kTxRing));
    h_.wr(R::kTxRingHi, uint32_t((base() + kTxRing) >> 32));
    h_.wr(R::kTxCplLo, uint32_t(base() + kTxCpl));
    h_.wr(R::kTxCplHi, uint32_t((base() + kTxCpl) >> 32));
    h_.wr(R::kTxSize, tx_size);
    h_.wr(R::kRxRingLo, uint32_t(base() + kRxRing));
    h_.wr(R::kRxRingHi, uint32_t((base() + kRxRing) >> 32));
    h_.wr(R::kRxCplLo, uint32_t(base() + kRxCpl));
    h_.wr(R::kRxCplHi, uint32_t((base() + kRxCpl) >> 32));
    h_.wr(R::kRxSize, rx_size);
    if (enable) h_.wr(R::kCtrl, R::ctrl::kTxEn(1) | R::ctrl::kRxEn(1));
}

unsigned RingDriver::tx_free() const { return tx_size_ - 1 - tx_inflight_; }

void RingDriver::post_tx(const TxPacket& p, bool doorbell) {
    if (tx_free() == 0) throw std::runtime_error("TX ring full");
    uint64_t buf = tx_buf(tx_prod_) + p.align;
    if (!p.data.empty()) h_.mem().write(buf, p.data.data(), p.data.size());
    uint8_t d[16] = {};
    uint64_t a = p.addr ? *p.addr : buf;
    uint16_t len = p.len ? *p.len : uint16_t(p.data.size());
    for (int i = 0; i < 8; ++i) d[i] = uint8_t(a >> (8 * i));
    d[R::txd::kLen] = uint8_t(len);
    d[R::txd::kLen + 1] = uint8_t(len >> 8);
    d[R::txd::kFlags] = (p.csum_ip ? R::txd::kCsumIp : 0) | (p.csum_l4 ? R::txd::kCsumL4 : 0);
    d[R::txd::kIpHlen] = p.ip_hlen;
    d[R::txd::kCsumStart] = uint8_t(p.csum_start);
    d[R::txd::kCsumStart + 1] = uint8_t(p.csum_start >> 8);
    d[R::txd::kCsumOff] = p.csum_off;
    h_.mem().write(base() + kTxRing + uint64_t(tx_prod_) * 16, d, 16);
    tx_prod_ = (tx_prod_ + 1) % tx_size_;
    ++tx_inflight_;
    if (doorbell) tx_doorbell();
}

void RingDriver::tx_doorbell() { h_.wr(R::kTxProd, tx_prod_); }

std::vector<TxCompletion> RingDriver::poll_tx() {
    std::vector<TxCompletion> out;
    for (;;) {
        uint64_t c = base() + kTxCpl + uint64_t(tx_head_) * 16;
        uint8_t ph = h_.mem().at(c)[R::txc::kPhase] >> 7;
        if (ph != tx_phase_) break;
        out.push_back(TxCompletion{h_.mem().rd16(c + R::txc::kLen), h_.mem().rd16(c + R::txc::kIndex),
                                   h_.mem().at(c)[R::txc::kStatus]});
        tx_head_ = (tx_head_ + 1) % tx_size_;
        if (tx_head_ == 0) tx_phase_ = !tx_phase_;
        --tx_inflight_;
    }
    return out;
}

unsigned RingDriver::rx_free() const { return rx_size_ - 1 - rx_posted_; }

void RingDriver::post_rx_raw(uint64_t addr, uint16_t len) {
    if (rx_free() == 0) throw std::runtime_error("RX ring full");
    uint8_t d[16] = {};
    for (int i = 0; i < 8; ++i) d[i] = uint8_t(addr >> (8 * i));
    d[R::rxd::kLen] = uint8_t(len);
    d[R::rxd::kLen + 1] = uint8_t(len >> 8);
    h_.mem().write(base() + kRxRing + uint64_t(rx_prod_) * 16, d, 16);
    rx_prod_ = (rx_prod_ + 1) % rx_size_;
    ++rx_posted_;
}

void RingDriver::post_rx(unsigned n, uint16_t buf_len, bool doorbell) {
    for (unsigned i = 0; i < n; ++i) post_rx_raw(rx_buf(rx_prod_), buf_len);
    if (doorbell) rx_doorbell();
}

void RingDriver::rx_doorbell() { h_.wr(R::kRxProd, rx_prod_); }

std::vector<RxCompletion> RingDriver::poll_rx(bool repost) {
    std::vector<RxCompletion> out;
    for (;;) {
        uint64_t c = base() + kRxCpl + uint64_t(rx_head_) * 16;
        const uint8_t* p = h_.mem().at(c);
        if ((p[R::rxc::kPhase] >> 7) != rx_phase_) break;
        RxCompletion r{h_.mem().rd16(c + R::rxc::kLen), h_.mem().rd16(c + R::rxc::kIndex),
                       h_.mem().rd16(c + R::rxc::kCsum), p[R::rxc::kStatus], p[R::rxc::kError],
                       p[R::rxc::kHash], {}};
        if (r.error == 0) {
            uint64_t daddr = h_.mem().rd64(base() + kRxRing + uint64_t(rx_head_) * 16);
            r.data = h_.mem().bytes(daddr, r.len);
        }
        out.push_back(std::move(r));
        rx_head_ = (rx_head_ + 1) % rx_size_;
        if (rx_head_ == 0) rx_phase_ = !rx_phase_;
        --rx_posted_;
    }
    if (repost && !out.empty()) post_rx(unsigned(out.size()));
    return out;
}

}  // namespace nic::sim
