// Addresses: MAC (IEEE 802), IPv4 (RFC 791) with CIDR prefixes (RFC 4632), and transport endpoints.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace nic {

struct MacAddr {
    std::array<uint8_t, 6> b{};
    static MacAddr broadcast() { return MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    bool is_broadcast() const { return *this == broadcast(); }
    bool is_multicast() const { return b[0] & 1; }  // group bit (IEEE 802-2014 8.2)
    bool is_zero() const { return *this == MacAddr{}; }
    bool operator==(const MacAddr& o) const { return b == o.b; }
    bool operator!=(const MacAddr& o) const { return b != o.b; }
    std::string str() const;
    static std::optional<MacAddr> parse(const std::string& s);
};

struct Ipv4Addr {
    uint32_t v = 0;  // host byte order
    constexpr Ipv4Addr() = default;
    constexpr explicit Ipv4Addr(uint32_t x) : v(x) {}
    constexpr Ipv4Addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
        : v((uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d) {}
    static constexpr Ipv4Addr any() { return Ipv4Addr(0u); }
    static constexpr Ipv4Addr broadcast() { return Ipv4Addr(0xffffffffu); }
    bool is_unspecified() const { return v == 0; }
    bool is_broadcast() const { return v == 0xffffffffu; }
    bool is_multicast() const { return (v >> 28) == 0xe; }  // 224.0.0.0/4 (RFC 5771)
    bool is_loopback() const { return (v >> 24) == 127; }
    bool is_this_network() const { return (v >> 24) == 0; }  // 0/8 (RFC 1122 3.2.1.3 (a), (b))
    bool operator==(Ipv4Addr o) const { return v == o.v; }
    bool operator!=(Ipv4Addr o) const { return v != o.v; }
    bool operator<(Ipv4Addr o) const { return v < o.v; }
    std::string str() const;
    static std::optional<Ipv4Addr> parse(const std::string& s);
};

struct Ipv4Cidr {
    Ipv4Addr addr;
    uint8_t prefix_len = 0;
    uint32_t mask() const { return prefix_len == 0 ? 0 : 0xffffffffu << (32 - prefix_len); }
    Ipv4Addr network() const { return Ipv4Addr(addr.v & mask()); }
    Ipv4Addr subnet_broadcast() const { return Ipv4Addr(addr.v | ~mask()); }
    bool contains(Ipv4Addr a) const { return (a.v & mask()) == (addr.v & mask()); }
    std::string str() const;
    static std::optional<Ipv4Cidr> parse(const std::string& s);  // "192.0.2.1/24"
};

struct Endpoint {
    Ipv4Addr addr;
    uint16_t port = 0;
    bool operator==(const Endpoint& o) const { return addr == o.addr && port == o.port; }
    bool operator!=(const Endpoint& o) const { return !(*this == o); }
    std::string str() const;  // "192.0.2.1:53", "0.0.0.0:*"
};

}  // namespace nic
