// TCP states (RFC 9293 section 3.3.2), per-socket configuration (the socket options a later socket
// layer maps TCP_NODELAY, TCP_CORK, TCP_USER_TIMEOUT, SO_KEEPALIVE, TCP_SYNCNT, ... onto), the
// counters that make the seed's behaviours visible, and the netstat row.
#pragma once

#include "base/clock.h"
#include "tcp/congestion.h"
#include "tcp/rtt.h"

#include <cstdint>
#include <functional>
#include <string>

namespace nic {

enum class TcpState : uint8_t {
    Closed, Listen, SynSent, SynReceived, Established, FinWait1, FinWait2, CloseWait, Closing, LastAck, TimeWait
};
const char* to_string(TcpState s);  // "ESTABLISHED", as netstat prints them

struct TcpConfig {
    // Buffers (SO_SNDBUF / SO_RCVBUF). The receive buffer bounds the advertised window and the
    // out-of-order data together.
    size_t sndbuf = 256 * 1024;
    size_t rcvbuf = 256 * 1024;
    // The route MTU: our MSS option is mtu - 40 (RFC 9293 3.7.1: MSS excludes IP and TCP headers).
    uint16_t mtu = 1500;
    // Options offered on our SYN (RFC 7323, RFC 2018).
    bool window_scale = true;
    bool sack = true;
    bool timestamps = true;
    // Sending (RFC 1122 4.2.3.4 Nagle; TCP_NODELAY; TCP_CORK holds partial segments until uncorked).
    bool nodelay = false;
    bool cork = false;
    uint32_t initial_window_segments = 0;  // 0: RFC 5681 3.1 eq. 1; else a fixed count (RFC 6928: 10)
    CcAlgo congestion = CcAlgo::Cubic;       // TCP_CONGESTION: "cubic" (RFC 9438) or "reno" (RFC 5681)
    // Receiving: delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2): every second full segment or this timer.
    bool delayed_ack = true;
    Duration ack_delay = Duration::from_ms(40);
    size_t max_ooo_ranges = 32;            // out-of-order holes kept (RFC 9293 3.10.7.4 "segment text")
    // Retransmission (RFC 6298) and giving up (RFC 1122 4.2.3.5, R2; counts as Linux's tcp_syn_retries
    // and tcp_retries2).
    RttConfig rtt;
    uint32_t syn_retries = 6;
    uint32_t data_retries = 15;
    Duration user_timeout = Duration{0};   // RFC 5482 / TCP_USER_TIMEOUT; 0 = off
    Duration max_persist = Duration::from_s(60);  // persist backoff ceiling (RFC 9293 3.8.6.1)
    // TIME-WAIT lasts 2 * MSL (RFC 9293 3.4.2; Linux uses 60 s in total, as here).
    Duration msl = Duration::from_s(30);
    // An orphaned (closed by the application) FIN-WAIT-2 socket is reaped after this (Linux
    // tcp_fin_timeout); RFC 9293 leaves it open-ended, so 0 disables it.
    Duration fin_wait2_timeout = Duration::from_s(60);
    // Keepalive (RFC 1122 4.2.3.6): off by default; idle >= 2 h by default.
    bool keepalive = false;
    Duration keepalive_idle = Duration::from_s(7200);
    Duration keepalive_interval = Duration::from_s(75);
    uint32_t keepalive_probes = 9;
    // RFC 5961 section 7: challenge ACKs per second per socket.
    uint32_t challenge_ack_limit = 1000;
    // RFC 5961 section 7 applied to the duplicate ACKs answering out-of-window and PAWS-rejected
    // segments (Linux tcp_invalid_ratelimit): at most one per interval per socket, so two hosts
    // that disagree about the sequence space cannot drive each other into an ACK storm.
    Duration invalid_ack_interval = Duration::from_ms(500);
    // RFC 8985 section 7 Tail Loss Probe (with SACK only, as the RFC advises).
    bool tlp = true;
    // RFC 8985 section 6 RACK time-based loss detection (with SACK): lost retransmissions and
    // tail losses are found by time instead of waiting for the RTO.
    bool rack = true;
    // Listener: SYN-ACK retransmissions (Linux tcp_synack_retries) and SYN cookies when the SYN
    // queue is full.
    uint32_t synack_retries = 5;
    bool syn_cookies = true;
    // Stack-wide limits, read from the TcpMux's defaults (Linux: tcp_mem, tcp_max_tw_buckets,
    // tcp_max_orphans, tcp_orphan_retries). Buffers are allocated as data needs them; mem_limit
    // bounds what all connections hold together.
    size_t mem_limit = size_t(256) << 20;
    size_t max_connections = 65536;  // connection table (TIME-WAIT records not included)
    size_t max_timewait = 65536;     // compact TIME-WAIT records; beyond, TIME-WAIT is skipped
    size_t max_orphans = 4096;       // closed by the application but not yet CLOSED
    uint32_t orphan_retries = 8;     // zero-window probes an orphan sends before it is aborted
};

// Monotonic counters, per socket (summed by the mux). X-macro so that names, printing and summing
// stay in step. segments per write = data_segs_out / writes.
#define NIC_TCP_COUNTERS(X)                                                                          \
    X(segs_in) X(segs_out) X(bytes_in) X(bytes_out) /* payload; bytes_out counts first sends only */ \
    X(writes) X(data_segs_out)                                                                     \
    X(pure_acks_out)        /* ACK-only segments (no data, SYN or FIN) */                          \
    X(piggybacked_acks)     /* a pending ACK that rode on data or a FIN */                         \
    X(window_updates)       /* pure ACKs sent only because the receive window opened */            \
    X(delayed_ack_fired)    /* the delayed-ACK timer expired and an ACK went out */                \
    X(delayed_acks_saved)   /* data segments acknowledged by a later, cumulative ACK */            \
    X(retrans_segs) X(retrans_bytes) X(fast_retransmits) X(sack_recoveries) X(prr_updates) \
    X(tlp_probes) X(tlp_recoveries) X(rack_losses) X(rack_timeouts) X(newreno_partial_acks)  \
    X(rto_expirations) X(limited_transmits) X(dup_acks_in) X(persist_probes) X(keepalive_probes)   \
    X(challenge_acks) X(challenge_acks_suppressed) X(invalid_acks_suppressed) X(ts_ecr_implausible) X(rst_in) X(rst_out) X(ooo_segs_in) X(rtt_samples) \
    /* drops: every segment not acted upon is counted under one reason */                          \
    X(drop_out_of_window) X(drop_paws) X(drop_no_timestamp) X(drop_no_ack) X(drop_bad_ack)          \
    X(drop_rst_ignored) X(drop_syn) X(drop_ooo_full) X(drop_rcvbuf_full) X(drop_closed)            \
    X(drop_syn_sent) X(drop_after_close)                                                           \
    X(drop_memory)      /* data dropped: the stack-wide buffer budget refused more storage */      \
    X(rx_placed)        /* in-order payloads copied into the receive ring while their checksum was verified */ \
    X(send_mem_refused) /* send() got EAGAIN from the budget while the buffer had room */      \
    X(orphan_timeouts)  /* orphans aborted after orphan_retries zero-window probes */

struct TcpCounters {
#define NIC_TCP_COUNTER_FIELD(n) uint64_t n = 0;
    NIC_TCP_COUNTERS(NIC_TCP_COUNTER_FIELD)
#undef NIC_TCP_COUNTER_FIELD
    void for_each(const std::function<void(const char*, uint64_t)>& f) const;
    TcpCounters& operator+=(const TcpCounters& o);
    // The seed's write buffering made visible: 1.0 means every write went out as one segment.
    double segments_per_write() const { return writes ? double(data_segs_out) / double(writes) : 0.0; }
};

// The netstat row for one connection ("ss -ti" in Linux terms).
struct TcpInfo {
    TcpState state = TcpState::Closed;
    size_t send_q = 0;       // bytes written and not yet acknowledged
    size_t recv_q = 0;       // bytes received and not yet read
    uint32_t cwnd = 0, ssthresh = 0;  // bytes
    uint32_t snd_wnd = 0, rcv_wnd = 0;
    uint16_t snd_mss = 0, rcv_mss = 0;
    uint8_t snd_wscale = 0, rcv_wscale = 0;
    bool sack = false, timestamps = false, in_recovery = false;
    Duration srtt{}, rttvar{}, rto{};
    uint32_t backoff = 0;            // consecutive RTO expirations (current)
    uint64_t total_retrans = 0;      // segments retransmitted over the connection's life
    uint64_t rto_expirations = 0, fast_retransmits = 0;
    std::string str() const;         // one netstat-like line
};

}  // namespace nic
