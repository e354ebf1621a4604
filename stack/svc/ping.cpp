// Ping client: one ping socket (SOCK_DGRAM + IPPROTO_ICMP), echo requests sent on the interval and
// replies matched by sequence number, all through the SocketApi (so it runs on virtual or wall time).
//   ping -> SocketApi::send -> Stack::icmp_echo_send -> ip_output
//   Stack::icmp_input (echo reply) -> DatagramSocket::enqueue -> SocketApi::poll/recv -> ping
#include "svc/ping.h"

#include "wire/icmp.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

namespace nic {

std::string PingResult::summary(Ipv4Addr dst) const {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, "--- %s ping statistics ---\n%d packets transmitted, %d received, ",
                          dst.str().c_str(), transmitted, received);
    if (duplicates) n += std::snprintf(buf + n, sizeof buf - size_t(n), "+%d duplicates, ", duplicates);
    if (errors) n += std::snprintf(buf + n, sizeof buf - size_t(n), "+%d errors, ", errors);
    n += std::snprintf(buf + n, sizeof buf - size_t(n), "%.1f%% packet loss\n", loss_percent());
    if (received)
        std::snprintf(buf + n, sizeof buf - size_t(n), "rtt min/avg/max = %.3f/%.3f/%.3f ms\n", rtt_min.to_ms(),
                      rtt_avg.to_ms(), rtt_max.to_ms());
    return buf;
}

PingResult ping(SocketApi& api, const PingConfig& cfg, const std::function<void(const std::string&)>& log) {
    PingResult res;
    Runner& rn = api.runner();
    // A configuration that cannot describe a run is refused up front (EINVAL), not looped on: a
    // count < 1 would never finish, a negative interval or timeout would make the deadlines go
    // backwards, and the echo data must fit one IPv4 datagram (65535 - 20 - 8 bytes, RFC 791).
    if (cfg.count < 1 || cfg.interval < Duration{} || cfg.timeout < Duration{} ||
        cfg.size > kPingMaxSize || cfg.ttl == 0) {
        res.setup_error = EINVAL;
        return res;
    }
    int fd = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
    if (fd < 0) {
        res.setup_error = api.error();
        return res;
    }
    int ttl = cfg.ttl;
    api.setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    sockaddr_in to = make_sockaddr(Endpoint{cfg.dst, 0});
    if (api.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
        res.setup_error = api.error();
        api.close(fd);
        return res;
    }
    const size_t data_len = std::max<size_t>(cfg.size, 8);
    std::vector<uint8_t> msg(kIcmpHeaderLen + data_len), buf(kIcmpHeaderLen + data_len + 64);
    std::map<uint16_t, Instant> sent_at;  // outstanding requests by sequence number
    std::map<uint16_t, bool> answered;
    int64_t rtt_sum = 0;
    Instant start = rn.now();
    Instant next_send = start;
    Instant end = Instant::max();
    auto emit = [&](const std::string& s) {
        if (log) log(s);
    };
    for (;;) {
        Instant now = rn.now();
        if (res.transmitted < cfg.count && now >= next_send) {
            uint16_t seq = uint16_t(res.transmitted + 1);
            msg[0] = kIcmpEchoRequest;
            msg[1] = 0;
            wr16(&msg[6], seq);
            // Data: the send time (so a reply is matched to its request even if reordered), then a
            // pattern that lets us spot corruption.
            std::memcpy(&msg[8], &now.ns, 8);
            for (size_t i = 16; i < msg.size(); ++i) msg[i] = uint8_t(i);
            long rc = api.send(fd, msg.data(), msg.size(), 0);
            ++res.transmitted;
            if (rc < 0) {
                ++res.errors;
                res.last_error = api.error();
                emit("From local: icmp_seq=" + std::to_string(seq) + " " + std::strerror(res.last_error));
            } else {
                sent_at[seq] = now;
            }
            next_send = next_send + cfg.interval;
            if (res.transmitted == cfg.count) end = now + cfg.timeout;
            continue;
        }
        if (res.received + res.errors >= cfg.count && res.transmitted == cfg.count) break;
        if (now >= end) break;
        Instant wake = res.transmitted < cfg.count ? next_send : end;
        pollfd p{fd, POLLIN, 0};
        // Whole milliseconds, rounded up so we never wake just short of the deadline; clamped so an
        // hour-long interval cannot overflow poll()'s int timeout.
        int64_t left_ns = std::min<int64_t>((wake - now).ns, Duration::from_s(3600).ns);
        int wait_ms = int(std::max<int64_t>(0, (left_ns + 999999) / 1000000));
        int r = api.poll(&p, 1, wait_ms);
        if (r <= 0) {
            // Virtual world with nothing left to happen: no reply can come any more.
            if (rn.now() == now && wait_ms > 0) break;
            continue;
        }
        for (;;) {
            long n = api.recv(fd, buf.data(), buf.size(), 0);
            if (n < 0) {
                if (api.error() == EAGAIN) break;
                ++res.errors;
                res.last_error = api.error();
                emit(std::string("From ") + cfg.dst.str() + ": " + std::strerror(res.last_error));
                continue;
            }
            auto m = parse_icmp(ConstBytes(buf.data(), size_t(n)));
            if (!m || m->type != kIcmpEchoReply) continue;
            auto it = sent_at.find(m->seq);
            if (it == sent_at.end()) continue;  // not ours (or from before we started)
            bool intact = m->data.size == data_len;
            for (size_t i = 8; intact && i < m->data.size; ++i) intact = m->data[i] == uint8_t(i + 8);
            if (!intact) {
                ++res.corrupted;
                continue;
            }
            if (answered[m->seq]) {
                ++res.duplicates;
                continue;
            }
            answered[m->seq] = true;
            Duration rtt = rn.now() - it->second;
            ++res.received;
            rtt_sum += rtt.ns;
            if (res.received == 1 || rtt < res.rtt_min) res.rtt_min = rtt;
            if (res.received == 1 || rtt > res.rtt_max) res.rtt_max = rtt;
            res.replies.push_back(PingReply{m->seq, rtt, size_t(n)});
            char line[128];
            std::snprintf(line, sizeof line, "%zd bytes from %s: icmp_seq=%u time=%.3f ms", n, cfg.dst.str().c_str(),
                          m->seq, rtt.to_ms());
            emit(line);
        }
    }
    if (res.received) res.rtt_avg = Duration{rtt_sum / res.received};
    api.close(fd);
    return res;
}

}  // namespace nic
