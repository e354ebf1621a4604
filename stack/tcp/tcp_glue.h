// TCP in the stack: the glue between the TCP state machines (TcpMux) and the Stack and socket API.
//   receive:  Stack::deliver -> TcpLayer::input -> parse_tcp -> TcpMux::input -> flush
//   send:     every socket call, segment in and due timer -> TcpLayer::flush -> TcpMux::poll_transmit
//             -> emit_tcp -> Stack::ip_output (proto 6, DF) ; a failing ip_output -> TcpMux::icmp_error
//   timers:   Stack::next_deadline includes TcpMux::next_deadline (Stack::set_protocol_timer)
//   errors:   ICMP unreachable / fragmentation needed quoting our segments -> TcpMux::icmp_error /
//             path_mtu (RFC 1122 4.2.3.9, RFC 5927, RFC 1191); ARP failure -> EHOSTUNREACH
//   sockets:  SocketApi (SOCK_STREAM) -> TcpOps -> TcpStreamSocket (a Socket in the Stack's table
//             holding a TcpSocket or a TcpListener)
// A connection the application closed lingers in the mux (FIN-WAIT, TIME-WAIT) with no descriptor;
// the layer's timers keep driving it and TcpMux::reap frees it once CLOSED.
// Options: TCP_NODELAY, TCP_CORK, TCP_QUICKACK, TCP_USER_TIMEOUT and SO_KEEPALIVE act at once;
// TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, TCP_SYNCNT, SO_SNDBUF and SO_RCVBUF are taken at connect()/listen()
// (set them before, as the core keeps them in its per-connection TcpConfig).
#pragma once

#include "api/sockets.h"
#include "iface/stack.h"
#include "tcp/tcp_mux.h"

#include <memory>
#include <string>

namespace nic {

// What the glue counts (the state machines count the rest in TcpCounters / TcpMuxCounters).
struct TcpGlueStats {
    uint64_t rx_segments = 0;       // handed to the mux
    uint64_t rx_bad_checksum = 0;   // parse_tcp: checksum wrong (software-verified)
    uint64_t rx_malformed = 0;      // parse_tcp: truncated, bad data offset, bad options
    uint64_t rx_not_unicast = 0;    // to a broadcast/multicast address (RFC 1122 4.2.3.10)
    uint64_t tx_segments = 0;       // given to ip_output successfully
    uint64_t tx_emit_failed = 0;    // emit_tcp refused the segment (cannot happen with sane options)
    uint64_t tx_ip_errors = 0;      // ip_output failed (no route, interface down, ENOBUFS)
    uint64_t icmp_errors = 0;       // ICMP errors quoting a TCP segment
    uint64_t icmp_ignored = 0;      // ... quoting no connection, or a sequence number outside [SND.UNA, SND.NXT]
    uint64_t icmp_hard = 0, icmp_soft = 0, path_mtu_updates = 0;
    uint64_t tx_backpressure = 0;   // flushes stopped by a full device queue (nothing lost: resumed later)
    std::string dump() const;       // "name value" lines
};

class TcpLayer {
public:
    // isn_seed 0: random ISN key (wall-clock use); otherwise reproducible (virtual clock tests).
    explicit TcpLayer(Stack& stack, const TcpConfig& defaults = {}, uint64_t isn_seed = 0);
    ~TcpLayer();
    TcpLayer(const TcpLayer&) = delete;
    TcpLayer& operator=(const TcpLayer&) = delete;

    // Registers SOCK_STREAM (IPPROTO_TCP) with a socket API over this layer's stack.
    void attach(SocketApi& api);

    // Sends everything the mux has ready now; returns how many segments went to ip_output.
    size_t flush(Instant now);
    // The MTU of the interface a packet to `dst` leaves by (65535 for our own addresses), the
    // ceiling for the MSS we announce (RFC 9293 3.7.1: MSS = MTU - 40).
    uint16_t route_mtu(Ipv4Addr dst);
    // The MTU for a listener on `local` (wildcard: the smallest interface MTU).
    uint16_t listen_mtu(Ipv4Addr local);

    TcpMux& mux() { return mux_; }
    const TcpMux& mux() const { return mux_; }
    Stack& stack() { return stack_; }
    const TcpGlueStats& stats() const { return stats_; }
    // Everything a user wants to see: the glue's counters, the mux's, and the memory in use.
    std::string stats_dump() const { return stats_.dump() + mux_.dump(); }
    // Every connection (with its descriptor or lingering) and listener: state, queues, cwnd,
    // ssthresh, SRTT, RTO, retransmissions.
    std::string netstat_table() const { return tcp_netstat_table(mux_.netstat()); }

    // Called by the ops after a state change: moves pending connection errors into Socket::so_error
    // (which SocketApi's blocking waits, poll and SO_ERROR read).
    void sync_errors();

private:
    void input(Instant now, const Ipv4Repr& ip, bool checksum_verified);
    bool pending_flush_ = false;  // segments arrived since the last flush
    // The device queue was full at the last flush: try again shortly (the queue drains as the
    // device sends, which raises no event of its own here).
    bool blocked_ = false;
    Instant retry_at_;
    void icmp_error(Instant now, const IcmpRepr& icmp, const IcmpQuote& q);
    bool run_timers(Instant now);

    Stack& stack_;
    TcpMux mux_;
    TcpGlueStats stats_;
};

// The socket in the Stack's table for a SOCK_STREAM descriptor: options until connect()/listen(),
// then the connection or the listener. netstat columns and poll readiness come from them.
class TcpStreamSocket : public Socket {
public:
    explicit TcpStreamSocket(TcpLayer& layer) : Socket(SockKind::Tcp), layer(&layer), cfg(layer.mux().defaults()) {
        sndbuf = cfg.sndbuf;  // SO_SNDBUF / SO_RCVBUF start at the layer's defaults
        rcvbuf = cfg.rcvbuf;
    }
    TcpLayer* layer;
    TcpConfig cfg;                        // socket options, applied at connect/listen
    std::shared_ptr<TcpSocket> conn;
    std::shared_ptr<TcpListener> listener;
    int backlog = 0;

    std::string state_name() const override;
    size_t recv_queue_bytes() const override;
    size_t send_queue_bytes() const override { return conn ? conn->send_queue() : 0; }
    bool readable() const override;
    bool writable() const override;
};

}  // namespace nic
