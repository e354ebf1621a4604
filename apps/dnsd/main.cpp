// nicdnsd: a tiny authoritative DNS server (A records from the command line) running on the stack,
// on a Linux TAP device so Linux resolvers can query it, or with --sim-query answering one query from
// a resolver on a second in-memory stack (virtual clock; the smoke test).
//   nicdnsd --tap nictap0 --netns lab --addr 192.0.2.2/24 --record demo.nic.test=192.0.2.99
//   nicdnsd --sim-query demo.nic.test --record demo.nic.test=192.0.2.99
#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/memlink.h"
#include "phy/pcap_device.h"
#include "phy/tap.h"
#include "svc/dns.h"

#include <boost/program_options.hpp>
#include <sodium.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <iostream>
#include <memory>

namespace po = boost::program_options;
using namespace nic;

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("nicdnsd [options]\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("tap", po::value<std::string>(), "TAP interface to create or attach to (needs CAP_NET_ADMIN)")
        ("netns", po::value<std::string>()->default_value(""), "create the TAP inside this network namespace")
        ("addr", po::value<std::string>()->default_value("192.0.2.2/24"), "the stack's address/prefix")
        ("record", po::value<std::vector<std::string>>()->composing(), "NAME=IPV4 (repeatable)")
        ("ttl", po::value<uint32_t>()->default_value(300), "TTL of every answer, seconds")
        ("port", po::value<uint16_t>()->default_value(53), "UDP port")
        ("duration", po::value<double>()->default_value(0), "stop after this many seconds (0: until SIGINT/SIGTERM)")
        ("pcap", po::value<std::string>(), "write the interface's frames to this pcap file")
        ("stats", "print counters at the end")
        ("sim-query", po::value<std::string>(), "answer one query for this name from a resolver on an in-memory peer");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nicdnsd: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (!vm.count("tap") && !vm.count("sim-query")) {
        std::cerr << "nicdnsd: need --tap NAME or --sim-query NAME\n" << opts;
        return 2;
    }
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) {
        std::cerr << "nicdnsd: bad --addr\n";
        return 2;
    }
    std::vector<std::pair<std::string, Ipv4Addr>> records;
    if (vm.count("record")) {
        for (const auto& r : vm["record"].as<std::vector<std::string>>()) {
            auto eq = r.find('=');
            auto a = eq == std::string::npos ? std::nullopt : Ipv4Addr::parse(r.substr(eq + 1));
            if (!a) {
                std::cerr << "nicdnsd: bad --record '" << r << "' (want NAME=IPV4)\n";
                return 2;
            }
            records.emplace_back(r.substr(0, eq), *a);
        }
    }
    bool sim = vm.count("sim-query");
    WallClock wall;
    VirtualClock vclock;
    std::unique_ptr<TapDevice> tap;
    MemLink link;
    Device* dev = &link.port(0);
    if (!sim) {
        tap = std::make_unique<TapDevice>();
        if (!tap->open(vm["tap"].as<std::string>(), vm["netns"].as<std::string>())) {
            std::cerr << "nicdnsd: " << tap->error() << "\n";
            return 1;
        }
        dev = tap.get();
    }
    PcapWriter pw;
    std::unique_ptr<PcapDevice> cap;
    if (vm.count("pcap")) {
        if (!pw.open(vm["pcap"].as<std::string>())) {
            std::cerr << "nicdnsd: " << pw.error() << "\n";
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
    stack.add_interface(InterfaceConfig{"eth0", dev, MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 0x53}}, *cidr, std::nullopt});
    Stack client;
    std::unique_ptr<Runner> runner;
    if (sim) {
        client.add_interface(InterfaceConfig{"eth0", &link.port(1), MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 0x54}},
                                             Ipv4Cidr{Ipv4Addr(cidr->addr.v ^ 1), cidr->prefix_len}, std::nullopt});
        auto vr = std::make_unique<VirtualRunner>(vclock);
        vr->add_stack(stack);
        vr->add_stack(client);
        runner = std::move(vr);
    } else {
        auto wr = std::make_unique<WallRunner>(wall);
        wr->add_stack(stack);
        wr->add_fd(tap->fd());
        runner = std::move(wr);
    }
    stack.set_up(runner->now(), 0, true);
    if (sim) client.set_up(runner->now(), 0, true);
    SocketApi api(stack, *runner);
    DnsResponder resp(api, vm["port"].as<uint16_t>(), vm["ttl"].as<uint32_t>());
    if (!resp.ok()) {
        std::fprintf(stderr, "nicdnsd: cannot bind port: %s\n", std::strerror(resp.error()));
        return 1;
    }
    for (auto& [n, a] : records) resp.add(n, a);
    runner->add_task([&] { return resp.serve(); });
    int rc = 0;
    if (sim) {
        SocketApi capi(client, *runner);
        ResolverConfig c;
        c.server = Endpoint{cidr->addr, vm["port"].as<uint16_t>()};
        Resolver res(capi, c);
        std::string name = vm["sim-query"].as<std::string>();
        auto r = res.resolve(name);
        if (r.error == ResolveError::None) {
            for (auto a : r.addrs) std::printf("%s has address %s (ttl %u)\n", name.c_str(), a.str().c_str(), r.ttl);
        } else {
            std::printf("%s: %s (%s)\n", name.c_str(), to_string(r.error), r.detail.c_str());
            rc = 1;
        }
    } else {
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        double d = vm["duration"].as<double>();
        Instant end = d > 0 ? runner->now() + Duration{int64_t(d * 1e9)} : Instant::max();
        std::printf("nicdnsd: serving %zu records on %s port %u\n", records.size(), cidr->addr.str().c_str(),
                    unsigned(vm["port"].as<uint16_t>()));
        std::fflush(stdout);
        while (!g_stop && runner->now() < end) runner->step(min(end, runner->now() + Duration::from_ms(100)));
    }
    const auto& s = resp.stats();
    std::printf("queries %llu answered %llu nxdomain %llu nodata %llu formerr %llu notimp %llu dropped %llu\n",
                (unsigned long long)s.queries, (unsigned long long)s.answered, (unsigned long long)s.nxdomain,
                (unsigned long long)s.nodata, (unsigned long long)s.formerr, (unsigned long long)s.notimp,
                (unsigned long long)s.dropped);
    if (vm.count("stats")) std::printf("\n%s", stack.stats().dump().c_str());
    return rc;
}
