// nicsim: the whole system in one SystemC simulation. Two hosts (application, TCP/IP stack, driver)
// and two Verilated NICs joined by a simulated wire, or one host whose wire ends in a Linux TAP device.
//   nicsim                      the demo: ARP, ping, then an HTTP GET, every frame as it crosses the RTL
//   nicsim bulk --bytes 8M      a bulk TCP transfer with goodput against the line's limit
//   nicsim http --loss 0.01 --ber 1e-6 --pcap run.pcap
//   nicsim tap --netns lab      ping and curl from Linux (192.0.2.1) reach 192.0.2.2 through the RTL
#include "apps/cli.h"
#include "bulk/bulk.h"
#include "cosim/system.h"

#include <boost/program_options.hpp>

#include <systemc>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace po = boost::program_options;
using nic::cosim::SimOptions;

namespace {

// SystemC prints a copyright banner at start-up unless this is set (sc_ver.cpp); set it before
// anything of SystemC runs.
const int g_no_banner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);

}  // namespace

int sc_main(int argc, char** argv) {
    SimOptions o;
    std::string bulk_bytes = "4M", http_bytes = "20000", seed;
    po::options_description opts(
        "nicsim [SCENARIO] [options]\n"
        "Scenarios: demo (default: ARP, ping, HTTP GET), ping, http, bulk, tap\n"
        "Options");
    opts.add_options()
        ("help,h", "show this help")
        ("seed", po::value<std::string>(&seed)->default_value("1"), "seed of the wire's faults, the stacks and the data")
        ("loss", po::value<double>(&o.loss)->default_value(0), "probability a frame is lost on the wire (each direction)")
        ("ber", po::value<double>(&o.ber)->default_value(0), "bit error rate on the wire (the MACs drop damaged frames)")
        ("delay", po::value<uint64_t>(&o.delay_ns)->default_value(500), "wire propagation delay in ns (>= 8)")
        ("link-down", po::value<double>(&o.link_down_ms)->default_value(0), "take the link down at this simulated ms")
        ("link-up", po::value<double>(&o.link_up_ms)->default_value(0), "... and up again at this simulated ms")
        ("mtu", po::value<size_t>(&o.mtu)->default_value(1500), "MTU of both hosts (576..1500)")
        ("no-offload", "compute every checksum in software (the NICs' engines unused)")
        ("verify-offload", "check every checksum the NICs insert or verify against software")
        ("nodelay", "TCP_NODELAY on the bulk connections")
        ("host-latency", po::value<uint64_t>(&o.host_latency_ns)->default_value(1000), "host memory latency for the NIC's DMA, ns")
        ("mmio-latency", po::value<uint64_t>(&o.mmio_latency_ns)->default_value(500), "register read round trip for the host, ns")
        ("ring-size", po::value<unsigned>(&o.ring_size)->default_value(256), "TX and RX descriptor ring entries (16..4096)")
        ("irq-mod-pkts", po::value<unsigned>(&o.irq_mod_pkts)->default_value(1), "interrupt after this many completions")
        ("irq-mod-us", po::value<unsigned>(&o.irq_mod_us)->default_value(0), "... or this many us after the first (0: off)")
        ("quantum", po::value<uint64_t>(&o.quantum)->default_value(1000), "NIC core cycles between synchronisations (results do not depend on it)")
        ("cpu-per-packet", po::value<double>(&o.cpu_ns_per_packet)->default_value(0), "host CPU ns per frame sent or received")
        ("cpu-per-byte", po::value<double>(&o.cpu_ns_per_byte)->default_value(0), "host CPU ns per byte of those frames")
        ("inject-dma-error", po::value<double>(&o.inject_dma_error_ms)->default_value(0), "break NIC A's DMA window at this simulated ms")
        ("pcap", po::value<std::string>(&o.pcap), "capture the wire (both directions, simulated time stamps)")
        ("vcd", po::value<std::string>(&o.vcd), "waveform of NIC A (VCD, for GTKWave)")
        ("fst", po::value<std::string>(&o.fst), "waveform of NIC A (FST, converted with vcd2fst)")
        ("wave-from", po::value<double>(&o.wave_from_us)->default_value(0), "waveform from this simulated us")
        ("wave-to", po::value<double>(&o.wave_to_us)->default_value(0), "... to this simulated us (0: whole run)")
        ("trace", "one line per event: frames, descriptors and interrupts, TCP state, cwnd and RTO, with the RTL cycle")
        ("report", po::value<std::string>(&o.report), "write every figure as 'name value' lines to this file")
        ("quiet,q", "print only the summary")
        ("stats", "after the summary, every counter of each host: stack, TCP, driver and device")
        ("count,c", po::value<int>(&o.count)->default_value(3), "ping: echo requests")
        ("interval", po::value<double>(&o.interval_ms)->default_value(1), "ping: simulated ms between requests")
        ("size,s", po::value<size_t>(&o.ping_size)->default_value(56), "ping: data bytes")
        ("http-bytes", po::value<std::string>(&http_bytes)->default_value("20000"), "http/demo: body size of the GET")
        ("requests", po::value<int>(&o.http_requests)->default_value(1), "http: GETs on one connection")
        ("bytes,n", po::value<std::string>(&bulk_bytes)->default_value("4M"), "bulk: bytes per connection and direction (k/M/G)")
        ("direction,d", po::value<std::string>(&o.direction)->default_value("a2b"), "bulk: a2b | b2a | both")
        ("connections", po::value<int>(&o.connections)->default_value(1), "bulk: parallel connections")
        ("tap", po::value<std::string>(&o.tap)->default_value("nicsim0"), "tap: TAP interface name")
        ("netns", po::value<std::string>(&o.netns)->default_value(""), "tap: create the TAP device in this network namespace")
        ("tap-seconds", po::value<double>(&o.tap_seconds)->default_value(30), "tap: serve this many wall-clock seconds")
        ("time-limit", po::value<double>(&o.time_limit_ms)->default_value(2000), "give up after this many simulated ms");
    po::variables_map vm;
    if (int rc = nic::apps::parse_scenario_command_line(argc, argv, "nicsim", opts, o.scenario, "demo", vm); rc >= 0)
        return rc;
    o.offload = !vm.count("no-offload");
    o.verify_offload = vm.count("verify-offload") > 0;
    o.nodelay = vm.count("nodelay") > 0;
    o.trace = vm.count("trace") > 0;
    o.quiet = vm.count("quiet") > 0;
    o.stats = vm.count("stats") > 0;
    const std::string& s = o.scenario;
    if (s != "demo" && s != "ping" && s != "http" && s != "bulk" && s != "tap")
        return nic::apps::usage_error("nicsim", "unknown scenario '" + s + "' (demo, ping, http, bulk, tap)");
    if (!(o.loss >= 0 && o.loss < 1)) return nic::apps::usage_error("nicsim", "--loss must be in [0, 1)");
    if (!(o.ber >= 0 && o.ber < 1e-2)) return nic::apps::usage_error("nicsim", "--ber must be in [0, 0.01)");
    if (o.delay_ns < 8 || o.delay_ns > 1000000000) return nic::apps::usage_error("nicsim", "--delay must be 8..1e9 ns");
    // The NIC's FIFOs hold 4 KB: two frames of at most 1514 bytes fit, jumbo frames do not.
    if (o.mtu < 576 || o.mtu > 1500) return nic::apps::usage_error("nicsim", "--mtu must be 576..1500 (the NIC's 4 KB FIFOs take no jumbo frames)");
    if (o.ring_size < 16 || o.ring_size > 4096) return nic::apps::usage_error("nicsim", "--ring-size must be 16..4096");
    if (o.host_latency_ns < 8 || o.host_latency_ns > 1000000) return nic::apps::usage_error("nicsim", "--host-latency must be 8..1000000 ns");
    if (o.mmio_latency_ns > 1000000) return nic::apps::usage_error("nicsim", "--mmio-latency must be at most 1000000 ns");
    if (o.quantum < 1 || o.quantum > 10000) return nic::apps::usage_error("nicsim", "--quantum must be 1..10000 cycles");
    if (o.irq_mod_pkts > 65535) return nic::apps::usage_error("nicsim", "--irq-mod-pkts must be 0..65535");
    if (o.irq_mod_us > 100000) return nic::apps::usage_error("nicsim", "--irq-mod-us must be 0..100000");
    if (o.count < 1 || o.count > 100000) return nic::apps::usage_error("nicsim", "--count must be 1..100000");
    if (!(o.interval_ms >= 0 && o.interval_ms <= 10000)) return nic::apps::usage_error("nicsim", "--interval must be 0..10000 ms");
    if (o.ping_size > 65000) return nic::apps::usage_error("nicsim", "--size must be at most 65000");
    if (o.http_requests < 1 || o.http_requests > 1000) return nic::apps::usage_error("nicsim", "--requests must be 1..1000");
    if (o.connections < 1 || o.connections > 64) return nic::apps::usage_error("nicsim", "--connections must be 1..64");
    if (o.direction != "a2b" && o.direction != "b2a" && o.direction != "both")
        return nic::apps::usage_error("nicsim", "--direction must be a2b, b2a or both");
    if (!nic::parse_byte_count(seed, o.seed, uint64_t(1) << 36)) return nic::apps::usage_error("nicsim", "bad --seed '" + seed + "' (a number 0..2^36)");
    if (!nic::parse_byte_count(bulk_bytes, o.bulk_bytes, uint64_t(1) << 36)) return nic::apps::usage_error("nicsim", "bad --bytes '" + bulk_bytes + "'");
    if (!nic::parse_byte_count(http_bytes, o.http_bytes, uint64_t(1) << 36)) return nic::apps::usage_error("nicsim", "bad --http-bytes '" + http_bytes + "'");
    if (!(o.cpu_ns_per_packet >= 0 && o.cpu_ns_per_packet <= 1e9) || !(o.cpu_ns_per_byte >= 0 && o.cpu_ns_per_byte <= 1e6))
        return nic::apps::usage_error("nicsim", "--cpu-per-packet / --cpu-per-byte out of range");
    if (!(o.time_limit_ms > 0 && o.time_limit_ms <= 1e6)) return nic::apps::usage_error("nicsim", "--time-limit must be 0..1e6 ms");
    if (!(o.tap_seconds > 0 && o.tap_seconds <= 86400)) return nic::apps::usage_error("nicsim", "--tap-seconds must be 0..86400");
    if (o.link_up_ms > 0 && !(o.link_down_ms > 0 && o.link_up_ms > o.link_down_ms))
        return nic::apps::usage_error("nicsim", "--link-up needs an earlier --link-down");
    if (!o.vcd.empty() && !o.fst.empty()) return nic::apps::usage_error("nicsim", "give --vcd or --fst, not both");
    if (o.wave_to_us > 0 && o.wave_to_us <= o.wave_from_us) return nic::apps::usage_error("nicsim", "--wave-to must be after --wave-from");
    if (s == "tap" && o.tap.empty()) return nic::apps::usage_error("nicsim", "--tap needs an interface name");

    // SystemC prints its banner and an info line per sc_stop; neither is the user's business.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    nic::cosim::SimReport r = nic::cosim::run_system(o, stdout);
    if (!r.ok && !r.failure.empty() && r.figures.empty()) std::cerr << "nicsim: " << r.failure << "\n";
    return r.ok ? 0 : 1;
}
