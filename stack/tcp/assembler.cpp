// See assembler.h.
#include "tcp/assembler.h"

#include <algorithm>

namespace nic {

bool Assembler::add(uint32_t start, uint32_t end) {
    if (start >= end) return true;
    // First range that ends at or after `start` (may merge), and the first that starts after `end`.
    size_t i = 0;
    while (i < r_.size() && r_[i].end < start) ++i;
    size_t j = i;
    while (j < r_.size() && r_[j].start <= end) ++j;
    if (i == j) {  // no overlap or adjacency: a new range
        if (r_.size() >= max_) return false;
        r_.insert(r_.begin() + long(i), Range{start, end});
        last_ = int(i);
        return true;
    }
    Range m{std::min(start, r_[i].start), std::max(end, r_[j - 1].end)};
    r_.erase(r_.begin() + long(i), r_.begin() + long(j));
    r_.insert(r_.begin() + long(i), m);
    last_ = int(i);
    return true;
}

void Assembler::advance(uint32_t n) {
    // In place: no allocation on the per-segment path.
    size_t w = 0;
    int last = -1;
    for (size_t k = 0; k < r_.size(); ++k) {
        if (r_[k].end <= n) continue;
        if (int(k) == last_) last = int(w);
        r_[w++] = Range{r_[k].start > n ? r_[k].start - n : 0, r_[k].end - n};
    }
    r_.resize(w);
    last_ = last;
}

}  // namespace nic
