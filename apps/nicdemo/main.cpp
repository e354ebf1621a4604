// nicdemo: the project's demo. For now the MAC on its own: TX GMII wired to RX GMII through a
// simulated cable that damages a few frames, a few hundred frames of mixed sizes, a statistics
// table checked against the reference model, a pcap of what the receiver delivered and, on
// request, a VCD waveform. Later the full system (driver, stack, NIC) takes its place.
//
//   nicdemo [--frames N] [--faults N] [--seed S] [--pcap FILE] [--vcd FILE]
#include "mac/gmii_ref.h"
#include "mac/mac_harness.h"
#include "phy/pcap_writer.h"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <set>
#include <string>

namespace po = boost::program_options;
using namespace nic;
using namespace nic::sim;

namespace {

constexpr double kBytePeriodNs = 8.0;   // GMII at 125 MHz: one byte per 8 ns

// A frame of mixed size with a sequence number, EtherType 0x88B5 (IEEE 802 local experimental),
// so tshark shows each one and its number.
std::vector<uint8_t> demo_frame(uint32_t seq, size_t len, std::mt19937_64& rng) {
    std::vector<uint8_t> f = {0x02, 0x4e, 0x49, 0x43, 0x00, 0x02,   // dst: locally administered
                              0x02, 0x4e, 0x49, 0x43, 0x00, 0x01,   // src
                              0x88, 0xb5,
                              uint8_t(seq >> 24), uint8_t(seq >> 16), uint8_t(seq >> 8), uint8_t(seq)};
    while (f.size() < len) f.push_back(uint8_t(rng()));
    return f;
}

// The RX faults the demo injects on the cable, one of each kind in turn.
const char* const kFaultNames[] = {"bit flip", "rx_er", "truncated", "stray bytes",
                                   "bad SFD", "runt", "short preamble (tolerated)"};
constexpr int kFaultKinds = 7;

void inject(int kind, Symbols& s, std::mt19937_64& rng) {
    size_t n = s.size();
    switch (kind) {
    case 0: s[8 + rng() % (n - 8)].d ^= uint8_t(1u << (rng() % 8)); break;
    case 1: s[8 + rng() % (n - 8)].er = true; break;
    case 2: s.resize(n - 1 - rng() % 3); break;
    case 3: s.push_back(ref::GmiiSymbol{0xA5, true, false}); break;
    case 4: s[7].d = 0xD4; break;
    case 5: s.resize(8 + 20); break;
    case 6: s.erase(s.begin(), s.begin() + 4); break;
    }
}

}  // namespace

int main(int argc, char** argv) {
    unsigned frames = 300, faults = 7, ifg = 12, max_len = 1518;
    uint64_t seed = 1;
    std::string pcap_path, vcd_path;
    po::options_description opts(
        "nicdemo: 1G Ethernet MAC (rtl/mac) in loopback, TX GMII -> cable with faults -> RX GMII.\n"
        "Prints the MAC's counters beside what the reference model expects; writes a pcap of\n"
        "the frames the receiver delivered and, on request, a VCD waveform.\n\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("frames,n", po::value(&frames)->default_value(frames), "frames to send")
        ("faults,f", po::value(&faults)->default_value(faults), "frames to damage on the cable")
        ("seed,s", po::value(&seed)->default_value(seed), "random seed (sizes, contents, faults)")
        ("ifg", po::value(&ifg)->default_value(ifg), "inter-frame gap, byte times (1..255)")
        ("max-len", po::value(&max_len)->default_value(max_len),
         "longest frame the receiver accepts, FCS included (64..9018)")
        ("pcap", po::value(&pcap_path), "write the delivered frames to this pcap file")
        ("vcd", po::value(&vcd_path), "write a VCD waveform of the whole run (GTKWave)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nicdemo: " << e.what() << "\n(try --help)\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }
    if (frames == 0 || frames > 10'000'000) {
        std::cerr << "nicdemo: --frames must be 1..10000000\n";
        return 2;
    }
    if (faults > frames) faults = frames;
    if (ifg < 1 || ifg > 255 || max_len < 64 || max_len > 9018) {
        std::cerr << "nicdemo: --ifg must be 1..255 and --max-len 64..9018\n";
        return 2;
    }

    PcapWriter pcap;
    if (!pcap_path.empty() && !pcap.open(pcap_path)) {
        std::cerr << "nicdemo: " << pcap.error() << "\n";
        return 1;
    }

    MacConfig cfg;
    cfg.ifg = uint8_t(ifg);
    cfg.max_len = uint16_t(max_len);
    cfg.rx_gap = ifg;
    cfg.vcd = vcd_path;
    MacHarness h(cfg);
    std::mt19937_64 rng(seed);

    // Which frames get damaged: spread evenly, kinds in turn.
    std::set<unsigned> damaged;
    for (unsigned i = 0; i < faults; ++i) damaged.insert(unsigned((i + 0.5) * frames / faults));
    unsigned burst_no = 0, fault_no = 0;
    std::vector<ref::RxExpect> expected;
    std::array<uint64_t, ref::kRxOutcomes> expect_count{};
    std::vector<std::string> fault_log;
    h.set_fault_hook([&](Symbols& s) {
        if (damaged.count(burst_no)) {
            int kind = int(fault_no++ % kFaultKinds);
            inject(kind, s, rng);
            fault_log.push_back("frame " + std::to_string(burst_no) + ": " + kFaultNames[kind]);
        }
        ++burst_no;
    });
    h.set_wire_tap([&](const Symbols& s, uint64_t) {
        expected.push_back(ref::classify(s, max_len));
        ++expect_count[int(expected.back().outcome)];
        fault_log.size() && fault_log.back().find(" -> ") == std::string::npos &&
                damaged.count(burst_no - 1)
            ? void(fault_log.back() += std::string(" -> ") + ref::to_string(expected.back().outcome))
            : void();
    });

    // Mixed sizes: minimum, IMIX-like small/medium/large, maximum, and random.
    const size_t mix[] = {60, 60, 60, 60, 60, 60, 60, 572, 572, 572, 1514, 124, 252, 508, 1020};
    uint64_t payload_bytes = 0;
    for (unsigned i = 0; i < frames; ++i) {
        size_t len = i % 4 == 3 ? 14 + 4 + rng() % (1514 - 18 + 1) : mix[i % 15];
        auto f = demo_frame(i, len, rng);
        payload_bytes += f.size();
        h.send(f);
    }

    auto t0 = std::chrono::steady_clock::now();
    size_t next_frame = 0;
    uint64_t next_report = 1'000'000;
    while (!h.idle()) {
        h.step();
        auto& got = h.rx_frames();
        for (; next_frame < got.size(); ++next_frame)
            pcap.write(uint64_t(got[next_frame].cycle * kBytePeriodNs), got[next_frame].data.data(),
                       got[next_frame].data.size());
        if (h.cycle() >= next_report) {
            std::fprintf(stderr, "\r  %llu cycles, %zu frames received",
                         (unsigned long long)h.cycle(), got.size());
            next_report += 1'000'000;
        }
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (next_report > 1'000'000) std::fprintf(stderr, "\n");

    auto c = h.counters();
    double sim_s = h.cycle() * kBytePeriodNs * 1e-9;
    std::printf("nicdemo: MAC loopback, %u frames (%llu bytes without FCS), seed %llu, IFG %u\n\n",
                frames, (unsigned long long)payload_bytes, (unsigned long long)seed, ifg);
    std::printf("  cable faults injected:\n");
    for (auto& l : fault_log) std::printf("    %s\n", l.c_str());

    bool ok = true;
    std::printf("\n  %-18s %12s %12s\n", "counter", "RTL", "expected");
    auto row = [&](const char* name, uint64_t got, uint64_t want, const char* unit) {
        bool match = got == want;
        ok &= match;
        std::printf("  %-18s %12llu %12llu %-7s %s\n", name, (unsigned long long)got,
                    (unsigned long long)want, unit, match ? "" : "MISMATCH");
    };
    uint64_t want_rx_bytes = 0;
    for (auto& e : expected)
        if (e.outcome == ref::RxOutcome::Good) want_rx_bytes += e.length;
    uint64_t want_tx_bytes = 0;
    for (auto& b : h.tx_bursts()) want_tx_bytes += b.symbols.size() - 8;
    row("tx_frames", c.tx[MacCounters::kTxFrames], frames, "frames");
    row("tx_bytes", c.tx[MacCounters::kTxBytes], want_tx_bytes, "bytes");
    row("tx_err_underflow", c.tx[MacCounters::kTxUnderflow], 0, "frames");
    row("tx_err_abort", c.tx[MacCounters::kTxAbort], 0, "frames");
    row("rx_frames", c.rx[MacCounters::kRxFrames], expect_count[0], "frames");
    row("rx_bytes", c.rx[MacCounters::kRxBytes], want_rx_bytes, "bytes");
    for (int o = 1; o < ref::kRxOutcomes; ++o) {
        int idx = MacCounters::rx_index(ref::RxOutcome(o));
        row(MacCounters::rx_name(idx), c.rx[idx], expect_count[o], "frames");
    }

    size_t delivered_ok = 0, flagged = 0, k = 0;
    for (auto& e : expected) {
        if (!e.has_output) continue;
        auto& g = h.rx_frames()[k++];
        bool good = e.outcome == ref::RxOutcome::Good;
        if (g.bad != !good || g.data != e.delivered) ok = false;
        (good ? delivered_ok : flagged)++;
    }
    if (k != h.rx_frames().size()) ok = false;

    std::printf("\n  delivered intact   %zu frames, flagged bad (tuser) %zu frames\n", delivered_ok,
                flagged);
    std::printf("  simulated time     %.3f ms (%llu cycles at 125 MHz), link carrying frames %.1f %% of byte times\n",
                sim_s * 1e3, (unsigned long long)h.cycle(),
                100.0 * c.tx[MacCounters::kTxBytes] / double(h.cycle()));
    std::printf("  simulation speed   %.2f M cycles/s, %.0f frames/s (%.1fx slower than real time)\n",
                h.cycle() / wall / 1e6, frames / wall, wall / sim_s);
    if (pcap.is_open())
        std::printf("  pcap               %s (%llu frames, delivered by the receiver, no FCS)\n",
                    pcap_path.c_str(), (unsigned long long)pcap.frames());
    if (!vcd_path.empty()) std::printf("  waveform           %s (open with gtkwave)\n", vcd_path.c_str());
    std::printf("\n  result: %s\n", ok ? "every counter and every frame matches the reference model"
                                        : "MISMATCH against the reference model");
    return ok ? 0 : 1;
}
