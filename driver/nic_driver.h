// The driver of the FPGA NIC (rtl/nic, register map docs/registers.md): a stack Device over the
// NIC's descriptor rings, written against driver/platform.h only, so that the same code runs over the
// co-simulated RTL and over a board.
//
//   probe():    ID/VERSION check -> soft reset -> DMA memory (rings + packet buffers, one region) -> DMA
//               window = exactly that region -> station address, filter, MAX_LEN from the MTU ->
//               rings -> RX buffers posted -> interrupt moderation -> MDIO: PHY reset, autonegotiation,
//               wait for link (timeout) -> TX/RX enabled, interrupts unmasked
//   transmit(): software queue (back-pressure) -> TX buffer copy, checksum offload commands
//               (CHECKSUM_PARTIAL: pseudo-header seed) -> descriptor -> dma_sync_for_device -> doorbell
//   interrupt:  the line is checked on every poll; the ISR reads and clears IRQ_CAUSE, masks TX/RX and
//               schedules NAPI (LINK and ERR stay unmasked)
//   receive():  NAPI poll with a budget: dma_sync_for_cpu -> completions by phase bit -> frame copied
//               out with the hardware checksum verdicts (RxInfo) -> buffer re-posted (doorbell per
//               batch); TX completions reaped; ring empty: napi_complete, TX/RX unmasked
//   recovery:   a TX ring that stops completing (watchdog) or a fatal DMA error (IRQ ERR) resets the
//               device and rebuilds its rings; the stack keeps its state, frames in flight are counted
//               as lost and TCP retransmits them
#pragma once

#include "driver/nic_ring.h"
#include "driver/platform.h"
#include "phy/device.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace nic::drv {

struct DriverConfig {
    MacAddr mac;
    size_t mtu = 1500;               // MAX_LEN = mtu + 14 (Ethernet header, no FCS)
    unsigned tx_ring = 256;          // descriptors per ring (16..4096)
    unsigned rx_ring = 256;
    // Packet buffers, apart from the rings (each round_up(mtu + 14, 64) bytes): at most tx_buffers
    // frames are in flight on the TX ring and rx_buffers RX descriptors are posted at a time (each
    // completion re-posts its buffer), so that a small DMA window still takes rings of the NIC's
    // minimum of 16 entries. 0: one buffer per ring slot (tx_ring, rx_ring buffers; ring size - 1
    // in use). Otherwise 1 .. ring size - 1. tx_room() counts free TX buffers as it counts free
    // descriptors: a frame beyond them waits in the software queue.
    // The iCE40 board's 8 KB window (driver/board/board_host.h: board_driver_config, used by its
    // apps, tests and benchmark): 16-entry rings (4 x 256 bytes) and, at MTU 1500, 2 RX + 2 TX
    // buffers of 1536 bytes (7168 bytes in all): 2 frames per direction of any size, 64, 576 or
    // 1518 bytes on the wire alike (a buffer holds one frame); at MTU 576, 6 RX + 5 TX buffers of
    // 640 bytes. dma_bytes() gives the total for a configuration.
    unsigned tx_buffers = 0;
    unsigned rx_buffers = 0;
    unsigned tx_queue = 1000;        // frames the driver queues while the TX ring is full (txqueuelen)
    bool offload = true;             // use the NIC's checksum engines (TX insertion, RX verdicts)
    bool verify_offload = false;     // also compute every RX verdict in software and count mismatches
    bool promisc = false;
    std::vector<MacAddr> multicast;  // group addresses to accept (hash filter)
    unsigned napi_budget = 64;       // frames per NAPI poll before yielding
    unsigned irq_mod_pkts = 1;       // IRQ_MOD_PKTS: completions before the line rises
    unsigned irq_mod_cycles = 0;     // IRQ_MOD_TIMER: ... or this many core cycles after the first
    uint8_t phy_addr = 1;            // MDIO address of the PHY
    unsigned mdio_div = 31;          // MDC half period - 1 in core cycles (125 MHz / 64 = 1.95 MHz)
    Duration link_timeout = Duration::from_ms(50);     // probe: wait this long for the link
    Duration tx_watchdog = Duration::from_ms(20);      // TX ring busy this long without a completion
    Duration reset_timeout = Duration::from_ms(1);     // CTRL.RESET must finish within this
    // A build with counters narrower than 32 bits (CAPS.STAT_WIDTH, e.g. 16 on the iCE40 board)
    // wraps them quickly: the byte counters every 2^16 B, 5.2 ms at 100 Mb/s. The driver then reads
    // them at least this often (0: only when the statistics are read, as a 32-bit build needs).
    // Default: often enough for a 16-bit byte counter at 100 Mb/s.
    Duration stats_period = Duration::from_ms(2);
};

// Driver and device counters; device counters survive a device reset (accumulated across it).
#define NIC_DRIVER_COUNTERS(X)                                                                          \
    X(tx_frames, "frames posted to the TX ring")                                                     \
    X(tx_bytes, "bytes posted to the TX ring")                                                       \
    X(tx_completions, "TX completions reaped")                                                       \
    X(tx_queued, "frames that waited in the software queue for a TX descriptor")                     \
    X(tx_queue_full, "frames refused: TX ring and software queue full (back-pressure to the stack)") \
    X(tx_too_long, "frames refused: longer than MAX_LEN")                                            \
    X(tx_link_down, "frames refused: link down")                                                     \
    X(tx_error_completions, "TX completions with an error status (address or length)")               \
    X(tx_csum_offloaded, "frames sent with checksum insertion commands")                             \
    X(tx_lost_in_reset, "frames in flight lost to a device reset")                                   \
    X(rx_frames, "frames received from the RX ring")                                                 \
    X(rx_bytes, "bytes received")                                                                    \
    X(rx_error_completions, "RX completions with an error (buffer address or length): dropped")      \
    X(rx_csum_good, "frames whose L4 checksum the NIC verified")                                     \
    X(rx_csum_bad, "frames whose L4 checksum the NIC found wrong")                                   \
    X(rx_csum_mismatch, "verify_offload: NIC verdict differs from software")                         \
    X(irqs, "interrupts taken")                                                                      \
    X(irq_link, "link-change interrupts")                                                            \
    X(irq_err, "fatal-error interrupts (a ring access outside the DMA window)")                      \
    X(napi_polls, "NAPI polls")                                                                      \
    X(napi_budget_exhausted, "NAPI polls that used their whole budget")                              \
    X(link_up_events, "link up")                                                                     \
    X(link_down_events, "link down")                                                                 \
    X(watchdog_resets, "device resets: TX ring stalled")                                             \
    X(error_resets, "device resets: fatal error")                                                    \
    X(dev_tx_frames, "device: frames sent")                                                          \
    X(dev_tx_bytes, "device: bytes sent")                                                            \
    X(dev_rx_frames, "device: frames delivered to host memory")                                      \
    X(dev_rx_bytes, "device: bytes delivered")                                                       \
    X(dev_rx_drop_mac, "device: received frames the MAC dropped (FCS, runt, oversize, rx_er, SFD)")  \
    X(dev_rx_drop_filter, "device: received frames the address filter dropped")                     \
    X(dev_rx_drop_nodesc, "device: received frames dropped, no RX descriptor")                       \
    X(dev_rx_drop_fifo, "device: received frames dropped, RX FIFO full")                             \
    X(dev_tx_desc_err, "device: bad TX descriptors")                                                 \
    X(dev_rx_desc_err, "device: bad RX descriptors")                                                 \
    X(dev_dma_err, "device: ring accesses outside the DMA window")

struct DriverStats {
#define NIC_X(name, desc) uint64_t name = 0;
    NIC_DRIVER_COUNTERS(NIC_X)
#undef NIC_X
    std::string dump() const;   // "    <value> <description> [name]" per counter
    bool get(const std::string& name, uint64_t& out) const;
};

// One line per driver event for tracing (descriptor indexes, doorbells, interrupts); empty: off.
using DriverTrace = std::function<void(const std::string&)>;

class NicDriver : public Device {
public:
    NicDriver(DriverEnv env, DriverConfig cfg);
    // Brings the device up. False with a message in error() (no device, wrong version, no memory, no
    // link within link_timeout, reset that never finishes).
    bool probe();
    const std::string& error() const { return error_; }

    // Device
    DeviceCaps caps() const override;
    bool link_up() const override { return link_; }
    bool transmit(Instant now, ConstBytes frame) override;
    size_t tx_room() const override;
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override;
    Instant next_deadline() const override;
    std::string stats_dump() const override;

    // Reads the device counters into stats() (MMIO reads: call at the end of a run, not per packet).
    void update_stats();
    const DriverStats& stats() const { return st_; }
    // Resets the device and rebuilds the rings (also what the watchdog and the ERR interrupt do).
    void recover(Instant now, const char* why);
    void set_trace(DriverTrace t) { trace_ = std::move(t); }
    unsigned tx_inflight() const { return tx_.inflight(); }
    // Frames the TX ring takes now: its free descriptors, bounded by the free TX buffers.
    unsigned tx_free() const { return tx_cap_ - tx_.inflight(); }
    // DMA memory probe() allocates for `cfg` (rings and buffers, one region), in bytes.
    static size_t dma_bytes(const DriverConfig& cfg);
    size_t tx_backlog() const { return txq_.size(); }
    const DriverConfig& config() const { return cfg_; }
    // The device's CAPS register as probe() read it (0 before probe, and on a register map 1.0
    // device, which has no CAPS: no checksum engines assumed).
    uint32_t device_caps() const { return dev_caps_; }
    // Checksums the NIC computes, as used: DriverConfig::offload and what CAPS says the build has.
    bool tx_offload() const;
    bool rx_offload() const;
    // MDIO (clause 22): false on timeout.
    bool mdio_read(uint8_t reg, uint16_t& v);
    bool mdio_write(uint8_t reg, uint16_t v);

private:
    bool reset_device();
    bool setup_device();                 // registers, rings, RX buffers, enables
    bool phy_bringup();
    void isr(Instant now);
    void reap_tx(Instant now);
    void post_tx(ConstBytes frame);      // one frame into the next TX slot (ring has room)
    void flush_txq();
    void post_rx(unsigned slot);         // buffer `slot` onto the next free RX descriptor
    void napi_complete();
    void refresh_link();
    void add_device_counters();          // counters into the totals (before a reset clears them)
    void trace(const std::string& s) { if (trace_) trace_(s); }

    DriverEnv env_;
    DriverConfig cfg_;
    std::string error_;
    DmaRegion mem_;
    size_t buf_size_ = 0;
    uint64_t tx_ring_ = 0, tx_cpl_ = 0, rx_ring_ = 0, rx_cpl_ = 0, tx_bufs_ = 0, rx_bufs_ = 0;  // offsets
    DescRing tx_, rx_;
    unsigned rx_unposted_ = 0;           // descriptors written since the last RX doorbell
    std::vector<uint32_t> rx_slot_;      // RX descriptor index -> buffer slot it carries
    unsigned tx_bufs_n_ = 0, rx_bufs_n_ = 0;  // packet buffers of each direction
    unsigned tx_cap_ = 0;                // frames in flight at most: min(tx_ring - 1, tx_bufs_n_)
    unsigned tx_buf_next_ = 0;           // the next TX buffer: they are freed in the order they are
                                         // taken (completions are in ring order), so a rotation will do
    std::deque<Frame> txq_;
    std::vector<Frame> spare_;
    bool link_ = false, probed_ = false;
    uint32_t dev_caps_ = 0;
    uint32_t ctrl_speed_ = 0;
    uint32_t stat_mask_ = ~0u;           // 2^CAPS.STAT_WIDTH - 1: counter differences modulo it
    Instant stats_due_ = Instant::max(); // next periodic read of narrow counters            // CTRL.SPEED_10 as negotiated, kept in every CTRL write
    bool napi_ = false;                  // NAPI scheduled: TX/RX interrupts masked, rings being polled
    unsigned napi_done_ = 0;             // frames this NAPI round
    Instant tx_progress_{};              // last TX completion (or first post after idle)
    DriverStats st_;
    uint32_t dev_last_[11] = {};         // device counters at the last update_stats (since reset)
    DriverTrace trace_;
};

// CRC-32 (IEEE 802.3) of a group address, top 6 bits: its bit in the NIC's multicast hash table.
unsigned multicast_hash_index(const MacAddr& m);

}  // namespace nic::drv
