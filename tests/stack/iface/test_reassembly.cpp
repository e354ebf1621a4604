// IPv4 reassembly: random order, duplicates, overlaps (dropped whole, RFC 5722 style), missing pieces,
// the 30 s timeout (buffer freed, counter, ICMP time exceeded), and the datagram/byte limits.
#include "harness.h"

#include "iface/reassembly.h"

#include <algorithm>
#include <random>

using namespace nic;
using namespace nic::test;

namespace {

struct Frag {
    std::vector<uint8_t> pkt;  // whole IPv4 packet
};

// Splits `data` into fragments at 8-byte boundaries with random sizes.
std::vector<Frag> fragment(const std::vector<uint8_t>& data, uint16_t ident, std::mt19937& rng, uint8_t proto = 99) {
    std::vector<Frag> out;
    size_t off = 0;
    while (off < data.size()) {
        size_t len = 8 * (1 + rng() % 40);
        if (off + len >= data.size()) len = data.size() - off;
        Ipv4Repr r = ip_hdr(kIpC, kIpA, proto, ident);
        r.frag_offset = uint16_t(off);
        r.more_frags = off + len < data.size();
        out.push_back({ip_packet(r, ConstBytes(data.data() + off, len))});
        off += len;
    }
    return out;
}

std::optional<Reassembled> feed(Reassembler& ra, Instant now, const Frag& f, StackStats& st) {
    auto r = parse_ipv4(f.pkt);
    EXPECT_TRUE(r.ok());
    return ra.add(now, *r, ConstBytes(f.pkt).sub(0, r->header_len()), st);
}

std::vector<uint8_t> rand_bytes(size_t n, std::mt19937& rng) {
    std::vector<uint8_t> d(n);
    for (auto& b : d) b = uint8_t(rng());
    return d;
}

}  // namespace

TEST(Reassembly, RandomOrderWithDuplicatesCompletesExactlyOnce) {
    const uint32_t seed = 0x5eed0001;
    std::mt19937 rng(seed);
    for (int iter = 0; iter < 300; ++iter) {
        Reassembler ra;
        StackStats st;
        auto data = rand_bytes(400 + rng() % 6000, rng);  // >= 2 fragments (at most 320 bytes each)
        auto frags = fragment(data, uint16_t(iter), rng);
        std::vector<Frag> order = frags;
        size_t dups = rng() % 4;
        for (size_t i = 0; i < dups; ++i) order.push_back(frags[rng() % frags.size()]);
        std::shuffle(order.begin(), order.end(), rng);
        int completions = 0;
        for (const auto& f : order) {
            auto w = feed(ra, Instant{0}, f, st);
            if (w) {
                ++completions;
                ASSERT_EQ(w->payload, data) << "seed " << seed << " iter " << iter;
            }
        }
        // Duplicates that arrive after completion start a new datagram that never completes; that is
        // the timeout's job. Before completion they are ignored.
        ASSERT_EQ(completions, 1) << "seed " << seed << " iter " << iter;
        ASSERT_EQ(st.rx_frag_overlap, 0u) << "seed " << seed << " iter " << iter;
        ra.poll(Instant{0} + Duration::from_s(31), st);
        ASSERT_EQ(ra.datagrams(), 0u);
        ASSERT_EQ(ra.bytes(), 0u);
    }
}

TEST(Reassembly, OverlapDropsTheWholeDatagram) {
    Reassembler ra;
    StackStats st;
    std::vector<uint8_t> d(32, 7);
    auto mk = [&](size_t off, size_t len, bool mf) {
        Ipv4Repr r = ip_hdr(kIpC, kIpA, 99, 5);
        r.frag_offset = uint16_t(off);
        r.more_frags = mf;
        return Frag{ip_packet(r, ConstBytes(d.data(), len))};
    };
    EXPECT_FALSE(feed(ra, Instant{0}, mk(0, 16, true), st));
    EXPECT_FALSE(feed(ra, Instant{0}, mk(8, 16, true), st));  // overlaps [8,16)
    EXPECT_EQ(st.rx_frag_overlap, 1u);
    EXPECT_EQ(ra.datagrams(), 0u);
    EXPECT_EQ(ra.bytes(), 0u);
    // Same offset, same length but different bytes: not a duplicate, an overlap.
    EXPECT_FALSE(feed(ra, Instant{0}, mk(0, 16, true), st));
    d[0] = 9;
    EXPECT_FALSE(feed(ra, Instant{0}, mk(0, 16, true), st));
    EXPECT_EQ(st.rx_frag_overlap, 2u);
    // Exact duplicate: ignored, datagram survives and completes.
    d[0] = 7;
    EXPECT_FALSE(feed(ra, Instant{0}, mk(0, 16, true), st));
    EXPECT_FALSE(feed(ra, Instant{0}, mk(0, 16, true), st));
    EXPECT_EQ(st.rx_frag_duplicate, 1u);
    auto w = feed(ra, Instant{0}, mk(16, 16, false), st);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->payload.size(), 32u);
}

TEST(Reassembly, BadLengthsAndConflictingEnds) {
    Reassembler ra;
    StackStats st;
    std::vector<uint8_t> d(64, 1);
    auto mk = [&](size_t off, size_t len, bool mf, uint16_t id = 1) {
        Ipv4Repr r = ip_hdr(kIpC, kIpA, 99, id);
        r.frag_offset = uint16_t(off);
        r.more_frags = mf;
        return Frag{ip_packet(r, ConstBytes(d.data(), len))};
    };
    feed(ra, Instant{0}, mk(0, 12, true), st);  // not a multiple of 8
    feed(ra, Instant{0}, mk(8, 0, true), st);   // empty
    EXPECT_EQ(st.rx_frag_bad_length, 2u);
    feed(ra, Instant{0}, mk(65528, 16, false), st);  // would end past 65535
    EXPECT_EQ(st.rx_frag_too_big, 1u);
    feed(ra, Instant{0}, mk(0, 16, true, 2), st);
    feed(ra, Instant{0}, mk(32, 8, false, 2), st);  // ends at 40
    feed(ra, Instant{0}, mk(40, 8, true, 2), st);   // beyond the end
    EXPECT_EQ(st.rx_frag_inconsistent, 1u);
    feed(ra, Instant{0}, mk(0, 16, true, 3), st);
    feed(ra, Instant{0}, mk(32, 8, false, 3), st);
    feed(ra, Instant{0}, mk(16, 8, false, 3), st);  // a second, different end
    EXPECT_EQ(st.rx_frag_inconsistent, 2u);
    EXPECT_EQ(ra.datagrams(), 0u);
}

TEST(Reassembly, WholeDatagramMustFitWithTheFirstFragmentsHeader) {
    // The last fragment (20-byte header) ends at 65512: 20 + 65512 fits. The first fragment carries
    // 40 bytes of options, so the reassembled datagram would be 40 + 65512 > 65535: dropped whole.
    Reassembler ra;
    StackStats st;
    std::vector<uint8_t> d(65512 - 65504, 5), first(8, 5);
    const uint8_t opts[40] = {148, 4, 0, 0};  // router alert, then EOL padding
    Ipv4Repr r0 = ip_hdr(kIpC, kIpA, 99, 7);
    r0.options = ConstBytes(opts, sizeof opts);
    r0.more_frags = true;
    Frag head{ip_packet(r0, first)};
    Ipv4Repr rl = ip_hdr(kIpC, kIpA, 99, 7);
    rl.frag_offset = 65504;
    Frag tail{ip_packet(rl, d)};
    EXPECT_FALSE(feed(ra, Instant{0}, tail, st));
    EXPECT_FALSE(feed(ra, Instant{0}, head, st));
    EXPECT_EQ(ra.datagrams(), 1u) << "a hole from 8 to 65504";
    // Fill the hole in 8000-byte pieces: the last one completes the pieces, which are then too big.
    std::vector<uint8_t> mid(8000, 5);
    std::optional<Reassembled> done;
    for (size_t off = 8; off < 65504; off += mid.size()) {
        Ipv4Repr rm = ip_hdr(kIpC, kIpA, 99, 7);
        rm.frag_offset = uint16_t(off);
        rm.more_frags = true;
        size_t len = std::min(mid.size(), size_t(65504) - off);
        done = feed(ra, Instant{0}, Frag{ip_packet(rm, ConstBytes(mid.data(), len))}, st);
    }
    EXPECT_FALSE(done);
    EXPECT_EQ(st.rx_frag_too_big, 1u);
    EXPECT_EQ(ra.datagrams(), 0u);
    EXPECT_EQ(ra.bytes(), 0u);
}

TEST(Reassembly, MissingPieceTimesOutAndFreesTheBuffer) {
    const uint32_t seed = 0x5eed0002;
    std::mt19937 rng(seed);
    Reassembler ra;  // 30 s
    StackStats st;
    auto data = rand_bytes(3000, rng);
    auto frags = fragment(data, 9, rng);
    ASSERT_GT(frags.size(), 2u) << "seed " << seed;
    for (size_t i = 0; i < frags.size(); ++i)
        if (i != 1) {
            EXPECT_FALSE(feed(ra, Instant{0}, frags[i], st)) << "seed " << seed;
        }
    EXPECT_EQ(ra.datagrams(), 1u);
    EXPECT_GT(ra.bytes(), 0u);
    EXPECT_EQ(ra.next_deadline(), Instant{0} + Duration::from_s(30));
    ra.poll(Instant{0} + Duration::from_s(29), st);
    EXPECT_EQ(ra.datagrams(), 1u);
    std::vector<ReassemblyTimeout> expired;
    ra.poll(Instant{0} + Duration::from_s(30), st, &expired);
    EXPECT_EQ(ra.datagrams(), 0u);
    EXPECT_EQ(ra.bytes(), 0u);
    EXPECT_EQ(st.rx_frag_timeout, 1u);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].first_fragment.size(), 28u);  // header + 8 bytes for ICMP time exceeded
    // The missing piece arriving late starts a fresh (incomplete) datagram: no resurrection.
    EXPECT_FALSE(feed(ra, Instant{0} + Duration::from_s(31), frags[1], st));
}

// The table is bounded in datagrams and bytes; a new datagram that needs room evicts the oldest
// ones (counted), so first fragments that never complete (spoofed, or from a peer that lost the
// rest) cannot keep newer datagrams out for the 30 s timeout.
TEST(Reassembly, LimitsEvictTheOldestDatagramsFirst) {
    ReassemblyConfig cfg;
    cfg.max_datagrams = 4;
    cfg.max_bytes = 800;
    Reassembler ra(cfg);
    StackStats st;
    std::vector<uint8_t> d(200, 3);
    auto mk = [&](uint16_t id, size_t off, size_t len, bool more = true) {
        Ipv4Repr r = ip_hdr(kIpC, kIpA, 99, id);
        r.frag_offset = uint16_t(off);
        r.more_frags = more;
        return Frag{ip_packet(r, ConstBytes(d.data(), len))};
    };
    Instant t0{0};
    for (uint16_t id = 0; id < 6; ++id) feed(ra, t0 + Duration::from_ms(id), mk(id, 0, 200), st);
    EXPECT_EQ(ra.datagrams(), 4u);
    EXPECT_EQ(st.rx_frag_evicted, 2u) << "ids 0 and 1 made room";
    EXPECT_EQ(ra.bytes(), 800u);
    // id 0 was evicted: its last fragment alone starts a new datagram, evicting id 2.
    EXPECT_FALSE(feed(ra, t0 + Duration::from_ms(10), mk(0, 200, 8, false), st));
    EXPECT_EQ(st.rx_frag_evicted, 3u);
    // id 3 (608 + 200 > 800 bytes) completes after evicting the oldest other one (id 4) to fit.
    auto whole = feed(ra, t0 + Duration::from_ms(11), mk(3, 200, 200, false), st);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->payload.size(), 400u);
    EXPECT_EQ(st.rx_frag_evicted, 4u);
    EXPECT_EQ(ra.datagrams(), 2u);
    EXPECT_EQ(ra.bytes(), 208u);
    // A fragment larger than the whole budget is refused without evicting anything.
    cfg.max_bytes = 100;
    Reassembler small(cfg);
    feed(small, t0, mk(7, 0, 64), st);
    feed(small, t0, mk(8, 0, 200), st);
    EXPECT_EQ(st.rx_frag_limit_bytes, 1u);
    EXPECT_EQ(small.datagrams(), 1u);
    // Timeouts free whatever is left.
    ra.poll(t0 + Duration::from_s(30) + Duration::from_ms(20), st);
    EXPECT_EQ(st.rx_frag_timeout, 2u);
    EXPECT_EQ(ra.bytes(), 0u);
    EXPECT_EQ(ra.next_deadline(), Instant::max());
}

// The default table (64 datagrams) filled with spoofed first fragments: a real fragmented
// datagram that arrives next is still reassembled and delivered, well before the 30 s timeout.
TEST(Reassembly, SpoofedFirstFragmentsDoNotBlockRealDatagrams) {
    Reassembler ra;
    StackStats st;
    std::mt19937 rng(7);
    std::vector<uint8_t> junk(64, 0xee);
    for (uint32_t i = 0; i < 64; ++i) {
        Ipv4Repr r = ip_hdr(Ipv4Addr(198, 51, 100, uint8_t(i)), kIpA, kProtoUdp, uint16_t(i));
        r.more_frags = true;
        feed(ra, Instant{0}, Frag{ip_packet(r, junk)}, st);
    }
    EXPECT_EQ(ra.datagrams(), 64u);
    std::vector<uint8_t> data(3000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
    auto frags = fragment(data, 4242, rng);
    std::optional<Reassembled> out;
    for (const auto& f : frags) {
        auto r = feed(ra, Instant{0} + Duration::from_s(1), f, st);
        if (r) out = std::move(r);
    }
    ASSERT_TRUE(out) << "the real datagram got through";
    EXPECT_EQ(out->payload, data);
    EXPECT_EQ(st.rx_frag_evicted, 1u);
    EXPECT_EQ(st.rx_frag_reassembled, 1u);
}

// 8,190 eight-byte fragments of one 65,520-byte datagram, in random order: reassembled exactly
// (each fragment costs O(log n); the old sorted vector and completeness scan were O(n) each).
TEST(Reassembly, ManySmallFragmentsInRandomOrder) {
    ReassemblyConfig cfg;
    Reassembler ra(cfg);
    StackStats st;
    std::vector<uint8_t> data(65512);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 13 + (i >> 8));
    std::vector<Frag> frags;
    for (size_t off = 0; off < data.size(); off += 8) {
        Ipv4Repr r = ip_hdr(kIpC, kIpA, 99, 77);
        r.frag_offset = uint16_t(off);
        r.more_frags = off + 8 < data.size();
        frags.push_back({ip_packet(r, ConstBytes(data.data() + off, 8))});
    }
    std::mt19937 rng(11);
    std::shuffle(frags.begin(), frags.end(), rng);
    std::optional<Reassembled> out;
    for (size_t i = 0; i < frags.size(); ++i) {
        auto r = feed(ra, Instant{0}, frags[i], st);
        if (r) {
            EXPECT_EQ(i, frags.size() - 1) << "completed early (seed 11)";
            out = std::move(r);
        }
    }
    ASSERT_TRUE(out) << "seed 11";
    EXPECT_EQ(out->payload, data);
    EXPECT_EQ(ra.bytes(), 0u);
}

TEST(Reassembly, StackReassemblesDeliversAndReportsTimeouts) {
    Probe p;
    // Teach the stack C's MAC (the ICMP time exceeded goes to C).
    ArpRepr a{ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA};
    std::vector<uint8_t> ab(kArpLen);
    emit_arp(a, ab);
    p.inject(eth_frame(MacAddr::broadcast(), kMacC, kEtherArp, ab));
    p.drain();
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    const uint32_t seed = 0x5eed0003;
    std::mt19937 rng(seed);
    auto data = rand_bytes(5000, rng);
    auto udp = udp_datagram(kIpC, kIpA, 7, 9, data);
    auto frags = fragment(udp, 77, rng, kProtoUdp);
    std::reverse(frags.begin(), frags.end());
    for (auto& f : frags) p.inject(eth_frame(kMacA, kMacC, kEtherIpv4, f.pkt));
    std::vector<uint8_t> buf(8000);
    ASSERT_EQ(p.api.recv(fd, buf.data(), buf.size(), 0), 5000) << "seed " << seed;
    buf.resize(5000);
    EXPECT_EQ(buf, data);
    EXPECT_EQ(counter(p.s, "rx_frag_reassembled"), 1u);
    // Now leave one out: after 30 s the buffer is freed and C hears "reassembly time exceeded".
    frags = fragment(udp, 78, rng, kProtoUdp);
    for (size_t i = 0; i + 1 < frags.size(); ++i) p.inject(eth_frame(kMacA, kMacC, kEtherIpv4, frags[i].pkt));
    EXPECT_EQ(p.s.reassembler().datagrams(), 1u);
    EXPECT_TRUE(p.drain().empty());
    p.runner.run_for(Duration::from_s(31));
    EXPECT_EQ(p.s.reassembler().datagrams(), 0u);
    EXPECT_EQ(counter(p.s, "rx_frag_timeout"), 1u);
    auto out = p.drain();
    ASSERT_EQ(out.size(), 1u);
    auto ip = parse_ipv4(parse_ethernet(out[0])->payload);
    auto icmp = parse_icmp(ip->payload);
    ASSERT_TRUE(icmp.ok());
    EXPECT_EQ(icmp->type, kIcmpTimeExceeded);
    EXPECT_EQ(icmp->code, 1);
}
