// nicboard: the host side of the NIC board. Finds the board on its SPI bridge, brings it up with the
// real driver and runs the stack's applications over it: ping, an HTTP GET, a bulk TCP transfer. On
// hardware (the iCE40-HX8K breakout's FT2232H channel A, libftdi1; the far end is a real host running
// e.g. nichttpd or nicbulk --listen) or with --sim on the simulated FTDI, the Verilated board (its
// real parameters: 8 KB window, RMII) and a simulated peer host on the board's Ethernet link.
// Scenario and option names follow nicsim's (--count, --interval, --size, --http-bytes, --bytes,
// --direction, --mtu, --seed, --time-limit, --report, --quiet, --stats).
//   FtdiPort | SimFtdi -> MpsseSpi -> BridgeClient -> BoardPlatform -> NicDriver -> Stack -> apps
#include "apps/cli.h"
#include "board_apps.h"
#include "driver/board/board_host.h"
#include "driver/board/ftdi_port.h"
#include "driver/board/sim/sim_board.h"
#include "driver/nic_regs.h"
#include "http.h"
#include "svc/ping.h"

#include <boost/program_options.hpp>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

using namespace nic;
using namespace nic::board;
namespace po = boost::program_options;
namespace R = nic::regs;

namespace {

int fail(const std::string& m) {
    std::cerr << "nicboard: " << m << "\n";
    return 1;
}

// Figures for the summary and --report, in the order they were added.
struct Report {
    std::ostringstream lines;
    void add(const std::string& name, double v) { lines << name << " " << v << "\n"; }
};

}  // namespace

int main(int argc, char** argv) {
    std::string scenario, serial, addr_s, peer_s, http_bytes_s, bytes_s, direction, report_path, seed_s;
    unsigned divisor = 7, retries = 8, phy_addr = 1;
    size_t mtu = 1500, ping_size = 56, mem_bytes = 8192;
    int count = 3, http_port = 80, bulk_port = 5001;
    double interval_ms = 1, time_limit_ms = 0, ref_ppm = 0;
    uint64_t fault_every = 0;
    po::options_description opts(
        "nicboard [SCENARIO] [options]\n"
        "The NIC board over its SPI bridge: brings it up with the driver and runs an application.\n"
        "Scenarios: probe (default: bring-up only), ping, http, bulk\n"
        "Hardware: the iCE40-HX8K breakout's FT2232H (libftdi1); the far end of the board's Ethernet runs\n"
        "  nichttpd (http: GET /gen/N) or nicbulk --listen PORT. --sim: a simulated board and peer host.\n"
        "Options");
    opts.add_options()
        ("help,h", "show this help")
        ("sim", "no hardware: the simulated FT2232H, the Verilated board (8 KB, RMII) and a peer host")
        ("serial", po::value<std::string>(&serial), "the FT2232H with this USB serial (default: the first 0403:6010)")
        ("divisor", po::value<unsigned>(&divisor)->default_value(7),
         "MPSSE clock divisor: SCK = 30 MHz / (1 + N). The board's MISO follows an SCK falling edge by up "
         "to 5 core cycles (100 ns: the bridge's synchroniser and edge detection, the I/O registers), so "
         "N >= 5; 7 (3.75 MHz) leaves room for pad and cable delays")
        ("retries", po::value<unsigned>(&retries)->default_value(8), "bridge retries per access after a CRC error")
        ("phy-addr", po::value<unsigned>(&phy_addr)->default_value(1),
         "the PHY's MDIO address (0..31; LAN8720 modules strap 0 or 1: try the other if probe finds no PHY)")
        ("mem-bytes", po::value<size_t>(&mem_bytes)->default_value(8192),
         "the board's host memory window (nic_fpga.v: 8192; --sim takes the simulated board's)")
        ("addr", po::value<std::string>(&addr_s)->default_value("192.0.2.1/24"), "the board host's address")
        ("peer", po::value<std::string>(&peer_s)->default_value("192.0.2.2"), "the far end's address")
        ("mtu", po::value<size_t>(&mtu)->default_value(1500), "MTU (576..1500; buffers must fit the 8 KB window)")
        ("seed", po::value<std::string>(&seed_s)->default_value("1"), "seed of the stacks and the data (hardware without it: random)")
        ("count,c", po::value<int>(&count)->default_value(3), "ping: echo requests")
        ("interval", po::value<double>(&interval_ms)->default_value(1), "ping: ms between requests")
        ("size,s", po::value<size_t>(&ping_size)->default_value(56), "ping: data bytes")
        ("http-bytes", po::value<std::string>(&http_bytes_s)->default_value("4000"), "http: body size of the GET (/gen/N)")
        ("http-port", po::value<int>(&http_port)->default_value(80), "http: the server's port")
        ("bytes,n", po::value<std::string>(&bytes_s)->default_value("256k"), "bulk: bytes per direction (k/M)")
        ("direction,d", po::value<std::string>(&direction)->default_value("a2b"), "bulk: a2b (board -> peer) | b2a | both")
        ("bulk-port", po::value<int>(&bulk_port)->default_value(5001), "bulk: the peer's port (nicbulk --listen)")
        ("fault-every", po::value<uint64_t>(&fault_every)->default_value(0),
         "--sim: corrupt every Nth SPI transfer (alternately MOSI and MISO; 0: none)")
        ("ref-ppm", po::value<double>(&ref_ppm)->default_value(0), "--sim: RMII REF_CLK offset from 50 MHz, ppm")
        ("time-limit", po::value<double>(&time_limit_ms)->default_value(0),
         "give up after this many ms (simulated with --sim; default 2000 for ping/http, 60000 for bulk)")
        ("report", po::value<std::string>(&report_path), "write every figure as 'name value' lines to this file")
        ("quiet,q", "print only the summary")
        ("stats", "after the summary, every counter of the driver and the device");
    po::variables_map vm;
    if (int rc = apps::parse_scenario_command_line(argc, argv, "nicboard", opts, scenario, "probe", vm, "Exit status: 0 success, 1 a step failed (the message says which), 2 usage.\n"); rc >= 0)
        return rc;
    const bool sim = vm.count("sim") > 0, quiet = vm.count("quiet") > 0;
    const std::string& s = scenario;
    if (s != "probe" && s != "ping" && s != "http" && s != "bulk")
        return apps::usage_error("nicboard", "unknown scenario '" + s + "' (probe, ping, http, bulk)");
    if (divisor < 5 || divisor > 0xFFFF)
        return apps::usage_error("nicboard", "--divisor must be 5..65535 (SCK at most 5 MHz: the board answers 100 ns after an SCK edge)");
    if (retries > 1000) return apps::usage_error("nicboard", "--retries must be 0..1000");
    if (phy_addr > 31) return apps::usage_error("nicboard", "--phy-addr must be 0..31");
    auto addr = Ipv4Cidr::parse(addr_s);
    if (!addr) return apps::usage_error("nicboard", "bad --addr '" + addr_s + "' (A.B.C.D/N)");
    auto peer = Ipv4Addr::parse(peer_s);
    if (!peer) return apps::usage_error("nicboard", "bad --peer '" + peer_s + "' (A.B.C.D)");
    if (mtu < 576 || mtu > 1500) return apps::usage_error("nicboard", "--mtu must be 576..1500");
    if (mem_bytes < 1024 || mem_bytes > 65536) return apps::usage_error("nicboard", "--mem-bytes must be 1024..65536");
    if (sim && !vm["mem-bytes"].defaulted()) return apps::usage_error("nicboard", "--mem-bytes: --sim has the board's 8192-byte window");
    uint64_t seed = 0, http_bytes = 0, bulk_bytes = 0;
    if (!parse_byte_count(seed_s, seed, uint64_t(1) << 36)) return apps::usage_error("nicboard", "bad --seed '" + seed_s + "'");
    if (!parse_byte_count(http_bytes_s, http_bytes, uint64_t(1) << 30)) return apps::usage_error("nicboard", "bad --http-bytes '" + http_bytes_s + "'");
    if (!parse_byte_count(bytes_s, bulk_bytes, uint64_t(1) << 36) || bulk_bytes == 0) return apps::usage_error("nicboard", "bad --bytes '" + bytes_s + "'");
    if (count < 1 || count > 100000) return apps::usage_error("nicboard", "--count must be 1..100000");
    if (!(interval_ms >= 0 && interval_ms <= 10000)) return apps::usage_error("nicboard", "--interval must be 0..10000 ms");
    if (ping_size > kPingMaxSize) return apps::usage_error("nicboard", "--size must be at most " + std::to_string(kPingMaxSize));
    if (http_port < 1 || http_port > 65535 || bulk_port < 1 || bulk_port > 65535) return apps::usage_error("nicboard", "ports must be 1..65535");
    if (direction != "a2b" && direction != "b2a" && direction != "both") return apps::usage_error("nicboard", "--direction must be a2b, b2a or both");
    if (!(time_limit_ms >= 0 && time_limit_ms <= 1e7)) return apps::usage_error("nicboard", "--time-limit must be 0..1e7 ms");
    if (!sim && (fault_every || !vm["ref-ppm"].defaulted())) return apps::usage_error("nicboard", "--fault-every and --ref-ppm need --sim");
    if (!(ref_ppm >= -1000 && ref_ppm <= 1000)) return apps::usage_error("nicboard", "--ref-ppm must be -1000..1000");
    if (time_limit_ms == 0) time_limit_ms = s == "bulk" ? 60000 : 2000;
    const Duration limit = Duration::from_ns(int64_t(time_limit_ms * 1e6));

    BoardHostConfig hc;
    hc.divisor = divisor;
    hc.retries = retries;
    hc.phy_addr = uint8_t(phy_addr);
    hc.mtu = mtu;
    hc.mem_bytes = mem_bytes;
    hc.addr = *addr;
    hc.seed = seed;
    // On a real network ephemeral ports, IP IDs and ISNs must not be predictable (RFC 6056, RFC
    // 6528): without an explicit --seed, seed from the CSPRNG (as stack/api/host.cpp does on TAP).
    if (!sim && vm["seed"].defaulted() && sodium_init() >= 0) randombytes_buf(&hc.seed, sizeof hc.seed);
    // Hardware pieces, or the simulated board and its peer.
    std::unique_ptr<SimBoard> simb;
    FtdiPort ftdi;
    SteadyBoardClock steady;
    std::unique_ptr<BoardHost> hw_host;
    BoardHost* host = nullptr;
    if (sim) {
        SimBoardConfig sc;
        sc.host = hc;
        sc.board.ref_ppm = ref_ppm;
        sc.peer_addr = Ipv4Cidr{*peer, addr->prefix_len};
        sc.peer_seed = seed + 1;
        if (!addr->contains(*peer)) return apps::usage_error("nicboard", "--sim: --peer must be in --addr's subnet");
        simb = std::make_unique<SimBoard>(sc);
        if (fault_every) {
            simb->ftdi().fault_hook = [fault_every](uint64_t i, size_t bytes) {
                SpiFault f;
                if (i > 0 && i % fault_every == 0) {
                    if (i / fault_every % 2)
                        f.mosi_bit = 8 + 3;              // header address: the bridge refuses it
                    else
                        f.miso_bit = long(8 * bytes - 3);  // the reply's CRC byte: the host repeats it
                }
                return f;
            };
        }
        if (!simb->open()) return fail(simb->error());
        host = &simb->host();
    } else {
        if (!FtdiPort::available())
            return fail("built without libftdi1: no FTDI hardware support (Debian: apt-get install libftdi1-dev, "
                        "then re-run cmake), or use --sim");
        FtdiOptions fo;
        fo.serial = serial;
        if (!ftdi.open(fo)) return fail(ftdi.error());
        hw_host = std::make_unique<BoardHost>(ftdi, steady, hc);
        if (!hw_host->open()) return fail(hw_host->error());
        host = hw_host.get();
    }
    auto& drv = host->driver();
    Runner& runner = host->runner();
    const double sck = host->spi().sck_hz();
    const unsigned mac_mode = unsigned(R::caps::kMacMode.get(drv.device_caps()));
    const uint32_t ctrl = host->platform().read32(R::kCtrl);
    const char* speed = mac_mode == 2 ? ((ctrl & R::ctrl::kSpeed10(1)) ? "RMII 10 Mb/s" : "RMII 100 Mb/s")
                        : mac_mode == 1 ? "MII" : "GMII";
    if (!quiet) {
        std::printf("board: NIC register map %u.%u, %s, SCK %.2f MHz%s, window %zu bytes\n", host->version() >> 16,
                    host->version() & 0xFFFF, speed, sck / 1e6, sim ? " (simulated board and peer)" : "",
                    host->config().mem_bytes);
        std::printf("driver: up, rings %u/%u, buffers %u TX %u RX of %zu bytes, DMA memory %zu bytes\n",
                    drv.config().tx_ring, drv.config().rx_ring, drv.config().tx_buffers, drv.config().rx_buffers,
                    (mtu + 14 + 63) / 64 * 64, host->platform().allocated());
    }
    const auto wall0 = std::chrono::steady_clock::now();
    const Instant t0 = runner.now();
    Report rep;
    bool ok = true;
    std::string failure;

    std::unique_ptr<HttpServer> server;
    if (sim && s == "http") {
        HttpServerConfig sc;
        sc.port = uint16_t(http_port);
        server = std::make_unique<HttpServer>(simb->peer_api(), sc);
        if (server->start() != 0) return fail("simulated peer: HTTP server cannot listen");
        runner.add_task([&server] { return server->step(); });
    }

    if (s == "ping") {
        PingConfig pc;
        pc.dst = *peer;
        pc.count = count;
        pc.interval = Duration::from_ns(int64_t(interval_ms * 1e6));
        pc.size = ping_size;
        pc.timeout = limit;
        PingResult r = ping(host->api(), pc, [quiet](const std::string& l) {
            if (!quiet) std::printf("%s\n", l.c_str());
        });
        std::printf("%s", r.summary(pc.dst).c_str());
        rep.add("ping_transmitted", r.transmitted);
        rep.add("ping_received", r.received);
        rep.add("ping_rtt_min_ms", r.rtt_min.to_ms());
        rep.add("ping_rtt_avg_ms", r.rtt_avg.to_ms());
        rep.add("ping_rtt_max_ms", r.rtt_max.to_ms());
        if (r.setup_error || r.received == 0) {
            ok = false;
            failure = r.setup_error ? std::string("ping: ") + std::strerror(r.setup_error)
                                    : "ping: no reply from " + peer->str();
        }
    } else if (s == "http") {
        HttpUrl u;
        u.host = *peer;
        u.port = uint16_t(http_port);
        u.path = "/gen/" + std::to_string(http_bytes);
        char* buf = nullptr;
        size_t len = 0;
        FILE* out = open_memstream(&buf, &len);
        if (!out) return fail("open_memstream failed");
        const Instant g0 = runner.now();
        HttpResult r = http_get(host->api(), u, out, limit);
        const Duration took = runner.now() - g0;
        std::fclose(out);
        std::string body(buf ? buf : "", len);
        std::free(buf);
        bool pattern = body.size() == http_bytes;
        for (size_t i = 0; pattern && i < body.size(); ++i) pattern = body[i] == char('a' + i % 26);
        std::printf("GET http://%s:%d%s: %s, %zu body bytes in %.3f ms (%.3f Mb/s), body %s\n", peer->str().c_str(),
                    http_port, u.path.c_str(), r.status_line.empty() ? "no response" : r.status_line.c_str(),
                    body.size(), took.to_ms(), took.ns > 0 ? double(body.size()) * 8e3 / double(took.ns) : 0.0,
                    pattern ? "as generated" : "WRONG");
        rep.add("http_status", r.status);
        rep.add("http_body_bytes", double(body.size()));
        rep.add("http_ms", took.to_ms());
        if (r.err || !r.error.empty() || r.status != 200 || !pattern) {
            ok = false;
            failure = r.err ? std::string("http: ") + std::strerror(r.err)
                      : !r.error.empty() ? "http: " + r.error
                      : r.status != 200 ? "http: status " + std::to_string(r.status)
                                        : "http: the body is not the server's /gen pattern";
        }
    } else if (s == "bulk") {
        BulkOptions bo;
        bo.peer = Endpoint{*peer, uint16_t(bulk_port)};
        bo.bytes = bulk_bytes;
        bo.direction = direction;
        bo.seed = seed;
        bo.limit = limit;
        BulkOutcome b = run_bulk(host->api(), runner, sim ? &simb->peer_api() : nullptr, bo);
        std::printf("bulk %s: %llu bytes sent, %llu received in %.3f ms: goodput %.3f Mb/s%s\n", direction.c_str(),
                    (unsigned long long)b.sent, (unsigned long long)b.received, b.elapsed.to_ms(), b.goodput_mbps(),
                    b.verified ? " (SHA-256 equal at both ends)" : "");
        if (!quiet) std::printf("  sha256 sent %s\n", b.sent_sha.c_str());
        rep.add("bulk_bytes_sent", double(b.sent));
        rep.add("bulk_bytes_received", double(b.received));
        rep.add("bulk_goodput_mbps", b.goodput_mbps());
        if (!b.ok) {
            ok = false;
            failure = "bulk: " + b.error;
        }
    }

    // Summary.
    drv.update_stats();
    const auto& st = drv.stats();
    const auto& bs = host->bridge().stats();
    const double sim_ms = (runner.now() - t0).to_ms();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("summary: frames tx %llu (%llu bytes) rx %llu (%llu bytes); device drops: mac %llu, no descriptor %llu, "
                "fifo %llu\n",
                (unsigned long long)st.tx_frames, (unsigned long long)st.tx_bytes, (unsigned long long)st.rx_frames,
                (unsigned long long)st.rx_bytes, (unsigned long long)st.dev_rx_drop_mac,
                (unsigned long long)st.dev_rx_drop_nodesc, (unsigned long long)st.dev_rx_drop_fifo);
    std::printf("  SPI: %llu transactions, %.1f kB each way at SCK %.2f MHz; %llu retries (%llu refused, %llu reply CRC "
                "errors), %llu failures\n",
                (unsigned long long)bs.transactions, double(bs.spi_bytes) / 1e3, sck / 1e6,
                (unsigned long long)bs.retries, (unsigned long long)bs.refused,
                (unsigned long long)bs.reply_crc_errors, (unsigned long long)bs.failures);
    std::printf("  time: %.3f ms %s, %.2f s wall%s\n", sim_ms, sim ? "simulated" : "elapsed", wall_s,
                sim && wall_s > 0 ? (" (" + std::to_string(sim_ms / 1e3 / wall_s).substr(0, 6) + " x real time)").c_str()
                                  : "");
    rep.add("tx_frames", double(st.tx_frames));
    rep.add("rx_frames", double(st.rx_frames));
    rep.add("spi_transactions", double(bs.transactions));
    rep.add("spi_retries", double(bs.retries));
    rep.add("spi_sck_mhz", sck / 1e6);
    rep.add("time_ms", sim_ms);
    if (vm.count("stats")) std::printf("\n%s", drv.stats_dump().c_str());
    if (!report_path.empty()) {
        std::ofstream f(report_path);
        f << rep.lines.str();
        if (!f) return fail("cannot write --report " + report_path);
    }
    if (!ok) return fail(failure);
    std::printf("== nicboard %s: ok ==\n", s.c_str());
    return 0;
}
