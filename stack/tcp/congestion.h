// Congestion window arithmetic (RFC 5681): initial window, slow start, congestion avoidance, the
// ssthresh reduction on loss and the loss window after an RTO. Recovery itself (NewReno, RFC 6582,
// and SACK-based, RFC 6675) is driven by TcpSocket, which owns the sequence state it needs.
#pragma once

#include <algorithm>
#include <cstdint>

namespace nic {

struct CongestionControl {
    uint32_t cwnd = 0;
    uint32_t ssthresh = 0xffffffffu;  // RFC 5681 3.1: arbitrarily high initially
    uint32_t bytes_acked = 0;         // congestion avoidance accumulator (RFC 5681 3.1, eq. 3 variant)
    // No window beyond 2^30 bytes is ever usable (RFC 7323 2.3: the largest scaled window), so cwnd
    // stops there. Without the clamp a connection that never loses a segment grows cwnd by one
    // SMSS per ACK until the 32-bit value wraps to a tiny window after a few GB.
    static constexpr uint32_t kMaxCwnd = 1u << 30;

    // RFC 5681 3.1 eq. 1 (initial window in segments by SMSS), or a fixed count when configured
    // (RFC 6928's 10).
    static uint32_t initial_window(uint32_t smss, uint32_t segments_override) {
        if (segments_override) return segments_override * smss;
        if (smss > 2190) return 2 * smss;
        if (smss > 1095) return 3 * smss;
        return 4 * smss;
    }
    void init(uint32_t smss, uint32_t iw_segments) {
        cwnd = initial_window(smss, iw_segments);
        bytes_acked = 0;
    }
    bool in_slow_start() const { return cwnd < ssthresh; }
    // Every increase goes through here (saturating at kMaxCwnd).
    void grow(uint32_t n) { cwnd = uint32_t(std::min<uint64_t>(uint64_t(cwnd) + n, kMaxCwnd)); }
    // An ACK for `acked` new bytes outside recovery.
    void on_ack(uint32_t acked, uint32_t smss) {
        if (in_slow_start()) {
            // RFC 5681 3.1 eq. 2 with appropriate byte counting (RFC 3465, L = 1 SMSS).
            grow(std::min(acked, smss));
        } else {
            // RFC 5681 3.1: about one SMSS per RTT, counted in bytes acknowledged.
            bytes_acked = uint32_t(std::min<uint64_t>(uint64_t(bytes_acked) + acked, kMaxCwnd));
            if (bytes_acked >= cwnd) {
                bytes_acked -= cwnd;
                grow(smss);
            }
        }
    }
    // RFC 5681 3.1 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS).
    void reduce_ssthresh(uint32_t flight, uint32_t smss) { ssthresh = std::max(flight / 2, 2 * smss); }
    // RFC 5681 3.1: after an RTO, cwnd is the loss window of one segment.
    void on_rto(uint32_t flight, uint32_t smss) {
        reduce_ssthresh(flight, smss);
        cwnd = smss;
        bytes_acked = 0;
    }
};

}  // namespace nic
