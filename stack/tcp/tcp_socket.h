// One TCP connection (RFC 9293): the seed's "socket = control information" for a stream: the
// send/receive sequence variables, buffers, timers and congestion state. A state machine that sees
// parsed segments and the current time and says what to send; no bytes on the wire, no hidden clock.
//
//   TcpMux::input -> TcpSocket::on_segment(now, seg)       RFC 9293 3.10.7
//   TcpMux::poll_transmit -> TcpSocket::poll_transmit(now)  data, retransmissions, ACKs, probes
//   caller sleeps until next_deadline()                      RTO, delayed ACK, persist, keepalive, TIME-WAIT
//   user calls: connect/send/recv/shutdown/close/abort       RFC 9293 3.10.1-3.10.5
//
// Results are 0 / a byte count, or -errno (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH,
// ENOTCONN, EAGAIN, EISCONN, EALREADY, EINVAL), as a BSD socket layer returns them.
#pragma once

#include "base/addr.h"
#include "base/clock.h"
#include "tcp/assembler.h"
#include "tcp/congestion.h"
#include "tcp/ring_buffer.h"
#include "tcp/rtt.h"
#include "tcp/tcp_types.h"
#include "tcp/tcp_wire.h"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <optional>
#include <vector>

namespace nic {

// TSval for `now`: 1 ms ticks (RFC 7323 5.4 allows 1 ms to 1 s) plus the connection's random
// offset (IsnGenerator::ts_offset), which a listener's SYN-ACK and the socket it creates share.
inline uint32_t tcp_ts_value(Instant now, uint32_t ts_offset) { return uint32_t(now.ns / 1000000) + ts_offset; }

class TcpSocket {
public:
    explicit TcpSocket(const TcpConfig& cfg = {});

    // The route, next hop and offloads the stack resolved for this connection (Stack::ip_output).
    TxPath& tx_path() { return tx_path_; }
    // Runs the due timers without producing a segment (what they decide goes out with the next
    // poll_transmit).
    void tick(Instant now) {
        if (state_ != TcpState::Closed && state_ != TcpState::Listen) run_timers(now);
    }
    // Receive fast path (checksum once): an in-order data segment of a synchronized connection with
    // nothing held out of order is copied into the receive ring at RCV.NXT, its checksum summed in
    // the same pass, before the segment is processed. Returns the sum (checksum_add of the payload
    // chained on `acc`, the pseudo-header and header sum) for the caller to verify; on a mismatch
    // the caller drops the segment, and the copied bytes, never committed, are overwritten later.
    // nullopt: not eligible, nothing copied (the caller verifies and the segment is written as usual).
    std::optional<uint32_t> place_payload(const TcpRepr& seg, uint32_t acc);
    // ---- user calls (RFC 9293 3.10)
    // Gives back the storage of empty rings unless keep_idle_storage() (the mux calls this for
    // every connection when the memory budget is pressed).
    void trim_storage() {
        release_rx_if_idle();
        if (tx_.empty() && !keep_idle_storage()) tx_.release();
    }
    // Active open: sends SYN from `local` to `remote` with initial sequence number `iss` (from an
    // IsnGenerator, RFC 6528). -EISCONN unless CLOSED.
    int connect(Instant now, Endpoint local, Endpoint remote, SeqNum iss, uint32_t ts_offset = 0);
    // Passive open, used by TcpListener after a SYN: the socket starts in SYN-RECEIVED with its
    // SYN-ACK (sent at `synack_at`, retransmitted or not) outstanding. Feed it the completing ACK.
    void accept_syn(Instant now, Endpoint local, Endpoint remote, SeqNum iss, const TcpRepr& syn,
                    Instant synack_at, bool synack_retransmitted, bool rtt_from_synack = true,
                    uint32_t ts_offset = 0);
    // Queues up to data.size bytes; returns how many, -EAGAIN when the buffer is full, -EPIPE after
    // shutdown(SHUT_WR)/close, -ENOTCONN before connect, or the pending error.
    long send(Instant now, ConstBytes data);
    // Copies out received bytes: count, 0 at end of stream (FIN received), -EAGAIN when nothing yet,
    // or the error that closed the connection (-ECONNRESET, -ETIMEDOUT, ...).
    long recv(Instant now, MutBytes out);
    // Zero-copy variants (as smoltcp's send/recv with a closure): `fill(MutBytes) -> size_t` writes
    // into the send buffer's contiguous free space and returns how much it wrote; `eat(ConstBytes)
    // -> size_t` reads from the receive buffer's contiguous data and returns how much it consumed.
    // Same results as send()/recv() otherwise (one contiguous piece per call).
    template <class F>
    long send_with(Instant now, F&& fill) {
        long e = send_check(now);
        if (e < 0) return e;
        MutBytes w = tx_.write_window();
        if (w.size == 0) {
            if (tx_.free() > 0) ++ctr_.send_mem_refused;
            return -EAGAIN;
        }
        size_t n = std::min(fill(w), w.size);
        if (n == 0) return 0;
        tx_.commit(n);
        ++ctr_.writes;
        return long(n);
    }
    template <class F>
    long recv_with(Instant now, F&& eat) {
        ConstBytes r = rx_.read_window();
        if (r.size == 0) return recv(now, MutBytes());
        size_t n = std::min(eat(r), r.size);
        rx_.consume(n);
        release_rx_if_idle();
        return long(n);
    }
    // SHUT_WR sends FIN after the queued data (half-close); SHUT_RD discards what arrives later.
    int shutdown(Instant now, bool rd, bool wr);
    // RFC 9293 3.10.4 CLOSE: FIN after queued data; the socket lingers through FIN-WAIT/TIME-WAIT.
    // Unread received data makes it a reset instead (RFC 2525 2.17).
    int close(Instant now);
    // RFC 9293 3.10.5 ABORT: RST to the peer (in synchronized states), everything dropped.
    void abort(Instant now);
    // RFC 1122 4.2.3.9: ICMP destination unreachable / no route from the IP layer. `hard` (protocol
    // or port unreachable, RFC 1122 says SHOULD abort) resets a connection that is still opening;
    // soft errors are remembered and reported instead of ETIMEDOUT if the connection times out.
    void on_icmp_error(Instant now, int err, bool hard);
    // RFC 1191 (and RFC 9293 3.7.2): the IP layer learned a smaller path MTU (ICMP fragmentation
    // needed with DF set). Segments shrink to it and what was in flight is resent at the new size;
    // not a congestion signal (RFC 1191 section 6.3). Never below 552 bytes (as Linux's min_pmtu).
    void on_path_mtu(Instant now, uint16_t mtu);

    // Socket options (TCP_NODELAY, TCP_CORK, ...); take effect on the next poll_transmit.
    void set_nodelay(bool on) { cfg_.nodelay = on; }
    // TCP_CONGESTION: takes effect at once (the window carries over, the algorithm's state starts
    // fresh at the next congestion-avoidance stage).
    void set_congestion(CcAlgo a) {
        cfg_.congestion = a;
        cc_.algo = a;
        cc_.epoch_valid = false;
    }
    void set_cork(bool on) { cfg_.cork = on; }
    void set_delayed_ack(bool on) { cfg_.delayed_ack = on; }
    void set_keepalive(Instant now, bool on);
    void set_user_timeout(Duration d) { cfg_.user_timeout = d; }
    const TcpConfig& config() const { return cfg_; }

    // ---- from the wire
    void on_segment(Instant now, const TcpRepr& seg);
    // The next segment to send, or nothing. Call until it returns nothing. The payload view is valid
    // until the next call on this socket.
    std::optional<TcpRepr> poll_transmit(Instant now);
    // When poll_transmit has timer work (Instant::max() for none).
    Instant next_deadline() const;

    // ---- state for the socket layer
    TcpState state() const { return state_; }
    Endpoint local() const { return local_; }
    Endpoint remote() const { return remote_; }
    bool is_open() const { return state_ != TcpState::Closed; }
    bool ever_established() const { return was_established_; }
    bool established() const {
        return state_ == TcpState::Established || state_ == TcpState::CloseWait || state_ == TcpState::FinWait1 ||
               state_ == TcpState::FinWait2;
    }
    bool readable() const;      // data, EOF or error
    bool writable() const;      // room in the send buffer and allowed to send
    size_t recv_queue() const { return rx_.size(); }
    size_t send_queue() const { return tx_.size(); }
    size_t send_space() const { return tx_.free(); }
    bool peer_closed() const { return fin_rcvd_; }
    int error() const { return err_; }   // why the connection ended (0 for a clean close)
    int take_error();                    // SO_ERROR: returns and clears the pending error
    TcpInfo info() const;
    const TcpCounters& counters() const { return ctr_; }
    // Current retransmission timeout with backoff applied.
    Duration current_rto() const;
    SeqNum snd_una() const { return snd_una_; }
    SeqNum snd_nxt() const { return snd_nxt_; }
    SeqNum rcv_nxt() const { return rcv_nxt_; }
    uint32_t cwnd() const { return cc_.cwnd; }
    uint32_t ssthresh() const { return cc_.ssthresh; }
    uint16_t mss() const { return snd_mss_; }
    const RttEstimator& rtt() const { return rtt_; }
    // Buffer memory: growth is charged to `b` (the stack-wide budget); storage() is what the two
    // rings hold now (0 for an idle connection).
    void set_memory(MemoryBudget* b) {
        tx_.set_budget(b);
        rx_.set_budget(b);
    }
    size_t buffer_storage() const { return tx_.storage() + rx_.storage(); }
    bool orphaned() const { return app_closed_ && state_ != TcpState::Closed; }
    // For a compact TIME-WAIT record (TcpMux): what answering segments needs.
    uint32_t ts_recent() const { return ts_recent_; }
    uint32_t ts_offset() const { return ts_offset_; }
    bool timestamps_on() const { return ts_ok_; }
    Instant timewait_deadline() const { return timewait_at_; }

private:
    static constexpr uint32_t kDupThresh = 3;  // RFC 5681 3.2, RFC 6675 section 2
    static constexpr uint32_t kMaxBackoffShift = 16;  // RTO and persist backoff: at most 2^16 times
    long send_check(Instant now);  // 0 if send() may queue data, else -errno
    // The storage of empty rings is kept while the connection is established and the stack's
    // memory budget is under half used: a bulk receiver drains its ring on every read, and a
    // sender's ring empties on every ACK that catches up, so releasing at once would free, grow
    // again from 4 KiB and copy on every segment. Otherwise (closing, TIME-WAIT, closed, or
    // under pressure) an empty ring gives its storage back.
    bool keep_idle_storage() const { return state_ == TcpState::Established && !rx_.budget_pressed(); }
    void release_rx_if_idle() {
        if (rx_.empty() && asm_.empty() && !keep_idle_storage()) rx_.release();
    }
    bool synchronized() const { return state_ >= TcpState::Established || state_ == TcpState::SynReceived; }
    void set_state(Instant now, TcpState s);
    void enter_closed(int err);
    void reset_connection(int err);  // a peer's RST / give-up: errno to the application
    void on_syn_sent(Instant now, const TcpRepr& seg);
    void negotiate(const TcpRepr& syn);
    bool acceptable(const TcpRepr& seg) const;  // RFC 9293 3.10.7.4 first check
    void process_ack(Instant now, const TcpRepr& seg, bool& drop);
    void process_sack(const TcpRepr& seg);
    void process_text(Instant now, SeqNum seq, ConstBytes payload, bool fin, bool placed = false);
    void process_fin(Instant now);
    void invalid_ack(Instant now);                  // rate-limited ACK for an unacceptable segment
    void ts_rtt_sample(Instant now, uint32_t ecr);  // RFC 7323 4.1, with a plausibility check
    void challenge_ack(Instant now);
    void schedule_ack_after_data(Instant now, size_t len, bool in_order, bool filled_gap);
    void run_timers(Instant now);
    void on_rto(Instant now);
    void restart_rto(Instant now);
    void arm_persist(Instant now);
    void rtt_sample(Instant now, Duration r);
    std::optional<TcpRepr> next_data_segment(Instant now);
    std::optional<TcpRepr> sack_recovery_segment(Instant now);
    TcpRepr make_segment(Instant now, SeqNum seq, size_t len, uint8_t flags);
    TcpRepr make_rst(SeqNum seq) const;
    uint16_t window_field();        // updates rcv_adv_ (RFC 9293 3.8.6.2.2 receiver SWS avoidance)
    uint32_t rcv_window_now() const;  // what could be advertised now, before SWS rules
    uint32_t ts_now(Instant now) const;
    uint32_t max_payload(const TcpOptions& opts) const;
    TcpOptions segment_options(Instant now) const;
    uint32_t rcv_mss() const;
    bool fin_acked() const { return fin_queued_ && tx_.empty() && snd_una_ == tx_base_ + 1; }
    std::optional<TcpRepr> send_range(Instant now, SeqNum seq, uint32_t len, bool retransmission);
    void note_sent(Instant now, const TcpRepr& r, bool retransmission);
    SeqNum fin_seq() const { return tx_base_ + uint32_t(tx_.size()); }
    uint32_t flight() const { return seq_len(snd_una_, snd_nxt_); }
    // RFC 6675 scoreboard helpers.
    uint32_t sacked_in(SeqNum a, SeqNum b) const;
    uint32_t sacked_total() const { return sacked_in(snd_una_, snd_max_); }
    SeqNum lost_edge() const;
    uint32_t pipe() const;

    TcpConfig cfg_;
    TcpState state_ = TcpState::Closed;
    Endpoint local_, remote_;
    int err_ = 0, pending_err_ = 0, soft_err_ = 0;
    bool app_closed_ = false, shut_rd_ = false;
    bool was_established_ = false;
    bool rst_pending_ = false;
    SeqNum rst_seq_;

    // Send sequence space (RFC 9293 3.3.1).
    SeqNum iss_, snd_una_, snd_nxt_, snd_max_, snd_wl1_, snd_wl2_;
    uint32_t snd_wnd_ = 0, max_snd_wnd_ = 0;
    SeqNum tx_base_;           // sequence number of tx_[0]
    ByteRing tx_;
    bool fin_queued_ = false;  // shutdown/close asked for a FIN after the data
    std::vector<uint8_t> scratch_;
    TxPath tx_path_;
    // Receive sequence space.
    SeqNum irs_, rcv_nxt_, rcv_adv_;  // rcv_adv_: right edge last advertised
    ByteRing rx_;
    Assembler asm_;
    bool fin_rcvd_ = false;
    std::optional<SeqNum> ooo_fin_;  // a FIN that arrived ahead of missing data
    // Negotiated options.
    uint8_t snd_wscale_ = 0, rcv_wscale_ = 0;
    bool ws_ok_ = false, sack_ok_ = false, ts_ok_ = false;
    uint16_t seg_limit_ = 536;  // min(peer MSS, mtu - 40): data + options (RFC 9293 3.7.1, RFC 6691)
    uint16_t snd_mss_ = 536;    // SMSS for congestion control: seg_limit_ less the timestamp option
    uint32_t ts_recent_ = 0, ts_offset_ = 0;
    Instant ts_recent_at_{};
    SeqNum last_ack_sent_;
    // ACK generation (RFC 1122 4.2.3.2, RFC 5681 4.2).
    bool ack_now_ = false;
    bool window_update_ = false;
    uint32_t unacked_segs_ = 0;      // data segments received since our last ACK
    uint32_t unacked_bytes_ = 0;     // and their bytes (ACK every second full segment)
    Instant delack_at_ = Instant::max();
    // Retransmission (RFC 6298) and give-up.
    RttEstimator rtt_;
    uint32_t backoff_ = 0, retries_ = 0;
    Instant rto_at_ = Instant::max();
    Instant progress_at_{};          // last forward progress of SND.UNA (user timeout)
    Instant last_data_at_{};         // last data segment sent (RFC 5681 4.1 restart after idle)
    bool rtt_timing_ = false;        // Karn: one timed segment, not retransmitted
    bool rto_ts_valid_ = false;      // TSval at the last RTO: older echoes are not RTT samples
    uint32_t rto_ts_ = 0;
    SeqNum rtt_seq_;
    Instant rtt_start_{};
    // Persist (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17).
    Instant persist_at_ = Instant::max();
    uint32_t persist_backoff_ = 0;
    bool force_probe_ = false;
    // Keepalive (RFC 1122 4.2.3.6) and TIME-WAIT / FIN-WAIT-2.
    Instant keepalive_at_ = Instant::max();
    uint32_t keepalive_sent_ = 0;
    bool keepalive_due_ = false;
    Instant timewait_at_ = Instant::max();
    // Congestion control and loss recovery (RFC 5681, 6582, 6675, 3042).
    CongestionControl cc_;
    uint32_t dupacks_ = 0;
    bool in_recovery_ = false, fast_rexmit_ = false;
    // RFC 6937 Proportional Rate Reduction (SACK recovery): bytes delivered to the receiver and
    // bytes sent since recovery began, and the flight when it began.
    uint64_t prr_delivered_ = 0, prr_out_ = 0;
    // RFC 8985 section 7 Tail Loss Probe: a probe timer (PTO, about 2 SRTT) that fires before the
    // RTO when the tail of a flight goes unacknowledged; the probe's ACK (with SACK) then starts
    // fast recovery instead of a timeout. tlp_end_: the episode in progress (TLP.end_seq).
    Instant tlp_at_ = Instant::max();
    std::optional<SeqNum> tlp_end_;
    bool tlp_is_retrans_ = false, tlp_due_ = false;
    void arm_tlp(Instant now);
    std::optional<TcpRepr> tlp_segment(Instant now);
    // RFC 8985 section 6 RACK: every range in [SND.UNA, SND.MAX) with the time it was last sent;
    // a range sent before one that has been delivered, by more than RACK.rtt + reo_wnd, is lost
    // (time, not three duplicates, decides: lost retransmissions and tails are found too).
    struct SentRange {
        SeqNum start, end;
        Instant xmit;
        bool retrans = false, sacked = false, lost = false;
    };
    std::deque<SentRange> sent_;
    Instant rack_xmit_{};
    SeqNum rack_end_;
    Duration rack_rtt_{}, min_rtt_ = Duration::max();
    bool rack_valid_ = false;
    Instant rack_timer_at_ = Instant::max();
    // Bytes of the ranges RACK marked lost and nothing has repaired yet (not retransmitted, not
    // SACKed, not acknowledged): with RACK, loss is a property of each range, never an edge below
    // which everything counts as lost (which would resend in-flight retransmissions).
    uint32_t rack_lost_bytes_ = 0;
    SeqNum rack_rexmit_high_;  // the end of the highest range ever retransmitted
    size_t rack_first_lost() const;  // index in sent_, sent_.size() when none
    void rack_unmark(SentRange& r, uint32_t bytes);
    void rack_on_sent(Instant now, SeqNum s, SeqNum e, SeqNum old_max);
    void rack_on_ack(Instant now, const TcpRepr& seg);
    bool rack_detect_loss(Instant now);
    void enter_recovery(Instant now);
    bool rack_on() const { return cfg_.rack && sack_ok_; }
    uint32_t recover_fs_ = 0;
    void prr_update(uint32_t delivered);
    bool recover_after_rto_ = false;  // `recover_` was set by a timeout (RFC 6582 3.2 step 2)
    SeqNum recover_, high_rxt_;
    std::vector<SackBlock> scoreboard_;  // SACKed ranges above SND.UNA, sorted, merged
    // RFC 5961 section 7 rate limit.
    Instant challenge_window_{};
    std::optional<Instant> invalid_ack_at_;   // last ACK for an out-of-window/PAWS segment
    uint32_t ts_start_ = 0;                    // our TSval when the connection began
    uint32_t challenge_count_ = 0;
    TcpCounters ctr_;
};

}  // namespace nic
