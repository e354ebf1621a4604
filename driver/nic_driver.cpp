// NicDriver: see nic_driver.h for the call chains. Register and format names come from
// driver/nic_regs.h (generated from rtl/nic/nic_regs.json, like the RTL's include).
#include "driver/nic_driver.h"

#include "driver/nic_regs.h"
#include "wire/checksum.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace nic::drv {

namespace R = nic::regs;

namespace {

constexpr uint32_t kIrqAll = R::irq_cause::kTx(1) | R::irq_cause::kRx(1) | R::irq_cause::kLink(1) |
                             R::irq_cause::kErr(1);
constexpr uint32_t kIrqSlow = R::irq_cause::kLink(1) | R::irq_cause::kErr(1);

// Clause 22 registers and bits (IEEE 802.3 22.2.4).
constexpr uint8_t kBmcr = 0, kBmsr = 1, kPhyId1 = 2, kAnar = 4, kAnlpar = 5;
constexpr uint16_t kBmcrReset = 0x8000, kBmcrAnEnable = 0x1000, kBmcrAnRestart = 0x0200;
constexpr uint16_t kBmsrLink = 0x0004, kBmsrAnDone = 0x0020;
// Technology ability field of ANAR/ANLPAR (28B.2.1.2.2): 100BASE-TX full and half duplex.
constexpr uint16_t kAn100Tx = 0x0100 | 0x0080;
constexpr unsigned kMacModeRmii = 2;        // CAPS.MAC_MODE

// Device counter registers, in the order of dev_last_ and of the dev_* stats.
constexpr uint32_t kDevCounters[11] = {R::kStatTxFrames,     R::kStatTxBytes,       R::kStatRxFrames,
                                       R::kStatRxBytes,      R::kStatRxDropMac,     R::kStatRxDropFilter,
                                       R::kStatRxDropNodesc, R::kStatRxDropFifo,    R::kStatTxDescErr,
                                       R::kStatRxDescErr,    R::kStatDmaErr};

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

}  // namespace

unsigned multicast_hash_index(const MacAddr& m) {
    uint32_t crc = 0xFFFFFFFFu;  // CRC-32 of IEEE 802.3 clause 3.2.9, reflected, as the FCS
    for (uint8_t byte : m.b) {
        crc ^= byte;
        for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return (~crc) >> 26;
}

std::string DriverStats::dump() const {
    std::ostringstream o;
#define NIC_X(name, desc) o << "    " << name << " " << desc << " [" #name "]\n";
    NIC_DRIVER_COUNTERS(NIC_X)
#undef NIC_X
    return o.str();
}

bool DriverStats::get(const std::string& n, uint64_t& out) const {
#define NIC_X(name, desc) \
    if (n == #name) {     \
        out = name;       \
        return true;      \
    }
    NIC_DRIVER_COUNTERS(NIC_X)
#undef NIC_X
    return false;
}

NicDriver::NicDriver(DriverEnv env, DriverConfig cfg) : env_(env), cfg_(std::move(cfg)) {}

bool NicDriver::tx_offload() const { return cfg_.offload && (dev_caps_ & R::caps::kTxCsum.mask()); }
bool NicDriver::rx_offload() const { return cfg_.offload && (dev_caps_ & R::caps::kRxCsum.mask()); }

DeviceCaps NicDriver::caps() const {
    DeviceCaps c;
    c.mtu = cfg_.mtu;
    c.max_burst = cfg_.napi_budget;
    // The NIC inserts IPv4, TCP, UDP and ICMP checksums (ICMP through the same partial-checksum
    // engine with a zero seed) and verifies IPv4, TCP and UDP on receive (docs/registers.md, RXC),
    // when its build has the engines (CAPS); the stack computes the rest.
    const Offload both = tx_offload() && rx_offload() ? Offload::Both
                         : tx_offload()               ? Offload::Tx
                         : rx_offload()               ? Offload::Rx
                                                      : Offload::None;
    c.checksum.ipv4 = both;
    c.checksum.tcp = both;
    c.checksum.udp = both;
    c.checksum.icmp = tx_offload() ? Offload::Tx : Offload::None;
    return c;
}

// ---------------------------------------------------------------- bring-up

bool NicDriver::probe() {
    RegBus& b = env_.bus;
    uint32_t id = b.read32(R::kId);
    if (id != R::kIdValue) {
        error_ = "no NIC found: ID register reads " + hex32(id) + ", want " + hex32(R::kIdValue) + " ('NIC1')";
        return false;
    }
    uint32_t ver = b.read32(R::kVersion);
    if (ver >> 16 != R::kVersionValue >> 16) {
        error_ = "unsupported NIC register map version " + std::to_string(ver >> 16) + "." +
                 std::to_string(ver & 0xFFFF) + " (this driver: " + std::to_string(R::kVersionValue >> 16) + ".x)";
        return false;
    }
    // CAPS appeared in register map 1.1; a 1.0 device reads 0 there: no checksum engines assumed
    dev_caps_ = (ver & 0xFFFF) >= 1 ? b.read32(R::kCaps) : 0;
    // Counter width (CAPS.STAT_WIDTH; 0 on a 1.0 device: 32 bits). Narrow counters are read
    // periodically so that none wraps twice between two reads.
    unsigned stat_w = R::caps::kStatWidth.get(dev_caps_);
    bool narrow = stat_w != 0 && stat_w < 32;
    stat_mask_ = narrow ? (1u << stat_w) - 1u : ~0u;
    stats_due_ = narrow && cfg_.stats_period > Duration{} ? env_.platform.now() + cfg_.stats_period
                                                          : Instant::max();
    if (cfg_.tx_ring < 16 || cfg_.tx_ring > 4096 || cfg_.rx_ring < 16 || cfg_.rx_ring > 4096) {
        error_ = "ring sizes must be 16..4096 entries";
        return false;
    }
    if (cfg_.mtu < 68 || cfg_.mtu + 14 > R::max_len::kLen.mask()) {
        error_ = "MTU " + std::to_string(cfg_.mtu) + " out of range";
        return false;
    }
    if (cfg_.tx_buffers >= cfg_.tx_ring || cfg_.rx_buffers >= cfg_.rx_ring) {
        error_ = "tx_buffers / rx_buffers must be 1 .. ring size - 1 (0: one per ring slot)";
        return false;
    }
    tx_bufs_n_ = cfg_.tx_buffers ? cfg_.tx_buffers : cfg_.tx_ring;
    rx_bufs_n_ = cfg_.rx_buffers ? cfg_.rx_buffers : cfg_.rx_ring;
    tx_cap_ = std::min(cfg_.tx_ring - 1, tx_bufs_n_);
    if (!reset_device()) return false;
    // One region for everything, so that the DMA window is exactly the driver's memory. Rings are
    // 128-byte aligned (TX_RING/RX_RING ignore bits 6:0), buffers 64-byte aligned (RX needs 8).
    buf_size_ = round_up(cfg_.mtu + 14, 64);
    size_t off = 0;
    auto take = [&](size_t n) {
        size_t at = off;
        off = round_up(off + n, 128);
        return at;
    };
    tx_ring_ = take(16 * size_t(cfg_.tx_ring));
    tx_cpl_ = take(16 * size_t(cfg_.tx_ring));
    rx_ring_ = take(16 * size_t(cfg_.rx_ring));
    rx_cpl_ = take(16 * size_t(cfg_.rx_ring));
    tx_bufs_ = take(buf_size_ * tx_bufs_n_);
    rx_bufs_ = take(buf_size_ * rx_bufs_n_);
    if (!env_.dma.alloc(off, 4096, mem_)) {
        error_ = "cannot allocate " + std::to_string(off) + " bytes of DMA memory for the rings (" +
                 std::to_string(cfg_.tx_ring) + "/" + std::to_string(cfg_.rx_ring) + " TX/RX descriptors, " +
                 std::to_string(tx_bufs_n_) + "/" + std::to_string(rx_bufs_n_) + " TX/RX buffers of " +
                 std::to_string(buf_size_) + " bytes)";
        return false;
    }
    if (!setup_device()) return false;
    if (!phy_bringup()) return false;
    probed_ = true;
    return true;
}

size_t NicDriver::dma_bytes(const DriverConfig& c) {
    // As probe() lays the region out: four 128-aligned rings, then the buffers.
    const size_t buf = round_up(c.mtu + 14, 64);
    const size_t tx = 16 * size_t(c.tx_ring), rx = 16 * size_t(c.rx_ring);
    return 2 * round_up(tx, 128) + 2 * round_up(rx, 128) +
           round_up(buf * (c.tx_buffers ? c.tx_buffers : c.tx_ring), 128) +
           round_up(buf * (c.rx_buffers ? c.rx_buffers : c.rx_ring), 128);
}

bool NicDriver::reset_device() {
    RegBus& b = env_.bus;
    b.write32(R::kCtrl, R::ctrl::kReset(1) | ctrl_speed_);
    Instant deadline = env_.platform.now() + cfg_.reset_timeout;
    while (b.read32(R::kCtrl) & R::ctrl::kReset(1)) {
        if (env_.platform.now() >= deadline) {
            error_ = "NIC soft reset did not finish within " + std::to_string(cfg_.reset_timeout.to_ms()) + " ms";
            return false;
        }
        env_.platform.delay(Duration::from_us(1));
    }
    std::fill(std::begin(dev_last_), std::end(dev_last_), 0u);  // CTRL.RESET clears the counters
    return true;
}

bool NicDriver::setup_device() {
    RegBus& b = env_.bus;
    const uint64_t base = mem_.dev_addr, end = mem_.dev_addr + mem_.size;
    // The completion rings start zeroed so that phase 1 marks the first pass (docs/registers.md).
    tx_.attach(mem_.cpu + tx_ring_, mem_.cpu + tx_cpl_, cfg_.tx_ring);
    rx_.attach(mem_.cpu + rx_ring_, mem_.cpu + rx_cpl_, cfg_.rx_ring);
    env_.dma.sync_for_device(mem_, 0, mem_.size);
    rx_unposted_ = 0;
    rx_slot_.assign(cfg_.rx_ring, 0);
    tx_buf_next_ = 0;
    napi_ = false;
    napi_done_ = 0;

    b.write32(R::kDmaWinBaseLo, uint32_t(base));
    b.write32(R::kDmaWinBaseHi, uint32_t(base >> 32));
    b.write32(R::kDmaWinLimitLo, uint32_t(end));
    b.write32(R::kDmaWinLimitHi, uint32_t(end >> 32));
    const auto& m = cfg_.mac.b;
    b.write32(R::kMacLo, uint32_t(m[0]) | uint32_t(m[1]) << 8 | uint32_t(m[2]) << 16 | uint32_t(m[3]) << 24);
    b.write32(R::kMacHi, uint32_t(m[4]) | uint32_t(m[5]) << 8);
    uint64_t hash = 0;
    for (const MacAddr& g : cfg_.multicast) hash |= 1ull << multicast_hash_index(g);
    b.write32(R::kMcHashLo, uint32_t(hash));
    b.write32(R::kMcHashHi, uint32_t(hash >> 32));
    b.write32(R::kRxFilter, R::rx_filter::kUcast(1) | R::rx_filter::kBcast(1) |
                                (hash ? R::rx_filter::kMcast(1) : 0) | (cfg_.promisc ? R::rx_filter::kPromisc(1) : 0));
    b.write32(R::kMaxLen, uint32_t(cfg_.mtu + 14));
    b.write32(R::kTxRingLo, uint32_t(base + tx_ring_));
    b.write32(R::kTxRingHi, uint32_t((base + tx_ring_) >> 32));
    b.write32(R::kTxCplLo, uint32_t(base + tx_cpl_));
    b.write32(R::kTxCplHi, uint32_t((base + tx_cpl_) >> 32));
    b.write32(R::kTxSize, cfg_.tx_ring);
    b.write32(R::kRxRingLo, uint32_t(base + rx_ring_));
    b.write32(R::kRxRingHi, uint32_t((base + rx_ring_) >> 32));
    b.write32(R::kRxCplLo, uint32_t(base + rx_cpl_));
    b.write32(R::kRxCplHi, uint32_t((base + rx_cpl_) >> 32));
    b.write32(R::kRxSize, cfg_.rx_ring);
    b.write32(R::kIrqModPkts, cfg_.irq_mod_pkts);
    b.write32(R::kIrqModTimer, cfg_.irq_mod_cycles);
    b.write32(R::kMdioDiv, cfg_.mdio_div);
    // Every RX buffer goes on the ring, at most ring size - 1 (a full ring would look empty:
    // PROD == CONS); with one buffer per slot, every slot but one.
    for (unsigned i = 0; i < rx_bufs_n_ && i + 1 < cfg_.rx_ring; ++i) post_rx(i);
    env_.dma.sync_for_device(mem_, rx_ring_, 16 * size_t(cfg_.rx_ring));
    b.write32(R::kRxProd, rx_.prod());
    rx_unposted_ = 0;
    b.write32(R::kIrqCause, kIrqAll);
    b.write32(R::kIrqMask, kIrqAll);
    b.write32(R::kCtrl, R::ctrl::kTxEn(1) | R::ctrl::kRxEn(1) | ctrl_speed_);
    link_ = (b.read32(R::kStatus) & R::status::kLink(1)) != 0;
    return true;
}

bool NicDriver::mdio_write(uint8_t reg, uint16_t v) {
    RegBus& b = env_.bus;
    b.write32(R::kMdioCmd, R::mdio_cmd::kData(v) | R::mdio_cmd::kReg(reg) | R::mdio_cmd::kPhy(cfg_.phy_addr));
    // A clause 22 frame is 64 MDC periods (with the preamble): about 33 us at 1.95 MHz.
    Instant deadline = env_.platform.now() + Duration::from_ms(1);
    while (b.read32(R::kMdioCmd) & R::mdio_cmd::kBusy(1)) {
        if (env_.platform.now() >= deadline) return false;
        env_.platform.delay(Duration::from_us(4));
    }
    return true;
}

bool NicDriver::mdio_read(uint8_t reg, uint16_t& v) {
    RegBus& b = env_.bus;
    b.write32(R::kMdioCmd, R::mdio_cmd::kRead(1) | R::mdio_cmd::kReg(reg) | R::mdio_cmd::kPhy(cfg_.phy_addr));
    Instant deadline = env_.platform.now() + Duration::from_ms(1);
    while (b.read32(R::kMdioCmd) & R::mdio_cmd::kBusy(1)) {
        if (env_.platform.now() >= deadline) return false;
        env_.platform.delay(Duration::from_us(4));
    }
    v = uint16_t(b.read32(R::kMdioData));
    return true;
}

bool NicDriver::phy_bringup() {
    uint16_t id1 = 0, bmcr = 0, bmsr = 0;
    if (!mdio_read(kPhyId1, id1) || id1 == 0xFFFF || id1 == 0) {
        error_ = "no PHY answers at MDIO address " + std::to_string(cfg_.phy_addr);
        return false;
    }
    // 22.2.4.1.1: reset, then wait for the bit to clear itself.
    if (!mdio_write(kBmcr, kBmcrReset)) {
        error_ = "MDIO write timed out (PHY reset)";
        return false;
    }
    for (int i = 0;; ++i) {
        if (!mdio_read(kBmcr, bmcr)) {
            error_ = "MDIO read timed out (BMCR)";
            return false;
        }
        if (!(bmcr & kBmcrReset)) break;
        if (i == 100) {
            error_ = "PHY reset did not finish";
            return false;
        }
    }
    // 22.2.4.1.4/.7: enable and restart autonegotiation.
    mdio_write(kBmcr, uint16_t(bmcr | kBmcrAnEnable | kBmcrAnRestart));
    Instant deadline = env_.platform.now() + cfg_.link_timeout;
    for (;;) {
        // BMSR link status latches low (22.2.4.2.13): read twice for the current state.
        mdio_read(kBmsr, bmsr);
        if (!mdio_read(kBmsr, bmsr)) {
            error_ = "MDIO read timed out (BMSR)";
            return false;
        }
        if ((bmsr & (kBmsrLink | kBmsrAnDone)) == (kBmsrLink | kBmsrAnDone)) break;
        if (env_.platform.now() >= deadline) {
            error_ = "no link: autonegotiation did not complete within " +
                     std::to_string(cfg_.link_timeout.to_ms()) + " ms (cable, PHY or far end down?)";
            return false;
        }
        env_.platform.delay(Duration::from_us(100));
    }
    // An RMII MAC runs its symbols at the speed it is told (CTRL.SPEED_10); MII and GMII PHYs set it
    // through their clocks. The negotiated speed is the highest both ends advertise (28B.3).
    if (R::caps::kMacMode.get(dev_caps_) == kMacModeRmii) {
        uint16_t anar = 0, anlpar = 0;
        if (!mdio_read(kAnar, anar) || !mdio_read(kAnlpar, anlpar)) {
            error_ = "MDIO read timed out (ANAR/ANLPAR)";
            return false;
        }
        bool fast = (anar & anlpar & kAn100Tx) != 0;
        ctrl_speed_ = fast ? 0 : R::ctrl::kSpeed10(1);
        env_.bus.write32(R::kCtrl, R::ctrl::kTxEn(1) | R::ctrl::kRxEn(1) | ctrl_speed_);
        trace(std::string("RMII at ") + (fast ? "100" : "10") + " Mb/s (negotiated)");
    }
    refresh_link();
    return true;
}

void NicDriver::refresh_link() {
    bool up = (env_.bus.read32(R::kStatus) & R::status::kLink(1)) != 0;
    if (up != link_) {
        ++(up ? st_.link_up_events : st_.link_down_events);
        trace(std::string("link ") + (up ? "up" : "down"));
    }
    link_ = up;
}

// ---------------------------------------------------------------- transmit

size_t NicDriver::tx_room() const {
    // Not probed or no link: transmit() refuses and counts why; no limit to report. Otherwise the
    // ring's free descriptors (as of the last reap) and the queue behind it.
    if (!probed_ || !link_) return SIZE_MAX;
    size_t q = txq_.size() < cfg_.tx_queue ? cfg_.tx_queue - txq_.size() : 0;
    return (txq_.empty() ? size_t(tx_free()) : 0) + q;
}

bool NicDriver::transmit(Instant now, ConstBytes f) {
    if (!probed_) return false;
    if (!link_) {
        ++st_.tx_link_down;
        return false;
    }
    if (f.size == 0 || f.size > cfg_.mtu + 14) {
        ++st_.tx_too_long;
        return false;
    }
    reap_tx(now);
    if (txq_.empty() && tx_free() > 0) {
        if (tx_.inflight() == 0) tx_progress_ = now;
        post_tx(f);
        env_.bus.write32(R::kTxProd, tx_.prod());  // doorbell
        return true;
    }
    // Ring (or TX buffers) full: the frame waits in the driver's queue (like a qdisc); refused only when that is full.
    if (txq_.size() >= cfg_.tx_queue) {
        ++st_.tx_queue_full;
        return false;
    }
    Frame fr;
    if (!spare_.empty()) {
        fr = std::move(spare_.back());
        spare_.pop_back();
    }
    fr.assign(f.data, f.data + f.size);
    txq_.push_back(std::move(fr));
    ++st_.tx_queued;
    return true;
}

void NicDriver::post_tx(ConstBytes f) {
    const unsigned idx = tx_.prod();
    // With one buffer per slot the rotation keeps buffer == descriptor index (both start at 0).
    const size_t boff = tx_bufs_ + size_t(tx_buf_next_) * buf_size_;
    tx_buf_next_ = (tx_buf_next_ + 1) % tx_bufs_n_;
    uint8_t* buf = mem_.cpu + boff;
    std::memcpy(buf, f.data, f.size);
    TxDesc d;
    d.addr = mem_.dev_addr + boff;
    d.len = uint16_t(f.size);
    // Checksum offload (Linux CHECKSUM_PARTIAL): IPv4 header always; the L4 field seeded with the
    // pseudo-header sum (RFC 9293 3.1, RFC 768) or 0 for ICMP (RFC 792), for whole datagrams only.
    if (tx_offload() && f.size >= 34 && be16(buf + 12) == 0x0800 && (buf[14] >> 4) == 4) {
        const size_t ihl = size_t(buf[14] & 15) * 4;
        const size_t tot = be16(buf + 16);
        const bool frag = (be16(buf + 20) & 0x3FFF) != 0;
        if (ihl >= 20 && 14 + ihl <= f.size && tot >= ihl && 14 + tot <= f.size) {
            d.flags |= R::txd::kCsumIp;
            d.ip_hlen = uint8_t(ihl);
            const uint8_t proto = buf[23];
            const size_t l4 = 14 + ihl, l4len = tot - ihl;
            uint8_t off = proto == 6 ? 16 : proto == 17 ? 6 : proto == 1 ? 2 : 0;
            if (off && !frag && l4len >= size_t(off) + 2 && 14 + tot == f.size) {
                uint16_t seed = 0;
                if (proto != 1) {
                    Ipv4Addr src(uint32_t(be16(buf + 26)) << 16 | be16(buf + 28));
                    Ipv4Addr dst(uint32_t(be16(buf + 30)) << 16 | be16(buf + 32));
                    seed = uint16_t(~checksum_finish(pseudo_header_sum(src, dst, proto, uint16_t(l4len))));
                }
                buf[l4 + off] = uint8_t(seed >> 8);
                buf[l4 + off + 1] = uint8_t(seed);
                d.flags |= R::txd::kCsumL4;
                // UDP only: a computed 0 must go out as 0xFFFF, since 0 means "no checksum"
                // (RFC 768); TCP and ICMP send the 0 they compute (RFC 9293 3.1, RFC 792).
                if (proto == 17) d.flags |= R::txd::kCsumUdp;
                d.csum_start = uint16_t(l4);
                d.csum_off = off;
            }
            ++st_.tx_csum_offloaded;
        }
    }
    encode(d, tx_.desc(idx));
    env_.dma.sync_for_device(mem_, boff, f.size);
    env_.dma.sync_for_device(mem_, tx_ring_ + size_t(idx) * 16, 16);
    tx_.advance();
    ++st_.tx_frames;
    st_.tx_bytes += f.size;
    if (trace_) trace("tx desc " + std::to_string(idx) + " len " + std::to_string(f.size) + " doorbell " +
                      std::to_string(tx_.prod()));
}

void NicDriver::flush_txq() {
    bool posted = false;
    while (!txq_.empty() && tx_free() > 0) {
        post_tx(txq_.front());
        if (spare_.size() < 64) spare_.push_back(std::move(txq_.front()));
        txq_.pop_front();
        posted = true;
    }
    if (posted) env_.bus.write32(R::kTxProd, tx_.prod());
}

void NicDriver::reap_tx(Instant now) {
    if (tx_.inflight() == 0) return;
    env_.dma.sync_for_cpu(mem_, tx_cpl_, 16 * size_t(cfg_.tx_ring));
    unsigned n = 0;
    while (const uint8_t* c = tx_.completion()) {
        TxCpl cp = decode_txc(c);
        const unsigned idx = tx_.consume();
        if (cp.status & (R::txc::kErrAddr | R::txc::kErrLen)) {
            ++st_.tx_error_completions;
            trace("tx completion " + std::to_string(idx) + " error status " + std::to_string(cp.status));
        }
        ++st_.tx_completions;
        ++n;
    }
    if (n) {
        tx_progress_ = now;
        flush_txq();
    }
}

// ---------------------------------------------------------------- receive (NAPI)

void NicDriver::post_rx(unsigned slot) {
    rx_slot_[rx_.prod()] = slot;
    encode(RxDesc{mem_.dev_addr + rx_bufs_ + uint64_t(slot) * buf_size_, uint16_t(buf_size_)}, rx_.desc(rx_.prod()));
    rx_.advance();
    ++rx_unposted_;
}

void NicDriver::isr(Instant now) {
    RegBus& b = env_.bus;
    uint32_t cause = b.read32(R::kIrqCause);
    b.write32(R::kIrqCause, cause);   // write 1 to clear what we are about to handle
    ++st_.irqs;
    if (trace_) trace("irq cause " + hex32(cause));
    if (cause & R::irq_cause::kLink(1)) {
        ++st_.irq_link;
        refresh_link();
    }
    if (cause & R::irq_cause::kErr(1)) {
        ++st_.irq_err;
        ++st_.error_resets;
        recover(now, "fatal DMA error (IRQ ERR)");
        return;
    }
    if (!napi_ && (cause & (R::irq_cause::kTx(1) | R::irq_cause::kRx(1)))) {
        b.write32(R::kIrqMask, kIrqSlow);  // NAPI: no TX/RX interrupts while we poll
        napi_ = true;
        napi_done_ = 0;
        ++st_.napi_polls;
    }
}

void NicDriver::napi_complete() {
    napi_ = false;
    env_.bus.write32(R::kIrqMask, kIrqAll);
    // A completion written after our last look has its cause bit set: the line rises again at once.
}

bool NicDriver::receive(Instant now, Frame& out, RxInfo& info) {
    if (!probed_) return false;
    if (now >= stats_due_) add_device_counters();
    if (env_.irq.asserted()) isr(now);
    if (tx_.inflight() > 0 && now >= tx_progress_ + cfg_.tx_watchdog) {
        reap_tx(now);  // completions may be there without an interrupt (masked, moderated)
        if (tx_.inflight() > 0 && now >= tx_progress_ + cfg_.tx_watchdog) {
            ++st_.watchdog_resets;
            recover(now, "TX watchdog: no completion");
        }
    }
    if (!napi_) return false;
    if (napi_done_ == 0) reap_tx(now);
    if (napi_done_ >= cfg_.napi_budget) {
        // Budget used: yield to the stack; next_deadline() says "now" so it polls us again.
        ++st_.napi_budget_exhausted;
        napi_done_ = 0;
        ++st_.napi_polls;
        return false;
    }
    for (;;) {
        env_.dma.sync_for_cpu(mem_, rx_cpl_ + size_t(rx_.head()) * 16, 16);
        const uint8_t* c = rx_.completion();
        if (!c) {
            if (rx_unposted_) {
                env_.dma.sync_for_device(mem_, rx_ring_, 16 * size_t(cfg_.rx_ring));
                env_.bus.write32(R::kRxProd, rx_.prod());
                rx_unposted_ = 0;
            }
            reap_tx(now);
            napi_complete();
            return false;
        }
        const RxCpl cp = decode_rxc(c);
        const unsigned idx = rx_.consume();
        const uint16_t len = cp.len;
        const uint8_t status = cp.status, err = cp.error;
        // The buffer goes straight back on the ring (the frame is copied out).
        const size_t slot = rx_slot_[idx];
        const uint8_t* buf = mem_.cpu + rx_bufs_ + slot * buf_size_;
        bool ok = err == 0 && len >= 14 && len <= buf_size_;
        if (ok) {
            env_.dma.sync_for_cpu(mem_, rx_bufs_ + slot * buf_size_, len);
            out.assign(buf, buf + len);
        }
        post_rx(unsigned(slot));
        if (rx_unposted_ >= 16) {
            env_.dma.sync_for_device(mem_, rx_ring_, 16 * size_t(cfg_.rx_ring));
            env_.bus.write32(R::kRxProd, rx_.prod());
            rx_unposted_ = 0;
        }
        if (!ok) {
            ++st_.rx_error_completions;
            trace("rx completion " + std::to_string(idx) + " error " + std::to_string(err));
            continue;
        }
        ++napi_done_;
        ++st_.rx_frames;
        st_.rx_bytes += len;
        info = RxInfo{};
        if (rx_offload()) {
            // IP_BAD covers version, IHL and length as well as the checksum: let software classify it.
            if ((status & R::rxc::kIp4) && !(status & R::rxc::kIpBad)) info.ipv4 = RxCsum::Good;
            if (status & R::rxc::kL4Checked) {
                info.l4 = (status & R::rxc::kL4Bad) ? RxCsum::Bad : RxCsum::Good;
                ++((status & R::rxc::kL4Bad) ? st_.rx_csum_bad : st_.rx_csum_good);
            }
            if (cfg_.verify_offload) {
                RxInfo sw = model_rx_checksums(ConstBytes(out.data(), out.size()), ChecksumCaps::all());
                if ((info.ipv4 != RxCsum::Unknown && info.ipv4 != sw.ipv4) ||
                    (info.l4 != RxCsum::Unknown && info.l4 != sw.l4))
                    ++st_.rx_csum_mismatch;
            }
        }
        if (trace_) trace("rx completion " + std::to_string(idx) + " len " + std::to_string(len));
        return true;
    }
}

Instant NicDriver::next_deadline() const {
    if (!probed_) return Instant::max();
    // NAPI still has work (budget yield), or the line is up: poll at once.
    if (napi_ || env_.irq.asserted()) return Instant{0};
    Instant t = stats_due_;
    if (tx_.inflight() > 0) t = std::min(t, tx_progress_ + cfg_.tx_watchdog);
    return t;
}

// ---------------------------------------------------------------- recovery and counters

void NicDriver::add_device_counters() {
    uint64_t* tot[11] = {&st_.dev_tx_frames,      &st_.dev_tx_bytes,     &st_.dev_rx_frames,
                         &st_.dev_rx_bytes,       &st_.dev_rx_drop_mac,  &st_.dev_rx_drop_filter,
                         &st_.dev_rx_drop_nodesc, &st_.dev_rx_drop_fifo, &st_.dev_tx_desc_err,
                         &st_.dev_rx_desc_err,    &st_.dev_dma_err};
    for (int i = 0; i < 11; ++i) {
        uint32_t v = env_.bus.read32(kDevCounters[i]);
        // Modulo the counter's width: one wrap between reads still counts right.
        *tot[i] += (v - dev_last_[i]) & stat_mask_;
        dev_last_[i] = v;
    }
    if (stats_due_ != Instant::max()) stats_due_ = env_.platform.now() + cfg_.stats_period;
}

void NicDriver::update_stats() {
    if (probed_) add_device_counters();
}

void NicDriver::recover(Instant now, const char* why) {
    trace(std::string("device reset: ") + why);
    add_device_counters();
    st_.tx_lost_in_reset += tx_.inflight();
    if (!reset_device() || !setup_device()) {
        probed_ = false;  // the device is gone; the stack sees the link down
        link_ = false;
        return;
    }
    tx_progress_ = now;
    flush_txq();
}

std::string NicDriver::stats_dump() const {
    return "nic driver:\n" + st_.dump();
}

}  // namespace nic::drv
