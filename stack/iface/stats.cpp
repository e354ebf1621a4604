// The statistics dump (netstat -s style) and lookup by name, both generated from the one counter
// table NIC_STACK_COUNTERS in stats.h, so a new counter cannot be forgotten in either.
#include "iface/stats.h"

#include <cstdio>

namespace nic {

std::string StackStats::dump() const {
    std::string out, group;
    char line[256];
#define NIC_X(g, name, desc)                                                                       \
    if (group != #g) {                                                                              \
        group = #g;                                                                                 \
        out += group + ":\n";                                                                       \
    }                                                                                               \
    std::snprintf(line, sizeof line, "    %llu %s [%s]\n", static_cast<unsigned long long>(name), desc, #name); \
    out += line;
    NIC_STACK_COUNTERS(NIC_X)
#undef NIC_X
    return out;
}

bool StackStats::get(const std::string& n, uint64_t& v) const {
#define NIC_X(g, name, desc)                                                                       \
    if (n == #name) {                                                                               \
        v = name;                                                                                   \
        return true;                                                                                \
    }
    NIC_STACK_COUNTERS(NIC_X)
#undef NIC_X
    return false;
}

}  // namespace nic
