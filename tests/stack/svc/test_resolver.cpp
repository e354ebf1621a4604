// The DNS stub resolver against the tiny responder (and against hostile fakes) over two stacks on the
// virtual clock: answers, cache and TTL, NXDOMAIN, timeouts and retries, validation of ID, question
// and source, CNAME chains, replies truncated at every length and with looping pointers.
#include "harness.h"

#include "svc/dns.h"

#include <netdb.h>

using namespace nic;
using namespace nic::test;

namespace {

sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

ResolverConfig cfg_to_b() {
    ResolverConfig c;
    c.server = Endpoint{kIpB, 53};
    c.timeout = Duration::from_ms(500);
    c.attempts = 3;
    c.seed = 99;  // reproducible IDs in tests
    return c;
}

// A fake server on B: `make(query, n, client)` returns the replies to send, in order.
struct FakeServer {
    TwoHosts& h;
    int fd;
    int queries = 0;
    std::function<std::vector<std::vector<uint8_t>>(const DnsMessage& q, int n, Endpoint from)> make;
    FakeServer(TwoHosts& hosts, uint16_t port = 53) : h(hosts) {
        fd = h.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), port});
        EXPECT_EQ(h.api_b.bind(fd, sa(any), sizeof any), 0);
        h.runner.add_task([this] { return serve(); });
    }
    bool serve() {
        uint8_t buf[1024];
        bool did = false;
        for (;;) {
            sockaddr_in from{};
            socklen_t fl = sizeof from;
            long n = h.api_b.recvfrom(fd, buf, sizeof buf, 0, sa(from), &fl);
            if (n < 0) break;
            did = true;
            auto q = parse_dns(ConstBytes(buf, size_t(n)));
            if (!q) continue;
            for (auto& r : make(*q, queries++, from_sockaddr(from))) h.api_b.sendto(fd, r.data(), r.size(), 0, sa(from), fl);
        }
        return did;
    }
};

std::vector<uint8_t> answer(const DnsMessage& q, std::vector<DnsAnswerA> a, uint8_t rcode = kRcodeOk) {
    return build_dns_response(q.header, q.questions.at(0), rcode, a);
}

}  // namespace

TEST(Resolver, AnswersCacheHonoursTtlAndGetaddrinfo) {
    TwoHosts h;
    DnsResponder resp(h.api_b, 53, /*ttl=*/60);
    ASSERT_TRUE(resp.ok());
    resp.add("www.nic.test", Ipv4Addr(192, 0, 2, 10));
    resp.add("www.nic.test", Ipv4Addr(192, 0, 2, 11));
    h.runner.add_task([&] { return resp.serve(); });
    Resolver res(h.api_a, cfg_to_b());
    auto r = res.resolve("WWW.Nic.Test");
    ASSERT_EQ(r.error, ResolveError::None) << r.detail;
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 10), Ipv4Addr(192, 0, 2, 11)}));
    EXPECT_EQ(r.ttl, 60u);
    EXPECT_FALSE(r.from_cache);
    EXPECT_EQ(res.stats().queries, 1u);
    // From the cache for the next 60 s, with the TTL counting down.
    h.runner.run_for(Duration::from_s(20));
    r = res.resolve("www.nic.test");
    EXPECT_TRUE(r.from_cache);
    EXPECT_EQ(r.ttl, 40u);
    EXPECT_EQ(res.stats().queries, 1u);
    h.runner.run_for(Duration::from_s(41));
    r = res.resolve("www.nic.test");
    EXPECT_FALSE(r.from_cache);
    EXPECT_EQ(res.stats().queries, 2u);
    std::vector<Endpoint> eps;
    ASSERT_EQ(res.getaddrinfo("www.nic.test", 80, eps), 0);
    ASSERT_EQ(eps.size(), 2u);
    EXPECT_EQ(eps[0], (Endpoint{Ipv4Addr(192, 0, 2, 10), 80}));
    ASSERT_EQ(res.getaddrinfo("192.0.2.77", 7, eps), 0);
    EXPECT_EQ(eps[0], (Endpoint{Ipv4Addr(192, 0, 2, 77), 7}));
    std::string why;
    EXPECT_EQ(res.getaddrinfo("nope.nic.test", 80, eps, &why), EAI_NONAME);
    EXPECT_NE(why.find("no such name"), std::string::npos) << why;
    EXPECT_EQ(res.getaddrinfo("bad..name", 80, eps, &why), EAI_NONAME);
    EXPECT_EQ(resp.stats().nxdomain, 1u);
}

TEST(Resolver, TimeoutRetriesThenEaiAgain) {
    TwoHosts h;  // nothing listens on B:53 (B answers port unreachable; the resolver keeps waiting)
    Resolver res(h.api_a, cfg_to_b());
    Instant t0 = h.clock.now();
    std::vector<Endpoint> eps;
    std::string why;
    EXPECT_EQ(res.getaddrinfo("www.nic.test", 80, eps, &why), EAI_AGAIN);
    EXPECT_NE(why.find("after 3 attempts"), std::string::npos) << why;
    EXPECT_EQ(res.stats().queries, 3u);
    EXPECT_EQ(res.stats().retries, 2u);
    EXPECT_EQ(res.stats().timeouts, 3u);
    EXPECT_EQ((h.clock.now() - t0).ns, Duration::from_ms(1500).ns) << "3 attempts x 500 ms of virtual time";
    EXPECT_STREQ(Resolver::gai_strerror(EAI_AGAIN), "Temporary failure in name resolution (timeout)");
}

TEST(Resolver, IgnoresRepliesWithWrongIdQuestionOrSource) {
    TwoHosts h;
    FakeServer fake(h);
    int spoof = h.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);  // another port of B
    fake.make = [&](const DnsMessage& q, int, Endpoint from) {
        // First a perfect answer from the wrong source port (an off-path spoofer that guessed ID
        // and port), then three bad ones from the right source, then the real answer.
        auto spoofed = answer(q, {{Ipv4Addr(6, 6, 6, 5), 60}});
        sockaddr_in to = make_sockaddr(from);
        h.api_b.sendto(spoof, spoofed.data(), spoofed.size(), 0, sa(to), sizeof to);
        std::vector<std::vector<uint8_t>> out;
        DnsMessage wrong_id = q;
        wrong_id.header.id ^= 1;
        out.push_back(answer(wrong_id, {{Ipv4Addr(6, 6, 6, 6), 60}}));
        DnsMessage wrong_q = q;
        wrong_q.questions[0].name = "evil.test";
        out.push_back(answer(wrong_q, {{Ipv4Addr(6, 6, 6, 7), 60}}));
        out.push_back(build_dns_query(q.header.id, q.questions[0].name));  // QR clear: not a response
        out.push_back(answer(q, {{Ipv4Addr(192, 0, 2, 10), 60}}));
        return out;
    };
    Resolver res(h.api_a, cfg_to_b());
    auto r = res.resolve("www.nic.test");
    ASSERT_EQ(r.error, ResolveError::None) << r.detail;
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 10)}));
    EXPECT_EQ(res.stats().reply_wrong_source, 1u);
    EXPECT_EQ(res.stats().reply_wrong_id, 1u);
    EXPECT_EQ(res.stats().reply_wrong_question, 2u);
    EXPECT_EQ(res.stats().queries, 1u);
}

TEST(Resolver, LateAnswerToAnEarlierAttemptIsAccepted) {
    // The server answers only after the second query arrives, and answers the first one (its reply
    // was slow): the resolver takes it instead of waiting out attempt 2 and failing.
    TwoHosts h;
    FakeServer fake(h);
    DnsMessage first;
    fake.make = [&](const DnsMessage& q, int n, Endpoint) -> std::vector<std::vector<uint8_t>> {
        if (n == 0) {
            first = q;
            return {};
        }
        return {answer(first, {{Ipv4Addr(192, 0, 2, 10), 60}})};
    };
    Resolver res(h.api_a, cfg_to_b());
    auto r = res.resolve("www.nic.test");
    ASSERT_EQ(r.error, ResolveError::None) << r.detail;
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 10)}));
    EXPECT_EQ(res.stats().queries, 2u);
    EXPECT_EQ(res.stats().reply_wrong_id, 0u);
    EXPECT_EQ(fake.queries, 2);
}

TEST(Resolver, FollowsCnameChainsAndReportsNoDataAndServerFailure) {
    TwoHosts h;
    FakeServer fake(h);
    fake.make = [&](const DnsMessage& q, int, Endpoint) -> std::vector<std::vector<uint8_t>> {
        const std::string& n = q.questions[0].name;
        auto m = answer(q, {}, n == "fail.test" ? kRcodeServFail : kRcodeOk);
        if (n == "alias.test") {
            // alias.test CNAME real.test (TTL 20), real.test A 192.0.2.44 (TTL 90)
            wr16(&m[6], 2);
            std::vector<uint8_t> rr = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 20, 0, 7, 4, 'r', 'e', 'a', 'l', 0xc0, 18};
            m.insert(m.end(), rr.begin(), rr.end());
            size_t real = m.size() - 7;  // offset of "real" label
            std::vector<uint8_t> a = {uint8_t(0xc0 | (real >> 8)), uint8_t(real), 0, 1, 0, 1, 0, 0, 0, 90, 0, 4, 192, 0, 2, 44};
            m.insert(m.end(), a.begin(), a.end());
        }
        if (n == "big.test") m[2] |= 0x02;  // TC
        return {m};
    };
    Resolver res(h.api_a, cfg_to_b());
    auto r = res.resolve("alias.test");
    ASSERT_EQ(r.error, ResolveError::None) << r.detail;
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 44)}));
    EXPECT_EQ(r.ttl, 20u) << "the smallest TTL along the chain";
    EXPECT_EQ(res.resolve("empty.test").error, ResolveError::NoData);
    std::vector<Endpoint> eps;
    EXPECT_EQ(res.getaddrinfo("fail.test", 1, eps), EAI_FAIL);
    EXPECT_EQ(res.resolve("big.test").error, ResolveError::Truncated);
}

TEST(Resolver, RepliesTruncatedAtEveryLengthAreRejectedCleanly) {
    TwoHosts h;
    FakeServer fake(h);
    size_t cut = 0;
    size_t full_len = 0;
    fake.make = [&](const DnsMessage& q, int, Endpoint) -> std::vector<std::vector<uint8_t>> {
        auto m = answer(q, {{Ipv4Addr(192, 0, 2, 10), 60}, {Ipv4Addr(192, 0, 2, 11), 60}});
        full_len = m.size();
        m.resize(std::min(cut, m.size()));
        return {m};
    };
    ResolverConfig c = cfg_to_b();
    c.attempts = 1;
    c.timeout = Duration::from_ms(50);
    Resolver res(h.api_a, c);
    ASSERT_EQ(res.resolve("www.nic.test").error, ResolveError::Malformed);  // cut = 0: empty datagram
    ASSERT_GT(full_len, 0u);
    for (cut = 1; cut < full_len; ++cut) {
        res.flush_cache();
        std::vector<Endpoint> eps;
        std::string why;
        int rc = res.getaddrinfo("www.nic.test", 80, eps, &why);
        ASSERT_EQ(rc, EAI_FAIL) << "cut at " << cut << ": " << why;
        EXPECT_TRUE(eps.empty());
    }
    EXPECT_EQ(res.stats().reply_malformed, full_len);
    cut = full_len;
    res.flush_cache();
    EXPECT_EQ(res.resolve("www.nic.test").error, ResolveError::None);
}

TEST(Resolver, LoopingCompressionPointerReplyIsRejected) {
    TwoHosts h;
    FakeServer fake(h);
    fake.make = [&](const DnsMessage& q, int, Endpoint) -> std::vector<std::vector<uint8_t>> {
        auto m = answer(q, {{Ipv4Addr(192, 0, 2, 10), 60}});
        size_t first_answer = m.size() - 16;
        wr16(&m[first_answer], uint16_t(0xc000 | first_answer));  // the answer's name points at itself
        return {m};
    };
    ResolverConfig c = cfg_to_b();
    c.attempts = 2;
    Resolver res(h.api_a, c);
    auto r = res.resolve("www.nic.test");
    EXPECT_EQ(r.error, ResolveError::Malformed);
    EXPECT_NE(r.detail.find("bad compression pointer"), std::string::npos) << r.detail;
    EXPECT_EQ(res.stats().reply_malformed, 2u);
}

TEST(Responder, FormErrNotImpAndNoReflection) {
    TwoHosts h;
    DnsResponder resp(h.api_b, 53);
    resp.add("a.test", Ipv4Addr(192, 0, 2, 1));
    h.runner.add_task([&] { return resp.serve(); });
    int fd = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{0, 100000};
    h.api_a.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in to = make_sockaddr(Endpoint{kIpB, 53});
    uint8_t buf[600];
    // Garbage after a valid header: FORMERR.
    std::vector<uint8_t> bad = {0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0};
    h.api_a.sendto(fd, bad.data(), bad.size(), 0, sa(to), sizeof to);
    long n = h.api_a.recv(fd, buf, sizeof buf, 0);
    ASSERT_EQ(n, 12);
    EXPECT_EQ(buf[3] & 0xf, kRcodeFormErr);
    // Opcode 2 (status): NOTIMP.
    auto q = build_dns_query(8, "a.test");
    q[2] |= 0x10;
    h.api_a.sendto(fd, q.data(), q.size(), 0, sa(to), sizeof to);
    n = h.api_a.recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 12);
    EXPECT_EQ(buf[3] & 0xf, kRcodeNotImp);
    // A response sent to the server: never answered. AAAA for an existing name: NODATA.
    q = build_dns_query(9, "a.test");
    q[2] |= 0x80;
    h.api_a.sendto(fd, q.data(), q.size(), 0, sa(to), sizeof to);
    EXPECT_EQ(h.api_a.recv(fd, buf, sizeof buf, 0), -1);
    q = build_dns_query(10, "A.TEST", kDnsAaaa);
    h.api_a.sendto(fd, q.data(), q.size(), 0, sa(to), sizeof to);
    n = h.api_a.recv(fd, buf, sizeof buf, 0);
    auto m = parse_dns(ConstBytes(buf, size_t(n)));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->header.rcode, kRcodeOk);
    EXPECT_TRUE(m->answers.empty());
    EXPECT_EQ(resp.stats().formerr, 1u);
    EXPECT_EQ(resp.stats().notimp, 1u);
    EXPECT_EQ(resp.stats().dropped, 1u);
    EXPECT_EQ(resp.stats().nodata, 1u);
}

TEST(Resolver, NegativeAnswersAreCachedForTheSoaMinimum) {
    TwoHosts h;
    FakeServer fake(h);
    fake.make = [&](const DnsMessage& q, int, Endpoint) -> std::vector<std::vector<uint8_t>> {
        auto m = answer(q, {}, kRcodeNxDomain);
        // Authority: "test" SOA (TTL 600) ns.test. host.test. serial refresh retry expire minimum=30
        wr16(&m[8], 1);
        std::vector<uint8_t> soa = {4, 't', 'e', 's', 't', 0, 0, 6, 0, 1, 0, 0, 2, 88, 0, 0};
        std::vector<uint8_t> rdata = {2, 'n', 's', 0, 4, 'h', 'o', 's', 't', 0};
        for (uint32_t v : {1u, 3600u, 600u, 86400u, 30u}) {
            rdata.push_back(uint8_t(v >> 24));
            rdata.push_back(uint8_t(v >> 16));
            rdata.push_back(uint8_t(v >> 8));
            rdata.push_back(uint8_t(v));
        }
        soa[14] = uint8_t(rdata.size() >> 8);
        soa[15] = uint8_t(rdata.size());
        m.insert(m.end(), soa.begin(), soa.end());
        m.insert(m.end(), rdata.begin(), rdata.end());
        return {m};
    };
    Resolver res(h.api_a, cfg_to_b());
    auto r = res.resolve("gone.test");
    EXPECT_EQ(r.error, ResolveError::NoName) << r.detail;
    EXPECT_EQ(r.ttl, 30u) << "min(SOA TTL 600, MINIMUM 30)";
    h.runner.run_for(Duration::from_s(20));
    r = res.resolve("gone.test");
    EXPECT_EQ(r.error, ResolveError::NoName);
    EXPECT_TRUE(r.from_cache);
    EXPECT_EQ(res.stats().queries, 1u);
    h.runner.run_for(Duration::from_s(11));
    r = res.resolve("gone.test");
    EXPECT_FALSE(r.from_cache);
    EXPECT_EQ(res.stats().queries, 2u);
}
