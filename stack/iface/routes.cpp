// Routing table: a short vector searched linearly for the longest prefix (RFC 1812 5.2.4.3); a host
// has a handful of routes (one per interface subnet and a default), so nothing cleverer pays off.
//   Stack::ip_output / source_for -> RouteTable::lookup
#include "iface/routes.h"

#include <algorithm>
#include <cstdio>

namespace nic {

void RouteTable::add(const Route& r) {
    ++version_;
    Route n = r;
    n.dest.addr = r.dest.network();
    remove(n.dest, n.ifindex);
    routes_.push_back(n);
}

bool RouteTable::remove(Ipv4Cidr dest, int ifindex) {
    ++version_;
    auto before = routes_.size();
    routes_.erase(std::remove_if(routes_.begin(), routes_.end(),
                                 [&](const Route& r) {
                                     return r.dest.prefix_len == dest.prefix_len &&
                                            r.dest.network() == dest.network() && r.ifindex == ifindex;
                                 }),
                  routes_.end());
    return routes_.size() != before;
}

void RouteTable::remove_interface(int ifindex) {
    ++version_;
    routes_.erase(std::remove_if(routes_.begin(), routes_.end(), [&](const Route& r) { return r.ifindex == ifindex; }),
                  routes_.end());
}

std::optional<RouteMatch> RouteTable::lookup(Ipv4Addr dst) const {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
        if (!r.dest.contains(dst)) continue;
        if (!best || r.dest.prefix_len > best->dest.prefix_len ||
            (r.dest.prefix_len == best->dest.prefix_len && r.metric < best->metric))
            best = &r;
    }
    if (!best) return std::nullopt;
    return RouteMatch{best->ifindex, best->gateway.is_unspecified() ? dst : best->gateway};
}

std::string RouteTable::dump() const {
    std::string s = "Destination        Gateway          Iface  Metric\n";
    char line[128];
    for (const auto& r : routes_) {
        std::snprintf(line, sizeof line, "%-18s %-16s %-6d %d\n", r.dest.str().c_str(), r.gateway.str().c_str(),
                      r.ifindex, r.metric);
        s += line;
    }
    return s;
}

}  // namespace nic
