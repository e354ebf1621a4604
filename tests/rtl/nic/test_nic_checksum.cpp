// Checksum offload against the software reference (RFC 1071 sums in nic_test_util.h):
//   TX: IPv4 header checksum insertion and the Linux CHECKSUM_PARTIAL L4 checksum (driver seeds
//       the pseudo-header sum) over TCP and UDP with IPv4 options, at every buffer alignment: the
//       frame on the line must be exactly what software computes.
//   RX: the completion's sum of bytes 14..end and its verdicts (IPv4 header good/bad, TCP/UDP
//       good/bad/not checked, fragment, protocol) for good and damaged packets of every kind:
//       TCP, UDP, UDP without checksum, other IP protocols, fragments, options, Ethernet padding,
//       non-IP frames.
// Random packets from fixed seeds; a failure prints the seed and the packet number.
// Directed cases (NicChecksumDirected), each at several buffer alignments where TX is involved: a
// computed L4 checksum of 0 (0xFFFF for UDP with CSUM_UDP, 0 for TCP), IHL 15, minimum-length and
// padded frames, the L4 field in the frame's last two bytes, and the UDP checksum values 0 and
// 0xFFFF on receive.
#include "nic_test_util.h"

#include <optional>
#include <string>

namespace nic::test {
namespace {

PacketSpec random_spec(std::mt19937_64& rng, size_t max_payload) {
    PacketSpec s;
    unsigned k = unsigned(rng() % 100);
    s.kind = k < 35 ? PacketSpec::Tcp : k < 65 ? PacketSpec::Udp : k < 72 ? PacketSpec::UdpNoCsum
           : k < 80 ? PacketSpec::OtherIp : k < 90 ? PacketSpec::Tcp : PacketSpec::NonIp;
    s.opt_len = (rng() % 3 == 0) ? 4 * (rng() % 11) : 0;
    s.payload = rng() % (max_payload + 1);
    s.fragment = rng() % 10 == 0;
    s.eth_pad = rng() % 8 == 0 ? rng() % 12 : 0;
    return s;
}

// What a driver hands the NIC for the correct packet `p` (Linux CHECKSUM_PARTIAL): with csum_ip
// the IPv4 checksum field holds `stale` (the device must take it as zero, RFC 791 section 3.1);
// with csum_l4 the L4 field holds the folded pseudo-header sum (RFC 9293 section 3.1, RFC 768) and
// CSUM_UDP is set for UDP. tx_reference() of it gives p.frame back.
TxPacket offload_request(const Packet& p, bool csum_ip, bool csum_l4, unsigned align,
                         uint16_t stale = 0xBEEF) {
    TxPacket t;
    t.data = p.frame;
    t.align = align;
    t.ip_hlen = uint8_t(p.ip_hlen);
    if (csum_ip) {
        t.csum_ip = true;
        t.data[24] = uint8_t(stale >> 8);
        t.data[25] = uint8_t(stale);
    }
    if (csum_l4) {
        t.csum_l4 = true;
        t.csum_start = uint16_t(p.l4_off);
        t.csum_off = uint8_t(p.l4_csum_field);
        t.csum_udp = p.frame[23] == 17;
        const uint16_t seedsum = fold(p.pseudo);
        t.data[p.l4_off + p.l4_csum_field] = uint8_t(seedsum >> 8);
        t.data[p.l4_off + p.l4_csum_field + 1] = uint8_t(seedsum);
    }
    return t;
}

// TX offload of 10,000 packets through the NIC and back over the line loopback.
TEST(NicChecksum, TxOffloadMatchesSoftwareAndRxAgrees) {
    const uint64_t seed = 20240601;
    NicConfig cfg;
    cfg.loopback = true;
    NicHarness h(cfg);
    RingDriver d(h);
    d.init(256, 256);
    d.post_rx(255);
    std::mt19937_64 rng(seed);
    const size_t n = 10000;
    std::vector<TxPacket> pk;
    std::vector<std::vector<uint8_t>> want;
    size_t ip_l4 = 0;
    for (size_t i = 0; i < n; ++i) {
        PacketSpec s = random_spec(rng, 160);
        if (s.kind == PacketSpec::UdpNoCsum || s.kind == PacketSpec::OtherIp) s.kind = PacketSpec::Udp;
        s.eth_pad = 0;                  // the partial sum runs to the end of the frame
        Packet p = make_packet(s, rng);
        const unsigned align = unsigned(rng() % 8);
        bool csum_ip = false, csum_l4 = false;
        uint16_t stale = 0;
        if (p.ip_hlen) {
            csum_ip = rng() % 4 != 0;
            if (csum_ip) {
                const uint8_t hi = uint8_t(rng()), lo = uint8_t(rng());
                stale = uint16_t(hi << 8 | lo);
            }
            csum_l4 = p.l4_csum_field && !s.fragment && rng() % 4 != 0;
            ip_l4 += csum_l4;
        }
        TxPacket t = offload_request(p, csum_ip, csum_l4, align, stale);
        want.push_back(tx_reference(t));
        // the reference must rebuild the correct packet (sanity of the test itself)
        if (t.csum_ip || t.csum_l4) {
            ASSERT_EQ(want.back(), p.frame) << "packet " << i;
        }
        pk.push_back(std::move(t));
    }
    ASSERT_GT(ip_l4, n / 2);

    size_t next = 0, got_rx = 0, got_tx = 0;
    size_t burst_seen = 0;
    bool broken = false;
    ASSERT_TRUE(h.run_until([&] {
        if (h.cycle() % 64) return false;
        for (auto& c : d.poll_tx()) {
            EXPECT_EQ(c.status, 0) << "packet " << got_tx << " seed " << seed;
            ++got_tx;
        }
        bool rung = false;
        while (next < n && d.tx_free() > 0) {
            d.post_tx(pk[next++], false);
            rung = true;
        }
        if (rung) d.tx_doorbell();
        auto& bursts = h.line_tx();
        // line_tx() is cleared below: burst_seen counts every burst since the start
        for (size_t b = 0; b < bursts.size(); ++b, ++burst_seen) {
            if (burst_seen >= n) {
                ADD_FAILURE() << "more frames on the line than posted, seed " << seed;
                broken = true;
                break;
            }
            std::vector<uint8_t> f;
            if (!decode_burst(bursts[b].symbols, f)) {
                ADD_FAILURE() << "bad burst, packet " << burst_seen << " seed " << seed;
                broken = true;
            }
            EXPECT_EQ(f, padded(want[burst_seen])) << "packet " << burst_seen << " seed " << seed;
        }
        bursts.clear();
        for (auto& r : d.poll_rx(true)) {
            RxVerdict v = rx_reference(padded(want[got_rx]));
            EXPECT_EQ(r.data, padded(want[got_rx])) << "packet " << got_rx << " seed " << seed;
            EXPECT_EQ(r.status, v.status) << "packet " << got_rx << " seed " << seed;
            EXPECT_EQ(r.csum, v.csum) << "packet " << got_rx << " seed " << seed;
            if (v.status & R::rxc::kL4Checked) {
                EXPECT_FALSE(v.status & R::rxc::kL4Bad);
            }
            ++got_rx;
        }
        return got_rx == n || broken || ::testing::Test::HasFailure();
    }, 50'000'000));
    EXPECT_EQ(got_tx, n);
    expect_clean_bus(h);
}

// RX verdicts on 10,000 packets straight from the line, a third of them damaged.
TEST(NicChecksum, RxVerdictsMatchReference) {
    const uint64_t seed = 77031;
    NicHarness h;
    RingDriver d(h);
    d.init(512, 512);
    d.post_rx(511);
    std::mt19937_64 rng(seed);
    const size_t n = 10000;
    std::vector<std::vector<uint8_t>> sent;
    unsigned counts[8] = {};
    size_t queued = 0, got = 0;
    ASSERT_TRUE(h.run_until([&] {
        if (h.cycle() % 64) return false;
        while (queued < n && h.line_rx_pending() < 4000) {
            Packet p = make_packet(random_spec(rng, 200), rng);
            std::vector<uint8_t> f = p.frame;
            switch (rng() % 9) {
            case 0: f[14 + 4 + rng() % 8] ^= uint8_t(1 + rng() % 255); break;     // IP header
            case 1: if (f.size() > 60) f[40 + rng() % (f.size() - 40)] ^= 0x10; break;  // payload
            case 2: f[14] = uint8_t(0x40 | (rng() % 5)); break;                   // IHL < 5
            case 3: f[16] = uint8_t(0x20 + rng() % 8); break;                     // total length too big
            case 4: f[14] = uint8_t(0x60 | (f[14] & 15)); break;                  // version 6
            default: break;
            }
            sent.push_back(padded(f));
            // at least 240 byte times per frame: with 1 us memory latency the RX engine needs
            // ~1.3 us per small frame plus a descriptor fetch per two (the line-rate test
            // measures that limit on its own)
            h.send_line(f, int(std::max<size_t>(12, 240 - std::min<size_t>(240, padded(f).size() + 12))));
            ++queued;
        }
        for (auto& r : d.poll_rx(true)) {
            const auto& f = sent[got];
            RxVerdict v = rx_reference(f);
            EXPECT_EQ(r.data, f) << "packet " << got << " seed " << seed;
            EXPECT_EQ(r.csum, v.csum) << "packet " << got << " seed " << seed;
            EXPECT_EQ(r.status, v.status) << "packet " << got << " seed " << seed << " "
                                          << ref::hex(f, 40);
            for (int b = 0; b < 7; ++b) counts[b] += (v.status >> b) & 1;
            counts[7] += (v.status & R::rxc::kL4Checked) && !(v.status & R::rxc::kL4Bad);
            ++got;
        }
        return got == n || ::testing::Test::HasFailure();
    }, 80'000'000));
    // every verdict occurs often
    const char* names[] = {"ip4", "ip_bad", "l4_checked", "l4_bad", "tcp", "udp", "frag", "l4_good"};
    for (int b = 0; b < 8; ++b) EXPECT_GT(counts[b], 200u) << names[b];
    EXPECT_EQ(h.rd(R::kStatRxDropMac), 0u);
    expect_clean_bus(h);
}

// ---------------------------------------------------------------- directed cases

// The NIC with its line looped back (TX -> RX) or fed from the far end, for a handful of frames.
// Before each TX frame its whole buffer is filled with bytes 1..254: a byte summed from outside
// [addr, addr + len) then changes the sum (only a 0 byte is invisible to a ones'-complement sum
// on its own), so the checksum on the line proves the frame's bounds at every alignment.
struct Rig {
    static NicConfig config(bool loopback) {
        NicConfig c;
        c.loopback = loopback;
        c.in_phase = true;      // clock offsets are the CDC tests' business
        return c;
    }
    explicit Rig(bool loopback = true) : h(config(loopback)), d(h) {
        d.init(32, 32);
        d.post_rx(31);
    }
    struct Seen {
        std::vector<uint8_t> wire;      // frame bytes on the line (FCS checked and stripped)
        RxCompletion rx;                // the same frame received (loopback)
    };
    // Sends every frame, returns what the line carried and what came back, in order.
    std::vector<Seen> send(const std::vector<TxPacket>& v, const std::string& what) {
        std::vector<Seen> out(v.size());
        size_t next = 0, txs = 0, wires = 0, rxs = 0;
        const bool done = h.run_until([&] {
            if (h.cycle() % 32) return false;
            for (auto& c : d.poll_tx()) {
                EXPECT_EQ(c.status, 0) << what << " frame " << txs;
                ++txs;
            }
            bool rung = false;
            while (next < v.size() && d.tx_free() > 0) {
                std::vector<uint8_t> junk(RingDriver::kBufStride);
                for (size_t i = 0; i < junk.size(); ++i) junk[i] = uint8_t(1 + (i * 37 + tx_prod * 11) % 254);
                h.mem().write(d.tx_buf(tx_prod), junk.data(), junk.size());
                d.post_tx(v[next++], false);
                tx_prod = (tx_prod + 1) % d.tx_size();
                rung = true;
            }
            if (rung) d.tx_doorbell();
            for (auto& b : h.line_tx()) {
                std::vector<uint8_t> f;
                if (!decode_burst(b.symbols, f)) ADD_FAILURE() << what << " bad burst, frame " << wires;
                if (wires < out.size()) out[wires].wire = std::move(f);
                ++wires;
            }
            h.line_tx().clear();
            for (auto& r : d.poll_rx(true)) {
                if (rxs < out.size()) out[rxs].rx = std::move(r);
                ++rxs;
            }
            return txs >= v.size() && rxs >= v.size();
        }, 200000 + 20000 * v.size());
        EXPECT_TRUE(done) << what << ": " << txs << " TX completions, " << rxs << " received of " << v.size();
        EXPECT_EQ(wires, v.size()) << what;
        EXPECT_EQ(rxs, v.size()) << what;
        return out;
    }
    // Frames from the far end (not looped back): the RX completions, in order.
    std::vector<RxCompletion> receive(const std::vector<std::vector<uint8_t>>& frames, const std::string& what) {
        for (const auto& f : frames) h.send_line(f);
        std::vector<RxCompletion> out;
        const bool done = h.run_until([&] {
            if (h.cycle() % 32) return false;
            for (auto& r : d.poll_rx(true)) out.push_back(std::move(r));
            return out.size() >= frames.size();
        }, 200000 + 20000 * frames.size());
        EXPECT_TRUE(done) << what << ": " << out.size() << " received of " << frames.size();
        EXPECT_EQ(out.size(), frames.size()) << what;
        return out;
    }
    NicHarness h;
    RingDriver d;
    unsigned tx_prod = 0;
};

uint16_t be16_at(const std::vector<uint8_t>& f, size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }

// The L4 checksum field on the line and the RX completion of the looped frame: exactly what the
// software references say for it, and what the RFCs say in so many words (want_field, want_status).
void expect_tx_rx(const TxPacket& t, const Rig::Seen& s, const std::string& what,
                  std::optional<uint16_t> want_field = {}, std::optional<uint8_t> want_status = {}) {
    const std::vector<uint8_t> want = padded(tx_reference(t));
    EXPECT_EQ(s.wire, want) << what << "\n  line " << ref::hex(s.wire, 80) << "\n  want " << ref::hex(want, 80);
    if (want_field && s.wire.size() >= size_t(t.csum_start) + t.csum_off + 2u) {
        EXPECT_EQ(be16_at(want, size_t(t.csum_start) + t.csum_off), *want_field) << what << " (reference)";
        EXPECT_EQ(be16_at(s.wire, size_t(t.csum_start) + t.csum_off), *want_field) << what << " (line)";
    }
    const RxVerdict v = rx_reference(want);
    EXPECT_EQ(s.rx.data, want) << what;
    EXPECT_EQ(int(s.rx.status), int(v.status)) << what;
    EXPECT_EQ(s.rx.csum, v.csum) << what;
    if (want_status) {
        EXPECT_EQ(int(v.status), int(*want_status)) << what << " (reference)";
    }
}

void expect_rx(const std::vector<uint8_t>& f, const RxCompletion& r, uint8_t want_status,
               const std::string& what) {
    const RxVerdict v = rx_reference(f);
    EXPECT_EQ(int(v.status), int(want_status)) << what << " (reference) " << ref::hex(f, 80);
    EXPECT_EQ(int(r.status), int(want_status)) << what << " " << ref::hex(f, 80);
    EXPECT_EQ(r.csum, v.csum) << what;
    EXPECT_EQ(r.data, f) << what;
}

std::string tag(const char* what, uint64_t seed, size_t i, unsigned align) {
    return std::string(what) + " #" + std::to_string(i) + " align " + std::to_string(align) +
           " seed " + std::to_string(seed);
}

constexpr uint8_t kIp4 = R::rxc::kIp4, kIpBad = R::rxc::kIpBad, kChecked = R::rxc::kL4Checked,
                  kBad = R::rxc::kL4Bad, kTcp = R::rxc::kTcp, kUdp = R::rxc::kUdp;

// A computed checksum of 0 (segment sum 0xFFFF): UDP with CSUM_UDP sends 0xFFFF, because 0 would
// mean "no checksum" (RFC 768); TCP sends the 0 it computed (RFC 9293 section 3.1 has no such
// rule). The flag alone decides: the same UDP frame without it goes out with 0, which a receiver
// then takes as "no checksum" (RFC 768). Payloads of even and odd length (the odd byte is summed
// as a high byte padded with zero, RFC 768 / RFC 9293 section 3.1), at all eight alignments.
TEST(NicChecksumDirected, TxComputedZeroIsAllOnesForUdpAndZeroForTcp) {
    const uint64_t seed = 501;
    std::mt19937_64 rng(seed);
    struct Case { PacketSpec::Kind kind; bool flag; uint16_t field; uint8_t status; const char* what; };
    const Case cases[] = {
        {PacketSpec::Udp, true, 0xFFFF, kIp4 | kUdp | kChecked, "UDP with CSUM_UDP"},
        {PacketSpec::Tcp, false, 0x0000, kIp4 | kTcp | kChecked, "TCP"},
        {PacketSpec::Udp, false, 0x0000, kIp4 | kUdp, "UDP without CSUM_UDP"},
    };
    Rig rig;
    std::vector<TxPacket> tx;
    std::vector<std::string> what;
    std::vector<const Case*> of;
    for (const Case& c : cases) {
        for (size_t payload : {64u, 65u}) {
            for (unsigned a0 = 0; a0 < 8; ++a0) {
                PacketSpec s;
                s.kind = c.kind;
                s.payload = payload;
                Packet p = make_packet(s, rng);
                const size_t hdr = c.kind == PacketSpec::Tcp ? 20 : 8;
                force_l4_sum_zero(p, hdr + 2 * (a0 % 4));
                TxPacket t = offload_request(p, true, true, a0);
                t.csum_udp = c.flag;
                what.push_back(tag(c.what, seed, tx.size(), a0) + " payload " + std::to_string(payload));
                // the test's own premise: the computed checksum is 0
                std::vector<uint8_t> z = tx_reference(t);
                z[t.csum_start + t.csum_off] = z[t.csum_start + t.csum_off + 1] = 0;
                ASSERT_EQ(fold(sum16(&z[p.l4_off], z.size() - p.l4_off, p.pseudo)), 0xFFFF) << what.back();
                if (c.flag || c.kind == PacketSpec::Tcp) {
                    ASSERT_EQ(tx_reference(t), p.frame) << what.back();
                }
                tx.push_back(std::move(t));
                of.push_back(&c);
            }
        }
    }
    auto seen = rig.send(tx, "computed zero");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) expect_tx_rx(tx[i], seen[i], what[i], of[i]->field, of[i]->status);
    expect_clean_bus(rig.h);
}

// IHL 15: a 60-byte IPv4 header, 40 bytes of options, all in the header checksum (RFC 791 section
// 3.1) and the L4 segment starting at byte 74. TX with both insertions at every alignment; RX of
// the looped frames, and from the line with a damaged option byte (IP_BAD, no L4 verdict) and a
// damaged payload byte (L4_BAD).
TEST(NicChecksumDirected, Ihl15HeaderWithFortyBytesOfOptions) {
    const uint64_t seed = 502;
    std::mt19937_64 rng(seed);
    Rig rig;
    std::vector<TxPacket> tx;
    std::vector<std::string> what;
    std::vector<uint8_t> status;
    for (auto kind : {PacketSpec::Tcp, PacketSpec::Udp}) {
        for (size_t payload : {0u, 1u, 37u, 200u}) {
            for (unsigned a0 = 0; a0 < 8; ++a0) {
                PacketSpec s;
                s.kind = kind;
                s.opt_len = 40;
                s.payload = payload;
                Packet p = make_packet(s, rng);
                ASSERT_EQ(p.frame[14], 0x4F);
                TxPacket t = offload_request(p, true, true, a0);
                what.push_back(tag(kind == PacketSpec::Tcp ? "IHL 15 TCP" : "IHL 15 UDP", seed, tx.size(), a0) +
                               " payload " + std::to_string(payload));
                ASSERT_EQ(tx_reference(t), p.frame) << what.back();
                status.push_back(kIp4 | kChecked | (kind == PacketSpec::Tcp ? kTcp : kUdp));
                tx.push_back(std::move(t));
            }
        }
    }
    auto seen = rig.send(tx, "IHL 15");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) expect_tx_rx(tx[i], seen[i], what[i], {}, status[i]);
    expect_clean_bus(rig.h);

    Rig line(false);
    std::vector<std::vector<uint8_t>> rx;
    std::vector<uint8_t> want;
    for (auto kind : {PacketSpec::Tcp, PacketSpec::Udp}) {
        const uint8_t proto = kind == PacketSpec::Tcp ? kTcp : kUdp;
        PacketSpec s;
        s.kind = kind;
        s.opt_len = 40;
        s.payload = 50;
        Packet p = make_packet(s, rng);
        rx.push_back(p.frame);
        want.push_back(kIp4 | proto | kChecked);
        rx.push_back(p.frame);
        rx.back()[14 + 59] ^= 0x01;                  // last option byte
        want.push_back(kIp4 | proto | kIpBad);
        rx.push_back(p.frame);
        rx.back()[p.frame.size() - 1] ^= 0x80;       // last payload byte
        want.push_back(kIp4 | proto | kChecked | kBad);
    }
    auto got = line.receive(rx, "IHL 15 RX");
    ASSERT_EQ(got.size(), rx.size());
    for (size_t i = 0; i < rx.size(); ++i) expect_rx(rx[i], got[i], want[i], tag("IHL 15 RX", seed, i, 0));
    expect_clean_bus(line.h);
}

// Minimum-length frames. TX: 42- and 43-byte UDP and 54-byte TCP frames (the MAC pads them to 60
// with zeros, IEEE 802.3 clause 4.2.3.3) and 60-byte ones without padding, both insertions, every
// alignment: the sum stops at the descriptor's length, whatever the buffer holds after it. RX: short
// datagrams followed by non-zero Ethernet padding, which the L4 sum must leave out since the IPv4
// total length ends the datagram (RFC 791 section 3.1); a UDP checksum of 0 among them.
TEST(NicChecksumDirected, MinimumLengthFramesAndEthernetPadding) {
    const uint64_t seed = 503;
    std::mt19937_64 rng(seed);
    struct Case { PacketSpec::Kind kind; size_t payload; size_t len; };
    const Case cases[] = {{PacketSpec::Udp, 0, 42}, {PacketSpec::Udp, 1, 43}, {PacketSpec::Tcp, 0, 54},
                          {PacketSpec::Udp, 18, 60}, {PacketSpec::Tcp, 6, 60}};
    Rig rig;
    std::vector<TxPacket> tx;
    std::vector<std::string> what;
    std::vector<uint8_t> status;
    for (const Case& c : cases) {
        for (unsigned a0 = 0; a0 < 8; ++a0) {
            PacketSpec s;
            s.kind = c.kind;
            s.payload = c.payload;
            Packet p = make_packet(s, rng);
            ASSERT_EQ(p.frame.size(), c.len);
            TxPacket t = offload_request(p, true, true, a0);
            what.push_back(tag(c.kind == PacketSpec::Tcp ? "short TCP" : "short UDP", seed, tx.size(), a0) +
                           " len " + std::to_string(c.len));
            ASSERT_EQ(tx_reference(t), p.frame) << what.back();
            status.push_back(kIp4 | kChecked | (c.kind == PacketSpec::Tcp ? kTcp : kUdp));
            tx.push_back(std::move(t));
        }
    }
    auto seen = rig.send(tx, "minimum length");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) {
        EXPECT_EQ(seen[i].wire.size(), 60u) << what[i];
        expect_tx_rx(tx[i], seen[i], what[i], {}, status[i]);
    }
    expect_clean_bus(rig.h);

    Rig line(false);
    std::vector<std::vector<uint8_t>> rx;
    std::vector<uint8_t> want;
    struct RxCase { PacketSpec::Kind kind; size_t payload; uint8_t status; };
    const RxCase rcases[] = {{PacketSpec::Udp, 0, kIp4 | kUdp | kChecked}, {PacketSpec::Udp, 5, kIp4 | kUdp | kChecked},
                             {PacketSpec::Tcp, 0, kIp4 | kTcp | kChecked}, {PacketSpec::Tcp, 3, kIp4 | kTcp | kChecked},
                             {PacketSpec::UdpNoCsum, 0, kIp4 | kUdp}, {PacketSpec::Udp, 18, kIp4 | kUdp | kChecked}};
    for (const RxCase& c : rcases) {
        PacketSpec s;
        s.kind = c.kind;
        s.payload = c.payload;
        Packet p = make_packet(s, rng);
        std::vector<uint8_t> f = p.frame;
        while (f.size() < 60) f.push_back(uint8_t(1 + rng() % 254));     // padding the sum must skip
        rx.push_back(f);
        want.push_back(c.status);
    }
    auto got = line.receive(rx, "padded RX");
    ASSERT_EQ(got.size(), rx.size());
    for (size_t i = 0; i < rx.size(); ++i) expect_rx(rx[i], got[i], want[i], tag("padded RX", seed, i, 0));
    expect_clean_bus(line.h);
}

// The L4 checksum field in the frame's last two bytes (CSUM_START + CSUM_OFF + 2 == length): a
// header-only UDP datagram behind 0..40 bytes of IPv4 options (lengths 42..82), and non-IP
// frames of 60..67 bytes with the field placed at the end, at every alignment: the patch lands in
// every byte lane, across a beat boundary too, and nothing after the frame is summed.
TEST(NicChecksumDirected, TxChecksumFieldInTheLastTwoBytes) {
    const uint64_t seed = 504;
    std::mt19937_64 rng(seed);
    Rig rig;
    std::vector<TxPacket> tx;
    std::vector<std::string> what;
    std::vector<std::optional<uint8_t>> status;
    for (size_t opt = 0; opt <= 40; opt += 4) {
        for (unsigned a0 = 0; a0 < 8; ++a0) {
            PacketSpec s;
            s.kind = PacketSpec::Udp;
            s.opt_len = opt;
            s.payload = 0;
            Packet p = make_packet(s, rng);
            TxPacket t = offload_request(p, true, true, a0);
            what.push_back(tag("UDP header only", seed, tx.size(), a0) + " options " + std::to_string(opt));
            ASSERT_EQ(size_t(t.csum_start) + t.csum_off + 2, t.data.size()) << what.back();
            ASSERT_EQ(tx_reference(t), p.frame) << what.back();
            status.push_back(uint8_t(kIp4 | kUdp | kChecked));
            tx.push_back(std::move(t));
        }
    }
    for (size_t len = 60; len < 68; ++len) {
        for (unsigned a0 = 0; a0 < 8; ++a0) {
            TxPacket t;
            t.data = plain_frame(len, rng);
            t.align = a0;
            t.csum_l4 = true;
            t.csum_start = uint16_t(14 + 2 * (rng() % 10));       // even, as every IPv4 L4 header
            t.csum_off = uint8_t(len - t.csum_start - 2);
            t.csum_udp = rng() % 2;
            what.push_back(tag("non-IP, field at the end", seed, tx.size(), a0) + " len " + std::to_string(len) +
                           " csum_start " + std::to_string(t.csum_start));
            status.push_back(std::nullopt);
            tx.push_back(std::move(t));
        }
    }
    auto seen = rig.send(tx, "field at the end");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) expect_tx_rx(tx[i], seen[i], what[i], {}, status[i]);
    expect_clean_bus(rig.h);
}

// RX of the two UDP checksum values RFC 768 singles out, and their TCP counterparts:
//   UDP field 0: "the transmitter generated no checksum": not L4_CHECKED, even if the data is
//     damaged (there is nothing to verify it with);
//   UDP field 0xFFFF for a computed 0 (sent as all ones): L4_CHECKED, not L4_BAD;
//   UDP field 0xFFFF for a computed non-zero checksum: L4_BAD (0xFFFF is no wildcard);
//   TCP field 0 for a computed 0: checked and good (0 means nothing special to TCP, RFC 9293
//     section 3.1); field 0xFFFF for the same segment: good too (the sum is 0xFFFF either way,
//     RFC 1624 section 3); field 0 for a computed non-zero checksum: L4_BAD.
// Short (padded) and longer frames. Sent from the far end, then the same frames looped back
// through TX without offload at every alignment.
TEST(NicChecksumDirected, RxUdpChecksumZeroMeansNoneAndAllOnesIsChecked) {
    const uint64_t seed = 505;
    std::mt19937_64 rng(seed);
    std::vector<std::vector<uint8_t>> rx;
    std::vector<uint8_t> want;
    std::vector<std::string> what;
    auto put = [&](const std::vector<uint8_t>& f, uint8_t st, const char* w) {
        rx.push_back(padded(f));
        want.push_back(st);
        what.push_back(w);
    };
    auto set_field = [](Packet& p, uint16_t v) {
        p.frame[p.l4_off + p.l4_csum_field] = uint8_t(v >> 8);
        p.frame[p.l4_off + p.l4_csum_field + 1] = uint8_t(v);
    };
    for (size_t payload : {10u, 101u}) {
        PacketSpec s;
        s.payload = payload;
        s.kind = PacketSpec::UdpNoCsum;
        Packet p = make_packet(s, rng);
        put(p.frame, kIp4 | kUdp, "UDP field 0");
        p.frame[p.l4_off + 8] ^= 0x40;
        put(p.frame, kIp4 | kUdp, "UDP field 0, damaged data");

        s.kind = PacketSpec::Udp;
        p = make_packet(s, rng);
        force_l4_sum_zero(p, 10);
        ASSERT_EQ(be16_at(p.frame, p.l4_off + 6), 0xFFFF);
        put(p.frame, kIp4 | kUdp | kChecked, "UDP computed 0 sent as 0xFFFF");

        p = make_packet(s, rng);
        ASSERT_NE(be16_at(p.frame, p.l4_off + 6), 0xFFFF);
        set_field(p, 0xFFFF);
        put(p.frame, kIp4 | kUdp | kChecked | kBad, "UDP field 0xFFFF, computed non-zero");

        s.kind = PacketSpec::Tcp;
        p = make_packet(s, rng);
        force_l4_sum_zero(p, 22);
        ASSERT_EQ(be16_at(p.frame, p.l4_off + 16), 0x0000);
        put(p.frame, kIp4 | kTcp | kChecked, "TCP computed 0 sent as 0");
        set_field(p, 0xFFFF);
        put(p.frame, kIp4 | kTcp | kChecked, "TCP computed 0 sent as 0xFFFF");

        p = make_packet(s, rng);
        ASSERT_NE(be16_at(p.frame, p.l4_off + 16), 0x0000);
        set_field(p, 0x0000);
        put(p.frame, kIp4 | kTcp | kChecked | kBad, "TCP field 0, computed non-zero");
    }
    {
        Rig line(false);
        auto got = line.receive(rx, "UDP 0 / 0xFFFF RX");
        ASSERT_EQ(got.size(), rx.size());
        for (size_t i = 0; i < rx.size(); ++i) expect_rx(rx[i], got[i], want[i], tag(what[i].c_str(), seed, i, 0));
        expect_clean_bus(line.h);
    }
    Rig rig;
    std::vector<TxPacket> tx;
    for (unsigned a0 = 0; a0 < 8; a0 += 3) {
        for (const auto& f : rx) {
            TxPacket t;
            t.data = f;
            t.align = a0;
            tx.push_back(std::move(t));
        }
    }
    auto seen = rig.send(tx, "UDP 0 / 0xFFFF looped");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) {
        const size_t k = i % rx.size();
        expect_tx_rx(tx[i], seen[i], tag(what[k].c_str(), seed, i, tx[i].align), {}, want[k]);
    }
    expect_clean_bus(rig.h);
}

// RTL DISAGREEMENT: CSUM_START is "the first byte of the L4 sum" and the
// device "adds bytes CSUM_START..end (RFC 1071)" (docs/registers.md), as Linux CHECKSUM_PARTIAL
// does: 16-bit words paired from CSUM_START. nic_tx pairs them from frame byte 0, so for an odd
// CSUM_START it writes the byte-swapped checksum (RFC 1071 section 2(B)). Every IPv4 L4 header
// starts at an even offset (14 + 4 * IHL), so only a non-IP or odd-L2-header use of the generic
// CHECKSUM_PARTIAL command sees it. Odd starts, every alignment, lengths 60..67.
TEST(NicChecksumDirected, TxOddCsumStartPairsWordsFromCsumStart) {
    const uint64_t seed = 506;
    std::mt19937_64 rng(seed);
    Rig rig;
    std::vector<TxPacket> tx;
    std::vector<std::string> what;
    for (size_t len = 60; len < 68; ++len) {
        for (unsigned a0 = 0; a0 < 8; ++a0) {
            TxPacket t;
            t.data = plain_frame(len, rng);
            t.align = a0;
            t.csum_l4 = true;
            t.csum_start = uint16_t(15 + 2 * (rng() % 10));
            t.csum_off = uint8_t(2 * (rng() % ((len - t.csum_start - 2) / 2 + 1)));
            // the premise: the checksum a Linux-style sender writes is not its own byte swap
            const std::vector<uint8_t> want = tx_reference(t);
            const size_t at = size_t(t.csum_start) + t.csum_off;
            if (want[at] == want[at + 1]) continue;
            what.push_back(tag("odd CSUM_START", seed, tx.size(), a0) + " len " + std::to_string(len) +
                           " csum_start " + std::to_string(t.csum_start) + " csum_off " +
                           std::to_string(t.csum_off));
            tx.push_back(std::move(t));
        }
    }
    ASSERT_GT(tx.size(), 60u);
    auto seen = rig.send(tx, "odd CSUM_START");
    ASSERT_EQ(seen.size(), tx.size());
    for (size_t i = 0; i < tx.size(); ++i) expect_tx_rx(tx[i], seen[i], what[i]);
    expect_clean_bus(rig.h);
}

// Sets the IPv4 total length to `tot`, cuts or extends the frame to 14 + tot (new bytes random)
// and recomputes the header checksum (RFC 791 section 3.1).
void set_ip_total(std::vector<uint8_t>& f, size_t tot, std::mt19937_64& rng) {
    while (f.size() < 14 + tot) f.push_back(uint8_t(rng()));
    f.resize(14 + tot);
    f[16] = uint8_t(tot >> 8);
    f[17] = uint8_t(tot);
    const size_t ihl = size_t(f[14] & 15) * 4;
    f[24] = f[25] = 0;
    const uint16_t ck = uint16_t(~fold(sum16(&f[14], ihl)));
    f[24] = uint8_t(ck >> 8);
    f[25] = uint8_t(ck);
}

// Stores the UDP checksum of the `seg` bytes from the UDP header with `seg` as the pseudo-header
// length (RFC 768), a computed 0 as 0xFFFF.
void set_udp_csum(std::vector<uint8_t>& f, size_t l4, size_t seg) {
    f[l4 + 6] = f[l4 + 7] = 0;
    uint16_t ck = uint16_t(~fold(sum16(&f[l4], seg, sum16(&f[26], 8) + 17 + uint32_t(seg))));
    if (ck == 0) ck = 0xFFFF;
    f[l4 + 6] = uint8_t(ck >> 8);
    f[l4 + 7] = uint8_t(ck);
}

// RTL DISAGREEMENT. The UDP datagram is the Length octets from its
// header: "Length is the length in octets of this user datagram including this header and the
// data. (This means the minimum value of the length is eight.)", and the checksum covers those
// octets with that Length in the pseudo-header (RFC 768); the IPv4 total length bounds it (RFC 791
// section 3.1). So:
//   - a datagram shorter than its 8-byte header has no checksum field, whatever bytes follow it
//     (Ethernet padding, zero from a padding MAC or not; or no bytes at all): malformed, checked
//     and bad, and the verdict must not depend on the frame before;
//   - a Length shorter than the IP payload delimits the datagram: the checksum over the Length
//     octets is the one to verify (good here); the stack's own parse_udp does the same;
//   - a Length past the IP payload, or below 8: malformed (bad), even if a sum over the whole IP
//     payload would come out right.
TEST(NicChecksumDirected, RxUdpLengthDelimitsTheDatagram) {
    const uint64_t seed = 507;
    std::mt19937_64 rng(seed);
    std::vector<std::vector<uint8_t>> rx;
    std::vector<uint8_t> want;
    std::vector<std::string> what;
    auto put = [&](const std::vector<uint8_t>& f, uint8_t st, const char* w) {
        rx.push_back(f);
        want.push_back(st);
        what.push_back(w);
    };
    const uint8_t bad = kIp4 | kUdp | kChecked | kBad, good = kIp4 | kUdp | kChecked;
    PacketSpec s;
    s.kind = PacketSpec::Udp;

    // 4-byte datagram (ports only) in a 38-byte frame, padded to 60 with zeros, then with non-zero
    // bytes: bytes 40..41, where a checksum field would be, are padding either way.
    s.payload = 0;
    std::vector<uint8_t> f = make_packet(s, rng).frame;
    set_ip_total(f, 24, rng);
    put(padded(f), bad, "4-byte UDP datagram, zero padding");
    while (f.size() < 60) f.push_back(uint8_t(1 + rng() % 254));
    put(f, bad, "4-byte UDP datagram, non-zero padding");

    // IHL 15 and a 4-byte datagram: a 78-byte frame that ends before byte 81, where the checksum
    // field would end; once after a datagram without checksum, once after one with.
    s.opt_len = 40;
    std::vector<uint8_t> g = make_packet(s, rng).frame;
    set_ip_total(g, 64, rng);
    s.opt_len = 0;
    s.payload = 20;
    s.kind = PacketSpec::UdpNoCsum;
    put(make_packet(s, rng).frame, kIp4 | kUdp, "UDP without checksum");
    put(g, bad, "IHL 15, 4-byte UDP datagram, after one without checksum");
    s.kind = PacketSpec::Udp;
    put(make_packet(s, rng).frame, good, "UDP");
    put(g, bad, "IHL 15, 4-byte UDP datagram, after one with checksum");

    // Length 26 in a 28-byte IP payload, the checksum over the 26 bytes
    Packet p = make_packet(s, rng);
    p.frame[p.l4_off + 5] = 26;
    set_udp_csum(p.frame, p.l4_off, 26);
    put(p.frame, good, "UDP Length 26 < IP payload 28");
    // Length 30 and Length 4 in a 28-byte IP payload, the checksum over all 28 bytes
    p = make_packet(s, rng);
    p.frame[p.l4_off + 5] = 30;
    set_udp_csum(p.frame, p.l4_off, 28);
    put(p.frame, bad, "UDP Length 30 > IP payload 28");
    p.frame[p.l4_off + 5] = 4;
    set_udp_csum(p.frame, p.l4_off, 28);
    put(p.frame, bad, "UDP Length 4 < 8");

    Rig line(false);
    auto got = line.receive(rx, "UDP Length");
    ASSERT_EQ(got.size(), rx.size());
    for (size_t i = 0; i < rx.size(); ++i) expect_rx(rx[i], got[i], want[i], tag(what[i].c_str(), seed, i, 0));
    expect_clean_bus(line.h);
}

}  // namespace
}  // namespace nic::test
