// nicping: the stack's ping client, on a Linux TAP device (wall clock) or, with --sim, against a second
// stack over the in-memory link with optional faults (virtual clock, no root needed).
//   nicping --tap nictap0 --netns lab --addr 192.0.2.2/24 -c 3 192.0.2.1
//   nicping --sim --loss 0.1 --reorder 0.1 -c 100 -i 0.01 192.0.2.1
#include "api/host.h"
#include "svc/dns.h"
#include "svc/ping.h"

#include <boost/program_options.hpp>

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
    // Every value is checked before anything is set up, so a typo gets a message naming the option
    // (and exit status 2, as for a parse error) instead of a run with a silently wrapped value.
    auto bad = [](const std::string& what) {
        std::cerr << "nicping: " << what << " (see --help)\n";
        return 2;
    };
    if (vm.count("tap") && vm.count("sim")) return bad("--tap and --sim exclude each other");
    if (vm.count("tap") && vm["tap"].as<std::string>().empty()) return bad("--tap needs an interface name");
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) return bad("bad --addr '" + vm["addr"].as<std::string>() + "' (want A.B.C.D/LEN)");
    std::optional<Ipv4Addr> gw;
    if (vm.count("gateway")) {
        gw = Ipv4Addr::parse(vm["gateway"].as<std::string>());
        if (!gw) return bad("bad --gateway '" + vm["gateway"].as<std::string>() + "' (want A.B.C.D)");
    }
    const int count = vm["count"].as<int>();
    const double interval = vm["interval"].as<double>(), timeout = vm["timeout"].as<double>();
    const double loss = vm["loss"].as<double>(), reorder = vm["reorder"].as<double>();
    const int ttl = vm["ttl"].as<int>();
    if (count < 1) return bad("--count must be at least 1");
    // Upper bounds keep the nanosecond arithmetic far from int64 overflow (a day is plenty).
    if (!(interval >= 0 && interval <= 86400)) return bad("--interval must be between 0 and 86400 seconds");
    if (!(timeout >= 0 && timeout <= 86400)) return bad("--timeout must be between 0 and 86400 seconds");
    if (vm["size"].as<size_t>() > kPingMaxSize) return bad("--size must be at most " + std::to_string(kPingMaxSize));
    if (ttl < 1 || ttl > 255) return bad("--ttl must be between 1 and 255");  // RFC 1122 3.2.1.7: never 0
    if (!(loss >= 0 && loss <= 1) || !(reorder >= 0 && reorder <= 1))
        return bad("--loss and --reorder are probabilities between 0 and 1");
    if (!vm.count("sim") && (vm["loss"].defaulted() + vm["reorder"].defaulted() + vm["seed"].defaulted() != 3))
        return bad("--loss, --reorder and --seed need --sim");

    // TAP (wall clock) or an in-memory link to a peer stack at 192.0.2.1 (virtual clock, faults).
    HostOptions ho;
    if (vm.count("tap")) ho.tap = vm["tap"].as<std::string>();
    ho.netns = vm["netns"].as<std::string>();
    if (vm.count("pcap")) ho.pcap = vm["pcap"].as<std::string>();
    ho.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 2}};
    ho.addr = *cidr;
    ho.gateway = gw;
    ho.peer_mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 1}};
    ho.peer_addr = Ipv4Cidr{Ipv4Addr(192, 0, 2, 1), 24};
    ho.faults.drop = loss;
    ho.faults.reorder = reorder;
    ho.seed = vm["seed"].as<uint64_t>();
    Host host;
    if (!host.open(ho)) {
        std::cerr << "nicping: " << host.error() << "\n";
        return 1;
    }
    Stack& stack = host.stack();
    Runner* runner = &host.runner();
    SocketApi& api = host.api();

    std::string dest = vm["dest"].as<std::string>();
    auto dst = Ipv4Addr::parse(dest);
    if (!dst) {
        if (!vm.count("dns")) {
            std::cerr << "nicping: " << dest << " is not an address; give --dns SERVER to resolve it\n";
            return 2;
        }
        ResolverConfig rc;
        auto server = Ipv4Addr::parse(vm["dns"].as<std::string>());
        if (!server) return bad("bad --dns '" + vm["dns"].as<std::string>() + "' (want A.B.C.D)");
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
    pc.count = count;
    pc.interval = Duration{int64_t(std::llround(interval * 1e9))};
    pc.timeout = Duration{int64_t(std::llround(timeout * 1e9))};
    pc.size = vm["size"].as<size_t>();
    pc.ttl = uint8_t(ttl);
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
