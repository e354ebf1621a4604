// DNS stub resolver and authoritative responder over the stack's UDP sockets.
//   Resolver::getaddrinfo -> resolve (cache) -> query -> SocketApi::sendto/recvfrom -> accept_reply
//   runner task -> DnsResponder::serve -> SocketApi::recvfrom -> parse_dns -> build_dns_response
#include "svc/dns.h"

#include <netdb.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace nic {

const char* to_string(ResolveError e) {
    switch (e) {
        case ResolveError::None: return "ok";
        case ResolveError::NoName: return "no such name (NXDOMAIN)";
        case ResolveError::NoData: return "name has no IPv4 address";
        case ResolveError::Timeout: return "timed out";
        case ResolveError::Malformed: return "malformed reply";
        case ResolveError::ServerFailure: return "server failure";
        case ResolveError::Truncated: return "reply truncated (TC) and no TCP fallback";
        case ResolveError::BadName: return "invalid name";
        case ResolveError::Network: return "network error";
    }
    return "?";
}

namespace {
std::string lowercase(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}
}  // namespace

Resolver::Resolver(SocketApi& api, ResolverConfig cfg) : api_(api), cfg_(cfg), rng_(cfg.seed), use_csprng_(cfg.seed == 0) {
    if (use_csprng_ && sodium_init() < 0) use_csprng_ = false;  // falls back to the seeded generator
}

ResolveResult Resolver::resolve(const std::string& name) {
    if (auto a = Ipv4Addr::parse(name)) {
        ResolveResult r;
        r.addrs.push_back(*a);
        return r;
    }
    std::vector<uint8_t> probe;
    if (name.empty() || !encode_dns_name(name, probe)) {
        ResolveResult r;
        r.error = ResolveError::BadName;
        r.detail = "'" + name + "' is not a valid domain name";
        return r;
    }
    std::string key = lowercase(name);
    Instant now = api_.runner().now();
    auto it = cache_.find(key);
    if (it != cache_.end()) {
        if (it->second.expires > now) {
            ++stats_.cache_hits;
            ResolveResult r;
            r.error = it->second.error;
            if (r.error != ResolveError::None) r.detail = name + ": " + to_string(r.error) + " (cached)";
            r.addrs = it->second.addrs;
            r.from_cache = true;
            // The TTL left, as a caching server would hand it on (RFC 1035 section 7.4).
            r.ttl = uint32_t((it->second.expires - now).ns / 1000000000);
            return r;
        }
        cache_.erase(it);
    }
    ++stats_.cache_misses;
    ResolveResult r = query(name);
    bool negative = r.error == ResolveError::NoName || r.error == ResolveError::NoData;
    if ((r.error == ResolveError::None || negative) && r.ttl > 0) {
        if (cache_.size() >= cfg_.cache_entries) {
            // Evict the entry closest to expiry.
            auto victim = std::min_element(cache_.begin(), cache_.end(),
                                           [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
            cache_.erase(victim);
        }
        uint32_t ttl = std::min(r.ttl, negative ? cfg_.max_negative_ttl : cfg_.max_ttl);
        cache_[key] = CacheEntry{r.addrs, api_.runner().now() + Duration::from_s(ttl), ttl, r.error};
    }
    return r;
}

bool Resolver::accept_reply(ConstBytes m, const std::vector<uint16_t>& ids, const std::string& name, ResolveResult& r,
                            bool& malformed) {
    auto msg = parse_dns(m);
    if (!msg) {
        // A reply we cannot parse is not trusted even if its ID matches; the query stays open.
        ++stats_.reply_malformed;
        malformed = true;
        r.detail = std::string("malformed reply: ") + to_string(msg.error());
        return false;
    }
    const DnsHeader& h = msg->header;
    if (std::find(ids.begin(), ids.end(), h.id) == ids.end()) {
        ++stats_.reply_wrong_id;
        return false;
    }
    if (!h.qr || h.opcode != 0 || msg->questions.size() != 1 || !dns_name_equal(msg->questions[0].name, name) ||
        msg->questions[0].qtype != kDnsA || msg->questions[0].qclass != kDnsIn) {
        ++stats_.reply_wrong_question;
        return false;
    }
    ++stats_.replies;
    r = ResolveResult{};
    if (h.tc) {
        ++stats_.reply_truncated;
        r.error = ResolveError::Truncated;
        r.detail = "reply has TC set; TCP fallback (RFC 7766) needs the TCP of the next issue";
        return true;
    }
    // RFC 2308 section 5: a negative answer is cached for min(SOA TTL, SOA MINIMUM) of the SOA in
    // the authority section; without an SOA it is not cached at all.
    auto negative_ttl = [&]() -> uint32_t {
        for (const auto& rr : msg->authority)
            if (rr.type == kDnsSoa && rr.klass == kDnsIn) return std::min(rr.ttl, rr.soa_minimum);
        return 0;
    };
    if (h.rcode == kRcodeNxDomain) {
        r.error = ResolveError::NoName;
        r.detail = name + ": no such name";
        r.ttl = negative_ttl();
        return true;
    }
    if (h.rcode != kRcodeOk) {
        r.error = ResolveError::ServerFailure;
        r.detail = "server answered rcode " + std::to_string(h.rcode);
        return true;
    }
    // Follow the CNAME chain from the question's name (RFC 1034 section 3.6.2), bounded.
    std::string current = name;
    uint32_t ttl = UINT32_MAX;
    for (int hops = 0; hops < 16; ++hops) {
        bool moved = false;
        for (const auto& rr : msg->answers) {
            if (rr.klass != kDnsIn || !dns_name_equal(rr.name, current)) continue;
            if (rr.type == kDnsA) {
                r.addrs.push_back(rr.a);
                ttl = std::min(ttl, rr.ttl);
            } else if (rr.type == kDnsCname && !moved && r.addrs.empty()) {
                ttl = std::min(ttl, rr.ttl);
                current = rr.target;
                moved = true;
            }
        }
        if (!moved || !r.addrs.empty()) break;
    }
    if (r.addrs.empty()) {
        r.error = ResolveError::NoData;
        r.detail = name + " has no A record";
        r.ttl = negative_ttl();
        return true;
    }
    r.ttl = ttl == UINT32_MAX ? 0 : ttl;
    return true;
}

ResolveResult Resolver::query(const std::string& name) {
    ResolveResult r;
    int fd = api_.socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        r.error = ResolveError::Network;
        r.detail = std::string("socket: ") + std::strerror(api_.error());
        return r;
    }
    // Unconnected on purpose: replies from elsewhere reach us and are counted as wrong-source,
    // instead of being turned away silently by the stack.
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 0});  // random ephemeral port (RFC 5452 9.2)
    api_.bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any);
    sockaddr_in server = make_sockaddr(cfg_.server);
    bool malformed = false;
    bool done = false;
    std::vector<uint8_t> buf(4096);
    // The IDs of every attempt so far: on a slow or lossy path the answer to attempt 1 may arrive
    // while attempt 2 waits, and it is just as good (a stub that resends one ID, as glibc does,
    // would take it too). Each ID is fresh and unpredictable (RFC 5452 section 9.2).
    std::vector<uint16_t> ids;
    for (int attempt = 0; attempt < cfg_.attempts && !done; ++attempt) {
        uint16_t id = use_csprng_ ? uint16_t(randombytes_uniform(65536)) : uint16_t(rng_());
        ids.push_back(id);
        auto q = build_dns_query(id, name);
        ++stats_.queries;
        if (attempt) ++stats_.retries;
        if (api_.sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0) {
            r.error = ResolveError::Network;
            r.detail = std::string("sendto ") + cfg_.server.str() + ": " + std::strerror(api_.error());
            if (api_.error() == ENETUNREACH) break;
            continue;  // EHOSTUNREACH after ARP failure etc.: the next attempt may work
        }
        Instant deadline = api_.runner().now() + cfg_.timeout;
        while (!done) {
            Duration left = deadline - api_.runner().now();
            if (left <= Duration{}) break;
            timeval tv{time_t(left.ns / 1000000000), suseconds_t((left.ns % 1000000000) / 1000)};
            if (tv.tv_sec == 0 && tv.tv_usec == 0) tv.tv_usec = 1;
            api_.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            sockaddr_in from{};
            socklen_t fl = sizeof from;
            long n = api_.recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
            if (n < 0) {
                if (api_.error() == EAGAIN) break;  // this attempt timed out
                r.error = ResolveError::Network;
                r.detail = std::string("recvfrom: ") + std::strerror(api_.error());
                break;
            }
            if (from_sockaddr(from) != cfg_.server) {
                ++stats_.reply_wrong_source;
                continue;
            }
            ResolveResult got;
            if (accept_reply(ConstBytes(buf.data(), size_t(n)), ids, name, got, malformed)) {
                r = got;
                done = true;
            } else if (malformed) {
                r.detail = got.detail;
            }
        }
        if (!done) ++stats_.timeouts;
    }
    api_.close(fd);
    if (!done && r.error != ResolveError::Network) {
        if (malformed) {
            r.error = ResolveError::Malformed;
            if (r.detail.empty()) r.detail = "malformed reply";
        } else {
            r.error = ResolveError::Timeout;
            r.detail = "no reply from " + cfg_.server.str() + " after " + std::to_string(cfg_.attempts) + " attempts";
        }
    }
    return r;
}

int Resolver::getaddrinfo(const std::string& node, uint16_t port, std::vector<Endpoint>& out, std::string* why) {
    out.clear();
    ResolveResult r = resolve(node);
    if (why) *why = r.detail.empty() ? to_string(r.error) : r.detail;
    switch (r.error) {
        case ResolveError::None:
            for (auto a : r.addrs) out.push_back(Endpoint{a, port});
            return 0;
        case ResolveError::NoName:
        case ResolveError::NoData:
        case ResolveError::BadName: return EAI_NONAME;
        case ResolveError::Timeout: return EAI_AGAIN;
        case ResolveError::Network: return EAI_SYSTEM;
        default: return EAI_FAIL;
    }
}

const char* Resolver::gai_strerror(int code) {
    switch (code) {
        case 0: return "Success";
        case EAI_NONAME: return "Name or service not known";
        case EAI_AGAIN: return "Temporary failure in name resolution (timeout)";
        case EAI_FAIL: return "Non-recoverable failure in name resolution (bad reply)";
        case EAI_SYSTEM: return "System error";
        default: return "Unknown error";
    }
}

// ------------------------------------------------------------------ responder

DnsResponder::DnsResponder(SocketApi& api, uint16_t port, uint32_t ttl) : api_(api), ttl_(ttl) {
    fd_ = api_.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
        err_ = api_.error();
        return;
    }
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), port});
    if (api_.bind(fd_, reinterpret_cast<sockaddr*>(&any), sizeof any) < 0) {
        err_ = api_.error();
        api_.close(fd_);
        fd_ = -1;
    }
}

DnsResponder::~DnsResponder() {
    if (fd_ >= 0) api_.close(fd_);
}

std::string DnsResponder::lower(std::string s) { return lowercase(std::move(s)); }

bool DnsResponder::serve() {
    if (fd_ < 0) return false;
    bool did = false;
    uint8_t buf[kDnsMaxUdp * 2];
    for (;;) {
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        long n = api_.recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n < 0) break;
        did = true;
        ++stats_.queries;
        ConstBytes m(buf, size_t(n));
        auto h = parse_dns_header(m);
        if (!h || h->qr) {  // not even a header, or a response: never answer (no reflection loops)
            ++stats_.dropped;
            continue;
        }
        auto msg = parse_dns(m);
        std::vector<uint8_t> reply;
        if (!msg || msg->questions.size() != 1) {
            ++stats_.formerr;
            reply = build_dns_response(*h, DnsQuestion{}, kRcodeFormErr, {});
            wr16(&reply[4], 0);  // no question to repeat
            reply.resize(kDnsHeaderLen);
        } else if (h->opcode != 0) {
            ++stats_.notimp;
            reply = build_dns_response(*h, msg->questions[0], kRcodeNotImp, {});
        } else {
            const DnsQuestion& q = msg->questions[0];
            auto it = zone_.find(lower(q.name));
            if (it == zone_.end()) {
                ++stats_.nxdomain;
                reply = build_dns_response(*h, q, kRcodeNxDomain, {});
            } else if (q.qtype != kDnsA || q.qclass != kDnsIn) {
                ++stats_.nodata;  // the name exists, the type does not: NOERROR, no answers (RFC 2308 2.2)
                reply = build_dns_response(*h, q, kRcodeOk, {});
            } else {
                std::vector<DnsAnswerA> ans;
                for (auto a : it->second) ans.push_back(DnsAnswerA{a, ttl_});
                ++stats_.answered;
                reply = build_dns_response(*h, q, kRcodeOk, ans);
            }
        }
        api_.sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
    return did;
}

}  // namespace nic
