// libFuzzer target for the whole receive path: each input is a sequence of frames (2-byte length
// prefix each) fed to a Stack through an in-memory link, with a UDP socket and a ping socket open and
// virtual time advancing between frames, so ARP, IPv4 validation, reassembly, ICMP and UDP demux all
// see hostile input. Nothing may crash, leak or hang; the stack must stay usable afterwards.
#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/memlink.h"

#include <cstdlib>

using namespace nic;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    VirtualClock clock;
    MemLinkConfig lc;
    lc.latency = Duration{};
    // Odd first byte: the link pretends checksum offload, so the model NIC parses every hostile frame
    // and the stack takes the verdict paths (Good/Bad) instead of its own checks.
    if (size > 0 && (data[0] & 1)) lc.checksum = ChecksumCaps::all();
    MemLink link(lc);
    StackConfig sc;
    sc.reassembly.max_datagrams = 8;
    sc.reassembly.max_bytes = 64 * 1024;
    Stack s(sc);
    s.add_interface(InterfaceConfig{"eth0", &link.port(0), MacAddr{{2, 0, 0, 0, 0, 1}},
                                    Ipv4Cidr{Ipv4Addr(192, 0, 2, 1), 24}, Ipv4Addr(192, 0, 2, 254)});
    s.set_up(clock.now(), 0, true);
    VirtualRunner r(clock);
    r.add_stack(s);
    SocketApi api(s, r);
    int u = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in any = make_sockaddr(Endpoint{Ipv4Addr::any(), 7});
    api.bind(u, reinterpret_cast<sockaddr*>(&any), sizeof any);
    int p = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
    sockaddr_in peer = make_sockaddr(Endpoint{Ipv4Addr(192, 0, 2, 2), 0});
    api.connect(p, reinterpret_cast<sockaddr*>(&peer), sizeof peer);
    size_t off = 0;
    Frame sink;
    while (off + 2 <= size) {
        size_t len = (size_t(data[off]) << 8 | data[off + 1]) % 1600;
        off += 2;
        if (len > size - off) len = size - off;
        link.port(1).transmit(clock.now(), ConstBytes(data + off, len));
        off += len;
        r.run_for(Duration::from_ms(len % 7 == 0 ? 1500 : 10));  // sometimes long enough for timers
        uint8_t buf[2048];
        while (api.recv(u, buf, sizeof buf, 0) >= 0) api.send(u, buf, 1, 0);  // unconnected: EDESTADDRREQ
        while (api.recv(p, buf, sizeof buf, 0) >= 0) {
        }
        while (link.port(1).receive(clock.now(), sink)) {
        }
    }
    r.run_for(Duration::from_s(61));  // every timer fires: reassembly, ARP
    if (s.reassembler().datagrams() != 0) std::abort();
    (void)s.stats().dump();
    (void)api.netstat_table();
    return 0;
}
