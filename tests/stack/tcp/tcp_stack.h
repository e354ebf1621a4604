// Whole-stack TCP fixtures: two Stacks on the in-memory link (harness.h TwoHosts), each with a
// TcpLayer attached to its socket API, and a running hash of byte streams (BLAKE2b, libsodium).
#pragma once

#include "harness.h"
#include "tcp/tcp_glue.h"

#include <sodium.h>

#include <cstdio>
#include <string>

namespace nic::test {

struct TcpHosts : TwoHosts {
    TcpLayer tcp_a, tcp_b;
    explicit TcpHosts(MemLinkConfig lc = {}, std::optional<FaultConfig> faults = std::nullopt, uint64_t seed = 1,
                      StackConfig sc = {}, TcpConfig tc = {})
        : TwoHosts(lc, faults, seed, sc), tcp_a(a, tc, seed * 2 + 101), tcp_b(b, tc, seed * 2 + 102) {
        tcp_a.attach(api_a);
        tcp_b.attach(api_b);
    }
    std::string dump() const {
        return "A:\n" + tcp_a.netstat_table() + tcp_a.stats_dump() + "B:\n" + tcp_b.netstat_table() +
               tcp_b.stats_dump();
    }
};

inline sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

inline int tcp_listen(SocketApi& api, uint16_t port, int backlog = 8, bool nonblock = false) {
    int fd = api.socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    sockaddr_in s = make_sockaddr(Endpoint{Ipv4Addr::any(), port});
    if (api.bind(fd, sa(s), sizeof s) != 0 || api.listen(fd, backlog) != 0) return -1;
    return fd;
}

// Returns the descriptor, or -errno.
inline int tcp_connect(SocketApi& api, Ipv4Addr to, uint16_t port, bool nonblock = false) {
    int fd = api.socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    sockaddr_in s = make_sockaddr(Endpoint{to, port});
    if (api.connect(fd, sa(s), sizeof s) != 0 && !(nonblock && api.error() == EINPROGRESS)) {
        int e = api.error();
        api.close(fd);
        return -e;
    }
    return fd;
}

// Deterministic test data: byte i of stream `seed`.
inline uint8_t pattern_byte(uint64_t seed, size_t i) {
    uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    return uint8_t(x ^ (x >> 17));
}

class StreamHash {
public:
    StreamHash() {
        if (sodium_init() < 0) std::abort();
        crypto_generichash_init(&st_, nullptr, 0, 32);
    }
    void update(const void* p, size_t n) {
        crypto_generichash_update(&st_, static_cast<const unsigned char*>(p), n);
        bytes_ += n;
    }
    std::string hex() {
        unsigned char h[32];
        crypto_generichash_state copy = st_;
        crypto_generichash_final(&copy, h, sizeof h);
        char out[65];
        for (int i = 0; i < 32; ++i) std::snprintf(out + 2 * i, 3, "%02x", h[i]);
        return out;
    }
    size_t bytes() const { return bytes_; }

private:
    crypto_generichash_state st_;
    size_t bytes_ = 0;
};

}  // namespace nic::test
