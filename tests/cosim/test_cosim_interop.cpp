// Linux against the co-simulated NIC: nicsim's tap scenario puts host A (stack, driver, NIC RTL)
// behind a TAP device in a network namespace this test creates; Linux in the namespace (192.0.2.1)
// pings host A (192.0.2.2) and fetches a generated body from its HTTP server with curl, every frame
// crossing the Verilated NIC. The simulation runs at about 1/100 of real time and the bridge polls
// every 20 us of simulated time, so Linux sees round trips of a few ms; all waits are bounded.
//   test -> ip netns add nicstk<pid> -> nicsim tap --netns (creates nsim0 there) -> ping, curl -> SIGTERM
// Needs root (ip netns, /dev/net/tun) and iproute2, iputils-ping, curl. Clean-up, whatever ends
// the test: the namespace is deleted at the end, on SIGTERM/SIGINT/SIGHUP (a ctest timeout) by a
// handler, and after a SIGKILL by tests/stack/interop/sweep_netns.sh (ctest fixture stack_netns),
// which removes every "nicstk<pid>" namespace whose process is gone; nicsim dies with the test.
#include "interop/netns.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace nic::test;

namespace {

// NetnsLab puts the test's own stack on a TAP device; here nicsim owns the TAP, so the test only
// needs the namespace: created in the constructor's caller, deleted here and from a signal handler
// (prepared command, async-signal-safe calls only), as NetnsLab does.
class Namespace {
public:
    Namespace() : name_("nicstk" + std::to_string(getpid())) {}
    ~Namespace() {
        remove();
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) signal(sig, SIG_DFL);
    }
    // Empty on success, else why not.
    std::string create() {
        std::snprintf(cleanup_cmd(), 256, "ip netns pids %s | xargs -r kill -9; ip netns del %s", name_.c_str(), name_.c_str());
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
        std::string out;
        if (sh("ip netns add " + name_, &out) != 0) return "cannot create network namespace " + name_ + ": " + out;
        created_ = true;
        return "";
    }
    void remove() {
        if (created_) sh("ip netns pids " + name_ + " | xargs -r kill -9; ip netns del " + name_);
        created_ = false;
    }
    const std::string& name() const { return name_; }
    // Runs `cmd` inside the namespace (no single quotes in it: sh() quotes with them).
    int exec(const std::string& cmd, std::string* out = nullptr, int timeout_s = 10) const {
        return sh("ip netns exec " + name_ + " " + cmd, out, timeout_s);
    }

private:
    static char* cleanup_cmd() {
        static char cmd[256];
        return cmd;
    }
    static void on_signal(int sig) {
        pid_t c = fork();
        if (c == 0) {
            char sh_path[] = "/bin/sh", dash_c[] = "-c";
            char* argv[] = {sh_path, dash_c, cleanup_cmd(), nullptr};
            execv(sh_path, argv);
            _exit(127);
        }
        if (c > 0) waitpid(c, nullptr, 0);
        _exit(128 + sig);
    }
    std::string name_;
    bool created_ = false;
};

std::map<std::string, double> read_report(const std::string& path) {
    std::map<std::string, double> m;
    std::ifstream f(path);
    std::string k;
    double v;
    while (f >> k >> v) m[k] = v;
    return m;
}

// Waits (bounded) until `done` or the child exits; true when `done` became true.
template <class F>
bool wait_for(Child& c, F done, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (done()) return true;
        if (c.poll()) return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace

TEST(CosimInterop, LinuxPingsAndCurlsThroughTheRtlNic) {
    ASSERT_EQ(geteuid(), 0u) << "needs root (CAP_NET_ADMIN) to create a network namespace and a TAP device";
    ASSERT_TRUE(have_tool("ip")) << "missing tool 'ip': install iproute2";
    ASSERT_TRUE(have_tool("ping")) << "missing tool 'ping': install iputils-ping";
    ASSERT_TRUE(have_tool("curl")) << "missing tool 'curl': install curl";
    ASSERT_TRUE(have_tool("timeout")) << "missing tool 'timeout': install coreutils";

    Namespace ns;
    std::string why = ns.create();
    ASSERT_EQ(why, "") << why;
    const std::string report = "/tmp/nic_cosim_tap_" + std::to_string(getpid()) + ".txt";
    const std::string body_file = "/tmp/nic_cosim_tap_" + std::to_string(getpid()) + ".body";
    struct Unlink {
        std::vector<std::string> files;
        ~Unlink() {
            for (auto& f : files) ::unlink(f.c_str());
        }
    } unlink_files{{report, body_file}};

    Child nicsim({NICSIM_PATH, "tap", "--netns", ns.name(), "--tap", "nsim0", "--tap-seconds", "40", "--quiet", "--report", report});
    auto ctx = [&] {
        nicsim.poll();
        return "\nnicsim: " + nicsim.output();
    };
    // nicsim creates nsim0 inside the namespace once it is up.
    ASSERT_TRUE(wait_for(nicsim, [&] { return ns.exec("ip link show nsim0") == 0; }, 20))
        << "nicsim did not create nsim0 in " << ns.name() << ctx();
    std::string out;
    ASSERT_EQ(ns.exec("sh -c \"ip link set lo up && ip addr add 192.0.2.1/24 dev nsim0 && "
                      "sysctl -qw net.ipv6.conf.nsim0.disable_ipv6=1 ; ip link set nsim0 up\"",
                      &out),
              0)
        << "cannot configure nsim0: " << out << ctx();

    // ping: the first request also resolves 192.0.2.2 (ARP through the RTL).
    int st = ns.exec("ping -c 3 -W 5 192.0.2.2", &out, 40);
    EXPECT_EQ(st, 0) << out << ctx();
    EXPECT_NE(out.find("3 received"), std::string::npos) << out;

    // curl: a TCP connection to host A's HTTP server; the body is byte i = 'a' + i % 26.
    st = ns.exec("curl -sS --max-time 20 -o " + body_file + " http://192.0.2.2/gen/5000", &out, 40);
    EXPECT_EQ(st, 0) << "curl: " << out << ctx();
    std::ifstream bf(body_file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(bf)), std::istreambuf_iterator<char>());
    std::string want(5000, ' ');
    for (size_t i = 0; i < want.size(); ++i) want[i] = char('a' + i % 26);
    EXPECT_EQ(body.size(), want.size());
    EXPECT_TRUE(body == want) << "the body differs from the generated pattern";

    // SIGTERM: nicsim stops serving, prints its summary and writes its report, and exits by itself.
    ASSERT_FALSE(nicsim.poll()) << "nicsim exited early" << ctx();
    ::kill(nicsim.pid(), SIGTERM);
    const bool exited = wait_for(nicsim, [&] { return nicsim.status() >= 0; }, 20);
    EXPECT_TRUE(exited) << "nicsim still runs 20 s after SIGTERM" << ctx();
    if (exited) {
        EXPECT_LT(nicsim.status(), 128) << "nicsim died of signal " << nicsim.status() - 128 << ctx();
        EXPECT_NE(nicsim.output().find("== nicsim tap:"), std::string::npos) << "no summary" << ctx();
        std::map<std::string, double> fig = read_report(report);
        ASSERT_TRUE(fig.count("wire_a_frames")) << "no report written" << ctx();
        // A answered 3 echo requests and sent a 5000-byte body; Linux sent at least the requests.
        EXPECT_GE(fig["wire_a_frames"], 3 + 4) << ctx();
        EXPECT_GE(fig["wire_a_bytes"], 5000) << ctx();
        EXPECT_GE(fig["wire_b_frames"], 3 + 3) << ctx();
        EXPECT_EQ(fig["drv_a_dev_rx_drop_mac"], 0);
        EXPECT_EQ(fig["nic_a_axi_protocol_errors"], 0);
        EXPECT_EQ(fig["nic_a_dma_window_violations"], 0);
        EXPECT_EQ(fig["tcp_a_retrans_segs"], 0) << "nothing is lost between Linux and the NIC";
    }
    if (HasFailure()) std::fprintf(stderr, "nicsim output:\n%s\n", nicsim.output().c_str());
}
