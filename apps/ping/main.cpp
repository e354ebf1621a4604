// nicping: the stack's ping client, on a Linux TAP device (wall clock) or, with --sim, against a second
// stack over the in-memory link with optional faults (virtual clock, no root needed).
//   nicping --tap nictap0 --netns lab --addr 192.0.2.2/24 -c 3 192.0.2.1
//   nicping --sim --loss 0.1 --reorder 0.1 -c 100 -i 0.01 192.0.2.1
#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/fault.h"
#include "phy/memlink.h"
#include "phy/pcap_device.h"
#include "phy/tap.h"
#include "svc/dns.h"
#include "svc/ping.h"

#include <boost/program_options.hpp>
#include <sodium.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <iostream>
#include <memory>

namespace po = boost::program_options;
using namespace nic;

int main(int argc, char** argv) {
    po::options_description opts("nicping [options] DESTINATION\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("tap", po::value<std::string>(), "TAP interface to create or attach to (needs CAP_NET_ADMIN)")
        ("netns", po::value<std::string>()->default_value(""), "create the TAP inside this network namespace")
        ("addr", po::value<std::string>()->default_value("192.0.2.2/24"), "the stack's address/prefix")
        ("gateway", po::value<std::string>(), "default gateway")
        ("dns", po::value<std::string>(), "DNS server for resolving a DESTINATION name")
        ("count,c", po::value<int>()->default_value(4), "echo requests to send")
        ("interval,i", po::value<double>()->default_value(1.0), "seconds between requests")
        ("size,s", po::value<size_t>()->default_value(56), "data bytes per request")
        ("timeout,W", po::value<double>()->default_value(1.0), "seconds to wait for replies after the last request")
        ("ttl,t", po::value<int>()->default_value(64), "IP time to live")
        ("pcap", po::value<std::string>(), "write every frame of the stack's interface to this pcap file")
        ("stats", "print the stack's counters (netstat -s) at the end")
        ("sim", "ping a second stack (192.0.2.1) over the in-memory link on a virtual clock")
        ("loss", po::value<double>()->default_value(0.0), "--sim: drop probability per frame and direction")
        ("reorder", po::value<double>()->default_value(0.0), "--sim: reorder probability")
        ("seed", po::value<uint64_t>()->default_value(1), "--sim: fault injector seed")
        ("dest", po::value<std::string>(), "destination address or name");
    po::positional_options_description pos;
    pos.add("dest", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nicping: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (!vm.count("dest") || (!vm.count("tap") && !vm.count("sim"))) {
        std::cerr << "nicping: need a DESTINATION and either --tap NAME or --sim\n" << opts;
        return 2;
    }
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) {
        std::cerr << "nicping: bad --addr\n";
        return 2;
    }
    std::optional<Ipv4Addr> gw;
    if (vm.count("gateway")) gw = Ipv4Addr::parse(vm["gateway"].as<std::string>());

    // Devices: TAP (wall clock) or an in-memory link to a peer stack (virtual clock).
    WallClock wall;
    VirtualClock vclock;
    std::unique_ptr<TapDevice> tap;
    std::unique_ptr<MemLink> link;
    std::unique_ptr<FaultInjector> fa, fb;
    Device* dev = nullptr;
    bool sim = vm.count("sim");
    if (sim) {
        link = std::make_unique<MemLink>();
        FaultConfig fc;
        fc.drop = vm["loss"].as<double>();
        fc.reorder = vm["reorder"].as<double>();
        uint64_t seed = vm["seed"].as<uint64_t>();
        fa = std::make_unique<FaultInjector>(link->port(0), seed, fc);
        fb = std::make_unique<FaultInjector>(link->port(1), seed + 1, fc);
        dev = fa.get();
    } else {
        tap = std::make_unique<TapDevice>();
        if (!tap->open(vm["tap"].as<std::string>(), vm["netns"].as<std::string>())) {
            std::cerr << "nicping: " << tap->error() << "\n";
            return 1;
        }
        dev = tap.get();
    }
    PcapWriter pw;
    std::unique_ptr<PcapDevice> cap;
    if (vm.count("pcap")) {
        if (!pw.open(vm["pcap"].as<std::string>())) {
            std::cerr << "nicping: " << pw.error() << "\n";
            return 1;
        }
        cap = std::make_unique<PcapDevice>(*dev, pw);
        dev = cap.get();
    }
    // On a real network the ephemeral ports and IP IDs must not be predictable (RFC 6056): seed from
    // the CSPRNG; the simulated runs keep the fixed seed so they reproduce.
    StackConfig sc;
    if (!sim && sodium_init() >= 0) randombytes_buf(&sc.seed, sizeof sc.seed);
    Stack stack(sc);
    stack.add_interface(InterfaceConfig{"eth0", dev, MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 2}}, *cidr, gw});
    Stack peer;
    if (sim) peer.add_interface(InterfaceConfig{"eth0", fb.get(), MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 1}}, Ipv4Cidr{Ipv4Addr(192, 0, 2, 1), 24}, std::nullopt});
    std::unique_ptr<Runner> runner;
    if (sim) {
        auto vr = std::make_unique<VirtualRunner>(vclock);
        vr->add_stack(stack);
        vr->add_stack(peer);
        runner = std::move(vr);
    } else {
        auto wr = std::make_unique<WallRunner>(wall);
        wr->add_stack(stack);
        wr->add_fd(tap->fd());
        runner = std::move(wr);
    }
    stack.set_up(runner->now(), 0, true);
    if (sim) peer.set_up(runner->now(), 0, true);
    SocketApi api(stack, *runner);

    std::string dest = vm["dest"].as<std::string>();
    auto dst = Ipv4Addr::parse(dest);
    if (!dst) {
        if (!vm.count("dns")) {
            std::cerr << "nicping: " << dest << " is not an address; give --dns SERVER to resolve it\n";
            return 2;
        }
        ResolverConfig rc;
        auto server = Ipv4Addr::parse(vm["dns"].as<std::string>());
        if (!server) {
            std::cerr << "nicping: bad --dns\n";
            return 2;
        }
        rc.server = Endpoint{*server, 53};
        Resolver res(api, rc);
        std::vector<Endpoint> eps;
        std::string why;
        int rcode = res.getaddrinfo(dest, 0, eps, &why);
        if (rcode != 0) {
            std::cerr << "nicping: " << dest << ": " << Resolver::gai_strerror(rcode) << " (" << why << ")\n";
            return 2;
        }
        dst = eps[0].addr;
    }
    PingConfig pc;
    pc.dst = *dst;
    pc.count = vm["count"].as<int>();
    pc.interval = Duration{int64_t(std::llround(vm["interval"].as<double>() * 1e9))};
    pc.timeout = Duration{int64_t(std::llround(vm["timeout"].as<double>() * 1e9))};
    pc.size = vm["size"].as<size_t>();
    pc.ttl = uint8_t(vm["ttl"].as<int>());
    std::printf("PING %s (%s) %zu(%zu) bytes of data.\n", dest.c_str(), dst->str().c_str(), pc.size, pc.size + 28);
    auto r = ping(api, pc, [](const std::string& s) { std::printf("%s\n", s.c_str()); });
    if (r.setup_error) {
        std::fprintf(stderr, "nicping: %s\n", std::strerror(r.setup_error));
        return 2;
    }
    std::printf("\n%s", r.summary(*dst).c_str());
    if (vm.count("stats")) {
        std::printf("\nInterfaces, routes, ARP cache and sockets\n%s\n%s\n%s\n%s", stack.interfaces_table().c_str(),
                    stack.routes().dump().c_str(),
                    stack.arp_cache().dump(runner->now()).c_str(), api.netstat_table().c_str());
        std::printf("\n%s", stack.stats().dump().c_str());
    }
    return r.received > 0 ? 0 : 1;
}
