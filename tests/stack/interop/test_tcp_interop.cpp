// TCP interop with Linux over a TAP device in a network namespace each test creates and deletes
// (netns.h; Linux 192.0.2.1, the stack 192.0.2.2): curl fetches from the stack's HTTP server, the
// stack's HTTP client fetches from python3's http.server, and bulk data goes both ways with nc,
// compared by SHA-256 at both ends. Each case runs clean and again with loss and reordering: Linux
// drops 2 % of TCP packets each way with nftables `numgen random` (inside the namespace), the stack's
// FaultInjector on its TAP device drops 1 % and reorders 2 % each way. All waits are bounded; no
// timing assertions. Needs root and curl, python3, nc (netcat-openbsd), nft (nftables), sha256sum.
#include "harness.h"
#include "http.h"
#include "netns.h"
#include "phy/fault.h"
#include "tcp/tcp_glue.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>

using namespace nic;
using namespace nic::test;

namespace {

std::string sha256_of(const std::vector<uint8_t>& d) {
    if (sodium_init() < 0) return "";
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, d.data(), d.size());
    char out[2 * sizeof h + 1];
    for (size_t i = 0; i < sizeof h; ++i) std::snprintf(out + 2 * i, 3, "%02x", h[i]);
    return out;
}

std::vector<uint8_t> pattern(size_t n, uint64_t seed) {
    std::vector<uint8_t> v(n);
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = uint8_t(x);
    }
    return v;
}

sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

// GetParam(): true = with loss and reordering on both sides.
class TcpInterop : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override {
        std::string why = lab.setup();
        ASSERT_EQ(why, "") << "interop lab setup failed: " << why;
        for (const char* t : {"curl", "python3", "nft", "sha256sum"})
            ASSERT_TRUE(have_tool(t)) << "missing tool '" << t
                                      << "': install curl, python3, nftables and coreutils (scripts/install-deps)";
        tcp = std::make_unique<TcpLayer>(lab.stack());
        tcp->attach(lab.api());
        if (GetParam()) {
            // Linux side: 2 % of TCP packets lost in each direction (RFC-free: the kernel has no netem here).
            std::string rules =
                "nft add table inet nic_loss && "
                "nft add chain inet nic_loss in \"{ type filter hook input priority 0 ; }\" && "
                "nft add chain inet nic_loss out \"{ type filter hook output priority 0 ; }\" && "
                "nft add rule inet nic_loss in meta l4proto tcp numgen random mod 100 \\< 2 counter drop && "
                "nft add rule inet nic_loss out meta l4proto tcp numgen random mod 100 \\< 2 counter drop";
            std::string out;
            ASSERT_EQ(sh("ip netns exec " + lab.ns() + " sh -c '\\''" + rules + "'\\''", &out), 0)
                << "cannot install the nftables loss rules: " << out;
            // Stack side: the fault injector between the stack and its TAP device.
            FaultConfig f;
            f.drop = 0.01;
            f.reorder = 0.02;
            f.reorder_max_hold = Duration::from_ms(5);
            Interface* ifc = lab.stack().interface(0);
            ASSERT_NE(ifc, nullptr);
            tap = ifc->dev;
            faults = std::make_unique<FaultInjector>(*tap, 20261126, f, f);
            ifc->dev = faults.get();
        }
    }
    void TearDown() override {
        std::string nft;
        if (!lab.ready() || !tcp) return;  // set-up failed: its own message says why
        if (GetParam()) {
            // The faults really happened: packets dropped by nftables (its counters) and frames
            // dropped or reordered by the stack's injector.
            sh("ip netns exec " + lab.ns() + " nft list ruleset", &nft);
            uint64_t nft_drops = 0;
            for (size_t p = nft.find("counter packets "); p != std::string::npos; p = nft.find("counter packets ", p + 1))
                nft_drops += std::strtoull(nft.c_str() + p + 16, nullptr, 10);
            uint64_t inj = faults ? faults->tx_stats().dropped + faults->rx_stats().dropped +
                                        faults->tx_stats().reordered + faults->rx_stats().reordered
                                  : 0;
            std::printf("faults: nftables dropped %llu packets, the stack's injector dropped/reordered %llu frames\n",
                        (unsigned long long)nft_drops, (unsigned long long)inj);
            if (faults) {  // set up completely (else SetUp's own failure says why)
                EXPECT_GT(nft_drops + inj, 0u) << "a lossy run without any loss proves nothing\n" << nft;
            }
        }
        if (HasFailure()) {
            std::fprintf(stderr, "%s\n%s%s\n%s", tcp ? tcp->netstat_table().c_str() : "",
                         tcp ? tcp->stats_dump().c_str() : "", lab.api().netstat_table().c_str(), nft.c_str());
            if (faults)
                std::fprintf(stderr, "stack fault injector: tx dropped %llu reordered %llu, rx dropped %llu reordered %llu\n",
                             (unsigned long long)faults->tx_stats().dropped, (unsigned long long)faults->tx_stats().reordered,
                             (unsigned long long)faults->rx_stats().dropped, (unsigned long long)faults->rx_stats().reordered);
        }
        if (faults) lab.stack().interface(0)->dev = tap;  // the injector goes before the lab does
    }
    size_t bulk_bytes() const { return GetParam() ? 400000 : 2000000; }

    NetnsLab lab;
    std::unique_ptr<TcpLayer> tcp;
    Device* tap = nullptr;
    std::unique_ptr<FaultInjector> faults;
};

}  // namespace

TEST_P(TcpInterop, CurlFetchesFromTheStacksHttpServerWithKeepAlive) {
    HttpServerConfig sc;
    sc.port = 80;
    HttpServer srv(lab.api(), sc);
    ASSERT_EQ(srv.start(), 0);
    lab.runner().add_task([&srv] { return srv.step(); });
    size_t n = GetParam() ? 300000 : 1000000;
    std::string url = std::string("http://") + NetnsLab::kStackAddr + "/gen/" + std::to_string(n);
    // Two URLs in one curl: the second reuses the connection (HTTP/1.1 keep-alive).
    Child c(lab.in_ns({"sh", "-c",
                       "curl -sS --max-time 25 " + url + " " + url + " | sha256sum; "
                       "curl -sS --max-time 10 -o /dev/null -w 'status=%{http_code}\\n' http://" +
                           std::string(NetnsLab::kStackAddr) + "/missing"}));
    ASSERT_TRUE(lab.wait_child(c, Duration::from_s(40))) << "curl did not finish:\n" << c.output();
    std::vector<uint8_t> body(n);
    for (size_t i = 0; i < n; ++i) body[i] = uint8_t('a' + i % 26);
    std::vector<uint8_t> twice = body;
    twice.insert(twice.end(), body.begin(), body.end());
    EXPECT_NE(c.output().find(sha256_of(twice)), std::string::npos) << "curl output:\n" << c.output();
    EXPECT_NE(c.output().find("status=404"), std::string::npos) << c.output();
    EXPECT_EQ(srv.stats().requests, 3u);
    EXPECT_EQ(srv.stats().connections, 2u) << "the two GETs of one curl share a connection";
}

TEST_P(TcpInterop, StackClientFetchesFromPythonHttpServer) {
    TempFile dir_marker("nic_tcp_www");  // a unique name; the directory sits beside it
    std::string dir = dir_marker.path() + ".d";
    ASSERT_EQ(sh("mkdir -p " + dir), 0);
    struct RemoveDir {
        std::string d;
        ~RemoveDir() { sh("rm -rf " + d); }  // however the test ends
    } remove_dir{dir};
    auto data = pattern(GetParam() ? 300000 : 1500000, 7);
    {
        std::ofstream f(dir + "/blob.bin", std::ios::binary);
        f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
        ASSERT_TRUE(f.good());
    }
    Child py(lab.in_ns({"python3", "-m", "http.server", "8000", "--bind", NetnsLab::kLinuxAddr, "--directory", dir}));
    HttpUrl u;
    ASSERT_TRUE(parse_http_url(std::string("http://") + NetnsLab::kLinuxAddr + ":8000/blob.bin", u));
    HttpResult r;
    // python needs a moment to listen: retry refused connections, at most 50 times.
    for (int i = 0; i < 50; ++i) {
        r = http_get(lab.api(), u, nullptr, Duration::from_s(20));
        if (r.err != ECONNREFUSED) break;
        lab.run_until([] { return false; }, Duration::from_ms(200));
        ASSERT_FALSE(py.poll()) << "python3 http.server exited:\n" << py.output();
    }
    EXPECT_EQ(r.err, 0) << std::strerror(r.err);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.status, 200) << r.status_line;
    EXPECT_EQ(r.body_bytes, data.size());
    EXPECT_EQ(r.sha256, sha256_of(data));
}

TEST_P(TcpInterop, NcSendsBulkToTheStack) {
    auto data = pattern(bulk_bytes(), 11);
    TempFile file("nic_tcp_bulk");
    {
        std::ofstream f(file.path(), std::ios::binary);
        f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
        ASSERT_TRUE(f.good());
    }
    SocketApi& api = lab.api();
    int l = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), 5001});
    ASSERT_EQ(api.bind(l, sa(a), sizeof a), 0);
    ASSERT_EQ(api.listen(l, 1), 0);
    // -N: shut the connection down (FIN) at the end of the file; -w: give up when idle that long.
    Child nc(lab.in_ns({"sh", "-c", "nc -N -w 20 " + std::string(NetnsLab::kStackAddr) + " 5001 < " + file.path() +
                                        " && echo nc-sent-ok"}));
    int fd = -1;
    std::vector<uint8_t> got;
    bool eof = false;
    uint8_t buf[16384];
    bool done = lab.run_until(
        [&] {
            if (fd < 0) {
                fd = api.accept(l, nullptr, nullptr);
                if (fd >= 0) api.set_nonblocking(fd, true);
            }
            for (long n; fd >= 0 && !eof && (n = api.recv(fd, buf, sizeof buf, 0)) >= 0;) {
                if (n == 0) {
                    eof = true;
                    api.close(fd);  // our FIN: nc -N waits for it before exiting
                    fd = -1;
                    break;
                }
                got.insert(got.end(), buf, buf + n);
            }
            return eof && nc.poll();
        },
        Duration::from_s(45));
    EXPECT_TRUE(done) << "transfer did not finish: " << got.size() << " of " << data.size() << " bytes; nc:\n"
                      << nc.output();
    EXPECT_EQ(got.size(), data.size());
    EXPECT_EQ(sha256_of(got), sha256_of(data));
    EXPECT_NE(nc.output().find("nc-sent-ok"), std::string::npos) << nc.output();
}

TEST_P(TcpInterop, StackSendsBulkToNc) {
    auto data = pattern(bulk_bytes(), 13);
    // -d: nothing from stdin; nc exits when the stack closes; sha256sum hashes what arrived.
    Child nc(lab.in_ns({"sh", "-c", "nc -d -l " + std::string(NetnsLab::kLinuxAddr) + " 5002 | sha256sum"}));
    SocketApi& api = lab.api();
    int fd = -1;
    size_t sent = 0;
    bool closed = false;
    int tries = 0;
    Instant next_try = lab.clock().now();
    bool done = lab.run_until(
        [&] {
            if (fd < 0 && lab.clock().now() >= next_try && tries < 50) {
                // nc may not listen yet: refused connections are retried every 200 ms.
                fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                sockaddr_in to = make_sockaddr(Endpoint{*Ipv4Addr::parse(NetnsLab::kLinuxAddr), 5002});
                api.connect(fd, sa(to), sizeof to);
                ++tries;
                next_try = lab.clock().now() + Duration::from_ms(200);
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
                while (sent < data.size()) {
                    long n = api.send(fd, data.data() + sent, data.size() - sent, 0);
                    if (n <= 0) break;
                    sent += size_t(n);
                }
                if (sent == data.size()) {
                    api.close(fd);  // FIN after the queued data; the connection lingers in the mux
                    closed = true;
                }
            }
            return nc.poll();
        },
        Duration::from_s(45));
    EXPECT_TRUE(done) << "nc did not finish after " << sent << " bytes queued:\n" << nc.output();
    EXPECT_EQ(sent, data.size());
    EXPECT_NE(nc.output().find(sha256_of(data)), std::string::npos) << "nc | sha256sum printed:\n" << nc.output();
}

INSTANTIATE_TEST_SUITE_P(Link, TcpInterop, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "Lossy" : "Clean"; });
