// Independent check of what the stack puts on the wire: a capture of ARP, ping (with a fragmented
// echo), DNS and an ICMP port unreachable, written by the pcap middleware, is dissected by Wireshark's
// tshark, which must find every IPv4, UDP and ICMP checksum good and decode the DNS answer.
#include "harness.h"

#include "phy/pcap_device.h"
#include "svc/dns.h"
#include "svc/ping.h"

#include <cstdio>

using namespace nic;
using namespace nic::test;

namespace {

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p) return out;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    return out;
}

}  // namespace

TEST(Tshark, DissectsTheStacksTrafficWithGoodChecksums) {
    ASSERT_EQ(std::system("command -v tshark >/dev/null 2>&1"), 0) << "tshark missing: install tshark";
    TempFile file("nic_stack_tshark");
    {
        PcapWriter w;
        ASSERT_TRUE(w.open(file.path())) << w.error();
        TwoHosts h(MemLinkConfig{}, std::nullopt, 1, StackConfig{}, &w);  // A's frames captured
        DnsResponder resp(h.api_b, 53);
        resp.add("www.nic.test", Ipv4Addr(192, 0, 2, 10));
        h.runner.add_task([&] { return resp.serve(); });
        PingConfig pc;
        pc.dst = kIpB;
        pc.count = 2;
        pc.interval = Duration::from_ms(10);
        EXPECT_EQ(ping(h.api_a, pc).received, 2);
        pc.size = 3000;  // fragmented both ways
        pc.count = 1;
        EXPECT_EQ(ping(h.api_a, pc).received, 1);
        ResolverConfig rc;
        rc.server = Endpoint{kIpB, 53};
        rc.seed = 5;
        Resolver res(h.api_a, rc);
        EXPECT_EQ(res.resolve("www.nic.test").error, ResolveError::None);
        int u = h.api_a.socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in to = make_sockaddr(Endpoint{kIpB, 9999});
        h.api_a.sendto(u, "closed?", 7, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        h.runner.run_for(Duration::from_ms(10));
    }
    const std::string& p = file.path();
    std::string checks = "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE";
    std::string bad = run("tshark -r " + p + " " + checks +
                          " -Y 'ip.checksum.status==0 || udp.checksum.status==0 || icmp.checksum.status==0' -T fields -e frame.number");
    EXPECT_EQ(bad, "") << "frames with a bad checksum according to tshark: " << bad;
    std::string good = run("tshark -r " + p + " " + checks + " -Y 'udp.checksum.status==1' -T fields -e frame.number");
    EXPECT_NE(good, "") << "tshark verified no UDP checksum at all";
    std::string protos = run("tshark -r " + p + " -T fields -e _ws.col.Protocol");
    for (const char* want : {"ARP", "ICMP", "DNS"}) EXPECT_NE(protos.find(want), std::string::npos) << want << " in\n" << protos;
    EXPECT_NE(run("tshark -r " + p + " -Y dns.a -T fields -e dns.a").find("192.0.2.10"), std::string::npos);
    EXPECT_NE(run("tshark -r " + p + " -Y 'icmp.type==3 && icmp.code==3' -T fields -e frame.number"), "");
    // Wireshark reassembles our fragments into one echo request of 3000 data bytes.
    EXPECT_NE(run("tshark -r " + p + " -Y 'icmp.type==8 && data.len==3000' -T fields -e frame.number"), "");
}
