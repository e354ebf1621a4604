// What the stack resolved to send to one destination (route, next hop's MAC, source address,
// checksum offload), cached by a transport per connection so that a bulk sender does not look up
// the route, the ARP entry and the device's capabilities for every segment. Valid while the stack's
// path generation (routes, ARP entries, interfaces) is unchanged and the ARP entry has not aged out;
// otherwise Stack::ip_output resolves afresh and refills it.
#pragma once

#include "base/addr.h"
#include "base/clock.h"

#include <cstddef>
#include <cstdint>

namespace nic {

struct TxPath {
    uint64_t generation = 0;  // Stack::path_generation() when filled; 0: empty
    Ipv4Addr dst;             // the destination it was resolved for
    int ifindex = -1;
    MacAddr mac;              // the next hop's
    Instant mac_expires;      // the ARP entry's ageing deadline (RFC 1122 2.3.2.1)
    size_t mtu = 0;           // the device's
    bool ipv4_offload = false, l4_offload = false;  // the device fills the IPv4 / transport checksum
};

}  // namespace nic
