// Socket control blocks: the seed's "socket = the set of control information the protocol stack keeps
// for one communication" (peer address and port, state, buffers). The Stack owns them in a table and
// demultiplexes received packets into them; api/ gives applications small-integer descriptors for them.
//
// Protocols plug in by deriving from Socket. Datagram protocols (UDP, ICMP echo) share DatagramSocket.
// TCP (next issue) derives from Socket too: its state machine gets parsed segments from the Stack's
// protocol handler (TcpSocket::on_segment(now, repr)), and the Stack calls poll(now) on every socket
// whose next_deadline() has come, where TCP runs poll_transmit(now) for RTO, delayed ACK, persist
// (a socket with data or an ACK ready to go reports `now` as its deadline, so the next poll sends it).
// state_name(), send_queue_bytes() and recv_queue_bytes() are the netstat columns it fills in.
#pragma once

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"

#include <deque>
#include <string>
#include <vector>

namespace nic {

class Stack;

enum class SockKind : uint8_t { Udp, Icmp, Tcp };
const char* to_string(SockKind k);

class Socket {
public:
    explicit Socket(SockKind k) : kind(k) {}
    virtual ~Socket() = default;

    const SockKind kind;
    Endpoint local;          // addr 0.0.0.0: any of this host's addresses (not yet chosen)
    Endpoint remote;         // set by connect()
    bool bound = false;
    bool connected = false;
    bool shut_rd = false, shut_wr = false;
    int so_error = 0;        // pending asynchronous error, returned once (SO_ERROR, next call)
    // Socket options (SOL_SOCKET / IPPROTO_IP).
    size_t rcvbuf = 256 * 1024;
    size_t sndbuf = 256 * 1024;
    bool broadcast = false;  // SO_BROADCAST: required to send to a broadcast address
    bool reuse_addr = false;
    uint8_t ttl = 64;        // IP_TTL
    uint8_t tos = 0;         // IP_TOS
    bool dont_frag = false;  // IP_MTU_DISCOVER = IP_PMTUDISC_DO
    uint64_t rx_dropped = 0; // datagrams dropped because the receive queue was full
    // Unique per Stack, never reused (handles are): a late asynchronous error (ARP failure seconds
    // after the send) must not reach a different socket that took over a closed socket's handle.
    uint64_t serial = 0;

    // netstat columns.
    virtual std::string state_name() const = 0;
    virtual size_t recv_queue_bytes() const = 0;
    virtual size_t send_queue_bytes() const { return 0; }
    // poll() readiness.
    virtual bool readable() const = 0;
    virtual bool writable() const { return !shut_wr; }
    // Timers (TCP: RTO, delayed ACK, persist, keepalive, TIME-WAIT). Datagram sockets have none.
    virtual Instant next_deadline() const { return Instant::max(); }
    virtual void poll(Instant /*now*/, Stack& /*stack*/) {}
};

struct Datagram {
    Endpoint from;
    Ipv4Addr to;   // destination address it was sent to (IP_PKTINFO-like)
    std::vector<uint8_t> data;
    Instant at;    // arrival time (the ping client's RTT)
};

// UDP and ICMP echo ("ping socket", like Linux SOCK_DGRAM/IPPROTO_ICMP, where the local "port" is the
// echo identifier). Receive queue bounded by rcvbuf bytes; overflow counted per socket and in stats.
class DatagramSocket : public Socket {
public:
    explicit DatagramSocket(SockKind k) : Socket(k) {}
    std::deque<Datagram> rxq;
    size_t rxq_bytes = 0;

    std::string state_name() const override { return connected ? "ESTABLISHED" : (bound ? "BOUND" : "CLOSED"); }
    size_t recv_queue_bytes() const override { return rxq_bytes; }
    bool readable() const override { return !rxq.empty() || so_error != 0 || shut_rd; }
    // Queues a datagram if it fits; false (and rx_dropped++) when full.
    bool enqueue(Datagram d) {
        if (shut_rd) return false;
        if (rxq_bytes + d.data.size() > rcvbuf || rxq.size() >= kMaxQueued) {
            ++rx_dropped;
            return false;
        }
        rxq_bytes += d.data.size();
        rxq.push_back(std::move(d));
        return true;
    }
    Datagram dequeue() {
        Datagram d = std::move(rxq.front());
        rxq.pop_front();
        rxq_bytes -= d.data.size();
        return d;
    }
    static constexpr size_t kMaxQueued = 4096;  // bounds zero-length datagrams too
};

}  // namespace nic
