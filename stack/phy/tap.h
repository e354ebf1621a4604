// A Linux TAP device (/dev/net/tun, IFF_TAP | IFF_NO_PI): frames the stack transmits appear as
// received on the kernel's interface of that name, and what Linux sends there is ours to receive,
// so ping, nc and dnsmasq talk to this stack. Non-blocking; fd() is for poll(2) (WallRunner).
// The device can be created inside a network namespace (`ip netns add NAME`) so nothing in the
// caller's namespace changes.
#pragma once

#include "phy/device.h"

#include <string>

namespace nic {

class TapDevice : public Device {
public:
    TapDevice() = default;
    ~TapDevice() override;
    TapDevice(const TapDevice&) = delete;
    TapDevice& operator=(const TapDevice&) = delete;

    // Creates (or attaches to) TAP interface `name`. With `netns` non-empty the calling thread enters
    // /var/run/netns/<netns> for the creation and returns to its own namespace afterwards. Returns false
    // with a message in error() (no /dev/net/tun, no CAP_NET_ADMIN, no such namespace, ...).
    bool open(const std::string& name, const std::string& netns = "");
    void close();
    int fd() const { return fd_; }
    const std::string& name() const { return name_; }
    const std::string& error() const { return error_; }

    DeviceCaps caps() const override;
    bool link_up() const override { return fd_ >= 0; }
    bool transmit(Instant now, ConstBytes frame) override;
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override;  // verdicts always Unknown

    // Read errors, and frames longer than mtu + 18 bytes (cut by read(), so dropped whole).
    uint64_t rx_errors() const { return rx_errors_; }
    uint64_t tx_errors() const { return tx_errors_; }
    size_t mtu = 1500;

private:
    int fd_ = -1;
    std::string name_;
    std::string error_;
    uint64_t rx_errors_ = 0, tx_errors_ = 0;
};

}  // namespace nic
