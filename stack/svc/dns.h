// DNS over the stack's UDP sockets: a stub resolver (RFC 1035, RFC 1123 6.1.3) and a tiny
// authoritative responder for the project's demos.
//
// Resolver: A queries to a configurable server, retries with a timeout, a random ID and source port
// per query, answers validated against the query (source address and port, ID, QR, the question),
// CNAME chains followed inside the answer, a cache honouring TTLs (negative answers too, RFC 2308),
// and a getaddrinfo-like call with clear errors (EAI_NONAME no such name, EAI_AGAIN timeout,
// EAI_FAIL malformed or failed reply).
// Blocking calls use the SocketApi's runner, so they run on virtual time in tests.
#pragma once

#include "api/sockets.h"
#include "wire/dns.h"

#include <map>
#include <random>
#include <string>
#include <vector>

namespace nic {

struct ResolverConfig {
    Endpoint server{Ipv4Addr(192, 0, 2, 1), 53};
    Duration timeout = Duration::from_s(2);  // per attempt
    int attempts = 3;
    size_t cache_entries = 256;
    uint32_t max_ttl = 86400;  // cap (RFC 2181 8 allows 2^31-1; no reason to keep answers that long)
    uint32_t max_negative_ttl = 300;  // cap for NXDOMAIN/NODATA caching (RFC 2308 section 5 suggests 1-3 h max)
    uint64_t seed = 0;         // query IDs; 0: from libsodium's CSPRNG (IDs must be unpredictable)
};

enum class ResolveError { None, NoName, NoData, Timeout, Malformed, ServerFailure, Truncated, BadName, Network };
const char* to_string(ResolveError e);

struct ResolveResult {
    ResolveError error = ResolveError::None;
    std::vector<Ipv4Addr> addrs;
    uint32_t ttl = 0;  // positive answers: the smallest TTL; NXDOMAIN/NODATA: the SOA-derived negative TTL
    bool from_cache = false;
    std::string detail;  // human-readable reason ("no reply from 192.0.2.1:53 after 3 attempts", ...)
};

struct ResolverStats {
    uint64_t queries = 0, retries = 0, timeouts = 0, cache_hits = 0, cache_misses = 0, replies = 0;
    uint64_t reply_malformed = 0;      // did not parse (truncated, bad pointer, ...)
    uint64_t reply_wrong_source = 0;   // not from the server address and port we asked
    uint64_t reply_wrong_id = 0;
    uint64_t reply_wrong_question = 0; // QR clear, opcode, or a question other than ours
    uint64_t reply_truncated = 0;      // TC set: TCP fallback is not available (no TCP yet)
};

class Resolver {
public:
    Resolver(SocketApi& api, ResolverConfig cfg);
    // A records for `name` (a dotted-quad is returned as is, without a query).
    ResolveResult resolve(const std::string& name);
    // getaddrinfo-like: 0 or EAI_NONAME / EAI_AGAIN / EAI_FAIL / EAI_SYSTEM (<netdb.h> values).
    int getaddrinfo(const std::string& node, uint16_t port, std::vector<Endpoint>& out, std::string* why = nullptr);
    static const char* gai_strerror(int code);
    const ResolverStats& stats() const { return stats_; }
    void flush_cache() { cache_.clear(); }
    size_t cache_size() const { return cache_.size(); }

private:
    struct CacheEntry {
        std::vector<Ipv4Addr> addrs;
        Instant expires;
        uint32_t ttl;
        ResolveError error = ResolveError::None;  // NoName/NoData: a negative answer (RFC 2308)
    };
    ResolveResult query(const std::string& name);
    // Checks a reply against the outstanding query (any of its attempts' IDs); true when it is the
    // answer (result filled in).
    bool accept_reply(ConstBytes m, const std::vector<uint16_t>& ids, const std::string& name, ResolveResult& r,
                      bool& malformed);
    SocketApi& api_;
    ResolverConfig cfg_;
    std::mt19937_64 rng_;
    bool use_csprng_;
    std::map<std::string, CacheEntry> cache_;
    ResolverStats stats_;
};

// Authoritative answers for a fixed zone (name -> addresses), served from one UDP socket. Run
// serve() from a runner task or an app loop; it never blocks.
struct ResponderStats {
    uint64_t queries = 0, answered = 0, nxdomain = 0, nodata = 0, formerr = 0, notimp = 0, dropped = 0;
};

class DnsResponder {
public:
    DnsResponder(SocketApi& api, uint16_t port = 53, uint32_t ttl = 300);
    ~DnsResponder();
    bool ok() const { return fd_ >= 0; }
    int error() const { return err_; }
    void add(const std::string& name, Ipv4Addr a) { zone_[lower(name)].push_back(a); }
    // Handles every waiting query; returns true if it handled any.
    bool serve();
    const ResponderStats& stats() const { return stats_; }

private:
    static std::string lower(std::string s);
    SocketApi& api_;
    int fd_ = -1;
    int err_ = 0;
    uint32_t ttl_;
    std::map<std::string, std::vector<Ipv4Addr>> zone_;
    ResponderStats stats_;
};

}  // namespace nic
