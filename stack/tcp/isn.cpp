// See isn.h.
#include "tcp/isn.h"

#include "base/bytes.h"

#include <sodium.h>

#include <cstring>

namespace nic {

static_assert(crypto_shorthash_KEYBYTES == 16, "SipHash-2-4 key is 16 bytes");

IsnGenerator::IsnGenerator() {
    if (sodium_init() < 0) {
        // libsodium could not initialise its RNG: fall back to a fixed key rather than failing, the
        // ISNs remain unique per 4-tuple but predictable to an attacker who knows this build.
        *this = IsnGenerator(0x6528);
        return;
    }
    randombytes_buf(key_.data(), key_.size());
    randombytes_buf(cookie_key_.data(), cookie_key_.size());
}

IsnGenerator::IsnGenerator(uint64_t seed) {
    // splitmix64: only spreads the seed over the key bytes; the secrecy comes from the seed.
    auto next = [&seed]() {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    for (size_t i = 0; i < 16; i += 8) {
        uint64_t a = next(), b = next();
        std::memcpy(key_.data() + i, &a, 8);
        std::memcpy(cookie_key_.data() + i, &b, 8);
    }
}

uint64_t IsnGenerator::hash(const uint8_t* key, Endpoint local, Endpoint remote, uint32_t extra1,
                            uint32_t extra2) const {
    uint8_t msg[20];
    wr32(msg, local.addr.v);
    wr16(msg + 4, local.port);
    wr32(msg + 6, remote.addr.v);
    wr16(msg + 10, remote.port);
    wr32(msg + 12, extra1);
    wr32(msg + 16, extra2);
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, msg, sizeof msg, key);
    uint64_t h;
    std::memcpy(&h, out, 8);
    return h;
}

SeqNum IsnGenerator::isn(Instant now, Endpoint local, Endpoint remote) const {
    // RFC 6528 section 3: M is a timer that ticks every 4 microseconds.
    uint32_t m = uint32_t(uint64_t(now.ns) / 4000);
    return SeqNum(m + uint32_t(hash(key_.data(), local, remote, 0, 0)));
}

uint32_t IsnGenerator::ts_offset(Endpoint local, Endpoint remote) const {
    // Same key as the ISN, another input (domain separation): SipHash outputs stay independent.
    return uint32_t(hash(key_.data(), local, remote, 0x54534f46u /* "TSOF" */, 0) >> 32);
}

namespace {
uint32_t slot(Instant now) { return uint32_t(uint64_t(now.ns) / 64000000000ull); }  // 64 s
}  // namespace

SeqNum IsnGenerator::cookie(Instant now, Endpoint local, Endpoint remote, SeqNum peer_isn, uint16_t mss) const {
    uint32_t idx = 0;
    for (uint32_t i = 0; i < kCookieMss.size(); ++i)
        if (kCookieMss[i] <= mss) idx = i;
    uint32_t t = slot(now) & 31;
    uint32_t mac = uint32_t(hash(cookie_key_.data(), local, remote, peer_isn.v, (t << 3) | idx)) & 0xffffff;
    return SeqNum((t << 27) | (idx << 24) | mac);
}

std::optional<uint16_t> IsnGenerator::check_cookie(Instant now, Endpoint local, Endpoint remote,
                                                   SeqNum peer_isn, SeqNum c) const {
    uint32_t t = c.v >> 27, idx = (c.v >> 24) & 7;
    uint32_t age = (slot(now) - t) & 31;
    if (age > 1) return std::nullopt;  // valid for the current and the previous 64-second slot
    uint32_t mac = uint32_t(hash(cookie_key_.data(), local, remote, peer_isn.v, (t << 3) | idx)) & 0xffffff;
    if (mac != (c.v & 0xffffff)) return std::nullopt;
    return kCookieMss[idx];
}

}  // namespace nic
