// A listening socket (RFC 9293 3.10.7.2, LISTEN) with a real backlog: a bounded SYN queue of
// half-open connections (the SYN-ACK sent, retransmitted per synack_retries) and a bounded accept
// queue of established ones waiting for accept(). When the SYN queue is full it answers with SYN
// cookies (no state until the ACK proves a round trip), so a SYN flood cannot grow memory and
// established connections keep working. Segments reach it from TcpMux when no connection matches.
//   TcpMux::input -> TcpListener::on_segment -> (ACK completes) -> new TcpSocket (in the accept queue)
#pragma once

#include "tcp/isn.h"
#include "tcp/tcp_socket.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace nic {

struct TcpListenerCounters {
    uint64_t syns_in = 0, synacks_out = 0, synack_retrans = 0, established = 0;
    uint64_t syn_queue_full = 0;        // SYN dropped: SYN queue full and cookies off
    uint64_t accept_queue_full = 0;     // SYN or completing ACK dropped: accept queue full
    uint64_t synack_timeouts = 0;       // half-open connections given up after synack_retries
    uint64_t timer_visits = 0;          // half-open entries examined by poll_transmit (cost measure)
    uint64_t ack_rejected = 0;          // completing ACK the connection would drop (PAWS, no TS, ...)
    uint64_t cookies_sent = 0, cookies_ok = 0, cookies_bad = 0;
    uint64_t cookies_unsolicited = 0;   // cookie-shaped ACK while no cookie was sent lately (RST)
    uint64_t rst_out = 0, rst_in = 0;
    uint64_t dropped_other = 0;         // neither SYN nor ACK, or an RST/ACK that matched nothing
    uint64_t out_queue_full = 0;        // stateless replies dropped because too many were pending
};

class TcpListener {
public:
    TcpListener(const TcpConfig& cfg, Endpoint local, int backlog, const IsnGenerator* isn, size_t syn_queue = 0);

    // A segment for our port that matched no connection. When it completes a handshake, returns
    // the new connection (already in the accept queue; the mux must also route its segments).
    std::shared_ptr<TcpSocket> on_segment(Instant now, Ipv4Addr src, Ipv4Addr dst, const TcpRepr& seg);
    std::optional<TcpOut> poll_transmit(Instant now);
    Instant next_deadline() const;
    // The oldest established connection, or nullptr (EAGAIN).
    std::shared_ptr<TcpSocket> accept();
    // Closing a listener resets its half-open and un-accepted connections (as Linux does).
    std::vector<std::shared_ptr<TcpSocket>> close(Instant now);

    Endpoint local() const { return local_; }
    size_t syn_queue_len() const { return synq_.size(); }
    size_t accept_queue_len() const { return acceptq_.size(); }
    size_t backlog() const { return backlog_; }
    size_t syn_queue_max() const { return synq_max_; }
    const TcpListenerCounters& counters() const { return ctr_; }
    const TcpConfig& config() const { return cfg_; }

private:
    struct HalfOpen {
        Endpoint local, remote;
        SeqNum iss;
        uint32_t ts_offset = 0;  // RFC 7323 5.4, shared by the SYN-ACK and the connection
        TcpRepr syn;           // options, window and sequence number of the peer's SYN (no payload)
        Instant first_sent{}, deadline{};
        uint32_t retries = 0;
        bool tx_pending = true;
    };
    using Key = std::pair<uint64_t, uint64_t>;  // (local addr:port, remote addr:port)
    static Key key(Endpoint l, Endpoint r) {
        return {(uint64_t(l.addr.v) << 16) | l.port, (uint64_t(r.addr.v) << 16) | r.port};
    }
    TcpRepr synack(Instant now, const HalfOpen& h) const;
    // Half-open entries are indexed by deadline as well, so a SYN flood costs O(log n) per segment
    // and per timer instead of a walk over the whole SYN queue.
    void schedule(const Key& k, HalfOpen& h, Instant deadline);
    void erase(std::map<Key, HalfOpen>::iterator it);
    void queue_out(TcpOut o);
    std::shared_ptr<TcpSocket> complete(Instant now, Endpoint local, Endpoint remote, SeqNum iss, const TcpRepr& syn,
                                        Instant synack_at, bool retransmitted, bool rtt_ok, const TcpRepr& ack,
                                        uint32_t ts_offset);

    TcpConfig cfg_;
    Endpoint local_;
    size_t backlog_, synq_max_;
    const IsnGenerator* isn_;
    std::map<Key, HalfOpen> synq_;
    std::set<std::pair<Instant, Key>> timers_;  // (HalfOpen::deadline, key) for every synq_ entry
    std::deque<std::shared_ptr<TcpSocket>> acceptq_;
    // Cookies are checked only while the SYN queue has overflowed recently (as Linux's
    // tcp_synq_no_recent_overflow): otherwise every stray ACK would be a 2^-24 guess at a connection.
    Instant cookies_until_{};
    std::deque<TcpOut> out_;  // stateless replies: RSTs, cookie SYN-ACKs
    static constexpr size_t kMaxOut = 256;
    TcpListenerCounters ctr_;
};

}  // namespace nic
