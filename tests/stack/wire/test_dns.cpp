// DNS wire format: round trips, every truncation, compression pointers that loop, point forward or out
// of bounds, oversized labels and names, lying counts. Each is rejected with its error; none crashes.
#include "wire/dns.h"

#include <gtest/gtest.h>

using namespace nic;

namespace {

std::vector<uint8_t> sample_response() {
    DnsHeader q;
    q.id = 0x1234;
    q.rd = true;
    DnsQuestion qu{"www.Nic.test", kDnsA, kDnsIn};
    return build_dns_response(q, qu, kRcodeOk, {{Ipv4Addr(192, 0, 2, 10), 60}, {Ipv4Addr(192, 0, 2, 11), 30}});
}

}  // namespace

TEST(Dns, QueryRoundTrip) {
    auto q = build_dns_query(0xbeef, "www.nic.test");
    ASSERT_FALSE(q.empty());
    auto m = parse_dns(q);
    ASSERT_TRUE(m.ok()) << to_string(m.error());
    EXPECT_EQ(m->header.id, 0xbeef);
    EXPECT_TRUE(m->header.rd);
    EXPECT_FALSE(m->header.qr);
    ASSERT_EQ(m->questions.size(), 1u);
    EXPECT_EQ(m->questions[0].name, "www.nic.test");
    EXPECT_TRUE(build_dns_query(1, "a..b").empty());
    EXPECT_TRUE(build_dns_query(1, std::string(64, 'x') + ".test").empty());
    std::string long_name;
    for (int i = 0; i < 50; ++i) long_name += "abcd.";
    long_name += "test";  // 255 + bytes encoded
    EXPECT_TRUE(build_dns_query(1, long_name).empty());
}

TEST(Dns, ResponseWithCompressionParses) {
    auto r = sample_response();
    auto m = parse_dns(r);
    ASSERT_TRUE(m.ok()) << to_string(m.error());
    EXPECT_TRUE(m->header.qr);
    EXPECT_TRUE(m->header.aa);
    ASSERT_EQ(m->answers.size(), 2u);
    EXPECT_EQ(m->answers[0].name, "www.Nic.test");  // via pointer 0xc00c
    EXPECT_TRUE(dns_name_equal(m->answers[0].name, "WWW.nic.TEST."));
    EXPECT_EQ(m->answers[0].a, Ipv4Addr(192, 0, 2, 10));
    EXPECT_EQ(m->answers[1].ttl, 30u);
}

TEST(Dns, EveryTruncationIsRejected) {
    auto r = sample_response();
    for (size_t n = 0; n < r.size(); ++n) {
        std::vector<uint8_t> t(r.begin(), r.begin() + long(n));
        auto m = parse_dns(t);
        ASSERT_FALSE(m.ok()) << "len " << n;
        EXPECT_EQ(m.error(), WireError::Truncated) << "len " << n;
    }
}

TEST(Dns, LoopingAndForwardPointersAreRejected) {
    // Header + question whose name is a pointer to itself (offset 12).
    std::vector<uint8_t> self = {0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    EXPECT_EQ(parse_dns(self).error(), WireError::BadPointer);
    // Two labels pointing at each other: 12: "a" -> ptr 17 ; 17: "b" -> ptr 12.
    std::vector<uint8_t> loop = {0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 17, 0, 1, 'b', 0xc0, 12, 0, 1, 0, 1};
    EXPECT_EQ(parse_dns(loop).error(), WireError::BadPointer);
    // Forward pointer (to offset 20 in a message of 22 bytes).
    std::vector<uint8_t> fwd = {0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0};
    EXPECT_EQ(parse_dns(fwd).error(), WireError::BadPointer);
    // Pointer past the end of the message.
    std::vector<uint8_t> oob = {0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 1, 0, 1};
    EXPECT_EQ(parse_dns(oob).error(), WireError::BadPointer);
    // A chain of backward pointers is fine, and a record name pointing into a previous record too.
    auto r = sample_response();
    EXPECT_TRUE(parse_dns(r).ok());
}

TEST(Dns, MalformedLabelsNamesAndRecords) {
    std::vector<uint8_t> h = {0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    auto with_name = [&](std::vector<uint8_t> name) {
        auto m = h;
        m.insert(m.end(), name.begin(), name.end());
        m.insert(m.end(), {0, 1, 0, 1});
        return m;
    };
    std::vector<uint8_t> ext = {0x41, 'x', 0};  // 0x40 label type (RFC 6891 extended labels)
    EXPECT_EQ(parse_dns(with_name(ext)).error(), WireError::Malformed);
    std::vector<uint8_t> dot = {3, 'a', '.', 'b', 0};
    EXPECT_EQ(parse_dns(with_name(dot)).error(), WireError::Malformed);
    std::vector<uint8_t> toolong;
    for (int i = 0; i < 5; ++i) {
        toolong.push_back(63);
        toolong.insert(toolong.end(), 63, 'x');
    }
    toolong.push_back(0);
    EXPECT_EQ(parse_dns(with_name(toolong)).error(), WireError::Malformed);
    // Lying counts: 65535 answers in a 30-byte message.
    auto q = build_dns_query(7, "a.test");
    wr16(&q[6], 0xffff);
    EXPECT_EQ(parse_dns(q).error(), WireError::Truncated);
    // A record with rdlength 3.
    auto r = sample_response();
    size_t rdlen_off = r.size() - 16 - 6;  // first answer's rdlength field
    ASSERT_EQ(rd16(&r[rdlen_off]), 4);
    wr16(&r[rdlen_off], 3);
    EXPECT_FALSE(parse_dns(r).ok());
    // CNAME whose target runs past its rdata.
    std::vector<uint8_t> c = build_dns_query(9, "a.test");
    c[2] = 0x81;
    wr16(&c[6], 1);
    std::vector<uint8_t> rr = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 1, 'b', 0xc0, 12};
    c.insert(c.end(), rr.begin(), rr.end());
    EXPECT_EQ(parse_dns(c).error(), WireError::Malformed);
    wr16(&c[c.size() - 6], 4);
    auto ok = parse_dns(c);
    ASSERT_TRUE(ok.ok()) << to_string(ok.error());
    EXPECT_EQ(ok->answers[0].target, "b.a.test");
}
