// Small helpers of stack/base: address text forms, time, error names.
#include "base/addr.h"
#include "base/clock.h"
#include "base/result.h"

#include <cstdio>
#include <ctime>

namespace nic {

const char* to_string(WireError e) {
    switch (e) {
        case WireError::Ok: return "ok";
        case WireError::Truncated: return "truncated";
        case WireError::BadVersion: return "bad version";
        case WireError::BadHeaderLen: return "bad header length";
        case WireError::BadTotalLen: return "bad total length";
        case WireError::BadChecksum: return "bad checksum";
        case WireError::BadOptions: return "bad options";
        case WireError::BadLength: return "bad length";
        case WireError::Unsupported: return "unsupported";
        case WireError::Malformed: return "malformed";
        case WireError::BadPointer: return "bad compression pointer";
    }
    return "?";
}

std::string to_string(Instant t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld.%06llds", static_cast<long long>(t.ns / 1000000000),
                  static_cast<long long>((t.ns % 1000000000) / 1000));
    return buf;
}

Instant WallClock::now() const {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Instant{int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec};
}

std::string MacAddr::str() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return buf;
}

std::optional<MacAddr> MacAddr::parse(const std::string& s) {
    unsigned x[6];
    char tail;
    if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &tail) != 6)
        return std::nullopt;
    MacAddr m;
    for (int i = 0; i < 6; ++i) {
        if (x[i] > 255) return std::nullopt;
        m.b[i] = uint8_t(x[i]);
    }
    return m;
}

std::string Ipv4Addr::str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    return buf;
}

std::optional<Ipv4Addr> Ipv4Addr::parse(const std::string& s) {
    uint32_t out = 0;
    size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return std::nullopt;
            ++i;
        }
        size_t start = i;
        uint32_t x = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) x = x * 10 + uint32_t(s[i++] - '0');
        if (i == start || x > 255) return std::nullopt;
        out = (out << 8) | x;
    }
    if (i != s.size()) return std::nullopt;
    return Ipv4Addr(out);
}

std::string Ipv4Cidr::str() const { return addr.str() + "/" + std::to_string(prefix_len); }

std::optional<Ipv4Cidr> Ipv4Cidr::parse(const std::string& s) {
    auto slash = s.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto a = Ipv4Addr::parse(s.substr(0, slash));
    std::string p = s.substr(slash + 1);
    if (!a || p.empty() || p.size() > 2) return std::nullopt;
    for (char c : p)
        if (c < '0' || c > '9') return std::nullopt;
    int len = std::stoi(p);
    if (len > 32) return std::nullopt;
    return Ipv4Cidr{*a, uint8_t(len)};
}

std::string Endpoint::str() const {
    return addr.str() + ":" + (port ? std::to_string(port) : std::string("*"));
}

}  // namespace nic
