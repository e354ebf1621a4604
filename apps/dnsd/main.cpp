// nicdnsd: a tiny authoritative DNS server (A records from the command line) running on the stack,
// on a Linux TAP device so Linux resolvers can query it, or with --sim-query answering one query from
// a resolver on a second in-memory stack (virtual clock; the smoke test).
//   nicdnsd --tap nictap0 --netns lab --addr 192.0.2.2/24 --record demo.nic.test=192.0.2.99
//   nicdnsd --sim-query demo.nic.test --record demo.nic.test=192.0.2.99
#include "api/host.h"
#include "svc/dns.h"

#include <boost/program_options.hpp>

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
        ("port", po::value<int>()->default_value(53), "UDP port")
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
    // Every value is checked before anything is set up: a message naming the option, exit status 2.
    auto bad = [](const std::string& what) {
        std::cerr << "nicdnsd: " << what << " (see --help)\n";
        return 2;
    };
    if (vm.count("tap") && vm.count("sim-query")) return bad("--tap and --sim-query exclude each other");
    if (vm.count("tap") && vm["tap"].as<std::string>().empty()) return bad("--tap needs an interface name");
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) return bad("bad --addr '" + vm["addr"].as<std::string>() + "' (want A.B.C.D/LEN)");
    // Read as int: boost would turn "-1" into 65535 for an unsigned 16-bit option.
    const int port_arg = vm["port"].as<int>();
    if (port_arg < 1 || port_arg > 65535) return bad("--port must be between 1 and 65535");
    const uint16_t port = uint16_t(port_arg);
    // RFC 2181 section 8: a TTL is an unsigned 31-bit number.
    if (vm["ttl"].as<uint32_t>() > 0x7fffffffu) return bad("--ttl must be at most 2147483647");
    const double duration = vm["duration"].as<double>();
    if (!(duration >= 0 && duration <= 1e9)) return bad("--duration must be a number of seconds >= 0");
    std::vector<std::pair<std::string, Ipv4Addr>> records;
    if (vm.count("record")) {
        for (const auto& r : vm["record"].as<std::vector<std::string>>()) {
            auto eq = r.find('=');
            auto a = eq == std::string::npos ? std::nullopt : Ipv4Addr::parse(r.substr(eq + 1));
            std::vector<uint8_t> encoded;
            if (!a || eq == 0 || !encode_dns_name(r.substr(0, eq), encoded))
                return bad("bad --record '" + r + "' (want NAME=IPV4 with a valid domain NAME)");
            records.emplace_back(r.substr(0, eq), *a);
        }
    }
    bool sim = vm.count("sim-query");
    // TAP (wall clock), or for --sim-query an in-memory link to a client stack at the neighbouring
    // address (virtual clock).
    HostOptions ho;
    if (vm.count("tap")) ho.tap = vm["tap"].as<std::string>();
    ho.netns = vm["netns"].as<std::string>();
    if (vm.count("pcap")) ho.pcap = vm["pcap"].as<std::string>();
    ho.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 0x53}};
    ho.addr = *cidr;
    ho.peer_mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 0x54}};
    ho.peer_addr = Ipv4Cidr{Ipv4Addr(cidr->addr.v ^ 1), cidr->prefix_len};
    Host host;
    if (!host.open(ho)) {
        std::cerr << "nicdnsd: " << host.error() << "\n";
        return 1;
    }
    Stack& stack = host.stack();
    Runner* runner = &host.runner();
    SocketApi& api = host.api();
    DnsResponder resp(api, port, vm["ttl"].as<uint32_t>());
    if (!resp.ok()) {
        std::fprintf(stderr, "nicdnsd: cannot bind port: %s\n", std::strerror(resp.error()));
        return 1;
    }
    for (auto& [n, a] : records) resp.add(n, a);
    runner->add_task([&] { return resp.serve(); });
    int rc = 0;
    if (sim) {
        SocketApi capi(*host.peer(), *runner);
        ResolverConfig c;
        c.server = Endpoint{cidr->addr, port};
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
        Instant end = duration > 0 ? runner->now() + Duration{int64_t(duration * 1e9)} : Instant::max();
        std::printf("nicdnsd: serving %zu records on %s port %u\n", records.size(), cidr->addr.str().c_str(),
                    unsigned(port));
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
