// Congestion window arithmetic: slow start and the initial window (RFC 5681), congestion avoidance
// and the reaction to loss by one of two algorithms, chosen per socket (TCP_CONGESTION):
//   - CUBIC (RFC 9438), the default, as Linux's: the window follows a cubic function of the time
//     since the last reduction, with a Reno-friendly floor, beta 0.7 and fast convergence;
//   - NewReno (RFC 5681 / RFC 6582): one SMSS per RTT, halving on loss.
// Recovery itself (NewReno RFC 6582, SACK RFC 6675 with PRR RFC 6937) is driven by TcpSocket, which
// owns the sequence state it needs; it asks this class for ssthresh on a congestion event.
#pragma once

#include "base/clock.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

namespace nic {

enum class CcAlgo : uint8_t { NewReno, Cubic };
inline const char* to_string(CcAlgo a) { return a == CcAlgo::Cubic ? "cubic" : "reno"; }
// Linux's names: "cubic", "reno" ("newreno" accepted too).
inline std::optional<CcAlgo> cc_algo_from(const std::string& s) {
    if (s == "cubic") return CcAlgo::Cubic;
    if (s == "reno" || s == "newreno") return CcAlgo::NewReno;
    return std::nullopt;
}

struct CongestionControl {
    CcAlgo algo = CcAlgo::Cubic;
    uint32_t cwnd = 0;
    uint32_t ssthresh = 0xffffffffu;  // RFC 5681 3.1: arbitrarily high initially
    uint32_t bytes_acked = 0;         // NewReno avoidance accumulator (RFC 5681 3.1, eq. 3 variant)
    // No window beyond 2^30 bytes is ever usable (RFC 7323 2.3: the largest scaled window), so cwnd
    // stops there. Without the clamp a connection that never loses a segment grows cwnd by one
    // SMSS per ACK until the 32-bit value wraps to a tiny window after a few GB.
    static constexpr uint32_t kMaxCwnd = 1u << 30;

    // CUBIC state (RFC 9438 4.1), windows in bytes.
    static constexpr double kC = 0.4;     // segments / s^3
    static constexpr double kBeta = 0.7;  // multiplicative decrease
    double w_max = 0;                     // window before the last reduction
    double k = 0;                         // seconds from the epoch to w_max again
    double w_est = 0;                     // Reno-friendly estimate (4.3)
    double frac = 0;                      // increments below one byte, carried over
    uint32_t cwnd_epoch = 0;
    Instant epoch{};
    bool epoch_valid = false;
    uint64_t reductions = 0;

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
        epoch_valid = false;
    }
    bool in_slow_start() const { return cwnd < ssthresh; }
    // Every increase goes through here (saturating at kMaxCwnd).
    void grow(uint32_t n) { cwnd = uint32_t(std::min<uint64_t>(uint64_t(cwnd) + n, kMaxCwnd)); }

    // An ACK for `acked` new bytes outside recovery; `srtt` is the smoothed RTT (CUBIC's target is
    // the window one RTT ahead, RFC 9438 4.2).
    void on_ack(uint32_t acked, uint32_t smss, Instant now = Instant{}, Duration srtt = Duration{}) {
        if (in_slow_start()) {
            // RFC 5681 3.1 eq. 2 with appropriate byte counting (RFC 3465, L = 1 SMSS).
            grow(std::min(acked, smss));
            return;
        }
        if (algo == CcAlgo::NewReno) {
            // RFC 5681 3.1: about one SMSS per RTT, counted in bytes acknowledged.
            bytes_acked = uint32_t(std::min<uint64_t>(uint64_t(bytes_acked) + acked, kMaxCwnd));
            if (bytes_acked >= cwnd) {
                bytes_acked -= cwnd;
                grow(smss);
            }
            return;
        }
        cubic_ack(acked, smss, now, srtt);
    }
    // A congestion event that starts fast recovery: returns with ssthresh set; the recovery code
    // sets cwnd. NewReno: RFC 5681 eq. 4, max(FlightSize / 2, 2 SMSS). CUBIC: RFC 9438 4.6,
    // ssthresh = cwnd * beta, and W_max with fast convergence (4.7).
    void on_congestion(uint32_t flight, uint32_t smss) {
        ++reductions;
        if (algo == CcAlgo::NewReno) {
            ssthresh = std::max(flight / 2, 2 * smss);
            return;
        }
        cubic_reduce(smss);
        ssthresh = std::max(uint32_t(double(cwnd) * kBeta), 2 * smss);
    }
    // RFC 5681 3.1 (and RFC 9438 4.8): after an RTO, cwnd is the loss window of one segment.
    void on_rto(uint32_t flight, uint32_t smss) {
        if (algo == CcAlgo::NewReno) {
            ssthresh = std::max(flight / 2, 2 * smss);
        } else {
            cubic_reduce(smss);
            ssthresh = std::max(uint32_t(double(cwnd) * kBeta), 2 * smss);
        }
        cwnd = smss;
        bytes_acked = 0;
    }

private:
    void cubic_reduce(uint32_t smss) {
        (void)smss;
        // RFC 9438 4.7 fast convergence: a flow whose window keeps shrinking releases bandwidth.
        double w = double(cwnd);
        w_max = (w < w_max) ? w * (1.0 + kBeta) / 2.0 : w;
        epoch_valid = false;  // a new congestion-avoidance stage starts after recovery
        frac = 0;
    }
    void cubic_ack(uint32_t acked, uint32_t smss, Instant now, Duration srtt) {
        double s = double(smss);
        if (!epoch_valid) {
            // RFC 9438 4.2: the epoch is the start of this congestion-avoidance stage.
            epoch_valid = true;
            epoch = now;
            cwnd_epoch = cwnd;
            if (w_max < double(cwnd)) w_max = double(cwnd);  // left slow start without a loss
            k = std::cbrt(std::max(0.0, (w_max - double(cwnd_epoch)) / s / kC));  // eq. 2
            w_est = double(cwnd_epoch);
        }
        double t = double((now - epoch).ns) / 1e9;
        double rtt = double(srtt.ns) / 1e9;
        auto w_cubic = [&](double x) { return (kC * (x - k) * (x - k) * (x - k)) * s + w_max; };  // eq. 1
        // RFC 9438 4.3: the Reno-friendly estimate, alpha = 3 (1 - beta) / (1 + beta) until W_max.
        double alpha = w_est >= w_max ? 1.0 : 3.0 * (1.0 - kBeta) / (1.0 + kBeta);
        w_est += alpha * double(acked) / double(cwnd) * s;
        if (w_cubic(t) < w_est) {
            // Reno-friendly region: at least what NewReno would have by now.
            if (w_est > double(cwnd)) cwnd = uint32_t(std::min(w_est, double(kMaxCwnd)));
            return;
        }
        // 4.4 / 4.5: aim at W_cubic one RTT ahead, within [cwnd, 1.5 cwnd].
        double target = std::min(std::max(w_cubic(t + rtt), double(cwnd)), 1.5 * double(cwnd));
        if (target <= double(cwnd)) return;
        frac += (target - double(cwnd)) * double(acked) / double(cwnd);
        if (frac >= 1.0) {
            uint32_t inc = uint32_t(std::min(frac, double(kMaxCwnd)));
            frac -= double(inc);
            grow(inc);
        }
    }
};

}  // namespace nic
