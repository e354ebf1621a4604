// The retransmission timer's estimator (RFC 6298 section 2): SRTT and RTTVAR from RTT samples, and
// RTO = SRTT + max(G, 4 * RTTVAR), clamped to [min_rto, max_rto]. Integer nanoseconds, so tests can
// assert exact values. Exponential backoff (RFC 6298 5.5) is applied by the socket on top of rto().
#pragma once

#include "base/clock.h"

namespace nic {

struct RttConfig {
    Duration initial_rto = Duration::from_s(1);    // RFC 6298 2.1
    Duration min_rto = Duration::from_s(1);        // RFC 6298 2.4 (SHOULD 1 s); configurable
    Duration max_rto = Duration::from_s(120);      // RFC 6298 2.5 (a maximum >= 60 s); Linux's 120 s
    Duration granularity = Duration::from_ms(1);   // G: timestamp clock tick of this stack (1 ms)
};

class RttEstimator {
public:
    explicit RttEstimator(RttConfig c = {}) : cfg_(c), rto_(c.initial_rto) {}
    void sample(Duration r);
    // RFC 6298 5.7: after a timed-out SYN (with no sample yet) the RTO restarts at 3 s.
    void reinit_rto(Duration r) {
        if (!has_) rto_ = r;
    }
    Duration rto() const { return rto_; }
    bool has_sample() const { return has_; }
    Duration srtt() const { return Duration{srtt_}; }
    Duration rttvar() const { return Duration{rttvar_}; }
    const RttConfig& config() const { return cfg_; }

private:
    RttConfig cfg_;
    bool has_ = false;
    int64_t srtt_ = 0, rttvar_ = 0;
    Duration rto_;
};

}  // namespace nic
