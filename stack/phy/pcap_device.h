// Pcap middleware: records every frame the stack sends and receives through this device to a pcap
// file (PcapWriter, libpcap), timestamped with the Instant the stack passes in (virtual or wall time).
#pragma once

#include "phy/device.h"
#include "phy/pcap_writer.h"

namespace nic {

class PcapDevice : public DeviceWrapper {
public:
    // `writer` must be open; several PcapDevices may share one writer (both ends of a link).
    PcapDevice(Device& inner, PcapWriter& writer) : DeviceWrapper(inner), writer_(writer) {}
    bool transmit(Instant now, ConstBytes f) override {
        writer_.write(uint64_t(now.ns), f.data, f.size);
        return inner_.transmit(now, f);
    }
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override {
        if (!inner_.receive(now, out, info)) return false;
        writer_.write(uint64_t(now.ns), out.data(), out.size());
        return true;
    }

private:
    PcapWriter& writer_;
};

}  // namespace nic
