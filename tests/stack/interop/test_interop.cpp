// Interop with Linux over a TAP device in a network namespace the test creates (192.0.2.0/24):
// Linux ping -> stack, stack ping -> Linux, UDP with nc -u both ways. Each test builds and deletes its
// own namespace; nothing in the root namespace is touched. All waits are bounded; no timing asserts.
// Set-up needs root and the tools of iproute2, iputils-ping, netcat-openbsd and dnsmasq-base; a test
// that cannot create its namespace fails and says why. Leftovers of killed runs: sweep_netns.sh.
#include "harness.h"
#include "netns.h"

#include "svc/dns.h"
#include "svc/ping.h"

#include <gtest/gtest.h>
#include <netdb.h>

using namespace nic;
using namespace nic::test;

namespace {

class Interop : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why = lab.setup();
        ASSERT_EQ(why, "") << "interop lab setup failed: " << why;
    }
    void TearDown() override {
        if (HasFailure() && lab.ready())
            std::fprintf(stderr, "%s\n%s", lab.stack().stats().dump().c_str(), lab.api().netstat_table().c_str());
    }
    NetnsLab lab;
};

sockaddr* sa(sockaddr_in& s) { return reinterpret_cast<sockaddr*>(&s); }

// A UDP echo server on the stack, run as a task between polls.
void start_echo(NetnsLab& lab, uint16_t port) {
    SocketApi& api = lab.api();
    int fd = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), port});
    ASSERT_EQ(api.bind(fd, sa(any), sizeof any), 0);
    lab.runner().add_task([&api, fd] {
        char buf[2048];
        bool did = false;
        for (;;) {
            sockaddr_in from{};
            socklen_t fl = sizeof from;
            long n = api.recvfrom(fd, buf, sizeof buf, 0, sa(from), &fl);
            if (n < 0) break;
            api.sendto(fd, buf, size_t(n), 0, sa(from), fl);
            did = true;
        }
        return did;
    });
}

}  // namespace

TEST_F(Interop, LinuxPingsTheStack) {
    Child c(lab.in_ns({"ping", "-c", "3", "-i", "0.2", "-W", "2", NetnsLab::kStackAddr}));
    ASSERT_TRUE(lab.wait_child(c, Duration::from_s(15))) << "ping did not finish:\n" << c.output();
    EXPECT_EQ(c.status(), 0) << c.output();
    EXPECT_NE(c.output().find("3 received"), std::string::npos) << c.output();
    uint64_t v = 0;
    lab.stack().stats().get("tx_icmp_echo_reply", v);
    EXPECT_GE(v, 3u);
}

TEST_F(Interop, FramesLongerThanTheMtuAreDroppedAndCountedNotCut) {
    // Linux's side of the TAP is raised to MTU 2000 and pings with 1800 data bytes, DF set: each
    // 1842-byte frame is longer than the stack's MTU 1500 takes. read() would cut it; the stack
    // must count and drop it instead of parsing a truncated frame, and so never answer.
    std::string out;
    ASSERT_EQ(sh("ip netns exec " + lab.ns() + " ip link set nictap0 mtu 2000", &out), 0) << out;
    Child c(lab.in_ns({"ping", "-c", "2", "-i", "0.2", "-W", "1", "-M", "do", "-s", "1800", NetnsLab::kStackAddr}));
    ASSERT_TRUE(lab.wait_child(c, Duration::from_s(10))) << "ping did not finish:\n" << c.output();
    EXPECT_NE(c.status(), 0) << "no reply expected:\n" << c.output();
    EXPECT_GE(lab.tap().rx_errors(), 2u);
    uint64_t v = 0;
    lab.stack().stats().get("rx_icmp_echo_request", v);
    EXPECT_EQ(v, 0u);
    // Ordinary pings still work on the same device.
    Child ok(lab.in_ns({"ping", "-c", "1", "-W", "2", NetnsLab::kStackAddr}));
    ASSERT_TRUE(lab.wait_child(ok, Duration::from_s(10))) << ok.output();
    EXPECT_EQ(ok.status(), 0) << ok.output();
}

TEST_F(Interop, StackPingsLinux) {
    PingConfig pc;
    pc.dst = *Ipv4Addr::parse(NetnsLab::kLinuxAddr);
    pc.count = 3;
    pc.interval = Duration::from_ms(200);
    pc.timeout = Duration::from_s(2);
    std::string log;
    auto r = ping(lab.api(), pc, [&](const std::string& s) { log += s + "\n"; });
    EXPECT_EQ(r.setup_error, 0);
    EXPECT_EQ(r.transmitted, 3);
    EXPECT_EQ(r.received, 3) << log << r.summary(pc.dst);
    EXPECT_EQ(r.corrupted, 0);
}

TEST_F(Interop, NcSendsUdpToTheStackAndGetsTheEcho) {
    start_echo(lab, 7);
    // -W 1: exit after one datagram back; -w 3: give up when idle that long.
    Child c(lab.in_ns({"sh", "-c", std::string("printf hello-from-linux | nc -u -w 3 -W 1 ") + NetnsLab::kStackAddr + " 7"}));
    ASSERT_TRUE(lab.wait_child(c, Duration::from_s(10))) << "nc did not finish:\n" << c.output();
    EXPECT_NE(c.output().find("hello-from-linux"), std::string::npos) << "nc printed: " << c.output();
}

TEST_F(Interop, StackSendsUdpToNc) {
    Child c(lab.in_ns({"nc", "-u", "-l", "-W", "1", NetnsLab::kLinuxAddr, "9999"}));
    SocketApi& api = lab.api();
    int fd = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(Endpoint{*Ipv4Addr::parse(NetnsLab::kLinuxAddr), 9999});
    // nc may not listen yet: resend every 200 ms until it has received one datagram and exited.
    Instant next = lab.clock().now();
    int sent = 0;
    bool done = lab.run_until(
        [&] {
            if (c.poll()) return true;
            if (lab.clock().now() >= next && sent < 40) {
                api.sendto(fd, "hello-from-stack\n", 17, 0, sa(to), sizeof to);
                ++sent;
                next = lab.clock().now() + Duration::from_ms(200);
            }
            return false;
        },
        Duration::from_s(10));
    ASSERT_TRUE(done) << "nc did not exit; output:\n" << c.output();
    EXPECT_NE(c.output().find("hello-from-stack"), std::string::npos) << c.output();
}

TEST_F(Interop, ResolverLooksNamesUpFromDnsmasq) {
    ASSERT_TRUE(have_tool("dnsmasq")) << "dnsmasq missing: install dnsmasq-base";
    TempFile hosts("nic_stack_hosts");  // removed however the test ends
    {
        std::ofstream f(hosts.path());
        f << "192.0.2.10 www.nic.test\n192.0.2.11 mail.nic.test\n";
        ASSERT_TRUE(f.good()) << hosts.path();
    }
    Child dnsmasq(lab.in_ns({"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                             "--addn-hosts=" + hosts.path(), std::string("--listen-address=") + NetnsLab::kLinuxAddr,
                             "--bind-interfaces", "--port=53", "--user=root", "--group=root", "--pid-file=",
                             "--local=/nic.test/", "--cname=alias.nic.test,www.nic.test"}));
    ResolverConfig rc;
    rc.server = Endpoint{*Ipv4Addr::parse(NetnsLab::kLinuxAddr), 53};
    rc.timeout = Duration::from_ms(500);
    rc.attempts = 10;  // dnsmasq needs a moment to start; retries cover it (bounded: 5 s)
    Resolver res(lab.api(), rc);
    auto r = res.resolve("www.nic.test");
    EXPECT_EQ(r.error, ResolveError::None) << r.detail << "\ndnsmasq: " << (dnsmasq.poll(), dnsmasq.output());
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 10)}));
    r = res.resolve("alias.nic.test");  // dnsmasq answers with a CNAME and the A record
    EXPECT_EQ(r.error, ResolveError::None) << r.detail;
    EXPECT_EQ(r.addrs, (std::vector<Ipv4Addr>{Ipv4Addr(192, 0, 2, 10)}));
    std::vector<Endpoint> eps;
    std::string why;
    EXPECT_EQ(res.getaddrinfo("mail.nic.test", 25, eps, &why), 0) << why;
    EXPECT_EQ(res.getaddrinfo("missing.nic.test", 25, eps, &why), EAI_NONAME) << why;
    EXPECT_EQ(res.stats().reply_malformed, 0u);
    dnsmasq.kill_now();
}

TEST_F(Interop, LinuxResolvesNamesFromTheStacksResponder) {
    DnsResponder resp(lab.api(), 53, 60);
    ASSERT_TRUE(resp.ok());
    resp.add("demo.nic.test", Ipv4Addr(192, 0, 2, 99));
    lab.runner().add_task([&] { return resp.serve(); });
    ASSERT_TRUE(lab.set_nameserver(NetnsLab::kStackAddr));
    Child c(lab.in_ns({"getent", "ahostsv4", "demo.nic.test"}));
    ASSERT_TRUE(lab.wait_child(c, Duration::from_s(15))) << c.output();
    EXPECT_EQ(c.status(), 0) << c.output();
    EXPECT_NE(c.output().find("192.0.2.99"), std::string::npos) << c.output();
    EXPECT_GE(resp.stats().answered, 1u);
}
