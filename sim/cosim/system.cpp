// run_system: builds the co-simulation for a scenario, runs it, prints the story and the summary.
//   demo: ARP and ping from A to B, then an HTTP GET (the seed's request/response story), every frame
//         printed as it crosses the RTL;  ping, http, bulk: one of those, with figures;
//   tap:  host A's wire ends in a Linux TAP device (ping and curl from Linux reach it through the RTL).
#include "cosim/system.h"

#include "bulk/bulk.h"
#include "http/http.h"
#include "cosim/host_module.h"
#include "cosim/nic_module.h"
#include "cosim/wire.h"
#include "driver/nic_regs.h"
#include "svc/ping.h"

#include <systemc>

#include <netinet/tcp.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdlib>
#include <memory>
#include <vector>

namespace nic::cosim {

namespace {

using Clock = std::chrono::steady_clock;
std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted = true; }

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
double sim_seconds() { return sc_core::sc_time_stamp().to_seconds(); }

// Goodput limit of TCP over 1 Gb/s Ethernet: payload per frame over its wire bytes (preamble 8,
// header 14, FCS 4, gap 12: IEEE 802.3 clauses 3, 4). MTU 1500: 949.28 Mb/s, 941.48 with the 12
// bytes of the timestamp option (RFC 7323).
double goodput_limit_mbps(size_t mtu, bool timestamps) {
    return 1000.0 * double(mtu - 40 - (timestamps ? 12 : 0)) / double(mtu + 38);
}

// The end of the run: everything the apps report.
struct Shared {
    FILE* out = nullptr;
    bool story = false;
    int pending = 0;           // apps still running
    bool failed = false;
    std::string failure;
    Clock::time_point wall0;
    // bulk
    uint64_t bulk_bytes = 0;
    Instant first_start = Instant::max(), last_finish{};
    std::string hashes;

    void say(const char* fmt, ...) {
        if (!story) return;
        va_list ap;
        va_start(ap, fmt);
        std::fprintf(out, "[%10.3f us] ", sim_seconds() * 1e6);
        std::vfprintf(out, fmt, ap);
        std::fputc('\n', out);
        va_end(ap);
        std::fflush(out);
    }
    void fail(const std::string& why) {
        if (!failed) failure = why;
        failed = true;
    }
    void app_done() {
        if (--pending <= 0) end_requested.notify(sc_core::SC_ZERO_TIME);
    }
    sc_core::sc_event end_requested;
};

// The end of a run: once every application is done (at time T), the NICs run on to T + a grace
// period (longer than any quantum, so no NIC has passed it) and stop there exactly; the figures are
// taken at that cycle, so they do not depend on the quantum.
constexpr uint64_t kEndGraceCycles = 12500;  // 100 us
constexpr uint64_t kMaxQuantum = 10000;      // < kEndGraceCycles

class Finisher : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Finisher);
    Finisher(sc_core::sc_module_name n, Shared& sh, std::vector<NicModule*> nics) : sc_module(n), sh_(sh), nics_(std::move(nics)) {
        SC_THREAD(thread);
    }
    uint64_t end_cycle = kNever;

private:
    void thread() {
        wait(sh_.end_requested);
        end_cycle = now_cycle() + kEndGraceCycles;
        for (NicModule* n : nics_) n->set_end(end_cycle);
        wait(cycle_time(end_cycle) - sc_core::sc_time_stamp());
        for (NicModule* n : nics_)
            while (n->cycle() < end_cycle) wait(n->progress);
        sc_core::sc_stop();
    }
    Shared& sh_;
    std::vector<NicModule*> nics_;
};

// Time limit, progress line, Ctrl-C.
class Supervisor : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Supervisor);
    Supervisor(sc_core::sc_module_name n, Shared& sh, double limit_s, bool progress, std::function<std::string()> status,
               bool interrupt_ends_run)
        : sc_module(n), sh_(sh), limit_s_(limit_s), progress_(progress), status_(std::move(status)),
          interrupt_ends_run_(interrupt_ends_run) {
        SC_THREAD(thread);
    }

private:
    void thread() {
        auto last = sh_.wall0;
        for (;;) {
            wait(sc_core::sc_time(100, sc_core::SC_US));
            if (g_interrupted) {
                if (!interrupt_ends_run_) sh_.fail("interrupted");
                sc_core::sc_stop();
                return;
            }
            if (limit_s_ > 0 && sim_seconds() >= limit_s_) {
                sh_.fail("simulated time limit reached (" + std::to_string(limit_s_ * 1e3) + " ms; see --time-limit)");
                sc_core::sc_stop();
                return;
            }
            auto now = Clock::now();
            if (progress_ && secs(last, now) >= 2.0) {
                last = now;
                double w = secs(sh_.wall0, now), s = sim_seconds();
                std::fprintf(stderr, "nicsim: simulated %.3f ms in %.1f s wall (1/%.0f of real time)%s\n", s * 1e3, w,
                             s > 0 ? w / s : 0.0, status_().c_str());
            }
        }
    }
    Shared& sh_;
    double limit_s_;
    bool progress_;
    std::function<std::string()> status_;
    bool interrupt_ends_run_;
};

uint64_t us_to_cycles(double us) { return uint64_t(us * 1000.0 / double(kCycleNs)); }

std::string http_body_hash(uint64_t n) {
    Sha256 h;
    std::vector<uint8_t> b(size_t(std::min<uint64_t>(n, 65536)));
    for (uint64_t done = 0; done < n;) {
        size_t k = size_t(std::min<uint64_t>(b.size(), n - done));
        for (size_t i = 0; i < k; ++i) b[i] = uint8_t('a' + (done + i) % 26);
        h.update(b.data(), k);
        done += k;
    }
    return h.hex();
}

// ---------------------------------------------------------------- scenario pieces (host threads)

void run_ping(HostModule& a, Shared& sh, const SimOptions& o, Ipv4Addr dst) {
    PingConfig pc;
    pc.dst = dst;
    pc.count = o.count;
    pc.interval = Duration::from_ns(int64_t(o.interval_ms * 1e6));
    pc.size = o.ping_size;
    pc.timeout = Duration::from_ms(10);
    sh.say("host A: ping %s, %d echo requests of %zu bytes (the first needs ARP: who-has %s)", dst.str().c_str(),
           o.count, o.ping_size, dst.str().c_str());
    PingResult r = ping(a.api(), pc, [&](const std::string& line) { sh.say("host A: %s", line.c_str()); });
    sh.say("host A: %s", r.summary(dst).c_str());
    if (r.setup_error) sh.fail(std::string("ping could not start: ") + std::strerror(r.setup_error));
    else if (r.received != r.transmitted) sh.fail("ping: " + std::to_string(r.transmitted - r.received) + " of " +
                                                  std::to_string(r.transmitted) + " echo requests unanswered");
}

void start_http_server(HostModule& b, Shared& sh) {
    auto srv = std::make_shared<HttpServer>(b.api(), HttpServerConfig{});
    if (int e = srv->start()) {
        sh.fail(std::string("HTTP server: ") + std::strerror(e));
        return;
    }
    b.runner().add_task([srv] { return srv->step(); });
}

void run_http_get(HostModule& a, Shared& sh, const SimOptions& o, Ipv4Addr dst) {
    HttpUrl u;
    u.host = dst;
    u.path = "/gen/" + std::to_string(o.http_bytes);
    sh.say("host A: HTTP GET http://%s%s: socket(), connect() (three-way handshake), write(request), read(response)",
           dst.str().c_str(), u.path.c_str());
    HttpResult r = http_get(a.api(), u, nullptr, Duration::from_s(5), o.http_requests);
    if (r.err) {
        sh.fail(std::string("HTTP GET: ") + std::strerror(r.err));
        return;
    }
    if (!r.error.empty() || r.status != 200) {
        sh.fail("HTTP GET: " + (r.error.empty() ? r.status_line : r.error));
        return;
    }
    const bool match = r.body_bytes == o.http_bytes && r.sha256 == http_body_hash(o.http_bytes);
    sh.say("host A: %s, %llu body bytes, sha256 %s (%s)", r.status_line.c_str(), (unsigned long long)r.body_bytes,
           r.sha256.substr(0, 16).c_str(), match ? "matches what the server generated" : "DIFFERS");
    if (!match) sh.fail("HTTP body differs from what the server sent");
}

// Bulk: one end per connection on each host, as runner tasks; the host's app waits for its ends.
struct BulkSide {
    std::vector<std::unique_ptr<BulkEnd>> ends;
    int listener = -1;
    int want = 0;
};

void run_bulk_side(HostModule& h, Shared& sh, const SimOptions& o, bool is_a, Ipv4Addr peer) {
    auto side = std::make_shared<BulkSide>();
    SocketApi& api = h.api();
    const uint64_t tx = (o.direction == "both" || (o.direction == "a2b") == is_a) ? o.bulk_bytes : 0;
    side->want = o.connections;
    if (!is_a) {
        side->listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), 5001});
        if (api.bind(side->listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            api.listen(side->listener, o.connections) != 0) {
            sh.fail(std::string("bulk listen: ") + std::strerror(api.error()));
            return;
        }
    } else {
        for (int i = 0; i < o.connections; ++i) {
            auto e = std::make_unique<BulkEnd>();
            e->api = &api;
            e->tx_bytes = tx;
            e->seed = o.seed * 100 + uint64_t(i);
            e->fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            int one = 1;
            if (o.nodelay) api.setsockopt(e->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            sockaddr_in to = make_sockaddr(Endpoint{peer, 5001});
            if (api.connect(e->fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && api.error() != EINPROGRESS) {
                sh.fail(std::string("bulk connect: ") + std::strerror(api.error()));
                return;
            }
            e->started = h.runner().now();
            side->ends.push_back(std::move(e));
        }
    }
    Runner& r = h.runner();
    r.add_task([side, &api, &r, tx, &o] {
        bool did = false;
        while (side->listener >= 0 && int(side->ends.size()) < side->want) {
            int fd = api.accept(side->listener, nullptr, nullptr);
            if (fd < 0) break;
            api.set_nonblocking(fd, true);
            auto e = std::make_unique<BulkEnd>();
            e->api = &api;
            e->fd = fd;
            e->tx_bytes = tx;
            e->seed = o.seed * 100 + 50 + side->ends.size();
            e->started = r.now();
            side->ends.push_back(std::move(e));
            did = true;
        }
        for (auto& e : side->ends) did |= e->step(r.now());
        return did;
    });
    auto all_done = [side] {
        if (int(side->ends.size()) < side->want) return false;
        for (auto& e : side->ends)
            if (!e->done()) return false;
        return true;
    };
    while (!all_done()) r.step(Instant::max());
    for (auto& e : side->ends) {
        if (e->err) sh.fail(std::string("bulk transfer: ") + std::strerror(e->err));
        sh.bulk_bytes += e->rx_hash.bytes();
        sh.first_start = min(sh.first_start, e->started);
        if (e->finished > sh.last_finish) sh.last_finish = e->finished;
        sh.hashes += std::string(is_a ? "A" : "B") + " tx " + e->tx_hash.hex() + " " + std::to_string(e->tx_hash.bytes()) +
                     " rx " + e->rx_hash.hex() + " " + std::to_string(e->rx_hash.bytes()) + "\n";
    }
}

// ---------------------------------------------------------------- summary

void put(SimReport& r, const std::string& k, double v) { r.figures[k] = v; }

}  // namespace

SimReport run_system(const SimOptions& o, FILE* out) {
    SimReport rep;
    Shared sh;
    sh.out = out;
    sh.story = !o.quiet && (o.scenario == "demo" || o.scenario == "ping" || o.scenario == "http" ||
                            o.scenario == "tap" || o.trace);
    sh.wall0 = Clock::now();
    const bool tap = o.scenario == "tap";
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    NicModuleConfig nc;
    nc.quantum = std::min(o.quantum, kMaxQuantum);
    nc.mem_latency_cycles = unsigned(std::max<uint64_t>(1, (o.host_latency_ns + kCycleNs / 2) / kCycleNs));
    nc.mmio_read_ns = o.mmio_latency_ns;
    nc.mem_size = size_t(2 * o.ring_size) * (o.mtu + 14 + 64 + 32) + (1 << 20);
    std::string vcd_tmp;
    if (!o.vcd.empty() || !o.fst.empty()) {
        vcd_tmp = o.vcd.empty() ? o.fst + ".tmp.vcd" : o.vcd;
        nc.vcd = vcd_tmp;
        if (o.wave_to_us > 0) {
            nc.vcd_from = us_to_cycles(o.wave_from_us);
            nc.vcd_to = us_to_cycles(o.wave_to_us);
        }
    }
    NicModule nic_a("nic_a", nc);
    nc.vcd.clear();
    std::unique_ptr<NicModule> nic_b;
    if (!tap) nic_b = std::make_unique<NicModule>("nic_b", nc);

    WireConfig wc;
    wc.delay_ns = o.delay_ns;
    wc.loss = o.loss;
    wc.ber = o.ber;
    wc.seed = o.seed;
    wc.verify_checksums = o.verify_offload;
    wc.link_down_at_ns = uint64_t(o.link_down_ms * 1e6);
    wc.link_up_at_ns = uint64_t(o.link_up_ms * 1e6);
    Wire wire("wire", wc);
    if (!o.pcap.empty()) {
        std::string err;
        if (!wire.open_pcap(o.pcap, err)) {
            rep.failure = "cannot write the capture: " + err;
            return rep;
        }
    }
    std::unique_ptr<TapDevice> tapdev;
    std::unique_ptr<TapBridge> bridge;
    if (tap) {
        tapdev = std::make_unique<TapDevice>();
        tapdev->mtu = o.mtu;
        if (!tapdev->open(o.tap, o.netns)) {
            rep.failure = "TAP device: " + tapdev->error();
            return rep;
        }
        bridge = std::make_unique<TapBridge>("tap", *tapdev);
        wire.connect(nic_a, *bridge);
    } else {
        wire.connect(nic_a, *nic_b);
    }
    if (o.inject_dma_error_ms > 0) {
        // A fatal DMA error: the window shrinks to nothing under the running device, so its next ring
        // access is refused (IRQ ERR); the driver must reset the device and rebuild its rings.
        nic_a.schedule_reg_write(uint64_t(o.inject_dma_error_ms * 1e6) / kCycleNs, nic::regs::kDmaWinLimitLo, 0);
        nic_a.schedule_reg_write(uint64_t(o.inject_dma_error_ms * 1e6) / kCycleNs, nic::regs::kDmaWinLimitHi, 0);
    }

    // Hosts: A 192.0.2.1 (client), B 192.0.2.2 (server); on TAP, A is 192.0.2.2 and Linux 192.0.2.1.
    const Ipv4Addr ip_a = tap ? Ipv4Addr(192, 0, 2, 2) : Ipv4Addr(192, 0, 2, 1), ip_b(192, 0, 2, 2);
    HostConfig hc;
    hc.driver.mtu = o.mtu;
    hc.driver.tx_ring = hc.driver.rx_ring = o.ring_size;
    hc.driver.offload = o.offload;
    hc.driver.verify_offload = o.verify_offload;
    hc.driver.irq_mod_pkts = o.irq_mod_pkts;
    hc.driver.irq_mod_cycles = unsigned(us_to_cycles(o.irq_mod_us));
    hc.tcp.mtu = uint16_t(o.mtu);
    hc.tcp.nodelay = o.nodelay;
    hc.cpu.per_packet = Duration::from_ns(int64_t(o.cpu_ns_per_packet));
    hc.cpu.ns_per_byte = o.cpu_ns_per_byte;
    auto tracer = [&](const char* who) {
        return [&sh, who, out](const std::string& s) {
            std::fprintf(out, "[%10.3f us cycle %9llu] %s %s\n", sim_seconds() * 1e6,
                         (unsigned long long)now_cycle(), who, s.c_str());
        };
    };
    hc.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0x00, 0x01}};
    hc.addr = Ipv4Cidr{ip_a, 24};
    hc.seed = o.seed * 2 + 1;
    // --trace: everything from both hosts. The demo's story: host A's frames, both hosts' TCP states.
    const bool story_frames = sh.story && !o.trace && o.scenario != "bulk";
    auto story = [&](const char* who, bool frames) -> std::function<void(const std::string&)> {
        auto t = tracer(who);
        return [t, frames](const std::string& s) {
            if (s.compare(0, 7, "driver ") == 0) return;
            if (s.compare(0, 5, "sock ") == 0) {
                t(s);
                return;
            }
            if (s.compare(0, 4, "tcp ") == 0) {
                if (s.find(" -> ") != std::string::npos) t(s);  // state changes only
                return;
            }
            if (frames) t(s.substr(s.find(' ') + 1));  // the Tracer's own time stamp is ours already
        };
    };
    const std::string& sc = o.scenario;
    if (o.trace) hc.trace = tracer("A");
    else if (story_frames) hc.trace = story("A", true);
    HostModule host_a("host_a", hc, nic_a);
    std::unique_ptr<HostModule> host_b;
    if (!tap) {
        hc.mac = MacAddr{{0x02, 0x4e, 0x49, 0x43, 0x00, 0x02}};
        hc.addr = Ipv4Cidr{ip_b, 24};
        hc.seed = o.seed * 2 + 2;
        hc.trace = o.trace ? tracer("B") : story_frames ? story("B", false) : nullptr;
        host_b = std::make_unique<HostModule>("host_b", hc, *nic_b);
    }
    auto on_fail = [&sh](HostModule& h, const std::string& why) {
        sh.fail(std::string(h.name()) + ": " + why);
        sc_core::sc_stop();
    };
    host_a.on_failure = on_fail;
    if (host_b) host_b->on_failure = on_fail;

    sh.pending = 1;
    if (sc == "demo" || sc == "http") {
        host_b->app = [&](HostModule& b) {
            start_http_server(b, sh);
            sh.say("host B: HTTP server listening on %s:80 (socket, bind, listen; accept in a task)", ip_b.str().c_str());
        };
        host_a.app = [&](HostModule& a) {
            sh.say("host A: driver up (%s), link %s; stack on %s", "probe, rings, MDIO", a.driver().link_up() ? "up" : "down",
                   ip_a.str().c_str());
            if (sc == "demo") run_ping(a, sh, o, ip_b);
            if (!sh.failed) run_http_get(a, sh, o, ip_b);
            sh.app_done();
        };
    } else if (sc == "ping") {
        host_a.app = [&](HostModule& a) {
            run_ping(a, sh, o, ip_b);
            sh.app_done();
        };
    } else if (sc == "bulk") {
        sh.pending = 2;
        host_a.app = [&](HostModule& a) {
            run_bulk_side(a, sh, o, true, ip_b);
            sh.app_done();
        };
        host_b->app = [&](HostModule& b) {
            run_bulk_side(b, sh, o, false, ip_a);
            sh.app_done();
        };
    } else if (sc == "tap") {
        host_a.app = [&](HostModule& a) {
            start_http_server(a, sh);
            sh.say("host A: %s on TAP %s%s%s, HTTP server on port 80; serving for %.0f s", ip_a.str().c_str(),
                   o.tap.c_str(), o.netns.empty() ? "" : " in namespace ", o.netns.c_str(), o.tap_seconds);
            const auto until = sh.wall0 + std::chrono::milliseconds(int64_t(o.tap_seconds * 1000));
            while (Clock::now() < until && !g_interrupted)
                a.runner().step(a.runner().now() + Duration::from_ms(1));
            sh.app_done();
        };
    } else {
        rep.failure = "unknown scenario '" + sc + "'";
        return rep;
    }

    auto status = [&]() -> std::string {
        char b[160];
        std::snprintf(b, sizeof b, "; wire A->B %.1f MB, B->A %.1f MB", double(wire.stats(0).bytes) / 1e6,
                      double(wire.stats(1).bytes) / 1e6);
        return b;
    };
    // tap: Ctrl-C or SIGTERM is how a user ends the session, not a failure.
    Supervisor sup("supervisor", sh, tap ? 0 : o.time_limit_ms / 1e3, !o.quiet, status, tap);
    std::vector<NicModule*> nics{&nic_a};
    if (nic_b) nics.push_back(nic_b.get());
    Finisher fin("finisher", sh, nics);

    sc_core::sc_start();
    const double wall = secs(sh.wall0, Clock::now());
    const double sim_s = sim_seconds();
    wire.finish();
    if (!vcd_tmp.empty()) {
        nic_a.harness().close_waves();
        if (!o.fst.empty()) {
            // Verilator builds a model for VCD or FST, not both: FST is converted (gtkwave's vcd2fst).
            std::string cmd = "vcd2fst '" + vcd_tmp + "' '" + o.fst + "' >/dev/null 2>&1";
            if (std::system(cmd.c_str()) != 0) sh.fail("vcd2fst failed (apt-get install gtkwave)");
            std::remove(vcd_tmp.c_str());
        }
    }

    const uint64_t cycles = nic_a.cycle();  // before the offline register reads below move the RTL on
    // Counters: the NICs' registers are read through the driver after the run (offline access).
    nic_a.set_offline();
    if (nic_b) nic_b->set_offline();
    HostModule* hosts[2] = {&host_a, host_b.get()};
    for (HostModule* h : hosts)
        if (h && h->up()) h->driver().update_stats();

    rep.ok = !sh.failed;
    rep.failure = sh.failure;
    for (int s = 0; s < 2; ++s) {
        const char* n = s ? "b" : "a";
        const WireDirStats& w = wire.stats(s);
        put(rep, std::string("wire_") + n + "_frames", double(w.frames));
        put(rep, std::string("wire_") + n + "_bytes", double(w.bytes));
        put(rep, std::string("wire_") + n + "_lost", double(w.lost));
        put(rep, std::string("wire_") + n + "_damaged", double(w.damaged));
        put(rep, std::string("wire_") + n + "_bad_bursts", double(w.bad_bursts));
        put(rep, std::string("wire_") + n + "_csum_bad", double(w.csum_bad));
        HostModule* h = hosts[s];
        if (!h) continue;
        const drv::DriverStats& d = h->driver().stats();
#define NIC_X(name, desc) put(rep, std::string("drv_") + n + "_" #name, double(d.name));
        NIC_DRIVER_COUNTERS(NIC_X)
#undef NIC_X
        TcpCounters t = h->tcp().mux().totals();
        put(rep, std::string("tcp_") + n + "_retrans_segs", double(t.retrans_segs));
        put(rep, std::string("tcp_") + n + "_rto_expirations", double(t.rto_expirations));
        put(rep, std::string("tcp_") + n + "_fast_retransmits", double(t.fast_retransmits));
        put(rep, std::string("tcp_") + n + "_piggybacked_acks", double(t.piggybacked_acks));
        put(rep, std::string("tcp_") + n + "_pure_acks_out", double(t.pure_acks_out));
        put(rep, std::string("tcp_") + n + "_segs_out", double(t.segs_out));
        put(rep, std::string("stack_") + n + "_tx_dev_busy", double(h->stack().stats().tx_dev_busy));
        put(rep, std::string("nic_") + n + "_sync_violations", double(h->nic().sync_violations()));
        put(rep, std::string("nic_") + n + "_axi_protocol_errors", double(h->nic().harness().axi().protocol_errors().size()));
        put(rep, std::string("nic_") + n + "_dma_window_violations", double(h->nic().harness().axi().violations().size()));
        const NicModuleStats& ns = h->nic().stats();
        put(rep, std::string("nic_") + n + "_irq_wakeups", double(ns.host_wakeups_irq));
        // How the simulator ran (depends on the quantum, like the wall time), prefix run_.
        put(rep, std::string("run_") + n + "_syncs", double(ns.syncs));
        put(rep, std::string("run_") + n + "_idle_cycles_skipped", double(ns.idle_cycles_skipped));
        put(rep, std::string("nic_") + n + "_reg_reads", double(ns.reg_reads));
        put(rep, std::string("nic_") + n + "_reg_writes", double(ns.reg_writes));
        put(rep, std::string("host_") + n + "_cpu_busy_ns", double(h->runner().cpu_busy().ns));
    }
    put(rep, "sim_ns", sim_s * 1e9);
    if (bridge) {
        put(rep, "tap_rx_frames", double(bridge->rx_frames));
        put(rep, "tap_tx_frames", double(bridge->tx_frames));
        put(rep, "tap_tx_errors", double(bridge->tx_errors));
    }
    put(rep, "run_wall_s", wall);
    put(rep, "cycles", double(cycles));
    put(rep, "pcap_frames", double(wire.pcap_frames()));
    double goodput = 0;
    if (sh.last_finish > sh.first_start) goodput = double(sh.bulk_bytes) * 8e3 / double((sh.last_finish - sh.first_start).ns);
    put(rep, "bulk_bytes", double(sh.bulk_bytes));
    put(rep, "goodput_mbps", goodput);

    // ---- summary
    const WireDirStats &wa = wire.stats(0), &wb = wire.stats(1);
    std::fprintf(out, "\n== nicsim %s: %s ==\n", sc.c_str(), rep.ok ? "ok" : ("FAILED: " + rep.failure).c_str());
    std::fprintf(out, "simulated time  %.3f ms (%llu core cycles per NIC at 125 MHz)\n", sim_s * 1e3, (unsigned long long)cycles);
    std::fprintf(out, "wall time       %.2f s; speed 1/%.0f of real time, %.2f M NIC cycles/s (%d NICs)\n", wall,
                 sim_s > 0 ? wall / sim_s : 0.0, wall > 0 ? double(cycles) * (tap ? 1 : 2) / wall / 1e6 : 0.0, tap ? 1 : 2);
    std::fprintf(out, "frames          A->%s %llu (%.1f kB), %s->A %llu (%.1f kB)\n", tap ? "Linux" : "B",
                 (unsigned long long)wa.frames, double(wa.bytes) / 1e3, tap ? "Linux" : "B", (unsigned long long)wb.frames,
                 double(wb.bytes) / 1e3);
    std::fprintf(out, "wire faults     lost %llu/%llu, damaged %llu/%llu (%llu bit errors)\n", (unsigned long long)wa.lost,
                 (unsigned long long)wb.lost, (unsigned long long)wa.damaged, (unsigned long long)wb.damaged,
                 (unsigned long long)(wa.bit_errors + wb.bit_errors));
    for (HostModule* h : hosts) {
        if (!h || !h->up()) continue;
        const drv::DriverStats& d = h->driver().stats();
        TcpCounters t = h->tcp().mux().totals();
        const double acks = double(t.piggybacked_acks + t.pure_acks_out);
        std::fprintf(out,
                     "%s drops      MAC %llu, filter %llu, no descriptor %llu, FIFO %llu; driver: TX refused %llu, "
                     "error completions %llu/%llu, resets %llu\n",
                     h->name(), (unsigned long long)d.dev_rx_drop_mac, (unsigned long long)d.dev_rx_drop_filter,
                     (unsigned long long)d.dev_rx_drop_nodesc, (unsigned long long)d.dev_rx_drop_fifo,
                     (unsigned long long)d.tx_queue_full, (unsigned long long)d.tx_error_completions,
                     (unsigned long long)d.rx_error_completions,
                     (unsigned long long)(d.watchdog_resets + d.error_resets));
        std::fprintf(out, "%s TCP        segments out %llu, retransmitted %llu (RTO %llu, fast %llu), piggybacked ACKs %.0f%% (%llu of %.0f)\n",
                     h->name(), (unsigned long long)t.segs_out, (unsigned long long)t.retrans_segs,
                     (unsigned long long)t.rto_expirations, (unsigned long long)t.fast_retransmits,
                     acks > 0 ? 100.0 * double(t.piggybacked_acks) / acks : 0.0, (unsigned long long)t.piggybacked_acks, acks);
        std::fprintf(out, "%s interrupts %llu, NAPI polls %llu\n", h->name(), (unsigned long long)d.irqs,
                     (unsigned long long)d.napi_polls);
    }
    if (sc == "bulk") {
        // Full duplex: both directions together may reach twice the one-way limit.
        const int ways = o.direction == "both" ? 2 : 1;
        const double lim = ways * goodput_limit_mbps(o.mtu, true);
        std::fprintf(out, "goodput         %.2f Mb/s (%.1f%% of %s%.2f Mb/s, the limit at MTU %zu with TCP timestamps; %.2f without)\n",
                     goodput, 100.0 * goodput / lim, ways == 2 ? "2 x " : "", lim / ways, o.mtu,
                     goodput_limit_mbps(o.mtu, false));
        std::fprintf(out, "%s", sh.hashes.c_str());
    }
    if (o.verify_offload)
        std::fprintf(out, "offload check   wire checksum errors %llu/%llu, RX verdict mismatches %g/%g\n",
                     (unsigned long long)wa.csum_bad, (unsigned long long)wb.csum_bad, rep.figures["drv_a_rx_csum_mismatch"],
                     rep.figures["drv_b_rx_csum_mismatch"]);
    if (o.stats) {
        for (HostModule* h : hosts) {
            if (!h || !h->up()) continue;
            std::fprintf(out, "\n---- %s: stack, driver and device counters\n%s\n%s TCP\n%s%s", h->name(),
                         h->stack().stats_dump().c_str(), h->name(), h->tcp().netstat_table().c_str(),
                         h->tcp().stats_dump().c_str());
        }
    }
    if (!o.pcap.empty()) std::fprintf(out, "pcap            %s (%llu frames)\n", o.pcap.c_str(), (unsigned long long)wire.pcap_frames());
    if (!o.report.empty()) {
        if (FILE* f = std::fopen(o.report.c_str(), "w")) {
            std::fprintf(f, "ok %d\n", rep.ok ? 1 : 0);
            for (auto& [k, v] : rep.figures) std::fprintf(f, "%s %.17g\n", k.c_str(), v);
            std::fclose(f);
        }
    }
    std::fflush(out);
    return rep;
}

}  // namespace nic::cosim
