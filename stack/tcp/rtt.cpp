// See rtt.h.
#include "tcp/rtt.h"

#include <algorithm>

namespace nic {

void RttEstimator::sample(Duration r) {
    int64_t rn = std::max<int64_t>(r.ns, 0);
    if (!has_) {
        // RFC 6298 2.2: SRTT <- R, RTTVAR <- R/2.
        srtt_ = rn;
        rttvar_ = rn / 2;
        has_ = true;
    } else {
        // RFC 6298 2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'| (first), then SRTT <- 7/8 SRTT + 1/8 R'.
        int64_t diff = srtt_ > rn ? srtt_ - rn : rn - srtt_;
        rttvar_ = (3 * rttvar_ + diff) / 4;
        srtt_ = (7 * srtt_ + rn) / 8;
    }
    // RFC 6298 2.2/2.3: RTO <- SRTT + max(G, K*RTTVAR), K = 4; 2.4 floor; 2.5 ceiling.
    int64_t rto = srtt_ + std::max(cfg_.granularity.ns, 4 * rttvar_);
    rto = std::max(rto, cfg_.min_rto.ns);
    rto = std::min(rto, cfg_.max_rto.ns);
    rto_ = Duration{rto};
}

}  // namespace nic
