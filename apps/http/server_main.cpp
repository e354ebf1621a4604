// nichttpd: the stack's HTTP/1.1 server (GET/HEAD of files under --root and of generated bodies
// /gen/N, Content-Length, keep-alive) on a TAP device. Serves until --requests have been answered
// or --duration has passed, then prints what it served.
//   nichttpd --tap nictap0 --netns lab --addr 192.0.2.2/24 --port 80 --root ./www
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
    po::options_description opts("nichttpd [options] --tap NAME\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("tap", po::value<std::string>(), "TAP interface to create or attach to (needs CAP_NET_ADMIN)")
        ("netns", po::value<std::string>()->default_value(""), "create the TAP inside this network namespace")
        ("addr", po::value<std::string>()->default_value("192.0.2.2/24"), "the stack's address/prefix")
        ("gateway", po::value<std::string>(), "default gateway")
        ("port,p", po::value<int>()->default_value(80), "TCP port to listen on")
        ("root,r", po::value<std::string>()->default_value(""), "directory to serve files from (default: /gen/N only)")
        ("requests", po::value<long>()->default_value(0), "exit after answering this many requests (0: no limit)")
        ("duration", po::value<double>()->default_value(0), "exit after this many seconds (0: no limit)")
        ("stats", "print the TCP connection table and counters at the end");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nichttpd: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    auto bad = [](const std::string& what) {
        std::cerr << "nichttpd: " << what << " (see --help)\n";
        return 2;
    };
    if (!vm.count("tap") || vm["tap"].as<std::string>().empty()) return bad("need --tap NAME");
    int port = vm["port"].as<int>();
    if (port < 1 || port > 65535) return bad("--port must be between 1 and 65535");
    long max_req = vm["requests"].as<long>();
    double duration = vm["duration"].as<double>();
    if (max_req < 0) return bad("--requests must be 0 or more");
    if (!(duration >= 0 && duration <= 86400 * 365)) return bad("--duration must be between 0 and a year of seconds");
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) return bad("bad --addr '" + vm["addr"].as<std::string>() + "' (want A.B.C.D/LEN)");
    std::optional<Ipv4Addr> gw;
    if (vm.count("gateway")) {
        gw = Ipv4Addr::parse(vm["gateway"].as<std::string>());
        if (!gw) return bad("bad --gateway '" + vm["gateway"].as<std::string>() + "' (want A.B.C.D)");
    }
    HostOptions ho;
    ho.tap = vm["tap"].as<std::string>();
    ho.netns = vm["netns"].as<std::string>();
    ho.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 2}};
    ho.addr = *cidr;
    ho.gateway = gw;
    Host host;
    if (!host.open(ho)) {
        std::cerr << "nichttpd: " << host.error() << "\n";
        return 1;
    }
    TcpLayer tcp(host.stack());
    tcp.attach(host.api());
    HttpServerConfig sc;
    sc.port = uint16_t(port);
    sc.root = vm["root"].as<std::string>();
    HttpServer srv(host.api(), sc);
    if (int e = srv.start()) {
        std::cerr << "nichttpd: listen on port " << port << ": " << std::strerror(e) << "\n";
        return 1;
    }
    std::printf("serving http://%s:%d/ (root '%s', /gen/N)\n", cidr->addr.str().c_str(), port, sc.root.c_str());
    std::fflush(stdout);
    Runner& runner = host.runner();
    runner.add_task([&] { return srv.step(); });
    Instant end = duration > 0 ? runner.now() + Duration{int64_t(std::llround(duration * 1e9))} : Instant::max();
    // Bounded by --requests/--duration when given; otherwise until killed.
    while (runner.now() < end && (max_req == 0 || long(srv.stats().requests) < max_req || srv.open_connections() > 0))
        runner.step(min(end, runner.now() + Duration::from_ms(100)));
    const auto& s = srv.stats();
    std::printf("served %llu requests on %llu connections: %llu 2xx, %llu 4xx, %llu body bytes\n",
                (unsigned long long)s.requests, (unsigned long long)s.connections, (unsigned long long)s.responses_2xx,
                (unsigned long long)s.responses_4xx, (unsigned long long)s.body_bytes);
    if (vm.count("stats")) std::printf("\n%s\n%s", tcp.netstat_table().c_str(), tcp.stats_dump().c_str());
    return 0;
}
