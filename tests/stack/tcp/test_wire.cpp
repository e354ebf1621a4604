// TCP wire format (RFC 9293 3.1) and options (RFC 7323, RFC 2018): emit/parse round trips, the
// exact option bytes, every truncation, bad data offsets, bad checksums, malformed options (each
// rejected with the right WireError), unknown options skipped, and sequence-number arithmetic.
// Inputs are copied to exact-size heap buffers so a sanitizer would see any overread.
#include "tcp/seq.h"
#include "tcp/tcp_wire.h"
#include "wire/checksum.h"

#include <gtest/gtest.h>

#include <random>

using namespace nic;

namespace {

const Ipv4Addr kA(192, 0, 2, 1), kB(192, 0, 2, 2);

std::vector<uint8_t> emit(const TcpRepr& r) {
    std::vector<uint8_t> b(tcp_header_len(r) + r.payload.size);
    size_t n = emit_tcp(r, kA, kB, b);
    EXPECT_EQ(n, b.size());
    return b;
}

TcpRepr full_syn() {
    TcpRepr r;
    r.src_port = 40000;
    r.dst_port = 80;
    r.seq = SeqNum(0xfffffff0u);
    r.flags = TcpFlags(TcpFlags::kSyn);
    r.window = 65535;
    r.options.mss = 1460;
    r.options.wscale = 7;
    r.options.sack_permitted = true;
    r.options.ts = TcpTimestamp{0x01020304, 0};
    return r;
}

// Sets the header's checksum after a test edited the bytes.
void fix_checksum(std::vector<uint8_t>& b) {
    b[16] = b[17] = 0;
    uint32_t acc = pseudo_header_sum(kA, kB, kIpProtoTcp, uint16_t(b.size()));
    wr16(b.data() + 16, checksum_finish(checksum_add(b, acc)));
}

TEST(TcpWire, SynRoundTripWithAllOptions) {
    TcpRepr r = full_syn();
    auto b = emit(r);
    ASSERT_EQ(b.size(), 40u);  // 20 + MSS 4 + SACK-perm/TS 12 + NOP/WS 4
    EXPECT_EQ(b[12] >> 4, 10);
    // MSS 1460 (RFC 9293 3.2), SACK-permitted + timestamps (Linux layout), NOP + window scale.
    const uint8_t opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
    EXPECT_EQ(std::vector<uint8_t>(b.begin() + 20, b.end()), std::vector<uint8_t>(opts, opts + 20));
    auto p = parse_tcp(b, kA, kB);
    ASSERT_TRUE(p) << to_string(p.error());
    EXPECT_EQ(p->src_port, 40000);
    EXPECT_EQ(p->dst_port, 80);
    EXPECT_EQ(p->seq, SeqNum(0xfffffff0u));
    EXPECT_EQ(p->flags.bits, TcpFlags::kSyn);
    EXPECT_EQ(p->window, 65535);
    EXPECT_TRUE(p->options == r.options);
    EXPECT_EQ(p->payload.size, 0u);
    EXPECT_EQ(p->seg_len(), 1u);
}

TEST(TcpWire, DataRoundTripWithSackAndTimestamps) {
    TcpRepr r;
    r.src_port = 1;
    r.dst_port = 2;
    r.seq = SeqNum(100);
    r.ack = SeqNum(200);
    r.flags = TcpFlags(TcpFlags::kAck | TcpFlags::kPsh | TcpFlags::kFin);
    r.window = 1234;
    r.options.ts = TcpTimestamp{7, 8};
    r.options.sack_count = 4;  // with timestamps only 3 fit in 40 bytes
    for (uint32_t i = 0; i < 4; ++i) r.options.sack[i] = SackBlock{SeqNum(1000 * i), SeqNum(1000 * i + 500)};
    std::vector<uint8_t> pl(333);
    for (size_t i = 0; i < pl.size(); ++i) pl[i] = uint8_t(i * 3);
    r.payload = pl;
    auto b = emit(r);
    EXPECT_EQ(b.size(), 20u + 12 + 4 + 24 + 333);
    auto p = parse_tcp(b, kA, kB);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->options.sack_count, 3u);
    EXPECT_EQ(p->options.sack[2], (SackBlock{SeqNum(2000), SeqNum(2500)}));
    EXPECT_EQ(p->options.ts, (TcpTimestamp{7, 8}));
    EXPECT_EQ(p->payload.to_vector(), pl);
    EXPECT_EQ(p->seg_len(), 334u);
    EXPECT_EQ(p->flags.str(), "FP.");
}

TEST(TcpWire, EveryTruncationRejected) {
    TcpRepr r = full_syn();
    auto b = emit(r);
    for (size_t n = 0; n < b.size(); ++n) {
        std::vector<uint8_t> t(b.begin(), b.begin() + long(n));
        auto p = parse_tcp(t, kA, kB, false);
        EXPECT_FALSE(p) << n;
        EXPECT_EQ(p.error(), n < 20 ? WireError::Truncated : WireError::BadHeaderLen) << n;
    }
}

TEST(TcpWire, BadDataOffset) {
    auto b = emit(full_syn());
    for (uint8_t off : {0, 1, 4, 11, 15}) {
        auto t = b;
        t[12] = uint8_t(off << 4);
        EXPECT_EQ(parse_tcp(t, kA, kB, false).error(), WireError::BadHeaderLen) << int(off);
    }
}

TEST(TcpWire, ChecksumCoversPseudoHeaderAndEveryByte) {
    TcpRepr r = full_syn();
    std::vector<uint8_t> pl{1, 2, 3};  // odd length
    r.payload = pl;
    auto b = emit(r);
    EXPECT_TRUE(parse_tcp(b, kA, kB));
    EXPECT_EQ(parse_tcp(b, kA, Ipv4Addr(192, 0, 2, 3)).error(), WireError::BadChecksum);
    for (size_t i = 0; i < b.size(); ++i) {
        auto t = b;
        t[i] ^= 0x10;
        // Byte 12 holds the data offset, which is checked (and found wrong) first.
        EXPECT_EQ(parse_tcp(t, kA, kB).error(), i == 12 ? WireError::BadHeaderLen : WireError::BadChecksum) << i;
    }
    std::vector<uint8_t> o(b.size());
    EXPECT_EQ(emit_tcp(r, kA, kB, o, false), b.size());  // offload: field left 0
    EXPECT_EQ(rd16(o.data() + 16), 0);
    EXPECT_TRUE(parse_tcp(o, kA, kB, false));
    std::vector<uint8_t> small(b.size() - 1);
    EXPECT_EQ(emit_tcp(r, kA, kB, small), 0u);
}

TEST(TcpWire, MalformedOptionsRejected) {
    struct Case {
        std::vector<uint8_t> opts;
        const char* what;
    };
    std::vector<Case> cases{
        {{2, 4, 5, 180, 3}, "kind with no length byte at the end"},
        {{2, 0, 0, 0}, "length 0"},
        {{2, 1, 0, 0}, "length 1"},
        {{30, 8, 0, 0}, "length past the header"},
        {{2, 3, 5, 1}, "MSS length 3"},
        {{3, 4, 7, 1}, "window scale length 4"},
        {{4, 3, 0, 1}, "SACK-permitted length 3"},
        {{5, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, "SACK length 9"},
        {{5, 2, 1, 1}, "SACK with no block"},
        {{8, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, "timestamps length 9"},
    };
    for (const auto& c : cases) {
        TcpRepr r;
        auto b = emit(r);
        std::vector<uint8_t> opts = c.opts;
        while (opts.size() % 4) opts.push_back(1);
        b.insert(b.begin() + 20, opts.begin(), opts.end());
        b[12] = uint8_t(((20 + opts.size()) / 4) << 4);
        fix_checksum(b);
        EXPECT_EQ(parse_tcp(b, kA, kB).error(), WireError::BadOptions) << c.what;
    }
}

TEST(TcpWire, UnknownOptionsSkippedEolStopsWscaleClamped) {
    TcpRepr r;
    auto b = emit(r);
    const uint8_t opts[] = {30, 4, 0xaa, 0xbb, 3, 3, 20, 1, 2, 4, 1, 0, 0, 9, 9, 9};  // unknown, WS 20, MSS, EOL
    b.insert(b.begin() + 20, opts, opts + sizeof opts);
    b[12] = uint8_t(((20 + sizeof opts) / 4) << 4);
    fix_checksum(b);
    auto p = parse_tcp(b, kA, kB);
    ASSERT_TRUE(p) << to_string(p.error());
    EXPECT_EQ(p->options.wscale, 14);  // RFC 7323 2.3
    EXPECT_EQ(p->options.mss, 256);
    EXPECT_FALSE(p->options.ts);  // after EOL, nothing is read
}

TEST(TcpWire, RandomBytesNeverCrash) {
    std::mt19937 rng(12345);
    auto base = emit(full_syn());
    size_t ok = 0;
    for (int i = 0; i < 100000; ++i) {
        std::vector<uint8_t> b;
        if (i % 2) {
            b.resize(rng() % 80);
            for (auto& x : b) x = uint8_t(rng());
        } else {
            b = base;
            for (int k = 0; k < 4; ++k) b[rng() % b.size()] = uint8_t(rng());
        }
        auto p = parse_tcp(b, kA, kB, false);
        if (p) {
            ++ok;
            ASSERT_LE(p->payload.size, b.size());
            ASSERT_LE(p->options.sack_count, 4u);
        }
    }
    EXPECT_GT(ok, 0u);
}

TEST(TcpSeq, ComparesModulo2To32) {
    SeqNum a(0xfffffff0u), b(0x10);
    EXPECT_TRUE(a < b);
    EXPECT_TRUE(b > a);
    EXPECT_EQ(b - a, 0x20);
    EXPECT_EQ(a + 0x20u, b);
    EXPECT_EQ(seq_len(a, b), 0x20u);
    EXPECT_EQ(seq_len(b, a), 0u);
    EXPECT_EQ(seq_max(a, b), b);
    EXPECT_TRUE(SeqNum(0) < SeqNum(0x7fffffff));
    EXPECT_TRUE(SeqNum(0) > SeqNum(0x80000001u));
}

}  // namespace
