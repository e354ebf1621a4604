// Wire parsers: every header truncated at every length, bad checksums, bad lengths, bad IHL, options;
// each is rejected with the right error (which ip_input etc. turn into counters) and nothing crashes.
// Buffers are copied into exact-size heap vectors so AddressSanitizer/valgrind would see an overread.
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#include <gtest/gtest.h>

#include <random>

using namespace nic;

namespace {

const Ipv4Addr kA(192, 0, 2, 1), kB(192, 0, 2, 2);

std::vector<uint8_t> make_udp_ip(size_t payload_len, ConstBytes options = {}) {
    std::vector<uint8_t> pl(payload_len);
    for (size_t i = 0; i < pl.size(); ++i) pl[i] = uint8_t(i * 7);
    std::vector<uint8_t> udp(kUdpHeaderLen + payload_len);
    UdpRepr u;
    u.src_port = 1234;
    u.dst_port = 53;
    u.payload = pl;
    EXPECT_EQ(emit_udp(u, kA, kB, udp), udp.size());
    Ipv4Repr ip;
    ip.src = kA;
    ip.dst = kB;
    ip.proto = kProtoUdp;
    ip.ident = 77;
    ip.options = options;
    std::vector<uint8_t> pkt(kIpv4MaxHeader + udp.size());
    size_t hl = emit_ipv4(ip, udp.size(), pkt);
    EXPECT_GT(hl, 0u);
    std::copy(udp.begin(), udp.end(), pkt.begin() + long(hl));
    pkt.resize(hl + udp.size());
    return pkt;
}

}  // namespace

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (before complement).
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(checksum_finish(checksum_add(ConstBytes(b, 8))), uint16_t(~0xddf2));
    const uint8_t odd[] = {0xab};
    EXPECT_EQ(internet_checksum(ConstBytes(odd, 1)), uint16_t(~0xab00));
}

TEST(Checksum, IncrementalMatchesFullRecompute) {
    const uint32_t seed = 20261126;
    std::mt19937 rng(seed);
    for (int iter = 0; iter < 2000; ++iter) {
        std::vector<uint8_t> b(2 + 2 * (rng() % 40));
        for (auto& x : b) x = uint8_t(rng());
        size_t w = 2 * (rng() % (b.size() / 2));
        uint16_t before = internet_checksum(b);
        uint16_t oldw = rd16(&b[w]), neww = uint16_t(rng());
        wr16(&b[w], neww);
        uint16_t full = internet_checksum(b);
        uint16_t inc = checksum_update16(before, oldw, neww);
        // RFC 1624 section 3: both forms of zero are equivalent in one's complement arithmetic.
        bool same = inc == full || (uint16_t(~inc) == 0 && uint16_t(~full) == 0) ||
                    (inc == 0xffff && full == 0) || (inc == 0 && full == 0xffff);
        ASSERT_TRUE(same) << "seed " << seed << " iter " << iter << " inc " << inc << " full " << full;
    }
}

TEST(Ethernet, RoundTripAndTruncation) {
    std::vector<uint8_t> f(60, 0xee);
    EthRepr e;
    e.dst = MacAddr::broadcast();
    e.src = MacAddr{{2, 0, 0, 0, 0, 1}};
    e.ethertype = kEtherArp;
    ASSERT_EQ(emit_ethernet(e, f), kEthHeaderLen);
    auto r = parse_ethernet(f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->src, e.src);
    EXPECT_EQ(r->ethertype, kEtherArp);
    EXPECT_EQ(r->payload.size, 46u);
    for (size_t n = 0; n < kEthHeaderLen; ++n) {
        std::vector<uint8_t> t(f.begin(), f.begin() + long(n));
        EXPECT_EQ(parse_ethernet(t).error(), WireError::Truncated) << "len " << n;
    }
    wr16(&f[12], 0x05dc);  // 802.3 length field
    EXPECT_EQ(parse_ethernet(f).error(), WireError::Unsupported);
}

TEST(Arp, RoundTripTruncationUnsupported) {
    ArpRepr a;
    a.op = ArpOp::Reply;
    a.sha = MacAddr{{2, 0, 0, 0, 0, 9}};
    a.spa = kA;
    a.tha = MacAddr{{2, 0, 0, 0, 0, 8}};
    a.tpa = kB;
    std::vector<uint8_t> b(kArpLen);
    ASSERT_EQ(emit_arp(a, b), kArpLen);
    auto r = parse_arp(b);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->op, ArpOp::Reply);
    EXPECT_EQ(r->spa, kA);
    EXPECT_EQ(r->tha, a.tha);
    for (size_t n = 0; n < kArpLen; ++n) {
        std::vector<uint8_t> t(b.begin(), b.begin() + long(n));
        EXPECT_EQ(parse_arp(t).error(), WireError::Truncated) << "len " << n;
    }
    auto bad = b;
    bad[1] = 6;  // IEEE 802 hardware type
    EXPECT_EQ(parse_arp(bad).error(), WireError::Unsupported);
    bad = b;
    bad[7] = 3;  // RARP request
    EXPECT_EQ(parse_arp(bad).error(), WireError::Unsupported);
    bad = b;
    bad[4] = 8;  // hln
    EXPECT_EQ(parse_arp(bad).error(), WireError::Unsupported);
}

TEST(Ipv4, RoundTrip) {
    auto pkt = make_udp_ip(10);
    auto r = parse_ipv4(pkt);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->src, kA);
    EXPECT_EQ(r->dst, kB);
    EXPECT_EQ(r->proto, kProtoUdp);
    EXPECT_EQ(r->ident, 77);
    EXPECT_EQ(r->payload.size, 18u);
    EXPECT_FALSE(r->is_fragment());
}

TEST(Ipv4, EveryTruncationRejected) {
    auto pkt = make_udp_ip(10);
    for (size_t n = 0; n < pkt.size(); ++n) {
        std::vector<uint8_t> t(pkt.begin(), pkt.begin() + long(n));
        auto r = parse_ipv4(t);
        ASSERT_FALSE(r.ok()) << "len " << n;
        WireError want = n < kIpv4MinHeader ? WireError::Truncated : WireError::BadTotalLen;
        EXPECT_EQ(r.error(), want) << "len " << n;
    }
}

TEST(Ipv4, LinkPaddingTrimmed) {
    auto pkt = make_udp_ip(2);
    pkt.resize(46, 0);  // Ethernet minimum payload
    auto r = parse_ipv4(pkt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->payload.size, 10u);
}

TEST(Ipv4, BadVersionIhlTotalChecksum) {
    auto pkt = make_udp_ip(10);
    auto fix = [](std::vector<uint8_t>& p) {
        size_t hl = size_t(p[0] & 15) * 4;
        wr16(&p[10], 0);
        if (hl >= 20 && hl <= p.size()) wr16(&p[10], internet_checksum(ConstBytes(p.data(), hl)));
    };
    auto p = pkt;
    p[0] = 0x65;
    fix(p);
    EXPECT_EQ(parse_ipv4(p).error(), WireError::BadVersion);
    for (uint8_t ihl = 0; ihl < 5; ++ihl) {
        p = pkt;
        p[0] = uint8_t(0x40 | ihl);
        EXPECT_EQ(parse_ipv4(p).error(), WireError::BadHeaderLen) << "ihl " << int(ihl);
    }
    p = pkt;
    p.resize(24);
    p[0] = 0x47;  // 28-byte header in a 24-byte packet
    EXPECT_EQ(parse_ipv4(p).error(), WireError::BadHeaderLen);
    p = pkt;
    wr16(&p[2], 19);
    fix(p);
    EXPECT_EQ(parse_ipv4(p).error(), WireError::BadTotalLen);
    p = pkt;
    wr16(&p[2], uint16_t(pkt.size() + 1));
    fix(p);
    EXPECT_EQ(parse_ipv4(p).error(), WireError::BadTotalLen);
    p = pkt;
    p[8] ^= 1;  // TTL changed, checksum not
    EXPECT_EQ(parse_ipv4(p).error(), WireError::BadChecksum);
    EXPECT_TRUE(parse_ipv4(p, /*verify_checksum=*/false).ok());  // device verified it (offload)
}

TEST(Ipv4, OptionsParsedAndValidated) {
    // NOP, router alert (RFC 2113), record route with room for 2 addresses, EOL.
    const uint8_t opts[] = {1, 148, 4, 0, 0, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    auto pkt = make_udp_ip(4, ConstBytes(opts, sizeof opts));
    auto r = parse_ipv4(pkt);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->header_len(), 40u);
    auto info = parse_ipv4_options(r->options);
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->router_alert);
    EXPECT_TRUE(info->record_route);
    EXPECT_EQ(info->count, 2);
    // Truncated at every length is still rejected (BadTotalLen since the header is shorter).
    for (size_t n = 20; n < pkt.size(); ++n) {
        std::vector<uint8_t> t(pkt.begin(), pkt.begin() + long(n));
        EXPECT_FALSE(parse_ipv4(t).ok()) << "len " << n;
    }
    // Option lengths that run past the header, are < 2, or bad pointers: BadOptions.
    const std::vector<std::vector<uint8_t>> bad = {
        {7, 40, 4, 0}, {7, 1, 0, 0}, {7, 0, 0, 0}, {148, 3, 0, 0}, {68, 4, 4, 0}, {7, 3, 3, 0}, {1, 1, 1, 131},
    };
    for (const auto& o : bad) {
        auto p = make_udp_ip(4, o);
        EXPECT_EQ(parse_ipv4(p).error(), WireError::BadOptions) << "option " << int(o[0]) << "," << int(o[1]);
    }
    // Copied options for fragments: router alert has the copy bit, record route does not.
    uint8_t out[kIpv4MaxOptions];
    size_t n = ipv4_options_for_fragments(r->options, out);
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(out[0], 148);
}

TEST(Udp, RoundTripChecksumZeroAndTruncation) {
    auto pkt = make_udp_ip(13);
    auto ip = parse_ipv4(pkt);
    ASSERT_TRUE(ip.ok());
    auto u = parse_udp(ip->payload, kA, kB);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->src_port, 1234);
    EXPECT_EQ(u->payload.size, 13u);
    EXPECT_TRUE(u->had_checksum);
    std::vector<uint8_t> d = ip->payload.to_vector();
    for (size_t n = 0; n < d.size(); ++n) {
        std::vector<uint8_t> t(d.begin(), d.begin() + long(n));
        WireError want = n < kUdpHeaderLen ? WireError::Truncated : WireError::BadLength;
        EXPECT_EQ(parse_udp(t, kA, kB).error(), want) << "len " << n;
    }
    auto bad = d;
    bad.back() ^= 0x40;
    EXPECT_EQ(parse_udp(bad, kA, kB).error(), WireError::BadChecksum);
    EXPECT_EQ(parse_udp(d, kA, Ipv4Addr(192, 0, 2, 3)).error(), WireError::BadChecksum);  // pseudo-header
    bad = d;
    wr16(&bad[6], 0);  // RFC 768: no checksum
    auto z = parse_udp(bad, kA, kB);
    ASSERT_TRUE(z.ok());
    EXPECT_FALSE(z->had_checksum);
    bad = d;
    wr16(&bad[4], 7);
    EXPECT_EQ(parse_udp(bad, kA, kB).error(), WireError::BadLength);
    // Length shorter than the buffer: payload trimmed to it (checksum over the shorter datagram).
    std::vector<uint8_t> pl = {1, 2, 3};
    UdpRepr r;
    r.src_port = 1;
    r.dst_port = 2;
    r.payload = pl;
    std::vector<uint8_t> b(20, 0xaa);
    ASSERT_EQ(emit_udp(r, kA, kB, b), 11u);
    auto t = parse_udp(b, kA, kB);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->payload.size, 3u);
}

TEST(Udp, ComputedZeroChecksumSentAsFfff) {
    // Search payloads with a fixed seed until the sum is 0: the field must then be 0xffff (RFC 768).
    const uint32_t seed = 7;
    std::mt19937 rng(seed);
    bool found = false;
    for (int i = 0; i < 200000 && !found; ++i) {
        std::vector<uint8_t> pl(2);
        pl[0] = uint8_t(rng());
        pl[1] = uint8_t(rng());
        UdpRepr r;
        r.src_port = 1;
        r.dst_port = 2;
        r.payload = pl;
        std::vector<uint8_t> b(10);
        emit_udp(r, kA, kB, b);
        if (rd16(&b[6]) == 0xffff) {
            found = true;
            EXPECT_TRUE(parse_udp(b, kA, kB).ok());
        }
        ASSERT_NE(rd16(&b[6]), 0) << "seed " << seed;
    }
    EXPECT_TRUE(found) << "seed " << seed;
}

TEST(Icmp, EchoRoundTripTruncationChecksum) {
    std::vector<uint8_t> data = {'p', 'i', 'n', 'g', '!'};
    IcmpRepr e;
    e.type = kIcmpEchoRequest;
    e.ident = 0x1234;
    e.seq = 9;
    e.data = data;
    std::vector<uint8_t> b(icmp_len(e));
    ASSERT_EQ(emit_icmp(e, b), b.size());
    auto r = parse_icmp(b);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ident, 0x1234);
    EXPECT_EQ(r->seq, 9);
    EXPECT_EQ(r->data.size, 5u);
    for (size_t n = 0; n < kIcmpHeaderLen; ++n) {
        std::vector<uint8_t> t(b.begin(), b.begin() + long(n));
        EXPECT_EQ(parse_icmp(t).error(), WireError::Truncated) << "len " << n;
    }
    for (size_t n = kIcmpHeaderLen; n < b.size(); ++n) {  // shorter data: checksum no longer verifies
        std::vector<uint8_t> t(b.begin(), b.begin() + long(n));
        EXPECT_EQ(parse_icmp(t).error(), WireError::BadChecksum) << "len " << n;
    }
    // Echo reply by incremental update of the type word (RFC 1624), as icmp_input does.
    auto reply = b;
    uint16_t oldw = rd16(&reply[0]);
    reply[0] = kIcmpEchoReply;
    wr16(&reply[2], checksum_update16(rd16(&reply[2]), oldw, rd16(&reply[0])));
    EXPECT_TRUE(parse_icmp(reply).ok());
}

TEST(Addr, ParseAndFormat) {
    EXPECT_EQ(Ipv4Addr::parse("192.0.2.1")->str(), "192.0.2.1");
    EXPECT_FALSE(Ipv4Addr::parse("192.0.2"));
    EXPECT_FALSE(Ipv4Addr::parse("192.0.2.256"));
    EXPECT_FALSE(Ipv4Addr::parse("192.0.2.1x"));
    EXPECT_FALSE(Ipv4Addr::parse("1.2.3.4444"));
    auto c = Ipv4Cidr::parse("192.0.2.7/24");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->network().str(), "192.0.2.0");
    EXPECT_EQ(c->subnet_broadcast().str(), "192.0.2.255");
    EXPECT_FALSE(Ipv4Cidr::parse("192.0.2.7/33"));
    EXPECT_EQ(MacAddr::parse("02:00:00:aa:bb:cc")->str(), "02:00:00:aa:bb:cc");
    EXPECT_FALSE(MacAddr::parse("02:00:00:aa:bb"));
}
