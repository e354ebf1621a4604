// Test fixtures for the stack: hosts on an in-memory link on a virtual clock, and a "probe" that
// sits on the other end of a link to inject crafted frames and read exactly what the stack sent.
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/fault.h"
#include "phy/memlink.h"
#include "phy/pcap_device.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nic::test {

inline const Ipv4Addr kIpA(192, 0, 2, 1), kIpB(192, 0, 2, 2), kIpC(192, 0, 2, 3);
inline const MacAddr kMacA{{0x02, 0, 0, 0, 0, 0x0a}}, kMacB{{0x02, 0, 0, 0, 0, 0x0b}},
    kMacC{{0x02, 0, 0, 0, 0, 0x0c}};

inline uint64_t counter(const Stack& s, const char* name) {
    uint64_t v = 0;
    EXPECT_TRUE(s.stats().get(name, v)) << "no counter " << name;
    return v;
}

// Two stacks, A (192.0.2.1) and B (192.0.2.2), on one in-memory link, optionally with a fault
// injector in front of each (faults on transmit), sharing one virtual clock and runner. With a
// `capture` writer, A's device is wrapped by the pcap middleware (Stack A -> PcapDevice ->
// FaultInjector -> port 0): the file holds every frame A sends and receives, as A sees them.
struct TwoHosts {
    VirtualClock clock;
    MemLink link;
    std::unique_ptr<FaultInjector> fault_a, fault_b;
    std::unique_ptr<PcapDevice> capture_a;
    Stack a, b;
    VirtualRunner runner{clock};
    SocketApi api_a{a, runner}, api_b{b, runner};

    explicit TwoHosts(MemLinkConfig lc = {}, std::optional<FaultConfig> faults = std::nullopt, uint64_t seed = 1,
                      StackConfig sc = {}, PcapWriter* capture = nullptr)
        : link(lc), a(with_seed(sc, seed)), b(with_seed(sc, seed + 1)) {
        Device* da = &link.port(0);
        Device* db = &link.port(1);
        if (faults) {
            fault_a = std::make_unique<FaultInjector>(*da, seed * 2 + 1, *faults);
            fault_b = std::make_unique<FaultInjector>(*db, seed * 2 + 2, *faults);
            da = fault_a.get();
            db = fault_b.get();
        }
        if (capture) {
            capture_a = std::make_unique<PcapDevice>(*da, *capture);
            da = capture_a.get();
        }
        a.add_interface(InterfaceConfig{"eth0", da, kMacA, Ipv4Cidr{kIpA, 24}, std::nullopt});
        b.add_interface(InterfaceConfig{"eth0", db, kMacB, Ipv4Cidr{kIpB, 24}, std::nullopt});
        runner.add_stack(a);
        runner.add_stack(b);  // each stack reports its own port's (and fault injector's) deadline
        a.set_up(clock.now(), 0, true);
        b.set_up(clock.now(), 0, true);
    }
    static StackConfig with_seed(StackConfig c, uint64_t s) {
        c.seed = s;
        return c;
    }
};

// One stack on port 0 of a link; the test owns port 1.
struct Probe {
    VirtualClock clock;
    MemLink link;
    Stack s;
    VirtualRunner runner{clock};
    SocketApi api{s, runner};

    explicit Probe(StackConfig sc = {}, MemLinkConfig lc = {}) : link(lc), s(sc) {
        s.add_interface(InterfaceConfig{"eth0", &link.port(0), kMacA, Ipv4Cidr{kIpA, 24}, Ipv4Addr(192, 0, 2, 254)});
        runner.add_stack(s);  // the stack's device is port 0; port 1 is read by the test itself
        s.set_up(clock.now(), 0, true);
        drain();  // the gratuitous ARP
    }
    Device& peer() { return link.port(1); }
    void inject(const Frame& f) {
        ASSERT_TRUE(peer().transmit(clock.now(), f));
        settle();
    }
    // Runs until the link and the stack have nothing due in `d`.
    void settle(Duration d = Duration::from_ms(1)) { runner.run_for(d); }
    std::vector<Frame> drain() {
        settle();
        std::vector<Frame> out;
        Frame f;
        while (peer().receive(clock.now(), f)) out.push_back(f);
        return out;
    }
};

inline Frame eth_frame(MacAddr dst, MacAddr src, uint16_t type, ConstBytes payload) {
    Frame f(kEthHeaderLen + payload.size);
    emit_ethernet(EthRepr{dst, src, type, {}}, f);
    if (payload.size) std::memcpy(f.data() + kEthHeaderLen, payload.data, payload.size);
    return f;
}

inline std::vector<uint8_t> ip_packet(Ipv4Repr r, ConstBytes payload) {
    std::vector<uint8_t> p(kIpv4MaxHeader + payload.size);
    size_t hl = emit_ipv4(r, payload.size, p, true);
    if (payload.size) std::memcpy(p.data() + hl, payload.data, payload.size);
    p.resize(hl + payload.size);
    return p;
}

inline std::vector<uint8_t> udp_datagram(Ipv4Addr src, Ipv4Addr dst, uint16_t sp, uint16_t dp, ConstBytes data) {
    std::vector<uint8_t> u(kUdpHeaderLen + data.size);
    UdpRepr r;
    r.src_port = sp;
    r.dst_port = dp;
    r.payload = data;
    emit_udp(r, src, dst, u, true);
    return u;
}

inline Ipv4Repr ip_hdr(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t ident = 1) {
    Ipv4Repr r;
    r.src = src;
    r.dst = dst;
    r.proto = proto;
    r.ident = ident;
    return r;
}

inline std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// A temporary file that is removed when the test ends, pass or fail (pcap captures).
class TempFile {
public:
    explicit TempFile(const char* stem = "nic_stack") {
        std::string tmpl = std::string("/tmp/") + stem + "_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        int fd = mkstemp(buf.data());
        EXPECT_GE(fd, 0) << "mkstemp " << tmpl;
        if (fd >= 0) ::close(fd);
        path_ = buf.data();
    }
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }
    std::vector<uint8_t> contents() const {
        std::ifstream f(path_, std::ios::binary);
        return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    }

private:
    std::string path_;
};

}  // namespace nic::test
