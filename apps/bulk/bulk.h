// One end of a bulk TCP transfer over the stack's socket API, as a non-blocking task: send `tx_bytes`
// of a seeded pattern, then SHUT_WR (FIN); read to end of stream; then close. Both directions are
// hashed with SHA-256 (libsodium), so the two ends (or `sha256sum` on Linux) can compare.
#pragma once

#include "api/sockets.h"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace nic {

class Sha256 {
public:
    Sha256() { crypto_hash_sha256_init(&st_); }
    void update(const uint8_t* p, size_t n) {
        crypto_hash_sha256_update(&st_, p, n);
        bytes_ += n;
    }
    std::string hex() const {
        crypto_hash_sha256_state c = st_;
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&c, h);
        char out[2 * crypto_hash_sha256_BYTES + 1];
        for (size_t i = 0; i < sizeof h; ++i) std::snprintf(out + 2 * i, 3, "%02x", h[i]);
        return out;
    }
    uint64_t bytes() const { return bytes_; }

private:
    crypto_hash_sha256_state st_;
    uint64_t bytes_ = 0;
};

// "10M", "64k", "1000": a byte count for the command line (k/M/G are powers of 1024). false on
// garbage, a sign, or more than `max`.
inline bool parse_byte_count(const std::string& s, uint64_t& out, uint64_t max = uint64_t(1) << 40) {
    if (s.empty() || s[0] == '-' || s[0] == '+') return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (errno || end == s.c_str()) return false;
    uint64_t mul = 1;
    std::string suf(end);
    if (suf == "k" || suf == "K") mul = 1ull << 10;
    else if (suf == "m" || suf == "M") mul = 1ull << 20;
    else if (suf == "g" || suf == "G") mul = 1ull << 30;
    else if (!suf.empty()) return false;
    if (v > max / mul) return false;
    out = v * mul;
    return true;
}

// Byte i of the stream with this seed (cheap, reproducible, not compressible by accident).
inline uint8_t bulk_byte(uint64_t seed, uint64_t i) {
    uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    return uint8_t(x ^ (x >> 17));
}

struct BulkEnd {
    SocketApi* api = nullptr;
    int fd = -1;
    uint64_t tx_bytes = 0, seed = 1;
    uint64_t sent = 0;
    Sha256 tx_hash, rx_hash;
    bool shut = false, eof = false, closed = false;
    int err = 0;
    Instant started{}, finished{};

    bool done() const { return closed || err != 0; }

    // Non-blocking progress; true if anything happened.
    bool step(Instant now) {
        if (fd < 0 || done()) return false;
        bool did = false;
        uint8_t buf[16384];
        while (sent < tx_bytes) {
            size_t n = size_t(std::min<uint64_t>(sizeof buf, tx_bytes - sent));
            for (size_t i = 0; i < n; ++i) buf[i] = bulk_byte(seed, sent + i);
            long w = api->send(fd, buf, n, MSG_DONTWAIT);
            if (w > 0) {
                tx_hash.update(buf, size_t(w));
                sent += uint64_t(w);
                did = true;
                continue;
            }
            if (api->error() != EAGAIN) err = api->error();
            break;
        }
        if (!err && sent == tx_bytes && !shut) {
            // shutdown() before the handshake completes would abandon the connection: wait for it.
            pollfd p{fd, POLLOUT, 0};
            if (api->poll(&p, 1, 0) > 0 || tx_bytes > 0) {
                if (api->shutdown(fd, SHUT_WR) != 0) err = api->error();
                shut = did = true;
            }
        }
        while (!err && !eof) {
            long r = api->recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0) {
                rx_hash.update(buf, size_t(r));
                did = true;
            } else if (r == 0) {
                eof = did = true;
            } else {
                if (api->error() != EAGAIN) err = api->error();
                break;
            }
        }
        if (!err && eof && shut) {
            api->close(fd);
            closed = did = true;
            finished = now;
        }
        return did;
    }
};

}  // namespace nic
