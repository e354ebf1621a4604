// The protocol stack: the seed's "OS protocol stack" between the socket library and the LAN driver.
// It owns the interfaces (each a LAN adapter with its MAC, IPv4 address and netmask), the routing
// table, the ARP cache, IPv4 reassembly, the socket table and the counters, and is driven by poll().
//
// Receive:  poll(now) -> Device::receive -> eth_input -> arp_input | ipv4_input
//           ipv4_input -> (Reassembler) -> icmp_input | udp_input | protocol handler (TCP)
// Send:     udp_send / icmp_echo_send / handlers -> ip_output -> (fragment) -> send_l2 -> ARP ->
//           Device::transmit
// Time:     every entry point takes `now`; next_deadline() says when poll() has timer work next, so a
//           caller sleeps exactly that long (virtual clock: jumps there).
#pragma once

#include "base/addr.h"
#include "base/clock.h"
#include "iface/arp_cache.h"
#include "iface/reassembly.h"
#include "iface/routes.h"
#include "iface/tx_path.h"
#include "iface/stats.h"
#include "phy/device.h"
#include "socket/socket.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace nic {

struct InterfaceConfig {
    std::string name = "eth0";
    Device* device = nullptr;
    MacAddr mac;
    Ipv4Cidr addr;                     // address and netmask
    std::optional<Ipv4Addr> gateway;   // adds a default route through this interface
};

// Per-adapter counters ("netstat -i"); the protocol counters are per stack, in StackStats.
struct InterfaceStats {
    uint64_t rx_frames = 0, rx_bytes = 0, tx_frames = 0, tx_bytes = 0;
    uint64_t rx_dropped = 0;  // received while down
    uint64_t tx_dropped = 0;  // refused by the device or sent while down
};

struct Interface {
    int index = 0;
    std::string name;
    Device* dev = nullptr;
    MacAddr mac;
    Ipv4Cidr addr;
    bool admin_up = false;
    bool link_was_up = false;  // for detecting link-up transitions (gratuitous ARP)
    InterfaceStats stats;
    bool up() const { return admin_up && dev && dev->link_up(); }
};

struct StackConfig {
    ArpConfig arp;
    ReassemblyConfig reassembly;
    uint8_t default_ttl = 64;              // RFC 1700 / Linux default
    uint64_t seed = 1;                     // ephemeral ports, IP identification: reproducible runs
    double icmp_error_rate = 1000;         // ICMP errors per second (token bucket)
    double icmp_error_burst = 50;
    size_t loopback_queue = 1024;          // packets to our own addresses waiting for poll()
};

// What an ICMP error quoted about the packet that caused it (RFC 792: IP header + 8 data bytes).
struct IcmpQuote {
    Ipv4Addr src, dst;
    uint8_t proto = 0;
    ConstBytes first8;
};

class Stack {
public:
    explicit Stack(StackConfig cfg = {});
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // ---- interfaces and routes
    int add_interface(const InterfaceConfig& c);  // returns the interface index; adds the subnet route
    // Administrative up/down. Up sends a gratuitous ARP (RFC 5227 section 3 announcement).
    void set_up(Instant now, int ifindex, bool up);
    Interface* interface(int ifindex);
    const std::vector<Interface>& interfaces() const { return ifaces_; }
    RouteTable& routes() { return routes_; }
    ArpCache& arp_cache() { return arp_; }
    const Reassembler& reassembler() const { return reasm_; }
    std::string interfaces_table() const;  // "netstat -i"-style: one line per adapter
    bool is_local_address(Ipv4Addr a) const;
    bool is_broadcast_address(Ipv4Addr a) const;  // limited or any interface's subnet broadcast
    // The source address for talking to `dst`: the address of the outgoing interface.
    std::optional<Ipv4Addr> source_for(Ipv4Addr dst) const;

    // ---- driving
    // Receives and processes up to a burst of frames per interface, the loopback queue, and all
    // timers due at `now`. Returns true if it did anything (callers loop until false).
    bool poll(Instant now);
    // The earliest instant poll() has work: device deadlines, ARP retries and ageing, reassembly
    // timeouts, socket timers; `last poll time` when work is already waiting.
    Instant next_deadline() const;

    // ---- sockets (the control-block table; api/ puts descriptors on top)
    int add_socket(std::unique_ptr<Socket> s);  // returns a handle >= 0
    Socket* socket(int handle) const;
    void remove_socket(int handle);
    size_t socket_capacity() const { return sockets_.size(); }
    // Is local endpoint `ep` taken for this protocol (SO_REUSEADDR aside)?
    bool port_in_use(SockKind k, Endpoint ep, int except_handle) const;
    // An ephemeral port (RFC 6335 range 49152-65535, random start as RFC 6056 algorithm 1); 0 if none.
    uint16_t alloc_port(SockKind k, Ipv4Addr local_addr);

    // ---- output (0 or -errno)
    struct IpSend {
        Ipv4Addr src, dst;
        uint8_t proto = 0;
        uint8_t ttl = 64;
        uint8_t tos = 0;
        bool dont_frag = false;
        int origin = -1;  // socket handle told about asynchronous failures (ARP)
    };
    // Routes, fragments if needed (RFC 791 section 3.2), resolves the next hop and transmits.
    // `payload` is the complete transport message with its checksum already set.
    // With `path` (a transport's per-connection cache): sent on the cached route and MAC when still
    // valid (path_valid), else resolved as usual and the cache refilled.
    int ip_output(Instant now, const IpSend& s, ConstBytes payload, TxPath* path = nullptr);
    // Routes, ARP entries and interfaces as of now: a TxPath filled at another generation is stale.
    uint64_t path_generation() const { return 1 + routes_.version() + arp_.version() + iface_version_; }
    bool path_valid(const TxPath& p, Ipv4Addr dst, Instant now) const {
        return p.generation == path_generation() && p.dst == dst && now < p.mac_expires;
    }
    // Room for an IP payload of `len` bytes in the next frame, behind its Ethernet and IPv4
    // headers: a transport builds its message there (TCP writes its header and copies the payload
    // with the checksum folded into the copy) and ip_output() given those bytes sends them without
    // copying them again. Valid until the next output of the stack.
    MutBytes ip_payload_buffer(size_t len);
    // Frames the devices take now (the least over interfaces that are up; SIZE_MAX: no limit).
    size_t tx_room() const;
    int udp_send(Instant now, int handle, Endpoint src, Endpoint dst, ConstBytes data);
    int icmp_echo_send(Instant now, int handle, Ipv4Addr src, Ipv4Addr dst, uint16_t ident, uint16_t seq,
                       ConstBytes data);

    // True when the device that will carry an `l4_len`-byte `proto` message to `dst` fills in the
    // transport checksum itself (ChecksumCaps Tx, unfragmented, not loopback): the sender then leaves
    // the field zero. TCP's emit uses this exactly as udp_send does.
    bool tx_checksum_offloaded(Ipv4Addr dst, uint8_t proto, size_t l4_len, const TxPath* path = nullptr) const;

    // ---- protocol plug-ins (TCP): a handler gets every datagram for its protocol number (after
    // validation and reassembly) and the ICMP errors quoting its packets. `checksum_verified` is true
    // when the device already verified the transport checksum (ChecksumCaps Rx, whole packet).
    using ProtocolHandler = std::function<void(Instant now, const Ipv4Repr& ip, bool checksum_verified)>;
    using IcmpErrorHandler = std::function<void(Instant now, const IcmpRepr& icmp, const IcmpQuote& q)>;
    void set_protocol_handler(uint8_t proto, ProtocolHandler h, IcmpErrorHandler e = {});
    // Protocol timers (TCP's RTO, delayed ACK, TIME-WAIT live in its own layer, not in a Socket):
    // next_deadline() includes `deadline()`, and poll() calls `run(now)` once it is due; `run`
    // returns true if it did anything. A packet of a protocol with an IcmpErrorHandler that is
    // dropped because ARP never resolved its next hop is reported to that handler as ICMP host
    // unreachable quoting it (as Linux's ipv4_link_failure does), so TCP learns EHOSTUNREACH.
    void set_protocol_timer(uint8_t proto, std::function<Instant()> deadline, std::function<bool(Instant)> run);

    StackStats& stats() { return stats_; }
    // The protocol counters (StackStats::dump) followed by each interface's device counters
    // (Device::stats_dump: a driver's and its hardware's).
    std::string stats_dump() const;
    const StackStats& stats() const { return stats_; }
    const StackConfig& config() const { return cfg_; }

private:
    void eth_input(Instant now, Interface& ifc, ConstBytes frame, const RxInfo& info);
    void arp_input(Instant now, Interface& ifc, ConstBytes p);
    void ipv4_input(Instant now, Interface* ifc, ConstBytes p, const RxInfo& info);
    // Who checked a datagram's transport checksum: the NIC (its descriptor's verdict, for a packet it
    // saw whole) or nobody yet (loopback, reassembled fragments, no offload): then software does.
    struct RxMeta {
        RxCsum l4 = RxCsum::Unknown;
        bool reassembled = false;
        RxCsum verdict() const { return reassembled ? RxCsum::Unknown : l4; }
    };
    void deliver(Instant now, const Ipv4Repr& ip, RxMeta meta);
    void icmp_input(Instant now, const Ipv4Repr& ip, RxMeta meta);
    void icmp_error_input(Instant now, const IcmpRepr& icmp);
    void udp_input(Instant now, const Ipv4Repr& ip, RxMeta meta);
    // RFC 1122 3.2.2: never about ICMP errors, broadcasts, non-first fragments, odd sources.
    void send_icmp_error(Instant now, const Ipv4Repr& offending, ConstBytes quote, uint8_t type, uint8_t code);
    bool icmp_error_allowed(Instant now);
    void send_arp(Instant now, Interface& ifc, ArpOp op, MacAddr tha, Ipv4Addr tpa, MacAddr eth_dst);
    void send_gratuitous_arp(Instant now, Interface& ifc);
    // Adds the Ethernet header after next-hop resolution (possibly waiting in the ARP queue).
    // The packet is copied only if it has to wait in the ARP queue.
    // `resolved` (optional) receives the next hop's MAC when it was known (the frame went out).
    int send_l2(Instant now, Interface& ifc, Ipv4Addr next_hop, Ipv4Addr dst, ConstBytes packet, int origin,
                MacAddr* resolved = nullptr);
    // A payload that ip_output built in tx_buf_ after room for the Ethernet header is sent in place;
    // anything else is copied into tx_buf_ behind the header.
    bool transmit_frame(Instant now, Interface& ifc, MacAddr dst, uint16_t ethertype, ConstBytes payload);
    void notify_socket_error(int handle, int err, uint64_t serial = 0);  // serial 0: any
    // The interface went down (admin or carrier): its ARP entries go, and the packets still waiting
    // for an address are dropped, counted, and their sockets told ENETDOWN.
    void flush_arp(int ifindex);
    void arp_failure_to_handler(Instant now, const std::vector<uint8_t>& ip_packet);
    void run_timers(Instant now);
    const Interface* route_interface(Ipv4Addr dst, Ipv4Addr* next_hop) const;

    StackConfig cfg_;
    std::vector<Interface> ifaces_;
    RouteTable routes_;
    ArpCache arp_;
    Reassembler reasm_;
    StackStats stats_;
    std::vector<std::unique_ptr<Socket>> sockets_;
    std::deque<std::vector<uint8_t>> loopback_;
    // One outgoing frame, reused for every frame (no allocation per packet): Ethernet header, then the
    // IPv4 packet. Devices copy what they keep (Device::transmit takes a view), so it is free again
    // as soon as transmit_frame returns.
    std::vector<uint8_t> tx_buf_;
    Frame rx_frame_;
    uint64_t iface_version_ = 0;  // interfaces added, brought up or down, carrier changes (TxPath)
    struct Handler {
        ProtocolHandler input;
        IcmpErrorHandler error;
    };
    Handler handlers_[256];
    struct ProtocolTimer {
        uint8_t proto = 0;
        std::function<Instant()> deadline;
        std::function<bool(Instant)> run;
    };
    std::vector<ProtocolTimer> timers_;
    std::mt19937_64 rng_;
    uint16_t next_ident_;
    double icmp_tokens_;
    Instant icmp_refill_{};
    Instant last_poll_{};
    uint64_t next_serial_ = 1;
};

}  // namespace nic
