// One TCP connection's timers and output (TcpSocket members, split from tcp_socket.cpp by
// concern): retransmission, delayed ACK, persist, keepalive and TIME-WAIT timers (RFC 6298,
// RFC 1122 4.2.3), and building the next segment (Nagle, SWS avoidance, limited transmit).
//   TcpSocket::poll_transmit -> run_timers -> next_data_segment | sack_recovery_segment
// Section references are to RFC 9293 unless another RFC is named.
#include "tcp/tcp_socket.h"

#include <algorithm>
#include <cerrno>

namespace nic {

// ------------------------------------------------------------------------------------------------
// Segment construction

uint32_t TcpSocket::ts_now(Instant now) const { return tcp_ts_value(now, ts_offset_); }

uint32_t TcpSocket::rcv_window_now() const {
    uint32_t cap = uint32_t(0xffff) << rcv_wscale_;
    return std::min<uint32_t>(uint32_t(shut_rd_ ? rx_.capacity() : rx_.free()), cap);
}

uint16_t TcpSocket::window_field() {
    uint32_t avail = rcv_window_now();
    uint32_t cur = seq_len(rcv_nxt_, rcv_adv_);
    uint32_t wnd = cur;
    if (avail > cur) {
        // RFC 1122 4.2.3.3: receiver SWS avoidance; move the right edge only by at least
        // min(RCV.BUFF / 2, MSS).
        uint32_t thresh = std::min<uint32_t>(uint32_t(rx_.capacity() / 2), rcv_mss());
        if (avail - cur >= thresh) wnd = avail;
    }
    // Section 3.8.6.2.2 / RFC 7323 2.4: never shrink the right edge (bar the rounding of the scale).
    uint32_t field = std::min<uint32_t>(wnd >> rcv_wscale_, 0xffff);
    SeqNum edge = rcv_nxt_ + (field << rcv_wscale_);
    if (edge > rcv_adv_) rcv_adv_ = edge;
    return uint16_t(field);
}

TcpOptions TcpSocket::segment_options(Instant now) const {
    TcpOptions o;
    if (ts_ok_) o.ts = TcpTimestamp{ts_now(now), ts_recent_};  // RFC 7323 3.2: on every segment
    if (sack_ok_ && !asm_.empty()) {
        // RFC 2018 section 4: the first block reports the most recently received data, then the
        // others; at most as many as fit (3 with timestamps).
        const auto& r = asm_.ranges();
        int first = asm_.last() >= 0 ? asm_.last() : 0;
        size_t n = 0;
        auto add = [&](size_t k) {
            if (n < o.sack.size()) o.sack[n++] = SackBlock{rcv_nxt_ + r[k].start, rcv_nxt_ + r[k].end};
        };
        add(size_t(first));
        for (size_t k = 0; k < r.size(); ++k)
            if (int(k) != first) add(k);
        o.sack_count = uint8_t(n);
    }
    return o;
}

uint32_t TcpSocket::max_payload(const TcpOptions& opts) const {
    // RFC 6691: the MSS bounds data plus options. Only a peer MSS smaller than our options (at
    // most 40 bytes) leaves no room; then one byte still goes, or nothing would ever be sent.
    size_t ol = tcp_options_len(opts);
    return seg_limit_ > ol ? uint32_t(seg_limit_ - ol) : 1;
}

TcpRepr TcpSocket::make_segment(Instant now, SeqNum seq, size_t len, uint8_t flags) {
    TcpRepr r;
    r.src_port = local_.port;
    r.dst_port = remote_.port;
    r.seq = seq;
    r.flags = TcpFlags(flags);
    r.options = segment_options(now);
    if (r.flags.ack()) r.ack = rcv_nxt_;
    r.window = window_field();
    if (len) r.payload = tx_.view(seq_len(tx_base_, seq), len, scratch_);
    return r;
}

TcpRepr TcpSocket::make_rst(SeqNum seq) const {
    TcpRepr r;
    r.src_port = local_.port;
    r.dst_port = remote_.port;
    r.seq = seq;
    r.flags = TcpFlags(TcpFlags::kRst);
    return r;
}

// ------------------------------------------------------------------------------------------------
// Timers

void TcpSocket::restart_rto(Instant now) { rto_at_ = now + current_rto(); }

void TcpSocket::arm_persist(Instant now) {
    if (!persist_at_.is_max()) return;
    // Section 3.8.6.1: first probe after one RTO, then exponential backoff, capped.
    int64_t base = rtt_.rto().ns;
    int64_t v = base << std::min(persist_backoff_, kMaxBackoffShift);
    if (v > cfg_.max_persist.ns || v < 0) v = cfg_.max_persist.ns;
    persist_at_ = now + Duration{v};
}

void TcpSocket::run_timers(Instant now) {
    if (timewait_at_ <= now) {
        timewait_at_ = Instant::max();
        if (state_ == TcpState::TimeWait || state_ == TcpState::FinWait2) {
            enter_closed(0);
            return;
        }
    }
    if (rto_at_ <= now) on_rto(now);
    if (state_ == TcpState::Closed) return;
    if (tlp_at_ <= now) {
        tlp_at_ = Instant::max();
        tlp_due_ = true;  // poll_transmit sends the probe
    }
    if (rack_timer_at_ <= now) {
        // RFC 8985 6.3: the reordering window of a range ran out without its delivery.
        rack_timer_at_ = Instant::max();
        ++ctr_.rack_timeouts;
        if (rack_detect_loss(now)) {
            if (!in_recovery_ && snd_una_ >= recover_ && snd_una_ < snd_max_) enter_recovery(now);
            else if (in_recovery_ && sack_ok_) prr_update(0);
        }
    }
    if (persist_at_ <= now) {
        persist_at_ = Instant::max();
        // An orphan (the application closed it) facing a window that stays shut would probe
        // forever (RFC 1122 4.2.2.17 lets a probed connection live indefinitely, which only makes
        // sense while an application waits): it is aborted after orphan_retries, as Linux does.
        if (app_closed_ && persist_backoff_ >= cfg_.orphan_retries) {
            ++ctr_.orphan_timeouts;
            abort(now);
            return;
        }
        force_probe_ = true;
    }
    if (delack_at_ <= now) {
        delack_at_ = Instant::max();
        if (!ack_now_) ++ctr_.delayed_ack_fired;
        ack_now_ = true;
    }
    if (keepalive_at_ <= now) {
        keepalive_at_ = Instant::max();
        if (!cfg_.keepalive || !established()) return;
        if (snd_max_ != snd_una_ || !tx_.empty()) {
            keepalive_at_ = now + cfg_.keepalive_idle;  // not idle: the RTO is in charge
        } else if (keepalive_sent_ >= cfg_.keepalive_probes) {
            reset_connection(ETIMEDOUT);  // RFC 1122 4.2.3.6: the peer is dead
        } else {
            ++keepalive_sent_;
            keepalive_due_ = true;
            keepalive_at_ = now + cfg_.keepalive_interval;
        }
    }
}

void TcpSocket::on_rto(Instant now) {
    rto_at_ = Instant::max();
    if (snd_una_ == snd_max_) return;
    // A SYN-ACK (SYN-RECEIVED, from a simultaneous open) is retried as often as a listener's
    // (synack_retries), a SYN as syn_retries, data as data_retries.
    uint32_t limit = state_ == TcpState::SynSent       ? cfg_.syn_retries
                     : state_ == TcpState::SynReceived ? cfg_.synack_retries
                                                       : cfg_.data_retries;
    // RFC 1122 4.2.3.5 (R2) and RFC 5482 (user timeout): give up and tell the application; a soft
    // ICMP error seen meanwhile is the better explanation (RFC 1122 4.2.3.9).
    bool user_to = cfg_.user_timeout.ns > 0 && now - progress_at_ >= cfg_.user_timeout;
    if (retries_ >= limit || user_to) {
        reset_connection(soft_err_ ? soft_err_ : ETIMEDOUT);
        return;
    }
    ++retries_;
    ++backoff_;  // RFC 6298 5.5
    tlp_at_ = Instant::max();
    tlp_end_.reset();
    rack_timer_at_ = Instant::max();
    ++ctr_.rto_expirations;
    // RFC 5681 3.1: ssthresh from FlightSize only on the first timeout of a segment; cwnd = LW.
    if (backoff_ == 1)
        cc_.on_rto(seq_len(snd_una_, snd_max_), snd_mss_);
    else
        cc_.cwnd = snd_mss_;
    in_recovery_ = false;
    fast_rexmit_ = false;
    dupacks_ = 0;
    recover_ = snd_max_;  // RFC 6582 section 3.2 step 1 / RFC 6675 5.1: RecoveryPoint = HighData
    recover_after_rto_ = true;
    high_rxt_ = snd_una_;
    // RFC 6675 5.1: keep using the SACK information after a timeout, so go-back-N skips what the
    // receiver holds. RFC 2018 section 8: the receiver may have reneged, so a second consecutive
    // timeout forgets it and retransmits everything.
    if (backoff_ > 1) scoreboard_.clear();
    rtt_timing_ = false;  // Karn
    rto_ts_ = ts_now(now);
    rto_ts_valid_ = true;
    // RFC 6298 5.4: retransmit the earliest unacknowledged segment (go-back-N from SND.UNA).
    snd_nxt_ = snd_una_;
    rto_at_ = now + current_rto();  // 5.6
    if (user_to || cfg_.user_timeout.ns > 0) {
        Instant deadline = progress_at_ + cfg_.user_timeout;
        if (deadline < rto_at_) rto_at_ = deadline;
    }
}

Instant TcpSocket::next_deadline() const {
    Instant t = min(min(rto_at_, delack_at_), min(persist_at_, min(keepalive_at_, timewait_at_)));
    t = min(t, min(tlp_at_, rack_timer_at_));
    return t;
}

// ------------------------------------------------------------------------------------------------
// Output

void TcpSocket::note_sent(Instant now, const TcpRepr& r, bool retransmission) {
    ++ctr_.segs_out;
    if (in_recovery_ && sack_ok_) prr_out_ += r.payload.size;  // RFC 6937: prr_out
    SeqNum end = r.seq + r.seg_len();
    if (!r.payload.empty()) rack_on_sent(now, r.seq, r.seq + uint32_t(r.payload.size), snd_max_);
    if (r.seg_len() > 0) {
        if (end > snd_max_) {
            SeqNum from = seq_max(r.seq, snd_max_);
            ctr_.bytes_out += seq_len(from, end) - (r.flags.fin() ? 1 : 0) - (r.flags.syn() && r.seq >= from ? 1 : 0);
            snd_max_ = end;
        }
        if (retransmission) {
            ++ctr_.retrans_segs;
            ctr_.retrans_bytes += r.payload.size;
            if (rtt_timing_ && r.seq < rtt_seq_) rtt_timing_ = false;  // Karn: no sample from it
        } else if (!rtt_timing_ && !ts_ok_) {
            rtt_timing_ = true;
            rtt_seq_ = end;
            rtt_start_ = now;
        }
        if (!r.payload.empty()) {
            ++ctr_.data_segs_out;
            last_data_at_ = now;
        }
        if (rto_at_.is_max() && persist_at_.is_max()) rto_at_ = now + current_rto();  // RFC 6298 5.1
        if (!retransmission) {
            tlp_at_ = Instant::max();  // RFC 8985 7.2: restarted after new data
            arm_tlp(now);
        }
    }
    if (r.flags.ack()) {
        bool ack_was_pending = ack_now_ || !delack_at_.is_max();
        if (ack_was_pending && r.seg_len() > 0) ++ctr_.piggybacked_acks;
        if (unacked_segs_ > 1) ctr_.delayed_acks_saved += unacked_segs_ - 1;
        ack_now_ = false;
        window_update_ = false;
        delack_at_ = Instant::max();
        unacked_segs_ = 0;
        unacked_bytes_ = 0;
        last_ack_sent_ = rcv_nxt_;
    }
}

std::optional<TcpRepr> TcpSocket::send_range(Instant now, SeqNum seq, uint32_t len, bool retransmission) {
    uint8_t flags = TcpFlags::kAck;
    SeqNum end = seq + len;
    // FIN rides on the segment that ends at the last queued byte (section 3.10.4).
    if (fin_queued_ && end == fin_seq() && (!retransmission || snd_max_ > fin_seq())) flags |= TcpFlags::kFin;
    if (len > 0 && end == fin_seq()) flags |= TcpFlags::kPsh;  // the buffer is drained: push it
    if (len == 0 && !(flags & TcpFlags::kFin)) return std::nullopt;
    TcpRepr r = make_segment(now, seq, len, flags);
    note_sent(now, r, retransmission);
    return r;
}

std::optional<TcpRepr> TcpSocket::next_data_segment(Instant now) {
    if (in_recovery_ && sack_ok_) return sack_recovery_segment(now);
    if (tlp_due_) {
        if (auto r = tlp_segment(now)) return r;
    }
    TcpOptions opts = segment_options(now);
    uint32_t maxp = max_payload(opts);
    if (fast_rexmit_) {
        // RFC 5681 3.2 step 2 / RFC 6582 3.2 step 4: retransmit the first unacknowledged segment.
        fast_rexmit_ = false;
        uint32_t len = uint32_t(std::min<size_t>(std::min<size_t>(tx_.size(), maxp), seq_len(snd_una_, snd_max_)));
        if (fin_queued_ && snd_una_ + len > fin_seq()) len = seq_len(snd_una_, fin_seq());
        auto r = send_range(now, snd_una_, len, true);
        if (r && snd_nxt_ < snd_una_ + r->seg_len()) snd_nxt_ = snd_una_ + r->seg_len();
        if (r) return r;
    }
    uint32_t off = seq_len(tx_base_, snd_nxt_);
    size_t avail = tx_.size() > off ? tx_.size() - off : 0;
    bool fin_unsent = fin_queued_ && snd_nxt_ <= fin_seq();
    if (avail == 0 && !fin_unsent) {
        force_probe_ = false;
        return std::nullopt;
    }
    // After a timeout (go-back-N below SND.MAX), skip what the scoreboard says the receiver has
    // (RFC 6675 5.1), and do not run into the next SACKed block.
    SeqNum rexmit_stop = snd_max_;
    if (!scoreboard_.empty() && snd_nxt_ < snd_max_) {
        for (const SackBlock& b : scoreboard_) {
            if (b.left <= snd_nxt_ && snd_nxt_ < b.right) snd_nxt_ = seq_min(b.right, snd_max_);
            if (b.left > snd_nxt_) {
                rexmit_stop = seq_min(b.left, snd_max_);
                break;
            }
        }
        off = seq_len(tx_base_, snd_nxt_);
        avail = tx_.size() > off ? tx_.size() - off : 0;
        fin_unsent = fin_queued_ && snd_nxt_ <= fin_seq();
    }
    bool retrans = snd_nxt_ < snd_max_;
    // SACKed bytes below SND.NXT are not in the network (RFC 6675's pipe, simplified).
    uint32_t fl = flight() - (scoreboard_.empty() ? 0 : sacked_in(snd_una_, snd_nxt_));
    if (fl == 0 && !retrans && now - last_data_at_ > current_rto()) {
        // RFC 5681 4.1: after an idle period longer than an RTO, restart from the restart
        // window min(IW, cwnd): the ACK clock is gone.
        cc_.cwnd = std::min(cc_.cwnd, CongestionControl::initial_window(snd_mss_, cfg_.initial_window_segments));
    }
    uint32_t cwnd = cc_.cwnd;
    // RFC 3042: on the first and second duplicate ACK, new data up to cwnd + 2 SMSS.
    // RFC 3042 section 2 bounds the outstanding data (FlightSize), not the pipe: counting SACKed
    // segments as gone as well would send two segments per duplicate ACK.
    bool limited = !in_recovery_ && dupacks_ > 0 && dupacks_ < kDupThresh && !retrans;
    if (limited) {
        cwnd += dupacks_ * snd_mss_;
        fl = flight();
    }
    uint32_t wnd = std::min(snd_wnd_, cwnd);
    uint32_t usable = wnd > fl ? wnd - fl : 0;
    uint32_t len = uint32_t(std::min<size_t>({avail, size_t(usable), size_t(maxp)}));
    if (retrans && !scoreboard_.empty()) len = std::min(len, seq_len(snd_nxt_, rexmit_stop));
    if (force_probe_) {
        // Section 3.8.6.1: the persist timer fired: send (at least) one byte past the window, or
        // (RFC 1122 4.2.3.4) the SWS override: what the window allows, even if small.
        force_probe_ = false;
        if (len == 0 && avail > 0) {
            len = 1;
            ++ctr_.persist_probes;
            ++persist_backoff_;
            SeqNum seq = snd_nxt_;
            auto r = send_range(now, seq, len, retrans);
            if (r) snd_nxt_ = seq + r->seg_len();
            arm_persist(now);
            return r;
        }
    } else if (len < maxp && avail > 0) {
        // Short segment: Nagle (RFC 1122 4.2.3.4, RFC 896) and sender SWS avoidance decide.
        bool all_queued = len == avail;
        bool nagle_ok = cfg_.nodelay || fl == 0;
        bool send_it = (all_queued && nagle_ok && !cfg_.cork) || (all_queued && fin_unsent) ||
                       (len > 0 && len >= max_snd_wnd_ / 2 && !cfg_.cork) || (retrans && len > 0);
        if (!send_it) {
            // Nothing in flight to clock us and the window is what holds data back: the
            // persist / SWS override timer (RFC 1122 4.2.2.17, 4.2.3.4) will move it.
            if (fl == 0 && len < avail) arm_persist(now);
            return std::nullopt;
        }
    }
    if (len == 0) {
        if (avail > 0) {
            if (fl == 0) arm_persist(now);
            return std::nullopt;  // window closed: data waits (FIN after it)
        }
        if (!(fin_unsent && snd_nxt_ == fin_seq())) return std::nullopt;
    }
    if (limited && len > 0 && fl + len > cc_.cwnd) ++ctr_.limited_transmits;
    SeqNum seq = snd_nxt_;
    auto r = send_range(now, seq, len, retrans);
    if (r) snd_nxt_ = seq + r->seg_len();
    return r;
}

std::optional<TcpRepr> TcpSocket::poll_transmit(Instant now) {
    auto pending_rst = [this]() -> std::optional<TcpRepr> {
        if (!rst_pending_) return std::nullopt;
        rst_pending_ = false;
        ++ctr_.segs_out;
        ++ctr_.rst_out;
        return make_rst(rst_seq_);
    };
    if (rst_pending_) return pending_rst();
    if (state_ == TcpState::Closed || state_ == TcpState::Listen) return std::nullopt;
    run_timers(now);
    if (state_ == TcpState::Closed) return pending_rst();  // a timer may have aborted (orphan)
    // SYN or SYN-ACK (section 3.10.1, 3.10.7.2/3): at ISS until acknowledged.
    if ((state_ == TcpState::SynSent || state_ == TcpState::SynReceived) && snd_nxt_ == iss_) {
        bool synack = state_ == TcpState::SynReceived;
        TcpRepr r;
        r.src_port = local_.port;
        r.dst_port = remote_.port;
        r.seq = iss_;
        r.flags = TcpFlags(synack ? TcpFlags::kSyn | TcpFlags::kAck : TcpFlags::kSyn);
        r.ack = synack ? rcv_nxt_ : SeqNum(0);
        r.options.mss = uint16_t(cfg_.mtu - 40);
        if (synack) {
            if (ws_ok_) r.options.wscale = rcv_wscale_;
            r.options.sack_permitted = sack_ok_;
            if (ts_ok_) r.options.ts = TcpTimestamp{ts_now(now), ts_recent_};
        } else {
            if (cfg_.window_scale) r.options.wscale = rcv_wscale_;
            r.options.sack_permitted = cfg_.sack;
            if (cfg_.timestamps) r.options.ts = TcpTimestamp{ts_now(now), 0};
        }
        // RFC 7323 2.2: the window field of a SYN is not scaled.
        uint32_t w = std::min<uint32_t>(uint32_t(rx_.free()), 0xffff);
        r.window = uint16_t(w);
        if (synack) rcv_adv_ = rcv_nxt_ + w;
        bool retrans = snd_max_ > iss_;
        snd_nxt_ = iss_ + 1;
        note_sent(now, r, retrans);
        return r;
    }
    switch (state_) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::Closing:
    case TcpState::LastAck:
        if (auto r = next_data_segment(now)) return r;
        break;
    default:
        break;
    }
    if (keepalive_due_) {
        // RFC 1122 4.2.3.6: a probe with SEG.SEQ = SND.NXT - 1 and no data draws an ACK.
        keepalive_due_ = false;
        ++ctr_.keepalive_probes;
        TcpRepr r = make_segment(now, snd_una_ - 1, 0, TcpFlags::kAck);
        note_sent(now, r, false);
        return r;
    }
    if (synchronized() && !fin_rcvd_ && !ack_now_) {
        // Window update: the application freed enough buffer that the peer should hear of it now
        // (RFC 1122 4.2.3.3: by at least min(RCV.BUFF/2, MSS), and then without delay).
        uint32_t cur = seq_len(rcv_nxt_, rcv_adv_);
        uint32_t avail = rcv_window_now();
        uint32_t thresh = std::min<uint32_t>(uint32_t(rx_.capacity() / 2), 2 * rcv_mss());
        if (avail > cur && avail - cur >= thresh && (avail >> rcv_wscale_) > (cur >> rcv_wscale_)) {
            window_update_ = true;
        }
    }
    if (ack_now_ || window_update_) {
        bool only_window = !ack_now_;
        TcpRepr r = make_segment(now, snd_nxt_, 0, TcpFlags::kAck);
        ++ctr_.pure_acks_out;
        if (only_window) ++ctr_.window_updates;
        note_sent(now, r, false);
        return r;
    }
    return std::nullopt;
}

}  // namespace nic
