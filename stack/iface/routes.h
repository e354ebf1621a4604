// Routing table: longest-prefix match (RFC 1812 section 5.2.4.3), then lowest metric; a default route
// is 0.0.0.0/0 via a gateway. Each interface's connected subnet is added when it is configured.
#pragma once

#include "base/addr.h"

#include <optional>
#include <string>
#include <vector>

namespace nic {

struct Route {
    Ipv4Cidr dest;
    Ipv4Addr gateway;   // 0.0.0.0: on-link (the destination itself is the next hop)
    int ifindex = 0;
    int metric = 0;
};

struct RouteMatch {
    int ifindex;
    Ipv4Addr next_hop;
};

class RouteTable {
public:
    void add(const Route& r);
    bool remove(Ipv4Cidr dest, int ifindex);
    void remove_interface(int ifindex);
    std::optional<RouteMatch> lookup(Ipv4Addr dst) const;
    const std::vector<Route>& routes() const { return routes_; }
    std::string dump() const;  // "route -n" style
    uint64_t version() const { return version_; }  // changes whenever a route does (TxPath)

private:
    std::vector<Route> routes_;
    uint64_t version_ = 0;
};

}  // namespace nic
