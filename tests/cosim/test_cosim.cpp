// The whole system, end to end: nicsim runs two hosts (application, TCP/IP stack, driver) and two
// Verilated NICs joined by the simulated wire, and these tests check what it reports, prints and
// captures: ping, HTTP and bulk data arrive intact (SHA-256 of every byte stream at both ends), and
// the counters explain every fault the run met (wire loss and bit errors, ring exhaustion, a link
// flap, a fatal DMA error). Runs are deterministic: a seed and options give the same capture, for
// any synchronisation quantum. Captures are dissected by tshark as an independent check.
//   test -> Nicsim::run -> nicsim SCENARIO ... --report F [--pcap P] -> figures, hash lines, frames
// Seeds are fixed (NIC_SEED=<n> replaces the base seed); a failing test prints every command line
// (NIC_KEEP_FILES=1 keeps the reports and captures of a failed test for a look with tshark).
#include "nicsim_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace nic::cosim_test;

namespace {

const uint8_t kMacA[6] = {0x02, 0x4e, 0x49, 0x43, 0x00, 0x01};
const uint8_t kMacB[6] = {0x02, 0x4e, 0x49, 0x43, 0x00, 0x02};
// TCP goodput limit at 1 Gb/s, MTU 1500, with the timestamp option: 1448 payload bytes per
// 1538 byte times (preamble 8, header 14, FCS 4, gap 12; IEEE 802.3 clauses 3, 4).
constexpr double kGoodputLimitMbps = 1000.0 * 1448 / 1538;
constexpr uint64_t kMiB = 1 << 20;

bool from(const PcapFrame& f, const uint8_t* mac) { return f.data.size() >= 14 && std::memcmp(f.src_mac(), mac, 6) == 0; }

class Cosim : public ::testing::Test {
protected:
    void TearDown() override {
        if (!HasFailure()) return;
        std::fprintf(stderr, "\nthe runs of this test (NIC_SEED=<n> reruns it with another base seed):\n");
        for (const SimRun& r : sim.runs()) std::fprintf(stderr, "$ %s\n  exit status %d\n", r.cmdline().c_str(), r.status);
        const char* keep = std::getenv("NIC_KEEP_FILES");
        if (keep && *keep && std::string(keep) != "0") {
            sim.dir().keep();
            std::fprintf(stderr, "reports and captures kept in %s\n", sim.dir().path().c_str());
        } else {
            std::fprintf(stderr, "(NIC_KEEP_FILES=1 keeps their reports and captures)\n");
        }
    }
    Nicsim sim;
};
// Suites named after what they exercise; one fixture.
class Ping : public Cosim {};
class Http : public Cosim {};
class Bulk : public Cosim {};
class Lossy : public Cosim {};
class Determinism : public Cosim {};
class Quantum : public Cosim {};
class Offload : public Cosim {};
class Ring : public Cosim {};
class Link : public Cosim {};
class DmaError : public Cosim {};
class Tshark : public Cosim {};
class Observe : public Cosim {};

std::string s(uint64_t v) { return std::to_string(v); }

// Exit status 0, the report written and "ok 1".
::testing::AssertionResult succeeded(const SimRun& r) {
    if (r.status != 0) {
        const bool slow = r.out.find("simulated time limit reached") != std::string::npos;
        return ::testing::AssertionFailure()
               << "exit status " << r.status << ", want 0"
               << (slow ? " (out of simulated time: TCP waiting for its 1 s minimum RTO after a lost retransmission? "
                          "then this seed is too slow for a unit test)"
                        : "")
               << "\n" << r.describe();
    }
    if (!r.has("ok") || r.fig.at("ok") != 1)
        return ::testing::AssertionFailure() << "the report does not say 'ok 1'\n" << r.describe();
    return ::testing::AssertionSuccess();
}

// Every byte stream of a bulk run arrived whole: one summary line per connection and host, each
// sender's (hash, bytes) is some receiver's (hash, bytes) and the other way round, the byte counts
// are what was asked for, the idle direction is the empty stream, and bulk_bytes is the total.
::testing::AssertionResult streams_match(const SimRun& r, uint64_t bytes, const std::string& dir, int conns = 1) {
    auto fail = [&r](const std::string& why) { return ::testing::AssertionFailure() << why << "\n" << r.describe(); };
    const bool a2b = dir != "b2a", b2a = dir != "a2b";
    std::multiset<std::pair<std::string, uint64_t>> a_tx, a_rx, b_tx, b_rx;
    int na = 0, nb = 0;
    for (const BulkLine& l : r.bulk) {
        const bool is_a = l.host == 'A';
        (is_a ? na : nb)++;
        const uint64_t want_tx = (is_a ? a2b : b2a) ? bytes : 0, want_rx = (is_a ? b2a : a2b) ? bytes : 0;
        if (l.tx_bytes != want_tx || l.rx_bytes != want_rx)
            return fail(std::string(1, l.host) + " sent " + s(l.tx_bytes) + " and received " + s(l.rx_bytes) +
                        " bytes, want " + s(want_tx) + " and " + s(want_rx));
        if ((want_tx == 0) != (l.tx_hash == kEmptySha256) || (want_rx == 0) != (l.rx_hash == kEmptySha256))
            return fail(std::string(1, l.host) + ": an empty stream's hash where data was expected, or the reverse");
        (is_a ? a_tx : b_tx).insert({l.tx_hash, l.tx_bytes});
        (is_a ? a_rx : b_rx).insert({l.rx_hash, l.rx_bytes});
    }
    if (na != conns || nb != conns)
        return fail("summary has " + s(na) + " A and " + s(nb) + " B lines, want " + s(conns) + " each");
    if (a_tx != b_rx) return fail("what A sent is not what B received (SHA-256 differs)");
    if (b_tx != a_rx) return fail("what B sent is not what A received (SHA-256 differs)");
    const double total = double(bytes) * conns * ((a2b ? 1 : 0) + (b2a ? 1 : 0));
    if (!r.has("bulk_bytes") || r.fig.at("bulk_bytes") != total)
        return fail("bulk_bytes " + std::to_string(r.has("bulk_bytes") ? r.fig.at("bulk_bytes") : -1) + ", want " +
                    std::to_string(total));
    return ::testing::AssertionSuccess();
}

// Frames that the wire delivered from one side (sent minus lost) against what the far NIC accounts
// for: delivered to host memory, or dropped and counted (MAC, filter, no descriptor, FIFO).
struct Flow {
    double arrived, accounted;
};
Flow flow(const SimRun& r, char from_side) {
    const std::string w = std::string("wire_") + from_side + "_", d = std::string("drv_") + (from_side == 'a' ? 'b' : 'a') + "_dev_rx_";
    return {r[w + "frames"] - r[w + "lost"],
            r[d + "frames"] + r[d + "drop_mac"] + r[d + "drop_filter"] + r[d + "drop_nodesc"] + r[d + "drop_fifo"]};
}

// The simulation stops when the applications are done; the last frame (an ACK of the final FIN) may
// still be on its way then, so one frame per direction may be unaccounted.
void expect_frames_accounted(const SimRun& r, double slack = 1) {
    for (char side : {'a', 'b'}) {
        Flow f = flow(r, side);
        EXPECT_LE(f.accounted, f.arrived) << "the NIC after side " << side << " counted frames the wire never delivered";
        EXPECT_LE(f.arrived - f.accounted, slack)
            << "frames from side " << side << " reached the far NIC but are neither delivered nor counted as dropped";
    }
}

// No protocol or synchronisation error anywhere: the AXI checker, the DMA window checker and the
// host/NIC time check of both NICs.
void expect_no_model_errors(const SimRun& r) {
    for (const char* n : {"a", "b"}) {
        const std::string p = std::string("nic_") + n + "_";
        EXPECT_EQ(r[p + "axi_protocol_errors"], 0) << n;
        EXPECT_EQ(r[p + "dma_window_violations"], 0) << n;
        EXPECT_EQ(r[p + "sync_violations"], 0) << n;
    }
}

std::vector<PcapFrame> frames_of(const SimRun& r) {
    std::vector<PcapFrame> v;
    std::string why;
    EXPECT_TRUE(read_pcap(r.pcap, v, why)) << r.pcap << ": " << why;
    return v;
}

// Figures that differ between two runs, except `skip` (wall-clock ones).
std::string figure_differences(const SimRun& x, const SimRun& y, const std::set<std::string>& skip) {
    std::string d;
    std::set<std::string> keys;
    for (auto& [k, v] : x.fig) keys.insert(k);
    for (auto& [k, v] : y.fig) keys.insert(k);
    for (const auto& k : keys) {
        // run_*: how the simulator ran (wall time, synchronisations, idle cycles skipped), not what
        // the simulated system did.
        if (skip.count(k) || k.compare(0, 4, "run_") == 0) continue;
        auto a = x.fig.find(k), b = y.fig.find(k);
        if (a == x.fig.end() || b == y.fig.end() || a->second != b->second)
            d += "  " + k + ": " + (a == x.fig.end() ? "missing" : std::to_string(a->second)) + " vs " +
                 (b == y.fig.end() ? "missing" : std::to_string(b->second)) + "\n";
    }
    return d;
}

// Where two captures first differ (frame index), for the message.
std::string capture_difference(const SimRun& x, const SimRun& y) {
    std::vector<PcapFrame> a = frames_of(x), b = frames_of(y);
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (a[i].t_ns != b[i].t_ns || a[i].data != b[i].data)
            return "first difference at frame " + s(i + 1) + " (t " + s(a[i].t_ns) + " vs " + s(b[i].t_ns) + " ns)";
    return "frame counts " + s(a.size()) + " vs " + s(b.size());
}

}  // namespace

// ---------------------------------------------------------------- ping, HTTP, demo

TEST_F(Ping, EchoesCrossBothRtlNics) {
    const int count = 5;
    SimRun r = sim.run({"ping", "--count", s(count), "--seed", s(test_seed(1)), "--quiet"}, true);
    ASSERT_TRUE(succeeded(r));
    // The capture holds every frame sent into the wire: count echo requests from A, count replies from B.
    std::vector<PcapFrame> f = frames_of(r);
    EXPECT_EQ(double(f.size()), r["pcap_frames"]);
    EXPECT_EQ(r["pcap_frames"], r["wire_a_frames"] + r["wire_b_frames"]);
    int req = 0, rep = 0, arp = 0;
    for (const PcapFrame& x : f) {
        req += from(x, kMacA) && x.icmp_type() == 8;
        rep += from(x, kMacB) && x.icmp_type() == 0;
        arp += x.ethertype() == 0x0806;
    }
    EXPECT_EQ(req, count);
    EXPECT_EQ(rep, count);
    EXPECT_GE(arp, 2) << "A must resolve B (request and reply)";
    // A clean wire: nothing lost or dropped, every frame delivered to host memory.
    EXPECT_EQ(r["wire_a_lost"] + r["wire_b_lost"] + r["wire_a_damaged"] + r["wire_b_damaged"], 0);
    EXPECT_EQ(r["drv_b_dev_rx_frames"], r["wire_a_frames"]);
    EXPECT_EQ(r["drv_a_dev_rx_frames"], r["wire_b_frames"]);
    EXPECT_EQ(r["drv_a_rx_frames"], r["drv_a_dev_rx_frames"]);
    EXPECT_EQ(r["drv_a_tx_completions"], r["drv_a_tx_frames"]);
    // Each echo request went out with checksum insertion commands (IPv4 header, ICMP).
    EXPECT_GE(r["drv_a_tx_csum_offloaded"], count);
    expect_no_model_errors(r);
}

TEST_F(Ping, FragmentedEchoesBothWays) {
    // 3000 data bytes: the IPv4 layer fragments the request, and the reply, into MTU-sized frames.
    SimRun r = sim.run({"ping", "--count", "2", "--size", "3000", "--seed", s(test_seed(2)), "--quiet"}, true);
    ASSERT_TRUE(succeeded(r));
    int frag_a = 0, frag_b = 0;
    for (const PcapFrame& x : frames_of(r)) {
        if (!x.more_fragments()) continue;
        frag_a += from(x, kMacA);
        frag_b += from(x, kMacB);
    }
    EXPECT_GE(frag_a, 2) << "each request needs at least two fragments with MF set";
    EXPECT_GE(frag_b, 2) << "each reply needs at least two fragments with MF set";
    expect_no_model_errors(r);
}

TEST_F(Http, GetBodyArrivesIntact) {
    // An odd body length, so the last segment has an odd payload (the checksum's odd byte).
    const uint64_t body = 20001;
    SimRun r = sim.run({"http", "--http-bytes", s(body), "--seed", s(test_seed(3)), "--quiet"});
    ASSERT_TRUE(succeeded(r));  // nicsim compares the body's SHA-256 with what the server generated
    EXPECT_NE(r.out.find("== nicsim http: ok =="), std::string::npos) << r.out;
    EXPECT_GT(r["wire_b_bytes"], double(body)) << "the body must have crossed the wire from B to A";
    EXPECT_GT(r["drv_a_rx_bytes"], double(body));
    EXPECT_EQ(r["tcp_a_retrans_segs"] + r["tcp_b_retrans_segs"], 0) << "nothing to retransmit on a clean wire";
    EXPECT_EQ(r["drv_a_dev_rx_drop_mac"] + r["drv_b_dev_rx_drop_mac"], 0);
    expect_frames_accounted(r);
    expect_no_model_errors(r);
}

TEST_F(Http, DemoPingsAndFetches) {
    SimRun r = sim.run({"demo", "--seed", s(test_seed(4))});
    ASSERT_TRUE(succeeded(r));
    EXPECT_NE(r.out.find("3 packets transmitted, 3 received"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("HTTP/1.1 200 OK, 20000 body bytes"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("matches what the server generated"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("== nicsim demo: ok =="), std::string::npos) << r.out;
}

// ---------------------------------------------------------------- bulk on a clean wire

TEST_F(Bulk, TwoMegabytesAToB) {
    SimRun r = sim.run({"bulk", "--bytes", "2M", "--seed", s(test_seed(5)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, 2 * kMiB, "a2b"));
    // A clean wire with the default host (1 us memory): no loss, no drop, no retransmission, and
    // the NICs keep up with the line (README: >= 99.9 % of line rate for frames of 256 bytes or more).
    EXPECT_EQ(r["tcp_a_retrans_segs"], 0);
    EXPECT_EQ(r["drv_b_dev_rx_drop_mac"] + r["drv_b_dev_rx_drop_nodesc"] + r["drv_b_dev_rx_drop_fifo"], 0);
    EXPECT_EQ(r["drv_b_dev_rx_frames"], r["wire_a_frames"]);
    EXPECT_LE(r["goodput_mbps"], kGoodputLimitMbps) << "faster than the line allows";
    EXPECT_GE(r["goodput_mbps"], 0.95 * kGoodputLimitMbps);
    EXPECT_GT(r["drv_a_tx_csum_offloaded"], 0);
    expect_frames_accounted(r);
    expect_no_model_errors(r);
}

TEST_F(Bulk, OneMegabyteBothDirections) {
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--direction", "both", "--seed", s(test_seed(6)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "both"));
    EXPECT_EQ(r["wire_a_lost"] + r["wire_b_lost"] + r["drv_a_dev_rx_drop_mac"] + r["drv_b_dev_rx_drop_mac"], 0);
    // Both directions loaded: goodput counts both streams, so it may exceed one direction's limit,
    // never twice it.
    EXPECT_GT(r["goodput_mbps"], kGoodputLimitMbps);
    EXPECT_LE(r["goodput_mbps"], 2 * kGoodputLimitMbps);
    // When both applications are done, the queued ACKs of the last window may still wait in the TX
    // rings and the RX FIFOs (the run stops there): nothing is counted that did not arrive.
    for (char side : {'a', 'b'}) {
        Flow f = flow(r, side);
        EXPECT_LE(f.accounted, f.arrived) << side;
    }
    expect_no_model_errors(r);
}

TEST_F(Bulk, TwoParallelConnections) {
    SimRun r = sim.run({"bulk", "--bytes", "512k", "--connections", "2", "--seed", s(test_seed(7)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, 512 * 1024, "a2b", 2));
    // Each connection sends its own seeded data.
    ASSERT_EQ(r.bulk.size(), 4u);
    std::set<std::string> sent;
    for (const BulkLine& l : r.bulk)
        if (l.host == 'A') sent.insert(l.tx_hash);
    EXPECT_EQ(sent.size(), 2u) << "the two connections carried the same data";
    expect_no_model_errors(r);
}

// ---------------------------------------------------------------- loss and bit errors

TEST_F(Lossy, DataIntactAndCountersExplainTheDamage) {
    // 1 % loss and BER 2e-6: about 7 lost frames per direction and 18 bit errors in the ~9 Mbit
    // that A sends.
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--loss", "0.01", "--ber", "2e-6", "--seed", s(test_seed(3)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b"));
    EXPECT_GT(r["wire_a_lost"], 0);
    EXPECT_GT(r["wire_b_lost"], 0);
    EXPECT_GT(r["wire_a_damaged"], 0);
    // The receiving MAC drops what the wire damaged (FCS); a flip in the preamble may pass, so at most
    // as many drops as damaged frames, and at least one.
    EXPECT_GT(r["drv_b_dev_rx_drop_mac"], 0);
    EXPECT_LE(r["drv_b_dev_rx_drop_mac"], r["wire_a_damaged"]);
    EXPECT_LE(r["drv_a_dev_rx_drop_mac"], r["wire_b_damaged"]);
    // Only the wire lost frames: no ring or FIFO drops at this load.
    EXPECT_EQ(r["drv_b_dev_rx_drop_nodesc"] + r["drv_b_dev_rx_drop_fifo"], 0);
    // TCP repaired it.
    EXPECT_GT(r["tcp_a_retrans_segs"], 0);
    // Every frame the wire delivered is in the far NIC's counters.
    expect_frames_accounted(r);
    expect_no_model_errors(r);
}

TEST_F(Lossy, BothDirectionsDataIntact) {
    // (A seed whose lost frames are all repaired by fast retransmit: a lost retransmission waits
    // for the 1 s minimum RTO. Which seeds do depends on the NIC's timing to the cycle.)
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--direction", "both", "--loss", "0.01", "--ber", "2e-6", "--seed",
                     s(test_seed(14)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "both"));
    for (const char* n : {"a", "b"}) {
        const std::string w = std::string("wire_") + n + "_", far = std::string("drv_") + (n[0] == 'a' ? "b" : "a") + "_";
        EXPECT_GT(r[w + "lost"], 0) << n;
        EXPECT_GT(r[w + "damaged"], 0) << n;
        EXPECT_GT(r[far + "dev_rx_drop_mac"], 0) << n;
        EXPECT_LE(r[far + "dev_rx_drop_mac"], r[w + "damaged"]) << n;
        EXPECT_GT(r[std::string("tcp_") + n + "_retrans_segs"], 0) << n;
        Flow f = flow(r, n[0]);
        EXPECT_LE(f.accounted, f.arrived) << n;
    }
    expect_no_model_errors(r);
}

// ---------------------------------------------------------------- determinism

TEST_F(Determinism, SameSeedSameRunOtherSeedOtherRun) {
    const uint64_t seed = test_seed(11);
    auto args = [](uint64_t sd) {
        return std::vector<std::string>{"bulk", "--bytes", "512k", "--loss", "0.01", "--ber", "2e-6", "--seed", s(sd), "--quiet"};
    };
    // The other seed: 12 loses a retransmission and waits for the 1 s RTO; 13 does not.
    SimRun a = sim.run(args(seed), true), b = sim.run(args(seed), true), c = sim.run(args(seed + 2), true);
    ASSERT_TRUE(succeeded(a));
    ASSERT_TRUE(succeeded(b));
    ASSERT_TRUE(succeeded(c));
    EXPECT_GT(a["wire_a_lost"] + a["wire_b_lost"] + a["wire_a_damaged"] + a["wire_b_damaged"], 0) << "no fault to reproduce";
    EXPECT_TRUE(read_file(a.pcap) == read_file(b.pcap)) << "same seed, different captures: " << capture_difference(a, b);
    EXPECT_EQ(figure_differences(a, b, {}), "") << "same seed, different figures";
    EXPECT_EQ(a.bulk.size(), 2u);
    for (size_t i = 0; i < std::min(a.bulk.size(), b.bulk.size()); ++i) EXPECT_EQ(a.bulk[i].tx_hash, b.bulk[i].tx_hash);
    EXPECT_FALSE(read_file(a.pcap) == read_file(c.pcap)) << "seeds " << seed << " and " << seed + 2 << " gave the same capture";
    ASSERT_FALSE(c.bulk.empty());
    EXPECT_NE(a.bulk[0].tx_hash, c.bulk[0].tx_hash) << "the seed must reach the bulk data too";
}

// ---------------------------------------------------------------- quantum independence

namespace {
// 256 kB at 2 % loss and BER 2e-6 (a few lost and damaged frames), for quanta 1, 37 and 1000.
std::vector<std::string> quantum_args(uint64_t q) {
    return {"bulk", "--bytes", "256k", "--loss", "0.02", "--ber", "2e-6", "--seed", s(test_seed(21)), "--quantum", s(q), "--quiet"};
}
}  // namespace

TEST_F(Quantum, CaptureAndCountersDoNotDependOnIt) {
    SimRun q1 = sim.run(quantum_args(1), true), q37 = sim.run(quantum_args(37), true), q1000 = sim.run(quantum_args(1000), true);
    for (const SimRun* r : {&q1, &q37, &q1000}) {
        ASSERT_TRUE(succeeded(*r));
        EXPECT_EQ((*r)["pcap_frames"], (*r)["wire_a_frames"] + (*r)["wire_b_frames"]) << r->cmdline();
    }
    EXPECT_GT(q1000["wire_a_lost"] + q1000["wire_b_lost"] + q1000["wire_a_damaged"] + q1000["wire_b_damaged"], 0)
        << "the run met no fault: pick another seed";
    EXPECT_TRUE(read_file(q1.pcap) == read_file(q1000.pcap)) << "quantum 1 vs 1000: " << capture_difference(q1, q1000);
    EXPECT_TRUE(read_file(q37.pcap) == read_file(q1000.pcap)) << "quantum 37 vs 1000: " << capture_difference(q37, q1000);
    // `cycles` (NIC A's own cycle count at the end) is checked on its own: EndOfRunFiguresDoNotDependOnIt.
    EXPECT_EQ(figure_differences(q1, q1000, {"cycles"}), "") << "quantum 1 vs 1000";
    EXPECT_EQ(figure_differences(q37, q1000, {"cycles"}), "") << "quantum 37 vs 1000";
    expect_no_model_errors(q1);
}

TEST_F(Quantum, EndOfRunFiguresDoNotDependOnIt) {
    // Both directions busy with 300 ns memory: when the applications finish, NIC A has run ahead of
    // SystemC time (up to the wire's lookahead) and may already have sent another frame. The report
    // must still describe the same run for every quantum: `cycles` is the simulated time at 125 MHz
    // (the summary prints it so), and the wire's counts hold exactly the frames of the capture.
    auto args = [](uint64_t q) {
        return std::vector<std::string>{"bulk", "--bytes", "256k", "--direction", "both", "--host-latency", "300",
                                        "--seed", s(test_seed(5)), "--quantum", s(q), "--quiet"};
    };
    SimRun q1 = sim.run(args(1), true), q1000 = sim.run(args(1000), true);
    ASSERT_TRUE(succeeded(q1));
    ASSERT_TRUE(succeeded(q1000));
    EXPECT_TRUE(read_file(q1.pcap) == read_file(q1000.pcap)) << capture_difference(q1, q1000);
    EXPECT_EQ(figure_differences(q1, q1000, {}), "") << "quantum 1 vs 1000";
    for (const SimRun* r : {&q1, &q1000}) {
        const SimRun& x = *r;
        EXPECT_EQ(x["pcap_frames"], x["wire_a_frames"] + x["wire_b_frames"]) << "frames counted on the wire but not captured: " << x.cmdline();
        EXPECT_LE(std::fabs(x["cycles"] - x["sim_ns"] / 8), 1) << "cycles is not sim_ns at 125 MHz: " << x.cmdline();
    }
}

// ---------------------------------------------------------------- checksum offload

TEST_F(Offload, HttpVerifiedAgainstSoftware) {
    SimRun r = sim.run({"http", "--verify-offload", "--http-bytes", "20001", "--seed", s(test_seed(31)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    for (const char* n : {"a", "b"}) {
        const std::string d = std::string("drv_") + n + "_";
        EXPECT_EQ(r[std::string("wire_") + n + "_csum_bad"], 0) << n << ": a checksum the NIC inserted is wrong";
        EXPECT_EQ(r[d + "rx_csum_mismatch"], 0) << n << ": RX verdict differs from software";
        EXPECT_GT(r[d + "rx_csum_good"], 0) << n << ": the NIC verified nothing";
        EXPECT_EQ(r[d + "rx_csum_bad"], 0) << n;
        EXPECT_GT(r[d + "tx_csum_offloaded"], 0) << n;
    }
    EXPECT_NE(r.out.find("offload check   wire checksum errors 0/0, RX verdict mismatches 0/0"), std::string::npos) << r.out;
}

TEST_F(Offload, HttpWithoutOffload) {
    SimRun r = sim.run({"http", "--no-offload", "--http-bytes", "20001", "--seed", s(test_seed(31)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_EQ(r["drv_a_rx_csum_good"] + r["drv_b_rx_csum_good"], 0);
    EXPECT_EQ(r["drv_a_tx_csum_offloaded"] + r["drv_b_tx_csum_offloaded"], 0);
}

TEST_F(Offload, BulkVerifiedAndTheSameDataWithout) {
    // 1000001 bytes each way: an odd tail segment in both directions.
    const uint64_t bytes = 1000001, seed = test_seed(32);
    SimRun on = sim.run({"bulk", "--bytes", s(bytes), "--direction", "both", "--verify-offload", "--seed", s(seed), "--quiet"});
    SimRun off = sim.run({"bulk", "--bytes", s(bytes), "--direction", "both", "--no-offload", "--seed", s(seed), "--quiet"});
    ASSERT_TRUE(succeeded(on));
    ASSERT_TRUE(succeeded(off));
    EXPECT_TRUE(streams_match(on, bytes, "both"));
    EXPECT_TRUE(streams_match(off, bytes, "both"));
    for (const char* n : {"a", "b"}) {
        const std::string d = std::string("drv_") + n + "_";
        EXPECT_EQ(on[std::string("wire_") + n + "_csum_bad"], 0) << n;
        EXPECT_EQ(on[d + "rx_csum_mismatch"], 0) << n;
        EXPECT_EQ(on[d + "rx_csum_bad"], 0) << n;
        // Every TCP segment that reached the host was verified by the NIC (ARP frames are not).
        EXPECT_GT(on[d + "rx_csum_good"], 0.99 * on[d + "rx_frames"] - 4) << n;
        EXPECT_EQ(off[d + "rx_csum_good"], 0) << n;
        EXPECT_EQ(off[d + "tx_csum_offloaded"], 0) << n;
    }
    // Same seed, same data, whoever computes the checksums.
    ASSERT_EQ(on.bulk.size(), off.bulk.size());
    for (size_t i = 0; i < on.bulk.size(); ++i) {
        EXPECT_EQ(on.bulk[i].tx_hash, off.bulk[i].tx_hash);
        EXPECT_EQ(on.bulk[i].rx_hash, off.bulk[i].rx_hash);
    }
}

// ---------------------------------------------------------------- small rings

TEST_F(Ring, SixteenDescriptorsTxWaitsInTheDriver) {
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--ring-size", "16", "--seed", s(test_seed(41)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b"));
    // TCP's window is far more than 16 frames: the rest waits in the driver's software queue.
    EXPECT_GT(r["drv_a_tx_queued"], 0);
    // B takes an interrupt per frame and refills at once (no CPU cost configured): its 16 RX
    // descriptors never run out, nothing is dropped, nothing retransmitted.
    EXPECT_EQ(r["drv_b_dev_rx_drop_nodesc"], 0);
    EXPECT_EQ(r["tcp_a_retrans_segs"], 0);
    expect_frames_accounted(r);
    expect_no_model_errors(r);
}

TEST_F(Ring, RxRingExhaustedUnderInterruptModeration) {
    // Interrupt after 32 completions or 200 us: B's 16 RX descriptors fill before it is told (16
    // frames take 197 us at line rate), so the NIC drops frames for want of a descriptor. Two
    // connections: one alone, paced by its own ACKs (which B sends only when told), keeps at most
    // the 15 frames B has buffers for in flight, so whether the 16th comes is a matter of a few
    // microseconds of NIC timing; two have more in flight than that.
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--connections", "2", "--ring-size", "16", "--irq-mod-pkts", "32",
                     "--irq-mod-us", "200", "--seed", s(test_seed(42)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b", 2));
    EXPECT_GT(r["drv_b_dev_rx_drop_nodesc"], 0);
    // Every data segment dropped for want of a descriptor was sent again.
    EXPECT_GE(r["tcp_a_retrans_segs"], r["drv_b_dev_rx_drop_nodesc"]);
    EXPECT_EQ(r["wire_a_lost"] + r["drv_b_dev_rx_drop_mac"], 0);
    expect_frames_accounted(r);
    expect_no_model_errors(r);
}

// ---------------------------------------------------------------- link flap

TEST_F(Link, DownAndUpMidTransfer) {
    const uint64_t seed = test_seed(51);
    SimRun ref = sim.run({"bulk", "--bytes", "1M", "--seed", s(seed), "--quiet"});
    ASSERT_TRUE(succeeded(ref));
    // Down at 30 % of the clean run, for 0.5 ms (in 0.1 ms steps).
    const double down_ms = std::round(ref["sim_ns"] * 0.3 / 1e5) / 10, up_ms = down_ms + 0.5;
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--seed", s(seed), "--link-down", std::to_string(down_ms), "--link-up",
                     std::to_string(up_ms), "--quiet"},
                    true);
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b"));
    ASSERT_EQ(ref.bulk.size(), r.bulk.size());
    for (size_t i = 0; i < r.bulk.size(); ++i) EXPECT_EQ(ref.bulk[i].tx_hash, r.bulk[i].tx_hash) << "same seed, same data";
    // Both PHYs went down and up once; each driver saw it (link interrupts, one event each way).
    for (const char* n : {"a", "b"}) {
        const std::string d = std::string("drv_") + n + "_";
        EXPECT_EQ(r[d + "link_down_events"], 1) << n;
        EXPECT_EQ(r[d + "link_up_events"], 1) << n;
        EXPECT_GE(r[d + "irq_link"], 2) << n;
    }
    // The wire was silent while the link was down (a frame started just before may finish: 13 us),
    // and data flowed before and after.
    const uint64_t down_ns = uint64_t(down_ms * 1e6), up_ns = uint64_t(up_ms * 1e6);
    int before = 0, during = 0, after = 0;
    for (const PcapFrame& f : frames_of(r)) {
        if (f.tcp_payload() <= 0) continue;
        if (f.t_ns < down_ns) ++before;
        else if (f.t_ns >= down_ns + 13000 && f.t_ns < up_ns) ++during;
        else if (f.t_ns >= up_ns) ++after;
    }
    EXPECT_GT(before, 0);
    EXPECT_EQ(during, 0) << "data frames on the wire while the link was down";
    EXPECT_GT(after, 0) << "the transfer did not go on after the link came back";
    // What was sent into the dead link was lost and sent again; it took longer than the clean run.
    EXPECT_GT(r["tcp_a_retrans_segs"], 0);
    EXPECT_GT(r["sim_ns"], ref["sim_ns"]);
    EXPECT_EQ(r["wire_a_lost"] + r["wire_b_lost"], 0) << "the wire itself loses nothing here";
    expect_no_model_errors(r);
}

// ---------------------------------------------------------------- host memory latency

class HostLatency : public Cosim, public ::testing::WithParamInterface<int> {};

TEST_P(HostLatency, BulkCompletesWithinTheRules) {
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--host-latency", s(uint64_t(GetParam())), "--seed", s(test_seed(61)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b"));
    expect_no_model_errors(r);
    // Full-size frames keep the line busy even with slow memory (one DMA round trip per frame).
    EXPECT_GE(r["goodput_mbps"], 0.9 * kGoodputLimitMbps);
    EXPECT_EQ(r["drv_b_dev_rx_drop_fifo"] + r["drv_b_dev_rx_drop_nodesc"], 0);
}

INSTANTIATE_TEST_SUITE_P(Memory, HostLatency, ::testing::Values(100, 5000),
                         [](const ::testing::TestParamInfo<int>& i) { return std::to_string(i.param) + "ns"; });

// ---------------------------------------------------------------- fatal DMA error

TEST_F(DmaError, DriverResetsTheNicAndTcpRecovers) {
    // At 4 ms, during a transfer of about 9 ms, NIC A's DMA window shrinks to nothing: its next ring
    // access is refused (never performed), it raises the error interrupt, and the driver resets it
    // and rebuilds its rings. Frames posted but not sent are lost; TCP sends them again.
    SimRun r = sim.run({"bulk", "--bytes", "1M", "--inject-dma-error", "4", "--seed", s(test_seed(71)), "--quiet"});
    ASSERT_TRUE(succeeded(r));
    EXPECT_TRUE(streams_match(r, kMiB, "a2b"));
    EXPECT_GT(r["sim_ns"], 4e6) << "the transfer ended before the fault";
    EXPECT_GE(r["drv_a_dev_dma_err"], 1);
    EXPECT_GE(r["drv_a_irq_err"], 1);
    EXPECT_GE(r["drv_a_error_resets"], 1);
    // The device never touched memory outside its window (the checker on its AXI port).
    EXPECT_EQ(r["nic_a_dma_window_violations"], 0);
    EXPECT_EQ(r["nic_a_axi_protocol_errors"], 0);
    // Every frame A's driver posted was completed or lost to the reset (one may be in flight at the end).
    const double open = r["drv_a_tx_frames"] - r["drv_a_tx_completions"] - r["drv_a_tx_lost_in_reset"];
    EXPECT_GE(open, 0);
    EXPECT_LE(open, 1);
    EXPECT_GT(r["drv_a_tx_lost_in_reset"], 0);
    EXPECT_GT(r["tcp_a_retrans_segs"], 0);
    // B was not touched.
    EXPECT_EQ(r["drv_b_error_resets"] + r["drv_b_dev_dma_err"] + r["drv_b_watchdog_resets"], 0);
}

// ---------------------------------------------------------------- captures through tshark

namespace {
// tshark output and its stderr without the "Running as user root" warning.
struct TsharkOut {
    int status;
    std::string out, err;
};
TsharkOut tshark(TempDir& dir, const std::string& args) {
    const std::string o = dir.file("tshark.out"), e = dir.file("tshark.err");
    int st = std::system(("tshark " + args + " >" + o + " 2>" + e).c_str());
    TsharkOut t{WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_file(o), ""};
    std::istringstream in(read_file(e));
    std::string line;
    while (std::getline(in, line))
        if (line.find("Running as user") == std::string::npos && !line.empty()) t.err += line + "\n";
    return t;
}
}  // namespace

TEST_F(Tshark, ReadsEveryCaptureWithGoodChecksums) {
    ASSERT_EQ(std::system("command -v tshark >/dev/null 2>&1"), 0) << "tshark missing: install the Debian package tshark";
    const uint64_t seed = test_seed(81);
    std::vector<SimRun> runs;
    // The demo (ARP, ICMP, HTTP); its exit status is Http.DemoPingsAndFetches's business.
    runs.push_back(sim.run({"demo", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"ping", "--count", "2", "--size", "3000", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"bulk", "--bytes", "256k", "--loss", "0.02", "--ber", "2e-6", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"bulk", "--bytes", "256k", "--link-down", "1", "--link-up", "1.3", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"bulk", "--bytes", "256k", "--direction", "both", "--verify-offload", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"http", "--no-offload", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"bulk", "--bytes", "256k", "--inject-dma-error", "1", "--seed", s(seed), "--quiet"}, true));
    runs.push_back(sim.run({"bulk", "--bytes", "256k", "--ring-size", "16", "--irq-mod-pkts", "32", "--irq-mod-us", "200",
                            "--mtu", "576", "--seed", s(seed), "--quiet"},
                           true));
    for (const SimRun& r : runs) {
        SCOPED_TRACE(r.cmdline());
        ASSERT_EQ(r["ok"], 1);
        ASSERT_GT(r["pcap_frames"], 0);
        std::vector<PcapFrame> f = frames_of(r);
        EXPECT_EQ(double(f.size()), r["pcap_frames"]);
        TsharkOut t = tshark(sim.dir(), "-r " + r.pcap);
        EXPECT_EQ(t.status, 0);
        EXPECT_EQ(t.err, "") << "tshark complained";
        EXPECT_EQ(t.out.find("Malformed"), std::string::npos) << t.out;
        EXPECT_EQ(double(std::count(t.out.begin(), t.out.end(), '\n')), r["pcap_frames"]) << "tshark's frame count";
        // Frames are captured as sent, before the wire damages them: every IPv4, TCP, UDP and ICMP
        // checksum (inserted by the NIC, or by software with --no-offload) must be good.
        // Frames are captured as sent, before the wire damages them: every IPv4, TCP, UDP and ICMP
        // checksum (inserted by the NIC, or by software with --no-offload) must be good.
        TsharkOut cs = tshark(sim.dir(), "-r " + r.pcap + " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
                                         "-o udp.check_checksum:TRUE -T fields -e frame.number -e ip.checksum.status "
                                         "-e tcp.checksum.status -e udp.checksum.status -e icmp.checksum.status");
        EXPECT_EQ(cs.err, "");
        int good_ip = 0;
        std::string bad;
        std::istringstream lines(cs.out);
        std::string line;
        while (std::getline(lines, line)) {
            // frame, then one column per checksum; a column may hold several values (an ICMP error's
            // quoted header): 0 bad, 1 good, 2 unverified.
            std::vector<std::string> col;
            std::istringstream cl(line);
            std::string c;
            while (std::getline(cl, c, '\t')) col.push_back(c);
            for (size_t i = 1; i < col.size(); ++i) {
                std::istringstream vl(col[i]);
                std::string v;
                while (std::getline(vl, v, ',')) {
                    if (v == "0") bad += col[0] + " ";
                    if (i == 1 && v == "1") ++good_ip;
                }
            }
        }
        EXPECT_EQ(bad, "") << "frames with a bad checksum according to tshark";
        EXPECT_GT(good_ip, 0) << "tshark verified no IPv4 checksum at all";
    }
    // Wireshark decodes the HTTP exchange and reassembles the fragmented echo.
    TsharkOut http = tshark(sim.dir(), "-r " + runs[0].pcap + " -Y http.response.code==200 -T fields -e frame.number");
    EXPECT_NE(http.out, "") << "no HTTP 200 in the demo's capture";
    TsharkOut frag = tshark(sim.dir(), "-r " + runs[1].pcap + " -Y \"icmp.type==8 && data.len==3000\" -T fields -e frame.number");
    EXPECT_NE(frag.out, "") << "no reassembled 3000-byte echo request";
}

// ---------------------------------------------------------------- what a user watches

TEST_F(Observe, TraceLinksSocketCallsTcpStateDescriptorsAndRtlCycles) {
    SimRun r = sim.run({"http", "--http-bytes", "5000", "--loss", "0.2", "--seed", s(test_seed(40)), "--trace",
                        "--time-limit", "20000"});
    ASSERT_TRUE(succeeded(r));
    // Every line carries the simulated time and the RTL cycle of the event.
    auto has = [&](const std::string& what) { return r.out.find(what) != std::string::npos; };
    EXPECT_TRUE(has("cycle")) << r.out.substr(0, 2000);
    EXPECT_TRUE(has("A sock socket(SOCK_STREAM) = 3"));
    EXPECT_TRUE(has("A sock connect(3, 192.0.2.2:80)"));
    EXPECT_TRUE(has("B sock accept(3) = 4"));
    EXPECT_TRUE(has("-> SYN-SENT"));
    EXPECT_TRUE(has("-> ESTABLISHED"));
    EXPECT_TRUE(has(" cwnd ")) << "cwnd and RTO changes are traced";
    EXPECT_TRUE(has(" rto "));
    EXPECT_TRUE(has("driver tx desc ")) << "descriptor indexes and doorbells are traced";
    EXPECT_TRUE(has("driver rx completion "));
    EXPECT_TRUE(has("driver irq cause "));
    EXPECT_TRUE(has("[S] seq ")) << "segments with their sequence numbers";
    EXPECT_GT(r["tcp_a_retrans_segs"] + r["tcp_b_retrans_segs"], 0) << "20 % loss must make TCP retransmit";
}

TEST_F(Observe, WaveformsForAWindowOfSimulatedTime) {
    const std::string vcd = sim.dir().file("nic.vcd"), fst = sim.dir().file("nic.fst");
    SimRun v = sim.run({"ping", "--count", "1", "--vcd", vcd, "--wave-from", "200", "--wave-to", "260", "--quiet"});
    ASSERT_TRUE(succeeded(v));
    const std::string text = read_file(vcd);
    ASSERT_FALSE(text.empty()) << "no VCD written";
    EXPECT_NE(text.find("gmii_tx_en"), std::string::npos) << "the MAC's GMII signals are in the waveform";
    EXPECT_NE(text.find("m_axi_awvalid"), std::string::npos) << "the DMA master is in the waveform";
    // Only the window: time stamps (ps) between 200 and 260 us.
    uint64_t first = 0, last = 0;
    for (size_t at = text.find("\n#"); at != std::string::npos; at = text.find("\n#", at + 1)) {
        uint64_t t = std::strtoull(text.c_str() + at + 2, nullptr, 10);
        if (!first) first = t;
        last = t;
    }
    EXPECT_GE(first, 199000000u);
    EXPECT_LE(last, 261000000u);
    SimRun f = sim.run({"ping", "--count", "1", "--fst", fst, "--wave-to", "100", "--quiet"});
    ASSERT_TRUE(succeeded(f));
    const std::string bin = read_file(fst);
    ASSERT_GT(bin.size(), 100u) << "no FST written (vcd2fst, from the gtkwave package)";
    EXPECT_EQ(bin[0], 0) << "an FST file starts with its header block (type 0)";
}

TEST_F(Observe, ASlowerHostLowersGoodputAndTheDataStillArrives) {
    // An infinitely fast host (the default) against one that spends 20 us of CPU per frame: the
    // receiver then handles at most 50,000 frames/s, about 580 Mb/s of 1448-byte segments.
    SimRun fast = sim.run({"bulk", "--bytes", "1M", "--seed", s(test_seed(41)), "--quiet"});
    SimRun slow = sim.run({"bulk", "--bytes", "1M", "--seed", s(test_seed(41)), "--cpu-per-packet", "20000", "--quiet"});
    ASSERT_TRUE(succeeded(fast));
    ASSERT_TRUE(succeeded(slow));
    EXPECT_TRUE(streams_match(slow, kMiB, "a2b"));
    EXPECT_GT(fast["goodput_mbps"], 900);
    EXPECT_LT(slow["goodput_mbps"], 0.7 * fast["goodput_mbps"]) << "20 us per frame must show in the goodput";
    EXPECT_GT(slow["goodput_mbps"], 100);
}
