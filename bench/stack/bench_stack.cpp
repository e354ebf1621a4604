// Stack throughput over the in-memory link (two stacks, one process, virtual link time, host CPU time
// measured with the wall clock): UDP datagrams per second for several sizes, and ICMP echo round trips
// per second. The figures are what the software stack sustains on this CPU; beside each is the packet
// rate of 1 Gb/s Ethernet for that frame size (preamble + IFG + FCS counted), the NIC's line rate.
#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/memlink.h"
#include "wire/icmp.h"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;
using namespace nic;

namespace {

struct Pair {
    VirtualClock clock;
    MemLink link;
    Stack a, b;
    VirtualRunner runner{clock};
    SocketApi api_a{a, runner}, api_b{b, runner};
    explicit Pair(MemLinkConfig lc) : link(lc) {
        a.add_interface(InterfaceConfig{"eth0", &link.port(0), MacAddr{{2, 0, 0, 0, 0, 1}}, Ipv4Cidr{Ipv4Addr(192, 0, 2, 1), 24}, std::nullopt});
        b.add_interface(InterfaceConfig{"eth0", &link.port(1), MacAddr{{2, 0, 0, 0, 0, 2}}, Ipv4Cidr{Ipv4Addr(192, 0, 2, 2), 24}, std::nullopt});
        runner.add_stack(a);
        runner.add_stack(b);
        a.set_up(clock.now(), 0, true);
        b.set_up(clock.now(), 0, true);
    }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// 1 GbE packets/s for a UDP payload: Ethernet header 14 + IP 20 + UDP 8 + payload, padded to 60, plus
// FCS 4, preamble+SFD 8 and inter-frame gap 12 (IEEE 802.3).
double gbe_pps(size_t l4_payload, size_t l4_header) {
    size_t frame = std::max<size_t>(14 + 20 + l4_header + l4_payload, 60) + 4;
    return 1e9 / (8.0 * double(frame + 8 + 12));
}

void bench_udp(size_t size, uint64_t count) {
    MemLinkConfig lc;
    lc.latency = Duration::from_us(1);
    lc.queue_frames = 4096;
    Pair p(lc);
    int rx = p.api_b.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int big = 16 << 20;
    p.api_b.setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 9});
    p.api_b.bind(rx, reinterpret_cast<sockaddr*>(&any), sizeof any);
    int tx = p.api_a.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(Endpoint{Ipv4Addr(192, 0, 2, 2), 9});
    p.api_a.connect(tx, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::vector<uint8_t> buf(size, 0x5a), in(65536);
    // Warm up ARP so the loop measures the steady state.
    p.api_a.send(tx, buf.data(), buf.size(), 0);
    p.runner.run_for(Duration::from_ms(1));
    while (p.api_b.recv(rx, in.data(), in.size(), 0) >= 0) {
    }
    uint64_t received = 0, sent = 0;
    auto t0 = std::chrono::steady_clock::now();
    while (sent < count) {
        for (int i = 0; i < 256 && sent < count; ++i, ++sent) p.api_a.send(tx, buf.data(), buf.size(), 0);
        p.runner.run_for(Duration::from_us(20));
        while (p.api_b.recv(rx, in.data(), in.size(), 0) >= 0) ++received;
    }
    p.runner.run_for(Duration::from_ms(1));
    while (p.api_b.recv(rx, in.data(), in.size(), 0) >= 0) ++received;
    double dt = seconds_since(t0);
    double pps = double(received) / dt;
    double limit = gbe_pps(size, 8);
    std::printf("udp   %6zu B  %10.0f pkt/s  %8.1f Mb/s payload  (%5.1f%% of 1 GbE %9.0f pkt/s)  lost %llu\n", size, pps,
                pps * double(size) * 8 / 1e6, 100.0 * pps / limit, limit, (unsigned long long)(sent - received));
}

void bench_ping(size_t size, uint64_t count) {
    Pair p(MemLinkConfig{});
    int fd = p.api_a.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    sockaddr_in to = make_sockaddr(Endpoint{Ipv4Addr(192, 0, 2, 2), 0});
    p.api_a.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::vector<uint8_t> msg(kIcmpHeaderLen + size, 0), in(65536);
    msg[0] = kIcmpEchoRequest;
    uint64_t ok = 0;
    Instant v0 = p.clock.now();
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < count; ++i) {
        wr16(&msg[6], uint16_t(i));
        p.api_a.send(fd, msg.data(), msg.size(), 0);
        if (p.api_a.recv(fd, in.data(), in.size(), 0) > 0) ++ok;  // blocking: runs both stacks
    }
    double dt = seconds_since(t0);
    double link_rtt_us = (p.clock.now() - v0).to_s() * 1e6 / double(count);
    std::printf("icmp  %6zu B  %10.0f echo round trips/s (host CPU)  virtual RTT %.1f us  replies %llu/%llu\n", size,
                double(ok) / dt, link_rtt_us, (unsigned long long)ok, (unsigned long long)count);
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("bench_stack: UDP packets/s and ICMP echo round trips/s over the in-memory link\nOptions");
    opts.add_options()("help,h", "show this help")
        ("udp-count", po::value<int64_t>()->default_value(200000), "datagrams per UDP size")
        ("ping-count", po::value<int64_t>()->default_value(50000), "echo round trips per size");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "bench_stack: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    // Signed on purpose: boost parses "-1" into an unsigned as 2^64-1, a run that never ends.
    if (vm["udp-count"].as<int64_t>() < 1 || vm["ping-count"].as<int64_t>() < 1) {
        std::cerr << "bench_stack: --udp-count and --ping-count must be at least 1 (see --help)\n";
        return 2;
    }
    std::printf("host stack over the in-memory link, one core, two stacks in one process\n");
    for (size_t s : {18, 512, 1472}) bench_udp(s, uint64_t(vm["udp-count"].as<int64_t>()));
    for (size_t s : {56, 1400}) bench_ping(s, uint64_t(vm["ping-count"].as<int64_t>()));
    return 0;
}
