// IPv4, ICMP and UDP input through a whole Stack: each malformed packet is dropped with its own
// counter; echo replies; port unreachable with the quoted header; fragmentation on send; checksum
// offload; routing with several interfaces.
#include "harness.h"

#include "iface/reassembly.h"

#include <algorithm>
#include <deque>

#include <random>

using namespace nic;
using namespace nic::test;

namespace {

Frame to_a(ConstBytes ip) { return eth_frame(kMacA, kMacC, kEtherIpv4, ip); }

std::vector<Ipv4Repr> ip_frames(const std::vector<Frame>& frames, std::vector<std::vector<uint8_t>>* keep) {
    std::vector<Ipv4Repr> out;
    for (const auto& f : frames) {
        auto e = parse_ethernet(f);
        if (!e || e->ethertype != kEtherIpv4) continue;
        keep->push_back(e->payload.to_vector());
        // Header checksum not checked here: with offload the device would fill it (tests check it apart).
        auto ip = parse_ipv4(keep->back(), false);
        if (ip) out.push_back(*ip);
    }
    return out;
}

// Teaches the probe's stack C's MAC so replies go straight out.
void learn_c(Probe& p) {
    ArpRepr a{ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA};
    std::vector<uint8_t> b(kArpLen);
    emit_arp(a, b);
    p.inject(eth_frame(MacAddr::broadcast(), kMacC, kEtherArp, b));
    p.drain();
}

}  // namespace

TEST(Ipv4Input, EachMalformedPacketHasItsCounter) {
    Probe p;
    auto good = ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hi")));
    auto fix = [](std::vector<uint8_t> v) {
        wr16(&v[10], 0);
        size_t hl = size_t(v[0] & 15) * 4;
        if (hl >= 20 && hl <= v.size()) wr16(&v[10], internet_checksum(ConstBytes(v.data(), hl)));
        return v;
    };
    struct Case {
        const char* counter;
        std::vector<uint8_t> pkt;
    };
    std::vector<Case> cases;
    cases.push_back({"rx_ip_truncated", std::vector<uint8_t>(good.begin(), good.begin() + 19)});
    auto v = good;
    v[0] = 0x55;
    cases.push_back({"rx_ip_bad_version", fix(v)});
    v = good;
    v[0] = 0x44;
    cases.push_back({"rx_ip_bad_ihl", fix(v)});
    v = good;
    wr16(&v[2], uint16_t(good.size() + 4));
    cases.push_back({"rx_ip_bad_total_len", fix(v)});
    v = good;
    v[12] ^= 0x10;  // source changed, checksum not
    cases.push_back({"rx_ip_bad_checksum", v});
    {
        const uint8_t bad_opt[] = {7, 9, 4, 0};  // record route running past the header
        Ipv4Repr r = ip_hdr(kIpC, kIpA, kProtoUdp);
        r.options = ConstBytes(bad_opt, 4);
        cases.push_back({"rx_ip_bad_options", ip_packet(r, udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hi")))});
    }
    {
        Ipv4Repr r = ip_hdr(kIpC, kIpA, kProtoUdp);
        r.ttl = 0;
        cases.push_back({"rx_ip_ttl_zero", ip_packet(r, udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hi")))});
        r = ip_hdr(Ipv4Addr::broadcast(), kIpA, kProtoUdp);
        cases.push_back({"rx_ip_bad_src", ip_packet(r, udp_datagram(r.src, kIpA, 1, 9, bytes_of("hi")))});
        r = ip_hdr(kIpC, kIpB, kProtoUdp);
        cases.push_back({"rx_ip_not_for_us", ip_packet(r, udp_datagram(kIpC, kIpB, 1, 9, bytes_of("hi")))});
        r = ip_hdr(kIpC, kIpA, 99);
        cases.push_back({"rx_ip_unknown_proto", ip_packet(r, bytes_of("payload!"))});
        r = ip_hdr(kIpC, kIpA, kProtoUdp);
        auto u = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hi"));
        u[9] ^= 1;
        cases.push_back({"rx_udp_bad_checksum", ip_packet(r, u)});
        u = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hi"));
        wr16(&u[4], 30);
        cases.push_back({"rx_udp_bad_length", ip_packet(r, u)});
        cases.push_back({"rx_udp_truncated", ip_packet(r, ConstBytes(u.data(), 5))});
        r = ip_hdr(kIpC, kIpA, kProtoIcmp);
        cases.push_back({"rx_icmp_truncated", ip_packet(r, ConstBytes(u.data(), 6))});
        std::vector<uint8_t> icmp = {8, 0, 0, 0, 0, 1, 0, 1, 'x'};
        cases.push_back({"rx_icmp_bad_checksum", ip_packet(r, icmp)});
    }
    for (const auto& c : cases) {
        uint64_t before = counter(p.s, c.counter);
        p.inject(to_a(c.pkt));
        EXPECT_EQ(counter(p.s, c.counter), before + 1) << c.counter;
    }
    EXPECT_EQ(counter(p.s, "rx_ip_delivered"), 5u);  // unknown proto + 3 UDP + 2 ICMP reached their layer
    // Ethernet-level drops.
    p.inject(Frame(10, 0));
    EXPECT_EQ(counter(p.s, "rx_eth_truncated"), 1u);
    p.inject(eth_frame(kMacB, kMacC, kEtherIpv4, good));
    EXPECT_EQ(counter(p.s, "rx_eth_not_for_us"), 1u);
    p.inject(eth_frame(kMacA, kMacC, kEtherIpv6, good));
    EXPECT_EQ(counter(p.s, "rx_eth_unknown_type"), 1u);
    // The dump names every counter.
    std::string dump = p.s.stats().dump();
    EXPECT_NE(dump.find("rx_ip_bad_ihl"), std::string::npos);
    EXPECT_NE(dump.find("rx_frag_overlap"), std::string::npos);
}

TEST(Ipv4Input, EveryTruncationOfEveryProtocolIsSurvived) {
    Probe p;
    learn_c(p);
    std::vector<std::vector<uint8_t>> pkts;
    pkts.push_back(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), udp_datagram(kIpC, kIpA, 1, 9, bytes_of("hello"))));
    std::vector<uint8_t> echo(16);
    IcmpRepr e;
    e.type = kIcmpEchoRequest;
    e.ident = 1;
    e.seq = 2;
    std::vector<uint8_t> d = bytes_of("12345678");
    e.data = d;
    emit_icmp(e, echo, true);
    pkts.push_back(ip_packet(ip_hdr(kIpC, kIpA, kProtoIcmp), echo));
    const uint8_t opts[] = {148, 4, 0, 0};
    Ipv4Repr r = ip_hdr(kIpC, kIpA, kProtoUdp);
    r.options = ConstBytes(opts, 4);
    pkts.push_back(ip_packet(r, udp_datagram(kIpC, kIpA, 1, 9, bytes_of("opt"))));
    for (const auto& pk : pkts) {
        for (size_t n = 0; n < pk.size(); ++n) {
            uint64_t dropped_before = counter(p.s, "rx_ip_truncated") + counter(p.s, "rx_ip_bad_total_len") +
                                      counter(p.s, "rx_ip_bad_ihl");
            p.inject(to_a(ConstBytes(pk.data(), n)));
            uint64_t dropped_after = counter(p.s, "rx_ip_truncated") + counter(p.s, "rx_ip_bad_total_len") +
                                     counter(p.s, "rx_ip_bad_ihl");
            EXPECT_EQ(dropped_after, dropped_before + 1) << "len " << n;
        }
    }
    EXPECT_EQ(counter(p.s, "rx_ip_delivered"), 0u);
    p.drain();
}

// Each header truncated at every length inside an otherwise valid frame (the lower layers' lengths
// fixed up to match), so the cut lands in exactly that header: Ethernet, ARP, UDP and ICMP each drop
// it with their own counter, and nothing is delivered or answered.
TEST(StackInput, EachHeaderTruncatedAtEveryLengthHitsItsOwnCounter) {
    Probe p;
    learn_c(p);
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    const uint64_t arp_replies = counter(p.s, "tx_arp_reply");  // learn_c's request was answered
    auto expect_one = [&](const Frame& f, const char* name, size_t n) {
        uint64_t before = counter(p.s, name);
        p.inject(f);
        EXPECT_EQ(counter(p.s, name), before + 1) << name << " at length " << n;
    };
    Frame eth = eth_frame(kMacA, kMacC, kEtherIpv4, ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), udp_datagram(kIpC, kIpA, 1, 9, bytes_of("x"))));
    for (size_t n = 0; n < kEthHeaderLen; ++n) expect_one(Frame(eth.begin(), eth.begin() + long(n)), "rx_eth_truncated", n);
    std::vector<uint8_t> arp(kArpLen);
    emit_arp(ArpRepr{ArpOp::Request, kMacC, kIpC, MacAddr{}, kIpA}, arp);
    for (size_t n = 0; n < kArpLen; ++n)
        expect_one(eth_frame(kMacA, kMacC, kEtherArp, ConstBytes(arp.data(), n)), "rx_arp_truncated", n);
    auto udp = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("payload"));
    for (size_t n = 0; n < udp.size(); ++n)
        expect_one(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp, uint16_t(n)), ConstBytes(udp.data(), n))),
                   n < kUdpHeaderLen ? "rx_udp_truncated" : "rx_udp_bad_length", n);
    std::vector<uint8_t> echo(kIcmpHeaderLen + 8);
    std::vector<uint8_t> data = bytes_of("12345678");
    IcmpRepr e;
    e.type = kIcmpEchoRequest;
    e.data = data;
    emit_icmp(e, echo, true);
    for (size_t n = 0; n < echo.size(); ++n)
        expect_one(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoIcmp, uint16_t(n)), ConstBytes(echo.data(), n))),
                   n < kIcmpHeaderLen ? "rx_icmp_truncated" : "rx_icmp_bad_checksum", n);
    EXPECT_EQ(counter(p.s, "rx_udp_delivered"), 0u);
    EXPECT_EQ(counter(p.s, "tx_icmp_echo_reply"), 0u);
    EXPECT_EQ(counter(p.s, "tx_arp_reply"), arp_replies);
    EXPECT_TRUE(p.drain().empty()) << "a truncated packet is never answered";
}

// The statistics dump (netstat -s style) lists every counter the stack has, zeros included, each
// with its description, grouped by layer: a reader sees every drop reason, not only those that hit.
TEST(Stats, DumpListsEveryDropReasonByGroup) {
    StackStats st;
    st.rx_frag_overlap = 3;
    std::string dump = st.dump();
    int n = 0;
#define NIC_X(group, name, desc)                                                                   \
    ++n;                                                                                          \
    EXPECT_NE(dump.find(std::string(desc) + " [" #name "]"), std::string::npos) << #name;      \
    EXPECT_NE(dump.find(#group ":\n"), std::string::npos) << #group;                             \
    {                                                                                             \
        uint64_t v = 1;                                                                           \
        EXPECT_TRUE(st.get(#name, v)) << #name;                                                   \
    }
    NIC_STACK_COUNTERS(NIC_X)
#undef NIC_X
    EXPECT_GT(n, 80) << "counters in the table";
    EXPECT_NE(dump.find("    3 datagrams dropped whole for overlapping fragments (RFC 5722) [rx_frag_overlap]"),
              std::string::npos)
        << dump;
    EXPECT_NE(dump.find("    0 IPv4 packets with a bad header length (dropped) [rx_ip_bad_ihl]"), std::string::npos)
        << dump;
    uint64_t v = 7;
    EXPECT_FALSE(st.get("no_such_counter", v));
    // One line per counter plus one heading per group (link arp ip frag icmp udp tcp sock), each group
    // once: a counter added out of its group's place would repeat a heading.
    size_t lines = size_t(std::count(dump.begin(), dump.end(), '\n'));
    EXPECT_EQ(lines, size_t(n) + 8u) << dump;
}

TEST(Icmp, EchoRequestGetsReplyWithSameIdSeqData) {
    Probe p;
    learn_c(p);
    std::vector<uint8_t> data = bytes_of("abcdefghijklmnopqrstuvwxyz");
    IcmpRepr e;
    e.type = kIcmpEchoRequest;
    e.ident = 0xbeef;
    e.seq = 7;
    e.data = data;
    std::vector<uint8_t> m(icmp_len(e));
    emit_icmp(e, m, true);
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoIcmp), m)));
    std::vector<std::vector<uint8_t>> keep;
    auto ips = ip_frames(p.drain(), &keep);
    ASSERT_EQ(ips.size(), 1u);
    EXPECT_EQ(internet_checksum(ConstBytes(keep[0]).sub(0, 20)), 0) << "IPv4 header checksum";
    EXPECT_EQ(ips[0].src, kIpA);
    EXPECT_EQ(ips[0].dst, kIpC);
    auto r = parse_icmp(ips[0].payload);
    ASSERT_TRUE(r.ok()) << "reply checksum (incremental update) verifies";
    EXPECT_EQ(r->type, kIcmpEchoReply);
    EXPECT_EQ(r->ident, 0xbeef);
    EXPECT_EQ(r->seq, 7);
    EXPECT_EQ(r->data.to_vector(), data);
    EXPECT_EQ(counter(p.s, "tx_icmp_echo_reply"), 1u);
    // To the subnet broadcast: ignored (RFC 1122 3.2.2.6).
    p.inject(eth_frame(MacAddr::broadcast(), kMacC, kEtherIpv4, ip_packet(ip_hdr(kIpC, Ipv4Addr(192, 0, 2, 255), kProtoIcmp), m)));
    EXPECT_TRUE(p.drain().empty());
    EXPECT_EQ(counter(p.s, "rx_icmp_echo_broadcast"), 1u);
}

TEST(Icmp, PortUnreachableQuotesTheOffendingHeader) {
    Probe p;
    learn_c(p);
    auto pkt = ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp, 4242), udp_datagram(kIpC, kIpA, 5555, 9999, bytes_of("nobody home")));
    p.inject(to_a(pkt));
    std::vector<std::vector<uint8_t>> keep;
    auto ips = ip_frames(p.drain(), &keep);
    ASSERT_EQ(ips.size(), 1u);
    auto r = parse_icmp(ips[0].payload);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->type, kIcmpDestUnreach);
    EXPECT_EQ(r->code, kUnreachPort);
    // RFC 792: the internet header plus the first 64 bits of the datagram's data.
    ASSERT_EQ(r->data.size, 28u);
    EXPECT_EQ(std::vector<uint8_t>(r->data.begin(), r->data.end()), std::vector<uint8_t>(pkt.begin(), pkt.begin() + 28));
    EXPECT_EQ(counter(p.s, "rx_udp_no_port"), 1u);
    EXPECT_EQ(counter(p.s, "tx_icmp_dest_unreach"), 1u);
    // Not for broadcasts (RFC 1122 3.2.2).
    auto bc = ip_packet(ip_hdr(kIpC, Ipv4Addr::broadcast(), kProtoUdp), udp_datagram(kIpC, Ipv4Addr::broadcast(), 1, 9999, bytes_of("x")));
    p.inject(eth_frame(MacAddr::broadcast(), kMacC, kEtherIpv4, bc));
    EXPECT_TRUE(p.drain().empty());
    EXPECT_EQ(counter(p.s, "rx_udp_no_port"), 2u);
}

TEST(Icmp, ErrorsAreRateLimited) {
    StackConfig sc;
    sc.icmp_error_burst = 5;
    sc.icmp_error_rate = 10;
    Probe p(sc);
    learn_c(p);
    for (int i = 0; i < 20; ++i)
        p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp, uint16_t(i)), udp_datagram(kIpC, kIpA, 1, 9999, bytes_of("x")))));
    EXPECT_EQ(counter(p.s, "tx_icmp_dest_unreach"), 5u);
    EXPECT_EQ(counter(p.s, "tx_icmp_rate_limited"), 15u);
}

TEST(Udp, ZeroChecksumAcceptedAndDelivered) {
    Probe p;
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    auto u = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("nocsum"));
    wr16(&u[6], 0);
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), u)));
    char buf[16];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ASSERT_EQ(p.api.recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl), 6);
    EXPECT_EQ(std::string(buf, 6), "nocsum");
    EXPECT_EQ(from_sockaddr(from), (Endpoint{kIpC, 1}));
    EXPECT_EQ(counter(p.s, "rx_udp_no_checksum"), 1u);
}

TEST(Udp, ReceiveQueueIsBoundedWithDropCounter) {
    Probe p;
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int small = 1000;
    ASSERT_EQ(p.api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    sockaddr_in sa = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    std::vector<uint8_t> data(300, 'q');
    for (int i = 0; i < 5; ++i) p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp, uint16_t(i)), udp_datagram(kIpC, kIpA, 1, 9, data))));
    EXPECT_EQ(counter(p.s, "rx_udp_delivered"), 3u);
    EXPECT_EQ(counter(p.s, "rx_udp_queue_full"), 2u);
    auto rows = p.api.netstat();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].recv_q, 900u);
    EXPECT_EQ(rows[0].drops, 2u);
}

TEST(Ipv4Output, FragmentsLargeDatagramsAndHonoursDf) {
    Probe p;
    learn_c(p);
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    std::vector<uint8_t> data(4000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 13);
    sockaddr_in to = make_sockaddr(Endpoint{kIpC, 9});
    ASSERT_EQ(p.api.sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 4000);
    auto frames = p.drain();
    ASSERT_EQ(frames.size(), 3u);
    std::vector<std::vector<uint8_t>> keep;
    auto ips = ip_frames(frames, &keep);
    Reassembler ra;
    StackStats st;
    std::optional<Reassembled> whole;
    for (size_t i = 0; i < ips.size(); ++i) {
        EXPECT_LE(frames[i].size(), 1514u);
        EXPECT_EQ(ips[i].frag_offset % 8, 0);
        EXPECT_EQ(ips[i].more_frags, i + 1 < ips.size());
        auto w = ra.add(p.clock.now(), ips[i], ConstBytes(keep[i]).sub(0, 20), st);
        if (w) whole = w;
    }
    ASSERT_TRUE(whole);
    auto u = parse_udp(whole->payload, kIpA, kIpC);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->payload.to_vector(), data);
    EXPECT_EQ(counter(p.s, "tx_ip_fragmented"), 1u);
    EXPECT_EQ(counter(p.s, "tx_ip_fragments"), 3u);
    int df = IP_PMTUDISC_DO;
    ASSERT_EQ(p.api.setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof df), 0);
    EXPECT_EQ(p.api.sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
    EXPECT_EQ(p.api.error(), EMSGSIZE);
    std::vector<uint8_t> huge(65508);
    EXPECT_EQ(p.api.sendto(fd, huge.data(), huge.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
    EXPECT_EQ(p.api.error(), EMSGSIZE);
}

TEST(ChecksumOffload, DeviceThatComputesChecksumsGetsThemLeftEmpty) {
    MemLinkConfig lc;
    lc.checksum = ChecksumCaps::all();
    Probe p(StackConfig{}, lc);
    learn_c(p);
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpC, 9});
    ASSERT_EQ(p.api.sendto(fd, "hw", 2, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 2);
    auto frames = p.drain();
    ASSERT_EQ(frames.size(), 1u);
    auto e = parse_ethernet(frames[0]);
    const uint8_t* ip = e->payload.data;
    EXPECT_EQ(rd16(ip + 10), 0) << "IPv4 header checksum left to the device";
    EXPECT_EQ(rd16(ip + 20 + 6), 0) << "UDP checksum left to the device";
    // Receive: the model NIC checks and reports; a bad UDP checksum is dropped on its verdict.
    int rx = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(rx, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    auto u = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("x"));
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), u)));
    u[6] ^= 0x55;
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), u)));
    EXPECT_EQ(counter(p.s, "rx_udp_delivered"), 1u);
    EXPECT_EQ(counter(p.s, "rx_udp_bad_checksum"), 1u);
    auto bad_ip = ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), udp_datagram(kIpC, kIpA, 1, 9, bytes_of("y")));
    bad_ip[8] ^= 1;
    p.inject(to_a(bad_ip));
    EXPECT_EQ(counter(p.s, "rx_ip_bad_checksum"), 1u);
}

namespace {
// A NIC whose receive descriptors carry whatever verdicts the test says, to show that the stack
// trusts Good, drops Bad and checks Unknown itself.
struct FakeNic : Device {
    std::deque<std::pair<Frame, RxInfo>> q;
    DeviceCaps caps() const override { return DeviceCaps{}; }
    bool transmit(Instant, ConstBytes) override { return true; }
    using Device::receive;
    bool receive(Instant, Frame& out, RxInfo& info) override {
        if (q.empty()) return false;
        out = q.front().first;
        info = q.front().second;
        q.pop_front();
        return true;
    }
};
}  // namespace

TEST(ChecksumOffload, PerFrameVerdictsFromTheDescriptor) {
    FakeNic nic;
    Stack s;
    s.add_interface(InterfaceConfig{"eth0", &nic, kMacA, Ipv4Cidr{kIpA, 24}, std::nullopt});
    s.set_up(Instant{0}, 0, true);
    auto sock = std::make_unique<DatagramSocket>(SockKind::Udp);
    sock->local = Endpoint{Ipv4Addr::any(), 9};
    sock->bound = true;
    auto* ds = sock.get();
    s.add_socket(std::move(sock));
    auto good = udp_datagram(kIpC, kIpA, 1, 9, bytes_of("ok"));
    auto wrong = good;
    wrong[6] ^= 0x11;
    auto frame = [&](const std::vector<uint8_t>& u) { return to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), u)); };
    nic.q.push_back({frame(wrong), RxInfo{RxCsum::Good, RxCsum::Good}});        // trusted: delivered
    nic.q.push_back({frame(good), RxInfo{RxCsum::Good, RxCsum::Bad}});          // hardware says bad: dropped
    nic.q.push_back({frame(wrong), RxInfo{RxCsum::Unknown, RxCsum::Unknown}});  // software finds it bad
    nic.q.push_back({frame(good), RxInfo{RxCsum::Unknown, RxCsum::Unknown}});   // software finds it good
    s.poll(Instant{0});
    EXPECT_EQ(ds->rxq.size(), 2u);
    EXPECT_EQ(counter(s, "rx_udp_bad_checksum"), 2u);
}

TEST(Routing, LongestPrefixAndSeveralInterfaces) {
    RouteTable t;
    t.add(Route{Ipv4Cidr{Ipv4Addr(0, 0, 0, 0), 0}, Ipv4Addr(192, 0, 2, 254), 0, 0});
    t.add(Route{Ipv4Cidr{Ipv4Addr(198, 51, 100, 0), 24}, Ipv4Addr::any(), 1, 0});
    t.add(Route{Ipv4Cidr{Ipv4Addr(198, 51, 100, 128), 25}, Ipv4Addr(198, 51, 100, 1), 1, 0});
    auto m = t.lookup(Ipv4Addr(198, 51, 100, 7));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->ifindex, 1);
    EXPECT_EQ(m->next_hop, Ipv4Addr(198, 51, 100, 7));
    m = t.lookup(Ipv4Addr(198, 51, 100, 200));
    EXPECT_EQ(m->next_hop, Ipv4Addr(198, 51, 100, 1));
    m = t.lookup(Ipv4Addr(8, 8, 8, 8));
    EXPECT_EQ(m->ifindex, 0);
    EXPECT_EQ(m->next_hop, Ipv4Addr(192, 0, 2, 254));
    RouteTable empty;
    EXPECT_FALSE(empty.lookup(Ipv4Addr(8, 8, 8, 8)));

    // A host with two LAN adapters: each socket's local address is that of the adapter it uses.
    VirtualClock clock;
    MemLink l0, l1;
    Stack s;
    s.add_interface(InterfaceConfig{"eth0", &l0.port(0), kMacA, Ipv4Cidr{kIpA, 24}, std::nullopt});
    s.add_interface(InterfaceConfig{"eth1", &l1.port(0), kMacB, Ipv4Cidr{Ipv4Addr(198, 51, 100, 1), 24}, std::nullopt});
    s.set_up(clock.now(), 0, true);
    s.set_up(clock.now(), 1, true);
    VirtualRunner runner(clock);
    runner.add_stack(s);
    SocketApi api(s, runner);
    int f0 = api.socket(AF_INET, SOCK_DGRAM, 0), f1 = api.socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in d0 = make_sockaddr(Endpoint{kIpC, 9}), d1 = make_sockaddr(Endpoint{Ipv4Addr(198, 51, 100, 9), 9});
    ASSERT_EQ(api.connect(f0, reinterpret_cast<sockaddr*>(&d0), sizeof d0), 0);
    ASSERT_EQ(api.connect(f1, reinterpret_cast<sockaddr*>(&d1), sizeof d1), 0);
    auto rows = api.netstat();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].local.addr, kIpA);
    EXPECT_EQ(rows[1].local.addr, Ipv4Addr(198, 51, 100, 1));
    int f2 = api.socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in far = make_sockaddr(Endpoint{Ipv4Addr(8, 8, 8, 8), 53});
    EXPECT_EQ(api.connect(f2, reinterpret_cast<sockaddr*>(&far), sizeof far), -1);
    EXPECT_EQ(api.error(), ENETUNREACH);
    EXPECT_EQ(api.sendto(f2, "x", 1, 0, reinterpret_cast<sockaddr*>(&far), sizeof far), -1);
    EXPECT_EQ(api.error(), ENETUNREACH);
    EXPECT_EQ(counter(s, "tx_ip_no_route"), 1u);
    // Per-adapter counters: each sent its gratuitous ARP; eth1 also its ARP request for 198.51.100.9.
    ASSERT_EQ(api.send(f1, "z", 1, 0), 1);
    EXPECT_EQ(s.interfaces()[0].stats.tx_frames, 1u);
    EXPECT_EQ(s.interfaces()[1].stats.tx_frames, 2u);
    std::string table = s.interfaces_table();
    EXPECT_NE(table.find("eth1"), std::string::npos) << table;
    EXPECT_NE(table.find("198.51.100.1/24"), std::string::npos) << table;
}

TEST(Interfaces, DownInterfaceNeitherSendsNorReceives) {
    Probe p;
    learn_c(p);
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(Endpoint{kIpC, 9});
    p.s.set_up(p.clock.now(), 0, false);
    EXPECT_EQ(p.api.sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
    EXPECT_EQ(p.api.error(), ENETDOWN);
    EXPECT_EQ(counter(p.s, "tx_iface_down"), 1u);
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoUdp), udp_datagram(kIpC, kIpA, 1, 9, bytes_of("x")))));
    EXPECT_EQ(counter(p.s, "rx_iface_down"), 1u);
    EXPECT_EQ(counter(p.s, "rx_ip_packets"), 0u);
    EXPECT_FALSE(p.s.arp_cache().lookup(0, kIpC, p.clock.now())) << "going down flushes the ARP cache";
    p.s.set_up(p.clock.now(), 0, true);
    auto frames = p.drain();
    ASSERT_EQ(frames.size(), 1u) << "gratuitous ARP on the way up";
    EXPECT_EQ(p.api.sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1);
}

TEST(ProtocolHook, TcpHandlerGetsDatagramsAndIcmpErrorsElseProtocolUnreachable) {
    for (bool offload : {false, true}) {
        MemLinkConfig lc;
        if (offload) lc.checksum = ChecksumCaps::all();
        Probe p(StackConfig{}, lc);
        learn_c(p);
        // 24 bytes with a valid TCP checksum (offset 16), so the model NIC's verdict is Good.
        std::vector<uint8_t> seg = bytes_of("not really a TCP segment");
        wr16(&seg[16], 0);
        wr16(&seg[16], checksum_finish(checksum_add(seg, pseudo_header_sum(kIpC, kIpA, kProtoTcp, uint16_t(seg.size())))));
        // No TCP attached: counted and answered with protocol unreachable (RFC 1122 3.2.2.1).
        p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoTcp), seg)));
        EXPECT_EQ(counter(p.s, "rx_tcp_no_handler"), 1u);
        std::vector<std::vector<uint8_t>> keep;
        auto ips = ip_frames(p.drain(), &keep);
        ASSERT_EQ(ips.size(), 1u);
        auto icmp = parse_icmp(ips[0].payload);
        ASSERT_TRUE(icmp.ok());
        EXPECT_EQ(icmp->code, kUnreachProtocol);
        // Attached: the handler sees the validated datagram and whether the NIC checked the checksum.
        int calls = 0, errors = 0;
        bool verified = !offload;
        p.s.set_protocol_handler(
            kProtoTcp,
            [&](Instant, const Ipv4Repr& ip, bool v) {
                ++calls;
                verified = v;
                EXPECT_EQ(ip.payload.to_vector(), seg);
            },
            [&](Instant, const IcmpRepr& m, const IcmpQuote& q) {
                ++errors;
                EXPECT_EQ(m.code, kUnreachPort);
                EXPECT_EQ(q.proto, kProtoTcp);
                EXPECT_EQ(q.dst, kIpC);
            });
        p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoTcp), seg)));
        EXPECT_EQ(calls, 1);
        EXPECT_EQ(verified, offload);
        EXPECT_TRUE(p.drain().empty());
        // An ICMP error quoting a TCP segment we sent goes to the error handler.
        auto sent = ip_packet(ip_hdr(kIpA, kIpC, kProtoTcp), seg);
        IcmpRepr e;
        e.type = kIcmpDestUnreach;
        e.code = kUnreachPort;
        e.data = ConstBytes(sent.data(), 28);
        std::vector<uint8_t> m(icmp_len(e));
        emit_icmp(e, m, true);
        p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoIcmp), m)));
        EXPECT_EQ(errors, 1);
        EXPECT_EQ(p.s.tx_checksum_offloaded(kIpC, kProtoTcp, 100), offload);
        EXPECT_FALSE(p.s.tx_checksum_offloaded(kIpC, kProtoTcp, 3000)) << "fragments: software";
        EXPECT_FALSE(p.s.tx_checksum_offloaded(kIpA, kProtoTcp, 100)) << "loopback: software";
    }
}

// RFC 1122 3.2.1.3: 127/8 and 0/8 never appear on a wire. Echo requests and UDP to a bound port
// with such an address as source or destination get no answer (no reply, no port unreachable)
// and are counted; the same request from a normal address right after is answered.
TEST(Ipv4Input, MartianAddressesFromTheWireAreDiscardedAndCounted) {
    Probe p;
    learn_c(p);
    int fd = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    ASSERT_EQ(p.api.bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    IcmpRepr e;
    e.type = kIcmpEchoRequest;
    e.ident = 1;
    e.seq = 1;
    std::vector<uint8_t> echo(icmp_len(e));
    emit_icmp(e, echo, true);
    const std::pair<Ipv4Addr, Ipv4Addr> martians[] = {
        {kIpC, Ipv4Addr(127, 0, 0, 1)}, {Ipv4Addr(127, 0, 0, 1), kIpA}, {Ipv4Addr(127, 9, 9, 9), kIpA},
        {Ipv4Addr(0, 0, 0, 0), kIpA},   {Ipv4Addr(0, 1, 2, 3), kIpA},   {kIpC, Ipv4Addr(0, 0, 0, 0)},
    };
    uint64_t n = 0;
    for (auto [src, dst] : martians) {
        p.inject(to_a(ip_packet(ip_hdr(src, dst, kProtoIcmp), echo)));
        p.inject(to_a(ip_packet(ip_hdr(src, dst, kProtoUdp), udp_datagram(src, dst, 1, 9, bytes_of("x")))));
        p.inject(to_a(ip_packet(ip_hdr(src, dst, kProtoUdp), udp_datagram(src, dst, 1, 7777, bytes_of("x")))));
        n += 3;
        EXPECT_TRUE(p.drain().empty()) << src.str() << " -> " << dst.str();
        EXPECT_EQ(counter(p.s, "rx_ip_martian"), n) << src.str() << " -> " << dst.str();
    }
    char buf[8];
    EXPECT_EQ(p.api.recv(fd, buf, sizeof buf, 0), -1) << "nothing reached the bound socket";
    EXPECT_EQ(counter(p.s, "rx_ip_delivered"), 0u);
    p.inject(to_a(ip_packet(ip_hdr(kIpC, kIpA, kProtoIcmp), echo)));
    EXPECT_EQ(p.drain().size(), 1u) << "the next good request is answered";
    // Loopback traffic of the host itself is unaffected.
    int lo = p.api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(Endpoint{Ipv4Addr(127, 0, 0, 1), 9});
    ASSERT_EQ(p.api.sendto(lo, "lo", 2, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 2);
    p.settle();
    EXPECT_EQ(p.api.recv(fd, buf, sizeof buf, 0), 2);
}
