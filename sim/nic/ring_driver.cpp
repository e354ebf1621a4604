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
    tx_.attach(h_.mem().at(base() + kTxRing), h_.mem().at(base() + kTxCpl), tx_size);
    rx_.attach(h_.mem().at(base() + kRxRing), h_.mem().at(base() + kRxCpl), rx_size);
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

unsigned RingDriver::tx_free() const { return tx_.free(); }

void RingDriver::post_tx(const TxPacket& p, bool doorbell) {
    if (tx_free() == 0) throw std::runtime_error("TX ring full");
    uint64_t buf = tx_buf(tx_.prod()) + p.align;
    if (!p.data.empty()) h_.mem().write(buf, p.data.data(), p.data.size());
    drv::TxDesc d;
    d.addr = p.addr ? *p.addr : buf;
    d.len = p.len ? *p.len : uint16_t(p.data.size());
    d.flags = uint8_t((p.csum_ip ? R::txd::kCsumIp : 0) | (p.csum_l4 ? R::txd::kCsumL4 : 0) |
                      (p.csum_udp ? R::txd::kCsumUdp : 0));
    d.ip_hlen = p.ip_hlen;
    d.csum_start = p.csum_start;
    d.csum_off = p.csum_off;
    drv::encode(d, tx_.desc(tx_.prod()));
    tx_.advance();
    if (doorbell) tx_doorbell();
}

void RingDriver::tx_doorbell() { h_.wr(R::kTxProd, tx_.prod()); }

std::vector<TxCompletion> RingDriver::poll_tx() {
    std::vector<TxCompletion> out;
    while (const uint8_t* c = tx_.completion()) {
        drv::TxCpl t = drv::decode_txc(c);
        tx_.consume();
        out.push_back(TxCompletion{t.len, t.index, t.status});
    }
    return out;
}

unsigned RingDriver::rx_free() const { return rx_.free(); }

void RingDriver::post_rx_raw(uint64_t addr, uint16_t len) {
    if (rx_free() == 0) throw std::runtime_error("RX ring full");
    drv::encode(drv::RxDesc{addr, len}, rx_.desc(rx_.prod()));
    rx_.advance();
}

void RingDriver::post_rx(unsigned n, uint16_t buf_len, bool doorbell) {
    for (unsigned i = 0; i < n; ++i) post_rx_raw(rx_buf(rx_.prod()), buf_len);
    if (doorbell) rx_doorbell();
}

void RingDriver::rx_doorbell() { h_.wr(R::kRxProd, rx_.prod()); }

std::vector<RxCompletion> RingDriver::poll_rx(bool repost) {
    std::vector<RxCompletion> out;
    while (const uint8_t* c = rx_.completion()) {
        drv::RxCpl x = drv::decode_rxc(c);
        const unsigned idx = rx_.consume();
        RxCompletion r{x.len, x.index, x.csum, x.status, x.error, x.hash, {}};
        if (r.error == 0) {
            uint64_t daddr = h_.mem().rd64(base() + kRxRing + uint64_t(idx) * 16);
            r.data = h_.mem().bytes(daddr, r.len);
        }
        out.push_back(std::move(r));
    }
    if (repost && !out.empty()) post_rx(unsigned(out.size()));
    return out;
}

}  // namespace nic::sim
