// TAP device: /dev/net/tun in IFF_TAP | IFF_NO_PI mode, non-blocking. Each read() is one frame from
// Linux, each write() one frame to it; the kernel checks no checksum of ours (verdicts Unknown).
//   Stack::poll -> TapDevice::receive -> read ; Stack::transmit_frame -> TapDevice::transmit -> write
#include "phy/tap.h"

#include "wire/ethernet.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nic {

TapDevice::~TapDevice() { close(); }

void TapDevice::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool TapDevice::open(const std::string& name, const std::string& netns) {
    close();
    if (name.size() >= IFNAMSIZ) {
        error_ = "interface name too long: " + name;
        return false;
    }
    int home = -1, target = -1;
    if (!netns.empty()) {
        home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        std::string path = "/var/run/netns/" + netns;
        target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (home < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
            error_ = "cannot enter network namespace " + netns + ": " + std::strerror(errno);
            if (home >= 0) ::close(home);
            if (target >= 0) ::close(target);
            return false;
        }
    }
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_ = std::string("cannot open /dev/net/tun: ") + std::strerror(errno);
    } else {
        ifreq ifr{};
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;  // Ethernet frames, no packet-information prefix
        std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
        if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
            error_ = "TUNSETIFF " + name + ": " + std::strerror(errno) + " (needs CAP_NET_ADMIN)";
            ::close(fd);
            fd = -1;
        } else {
            name_ = ifr.ifr_name;
        }
    }
    if (home >= 0) {
        // Back to where we came from; the TAP interface stays in `netns`, the descriptor with us.
        if (setns(home, CLONE_NEWNET) != 0 && fd >= 0) {
            error_ = std::string("cannot return to the original network namespace: ") + std::strerror(errno);
            ::close(fd);
            fd = -1;
        }
        ::close(home);
        ::close(target);
    }
    fd_ = fd;
    return fd_ >= 0;
}

DeviceCaps TapDevice::caps() const {
    DeviceCaps c;
    c.mtu = mtu;
    c.checksum = ChecksumCaps::none();  // the kernel neither fills nor checks ours
    return c;
}

bool TapDevice::transmit(Instant, ConstBytes f) {
    if (fd_ < 0) return false;
    ssize_t n = ::write(fd_, f.data, f.size);
    if (n != ssize_t(f.size)) {
        ++tx_errors_;
        return false;
    }
    return true;
}

bool TapDevice::receive(Instant, Frame& out, RxInfo& info) {
    info = RxInfo{};  // the kernel hands us frames unchecked
    if (fd_ < 0) return false;
    // Room for the largest frame we accept (MTU + Ethernet header + a VLAN tag) and one byte more:
    // read() silently cuts a longer frame (someone raised the Linux side's MTU), so a read that fills
    // the whole buffer is a frame we must not take as if it were complete. It is counted and dropped.
    const size_t max_frame = mtu + kEthHeaderLen + 4;
    for (;;) {
        out.resize(max_frame + 1);
        ssize_t n = ::read(fd_, out.data(), out.size());
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++rx_errors_;
            out.clear();
            return false;
        }
        if (size_t(n) > max_frame) {
            ++rx_errors_;
            continue;  // the next frame, if any
        }
        out.resize(size_t(n));
        return true;
    }
}

}  // namespace nic
