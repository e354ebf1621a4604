// See tcp_glue.h. TCP plugged into the Stack (protocol 6 handler, timers, ICMP errors) and into the
// socket API (SOCK_STREAM ops). Section references are to RFC 9293 unless named otherwise.
#include "tcp/tcp_glue.h"

#include "wire/icmp.h"

#include <netinet/tcp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace nic {

std::string TcpGlueStats::dump() const {
    char b[720];
    std::snprintf(b, sizeof b,
                  "tcp_rx_segments %llu\ntcp_rx_bad_checksum %llu\ntcp_rx_malformed %llu\ntcp_rx_not_unicast %llu\n"
                  "tcp_tx_segments %llu\ntcp_tx_emit_failed %llu\ntcp_tx_ip_errors %llu\ntcp_icmp_errors %llu\n"
                  "tcp_icmp_ignored %llu\ntcp_icmp_hard %llu\ntcp_icmp_soft %llu\ntcp_path_mtu_updates %llu\n"
                  "tcp_tx_backpressure %llu\n",
                  (unsigned long long)rx_segments, (unsigned long long)rx_bad_checksum,
                  (unsigned long long)rx_malformed, (unsigned long long)rx_not_unicast,
                  (unsigned long long)tx_segments, (unsigned long long)tx_emit_failed,
                  (unsigned long long)tx_ip_errors, (unsigned long long)icmp_errors, (unsigned long long)icmp_ignored,
                  (unsigned long long)icmp_hard, (unsigned long long)icmp_soft,
                  (unsigned long long)path_mtu_updates, (unsigned long long)tx_backpressure);
    return b;
}

// ------------------------------------------------------------------------------------------------
// TcpStreamSocket

std::string TcpStreamSocket::state_name() const {
    if (listener) return "LISTEN";
    return conn ? to_string(conn->state()) : "CLOSED";
}

size_t TcpStreamSocket::recv_queue_bytes() const {
    if (listener) return listener->accept_queue_len();  // as Linux's ss shows for a listener
    return conn ? conn->recv_queue() : 0;
}

bool TcpStreamSocket::readable() const {
    if (listener) return listener->accept_queue_len() > 0;
    // A closed connection is "readable": recv returns its end of stream (or error) at once.
    return conn && (conn->readable() || !conn->is_open());
}

bool TcpStreamSocket::writable() const {
    // Connecting: writable once established (or failed), as poll(2) reports a finished connect.
    return conn && (conn->writable() || !conn->is_open());
}

// ------------------------------------------------------------------------------------------------
// TcpLayer

TcpLayer::TcpLayer(Stack& stack, const TcpConfig& defaults, uint64_t isn_seed)
    : stack_(stack), mux_(defaults, isn_seed) {
    stack_.set_protocol_handler(
        kIpProtoTcp, [this](Instant now, const Ipv4Repr& ip, bool verified) { input(now, ip, verified); },
        [this](Instant now, const IcmpRepr& m, const IcmpQuote& q) { icmp_error(now, m, q); });
    stack_.set_protocol_timer(
        kIpProtoTcp,
        [this] {
            if (pending_flush_) return Instant{};
            return blocked_ ? min(retry_at_, mux_.next_deadline()) : mux_.next_deadline();
        },
        [this](Instant now) { return run_timers(now); });
}

TcpLayer::~TcpLayer() {
    stack_.set_protocol_handler(kIpProtoTcp, {}, {});
    stack_.set_protocol_timer(kIpProtoTcp, {}, {});
}

void TcpLayer::input(Instant now, const Ipv4Repr& ip, bool checksum_verified) {
    // RFC 1122 4.2.3.10: a SYN (or any segment) to a broadcast or multicast address is discarded;
    // connections are between unicast endpoints.
    if (!stack_.is_local_address(ip.dst)) {
        ++stats_.rx_not_unicast;
        return;
    }
    // RFC 9293 3.1: the checksum covers pseudo-header, header and data. Unless the device verified
    // it, an in-order payload for a connection is summed while it is copied into the receive ring
    // (TcpSocket::place_payload): one pass over the data for both. Anything else is summed here.
    auto seg = parse_tcp(ip.payload, ip.src, ip.dst, false);
    uint32_t pseudo = pseudo_header_sum(ip.src, ip.dst, kIpProtoTcp, uint16_t(ip.payload.size));
    if (!seg) {
        // A bad checksum is the likelier story for garbage (and was counted so before parsing).
        if (!checksum_verified && checksum_finish(checksum_add(ip.payload, pseudo)) != 0)
            ++stats_.rx_bad_checksum;
        else
            ++stats_.rx_malformed;
        return;
    }
    if (!checksum_verified) {
        std::optional<uint32_t> sum;
        if (!seg->payload.empty()) {
            if (auto c = mux_.find(Endpoint{ip.dst, seg->dst_port}, Endpoint{ip.src, seg->src_port})) {
                size_t hlen = ip.payload.size - seg->payload.size;
                sum = c->place_payload(*seg, checksum_add(ip.payload.sub(0, hlen), pseudo));
            }
        }
        bool good = checksum_finish(sum ? *sum : checksum_add(ip.payload, pseudo)) == 0;
        if (!good) {
            ++stats_.rx_bad_checksum;
            return;
        }
        seg.value().payload_placed = sum.has_value();
    }
    ++stats_.rx_segments;
    mux_.input(now, ip.src, ip.dst, *seg);
    // RFC 9293 3.10.7.4 / RFC 1122 4.2.2.21 (MUST-59): a burst of received segments is processed
    // before anything is sent, so one ACK answers the burst. The stack runs this layer's timer
    // (run_timers -> flush) once its receive loop has drained the device.
    pending_flush_ = true;
}

void TcpLayer::icmp_error(Instant now, const IcmpRepr& m, const IcmpQuote& q) {
    ++stats_.icmp_errors;
    const uint8_t* f8 = q.first8.data;
    Endpoint local{q.src, rd16(f8)}, remote{q.dst, rd16(f8 + 2)};
    SeqNum seq(rd32(f8 + 4));
    auto c = mux_.find(local, remote);
    // RFC 5927 section 4.1: act only on errors whose quoted sequence number is in flight,
    // [SND.UNA, SND.NXT]; anything else may be forged (or about a long-gone segment).
    if (!c || !c->is_open() || seq < c->snd_una() || seq > c->snd_nxt()) {
        ++stats_.icmp_ignored;
        return;
    }
    if (m.type == kIcmpDestUnreach && m.code == kUnreachFragNeeded) {
        // RFC 1191 section 4: the next-hop MTU; 0 from an old router (RFC 1191 section 5 would
        // guess from a plateau table; the 576-byte minimum datagram is the safe guess).
        ++stats_.path_mtu_updates;
        mux_.path_mtu(now, local, remote, m.next_hop_mtu ? m.next_hop_mtu : 576);
    } else if (m.type == kIcmpDestUnreach && (m.code == kUnreachProtocol || m.code == kUnreachPort)) {
        // RFC 1122 4.2.3.9: protocol and port unreachable are hard errors (abort while opening).
        ++stats_.icmp_hard;
        mux_.icmp_error(now, local, remote, ECONNREFUSED, true);
    } else {
        // RFC 1122 4.2.3.9: net/host unreachable, source route failed, time exceeded are soft:
        // remembered, and reported instead of ETIMEDOUT if the connection gives up. Our own ARP
        // failure arrives here too (Stack::set_protocol_timer), so connect() to an absent neighbour
        // fails with EHOSTUNREACH once its SYN retries (TCP_SYNCNT) are spent.
        ++stats_.icmp_soft;
        int err = (m.type == kIcmpDestUnreach && m.code == kUnreachNet) ? ENETUNREACH : EHOSTUNREACH;
        mux_.icmp_error(now, local, remote, err, false);
    }
    flush(now);
}

bool TcpLayer::run_timers(Instant now) {
    bool had_input = pending_flush_;
    pending_flush_ = false;
    Instant due = mux_.next_deadline();
    size_t n = flush(now);
    // Progress if something went out or the deadline moved (a timer that fires with nothing to
    // send still re-arms): a stuck deadline must not keep the runner spinning at one instant.
    return had_input || n > 0 || mux_.next_deadline() != due;
}

size_t TcpLayer::flush(Instant now) {
    pending_flush_ = blocked_ = false;
    mux_.reap(now);
    size_t sent = 0;
    // Never more than the device queue takes: a full queue stops the segments from being built at
    // all (back-pressure, not loss, as Linux's qdisc and TCP small queues). The connections'
    // timers still run, and the flush is retried shortly.
    size_t room = stack_.tx_room();
    for (;;) {
        if (room == 0) {
            ++stats_.tx_backpressure;
            blocked_ = true;
            retry_at_ = now + Duration::from_us(10);
            mux_.tick(now);  // a connection on a stuck device still times out
            break;
        }
        auto o = mux_.poll_transmit(now);
        if (!o) break;
        if (room != SIZE_MAX) --room;
        size_t len = tcp_header_len(o->repr) + o->repr.payload.size;
        bool fill = !stack_.tx_checksum_offloaded(o->dst, kIpProtoTcp, len, o->path);
        // The segment is built in the frame itself: the payload is copied once, from the send
        // buffer, with its checksum computed in the same pass.
        MutBytes frame = stack_.ip_payload_buffer(len);
        size_t n = emit_tcp(o->repr, o->src, o->dst, frame, fill);
        if (n == 0) {
            ++stats_.tx_emit_failed;
            continue;
        }
        Stack::IpSend s;
        s.src = o->src;
        s.dst = o->dst;
        s.proto = kIpProtoTcp;
        s.ttl = stack_.config().default_ttl;
        // RFC 9293 3.7.2 / RFC 1191: segments are sized to the path MTU and sent with DF.
        s.dont_frag = true;
        int rc = stack_.ip_output(now, s, ConstBytes(frame.data, n), o->path);
        if (rc == 0) {
            ++stats_.tx_segments;
            ++sent;
            continue;
        }
        ++stats_.tx_ip_errors;
        // README "Output": no route or no neighbour is a soft error for the connection
        // (RFC 1122 4.2.3.9); ENOBUFS and the like are just a lost segment that RTO repairs.
        if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -ENETDOWN)
            mux_.icmp_error(now, Endpoint{o->src, o->repr.src_port}, Endpoint{o->dst, o->repr.dst_port},
                            rc == -ENETDOWN ? ENETUNREACH : -rc, false);
    }
    sync_errors();
    return sent;
}

void TcpLayer::sync_errors() {
    for (size_t h = 0; h < stack_.socket_capacity(); ++h) {
        Socket* s = stack_.socket(int(h));
        if (!s || s->kind != SockKind::Tcp) continue;
        auto* t = static_cast<TcpStreamSocket*>(s);
        if (t->layer != this || !t->conn) continue;
        if (!s->so_error)
            if (int e = t->conn->take_error()) s->so_error = e;
        // Both directions finished (closed, or FINs both ways): poll() reports POLLHUP, as Linux
        // does once sk_shutdown covers both (SocketApi::poll reads shut_rd && shut_wr).
        TcpState st = t->conn->state();
        if (!t->conn->is_open() || st == TcpState::TimeWait || st == TcpState::Closing || st == TcpState::LastAck)
            s->shut_rd = s->shut_wr = true;
    }
}

uint16_t TcpLayer::route_mtu(Ipv4Addr dst) {
    if (stack_.is_local_address(dst) || dst.is_loopback()) return 0xffff;
    auto m = stack_.routes().lookup(dst);
    Interface* ifc = m ? stack_.interface(m->ifindex) : nullptr;
    if (!ifc || !ifc->dev) return 1500;
    return uint16_t(std::clamp<size_t>(ifc->dev->caps().mtu, 576, 0xffff));
}

uint16_t TcpLayer::listen_mtu(Ipv4Addr local) {
    size_t mtu = 0xffff;
    for (const auto& i : stack_.interfaces()) {
        if (!i.dev) continue;
        if (!local.is_unspecified() && i.addr.addr != local) continue;
        mtu = std::min(mtu, i.dev->caps().mtu);
    }
    return uint16_t(std::clamp<size_t>(mtu, 576, 0xffff));
}

// ------------------------------------------------------------------------------------------------
// SOCK_STREAM operations

namespace {

class TcpOps : public ProtocolOps {
public:
    explicit TcpOps(TcpLayer& l) : layer_(l) {}
    SockKind kind() const override { return SockKind::Tcp; }
    bool stream() const override { return true; }
    std::unique_ptr<Socket> create() override { return std::make_unique<TcpStreamSocket>(layer_); }

    static TcpStreamSocket* sock(Stack& st, int h) { return static_cast<TcpStreamSocket*>(st.socket(h)); }
    static int take_so_error(Socket* s) {
        int e = s->so_error;
        s->so_error = 0;
        return e;
    }

    int bind(Stack& st, int h, Endpoint local) override {
        TcpStreamSocket* s = sock(st, h);
        if (s->bound || s->conn || s->listener) return -EINVAL;
        if (!local.addr.is_unspecified() && !st.is_local_address(local.addr)) return -EADDRNOTAVAIL;
        if (local.port == 0) {
            local.port = st.alloc_port(SockKind::Tcp, local.addr);
            if (local.port == 0) return -EADDRINUSE;
        } else if (st.port_in_use(SockKind::Tcp, local, h)) {
            // SO_REUSEADDR on every socket sharing the port, and none of them listening, lets them
            // coexist (a server restarting while its old connections linger).
            bool ok = s->reuse_addr;
            for (size_t i = 0; ok && i < st.socket_capacity(); ++i) {
                auto* o = static_cast<TcpStreamSocket*>(st.socket(int(i)));
                if (o && int(i) != h && o->kind == SockKind::Tcp && o->bound && o->local.port == local.port &&
                    (!o->reuse_addr || o->listener))
                    ok = false;
            }
            if (!ok) return -EADDRINUSE;
        }
        s->local = local;
        s->bound = true;
        return 0;
    }

    TcpConfig config_for(const TcpStreamSocket* s, uint16_t mtu) const {
        TcpConfig c = s->cfg;
        c.sndbuf = s->sndbuf;
        c.rcvbuf = s->rcvbuf;
        c.mtu = mtu;  // issue 5: MSS clamped to the route MTU (RFC 9293 3.7.1)
        return c;
    }

    int connect(Stack& st, Instant now, int h, Endpoint remote) override {
        TcpStreamSocket* s = sock(st, h);
        if (s->listener) return -EISCONN;
        if (s->conn) {
            if (s->conn->state() == TcpState::SynSent || s->conn->state() == TcpState::SynReceived) return -EALREADY;
            if (s->so_error) return -take_so_error(s);  // a non-blocking connect's outcome, once
            if (s->conn->is_open()) return -EISCONN;
            // The last attempt failed or ended (CLOSED): a new one on the same socket, as Linux allows.
            s->conn.reset();
            s->connected = false;
            s->shut_rd = s->shut_wr = false;
        }
        if (remote.addr.is_unspecified() || remote.port == 0) return -EINVAL;
        if (remote.addr.is_broadcast() || remote.addr.is_multicast() || st.is_broadcast_address(remote.addr))
            return -ENETUNREACH;  // RFC 1122 4.2.3.10: no connections to broadcast/multicast
        auto src = st.source_for(remote.addr);
        if (!src) return -ENETUNREACH;
        Endpoint local = s->local;
        if (local.addr.is_unspecified()) local.addr = *src;
        TcpConfig cfg = config_for(s, layer_.route_mtu(remote.addr));
        if (!layer_.mux().connection_room()) return -ENOBUFS;  // max_connections (counted by the mux)
        std::shared_ptr<TcpSocket> c;
        if (s->bound) {
            c = layer_.mux().connect(now, local, remote, &cfg);
            if (!c) return -EADDRINUSE;  // that 4-tuple still exists (e.g. TIME-WAIT)
        } else {
            // An ephemeral port whose 4-tuple is free (a lingering TIME-WAIT may hold one).
            for (int tries = 0; tries < 64 && !c; ++tries) {
                local.port = st.alloc_port(SockKind::Tcp, local.addr);
                if (local.port == 0) return -EADDRNOTAVAIL;
                auto old = layer_.mux().find(local, remote);
                if (old && old->is_open()) continue;
                c = layer_.mux().connect(now, local, remote, &cfg);
            }
            if (!c) return -EADDRNOTAVAIL;
        }
        s->conn = c;
        s->local = local;
        s->bound = true;
        s->remote = remote;
        s->connected = true;
        layer_.flush(now);  // the SYN (section 3.10.1)
        return -EINPROGRESS;
    }

    int disconnect(Stack& st, int h) override {
        // connect(AF_UNSPEC) on a stream socket aborts the connection (Linux tcp_disconnect).
        TcpStreamSocket* s = sock(st, h);
        if (s->conn) {
            s->conn->abort(Instant{});
            s->conn.reset();
        }
        s->connected = false;
        s->remote = Endpoint{};
        return 0;
    }

    int listen(Stack& st, int h, int backlog) override {
        TcpStreamSocket* s = sock(st, h);
        if (s->conn) return -EINVAL;
        backlog = std::clamp(backlog, 1, 4096);  // listen(2): a non-positive backlog means a small one
        if (s->listener) return 0;               // already listening (Linux adjusts the backlog)
        if (!s->bound) {
            if (int rc = bind(st, h, Endpoint{Ipv4Addr::any(), 0})) return rc;
        }
        TcpConfig cfg = config_for(s, layer_.listen_mtu(s->local.addr));
        s->listener = layer_.mux().listen(s->local, backlog, 0, &cfg);
        if (!s->listener) return -EADDRINUSE;
        s->backlog = backlog;
        return 0;
    }

    int accept(Stack& st, Instant now, int h, Endpoint* peer) override {
        TcpStreamSocket* s = sock(st, h);
        if (!s->listener) return -EINVAL;
        auto c = s->listener->accept();
        if (!c) return -EAGAIN;
        auto n = std::make_unique<TcpStreamSocket>(layer_);
        n->cfg = s->listener->config();
        n->sndbuf = s->sndbuf;
        n->rcvbuf = s->rcvbuf;
        n->conn = c;
        n->local = c->local();
        n->remote = c->remote();
        n->bound = n->connected = true;
        if (peer) *peer = c->remote();
        int nh = st.add_socket(std::move(n));
        layer_.flush(now);  // and moves an error the connection already has (peer reset) to SO_ERROR
        return nh;
    }

    long sendto(Stack& st, Instant now, int h, ConstBytes data, const Endpoint*, int) override {
        TcpStreamSocket* s = sock(st, h);
        if (s->so_error) return -take_so_error(s);
        if (!s->conn) return -ENOTCONN;  // listening or never connected
        if (s->conn->state() == TcpState::SynSent || s->conn->state() == TcpState::SynReceived)
            return -EAGAIN;  // section 3.10.2 allows queueing; like Linux we wait for ESTABLISHED
        if (data.size == 0) return s->conn->is_open() ? 0 : -EPIPE;
        long n = s->conn->send(now, data);
        layer_.flush(now);
        if (n == -EPIPE && s->so_error) return -take_so_error(s);  // the reset is the better answer
        return n;
    }

    long recvfrom(Stack& st, Instant now, int h, MutBytes buf, Endpoint* from, int flags) override {
        TcpStreamSocket* s = sock(st, h);
        if (!s->conn) return s->listener ? -ENOTCONN : -ENOTCONN;
        if (from) *from = s->conn->remote();
        // Queued data first, then a pending error (section 3.10.3; the RST flushed the queue anyway).
        if (s->conn->recv_queue() == 0 && s->so_error) return -take_so_error(s);
        if (s->conn->recv_queue() == 0 && (s->conn->state() == TcpState::SynSent ||
                                           s->conn->state() == TcpState::SynReceived))
            return -EAGAIN;
        long n;
        if (flags & MSG_PEEK) {
            size_t copied = 0;
            n = s->conn->recv_with(now, [&](ConstBytes r) {
                copied = std::min(r.size, buf.size);
                if (copied) std::memcpy(buf.data, r.data, copied);
                return size_t(0);  // nothing consumed
            });
            if (n >= 0) n = long(copied);
        } else {
            n = s->conn->recv(now, buf);
        }
        if (n == -ENOTCONN) n = 0;  // a connection that ended cleanly: end of stream
        layer_.flush(now);  // a window update if reading opened the window (RFC 1122 4.2.3.3)
        if (n < 0 && n != -EAGAIN && s->so_error) return -take_so_error(s);
        return n;
    }

    int shutdown(Stack& st, Instant now, int h, int how) override {
        TcpStreamSocket* s = sock(st, h);
        if (!s->conn) return -ENOTCONN;
        bool rd = how == SHUT_RD || how == SHUT_RDWR, wr = how == SHUT_WR || how == SHUT_RDWR;
        int rc = s->conn->shutdown(now, rd, wr);
        if (rc == 0) {
            s->shut_rd |= rd;
            s->shut_wr |= wr;
        }
        layer_.flush(now);  // the FIN (section 3.10.4)
        return rc;
    }

    void close(Stack& st, Instant now, int h) override {
        TcpStreamSocket* s = sock(st, h);
        if (s->listener) layer_.mux().close_listener(now, s->listener);
        if (s->conn) {
            // Lingers in the mux through FIN-WAIT / TIME-WAIT as an orphan; past max_orphans the
            // connection is reset instead (Linux's "too many orphaned sockets"), counted.
            bool lingers = s->conn->established() || s->conn->state() == TcpState::SynReceived ||
                           s->conn->state() == TcpState::LastAck || s->conn->state() == TcpState::Closing;
            if (lingers && !layer_.mux().orphan_allowed())
                s->conn->abort(now);
            else
                s->conn->close(now);
        }
        st.remove_socket(h);
        layer_.flush(now);
    }

    int setsockopt(Stack& st, Instant now, int h, int level, int name, const void* val, socklen_t len) override {
        TcpStreamSocket* s = sock(st, h);
        if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
            // A name, as Linux takes it ("cubic", "reno"); not NUL-terminated necessarily.
            if (!val || len <= 0) return -EINVAL;
            std::string n(static_cast<const char*>(val), strnlen(static_cast<const char*>(val), size_t(len)));
            auto a = cc_algo_from(n);
            if (!a) return -ENOENT;  // Linux: no such algorithm
            s->cfg.congestion = *a;
            if (s->conn) s->conn->set_congestion(*a);
            return 0;
        }
        int v = 0;
        if (!val || len < socklen_t(sizeof(int))) return -EINVAL;
        std::memcpy(&v, val, sizeof v);
        TcpSocket* c = s->conn.get();
        if (level == SOL_SOCKET && name == SO_KEEPALIVE) {
            s->cfg.keepalive = v != 0;
            if (c) c->set_keepalive(now, v != 0);
            return 0;
        }
        if (level != IPPROTO_TCP) return -ENOPROTOOPT;
        switch (name) {
            case TCP_NODELAY:
                s->cfg.nodelay = v != 0;
                if (c) c->set_nodelay(v != 0);
                break;
            case TCP_CORK:
                s->cfg.cork = v != 0;
                if (c) c->set_cork(v != 0);
                break;
            case TCP_QUICKACK:  // Linux: ACK at once instead of delaying (RFC 1122 4.2.3.2)
                s->cfg.delayed_ack = v == 0;
                if (c) c->set_delayed_ack(v == 0);
                break;
            case TCP_USER_TIMEOUT:  // RFC 5482, milliseconds; 0 = off
                if (v < 0) return -EINVAL;
                s->cfg.user_timeout = Duration::from_ms(v);
                if (c) c->set_user_timeout(Duration::from_ms(v));
                break;
            case TCP_KEEPIDLE:
                if (v < 1 || v > 32767) return -EINVAL;
                s->cfg.keepalive_idle = Duration::from_s(v);
                break;
            case TCP_KEEPINTVL:
                if (v < 1 || v > 32767) return -EINVAL;
                s->cfg.keepalive_interval = Duration::from_s(v);
                break;
            case TCP_KEEPCNT:
                if (v < 1 || v > 127) return -EINVAL;
                s->cfg.keepalive_probes = uint32_t(v);
                break;
            case TCP_SYNCNT:
                if (v < 1 || v > 127) return -EINVAL;
                s->cfg.syn_retries = uint32_t(v);
                break;
            default: return -ENOPROTOOPT;
        }
        layer_.flush(now);  // uncorking or TCP_NODELAY may release a partial segment
        return 0;
    }

    int getsockopt(Stack& st, int h, int level, int name, void* val, socklen_t* len) override {
        TcpStreamSocket* s = sock(st, h);
        const TcpConfig& c = s->conn ? s->conn->config() : s->cfg;
        auto put_int = [&](int v) {
            if (*len < socklen_t(sizeof(int))) return -EINVAL;
            std::memcpy(val, &v, sizeof v);
            *len = sizeof v;
            return 0;
        };
        if (level == SOL_SOCKET && name == SO_KEEPALIVE) return put_int(c.keepalive);
        if (level != IPPROTO_TCP) return -ENOPROTOOPT;
        switch (name) {
            case TCP_NODELAY: return put_int(c.nodelay);
            case TCP_CORK: return put_int(c.cork);
            case TCP_QUICKACK: return put_int(!c.delayed_ack);
            case TCP_USER_TIMEOUT: return put_int(int(c.user_timeout.ns / 1000000));
            case TCP_KEEPIDLE: return put_int(int(c.keepalive_idle.ns / 1000000000));
            case TCP_KEEPINTVL: return put_int(int(c.keepalive_interval.ns / 1000000000));
            case TCP_KEEPCNT: return put_int(int(c.keepalive_probes));
            case TCP_SYNCNT: return put_int(int(c.syn_retries));
            case TCP_MAXSEG: return put_int(s->conn ? s->conn->mss() : int(c.mtu) - 40);
            case TCP_CONGESTION: {
                const char* n = to_string(c.congestion);
                size_t l = std::strlen(n) + 1;
                if (*len < socklen_t(l)) return -EINVAL;
                std::memcpy(val, n, l);
                *len = socklen_t(l);
                return 0;
            }
            case TCP_INFO: {
                // This stack's TcpInfo (not Linux's struct tcp_info): state, queues, cwnd, ssthresh,
                // SRTT, RTO, retransmissions.
                TcpInfo i = s->conn ? s->conn->info() : TcpInfo{};
                if (s->listener) i.state = TcpState::Listen;
                if (*len < socklen_t(sizeof(TcpInfo))) return -EINVAL;
                std::memcpy(val, static_cast<const void*>(&i), sizeof i);
                *len = sizeof i;
                return 0;
            }
            default: return -ENOPROTOOPT;
        }
    }

private:
    TcpLayer& layer_;
};

}  // namespace

void TcpLayer::attach(SocketApi& api) { api.register_protocol(SOCK_STREAM, IPPROTO_TCP, std::make_unique<TcpOps>(*this)); }

}  // namespace nic
