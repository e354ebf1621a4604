// One TCP connection's state machine (RFC 9293). See tcp_socket.h for the call chain.
// Section references are to RFC 9293 unless another RFC is named.
#include "tcp/tcp_socket.h"

#include "wire/checksum.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace nic {

namespace {

constexpr size_t kMaxScoreboard = 64;              // SACK blocks remembered (RFC 6675 allows discarding)
constexpr int64_t kPawsIdle = int64_t(24) * 24 * 3600 * 1000000000;  // RFC 7323 5.5: 24 days

uint8_t wscale_for(size_t rcvbuf) {
    // RFC 7323 2.3: the smallest shift that lets the window field describe the whole buffer; <= 14.
    uint8_t s = 0;
    while (s < 14 && (rcvbuf >> s) > 0xffff) ++s;
    return s;
}

}  // namespace

const char* to_string(TcpState s) {
    switch (s) {
    case TcpState::Closed: return "CLOSED";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynSent: return "SYN-SENT";
    case TcpState::SynReceived: return "SYN-RECEIVED";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN-WAIT-1";
    case TcpState::FinWait2: return "FIN-WAIT-2";
    case TcpState::CloseWait: return "CLOSE-WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST-ACK";
    case TcpState::TimeWait: return "TIME-WAIT";
    }
    return "?";
}

void TcpCounters::for_each(const std::function<void(const char*, uint64_t)>& f) const {
#define NIC_TCP_COUNTER_VISIT(n) f(#n, n);
    NIC_TCP_COUNTERS(NIC_TCP_COUNTER_VISIT)
#undef NIC_TCP_COUNTER_VISIT
}

TcpCounters& TcpCounters::operator+=(const TcpCounters& o) {
#define NIC_TCP_COUNTER_ADD(n) n += o.n;
    NIC_TCP_COUNTERS(NIC_TCP_COUNTER_ADD)
#undef NIC_TCP_COUNTER_ADD
    return *this;
}

std::string TcpInfo::str() const {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%-12s sendq %zu recvq %zu cwnd %u ssthresh %u srtt %.3fms rttvar %.3fms rto %.0fms "
                  "backoff %u retrans %llu (rto %llu, fast %llu) mss %u/%u wscale %u/%u%s%s%s",
                  to_string(state), send_q, recv_q, cwnd, ssthresh, srtt.to_ms(), rttvar.to_ms(), rto.to_ms(),
                  backoff, (unsigned long long)total_retrans, (unsigned long long)rto_expirations,
                  (unsigned long long)fast_retransmits, snd_mss, rcv_mss, snd_wscale, rcv_wscale,
                  sack ? " sack" : "", timestamps ? " ts" : "", in_recovery ? " recovery" : "");
    return buf;
}

TcpSocket::TcpSocket(const TcpConfig& cfg)
    : cfg_(cfg), tx_(cfg.sndbuf), rx_(cfg.rcvbuf), asm_(cfg.max_ooo_ranges), rtt_(cfg.rtt) {}

// ------------------------------------------------------------------------------------------------
// User calls (section 3.10.1 - 3.10.5)

int TcpSocket::connect(Instant now, Endpoint local, Endpoint remote, SeqNum iss, uint32_t ts_offset) {
    if (state_ == TcpState::SynSent) return -EALREADY;
    if (state_ != TcpState::Closed || err_ != 0 || app_closed_) return -EISCONN;
    local_ = local;
    remote_ = remote;
    iss_ = snd_una_ = snd_nxt_ = snd_max_ = iss;
    tx_base_ = iss + 1;
    recover_ = high_rxt_ = rack_rexmit_high_ = iss;
    rcv_wscale_ = cfg_.window_scale ? wscale_for(cfg_.rcvbuf) : 0;
    ts_offset_ = ts_offset;  // RFC 7323 5.4: a per-connection random offset for TSval
    ts_start_ = ts_now(now);
    progress_at_ = now;
    set_state(now, TcpState::SynSent);  // section 3.10.1: SYN goes out on the next poll_transmit
    return 0;
}

void TcpSocket::accept_syn(Instant now, Endpoint local, Endpoint remote, SeqNum iss, const TcpRepr& syn,
                           Instant synack_at, bool synack_retransmitted, bool rtt_from_synack,
                           uint32_t ts_offset) {
    local_ = local;
    remote_ = remote;
    iss_ = snd_una_ = iss;
    snd_nxt_ = snd_max_ = iss + 1;  // the listener already sent our SYN-ACK
    tx_base_ = iss + 1;
    recover_ = high_rxt_ = rack_rexmit_high_ = iss;
    irs_ = syn.seq;
    rcv_nxt_ = syn.seq + 1;
    rcv_wscale_ = cfg_.window_scale && syn.options.wscale ? wscale_for(cfg_.rcvbuf) : 0;
    ts_offset_ = ts_offset;
    ts_start_ = ts_now(min(synack_at, now));  // the SYN-ACK's TSval is the first we sent
    negotiate(syn);
    ts_recent_at_ = now;  // RFC 7323 5.5: TS.Recent's age starts now
    // Section 3.10.7.2 and RFC 7323 2.2: the window in a SYN is never scaled.
    snd_wnd_ = max_snd_wnd_ = syn.window;
    snd_wl1_ = syn.seq;
    snd_wl2_ = iss;
    last_ack_sent_ = rcv_nxt_;
    rcv_adv_ = rcv_nxt_ + std::min<uint32_t>(uint32_t(rx_.free()), uint32_t(0xffff) << rcv_wscale_);
    progress_at_ = synack_at;
    if (synack_retransmitted) {
        retries_ = 1;  // RFC 5681 3.1: a lost SYN-ACK means an initial window of one segment
    } else if (!ts_ok_ && rtt_from_synack) {
        rtt_timing_ = true;  // the SYN-ACK's round trip is a valid sample (Karn: not retransmitted)
        rtt_seq_ = iss + 1;
        rtt_start_ = synack_at;
    }
    rto_at_ = synack_at + current_rto();
    set_state(now, TcpState::SynReceived);
}

long TcpSocket::send_check(Instant now) {
    (void)now;
    if (pending_err_) return -take_error();
    if (state_ == TcpState::Closed) return err_ ? -EPIPE : (app_closed_ ? -EPIPE : -ENOTCONN);
    if (fin_queued_ || app_closed_) return -EPIPE;  // section 3.10.2: "connection closing"
    return 0;
}

long TcpSocket::send(Instant now, ConstBytes data) {
    long e = send_check(now);
    if (e < 0) return e;
    if (data.size == 0) return 0;
    size_t n = tx_.push(data);
    if (n == 0) {
        if (tx_.free() > 0) ++ctr_.send_mem_refused;  // room in the buffer, none in the budget
        return -EAGAIN;
    }
    ++ctr_.writes;
    return long(n);
}

long TcpSocket::recv(Instant now, MutBytes out) {
    (void)now;
    if (!rx_.empty() && out.size > 0) {  // section 3.10.3
        long n = long(rx_.pop(out));
        release_rx_if_idle();
        return n;
    }
    if (pending_err_) return -take_error();
    if (fin_rcvd_ || shut_rd_) return 0;  // end of stream
    if (state_ == TcpState::Closed) return err_ ? 0 : -ENOTCONN;
    return -EAGAIN;
}

int TcpSocket::shutdown(Instant now, bool rd, bool wr) {
    if (state_ == TcpState::Closed) return -ENOTCONN;
    if (rd) {
        shut_rd_ = true;
        rx_.consume(rx_.size());
        release_rx_if_idle();
    }
    if (wr && !fin_queued_) {
        switch (state_) {
        case TcpState::SynSent:
            enter_closed(0);  // section 3.10.4: nothing sent yet worth a FIN
            return 0;
        case TcpState::SynReceived:
        case TcpState::Established:
            fin_queued_ = true;  // section 3.10.4: FIN after all queued SENDs
            set_state(now, TcpState::FinWait1);
            break;
        case TcpState::CloseWait:
            fin_queued_ = true;
            set_state(now, TcpState::LastAck);
            break;
        default:
            break;
        }
    }
    return 0;
}

int TcpSocket::close(Instant now) {
    app_closed_ = true;
    if (state_ == TcpState::Closed) return 0;
    if (state_ == TcpState::SynSent) {
        enter_closed(0);
        return 0;
    }
    if (!rx_.empty() && synchronized()) {
        // RFC 2525 2.17 (and RFC 9293 3.10.4 permits): closing with unread data resets the
        // connection so the peer learns the data was not consumed.
        abort(now);
        return 0;
    }
    shutdown(now, true, true);
    if (state_ == TcpState::FinWait2 && cfg_.fin_wait2_timeout.ns > 0) timewait_at_ = now + cfg_.fin_wait2_timeout;
    return 0;
}

void TcpSocket::abort(Instant now) {
    (void)now;
    // Section 3.10.5: in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-*, CLOSE-WAIT send <SEQ=SND.NXT><CTL=RST>.
    switch (state_) {
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
        rst_pending_ = true;
        rst_seq_ = snd_max_;
        break;
    default:
        break;
    }
    app_closed_ = true;
    enter_closed(0);
}

void TcpSocket::on_icmp_error(Instant now, int err, bool hard) {
    (void)now;
    if (state_ == TcpState::Closed) return;
    if (hard && (state_ == TcpState::SynSent || state_ == TcpState::SynReceived)) {
        reset_connection(err);  // RFC 1122 4.2.3.9: protocol/port unreachable SHOULD abort
        return;
    }
    soft_err_ = err;  // RFC 1122 4.2.3.9: soft error, reported if the connection later times out
}

void TcpSocket::on_path_mtu(Instant now, uint16_t mtu) {
    (void)now;
    if (state_ == TcpState::Closed) return;
    uint16_t limit = uint16_t(std::max<int>(mtu, 552) - 40);
    if (limit >= seg_limit_) return;
    seg_limit_ = limit;
    snd_mss_ = uint16_t(seg_limit_ - (ts_ok_ ? 12 : 0));
    if (synchronized() && snd_max_ > snd_una_ && !in_recovery_) {
        snd_nxt_ = snd_una_;  // resend at the new size from the first unacknowledged byte
        rtt_timing_ = false;  // Karn: those segments are retransmissions now
    }
}

void TcpSocket::set_keepalive(Instant now, bool on) {
    cfg_.keepalive = on;
    keepalive_sent_ = 0;
    keepalive_at_ = on && established() ? now + cfg_.keepalive_idle : Instant::max();
}

int TcpSocket::take_error() {
    int e = pending_err_;
    pending_err_ = 0;
    return e;
}

bool TcpSocket::readable() const { return !rx_.empty() || fin_rcvd_ || pending_err_ != 0 || shut_rd_; }

bool TcpSocket::writable() const {
    if (pending_err_) return true;
    bool can = state_ == TcpState::Established || state_ == TcpState::CloseWait;
    return can && !fin_queued_ && tx_.can_take();
}

TcpInfo TcpSocket::info() const {
    TcpInfo i;
    i.state = state_;
    i.send_q = tx_.size();
    i.recv_q = rx_.size();
    i.cwnd = cc_.cwnd;
    i.ssthresh = cc_.ssthresh;
    i.snd_wnd = snd_wnd_;
    i.rcv_wnd = seq_len(rcv_nxt_, rcv_adv_);
    i.snd_mss = snd_mss_;
    i.rcv_mss = uint16_t(rcv_mss());
    i.snd_wscale = snd_wscale_;
    i.rcv_wscale = rcv_wscale_;
    i.sack = sack_ok_;
    i.timestamps = ts_ok_;
    i.in_recovery = in_recovery_;
    i.srtt = rtt_.srtt();
    i.rttvar = rtt_.rttvar();
    i.rto = current_rto();
    i.backoff = backoff_;
    i.total_retrans = ctr_.retrans_segs;
    i.rto_expirations = ctr_.rto_expirations;
    i.fast_retransmits = ctr_.fast_retransmits;
    return i;
}

Duration TcpSocket::current_rto() const {
    // RFC 6298 5.5: double per expiry; (2.5) never above the maximum.
    Duration r = rtt_.rto();
    uint32_t shift = std::min(backoff_, kMaxBackoffShift);
    int64_t v = r.ns << shift;
    if (v > rtt_.config().max_rto.ns || v < 0) v = rtt_.config().max_rto.ns;
    return Duration{v};
}

// ------------------------------------------------------------------------------------------------
// State bookkeeping

void TcpSocket::set_state(Instant now, TcpState s) {
    if (s == state_) return;
    TcpState old = state_;
    state_ = s;
    if (s == TcpState::Established) was_established_ = true;
    if (s == TcpState::Established && (old == TcpState::SynSent || old == TcpState::SynReceived)) {
        // RFC 5681 3.1: IW, but one segment if the SYN or SYN-ACK had to be retransmitted.
        cc_.algo = cfg_.congestion;
        cc_.init(snd_mss_, cfg_.initial_window_segments);
        if (retries_ > 0) {
            cc_.cwnd = snd_mss_;
            // RFC 6298 5.7: the SYN (or SYN-ACK) timed out, so without an RTT sample the RTO
            // starts again at 3 s once data transmission begins, not at the backed-off value.
            if (!rtt_.has_sample() && rtt_.rto() < Duration::from_s(3)) {
                rtt_.reinit_rto(Duration::from_s(3));
                backoff_ = 0;
            }
        }
        retries_ = 0;
        last_data_at_ = now;
        progress_at_ = now;
        if (cfg_.keepalive) keepalive_at_ = now + cfg_.keepalive_idle;
    }
    if (s == TcpState::TimeWait) {
        // Section 3.10.7.4: TIME-WAIT holds for 2 MSL; nothing else runs.
        timewait_at_ = now + cfg_.msl * 2;
        rto_at_ = persist_at_ = keepalive_at_ = delack_at_ = tlp_at_ = rack_timer_at_ = Instant::max();
        sent_.clear();
        rack_lost_bytes_ = 0;
        tx_.consume(tx_.size());
        tx_.release();  // TIME-WAIT holds no send buffer (and no receive buffer once it is read)
        release_rx_if_idle();
    }
}

void TcpSocket::enter_closed(int err) {
    state_ = TcpState::Closed;
    if (err) err_ = err;
    rto_at_ = delack_at_ = persist_at_ = keepalive_at_ = timewait_at_ = Instant::max();
    tlp_at_ = rack_timer_at_ = Instant::max();
    sent_.clear();
    rack_lost_bytes_ = 0;
    ack_now_ = window_update_ = keepalive_due_ = force_probe_ = fast_rexmit_ = tlp_due_ = false;
    tx_.consume(tx_.size());  // nothing is sent any more
    tx_.release();
    asm_.clear();  // out-of-order data will never be completed
    release_rx_if_idle();
}

void TcpSocket::reset_connection(int err) {
    // Section 3.10.7.4 (RST) and 3.8.3 (R2): all queues flushed, the user told `err`.
    err_ = pending_err_ = err;
    tx_.consume(tx_.size());
    rx_.consume(rx_.size());
    asm_.clear();
    enter_closed(err);
}

void TcpSocket::negotiate(const TcpRepr& syn) {
    // Section 3.7.1: without an MSS option the peer takes 536; we never send more than our route
    // MTU allows (RFC 6691: the MSS limits data plus TCP options).
    // An MSS of 0 is no limit at all: treated as absent, as Linux's tcp_parse_options does. Any
    // other value is honoured, however small: a segment never carries more than the peer said it
    // can take (the old floor of 64 bytes overran peers that announced less).
    uint16_t peer_mss = syn.options.mss && *syn.options.mss ? *syn.options.mss : 536;
    seg_limit_ = std::min<uint16_t>(peer_mss, uint16_t(cfg_.mtu - 40));
    // RFC 7323 2.2: scaling only if both SYNs carried the option.
    ws_ok_ = cfg_.window_scale && syn.options.wscale.has_value();
    if (ws_ok_) {
        snd_wscale_ = *syn.options.wscale;
    } else {
        snd_wscale_ = 0;
        rcv_wscale_ = 0;
    }
    sack_ok_ = cfg_.sack && syn.options.sack_permitted;  // RFC 2018 section 2
    ts_ok_ = cfg_.timestamps && syn.options.ts.has_value();  // RFC 7323 3.2
    if (ts_ok_) ts_recent_ = syn.options.ts->val;
    snd_mss_ = uint16_t(seg_limit_ - (ts_ok_ ? 12 : 0));
}

uint32_t TcpSocket::rcv_mss() const { return uint32_t(cfg_.mtu - 40 - (ts_ok_ ? 12 : 0)); }

// ------------------------------------------------------------------------------------------------
// Segment arrival (section 3.10.7)

void TcpSocket::on_segment(Instant now, const TcpRepr& seg) {
    ++ctr_.segs_in;
    switch (state_) {
    case TcpState::Closed:
    case TcpState::Listen:
        ++ctr_.drop_closed;  // the mux answers segments for closed connections (3.10.7.1)
        return;
    case TcpState::SynSent:
        on_syn_sent(now, seg);
        return;
    default:
        break;
    }
    if (state_ == TcpState::SynReceived && seg.flags.syn() && seg.flags.ack() && !seg.flags.rst() &&
        seg.seq == irs_ && seg.ack == iss_ + 1) {
        // Simultaneous open (section 3.5, figure 8 step 6): the peer's SYN-ACK repeats its SYN and
        // acknowledges ours. The literal acceptability test would reject it (SEG.SEQ < RCV.NXT);
        // treat it as the ACK it carries, as Linux does.
        TcpRepr ack = seg;
        ack.flags = TcpFlags(uint8_t(seg.flags.bits & ~TcpFlags::kSyn));
        ack.seq = irs_ + 1;
        ack.payload = {};
        --ctr_.segs_in;  // counted once, by the call below
        on_segment(now, ack);
        return;
    }
    // RFC 1122 4.2.3.6: any segment from the peer shows it is alive.
    keepalive_sent_ = 0;
    if (cfg_.keepalive && state_ != TcpState::TimeWait) keepalive_at_ = now + cfg_.keepalive_idle;

    // RFC 7323 3.2: once negotiated, a non-RST segment without timestamps SHOULD be dropped.
    if (ts_ok_ && !seg.flags.rst() && !seg.options.ts) {
        ++ctr_.drop_no_timestamp;
        return;
    }
    // RFC 7323 5.3 R1 (PAWS): an older TSval than TS.Recent marks an old duplicate; drop it and
    // acknowledge. (5.5: TS.Recent idle for 24 days is no longer trusted.)
    if (ts_ok_ && !seg.flags.rst() && int32_t(seg.options.ts->val - ts_recent_) < 0) {
        if (now - ts_recent_at_ > Duration{kPawsIdle}) {
            ts_recent_ = seg.options.ts->val;
        } else {
            ++ctr_.drop_paws;
            invalid_ack(now);
            return;
        }
    }
    // First: sequence number acceptable?
    if (!acceptable(seg)) {
        if (seg.flags.rst()) {
            ++ctr_.drop_rst_ignored;  // RFC 5961 3.2: out-of-window RST silently dropped
            return;
        }
        ++ctr_.drop_out_of_window;
        // Section 3.10.7.4: "send an acknowledgment" and drop. Rate-limited only for segments past
        // the right edge of the window: an old duplicate (a retransmission of data we have, as
        // after the peer's timeout) or a probe into our zero window (at RCV.NXT) must be answered
        // at once, or the peer's recovery waits for our limit.
        if (seg.seq <= rcv_nxt_)
            ack_now_ = true;
        else
            invalid_ack(now);
        if (state_ == TcpState::TimeWait && seg.flags.fin()) timewait_at_ = now + cfg_.msl * 2;
        return;
    }
    // Second: RST. RFC 5961 3.2: only exactly RCV.NXT resets; elsewhere in the window a challenge ACK.
    if (seg.flags.rst()) {
        ++ctr_.rst_in;
        if (seg.seq != rcv_nxt_) {
            challenge_ack(now);
            return;
        }
        switch (state_) {
        case TcpState::SynReceived:
            reset_connection(ECONNREFUSED);  // 3.10.7.4: from an active open, "connection refused"
            break;
        case TcpState::Established:
        case TcpState::FinWait1:
        case TcpState::FinWait2:
        case TcpState::CloseWait:
            reset_connection(ECONNRESET);
            break;
        default:
            enter_closed(0);  // CLOSING, LAST-ACK, TIME-WAIT: the connection is over anyway
            break;
        }
        return;
    }
    // Fourth: SYN in a synchronized state. RFC 5961 4.2: always a challenge ACK, never a reset.
    if (seg.flags.syn()) {
        ++ctr_.drop_syn;
        challenge_ack(now);
        return;
    }
    // Fifth: ACK.
    if (!seg.flags.ack()) {
        ++ctr_.drop_no_ack;
        return;
    }
    bool drop = false;
    process_ack(now, seg, drop);
    if (drop || state_ == TcpState::Closed) return;
    // RFC 7323 4.3: TS.Recent follows the segment that starts at or before the last ACK we sent.
    if (ts_ok_ && seg.options.ts && int32_t(seg.options.ts->val - ts_recent_) >= 0 && seg.seq <= last_ack_sent_) {
        ts_recent_ = seg.options.ts->val;
        ts_recent_at_ = now;
    }
    // Seventh and eighth: text and FIN.
    switch (state_) {
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::FinWait2:
        if (app_closed_ && !seg.payload.empty() && seg.seq + uint32_t(seg.payload.size) > rcv_nxt_) {
            // Linux and RFC 2525 2.17: new data for a socket nobody will read any more: reset.
            ++ctr_.drop_after_close;
            rst_pending_ = true;
            rst_seq_ = snd_max_;
            enter_closed(0);
            return;
        }
        process_text(now, seg.seq, seg.payload, seg.flags.fin(), seg.payload_placed);
        break;
    case TcpState::TimeWait:
        if (seg.flags.fin()) {
            ack_now_ = true;  // 3.10.7.4 eighth: acknowledge and restart the 2 MSL timeout
            timewait_at_ = now + cfg_.msl * 2;
        }
        break;
    default:
        break;  // CLOSE-WAIT, CLOSING, LAST-ACK: a FIN was already received; ignore the text
    }
}

bool TcpSocket::acceptable(const TcpRepr& seg) const {
    uint32_t wnd = seq_len(rcv_nxt_, rcv_adv_);
    uint32_t len = seg.seg_len();
    if (len == 0) {
        // Section 3.10.7.4 table; like Linux we also accept the right edge itself for a bare ACK,
        // which a sender that filled our window exactly puts there.
        if (wnd == 0) return seg.seq == rcv_nxt_;
        return rcv_nxt_ <= seg.seq && seg.seq <= rcv_nxt_ + wnd;
    }
    if (wnd == 0) return seg.seq == rcv_nxt_;  // "special allowance" for ACK/RST: text trimmed later
    SeqNum last = seg.seq + (len - 1);
    return (rcv_nxt_ <= seg.seq && seg.seq < rcv_nxt_ + wnd) || (rcv_nxt_ <= last && last < rcv_nxt_ + wnd) ||
           (seg.seq < rcv_nxt_ && last >= rcv_nxt_ + wnd);  // a segment spanning the window
}

void TcpSocket::invalid_ack(Instant now) {
    if (invalid_ack_at_ && now - *invalid_ack_at_ < cfg_.invalid_ack_interval) {
        ++ctr_.invalid_acks_suppressed;
        return;
    }
    invalid_ack_at_ = now;
    ack_now_ = true;
}

void TcpSocket::ts_rtt_sample(Instant now, uint32_t ecr) {
    // RFC 7323 4.1: TSecr echoes a TSval we sent, so it lies between our TSval when the connection
    // began and our clock now. An echo outside that (forged, corrupted, or a peer bug) would give
    // a sample of up to 49 days through the 32-bit difference and pin RTO at its maximum.
    uint32_t age = ts_now(now) - ecr;
    if (int32_t(age) < 0 || int32_t(ecr - ts_start_) < 0) {
        ++ctr_.ts_ecr_implausible;
        return;
    }
    rtt_sample(now, Duration::from_ms(int64_t(age)));
}

void TcpSocket::challenge_ack(Instant now) {
    // RFC 5961 section 7: at most challenge_ack_limit per second.
    if (now - challenge_window_ >= Duration::from_s(1)) {
        challenge_window_ = now;
        challenge_count_ = 0;
    }
    if (challenge_count_ < cfg_.challenge_ack_limit) {
        ++challenge_count_;
        ++ctr_.challenge_acks;
        ack_now_ = true;
    } else {
        ++ctr_.challenge_acks_suppressed;
    }
}

void TcpSocket::on_syn_sent(Instant now, const TcpRepr& seg) {
    // Section 3.10.7.3.
    bool ack_ok = false;
    if (seg.flags.ack()) {
        if (seg.ack <= iss_ || seg.ack > snd_max_) {
            ++ctr_.drop_syn_sent;
            if (!seg.flags.rst()) {
                rst_pending_ = true;  // <SEQ=SEG.ACK><CTL=RST>
                rst_seq_ = seg.ack;
            }
            return;
        }
        ack_ok = true;
    }
    if (seg.flags.rst()) {
        ++ctr_.rst_in;
        if (ack_ok) {
            reset_connection(ECONNREFUSED);  // RFC 5961 3.2: in SYN-SENT the ACK check suffices
        } else {
            ++ctr_.drop_rst_ignored;
        }
        return;
    }
    if (!seg.flags.syn()) {
        ++ctr_.drop_syn_sent;
        return;
    }
    irs_ = seg.seq;
    rcv_nxt_ = seg.seq + 1;
    negotiate(seg);
    if (ts_ok_) ts_recent_at_ = now;
    last_ack_sent_ = rcv_nxt_;
    rcv_adv_ = rcv_nxt_ + std::min<uint32_t>(uint32_t(rx_.free()), 0xffff);
    snd_wnd_ = max_snd_wnd_ = seg.window;  // RFC 7323 2.2: a SYN's window is not scaled
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
    if (ack_ok) {
        // Our SYN is acknowledged: ESTABLISHED, with an RTT sample from it.
        if (ts_ok_ && seg.options.ts && seg.options.ts->ecr != 0)
            ts_rtt_sample(now, seg.options.ts->ecr);
        else if (rtt_timing_ && seg.ack >= rtt_seq_)
            rtt_sample(now, now - rtt_start_);
        rtt_timing_ = false;
        snd_una_ = seg.ack;
        if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
        rto_at_ = Instant::max();
        set_state(now, TcpState::Established);
        ack_now_ = true;
        if (!seg.payload.empty() || seg.flags.fin())
            process_text(now, seg.seq + 1, seg.payload, seg.flags.fin());
    } else {
        // Simultaneous open: SYN-RECEIVED, answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
        snd_nxt_ = iss_;
        rtt_timing_ = false;
        rto_at_ = Instant::max();
        set_state(now, TcpState::SynReceived);
    }
}

void TcpSocket::process_sack(const TcpRepr& seg) {
    if (!sack_ok_) return;
    for (size_t i = 0; i < seg.options.sack_count && i < seg.options.sack.size(); ++i) {
        SackBlock b = seg.options.sack[i];
        // RFC 2018 section 4: blocks outside what we sent are invalid; below SND.UNA is a D-SACK
        // (RFC 2883) that carries nothing for recovery.
        if (b.left >= b.right || b.right > snd_max_ || b.right <= snd_una_) continue;
        if (b.left < snd_una_) b.left = snd_una_;
        // Insert and merge, keeping the scoreboard sorted.
        std::vector<SackBlock> out;
        out.reserve(scoreboard_.size() + 1);
        bool placed = false;
        for (const SackBlock& s : scoreboard_) {
            if (s.right < b.left) {
                out.push_back(s);
            } else if (b.right < s.left) {
                if (!placed) out.push_back(b), placed = true;
                out.push_back(s);
            } else {
                b.left = seq_min(b.left, s.left);
                b.right = seq_max(b.right, s.right);
            }
        }
        if (!placed) out.push_back(b);
        if (out.size() > kMaxScoreboard) continue;  // bounded: ignore what does not fit
        scoreboard_.swap(out);
    }
}

void TcpSocket::process_ack(Instant now, const TcpRepr& seg, bool& drop) {
    SeqNum ack = seg.ack;
    if (state_ == TcpState::SynReceived) {
        // Section 3.10.7.4 fifth: SYN-RECEIVED needs SND.UNA < SEG.ACK =< SND.NXT.
        if (!(snd_una_ < ack && ack <= snd_max_)) {
            ++ctr_.drop_bad_ack;
            rst_pending_ = true;  // <SEQ=SEG.ACK><CTL=RST>
            rst_seq_ = ack;
            drop = true;
            return;
        }
        snd_wnd_ = uint32_t(seg.window) << snd_wscale_;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        snd_wl1_ = seg.seq;
        snd_wl2_ = ack;
        set_state(now, TcpState::Established);
    }
    // RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT]; others get a
    // (rate-limited) challenge ACK and are dropped. (Section 3.10.7.4: an ACK for unsent data
    // gets an ACK too.)
    if (ack > snd_max_ || ack < snd_una_ - max_snd_wnd_) {
        ++ctr_.drop_bad_ack;
        challenge_ack(now);
        drop = true;
        return;
    }
    // RFC 6937: DeliveredData = the change in SND.UNA plus the change in SACKed bytes.
    SeqNum una_before = snd_una_;
    uint32_t sacked_before = sack_ok_ ? sacked_total() : 0;
    process_sack(seg);
    uint32_t seg_wnd = uint32_t(seg.window) << snd_wscale_;
    if (ack > snd_una_) {
        size_t data_acked = std::min<size_t>(seq_len(tx_base_, ack), tx_.size());
        // Congestion control counts data bytes only, not the SYN's or FIN's sequence number.
        uint32_t acked = uint32_t(data_acked);
        tx_.consume(data_acked);
        if (tx_.empty()) {
            if (keep_idle_storage())
                tx_.rewind_if_empty();
            else
                tx_.release();  // allocated again as data needs it
        }
        tx_base_ += uint32_t(data_acked);
        // RTT sample: RFC 7323 4.1 from TSecr when timestamps are on (only for ACKs that advance
        // the left edge, 4.2), else RFC 6298 section 3 / Karn: the one timed, never-retransmitted
        // segment.
        if (ts_ok_ && seg.options.ts && seg.options.ts->ecr != 0) {
            // An echo of a TSval sent before our last timeout is not a round trip: the peer echoes
            // TS.Recent from its last in-order segment when it answers an old retransmission
            // (RFC 7323 4.3), which would count the whole backoff as RTT. This is our own
            // conservative rule: Karn's (RFC 6298 section 3) applied to timestamp echoes.
            uint32_t ecr = seg.options.ts->ecr;
            if (!rto_ts_valid_ || int32_t(ecr - rto_ts_) >= 0) ts_rtt_sample(now, ecr);
        } else if (rtt_timing_ && ack >= rtt_seq_) {
            rtt_sample(now, now - rtt_start_);
            rtt_timing_ = false;
        }
        snd_una_ = ack;
        if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
        if (high_rxt_ < snd_una_) high_rxt_ = snd_una_;
        retries_ = 0;
        progress_at_ = now;
        while (!scoreboard_.empty() && scoreboard_.front().right <= snd_una_) scoreboard_.erase(scoreboard_.begin());
        if (!scoreboard_.empty() && scoreboard_.front().left < snd_una_) scoreboard_.front().left = snd_una_;
        if (in_recovery_) {
            if (ack >= recover_) {
                // Full ACK: RFC 6582 3.2 step 3 (option 1) deflates to min(ssthresh, max(FlightSize, SMSS) + SMSS);
                // RFC 6675 section 5 leaves cwnd at ssthresh.
                in_recovery_ = false;
                fast_rexmit_ = false;
                dupacks_ = 0;
                if (sack_ok_)
                    cc_.cwnd = cc_.ssthresh;
                else
                    cc_.cwnd = std::min(cc_.ssthresh, std::max<uint32_t>(seq_len(snd_una_, snd_max_), snd_mss_) + snd_mss_);
            } else if (!sack_ok_) {
                // RFC 6582 3.2 step 4: partial ACK. Retransmit the first unacknowledged segment,
                // deflate by the amount acknowledged, add back one SMSS if that was >= SMSS.
                ++ctr_.newreno_partial_acks;
                fast_rexmit_ = true;
                cc_.cwnd = cc_.cwnd > acked ? cc_.cwnd - acked : 0;
                if (acked >= snd_mss_) cc_.grow(snd_mss_);
                if (cc_.cwnd < snd_mss_) cc_.cwnd = snd_mss_;
            }
        } else {
            cc_.on_ack(acked, snd_mss_, now, rtt_.srtt());
            dupacks_ = 0;
        }
        // RFC 8985 7.4: the ACK ends a TLP episode once it covers the probe. A probe that was a
        // retransmission and is acknowledged (this stack reports no D-SACK to tell otherwise)
        // repaired a real loss: the congestion response is due.
        if (tlp_end_ && ack >= *tlp_end_) {
            if (tlp_is_retrans_ && !in_recovery_) {
                cc_.on_congestion(seq_len(snd_una_, snd_max_) + acked, snd_mss_);
                cc_.cwnd = cc_.ssthresh;
                ++ctr_.tlp_recoveries;
            }
            tlp_end_.reset();
        }
        // RFC 6298 5.2: all acknowledged, stop the timer; 5.3: otherwise restart it.
        if (snd_una_ == snd_max_) {
            rto_at_ = tlp_at_ = Instant::max();
        } else {
            restart_rto(now);
            tlp_at_ = Instant::max();
            arm_tlp(now);
        }
    } else if (ack == snd_una_ && seg.payload.empty() && !seg.flags.syn() && !seg.flags.fin() &&
               snd_max_ > snd_una_ && seg_wnd == snd_wnd_ && snd_wnd_ > 0) {
        // RFC 5681 section 2, DUPLICATE ACKNOWLEDGMENT: (a)-(e). Answers to zero-window probes
        // (window 0) are not loss signals.
        ++dupacks_;
        ++ctr_.dup_acks_in;
        if (!in_recovery_) {
            // RFC 6675 section 5: IsLost(HighACK + 1); with RACK, the first range marked lost.
            bool lost = sack_ok_ && (rack_on() ? rack_first_lost() < sent_.size() : lost_edge() > snd_una_);
            // RFC 6582 3.2 step 2: after a timeout, only once the ACK covers more than `recover`
            // (duplicates may come from go-back-N retransmissions); RFC 6675 5.1: with SACK, once
            // HighACK >= RecoveryPoint. After a fast recovery ended by a full ACK the duplicates
            // at SND.UNA == recover report a new loss.
            bool may_enter = recover_after_rto_ && !sack_ok_ ? snd_una_ > recover_ : snd_una_ >= recover_;
            if ((dupacks_ >= kDupThresh || lost) && may_enter) enter_recovery(now);
        } else if (!sack_ok_) {
            cc_.grow(snd_mss_);  // RFC 5681 3.2 step 4: inflate for each further duplicate
        }
    }
    if (rack_on()) {
        rack_on_ack(now, seg);
        // RFC 8985 6.2: a loss RACK detects starts the recovery (no three duplicates needed).
        if (rack_detect_loss(now) && !in_recovery_ && snd_una_ >= recover_ && snd_una_ < snd_max_)
            enter_recovery(now);
    }
    if (in_recovery_ && sack_ok_) {
        int64_t delivered = int64_t(seq_len(una_before, snd_una_)) + int64_t(sacked_total()) - int64_t(sacked_before);
        prr_update(uint32_t(std::max<int64_t>(delivered, 0)));
    }
    // Section 3.10.7.4 fifth: update the send window from the newest segment (SND.WL1/WL2).
    if (snd_una_ <= ack && (snd_wl1_ < seg.seq || (snd_wl1_ == seg.seq && snd_wl2_ <= ack))) {
        snd_wnd_ = seg_wnd;
        snd_wl1_ = seg.seq;
        snd_wl2_ = ack;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        if (snd_wnd_ > 0) {
            // The window opened after zero-window probes: a probe byte this ACK does not cover
            // was refused (the window was 0), so sending resumes from SND.UNA instead of leaving
            // a hole for the duplicate ACKs or the RTO to repair.
            if (persist_backoff_ > 0 && snd_nxt_ > snd_una_ && !in_recovery_) snd_nxt_ = snd_una_;
            persist_at_ = Instant::max();
            persist_backoff_ = 0;
        }
    }
    if (snd_wnd_ == 0 && snd_max_ > snd_una_ && !in_recovery_ && !tx_.empty()) {
        // The peer's window closed with our data beyond it: pull SND.NXT back and let the persist
        // timer probe (as BSD's tcp_output does), so a live zero-window peer is never given up on
        // (RFC 1122 4.2.2.17). Only with data outstanding: a lone FIN is left to the RTO, which
        // backs off, rather than resent at once to a receiver that drops it while its window is 0.
        snd_nxt_ = snd_una_;
        rto_at_ = Instant::max();
        retries_ = 0;
    }
    // Our FIN acknowledged?
    if (fin_acked()) {
        switch (state_) {
        case TcpState::FinWait1:
            set_state(now, TcpState::FinWait2);
            if (app_closed_ && cfg_.fin_wait2_timeout.ns > 0) timewait_at_ = now + cfg_.fin_wait2_timeout;
            break;
        case TcpState::Closing:
            set_state(now, TcpState::TimeWait);
            break;
        case TcpState::LastAck:
            enter_closed(0);
            drop = true;
            break;
        default:
            break;
        }
    }
}

std::optional<uint32_t> TcpSocket::place_payload(const TcpRepr& seg, uint32_t acc) {
    bool open = state_ == TcpState::Established || state_ == TcpState::FinWait1 || state_ == TcpState::FinWait2;
    if (!open || shut_rd_ || !asm_.empty() || seg.payload.empty() || seg.flags.syn() || seg.seq != rcv_nxt_)
        return std::nullopt;
    MutBytes a, b;
    if (!rx_.free_spans(seg.payload.size, a, b)) return std::nullopt;
    // Sums chain only over even-length pieces (checksum.h); a ring that wraps at an odd offset
    // takes the ordinary path.
    if (b.size && a.size % 2) return std::nullopt;
    acc = checksum_copy(a.data, seg.payload.sub(0, a.size), acc);
    if (b.size) acc = checksum_copy(b.data, seg.payload.sub(a.size), acc);
    ++ctr_.rx_placed;
    return acc;
}

void TcpSocket::process_text(Instant now, SeqNum seq, ConstBytes payload, bool fin, bool placed) {
    SeqNum fin_at = seq + uint32_t(payload.size);
    // Trim what we already have (section 3.10.7.4 seventh, "trimmed ... to the window").
    if (seq < rcv_nxt_) {
        uint32_t trim = uint32_t(rcv_nxt_ - seq);
        payload = payload.sub(trim);
        seq = rcv_nxt_;
    }
    // And what does not fit the buffer; a FIN past the cut is lost with it.
    size_t room = shut_rd_ ? payload.size : rx_.free();
    uint32_t off = uint32_t(seq - rcv_nxt_);
    if (!payload.empty()) {
        if (off >= room) {
            ++ctr_.drop_rcvbuf_full;
            ack_now_ = true;
            return;
        }
        if (payload.size > room - off) {
            payload = payload.sub(0, room - off);
            fin = false;
        }
    }
    bool had_ooo = !asm_.empty();
    if (!payload.empty() && !shut_rd_) {
        // Storage grows as data arrives; when the stack-wide budget refuses, what does not fit
        // in the storage already held is dropped (counted) and the peer retransmits it. A payload
        // place_payload put at RCV.NXT is there already (it fitted, nothing was trimmed).
        size_t w = placed && off == 0 && payload.size <= room ? payload.size : rx_.write_at(off, payload);
        if (w == 0) {
            ++ctr_.drop_memory;
            return;
        }
        if (w < payload.size) {
            ++ctr_.drop_memory;
            payload = payload.sub(0, w);
            fin = false;
        }
    }
    if (!payload.empty()) {
        uint32_t len = uint32_t(payload.size);
        if (off == 0) {
            if (shut_rd_) {
                // SHUT_RD: acknowledged and discarded.
                rcv_nxt_ += len;
                ctr_.bytes_in += len;
            } else {
                uint32_t n = len;  // already written above
                if (had_ooo) {
                    // Merge with what already waits past the hole. In-order data never needs a new
                    // hole, so it is taken even when the tracker is full and add() refuses a range
                    // (then it touches no held range: commit it alone and rebase the others).
                    if (asm_.add(0, len)) n = asm_.front();
                    asm_.advance(n);
                }
                rx_.commit(n);
                rcv_nxt_ += n;
                ctr_.bytes_in += n;
            }
            // RFC 5681 4.2: an ACK SHOULD be sent at once for data that fills (part of) a gap.
            ++unacked_segs_;
            unacked_bytes_ += len;
            if (had_ooo) {
                ack_now_ = true;
            } else if (!cfg_.delayed_ack ||
                       unacked_bytes_ >= 2 * std::min<uint32_t>(rcv_mss(), snd_mss_)) {
                // RFC 1122 4.2.3.2 / RFC 5681 4.2: at least every second full-sized segment.
                ack_now_ = true;
            } else if (delack_at_.is_max()) {
                delack_at_ = now + cfg_.ack_delay;  // RFC 1122 4.2.3.2: < 0.5 s
            }
        } else {
            ++ctr_.ooo_segs_in;
            if (asm_.add(off, off + len)) {
                // written above, at its final place past the hole
            } else {
                ++ctr_.drop_ooo_full;
            }
            ack_now_ = true;  // RFC 5681 4.2: out-of-order data gets an immediate (duplicate) ACK
        }
    }
    if (fin) {
        if (fin_at == rcv_nxt_)
            process_fin(now);
        else if (fin_at > rcv_nxt_)
            ooo_fin_ = fin_at, ack_now_ = true;
    }
    if (ooo_fin_ && *ooo_fin_ == rcv_nxt_ && !fin_rcvd_) process_fin(now);
}

void TcpSocket::process_fin(Instant now) {
    if (fin_rcvd_) return;
    // Section 3.10.7.4 eighth: advance RCV.NXT over the FIN, acknowledge it, and move on.
    fin_rcvd_ = true;
    ooo_fin_.reset();
    rcv_nxt_ += 1;
    ack_now_ = true;
    switch (state_) {
    case TcpState::SynReceived:
    case TcpState::Established:
        set_state(now, TcpState::CloseWait);
        break;
    case TcpState::FinWait1:
        set_state(now, fin_acked() ? TcpState::TimeWait : TcpState::Closing);
        break;
    case TcpState::FinWait2:
        set_state(now, TcpState::TimeWait);
        break;
    default:
        break;
    }
}

void TcpSocket::rtt_sample(Instant now, Duration r) {
    (void)now;
    if (r.ns < 0) return;
    if (r < min_rtt_) min_rtt_ = r;  // RFC 8985: RACK.min_RTT for the reordering window
    rtt_.sample(r);
    ++ctr_.rtt_samples;
    backoff_ = 0;  // RFC 6298 5.7 / Karn: a valid sample ends the backoff
}

}  // namespace nic
