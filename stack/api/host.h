// A Stack ready for an application (nicping, nicdnsd): its device, clock, runner and socket API, on
// either of the two links of this issue:
//   TAP:       Stack -> [PcapDevice] -> TapDevice, on the WallRunner. A real network, so the stack's
//              seed (ephemeral ports, IP IDs) comes from the CSPRNG (RFC 6056).
//   simulated: Stack -> [PcapDevice] -> FaultInjector -> MemLink port 0 ... port 1 -> FaultInjector
//              -> peer Stack, on a VirtualRunner. Fixed seeds, so a run reproduces exactly.
// Host owns every part and keeps them at fixed addresses; open() says in error() why it failed.
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/fault.h"
#include "phy/memlink.h"
#include "phy/pcap_device.h"
#include "phy/tap.h"

#include <memory>
#include <optional>
#include <string>

namespace nic {

struct HostOptions {
    std::string tap;    // TAP interface name; empty: simulated (in-memory link to a peer)
    std::string netns;  // TAP only: create it in this network namespace
    std::string pcap;   // non-empty: capture the stack's interface to this file
    MacAddr mac;
    Ipv4Cidr addr;
    std::optional<Ipv4Addr> gateway;
    // Simulated only: the peer at the other end of the link, the faults on each direction's
    // transmit, and the seed of the faults (the peer's injector uses seed + 1).
    MacAddr peer_mac;
    Ipv4Cidr peer_addr;
    FaultConfig faults;
    uint64_t seed = 1;
};

class Host {
public:
    Host() = default;
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;
    // Builds the device chain, the stack(s) and the runner, and brings the interfaces up.
    bool open(const HostOptions& o);
    const std::string& error() const { return error_; }

    bool simulated() const { return !tap_; }
    Stack& stack() { return *stack_; }
    Stack* peer() { return peer_.get(); }  // simulated only
    Runner& runner() { return *runner_; }
    SocketApi& api() { return *api_; }

private:
    std::string error_;
    WallClock wall_;
    VirtualClock virtual_;
    std::unique_ptr<TapDevice> tap_;
    std::unique_ptr<MemLink> link_;
    std::unique_ptr<FaultInjector> fault_, peer_fault_;
    PcapWriter pcap_;
    std::unique_ptr<PcapDevice> capture_;
    std::unique_ptr<Stack> stack_, peer_;
    std::unique_ptr<Runner> runner_;
    std::unique_ptr<SocketApi> api_;
};

}  // namespace nic
