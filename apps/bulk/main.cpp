// nicbulk: a bulk TCP sender/receiver on the stack. One connection; this end sends --bytes of a
// seeded pattern (direction send or both) and receives whatever the other end sends, then both
// sides close. Prints bytes, SHA-256 of each direction (compare with `sha256sum` on Linux), time
// and throughput, and with --stats the connection table (cwnd, ssthresh, SRTT, RTO, retransmits).
//   nicbulk --tap nictap0 --netns lab --addr 192.0.2.2/24 --connect 192.0.2.1:5001 --bytes 10M
//   nicbulk --tap nictap0 --addr 192.0.2.2/24 --listen 5001 --direction recv
//   nicbulk --sim --loss 0.02 --reorder 0.02 --connect 192.0.2.1:5001 --direction both --bytes 1M
// With --sim the other end is a second stack (192.0.2.1) in this process, on a virtual clock,
// running the complementary role with the same byte count.
#include "api/host.h"
#include "bulk.h"
#include "tcp/tcp_glue.h"

#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace po = boost::program_options;
using namespace nic;

namespace {

bool parse_endpoint(const std::string& s, Endpoint& ep) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    auto a = Ipv4Addr::parse(s.substr(0, colon));
    char* end = nullptr;
    long p = std::strtol(s.c_str() + colon + 1, &end, 10);
    if (!a || *end || p < 1 || p > 65535 || colon + 1 == s.size()) return false;
    ep = Endpoint{*a, uint16_t(p)};
    return true;
}

double mbps(uint64_t bytes, Duration d) { return d.ns > 0 ? double(bytes) * 8e3 / double(d.ns) : 0.0; }

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("nicbulk [options] (--connect ADDR:PORT | --listen PORT)\nOptions");
    opts.add_options()
        ("help,h", "show this help")
        ("connect", po::value<std::string>(), "connect to ADDR:PORT")
        ("listen", po::value<int>(), "accept one connection on PORT")
        ("bytes,n", po::value<std::string>()->default_value("1M"), "bytes this end sends (k/M/G suffixes: 1024s)")
        ("direction,d", po::value<std::string>()->default_value("send"), "send | recv | both (this end's view)")
        ("seed", po::value<uint64_t>()->default_value(1), "pattern seed of the data (and of --sim faults)")
        ("timeout", po::value<double>()->default_value(60.0), "give up after this many seconds")
        ("tap", po::value<std::string>(), "TAP interface to create or attach to (needs CAP_NET_ADMIN)")
        ("netns", po::value<std::string>()->default_value(""), "create the TAP inside this network namespace")
        ("addr", po::value<std::string>()->default_value("192.0.2.2/24"), "the stack's address/prefix")
        ("gateway", po::value<std::string>(), "default gateway")
        ("sim", "the other end is a second stack (192.0.2.1) over the in-memory link, virtual clock")
        ("loss", po::value<double>()->default_value(0.0), "--sim: drop probability per frame and direction")
        ("reorder", po::value<double>()->default_value(0.0), "--sim: reorder probability")
        ("duplicate", po::value<double>()->default_value(0.0), "--sim: duplication probability")
        ("corrupt", po::value<double>()->default_value(0.0), "--sim: single-bit corruption probability")
        ("stats", "print the TCP connection table and counters at the end");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "nicbulk: " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    auto bad = [](const std::string& what) {
        std::cerr << "nicbulk: " << what << " (see --help)\n";
        return 2;
    };
    if (vm.count("connect") == vm.count("listen")) return bad("need exactly one of --connect ADDR:PORT and --listen PORT");
    if (vm.count("tap") == vm.count("sim")) return bad("need exactly one of --tap NAME and --sim");
    if (vm.count("tap") && vm["tap"].as<std::string>().empty()) return bad("--tap needs an interface name");
    Endpoint peer;
    if (vm.count("connect") && !parse_endpoint(vm["connect"].as<std::string>(), peer))
        return bad("bad --connect '" + vm["connect"].as<std::string>() + "' (want A.B.C.D:PORT)");
    int lport = vm.count("listen") ? vm["listen"].as<int>() : 0;
    if (vm.count("listen") && (lport < 1 || lport > 65535)) return bad("--listen port must be between 1 and 65535");
    uint64_t bytes = 0;
    if (!parse_byte_count(vm["bytes"].as<std::string>(), bytes)) return bad("bad --bytes '" + vm["bytes"].as<std::string>() + "'");
    const std::string dir = vm["direction"].as<std::string>();
    if (dir != "send" && dir != "recv" && dir != "both") return bad("--direction must be send, recv or both");
    const double timeout = vm["timeout"].as<double>();
    if (!(timeout > 0 && timeout <= 86400)) return bad("--timeout must be between 0 and 86400 seconds");
    const double loss = vm["loss"].as<double>(), reorder = vm["reorder"].as<double>(),
                 dup = vm["duplicate"].as<double>(), corrupt = vm["corrupt"].as<double>();
    for (double p : {loss, reorder, dup, corrupt})
        if (!(p >= 0 && p <= 1)) return bad("--loss, --reorder, --duplicate and --corrupt are probabilities between 0 and 1");
    if (!vm.count("sim") && (loss || reorder || dup || corrupt)) return bad("fault options need --sim");
    auto cidr = Ipv4Cidr::parse(vm["addr"].as<std::string>());
    if (!cidr) return bad("bad --addr '" + vm["addr"].as<std::string>() + "' (want A.B.C.D/LEN)");
    std::optional<Ipv4Addr> gw;
    if (vm.count("gateway")) {
        gw = Ipv4Addr::parse(vm["gateway"].as<std::string>());
        if (!gw) return bad("bad --gateway '" + vm["gateway"].as<std::string>() + "' (want A.B.C.D)");
    }
    const uint64_t seed = vm["seed"].as<uint64_t>();
    const uint64_t my_tx = dir == "recv" ? 0 : bytes;
    const uint64_t peer_tx = dir == "send" ? 0 : bytes;

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
    ho.faults.duplicate = dup;
    ho.faults.corrupt = corrupt;
    ho.seed = seed;
    Host host;
    if (!host.open(ho)) {
        std::cerr << "nicbulk: " << host.error() << "\n";
        return 1;
    }
    const bool sim = host.simulated();
    // Real networks get a random ISN key (RFC 6528); simulated runs a fixed one, so they reproduce.
    TcpLayer tcp(host.stack(), TcpConfig{}, sim ? seed * 2 + 1 : 0);
    tcp.attach(host.api());
    SocketApi& api = host.api();
    Runner& runner = host.runner();
    std::unique_ptr<TcpLayer> peer_tcp;
    std::unique_ptr<SocketApi> peer_api;
    BulkEnd me, other;
    me.api = &api;
    me.tx_bytes = my_tx;
    me.seed = seed;
    int other_listener = -1;
    if (sim) {
        peer_tcp = std::make_unique<TcpLayer>(*host.peer(), TcpConfig{}, seed * 2 + 2);
        peer_api = std::make_unique<SocketApi>(*host.peer(), runner);
        peer_tcp->attach(*peer_api);
        other.api = peer_api.get();
        other.tx_bytes = peer_tx;
        other.seed = seed + 1000;
        if (vm.count("connect")) {
            // The simulated peer listens where we connect.
            if (peer.addr != ho.peer_addr.addr) return bad("--sim: connect to " + ho.peer_addr.addr.str());
            other_listener = peer_api->socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), peer.port});
            if (peer_api->bind(other_listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
                peer_api->listen(other_listener, 1) != 0) {
                std::cerr << "nicbulk: simulated peer cannot listen: " << std::strerror(peer_api->error()) << "\n";
                return 1;
            }
        }
    }

    Instant t0 = runner.now();
    Instant limit = t0 + Duration{int64_t(std::llround(timeout * 1e9))};
    int lfd = -1;
    if (vm.count("listen")) {
        lfd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), uint16_t(lport)});
        if (api.bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || api.listen(lfd, 1) != 0) {
            std::cerr << "nicbulk: listen on port " << lport << ": " << std::strerror(api.error()) << "\n";
            return 1;
        }
        std::printf("listening on %s:%d\n", cidr->addr.str().c_str(), lport);
        if (sim) {  // the simulated peer connects to us
            other.fd = peer_api->socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            sockaddr_in to = make_sockaddr(Endpoint{cidr->addr, uint16_t(lport)});
            peer_api->connect(other.fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
            other.started = runner.now();
        }
    } else {
        me.fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in to = make_sockaddr(peer);
        if (api.connect(me.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && api.error() != EINPROGRESS) {
            std::cerr << "nicbulk: connect " << peer.str() << ": " << std::strerror(api.error()) << "\n";
            return 1;
        }
        me.started = runner.now();
    }
    runner.add_task([&] {
        bool did = false;
        Instant now = runner.now();
        if (lfd >= 0 && me.fd < 0) {
            sockaddr_in from{};
            socklen_t fl = sizeof from;
            int fd = api.accept(lfd, reinterpret_cast<sockaddr*>(&from), &fl);
            if (fd >= 0) {
                api.set_nonblocking(fd, true);
                me.fd = fd;
                me.started = now;
                std::printf("accepted %s\n", from_sockaddr(from).str().c_str());
                did = true;
            }
        }
        if (other_listener >= 0 && other.fd < 0) {
            int fd = peer_api->accept(other_listener, nullptr, nullptr);
            if (fd >= 0) {
                peer_api->set_nonblocking(fd, true);
                other.fd = fd;
                other.started = now;
                did = true;
            }
        }
        did |= me.step(now);
        if (sim) did |= other.step(now);
        return did;
    });
    // Wait (bounded) until this end is done, and in --sim the peer too.
    while (!(me.done() && (!sim || other.done())) && runner.now() < limit)
        if (!runner.step(limit) && sim) break;
    Duration took = (me.finished.ns ? me.finished : runner.now()) - me.started;
    std::printf("%s %s\n", me.fd >= 0 ? "connection" : "no connection",
                me.err ? std::strerror(me.err) : (me.done() ? "closed cleanly" : "timed out"));
    std::printf("sent     %12llu bytes  sha256 %s\n", (unsigned long long)me.tx_hash.bytes(), me.tx_hash.hex().c_str());
    std::printf("received %12llu bytes  sha256 %s\n", (unsigned long long)me.rx_hash.bytes(), me.rx_hash.hex().c_str());
    std::printf("time %.3f s%s, send %.2f Mb/s, receive %.2f Mb/s\n", double(took.ns) / 1e9,
                sim ? " (virtual)" : "", mbps(me.tx_hash.bytes(), took), mbps(me.rx_hash.bytes(), took));
    bool ok = me.done() && !me.err && me.sent == my_tx;
    if (sim) {
        bool match = other.rx_hash.hex() == me.tx_hash.hex() && me.rx_hash.hex() == other.tx_hash.hex() &&
                     other.done() && !other.err;
        std::printf("peer: received %llu bytes, sent %llu bytes; hashes %s\n",
                    (unsigned long long)other.rx_hash.bytes(), (unsigned long long)other.tx_hash.bytes(),
                    match ? "match at both ends" : "DIFFER");
        ok = ok && match && me.rx_hash.bytes() == peer_tx;
    }
    if (vm.count("stats")) {
        std::printf("\nTCP connections (this stack)\n%s\n%s", tcp.netstat_table().c_str(), tcp.stats_dump().c_str());
        TcpCounters t = tcp.mux().totals();
        std::printf("retransmitted segments %llu (RTO %llu, fast %llu), segments out %llu, in %llu\n",
                    (unsigned long long)t.retrans_segs, (unsigned long long)t.rto_expirations,
                    (unsigned long long)t.fast_retransmits, (unsigned long long)t.segs_out,
                    (unsigned long long)t.segs_in);
    }
    return ok ? 0 : 1;
}
