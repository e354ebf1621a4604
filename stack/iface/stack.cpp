// The protocol stack: input demultiplexing, output with routing/fragmentation/ARP, ICMP, UDP.
//   in:  poll -> Device::receive -> eth_input -> arp_input | ipv4_input -> (Reassembler) -> deliver
//        deliver -> icmp_input | udp_input | protocol handler (TCP) | ICMP protocol unreachable
//   out: udp_send | icmp_echo_send | handlers -> ip_output -> (fragment) -> send_l2 -> ARP ->
//        transmit_frame -> Device::transmit
// Every drop increments one StackStats counter; wire input never asserts or throws.
#include "iface/stack.h"

#include "wire/ethernet.h"
#include "wire/udp.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace nic {

namespace {

// RFC 792 (Destination Unreachable, Time Exceeded): the data of an ICMP error is the offending
// datagram's internet header, options included, plus its first 64 bits of data, so the sender can
// match the error to the socket that sent it. The header is re-emitted from the parsed repr (total
// length and options as received); for a reassembled datagram that is the first fragment's header
// with the whole datagram's length, which is what the sender's transport sent.
std::vector<uint8_t> icmp_quote(const Ipv4Repr& ip) {
    size_t hl = ip.header_len();
    std::vector<uint8_t> quote(hl + std::min<size_t>(8, ip.payload.size));
    emit_ipv4(ip, ip.payload.size, quote, true);
    std::memcpy(quote.data() + hl, ip.payload.data, quote.size() - hl);
    return quote;
}

}  // namespace

const char* to_string(SockKind k) {
    switch (k) {
        case SockKind::Udp: return "udp";
        case SockKind::Icmp: return "icmp";
        case SockKind::Tcp: return "tcp";
    }
    return "?";
}

Stack::Stack(StackConfig cfg)
    : cfg_(cfg), arp_(cfg.arp), reasm_(cfg.reassembly), rng_(cfg.seed), icmp_tokens_(cfg.icmp_error_burst) {
    next_ident_ = uint16_t(rng_());
}

// ---------------------------------------------------------------- interfaces

int Stack::add_interface(const InterfaceConfig& c) {
    Interface i;
    i.index = int(ifaces_.size());
    i.name = c.name;
    i.dev = c.device;
    i.mac = c.mac;
    i.addr = c.addr;
    ifaces_.push_back(i);
    ++iface_version_;
    routes_.add(Route{c.addr, Ipv4Addr::any(), i.index, 0});
    if (c.gateway) routes_.add(Route{Ipv4Cidr{Ipv4Addr::any(), 0}, *c.gateway, i.index, 0});
    return i.index;
}

Interface* Stack::interface(int ifindex) {
    if (ifindex < 0 || size_t(ifindex) >= ifaces_.size()) return nullptr;
    return &ifaces_[size_t(ifindex)];
}

void Stack::set_up(Instant now, int ifindex, bool up) {
    Interface* ifc = interface(ifindex);
    if (!ifc) return;
    bool was = ifc->up();
    ifc->admin_up = up;
    ++iface_version_;
    if (!up) flush_arp(ifindex);
    ifc->link_was_up = ifc->up();
    if (!was && ifc->up()) send_gratuitous_arp(now, *ifc);
}

std::string Stack::interfaces_table() const {
    std::string out = "Iface    MTU    MAC                Address             RX-OK   RX-DRP  TX-OK   TX-DRP  Flags\n";
    char line[200];
    for (const auto& i : ifaces_) {
        std::snprintf(line, sizeof line, "%-8s %-6zu %-18s %-19s %-7llu %-7llu %-7llu %-7llu %s\n", i.name.c_str(),
                      i.dev ? i.dev->caps().mtu : 0, i.mac.str().c_str(), i.addr.str().c_str(),
                      (unsigned long long)i.stats.rx_frames, (unsigned long long)i.stats.rx_dropped,
                      (unsigned long long)i.stats.tx_frames, (unsigned long long)i.stats.tx_dropped,
                      i.up() ? "UP" : (i.admin_up ? "NO-CARRIER" : "DOWN"));
        out += line;
    }
    return out;
}

bool Stack::is_local_address(Ipv4Addr a) const {
    if (a.is_loopback()) return true;
    for (const auto& i : ifaces_)
        if (i.addr.addr == a) return true;
    return false;
}

bool Stack::is_broadcast_address(Ipv4Addr a) const {
    if (a.is_broadcast()) return true;
    for (const auto& i : ifaces_)
        if (i.addr.prefix_len < 31 && i.addr.subnet_broadcast() == a) return true;
    return false;
}

const Interface* Stack::route_interface(Ipv4Addr dst, Ipv4Addr* next_hop) const {
    auto m = routes_.lookup(dst);
    if (!m || m->ifindex < 0 || size_t(m->ifindex) >= ifaces_.size()) return nullptr;
    if (next_hop) *next_hop = m->next_hop;
    return &ifaces_[size_t(m->ifindex)];
}

std::optional<Ipv4Addr> Stack::source_for(Ipv4Addr dst) const {
    if (dst.is_loopback()) return Ipv4Addr(127, 0, 0, 1);
    if (is_local_address(dst)) return dst;
    if (dst.is_broadcast() && !ifaces_.empty()) return ifaces_[0].addr.addr;
    const Interface* i = route_interface(dst, nullptr);
    if (!i) return std::nullopt;
    return i->addr.addr;
}

// ---------------------------------------------------------------- driving

bool Stack::poll(Instant now) {
    last_poll_ = now;
    bool did = false;
    Frame& f = rx_frame_;  // kept across polls: devices that recycle buffers swap, not allocate
    RxInfo info;
    for (auto& ifc : ifaces_) {
        if (!ifc.dev) continue;
        bool link = ifc.dev->link_up();
        if (link && !ifc.link_was_up && ifc.admin_up) send_gratuitous_arp(now, ifc);  // carrier came back
        if (!link && ifc.link_was_up) flush_arp(ifc.index);
        if (ifc.link_was_up != (link && ifc.admin_up)) ++iface_version_;
        ifc.link_was_up = link && ifc.admin_up;
        size_t burst = std::max<size_t>(1, ifc.dev->caps().max_burst);
        for (size_t n = 0; n < burst && ifc.dev->receive(now, f, info); ++n) {
            did = true;
            ++ifc.stats.rx_frames;
            ifc.stats.rx_bytes += f.size();
            if (!ifc.up()) {
                ++stats_.rx_iface_down;
                ++ifc.stats.rx_dropped;
                continue;
            }
            eth_input(now, ifc, f, info);
        }
    }
    // Bounded per call so a loopback ping-pong cannot starve the devices.
    for (size_t n = 0; n < cfg_.loopback_queue && !loopback_.empty(); ++n) {
        std::vector<uint8_t> p = std::move(loopback_.front());
        loopback_.pop_front();
        did = true;
        ipv4_input(now, nullptr, p, RxInfo{});  // checked in software: cheap, and catches our own bugs
    }
    run_timers(now);
    for (size_t h = 0; h < sockets_.size(); ++h) {
        if (!sockets_[h]) continue;
        Instant due = sockets_[h]->next_deadline();
        if (due > now) continue;
        sockets_[h]->poll(now, *this);
        // Progress only if the socket moved its deadline: a socket stuck at "due" must not keep the
        // runner spinning at one instant (the VirtualRunner then moves time on by a tick).
        if (sockets_[h] && sockets_[h]->next_deadline() != due) did = true;
    }
    for (auto& t : timers_)
        if (t.deadline() <= now && t.run(now)) did = true;
    return did;
}

std::string Stack::stats_dump() const {
    std::string s = stats_.dump();
    for (const auto& i : ifaces_) {
        if (!i.dev) continue;
        std::string d = i.dev->stats_dump();
        if (!d.empty()) s += i.name + " " + d;
    }
    return s;
}

Instant Stack::next_deadline() const {
    if (!loopback_.empty()) return last_poll_;
    Instant t = min(arp_.next_deadline(), reasm_.next_deadline());
    for (const auto& i : ifaces_)
        if (i.dev) t = min(t, i.dev->next_deadline());
    for (const auto& s : sockets_)
        if (s) t = min(t, s->next_deadline());
    for (const auto& pt : timers_) t = min(t, pt.deadline());
    return t;
}

void Stack::run_timers(Instant now) {
    ArpCache::PollResult r;
    arp_.poll(now, r);
    stats_.arp_entries_aged += r.aged;
    stats_.arp_resolve_failed += r.failed_destinations;
    for (auto& [ifindex, ip] : r.requests) {
        Interface* ifc = interface(ifindex);
        if (ifc && ifc->up()) send_arp(now, *ifc, ArpOp::Request, MacAddr{}, ip, MacAddr::broadcast());
    }
    for (auto& p : r.failed) {
        // RFC 1122 2.3.2.2: the packets are discarded; the sender learns through EHOSTUNREACH.
        ++stats_.arp_pending_dropped;
        if (p.origin >= 0) notify_socket_error(p.origin, EHOSTUNREACH, p.origin_serial);
        else arp_failure_to_handler(now, p.ip);
    }
    std::vector<ReassemblyTimeout> expired;
    reasm_.poll(now, stats_, &expired);
    for (auto& t : expired) {
        // The saved header was validated when its fragment arrived; only the addresses matter here
        // (its total length names the fragment, so a full parse of the shortened copy would fail).
        const std::vector<uint8_t>& h = t.first_fragment;
        if (h.size() < kIpv4MinHeader) continue;
        Ipv4Repr ip;
        ip.proto = h[9];
        ip.src = Ipv4Addr(rd32(&h[12]));
        ip.dst = Ipv4Addr(rd32(&h[16]));
        ip.options = ConstBytes(h).sub(kIpv4MinHeader, size_t(h[0] & 15) * 4 - kIpv4MinHeader);
        // RFC 792 "Time Exceeded" code 1: fragment reassembly time exceeded (RFC 1122 3.3.2 SHOULD).
        send_icmp_error(now, ip, h, kIcmpTimeExceeded, 1);
    }
}

void Stack::arp_failure_to_handler(Instant now, const std::vector<uint8_t>& pkt) {
    // A protocol plug-in (TCP) sends with origin -1; it hears of the failure as Linux's transports
    // do (ipv4_link_failure: ICMP host unreachable quoting the packet, RFC 1122 2.3.2.2).
    if (pkt.size() < kIpv4MinHeader) return;
    size_t ihl = size_t(pkt[0] & 15) * 4;
    uint8_t proto = pkt[9];
    if (ihl < kIpv4MinHeader || pkt.size() < ihl + 8 || !handlers_[proto].error) return;
    IcmpQuote q;
    q.proto = proto;
    q.src = Ipv4Addr(rd32(&pkt[12]));
    q.dst = Ipv4Addr(rd32(&pkt[16]));
    q.first8 = ConstBytes(pkt).sub(ihl, 8);
    IcmpRepr m;
    m.type = kIcmpDestUnreach;
    m.code = kUnreachHost;
    m.data = ConstBytes(pkt).sub(0, ihl + 8);
    handlers_[proto].error(now, m, q);
}

void Stack::set_protocol_timer(uint8_t proto, std::function<Instant()> deadline, std::function<bool(Instant)> run) {
    for (auto& t : timers_)
        if (t.proto == proto) {
            t.deadline = std::move(deadline);
            t.run = std::move(run);
            if (!t.deadline) t.deadline = [] { return Instant::max(); };
            if (!t.run) t.run = [](Instant) { return false; };
            return;
        }
    if (!deadline || !run) return;
    timers_.push_back(ProtocolTimer{proto, std::move(deadline), std::move(run)});
}

void Stack::flush_arp(int ifindex) {
    for (auto& p : arp_.flush_interface(ifindex)) {
        ++stats_.arp_pending_flushed;
        if (p.origin >= 0) notify_socket_error(p.origin, ENETDOWN, p.origin_serial);
    }
}

void Stack::notify_socket_error(int handle, int err, uint64_t serial) {
    Socket* s = socket(handle);
    if (!s || (serial != 0 && s->serial != serial)) return;  // closed, or the handle was reused
    s->so_error = err;
    ++stats_.sock_async_errors;
}

// ---------------------------------------------------------------- sockets

int Stack::add_socket(std::unique_ptr<Socket> s) {
    s->serial = next_serial_++;
    for (size_t i = 0; i < sockets_.size(); ++i)
        if (!sockets_[i]) {
            sockets_[i] = std::move(s);
            return int(i);
        }
    sockets_.push_back(std::move(s));
    return int(sockets_.size() - 1);
}

Socket* Stack::socket(int h) const {
    if (h < 0 || size_t(h) >= sockets_.size()) return nullptr;
    return sockets_[size_t(h)].get();
}

void Stack::remove_socket(int h) {
    if (h >= 0 && size_t(h) < sockets_.size()) sockets_[size_t(h)].reset();
}

bool Stack::port_in_use(SockKind k, Endpoint ep, int except) const {
    for (size_t h = 0; h < sockets_.size(); ++h) {
        const Socket* s = sockets_[h].get();
        if (!s || int(h) == except || s->kind != k || !s->bound || s->local.port != ep.port) continue;
        // Two wildcards, or a wildcard and a specific address, or the same address, conflict.
        if (s->local.addr.is_unspecified() || ep.addr.is_unspecified() || s->local.addr == ep.addr) return true;
    }
    return false;
}

uint16_t Stack::alloc_port(SockKind k, Ipv4Addr local_addr) {
    const uint32_t lo = 49152, n = 65536 - lo;
    uint32_t start = uint32_t(rng_() % n);
    for (uint32_t i = 0; i < n; ++i) {
        uint16_t p = uint16_t(lo + (start + i) % n);
        if (!port_in_use(k, Endpoint{local_addr, p}, -1)) return p;
    }
    return 0;
}

void Stack::set_protocol_handler(uint8_t proto, ProtocolHandler h, IcmpErrorHandler e) {
    handlers_[proto] = Handler{std::move(h), std::move(e)};
}

// ---------------------------------------------------------------- input

void Stack::eth_input(Instant now, Interface& ifc, ConstBytes frame, const RxInfo& info) {
    ++stats_.rx_frames;
    stats_.rx_bytes += frame.size;
    auto eth = parse_ethernet(frame);
    if (!eth) {
        if (eth.error() == WireError::Truncated)
            ++stats_.rx_eth_truncated;
        else
            ++stats_.rx_eth_unknown_type;
        return;
    }
    // Accept our unicast address and broadcast; multicast only for IPv4 (all-hosts), checked in IP.
    if (eth->dst != ifc.mac && !eth->dst.is_broadcast() && !eth->dst.is_multicast()) {
        ++stats_.rx_eth_not_for_us;
        return;
    }
    switch (eth->ethertype) {
        case kEtherArp: arp_input(now, ifc, eth->payload); break;
        case kEtherIpv4: ipv4_input(now, &ifc, eth->payload, info); break;
        default: ++stats_.rx_eth_unknown_type; break;
    }
}

void Stack::arp_input(Instant now, Interface& ifc, ConstBytes p) {
    ++stats_.rx_arp;
    auto a = parse_arp(p);
    if (!a) {
        if (a.error() == WireError::Truncated)
            ++stats_.rx_arp_truncated;
        else
            ++stats_.rx_arp_unsupported;
        return;
    }
    if (a->sha.is_multicast() || a->sha == ifc.mac) {
        ++stats_.rx_arp_bad_sender;
        return;
    }
    if (a->spa == ifc.addr.addr) {
        // Someone else uses our address (RFC 5227 section 2.4): count it; we keep defending by
        // answering requests, which is what a host without a conflict policy does.
        ++stats_.rx_arp_conflict;
        return;
    }
    bool for_us = a->tpa == ifc.addr.addr;
    // RFC 826 "Packet Reception": update the sender's entry if we have one (merge_flag); add it if we
    // are the target. A gratuitous ARP (spa == tpa) thus refreshes only known entries.
    if (!a->spa.is_unspecified() && ifc.addr.contains(a->spa)) {
        uint64_t ev = arp_.evictions();
        auto released = arp_.update(ifc.index, a->spa, a->sha, now, for_us);
        stats_.arp_entries_evicted += arp_.evictions() - ev;
        for (auto& pk : released) {
            if (!transmit_frame(now, ifc, a->sha, kEtherIpv4, pk.ip)) continue;
        }
    }
    if (a->op == ArpOp::Request) {
        if (!for_us) {
            ++stats_.rx_arp_not_for_us;
            return;
        }
        send_arp(now, ifc, ArpOp::Reply, a->sha, a->spa, a->sha);
    }
}

void Stack::ipv4_input(Instant now, Interface* ifc, ConstBytes p, const RxInfo& info) {
    ++stats_.rx_ip_packets;
    if (info.ipv4 == RxCsum::Bad) {  // the NIC checked and found it wrong
        ++stats_.rx_ip_bad_checksum;
        return;
    }
    auto r = parse_ipv4(p, info.ipv4 != RxCsum::Good);
    if (!r) {
        switch (r.error()) {
            case WireError::Truncated: ++stats_.rx_ip_truncated; break;
            case WireError::BadVersion: ++stats_.rx_ip_bad_version; break;
            case WireError::BadHeaderLen: ++stats_.rx_ip_bad_ihl; break;
            case WireError::BadTotalLen: ++stats_.rx_ip_bad_total_len; break;
            case WireError::BadChecksum: ++stats_.rx_ip_bad_checksum; break;
            default: ++stats_.rx_ip_bad_options; break;
        }
        return;
    }
    const Ipv4Repr& ip = *r;
    // RFC 1122 3.2.1.3: discard datagrams from a broadcast or multicast source.
    if (ip.src.is_broadcast() || ip.src.is_multicast() || (ifc && ip.src == ifc->addr.subnet_broadcast() && ifc->addr.prefix_len < 31)) {
        ++stats_.rx_ip_bad_src;
        return;
    }
    // RFC 1122 3.2.1.3 (g) and (a)/(b): 127/8 is internal to the host and 0/8 means "this network"
    // only while a host learns its address, so neither may arrive from a wire as source or
    // destination. Answering them would let a neighbour reach services bound to loopback.
    if (ifc && (ip.src.is_loopback() || ip.dst.is_loopback() || ip.src.is_this_network() || ip.dst.is_this_network())) {
        ++stats_.rx_ip_martian;
        return;
    }
    // A host does not forward (RFC 1122 3.3.1): ours, broadcast, or the all-hosts group only.
    bool ours = is_local_address(ip.dst) || is_broadcast_address(ip.dst) || ip.dst == Ipv4Addr(224, 0, 0, 1);
    if (!ours) {
        ++stats_.rx_ip_not_for_us;
        return;
    }
    // RFC 791: a datagram whose TTL reached zero must be destroyed; no sender may emit TTL 0
    // (RFC 1122 3.2.1.7), while TTL 1 is fine for the final destination.
    if (ip.ttl == 0) {
        ++stats_.rx_ip_ttl_zero;
        return;
    }
    if (ip.is_fragment()) {
        auto whole = reasm_.add(now, ip, p.sub(0, ip.header_len()), stats_);
        if (!whole) return;
        // Rebuild a repr over the reassembled buffer; it lives until deliver() returns.
        Ipv4Repr full = ip;
        full.options = ConstBytes(whole->header).sub(kIpv4MinHeader);
        full.more_frags = false;
        full.frag_offset = 0;
        full.payload = ConstBytes(whole->payload);
        deliver(now, full, RxMeta{RxCsum::Unknown, true});
        return;
    }
    deliver(now, ip, RxMeta{info.l4, false});
}

void Stack::deliver(Instant now, const Ipv4Repr& ip, RxMeta meta) {
    switch (ip.proto) {
        case kProtoIcmp: ++stats_.rx_ip_delivered; icmp_input(now, ip, meta); return;
        case kProtoUdp: ++stats_.rx_ip_delivered; udp_input(now, ip, meta); return;
        default: break;
    }
    if (handlers_[ip.proto].input) {
        ++stats_.rx_ip_delivered;
        // A Bad verdict is passed on as "not verified": the protocol's own check then counts it.
        handlers_[ip.proto].input(now, ip, meta.verdict() == RxCsum::Good);
        return;
    }
    if (ip.proto == kProtoTcp)
        ++stats_.rx_tcp_no_handler;
    else
        ++stats_.rx_ip_unknown_proto;
    // RFC 1122 3.2.2.1: a host SHOULD send protocol unreachable for a protocol it does not implement.
    send_icmp_error(now, ip, icmp_quote(ip), kIcmpDestUnreach, kUnreachProtocol);
}

void Stack::icmp_input(Instant now, const Ipv4Repr& ip, RxMeta meta) {
    ++stats_.rx_icmp;
    if (meta.verdict() == RxCsum::Bad) {
        ++stats_.rx_icmp_bad_checksum;
        return;
    }
    auto m = parse_icmp(ip.payload, meta.verdict() != RxCsum::Good);
    if (!m) {
        if (m.error() == WireError::Truncated)
            ++stats_.rx_icmp_truncated;
        else
            ++stats_.rx_icmp_bad_checksum;
        return;
    }
    switch (m->type) {
        case kIcmpEchoRequest: {
            ++stats_.rx_icmp_echo_request;
            // RFC 1122 3.2.2.6: an echo request to a broadcast or multicast address MAY be ignored;
            // we do, so the stack cannot be used as a smurf amplifier.
            if (!is_local_address(ip.dst)) {
                ++stats_.rx_icmp_echo_broadcast;
                return;
            }
            // Same identifier, sequence and data; only the type changes, so the checksum is updated
            // incrementally (RFC 1624) instead of summing the whole message again.
            std::vector<uint8_t> reply = ip.payload.to_vector();
            uint16_t old_word = rd16(&reply[0]);
            reply[0] = kIcmpEchoReply;
            wr16(&reply[2], checksum_update16(rd16(&reply[2]), old_word, rd16(&reply[0])));
            IpSend s;
            s.src = ip.dst;  // RFC 1122 3.2.2.6: the reply's source is the request's specific destination
            s.dst = ip.src;
            s.proto = kProtoIcmp;
            s.ttl = cfg_.default_ttl;
            s.tos = ip.tos;
            if (ip_output(now, s, reply) == 0) ++stats_.tx_icmp_echo_reply;
            return;
        }
        case kIcmpEchoReply: {
            ++stats_.rx_icmp_echo_reply;
            for (auto& sp : sockets_) {
                if (!sp || sp->kind != SockKind::Icmp || !sp->bound || sp->local.port != m->ident) continue;
                if (!sp->local.addr.is_unspecified() && sp->local.addr != ip.dst) continue;
                auto* ds = static_cast<DatagramSocket*>(sp.get());
                // Ping sockets read the whole ICMP message (header included), like Linux.
                if (!ds->enqueue(Datagram{Endpoint{ip.src, 0}, ip.dst, ip.payload.to_vector(), now})) {
                    if (ds->shut_rd)
                        ++stats_.rx_icmp_shut_rd;
                    else
                        ++stats_.rx_icmp_queue_full;
                }
                return;
            }
            ++stats_.rx_icmp_no_socket;
            return;
        }
        case kIcmpDestUnreach:
            ++stats_.rx_icmp_dest_unreach;
            icmp_error_input(now, *m);
            return;
        case kIcmpTimeExceeded:
            ++stats_.rx_icmp_time_exceeded;
            icmp_error_input(now, *m);
            return;
        default: ++stats_.rx_icmp_unknown_type; return;
    }
}

void Stack::icmp_error_input(Instant now, const IcmpRepr& m) {
    // RFC 792: the data is the offending datagram's header plus its first 8 data bytes. Parsed
    // leniently: the quote is cut short on purpose, so total length cannot be checked against it.
    ConstBytes q = m.data;
    if (q.size < kIpv4MinHeader || (q[0] >> 4) != 4) {
        ++stats_.rx_icmp_bad_quote;
        return;
    }
    size_t ihl = size_t(q[0] & 15) * 4;
    if (ihl < kIpv4MinHeader || ihl + 8 > q.size) {
        ++stats_.rx_icmp_bad_quote;
        return;
    }
    IcmpQuote quote;
    quote.proto = q[9];
    quote.src = Ipv4Addr(rd32(q.data + 12));
    quote.dst = Ipv4Addr(rd32(q.data + 16));
    quote.first8 = q.sub(ihl, 8);
    if (!is_local_address(quote.src)) {
        ++stats_.rx_icmp_bad_quote;  // not about a packet we sent
        return;
    }
    // RFC 1122 4.1.3.3 / 3.2.2.1: map the error to the socket; errno values as Linux reports them.
    int err = EHOSTUNREACH;
    if (m.type == kIcmpDestUnreach) {
        switch (m.code) {
            case kUnreachNet: err = ENETUNREACH; break;
            case kUnreachProtocol: err = ENOPROTOOPT; break;
            case kUnreachPort: err = ECONNREFUSED; break;
            case kUnreachFragNeeded: err = EMSGSIZE; break;
            default: err = EHOSTUNREACH; break;
        }
    }
    const uint8_t* f8 = quote.first8.data;
    if (quote.proto == kProtoUdp) {
        uint16_t sport = rd16(f8), dport = rd16(f8 + 2);
        for (size_t h = 0; h < sockets_.size(); ++h) {
            Socket* s = sockets_[h].get();
            // Only connected sockets hear about errors (as Linux without IP_RECVERR): an unconnected
            // socket cannot tell which of its peers the error is about.
            if (s && s->kind == SockKind::Udp && s->connected && s->local.port == sport &&
                s->remote == Endpoint{quote.dst, dport})
                notify_socket_error(int(h), err);
        }
    } else if (quote.proto == kProtoIcmp) {
        uint16_t ident = rd16(f8 + 4);
        for (size_t h = 0; h < sockets_.size(); ++h) {
            Socket* s = sockets_[h].get();
            if (s && s->kind == SockKind::Icmp && s->bound && s->local.port == ident) notify_socket_error(int(h), err);
        }
    } else if (handlers_[quote.proto].error) {
        handlers_[quote.proto].error(now, m, quote);
    }
}

void Stack::udp_input(Instant now, const Ipv4Repr& ip, RxMeta meta) {
    ++stats_.rx_udp;
    if (meta.verdict() == RxCsum::Bad) {
        ++stats_.rx_udp_bad_checksum;
        return;
    }
    auto u = parse_udp(ip.payload, ip.src, ip.dst, meta.verdict() != RxCsum::Good);
    if (!u) {
        switch (u.error()) {
            case WireError::Truncated: ++stats_.rx_udp_truncated; break;
            case WireError::BadLength: ++stats_.rx_udp_bad_length; break;
            default: ++stats_.rx_udp_bad_checksum; break;
        }
        return;
    }
    if (!u->had_checksum) ++stats_.rx_udp_no_checksum;
    // Best match: connected to this peer > bound to this address > bound to the wildcard.
    DatagramSocket* best = nullptr;
    int best_score = -1;
    for (auto& sp : sockets_) {
        Socket* s = sp.get();
        if (!s || s->kind != SockKind::Udp || !s->bound || s->local.port != u->dst_port) continue;
        int score = 0;
        if (!s->local.addr.is_unspecified()) {
            if (s->local.addr != ip.dst) continue;
            score += 1;
        }
        if (s->connected) {
            if (s->remote != Endpoint{ip.src, u->src_port}) continue;
            score += 2;
        }
        if (score > best_score) {
            best_score = score;
            best = static_cast<DatagramSocket*>(s);
        }
    }
    if (!best) {
        ++stats_.rx_udp_no_port;
        // RFC 1122 4.1.3.1: port unreachable, quoting the offending header (RFC 792).
        send_icmp_error(now, ip, icmp_quote(ip), kIcmpDestUnreach, kUnreachPort);
        return;
    }
    if (!best->enqueue(Datagram{Endpoint{ip.src, u->src_port}, ip.dst, u->payload.to_vector(), now})) {
        // Two reasons, two counters: the reader said it wants no more (shutdown SHUT_RD), or it
        // does not keep up (receive queue at SO_RCVBUF).
        if (best->shut_rd)
            ++stats_.rx_udp_shut_rd;
        else
            ++stats_.rx_udp_queue_full;
        return;
    }
    ++stats_.rx_udp_delivered;
}

// ---------------------------------------------------------------- ICMP errors

bool Stack::icmp_error_allowed(Instant now) {
    // Token bucket (RFC 1812 4.3.2.8, RFC 1122 3.2.2: limit the rate of ICMP errors).
    double dt = (now - icmp_refill_).to_s();
    if (dt > 0) icmp_tokens_ = std::min(cfg_.icmp_error_burst, icmp_tokens_ + dt * cfg_.icmp_error_rate);
    icmp_refill_ = now;
    if (icmp_tokens_ < 1.0) return false;
    icmp_tokens_ -= 1.0;
    return true;
}

void Stack::send_icmp_error(Instant now, const Ipv4Repr& off, ConstBytes quote, uint8_t type, uint8_t code) {
    // RFC 1122 3.2.2: never in response to an ICMP error, a datagram to a broadcast or multicast
    // address, a non-initial fragment, or one whose source is not a single host.
    if (is_broadcast_address(off.dst) || off.dst.is_multicast()) return;
    if (off.frag_offset != 0) return;
    if (off.src.is_unspecified() || off.src.is_broadcast() || off.src.is_multicast() || is_broadcast_address(off.src))
        return;
    if (off.proto == kProtoIcmp) {
        size_t hl = off.header_len();
        if (quote.size <= hl) return;
        uint8_t t = quote[hl];
        if (t != kIcmpEchoRequest && t != kIcmpEchoReply) return;  // an error or unknown: stay silent
    }
    if (!icmp_error_allowed(now)) {
        ++stats_.tx_icmp_rate_limited;
        return;
    }
    IcmpRepr m;
    m.type = type;
    m.code = code;
    m.data = quote;
    std::vector<uint8_t> msg(icmp_len(m));
    emit_icmp(m, msg, true);
    IpSend s;
    s.src = is_local_address(off.dst) ? off.dst : Ipv4Addr::any();
    s.dst = off.src;
    s.proto = kProtoIcmp;
    s.ttl = cfg_.default_ttl;
    if (ip_output(now, s, msg) == 0) {
        if (type == kIcmpDestUnreach) ++stats_.tx_icmp_dest_unreach;
        if (type == kIcmpTimeExceeded) ++stats_.tx_icmp_time_exceeded;
    }
}

// ---------------------------------------------------------------- output

bool Stack::transmit_frame(Instant now, Interface& ifc, MacAddr dst, uint16_t ethertype, ConstBytes payload) {
    if (!ifc.up()) {
        ++stats_.tx_iface_down;
        ++ifc.stats.tx_dropped;
        return false;
    }
    const size_t n = kEthHeaderLen + payload.size;
    const bool in_place =
        payload.size && n <= tx_buf_.size() && payload.data == tx_buf_.data() + kEthHeaderLen;
    if (!in_place) {
        if (tx_buf_.size() < n) tx_buf_.resize(n);
        if (payload.size) std::memcpy(tx_buf_.data() + kEthHeaderLen, payload.data, payload.size);
    }
    MutBytes f(tx_buf_.data(), n);
    EthRepr e;
    e.dst = dst;
    e.src = ifc.mac;
    e.ethertype = ethertype;
    emit_ethernet(e, f);
    if (!ifc.dev->transmit(now, ConstBytes(f.data, f.size))) {
        ++stats_.tx_dev_busy;
        ++ifc.stats.tx_dropped;
        return false;
    }
    ++stats_.tx_frames;
    stats_.tx_bytes += n;
    ++ifc.stats.tx_frames;
    ifc.stats.tx_bytes += n;
    return true;
}

void Stack::send_arp(Instant now, Interface& ifc, ArpOp op, MacAddr tha, Ipv4Addr tpa, MacAddr eth_dst) {
    ArpRepr a;
    a.op = op;
    a.sha = ifc.mac;
    a.spa = ifc.addr.addr;
    a.tha = tha;
    a.tpa = tpa;
    uint8_t buf[kArpLen];
    emit_arp(a, MutBytes(buf, sizeof buf));
    if (transmit_frame(now, ifc, eth_dst, kEtherArp, ConstBytes(buf, sizeof buf))) {
        if (op == ArpOp::Reply)
            ++stats_.tx_arp_reply;
        else if (tpa == ifc.addr.addr)
            ++stats_.tx_arp_gratuitous;
        else
            ++stats_.tx_arp_request;
    }
}

void Stack::send_gratuitous_arp(Instant now, Interface& ifc) {
    // RFC 5227 section 3 (announcement): a request with sender and target both our address, so
    // neighbours with a stale entry for it update their caches.
    if (ifc.addr.addr.is_unspecified()) return;
    send_arp(now, ifc, ArpOp::Request, MacAddr{}, ifc.addr.addr, MacAddr::broadcast());
}

int Stack::send_l2(Instant now, Interface& ifc, Ipv4Addr next_hop, Ipv4Addr dst, ConstBytes packet, int origin,
                   MacAddr* resolved) {
    if (!ifc.up()) {
        ++stats_.tx_iface_down;
        return -ENETDOWN;
    }
    MacAddr mac;
    if (dst.is_broadcast() || (ifc.addr.prefix_len < 31 && dst == ifc.addr.subnet_broadcast())) {
        mac = MacAddr::broadcast();
    } else if (dst.is_multicast()) {
        // RFC 1112 section 6.4: 01:00:5e followed by the low 23 bits of the group address.
        mac = MacAddr{{0x01, 0x00, 0x5e, uint8_t((dst.v >> 16) & 0x7f), uint8_t(dst.v >> 8), uint8_t(dst.v)}};
    } else if (auto m = arp_.lookup(ifc.index, next_hop, now)) {
        mac = *m;
        if (resolved) *resolved = mac;
    } else {
        Socket* os = socket(origin);
        uint64_t ev = arp_.evictions();
        auto verdict = arp_.enqueue(ifc.index, next_hop, now, PendingPacket{packet.to_vector(), origin, os ? os->serial : 0});
        stats_.arp_entries_evicted += arp_.evictions() - ev;
        switch (verdict) {
            case ArpCache::Enqueue::SendRequest:
                send_arp(now, ifc, ArpOp::Request, MacAddr{}, next_hop, MacAddr::broadcast());
                return 0;
            case ArpCache::Enqueue::Queued: return 0;
            case ArpCache::Enqueue::QueueFull: ++stats_.arp_pending_overflow; return -ENOBUFS;
            case ArpCache::Enqueue::CacheFull: ++stats_.arp_cache_full; return -ENOBUFS;
        }
        return 0;
    }
    return transmit_frame(now, ifc, mac, kEtherIpv4, packet) ? 0 : -ENOBUFS;
}

size_t Stack::tx_room() const {
    size_t room = SIZE_MAX;
    for (const auto& i : ifaces_)
        if (i.dev && i.up()) room = std::min(room, i.dev->tx_room());
    return room;
}

MutBytes Stack::ip_payload_buffer(size_t len) {
    size_t need = kEthHeaderLen + kIpv4MinHeader + len;
    if (tx_buf_.size() < need) tx_buf_.resize(need);
    return MutBytes(tx_buf_.data() + kEthHeaderLen + kIpv4MinHeader, len);
}

int Stack::ip_output(Instant now, const IpSend& s, ConstBytes payload, TxPath* path) {
    Ipv4Repr r;
    r.dst = s.dst;
    r.proto = s.proto;
    r.ttl = s.ttl ? s.ttl : cfg_.default_ttl;
    r.tos = s.tos;
    r.dont_frag = s.dont_frag;
    r.ident = next_ident_++;
    if (path && path_valid(*path, s.dst, now) && ifaces_[size_t(path->ifindex)].up() &&
        kIpv4MinHeader + payload.size <= path->mtu) {
        // The connection's cached route, next hop MAC and offloads: no lookups (TxPath).
        Interface& ifc = ifaces_[size_t(path->ifindex)];
        r.src = s.src.is_unspecified() ? ifc.addr.addr : s.src;
        const size_t len = kIpv4MinHeader + payload.size;
        if (tx_buf_.size() < kEthHeaderLen + len) tx_buf_.resize(kEthHeaderLen + len);
        MutBytes pkt(tx_buf_.data() + kEthHeaderLen, len);
        emit_ipv4(r, payload.size, pkt, !path->ipv4_offload);
        if (payload.size && payload.data != pkt.data + kIpv4MinHeader)
            std::memcpy(pkt.data + kIpv4MinHeader, payload.data, payload.size);
        ++stats_.tx_ip_packets;
        return transmit_frame(now, ifc, path->mac, kEtherIpv4, ConstBytes(pkt.data, pkt.size)) ? 0 : -ENOBUFS;
    }
    // To ourselves: through the loopback queue, no device, no MTU.
    if (is_local_address(s.dst)) {
        r.src = s.src.is_unspecified() ? s.dst : s.src;
        if (payload.size + kIpv4MinHeader > 0xffff) {
            ++stats_.tx_ip_too_big;
            return -EMSGSIZE;
        }
        if (loopback_.size() >= cfg_.loopback_queue) {
            ++stats_.loopback_overflow;
            return -ENOBUFS;
        }
        std::vector<uint8_t> pkt(kIpv4MinHeader + payload.size);
        emit_ipv4(r, payload.size, pkt, true);
        std::memcpy(pkt.data() + kIpv4MinHeader, payload.data, payload.size);
        loopback_.push_back(std::move(pkt));
        ++stats_.tx_ip_loopback;
        ++stats_.tx_ip_packets;
        return 0;
    }
    Ipv4Addr next_hop;
    const Interface* ci = nullptr;
    if (s.dst.is_broadcast()) {
        // Limited broadcast goes out of the first interface (or the one the source address names).
        for (const auto& i : ifaces_)
            if (!ci || i.addr.addr == s.src) ci = &i;
        next_hop = s.dst;
    } else {
        ci = route_interface(s.dst, &next_hop);
    }
    if (!ci) {
        ++stats_.tx_ip_no_route;
        return -ENETUNREACH;
    }
    Interface& ifc = ifaces_[size_t(ci->index)];
    if (!ifc.up()) {
        ++stats_.tx_iface_down;
        return -ENETDOWN;
    }
    r.src = s.src.is_unspecified() ? ifc.addr.addr : s.src;
    DeviceCaps caps = ifc.dev->caps();
    bool fill = !offloads_tx(caps.checksum.ipv4);
    size_t mtu = std::max<size_t>(caps.mtu, 68);  // RFC 791: every link carries 68 bytes
    if (kIpv4MinHeader + payload.size > 0xffff) {
        ++stats_.tx_ip_too_big;
        return -EMSGSIZE;
    }
    if (kIpv4MinHeader + payload.size <= mtu) {
        // Built in tx_buf_ behind room for the Ethernet header, which transmit_frame adds in place.
        const size_t len = kIpv4MinHeader + payload.size;
        if (tx_buf_.size() < kEthHeaderLen + len) tx_buf_.resize(kEthHeaderLen + len);
        MutBytes pkt(tx_buf_.data() + kEthHeaderLen, len);
        emit_ipv4(r, payload.size, pkt, fill);
        // Built in place (ip_payload_buffer) or copied behind the header.
        if (payload.size && payload.data != pkt.data + kIpv4MinHeader)
            std::memcpy(pkt.data + kIpv4MinHeader, payload.data, payload.size);
        ++stats_.tx_ip_packets;
        MacAddr mac;
        bool unicast = !s.dst.is_broadcast() && !s.dst.is_multicast() &&
                       !(ifc.addr.prefix_len < 31 && s.dst == ifc.addr.subnet_broadcast());
        int rc = send_l2(now, ifc, next_hop, s.dst, ConstBytes(pkt.data, pkt.size), s.origin,
                         path && unicast ? &mac : nullptr);
        if (path && unicast && rc == 0 && !(mac == MacAddr{})) {
            path->generation = path_generation();
            path->dst = s.dst;
            path->ifindex = ifc.index;
            path->mac = mac;
            path->mac_expires = arp_.expires(ifc.index, next_hop);
            path->mtu = mtu;
            path->ipv4_offload = !fill;
            path->l4_offload = offloads_tx(s.proto == kProtoUdp   ? caps.checksum.udp
                                           : s.proto == kProtoTcp ? caps.checksum.tcp
                                                                  : caps.checksum.icmp);
        }
        return rc;
    }
    if (s.dont_frag) {
        ++stats_.tx_ip_too_big;
        return -EMSGSIZE;
    }
    // RFC 791 section 3.2 fragmentation: data of every fragment but the last is a multiple of 8.
    ++stats_.tx_ip_fragmented;
    // Each fragment passes through tx_buf_: a payload built there is copied out first.
    std::vector<uint8_t> own;
    if (payload.size && payload.data >= tx_buf_.data() && payload.data < tx_buf_.data() + tx_buf_.size()) {
        own.assign(payload.begin(), payload.end());
        payload = ConstBytes(own.data(), own.size());
    }
    size_t per = (mtu - kIpv4MinHeader) & ~size_t(7);
    for (size_t off = 0; off < payload.size; off += per) {
        size_t len = std::min(per, payload.size - off);
        Ipv4Repr f = r;
        f.frag_offset = uint16_t(off);
        f.more_frags = off + len < payload.size;
        std::vector<uint8_t> pkt(kIpv4MinHeader + len);
        emit_ipv4(f, len, pkt, true);  // fragments: software checksum (a NIC sees them as plain packets)
        std::memcpy(pkt.data() + kIpv4MinHeader, payload.data + off, len);
        ++stats_.tx_ip_packets;
        ++stats_.tx_ip_fragments;
        int rc = send_l2(now, ifc, next_hop, s.dst, pkt, s.origin);
        if (rc != 0) return rc;
    }
    return 0;
}

int Stack::udp_send(Instant now, int handle, Endpoint src, Endpoint dst, ConstBytes data) {
    if (data.size > 0xffff - kIpv4MinHeader - kUdpHeaderLen) {
        ++stats_.tx_ip_too_big;
        return -EMSGSIZE;
    }
    if (dst.port == 0) return -EINVAL;
    Socket* sk = socket(handle);
    if (is_broadcast_address(dst.addr) && !(sk && sk->broadcast)) return -EACCES;  // SO_BROADCAST not set
    Ipv4Addr nh;
    const Interface* ifc = is_local_address(dst.addr) ? nullptr : route_interface(dst.addr, &nh);
    if (dst.addr.is_broadcast() && !ifaces_.empty()) ifc = &ifaces_[0];
    if (!ifc && !is_local_address(dst.addr)) {
        ++stats_.tx_ip_no_route;
        return -ENETUNREACH;
    }
    if (src.addr.is_unspecified()) src.addr = ifc ? ifc->addr.addr : dst.addr;
    bool fill = !tx_checksum_offloaded(dst.addr, kProtoUdp, kUdpHeaderLen + data.size);
    std::vector<uint8_t> msg(kUdpHeaderLen + data.size);
    UdpRepr u;
    u.src_port = src.port;
    u.dst_port = dst.port;
    u.payload = data;
    emit_udp(u, src.addr, dst.addr, msg, fill);
    IpSend s;
    s.src = src.addr;
    s.dst = dst.addr;
    s.proto = kProtoUdp;
    s.origin = handle;
    if (sk) {
        s.ttl = sk->ttl;
        s.tos = sk->tos;
        s.dont_frag = sk->dont_frag;
    }
    int rc = ip_output(now, s, msg);
    if (rc == 0) ++stats_.tx_udp;
    return rc;
}

bool Stack::tx_checksum_offloaded(Ipv4Addr dst, uint8_t proto, size_t l4_len, const TxPath* path) const {
    // The device fills the field only for packets it sees whole: not fragments (the checksum covers
    // the reassembled datagram), not loopback (no device at all).
    if (path && path_valid(*path, dst, last_poll_) && kIpv4MinHeader + l4_len <= path->mtu) return path->l4_offload;
    if (is_local_address(dst)) return false;
    const Interface* ifc = dst.is_broadcast() ? (ifaces_.empty() ? nullptr : &ifaces_[0]) : route_interface(dst, nullptr);
    if (!ifc || !ifc->dev) return false;
    DeviceCaps c = ifc->dev->caps();
    if (kIpv4MinHeader + l4_len > c.mtu) return false;
    switch (proto) {
        case kProtoUdp: return offloads_tx(c.checksum.udp);
        case kProtoTcp: return offloads_tx(c.checksum.tcp);
        case kProtoIcmp: return offloads_tx(c.checksum.icmp);
        default: return false;
    }
}

int Stack::icmp_echo_send(Instant now, int handle, Ipv4Addr src, Ipv4Addr dst, uint16_t ident, uint16_t seq,
                          ConstBytes data) {
    if (data.size > 0xffff - kIpv4MinHeader - kIcmpHeaderLen) return -EMSGSIZE;
    IcmpRepr m;
    m.type = kIcmpEchoRequest;
    m.ident = ident;
    m.seq = seq;
    m.data = data;
    std::vector<uint8_t> msg(icmp_len(m));
    emit_icmp(m, msg, true);
    IpSend s;
    s.src = src;
    s.dst = dst;
    s.proto = kProtoIcmp;
    s.origin = handle;
    if (Socket* sk = socket(handle)) {
        s.ttl = sk->ttl;
        s.tos = sk->tos;
        s.dont_frag = sk->dont_frag;
        if (is_broadcast_address(dst) && !sk->broadcast) return -EACCES;
    }
    int rc = ip_output(now, s, msg);
    if (rc == 0) ++stats_.tx_icmp_echo_request;
    return rc;
}

}  // namespace nic
