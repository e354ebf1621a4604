// The device interface: what the stack needs from a LAN adapter (the seed's "LAN driver" boundary).
// Implemented by the in-memory link, the TAP device and (later) the driver over the simulated NIC RTL,
// whose descriptor rings map onto transmit()/receive() and whose checksum engines onto ChecksumCaps.
// Middleware (pcap, fault injection, tracer) wraps a Device and is itself a Device, so they stack:
//   Stack -> Tracer -> PcapDevice -> FaultInjector -> MemLink port
#pragma once

#include "base/bytes.h"
#include "base/clock.h"
#include "wire/checksum.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nic {

using Frame = std::vector<uint8_t>;  // one Ethernet frame without preamble and FCS

// What a NIC's receive descriptor says about one frame's checksums (cf. Linux CHECKSUM_UNNECESSARY vs
// CHECKSUM_NONE). Good: hardware verified it, software skips the check. Bad: hardware found it wrong,
// the stack drops and counts the frame as a checksum error. Unknown: not checked (no offload, a
// protocol or option layout the NIC does not parse, a fragment): software verifies.
enum class RxCsum : uint8_t { Unknown = 0, Good, Bad };
struct RxInfo {
    RxCsum ipv4 = RxCsum::Unknown;  // IPv4 header checksum
    RxCsum l4 = RxCsum::Unknown;    // TCP/UDP/ICMP checksum of an unfragmented datagram
};

// A model of a NIC's receive checksum engine: the verdicts hardware with `caps` would put in the
// descriptor of `frame` (Unknown for whatever it does not offload or cannot parse). Used by the
// in-memory link's pretend offload; the simulated NIC's RTL must agree with it.
RxInfo model_rx_checksums(ConstBytes frame, const ChecksumCaps& caps);

struct DeviceCaps {
    size_t mtu = 1500;            // largest IP datagram the link carries (frame = mtu + 14)
    ChecksumCaps checksum;        // what the hardware computes (Tx) and verifies (Rx: verdicts in RxInfo)
    size_t max_burst = 64;        // frames the stack takes per poll (a ring's worth); bounds work per call
};

class Device {
public:
    virtual ~Device() = default;
    virtual DeviceCaps caps() const = 0;
    virtual bool link_up() const { return true; }
    // Queues one frame for transmission. False when the device cannot take it now (ring full, link
    // down); the stack counts that as tx_dev_busy and the frame is dropped, like a full NIC queue.
    virtual bool transmit(Instant now, ConstBytes frame) = 0;
    // Frames transmit() would take now (a ring's free descriptors plus a driver queue's room), or
    // SIZE_MAX when the device sets no limit. TCP stops building segments at 0 and resumes when
    // there is room again: a full device queue is back-pressure, not a lost segment.
    virtual size_t tx_room() const { return SIZE_MAX; }
    // Takes one received frame if any is ready at `now`, with the checksum verdicts of its descriptor.
    virtual bool receive(Instant now, Frame& out, RxInfo& info) = 0;
    // Convenience for callers that do not care about verdicts (tests, captures).
    bool receive(Instant now, Frame& out) {
        RxInfo ignored;
        return receive(now, out, ignored);
    }
    // Earliest time something becomes ready inside the device (a delayed frame in middleware, a
    // frame in flight on a link with latency); Instant::max() when nothing is pending.
    virtual Instant next_deadline() const { return Instant::max(); }
    // The device's own counters (a driver's, its hardware's), for the stack's statistics dump; one
    // "    <value> <description> [name]" line each under a heading. Empty: none.
    virtual std::string stats_dump() const { return {}; }
};

// Base for middleware: forwards everything to the wrapped device.
class DeviceWrapper : public Device {
public:
    explicit DeviceWrapper(Device& inner) : inner_(inner) {}
    DeviceCaps caps() const override { return inner_.caps(); }
    bool link_up() const override { return inner_.link_up(); }
    bool transmit(Instant now, ConstBytes f) override { return inner_.transmit(now, f); }
    size_t tx_room() const override { return inner_.tx_room(); }
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override { return inner_.receive(now, out, info); }
    Instant next_deadline() const override { return inner_.next_deadline(); }
    std::string stats_dump() const override { return inner_.stats_dump(); }

protected:
    Device& inner_;
};

}  // namespace nic
