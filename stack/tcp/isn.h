// Initial sequence numbers (RFC 6528 section 3): ISN = M + F(localip, localport, remoteip, remoteport,
// secretkey), M a 4-microsecond timer, F SipHash-2-4 (libsodium crypto_shorthash) under a per-host
// key. Also SYN cookies: a listener whose SYN queue is full answers with an ISN that encodes a coarse
// time, an MSS index and a keyed MAC, and keeps no state until the ACK proves the peer saw it.
#pragma once

#include "base/addr.h"
#include "base/clock.h"
#include "tcp/seq.h"

#include <array>
#include <cstdint>
#include <optional>

namespace nic {

class IsnGenerator {
public:
    // A key from libsodium's CSPRNG.
    IsnGenerator();
    // A key derived from `seed`: reproducible runs in tests and on the virtual clock.
    explicit IsnGenerator(uint64_t seed);

    SeqNum isn(Instant now, Endpoint local, Endpoint remote) const;
    // RFC 7323 5.4: a random per-connection offset for TSval, keyed like the ISN but independent
    // of it, so a peer learns neither this host's clock nor anything about its ISNs from TSval.
    uint32_t ts_offset(Endpoint local, Endpoint remote) const;

    // SYN cookie (stateless SYN-ACK) for a SYN with sequence number `peer_isn`: the cookie carries
    // a 64-second time slot (5 bits), an MSS table index (3 bits) and a 24-bit MAC.
    SeqNum cookie(Instant now, Endpoint local, Endpoint remote, SeqNum peer_isn, uint16_t mss) const;
    // Checks the cookie acknowledged by an ACK (ack - 1) for a peer whose ISN was seq - 1. Returns
    // the MSS it encoded, or nothing if the MAC is wrong or the cookie is older than 2 slots.
    std::optional<uint16_t> check_cookie(Instant now, Endpoint local, Endpoint remote, SeqNum peer_isn,
                                         SeqNum cookie) const;
    // The largest entry not above the peer's MSS is encoded, so a cookie never raises it; 64 is
    // there for peers that announce less than 536.
    static constexpr std::array<uint16_t, 8> kCookieMss{64, 536, 1220, 1360, 1400, 1440, 1452, 1460};

private:
    uint64_t hash(const uint8_t* key, Endpoint local, Endpoint remote, uint32_t extra1, uint32_t extra2) const;
    std::array<uint8_t, 16> key_{};
    std::array<uint8_t, 16> cookie_key_{};
};

}  // namespace nic
