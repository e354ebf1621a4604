// A ping client over the socket API (ICMP echo, RFC 792) using a "ping socket"
// (SOCK_DGRAM + IPPROTO_ICMP): count, interval, size, timeout; sent/received/loss and min/avg/max RTT.
// Runs on whatever Runner the SocketApi has: virtual time in tests, wall time on TAP.
#pragma once

#include "api/sockets.h"

#include <functional>
#include <string>
#include <vector>

namespace nic {

// Largest echo data: one IPv4 datagram of 65535 bytes less the IPv4 and ICMP headers.
constexpr size_t kPingMaxSize = 65535 - 20 - 8;

struct PingConfig {
    Ipv4Addr dst;
    int count = 4;
    Duration interval = Duration::from_s(1);
    size_t size = 56;                        // ICMP data bytes (the first 8 carry the send time)
    Duration timeout = Duration::from_s(1);  // how long to wait for replies after the last request
    uint8_t ttl = 64;
};

struct PingReply {
    uint16_t seq = 0;
    Duration rtt;
    size_t bytes = 0;
};

struct PingResult {
    int transmitted = 0, received = 0, duplicates = 0, corrupted = 0, errors = 0;
    int last_error = 0;  // errno of the last asynchronous error (EHOSTUNREACH, ...)
    Duration rtt_min, rtt_avg, rtt_max;
    std::vector<PingReply> replies;
    int setup_error = 0;  // errno if the run could not start: EINVAL (bad PingConfig), ENETUNREACH, ...
    double loss_percent() const { return transmitted ? 100.0 * (transmitted - received) / transmitted : 0.0; }
    std::string summary(Ipv4Addr dst) const;  // iputils-style statistics lines
};

// `log` receives one line per reply or error ("64 bytes from ...: icmp_seq=1 time=0.105 ms").
// A PingConfig with count < 1, a negative interval or timeout, size > kPingMaxSize or ttl 0 gives
// setup_error EINVAL and sends nothing.
PingResult ping(SocketApi& api, const PingConfig& cfg, const std::function<void(const std::string&)>& log = {});

}  // namespace nic
