// Out-of-order bookkeeping for the receive side (RFC 9293 3.10.7.4, "segment text"; RFC 2018 for
// the SACK blocks it reports): which byte ranges past RCV.NXT have arrived. The bytes themselves sit
// in the receive ring at their final position, so memory is bounded by the receive window, and the
// number of holes is bounded by max_ranges (a segment that would need more is dropped and counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nic {

class Assembler {
public:
    explicit Assembler(size_t max_ranges = 32) : max_(max_ranges) {}
    struct Range {
        uint32_t start, end;  // offsets from RCV.NXT, [start, end)
    };
    // Records [start, end); false (nothing changed) if it would need more than max_ranges ranges.
    bool add(uint32_t start, uint32_t end);
    // Bytes contiguous from offset 0 (what an in-order arrival may now commit).
    uint32_t front() const { return !r_.empty() && r_[0].start == 0 ? r_[0].end : 0; }
    // RCV.NXT moved forward by n: rebase every range, dropping what it covers.
    void advance(uint32_t n);
    bool empty() const { return r_.empty(); }
    void clear() {
        r_.clear();
        last_ = -1;
    }
    const std::vector<Range>& ranges() const { return r_; }
    // Index of the range that holds the most recently added data (RFC 2018 section 4: the first SACK
    // block must report it), or -1.
    int last() const { return last_; }

private:
    size_t max_;
    std::vector<Range> r_;
    int last_ = -1;
};

}  // namespace nic
