// Host: the device chain, stack(s) and runner an application runs on (see host.h).
//   nicping / nicdnsd -> Host::open -> TapDevice::open | MemLink + FaultInjector -> Stack -> Runner
#include "api/host.h"

#include <sodium.h>

namespace nic {

bool Host::open(const HostOptions& o) {
    const bool sim = o.tap.empty();
    Device* dev = nullptr;
    if (sim) {
        link_ = std::make_unique<MemLink>();
        fault_ = std::make_unique<FaultInjector>(link_->port(0), o.seed, o.faults);
        peer_fault_ = std::make_unique<FaultInjector>(link_->port(1), o.seed + 1, o.faults);
        dev = fault_.get();
    } else {
        tap_ = std::make_unique<TapDevice>();
        if (!tap_->open(o.tap, o.netns)) {
            error_ = tap_->error();
            return false;
        }
        dev = tap_.get();
    }
    if (!o.pcap.empty()) {
        if (!pcap_.open(o.pcap)) {
            error_ = pcap_.error();
            return false;
        }
        capture_ = std::make_unique<PcapDevice>(*dev, pcap_);
        dev = capture_.get();
    }
    // On a real network the ephemeral ports and IP IDs must not be predictable (RFC 6056): seed from
    // the CSPRNG; the simulated runs keep the fixed seed so they reproduce.
    StackConfig sc;
    if (!sim && sodium_init() >= 0) randombytes_buf(&sc.seed, sizeof sc.seed);
    stack_ = std::make_unique<Stack>(sc);
    stack_->add_interface(InterfaceConfig{"eth0", dev, o.mac, o.addr, o.gateway});
    if (sim) {
        peer_ = std::make_unique<Stack>();
        peer_->add_interface(InterfaceConfig{"eth0", peer_fault_.get(), o.peer_mac, o.peer_addr, std::nullopt});
        auto vr = std::make_unique<VirtualRunner>(virtual_);
        vr->add_stack(*stack_);
        vr->add_stack(*peer_);
        runner_ = std::move(vr);
    } else {
        auto wr = std::make_unique<WallRunner>(wall_);
        wr->add_stack(*stack_);
        wr->add_fd(tap_->fd());
        runner_ = std::move(wr);
    }
    stack_->set_up(runner_->now(), 0, true);
    if (peer_) peer_->set_up(runner_->now(), 0, true);
    api_ = std::make_unique<SocketApi>(*stack_, *runner_);
    return true;
}

}  // namespace nic
