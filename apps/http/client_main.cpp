// nichttpget: the stack's HTTP/1.1 client: GET a URL (http://A.B.C.D[:PORT]/path), print the status
// and body size, save the body to a file. --repeat N sends N GETs over one persistent connection.
// On a TAP device, or with --sim against a second stack (192.0.2.1) in this process running the
// same server code (virtual clock, optional faults).
//   nichttpget --tap nictap0 --netns lab --addr 192.0.2.2/24 -o page.html http://192.0.2.1:8000/
//   nichttpget --sim --loss 0.02 http://192.0.2.1/gen/100000
#include "api/host.h"
#include "http.h"
#include "tcp/tcp_glue.h"

#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace po = boost::program_options;
using namespace nic;

int main(int argc, char** argv) {
    po::options_description opts("nichttpget [options] URL\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("output,o", po::value<std::string>(), "save the body to this file")
        ("repeat", po::value<int>()->default_value(1), "GETs over one keep-alive connection")
        ("timeout", po::value<double>()->default_value(10.0), "seconds each step may take")
        ("tap", po::value<std::string>(), "TAP interface to create or attach to (needs CAP_NET_ADMIN)")
        ("netns", po::value<std::string>()->default_value(""), "create the TAP inside this network namespace")
        ("addr", po::value<std::string>()->default_value("192.0.2.2/24"), "the stack's address/prefix")
        ("gateway", po::value<std::string>(), "default gateway")
        ("sim", "fetch from a second stack (192.0.2.1) over the in-memory link, virtual clock")
        ("loss", po::value<double>()->default_value(0.0), "--sim: drop probability per frame and direction")
        ("reorder", po::value<double>()->default_value(0.0), "--sim: reorder probability")
        ("seed", po::value<uint64_t>()->default_value(1), "--sim: fault seed")
        ("stats", "print the TCP connection table and counters at the end")
        ("url", po::value<std::string>(), "http://A.B.C.D[:PORT]/path");
    po::positional_options_description pos;
    pos.add("url", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nichttpget: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    auto bad = [](const std::string& what) {
        std::cerr << "nichttpget: " << what << " (see --help)\n";
        return 2;
    };
    if (!vm.count("url")) return bad("need a URL");
    if (vm.count("tap") == vm.count("sim")) return bad("need exactly one of --tap NAME and --sim");
    if (vm.count("tap") && vm["tap"].as<std::string>().empty()) return bad("--tap needs an interface name");
    HttpUrl url;
    if (!parse_http_url(vm["url"].as<std::string>(), url))
        return bad("bad URL '" + vm["url"].as<std::string>() + "' (want http://A.B.C.D[:PORT]/path)");
    int repeat = vm["repeat"].as<int>();
    if (repeat < 1 || repeat > 100000) return bad("--repeat must be between 1 and 100000");
    double timeout = vm["timeout"].as<double>();
    if (!(timeout > 0 && timeout <= 86400)) return bad("--timeout must be between 0 and 86400 seconds");
    double loss = vm["loss"].as<double>(), reorder = vm["reorder"].as<double>();
    if (!(loss >= 0 && loss <= 1) || !(reorder >= 0 && reorder <= 1))
        return bad("--loss and --reorder are probabilities between 0 and 1");
    if (!vm.count("sim") && (loss || reorder)) return bad("--loss and --reorder need --sim");
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) return bad("bad --addr '" + vm["addr"].as<std::string>() + "' (want A.B.C.D/LEN)");
    std::optional<Ipv4Addr> gw;
    if (vm.count("gateway")) {
        gw = Ipv4Addr::parse(vm["gateway"].as<std::string>());
        if (!gw) return bad("bad --gateway '" + vm["gateway"].as<std::string>() + "' (want A.B.C.D)");
    }
    FILE* out = nullptr;
    if (vm.count("output")) {
        out = std::fopen(vm["output"].as<std::string>().c_str(), "wb");
        if (!out) {
            std::cerr << "nichttpget: cannot write " << vm["output"].as<std::string>() << ": " << std::strerror(errno) << "\n";
            return 1;
        }
    }
    HostOptions ho;
    if (vm.count("tap")) ho.tap = vm["tap"].as<std::string>();
    ho.netns = vm["netns"].as<std::string>();
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
        std::cerr << "nichttpget: " << host.error() << "\n";
        if (out) std::fclose(out);
        return 1;
    }
    const bool sim = host.simulated();
    TcpLayer tcp(host.stack(), TcpConfig{}, sim ? ho.seed * 2 + 1 : 0);
    tcp.attach(host.api());
    std::unique_ptr<TcpLayer> peer_tcp;
    std::unique_ptr<SocketApi> peer_api;
    std::unique_ptr<HttpServer> peer_srv;
    if (sim) {
        // The simulated peer runs the same server (generated bodies) on the URL's port.
        peer_tcp = std::make_unique<TcpLayer>(*host.peer(), TcpConfig{}, ho.seed * 2 + 2);
        peer_api = std::make_unique<SocketApi>(*host.peer(), host.runner());
        peer_tcp->attach(*peer_api);
        HttpServerConfig sc;
        sc.port = url.port;
        peer_srv = std::make_unique<HttpServer>(*peer_api, sc);
        if (int e = peer_srv->start()) {
            std::cerr << "nichttpget: simulated server: " << std::strerror(e) << "\n";
            if (out) std::fclose(out);
            return 1;
        }
        HttpServer* s = peer_srv.get();
        host.runner().add_task([s] { return s->step(); });
    }
    Instant t0 = host.runner().now();
    HttpResult r = http_get(host.api(), url, out, Duration{int64_t(std::llround(timeout * 1e9))}, repeat);
    Duration took = host.runner().now() - t0;
    if (out) std::fclose(out);
    if (r.err) {
        std::fprintf(stderr, "nichttpget: %s:%u: %s\n", url.host.str().c_str(), url.port, std::strerror(r.err));
        return 1;
    }
    if (!r.error.empty()) {
        std::fprintf(stderr, "nichttpget: %s\n", r.error.c_str());
        return 1;
    }
    std::printf("%s\n", r.status_line.c_str());
    std::printf("body %llu bytes, sha256 %s, %d request%s on one connection, %.3f s%s (%.2f Mb/s)\n",
                (unsigned long long)r.body_bytes, r.sha256.c_str(), r.requests, r.requests == 1 ? "" : "s",
                double(took.ns) / 1e9, sim ? " virtual" : "",
                took.ns > 0 ? double(r.body_bytes) * r.requests * 8e3 / double(took.ns) : 0.0);
    if (vm.count("output")) std::printf("saved to %s\n", vm["output"].as<std::string>().c_str());
    if (vm.count("stats")) std::printf("\n%s\n%s", tcp.netstat_table().c_str(), tcp.stats_dump().c_str());
    return r.status >= 200 && r.status < 300 ? 0 : 1;
}
