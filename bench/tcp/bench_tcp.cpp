// TCP benchmarks over the TCP-only test channel (tests/stack/tcp/tcp_channel.h): two TcpMux hosts
// in one process, every segment emitted to bytes with its checksum and parsed back; and through the
// whole stack (tests/stack/tcp/tcp_stack.h TcpHosts: two Stacks on the in-memory link).
//   throughput  no faults, infinitely fast link: how fast the TCP code moves bytes, in Gb/s per CPU
//               second (and wall clock), with the applications copying (send/recv) or not touching
//               the payload (send_with/recv_with, as smoltcp's benchmark, which reports 15.4 Gb/s),
//               and with the checksum in software or offloaded
//   stack       no faults, the whole stack (Ethernet + IPv4 + TCP + socket API): send() -> TcpLayer ->
//               ip_output -> MemLink -> the other Stack -> recv(), the applications copying, nothing
//               hashed; socket buffers of 4 MiB (as above) and of the stack's default 256 KiB (as
//               nicbulk); checksums in software, or offloaded as far as the in-memory link offers it:
//               receive only (its model NIC engine, model_rx_checksums, checks and the stack trusts the
//               verdict; the link fills in no transmit checksums, so transmit offload between two
//               stacks would make every segment bad). Gb/s per CPU second and wall; beside them,
//               Linux's TCP over lo at MTU 1500 in a private namespace (linux_lo.h, root only) on one
//               core and on any, as configured (TSO/GSO/GRO: 64 KB packets through its stack) and
//               with those off (one MSS per packet, as the stack), and the ratios against each
//   goodput     1 Gb/s link with serialisation delay and Ethernet framing, loss 0/0.1/1/5 % each way,
//               RTT 100 us/1 ms/10 ms, on the virtual clock: application bytes per virtual second as
//               a fraction of the 949.28 Mb/s limit for 1500-byte MTU (1460 / 1538 of line rate)
//   tap         the stack on a TAP device against Linux in a network namespace (root, netcat): Mb/s
//               each way in real time
// Figures only, nothing asserted.
#include "tcp_channel.h"
#include "tcp_stack.h"
#include "linux_lo.h"
#include "interop/netns.h"
#include "tcp/tcp_glue.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;
using namespace nic;
using namespace nic::test;

namespace {

const Ipv4Addr kA(192, 0, 2, 1), kB(192, 0, 2, 2);

double wall_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// CPU time of this process: the machine may be shared, so Gb/s per CPU second is the steadier figure.
double cpu_s() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

struct Run {
    uint64_t bytes = 0;        // delivered to the receiving application in the measured interval
    double seconds = 0;        // virtual seconds of that interval
    double wall = 0, cpu = 0;
    TcpCounters snd;
    ChannelStats ch;
};

// One bulk transfer A -> B. Stops after `bytes` are delivered or `duration` of virtual time; the
// first `warmup` of virtual time is not counted (connection setup and slow start).
// zero_copy: the applications use send_with/recv_with and never touch the payload, as smoltcp's
// benchmark does; otherwise send()/recv() copy from and to application buffers.
Run bulk(const TcpConfig& cfg, const ChannelConfig& chc, uint64_t seed, uint64_t bytes, Duration duration,
         Duration warmup, bool zero_copy = false) {
    VirtualClock clock;
    TcpMux a(cfg, seed * 2 + 1), b(cfg, seed * 2 + 2);
    auto l = b.listen(Endpoint{kB, 5001}, 4);
    auto c = a.connect(clock.now(), Endpoint{kA, 40000}, Endpoint{kB, 5001});
    TcpChannel ch(clock, a, kA, b, kB, chc, seed);
    std::vector<uint8_t> src(1 << 20), sink(1 << 20);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 131);
    std::shared_ptr<TcpSocket> s;
    uint64_t sent = 0, got = 0, got_at_warmup = 0;
    Instant start = clock.now(), end = start + duration, t_warm = start + warmup;
    double w0 = wall_s(), c0 = cpu_s();
    auto io = [&](Instant now) {
        if (zero_copy) {
            while (sent < bytes) {
                long k = c->send_with(now, [&](MutBytes w) { return size_t(std::min<uint64_t>(w.size, bytes - sent)); });
                if (k <= 0) break;
                sent += uint64_t(k);
            }
            if (!s) s = l->accept();
            while (s) {
                long k = s->recv_with(now, [](ConstBytes r) { return r.size; });
                if (k <= 0) break;
                got += uint64_t(k);
            }
            return;
        }
        while (sent < bytes) {
            size_t off = size_t(sent % src.size());
            size_t n = std::min<uint64_t>(src.size() - off, bytes - sent);
            long k = c->send(now, ConstBytes(src.data() + off, n));
            if (k <= 0) break;
            sent += uint64_t(k);
        }
        if (!s) s = l->accept();
        if (s) {
            for (;;) {
                long k = s->recv(now, sink);
                if (k <= 0) break;
                got += uint64_t(k);
            }
        }
    };
    while (got < bytes) {
        io(clock.now());
        // Everything read so far arrived before the warm-up ended: not counted.
        if (clock.now() < t_warm) got_at_warmup = got;
        if (!ch.step(end)) break;
    }
    io(clock.now());
    Run r;
    r.wall = wall_s() - w0;
    r.cpu = cpu_s() - c0;
    r.bytes = got - got_at_warmup;
    Instant stop = got >= bytes ? clock.now() : end;  // a time-bounded run is measured to its end
    r.seconds = (stop - t_warm).to_s();
    r.snd = c->counters();
    r.ch = ch.stats();
    return r;
}

// One bulk transfer A -> B through two whole stacks (TcpHosts), non-blocking send()/recv() between
// runner steps; the applications copy from and to 1 MiB buffers and hash nothing. Stops when `bytes`
// have arrived at B's application.
struct StackRun {
    uint64_t bytes = 0;
    double wall = 0, cpu = 0;
    bool ok = false;
};
StackRun stack_bulk(const TcpConfig& tc, bool offload, uint64_t seed, uint64_t bytes) {
    MemLinkConfig lc;
    // Receive offload only: the link leaves transmit checksums empty (memlink.h), see the top of the file.
    if (offload) lc.checksum = ChecksumCaps{Offload::Rx, Offload::Rx, Offload::Rx, Offload::Rx};
    TcpHosts h(lc, std::nullopt, seed, StackConfig{}, tc);
    StackRun r;
    int lfd = tcp_listen(h.api_b, 5001, 4, true);
    int cfd = tcp_connect(h.api_a, kIpB, 5001, true);
    if (lfd < 0 || cfd < 0) return r;
    std::vector<uint8_t> src(1 << 20), sink(1 << 20);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 131);
    int sfd = -1;
    uint64_t sent = 0, got = 0;
    double w0 = wall_s(), c0 = cpu_s();
    while (got < bytes) {
        while (sent < bytes) {
            size_t off = size_t(sent % src.size());
            size_t n = size_t(std::min<uint64_t>(src.size() - off, bytes - sent));
            long k = h.api_a.send(cfd, src.data() + off, n, MSG_DONTWAIT);
            if (k <= 0) break;
            sent += uint64_t(k);
        }
        if (sfd < 0) sfd = h.api_b.accept(lfd, nullptr, nullptr);
        if (sfd >= 0) {
            for (;;) {
                long k = h.api_b.recv(sfd, sink.data(), sink.size(), MSG_DONTWAIT);
                if (k <= 0) break;
                got += uint64_t(k);
            }
        }
        if (got < bytes && !h.runner.step(Instant::max())) break;
    }
    r.wall = wall_s() - w0;
    r.cpu = cpu_s() - c0;
    r.bytes = got;
    r.ok = got == bytes;
    return r;
}

// Bulk TCP between the stack on a TAP device and Linux in a network namespace (NetnsLab, the
// interop tests' fixture: nictap0 with 192.0.2.1 on the Linux side, the stack at 192.0.2.2), with
// netcat as Linux's application: `bytes` each way, Mb/s from the connection's start to the last
// byte (and, for the stack's sending, to Linux's close), and the stack's CPU seconds.
void tap_bulk(uint64_t bytes) {
    NetnsLab lab;
    std::string why = lab.setup();
    if (!why.empty()) {
        std::printf("tap throughput  not measured: %s\n", why.c_str());
        return;
    }
    TcpLayer tcp(lab.stack(), TcpConfig{}, 0);
    tcp.attach(lab.api());
    SocketApi& api = lab.api();
    auto report = [&](const char* dir, uint64_t n, double wall, double cpu, bool ok) {
        std::printf("tap throughput  %-16s  %.1f MB  %8.1f Mb/s (%.3f s)  stack CPU %.3f s  %s\n", dir, double(n) / 1e6,
                    double(n) * 8 / wall / 1e6, wall, cpu, ok ? "" : "INCOMPLETE");
        std::fflush(stdout);
    };
    {  // Linux -> stack
        int l = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), 5001});
        api.bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a);
        api.listen(l, 1);
        Child nc(lab.in_ns({"sh", "-c", "head -c " + std::to_string(bytes) + " /dev/zero | nc -N -w 20 " +
                                            std::string(NetnsLab::kStackAddr) + " 5001"}));
        int fd = -1;
        uint64_t got = 0;
        bool eof = false;
        std::vector<uint8_t> buf(1 << 16);
        double w0 = 0, c0 = 0;
        lab.run_until(
            [&] {
                if (fd < 0 && (fd = api.accept(l, nullptr, nullptr)) >= 0) {
                    api.set_nonblocking(fd, true);
                    w0 = wall_s();
                    c0 = cpu_s();
                }
                for (long n; fd >= 0 && !eof && (n = api.recv(fd, buf.data(), buf.size(), 0)) >= 0;) {
                    if (n == 0) eof = true;
                    got += uint64_t(n);
                }
                return eof;
            },
            Duration::from_s(60));
        report("linux -> stack", got, wall_s() - w0, cpu_s() - c0, got == bytes);
        if (fd >= 0) api.close(fd);
        api.close(l);
        lab.wait_child(nc, Duration::from_s(5));
    }
    {  // stack -> Linux
        Child nc(lab.in_ns({"sh", "-c", "nc -d -l " + std::string(NetnsLab::kLinuxAddr) + " 5002 > /dev/null"}));
        std::vector<uint8_t> src(1 << 20, 0x5a);
        int fd = -1, tries = 0;
        uint64_t sent = 0;
        bool closed = false, up = false;
        Instant next_try = lab.clock().now();
        double w0 = 0, c0 = 0;
        bool done = lab.run_until(
            [&] {
                if (fd < 0 && lab.clock().now() >= next_try && tries < 50) {
                    // nc may not listen yet: refused connections are retried every 100 ms.
                    fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                    sockaddr_in to = make_sockaddr(Endpoint{*Ipv4Addr::parse(NetnsLab::kLinuxAddr), 5002});
                    api.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
                    ++tries;
                    next_try = lab.clock().now() + Duration::from_ms(100);
                }
                if (fd >= 0 && !closed) {
                    int e = 0;
                    socklen_t el = sizeof e;
                    api.getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
                    if (e == ECONNREFUSED) {
                        api.close(fd);
                        fd = -1;
                        return false;
                    }
                    while (sent < bytes) {
                        long n = api.send(fd, src.data(), size_t(std::min<uint64_t>(src.size(), bytes - sent)), 0);
                        if (n <= 0) break;
                        if (!up) {
                            up = true;
                            w0 = wall_s();
                            c0 = cpu_s();
                        }
                        sent += uint64_t(n);
                    }
                    if (sent == bytes) {
                        api.close(fd);
                        closed = true;
                    }
                }
                return nc.poll();
            },
            Duration::from_s(60));
        report("stack -> linux", sent, wall_s() - w0, cpu_s() - c0, done && sent == bytes && nc.status() == 0);
    }
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description desc(
        "bench_tcp: TCP throughput and goodput in one process, TCP to TCP over the test channel or "
        "through two whole stacks");
    std::string mode;
    double gigabytes, seconds, warmup_s, tap_megabytes;
    int mtu, min_rto_ms;
    uint64_t seed;
    bool timestamps, sack, linux_ref;
    desc.add_options()("help,h", "show this help")(
        "mode", po::value(&mode)->default_value("all"), "throughput | stack | goodput | tap | all")(
        "gigabytes", po::value(&gigabytes)->default_value(2.0), "throughput, stack: bytes to move (GB)")(
        "mtu", po::value(&mtu)->default_value(1500),
        "throughput, goodput: route MTU (MSS = MTU - 40); stack: the link's 1500 is the ceiling")(
        "seconds", po::value(&seconds)->default_value(4.0), "goodput: virtual seconds per cell")(
        "warmup", po::value(&warmup_s)->default_value(0.5), "goodput: virtual seconds not counted at the start")(
        "min-rto-ms", po::value(&min_rto_ms)->default_value(200),
        "minimum RTO (RFC 6298 says 1000; Linux uses 200)")(
        "timestamps", po::value(&timestamps)->default_value(false),
        "RFC 7323 timestamps (cost 12 bytes per segment: 941.5 Mb/s limit instead of 949.28)")(
        "sack", po::value(&sack)->default_value(true), "RFC 2018 SACK")(
        "seed", po::value(&seed)->default_value(1), "loss pattern seed (stack: the stacks' and ISN seeds)")(
        "tap-megabytes", po::value(&tap_megabytes)->default_value(200), "tap: bytes each way (MB)")(
        "linux", po::value(&linux_ref)->default_value(true),
        "stack: also measure Linux's TCP over lo in a private network namespace (needs root)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n" << desc << "\n";
        return 2;
    }
    if (mode != "throughput" && mode != "stack" && mode != "goodput" && mode != "tap" && mode != "all") {
        std::cerr << "bench_tcp: unknown --mode '" << mode << "'\n" << desc << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    TcpConfig cfg;
    cfg.mtu = uint16_t(mtu);
    cfg.timestamps = timestamps;
    cfg.sack = sack;
    cfg.rtt.min_rto = Duration::from_ms(min_rto_ms);
    cfg.sndbuf = cfg.rcvbuf = 4 << 20;  // above the 1.25 MB bandwidth-delay product at 10 ms
    cfg.initial_window_segments = 10;    // RFC 6928

    if (mode == "throughput" || mode == "all") {
        for (bool zero_copy : {false, true}) {
            for (bool offload : {false, true}) {
                ChannelConfig ch;
                ch.delay = Duration::from_us(10);
                ch.checksum = !offload;
                uint64_t bytes = uint64_t(gigabytes * 1e9);
                Run r = bulk(cfg, ch, seed, bytes, Duration::from_s(1000000), Duration{0}, zero_copy);
                double gbps = double(r.bytes) * 8 / r.wall / 1e9, gbps_cpu = double(r.bytes) * 8 / r.cpu / 1e9;
                std::printf("tcp throughput  MTU %d  %-9s  checksum %-9s  %.2f GB  %6.2f Gb/s per CPU second (%.3f s)  "
                            "%6.2f Gb/s wall (%.3f s)  (smoltcp: 15.4 Gb/s)  %.1f segments per write\n",
                            mtu, zero_copy ? "zero-copy" : "copying", offload ? "offloaded" : "software",
                            double(r.bytes) / 1e9, gbps_cpu, r.cpu, gbps, r.wall, r.snd.segments_per_write());
                std::fflush(stdout);
            }
        }
    }
    if (mode == "stack" || mode == "all") {
        // The whole stack keeps its own defaults (StackConfig, MemLinkConfig: 1500 MTU, 1024-frame
        // queues); TCP is configured as above, with the 4 MiB buffers of the lines above and with the
        // stack's default socket buffers (TcpConfig: 256 KiB, what nicbulk runs with), which stay
        // in cache. Beside each buffer size, Linux's TCP over lo in a private namespace at MTU 1500
        // (linux_lo.h), with both threads on one core and spread by the scheduler.
        TcpConfig small = cfg;
        small.sndbuf = TcpConfig{}.sndbuf;
        small.rcvbuf = TcpConfig{}.rcvbuf;
        uint64_t bytes = uint64_t(gigabytes * 1e9);
        for (const TcpConfig* tc : {&cfg, &small}) {
            double best_cpu = 0, best_wall = 0;
            for (bool offload : {false, true}) {
                StackRun r = stack_bulk(*tc, offload, seed, bytes);
                double gbps = double(r.bytes) * 8 / r.wall / 1e9, gbps_cpu = double(r.bytes) * 8 / r.cpu / 1e9;
                best_cpu = std::max(best_cpu, gbps_cpu);
                best_wall = std::max(best_wall, gbps);
                std::printf("stack throughput  MTU 1500  buffers %4zu KiB  %-29s  %.2f GB  %6.2f Gb/s per "
                            "CPU second (%.3f s)  %6.2f Gb/s wall (%.3f s)%s\n",
                            tc->sndbuf / 1024, offload ? "checksum rx-offload" : "checksum software",
                            double(r.bytes) / 1e9, gbps_cpu, r.cpu, gbps, r.wall, r.ok ? "" : "  INCOMPLETE");
                std::fflush(stdout);
            }
            if (!linux_ref) continue;
            struct LinuxCase {
                const char* name;
                bool one_core, offloads;
            };
            for (LinuxCase lc : {LinuxCase{"lo, one core", true, true}, LinuxCase{"lo, any core", false, true},
                                 LinuxCase{"lo, one core, no TSO/GSO/GRO", true, false}}) {
                bench::LinuxLoRun l = bench::linux_lo_bulk(bytes, tc->sndbuf, lc.one_core, lc.offloads);
                if (!l.ok) {
                    std::printf("linux throughput  MTU 1500  buffers %4zu KiB  not measured: %s\n", tc->sndbuf / 1024,
                                l.why.c_str());
                    break;
                }
                double gbps = double(l.bytes) * 8 / l.wall / 1e9, gbps_cpu = double(l.bytes) * 8 / l.cpu / 1e9;
                std::printf("linux throughput  MTU 1500  buffers %4zu KiB  %-29s  %.2f GB  %6.2f Gb/s per "
                            "CPU second (%.3f s)  %6.2f Gb/s wall (%.3f s)",
                            tc->sndbuf / 1024, lc.name, double(l.bytes) / 1e9, gbps_cpu, l.cpu, gbps, l.wall);
                if (lc.one_core)
                    std::printf("  -> stack/linux %.2fx per CPU second (goal 1.5), %.2fx wall (goal 1.0)",
                                best_cpu / gbps_cpu, best_wall / gbps);
                std::printf("\n");
                std::fflush(stdout);
            }
        }
    }
    if (mode == "tap" || mode == "all") tap_bulk(uint64_t(tap_megabytes * 1e6));
    if (mode == "goodput" || mode == "all") {
        // One column group per congestion control (TCP_CONGESTION): goodput, efficiency against the
        // limit, retransmitted segments and RTO expirations (the count the loss recovery should
        // keep low).
        const double limit = 1e9 * 1460.0 / 1538.0;  // 949.28 Mb/s: 1500 MTU, no TCP options
        struct Variant {
            const char* name;
            CcAlgo algo;
            bool rack;
        };
        // The first two without RACK (RFC 6675 duplicate-ACK rules, PRR, TLP), the last as the
        // default (CUBIC with RACK): the columns show what RACK does to the RTOs.
        const Variant algos[] = {{"reno", CcAlgo::NewReno, false}, {"cubic", CcAlgo::Cubic, false},
                                 {"c+rack", CcAlgo::Cubic, true}};
        std::printf("tcp goodput at 1 Gb/s, MTU %d, SACK %s, timestamps %s, min RTO %d ms, %.1f s per cell "
                    "(virtual), limit %.2f Mb/s\n",
                    mtu, sack ? "on" : "off", timestamps ? "on" : "off", min_rto_ms, seconds, limit / 1e6);
        std::printf("%6s %7s", "loss", "RTT");
        for (const Variant& a : algos) std::printf(" | %-6s %9s %6s %7s %4s", a.name, "Mb/s", "eff", "retrans", "RTO");
        std::printf(" | %6s\n", "wall");
        for (double loss : {0.0, 0.001, 0.01, 0.05}) {
            for (int64_t rtt_us : {100, 1000, 10000}) {
                std::printf("%5.1f%% %5lldus", loss * 100, (long long)rtt_us);
                double wall = 0;
                for (const Variant& a : algos) {
                    TcpConfig ac = cfg;
                    ac.congestion = a.algo;
                    ac.rack = a.rack;
                    ChannelConfig ch;
                    ch.rate_bps = 1e9;
                    ch.loss = loss;
                    ch.delay = Duration::from_us(rtt_us / 2);
                    Run r = bulk(ac, ch, seed, UINT64_MAX, Duration::from_ms(int64_t((seconds + warmup_s) * 1000)),
                                 Duration::from_ms(int64_t(warmup_s * 1000)));
                    double bps = double(r.bytes) * 8 / r.seconds;
                    wall += r.wall;
                    std::printf(" | %-6s %9.2f %5.1f%% %7llu %4llu", "", bps / 1e6, 100 * bps / limit,
                                (unsigned long long)r.snd.retrans_segs, (unsigned long long)r.snd.rto_expirations);
                }
                std::printf(" | %5.2fs\n", wall);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
