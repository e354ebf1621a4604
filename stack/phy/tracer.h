// Tracer middleware: one line per frame, in and out, to a callback (stderr, a test's log, ...):
//   "1.000050s eth0 tx 192.0.2.1 > 192.0.2.2 UDP 49152 > 7 len 5"
#pragma once

#include "phy/device.h"

#include <functional>
#include <string>

namespace nic {

// A one-line summary of an Ethernet frame (never fails: malformed parts are described as such).
std::string describe_frame(ConstBytes frame);
// A one-line summary of a TCP segment: ports, flags, sequence and acknowledgment numbers, window.
std::string describe_tcp(ConstBytes segment);

class Tracer : public DeviceWrapper {
public:
    using Sink = std::function<void(const std::string&)>;
    Tracer(Device& inner, std::string name, Sink sink) : DeviceWrapper(inner), name_(std::move(name)), sink_(std::move(sink)) {}
    bool transmit(Instant now, ConstBytes f) override {
        sink_(to_string(now) + " " + name_ + " tx " + describe_frame(f));
        return inner_.transmit(now, f);
    }
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override {
        if (!inner_.receive(now, out, info)) return false;
        sink_(to_string(now) + " " + name_ + " rx " + describe_frame(out));
        return true;
    }

private:
    std::string name_;
    Sink sink_;
};

}  // namespace nic
