// A thin helper for the RTL tests over the driver's ring code (driver/nic_ring.h: descriptor and
// completion formats, indexes, phase bit): it lays the rings and buffers out at fixed places in the
// host memory model, programs the registers through the harness's AXI4-Lite master, and lets a test
// post exactly the descriptors it wants, malformed ones included (the real driver, driver/nic_driver.h,
// never would), ring doorbells when it chooses and read raw completions.
#pragma once

#include "driver/nic_ring.h"
#include "nic/nic_harness.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nic::sim {

struct TxPacket {
    std::vector<uint8_t> data;
    unsigned align = 0;             // buffer address modulo 8
    bool csum_ip = false;
    uint8_t ip_hlen = 0;
    bool csum_l4 = false;
    uint16_t csum_start = 0;
    uint8_t csum_off = 0;
    bool csum_udp = false;          // with csum_l4: a computed 0 is sent as 0xFFFF (RFC 768)
    // raw descriptor overrides for error tests
    std::optional<uint64_t> addr;
    std::optional<uint16_t> len;
};

struct TxCompletion { uint16_t len, index; uint8_t status; };
struct RxCompletion {
    uint16_t len, index, csum;
    uint8_t status, error, hash;
    std::vector<uint8_t> data;
};

class RingDriver {
public:
    static constexpr uint64_t kTxRing = 0x000000, kTxCpl = 0x010000, kRxRing = 0x020000,
                              kRxCpl = 0x030000, kTxBuf = 0x100000, kRxBuf = 0x900000;
    static constexpr uint64_t kBufStride = 2048;
    static constexpr size_t kMemNeeded = 0x1100000;

    explicit RingDriver(NicHarness& h) : h_(h) {}
    // Programs window (whole memory unless given), MAC address, filter, rings; enables TX and RX.
    void init(unsigned tx_size, unsigned rx_size, bool enable = true);
    void set_window(uint64_t lo, uint64_t hi);
    uint64_t base() const { return h_.mem().base(); }

    // TX
    unsigned tx_free() const;       // descriptors the driver may still post
    void post_tx(const TxPacket& p, bool doorbell = true);
    void tx_doorbell();
    std::vector<TxCompletion> poll_tx();
    unsigned tx_size() const { return tx_.size(); }

    // RX
    unsigned rx_free() const;
    void post_rx(unsigned n, uint16_t buf_len = 2048, bool doorbell = true);
    void post_rx_raw(uint64_t addr, uint16_t len);
    void rx_doorbell();
    std::vector<RxCompletion> poll_rx(bool repost = false);
    unsigned rx_size() const { return rx_.size(); }
    unsigned rx_posted() const { return rx_.inflight(); }

    uint64_t tx_buf(unsigned idx) const { return base() + kTxBuf + uint64_t(idx) * kBufStride; }
    uint64_t rx_buf(unsigned idx) const { return base() + kRxBuf + uint64_t(idx) * kBufStride; }

private:
    NicHarness& h_;
    drv::DescRing tx_, rx_;
};

}  // namespace nic::sim
