// An in-memory Ethernet link joining two stacks in one process: port(0) and port(1) are Devices; a
// frame sent on one is received on the other after `latency`. Each direction has a bounded queue
// (like a NIC's receive ring); overflow is counted, not silent.
#pragma once

#include "phy/device.h"

#include <deque>
#include <vector>

namespace nic {

struct MemLinkConfig {
    size_t mtu = 1500;
    Duration latency = Duration::from_us(50);
    size_t queue_frames = 1024;
    // Pretend offload, to test the stack's offload paths: with Rx claimed, each frame gets the verdicts
    // of model_rx_checksums() (a NIC's receive checksum engine); with Tx claimed the stack leaves the
    // fields to the "hardware", which this link does not fill in (a capture shows them as zero).
    ChecksumCaps checksum = ChecksumCaps::none();
};

struct MemLinkStats {
    uint64_t frames[2] = {0, 0};   // delivered to port i
    uint64_t dropped_full[2] = {0, 0};
    uint64_t dropped_oversize[2] = {0, 0};
    uint64_t dropped_link_down[2] = {0, 0};
};

class MemLink {
public:
    explicit MemLink(MemLinkConfig cfg = {});
    Device& port(int i) { return ports_[i]; }
    void set_link_up(bool up) { up_ = up; }
    const MemLinkStats& stats() const { return stats_; }
    Instant next_deadline() const;

private:
    struct InFlight {
        Instant at;
        Frame frame;
    };
    class Port : public Device {
    public:
        DeviceCaps caps() const override;
        bool link_up() const override { return link->up_; }
        bool transmit(Instant now, ConstBytes f) override;
        size_t tx_room() const override;
        using Device::receive;
        bool receive(Instant now, Frame& out, RxInfo& info) override;
        Instant next_deadline() const override;
        MemLink* link = nullptr;
        int index = 0;
        std::deque<InFlight> rxq;  // frames travelling towards this port
    };
    MemLinkConfig cfg_;
    bool up_ = true;
    Port ports_[2];
    // Frame buffers handed back by receive(), reused by transmit() so a frame in flight costs a copy
    // but no allocation (bounded by kMaxSpare).
    static constexpr size_t kMaxSpare = 64;
    std::vector<Frame> spare_;
    MemLinkStats stats_;
};

}  // namespace nic
