// Loss recovery of one TCP connection (TcpSocket members, split from tcp_socket.cpp by concern):
// fast recovery entry, the RFC 6675 SACK scoreboard (IsLost, pipe, NextSeg), Proportional Rate
// Reduction (RFC 6937), RACK time-based loss detection and the Tail Loss Probe (RFC 8985).
//   TcpSocket::process_ack -> rack_on_ack / rack_detect_loss -> enter_recovery -> prr_update
//   TcpSocket::next_data_segment -> sack_recovery_segment | tlp_segment
#include "tcp/tcp_socket.h"

#include <algorithm>

namespace nic {

void TcpSocket::enter_recovery(Instant now) {
    (void)now;
    cc_.on_congestion(seq_len(snd_una_, snd_max_), snd_mss_);  // RFC 5681 eq. 4 / RFC 9438 4.6
    recover_ = snd_max_;
    in_recovery_ = true;
    tlp_at_ = Instant::max();  // RFC 8985 7.2: no probes during recovery
    recover_after_rto_ = false;
    fast_rexmit_ = true;
    rtt_timing_ = false;
    ++ctr_.fast_retransmits;
    if (sack_ok_) {
        // RFC 6937 section 3: PRR sets cwnd on every ACK of the recovery from what was delivered,
        // instead of RFC 6675's cwnd = ssthresh (which stays silent for half a window, then
        // bursts).
        cc_.cwnd = cc_.ssthresh;
        high_rxt_ = snd_una_;
        prr_delivered_ = prr_out_ = 0;
        recover_fs_ = seq_len(snd_una_, snd_max_);
        ++ctr_.sack_recoveries;
    } else {
        cc_.cwnd = cc_.ssthresh;  // RFC 5681 3.2 step 3: ssthresh + 3 SMSS
        cc_.grow(kDupThresh * snd_mss_);
    }
}

void TcpSocket::rack_on_sent(Instant now, SeqNum s, SeqNum e, SeqNum old_max) {
    if (!rack_on() || e <= s) return;
    // The retransmitted part: the ranges it covers get the new time (split at its edges).
    SeqNum re = seq_min(e, old_max);
    if (s < re) {
        auto split_at = [this](SeqNum x) {
            for (size_t i = 0; i < sent_.size(); ++i) {
                SentRange& r = sent_[i];
                if (r.start < x && x < r.end) {
                    SentRange tail = r;
                    tail.start = x;
                    r.end = x;
                    sent_.insert(sent_.begin() + long(i) + 1, tail);
                    return;
                }
                if (r.start >= x) return;
            }
        };
        split_at(s);
        split_at(re);
        for (SentRange& r : sent_) {
            if (r.start >= re) break;
            if (r.start >= s) {
                r.xmit = now;
                r.retrans = true;
                if (rack_rexmit_high_ < r.end) rack_rexmit_high_ = r.end;
                rack_unmark(r, seq_len(r.start, r.end));  // repaired: in flight again
            }
        }
    }
    if (e > old_max) sent_.push_back(SentRange{seq_max(s, old_max), e, now});
}

void TcpSocket::rack_on_ack(Instant now, const TcpRepr& seg) {
    if (!rack_on() || sent_.empty()) return;
    // RFC 8985 6.2 steps 1-2: the most recently sent of the ranges this ACK delivers (cumulatively
    // or by SACK) sets RACK.xmit_ts / end_seq / rtt; a retransmission acknowledged faster than
    // the minimum RTT was acknowledged for its original, and says nothing.
    auto deliver = [&](SentRange& r) {
        if (r.retrans && now - r.xmit < min_rtt_) return;
        if (!rack_valid_ || r.xmit > rack_xmit_ || (r.xmit == rack_xmit_ && r.end > rack_end_)) {
            rack_xmit_ = r.xmit;
            rack_end_ = r.end;
            rack_rtt_ = now - r.xmit;
            rack_valid_ = true;
        }
    };
    while (!sent_.empty() && sent_.front().end <= snd_una_) {
        SentRange& r = sent_.front();
        if (!r.sacked) deliver(r);
        rack_unmark(r, seq_len(r.start, r.end));
        sent_.pop_front();
    }
    if (rack_rexmit_high_ < snd_una_) rack_rexmit_high_ = snd_una_;
    if (!sent_.empty() && sent_.front().start < snd_una_) {
        SentRange& r = sent_.front();
        if (r.lost && !r.sacked) rack_lost_bytes_ -= std::min(rack_lost_bytes_, seq_len(r.start, snd_una_));
        r.start = snd_una_;
    }
    for (size_t i = 0; i < seg.options.sack_count && i < seg.options.sack.size(); ++i) {
        const SackBlock& b = seg.options.sack[i];
        // Ranges are sorted by sequence number: find the first that may lie in the block.
        auto it = std::lower_bound(sent_.begin(), sent_.end(), b.left,
                                   [](const SentRange& r, SeqNum x) { return r.end <= x; });
        for (; it != sent_.end() && it->start < b.right; ++it) {
            if (it->sacked || it->start < b.left || it->end > b.right) continue;
            rack_unmark(*it, seq_len(it->start, it->end));
            it->sacked = true;
            deliver(*it);
        }
    }
}

void TcpSocket::rack_unmark(SentRange& r, uint32_t bytes) {
    if (!r.lost) return;
    r.lost = false;
    if (!r.sacked) rack_lost_bytes_ -= std::min(rack_lost_bytes_, bytes);
}

size_t TcpSocket::rack_first_lost() const {
    if (rack_lost_bytes_ > 0)
        for (size_t i = 0; i < sent_.size(); ++i)
            if (sent_[i].lost && !sent_[i].sacked) return i;
    return sent_.size();
}

bool TcpSocket::rack_detect_loss(Instant now) {
    if (!rack_valid_) return false;
    // RFC 8985 6.2 step 4 (without the D-SACK adaptation, so no reordering is ever recorded):
    // no window in recovery or once DupThresh ranges are SACKed, else min(min_RTT / 4, SRTT).
    size_t sacked = 0;
    if (!scoreboard_.empty())
        for (const SentRange& r : sent_)
            if ((sacked += r.sacked) >= kDupThresh) break;
    Duration reo_wnd{0};
    if (!in_recovery_ && sacked < kDupThresh && min_rtt_ != Duration::max())
        reo_wnd = std::min(Duration{min_rtt_.ns / 4}, rtt_.srtt());
    Duration timeout{0};
    bool newly = false;
    for (SentRange& r : sent_) {
        if (!(r.xmit < rack_xmit_ || (r.xmit == rack_xmit_ && r.end < rack_end_))) {
            // Sent after the most recently delivered range. Ranges are in sequence order, so
            // above the highest retransmitted one every range is an original sent later still.
            if (!r.retrans && r.start >= rack_rexmit_high_) break;
            continue;
        }
        if (r.sacked || r.lost) continue;
        Duration remaining = (r.xmit + rack_rtt_ + reo_wnd) - now;
        if (remaining.ns <= 0) {
            r.lost = true;
            rack_lost_bytes_ += seq_len(r.start, r.end);
            newly = true;
            ++ctr_.rack_losses;
        } else if (remaining > timeout) {
            timeout = remaining;
        }
    }
    rack_timer_at_ = timeout.ns > 0 ? now + timeout : Instant::max();
    return newly;
}

uint32_t TcpSocket::sacked_in(SeqNum a, SeqNum b) const {
    uint32_t n = 0;
    for (const SackBlock& s : scoreboard_) {
        SeqNum l = seq_max(s.left, a), r = seq_min(s.right, b);
        n += seq_len(l, r);
    }
    return n;
}

SeqNum TcpSocket::lost_edge() const {
    // RFC 6675 section 4, IsLost(S): more than (DupThresh - 1) * SMSS bytes above S SACKed, or
    // DupThresh discontiguous SACKed ranges above S. Every unSACKed byte below the returned edge is lost.
    uint32_t cum = 0;
    size_t blocks = 0;
    for (auto it = scoreboard_.rbegin(); it != scoreboard_.rend(); ++it) {
        cum += seq_len(it->left, it->right);
        ++blocks;
        if (cum > (kDupThresh - 1) * snd_mss_ || blocks >= kDupThresh) return seq_max(it->left, snd_una_);
    }
    return snd_una_;
}

uint32_t TcpSocket::pipe() const {
    if (rack_on()) {
        // RFC 8985 with RFC 6675's pipe: what is outstanding, less what the receiver holds, less
        // what RACK deems lost and has not been sent again (Linux's packets_in_flight).
        uint32_t out = seq_len(snd_una_, snd_max_), gone = sacked_total() + rack_lost_bytes_;
        return out > gone ? out - gone : 0;
    }
    // RFC 6675 section 4, SetPipe, over byte ranges: unSACKed bytes not deemed lost count once,
    // retransmitted bytes (below HighRxt) once more.
    auto unsacked = [this](SeqNum a, SeqNum b) { return b > a ? seq_len(a, b) - sacked_in(a, b) : 0u; };
    SeqNum l = seq_max(lost_edge(), snd_una_);
    SeqNum h = seq_max(high_rxt_, snd_una_);
    uint32_t p = unsacked(snd_una_, seq_min(h, l)) + unsacked(l, snd_max_);
    if (h > l) p += unsacked(l, h);
    return p;
}

void TcpSocket::arm_tlp(Instant now) {
    // RFC 8985 7.2: only with SACK, in the open state (no recovery, no episode in progress), with
    // data outstanding and an RTT estimate; PTO = 2 SRTT, plus the peer's worst-case delayed ACK
    // when a single segment is in flight; never later than the RTO.
    if (!cfg_.tlp || !sack_ok_ || in_recovery_ || tlp_end_ || !tlp_at_.is_max() || !synchronized() ||
        snd_una_ == snd_max_ || !rtt_.has_sample() || backoff_ > 0)
        return;
    Duration srtt = rtt_.srtt();
    Duration pto = srtt * 2;
    if (seq_len(snd_una_, snd_max_) <= snd_mss_) {
        Duration with_delack = Duration{srtt.ns * 3 / 2} + Duration::from_ms(200);  // WCDelAckT
        if (with_delack > pto) pto = with_delack;
    }
    Instant at = now + pto;
    if (at < rto_at_) tlp_at_ = at;
}

std::optional<TcpRepr> TcpSocket::tlp_segment(Instant now) {
    // RFC 8985 7.3: new data if there is some and the receiver's window takes it (one segment,
    // regardless of cwnd), else the last segment sent again.
    tlp_due_ = false;
    TcpOptions opts = segment_options(now);
    uint32_t maxp = max_payload(opts);
    uint32_t off = seq_len(tx_base_, snd_max_);
    size_t avail = tx_.size() > off ? tx_.size() - off : 0;
    uint32_t rwnd_room = snd_max_ < snd_una_ + snd_wnd_ ? seq_len(snd_max_, snd_una_ + snd_wnd_) : 0;
    std::optional<TcpRepr> r;
    if (avail > 0 && rwnd_room > 0 && snd_nxt_ == snd_max_) {
        uint32_t len = uint32_t(std::min<size_t>({avail, size_t(maxp), size_t(rwnd_room)}));
        r = send_range(now, snd_max_, len, false);
        if (r) snd_nxt_ = snd_max_;
        tlp_is_retrans_ = false;
    } else {
        uint32_t data_end = seq_len(tx_base_, snd_max_) > tx_.size() ? uint32_t(tx_.size()) : seq_len(tx_base_, snd_max_);
        uint32_t len = std::min<uint32_t>(data_end, maxp);
        if (len == 0) return std::nullopt;  // only a FIN outstanding: the RTO handles it
        SeqNum seq = tx_base_ + (data_end - len);
        r = send_range(now, seq, len, true);
        tlp_is_retrans_ = true;
    }
    if (!r) return std::nullopt;
    ++ctr_.tlp_probes;
    tlp_end_ = snd_max_;
    tlp_at_ = Instant::max();  // one probe per episode
    restart_rto(now);  // 7.3: the RTO is re-armed after the probe
    return r;
}

void TcpSocket::prr_update(uint32_t delivered) {
    // RFC 6937 section 3, on every ACK during recovery.
    prr_delivered_ += delivered;
    uint32_t p = pipe();
    int64_t sndcnt;
    if (p > cc_.ssthresh) {
        // Proportional rate reduction: send ssthresh/RecoverFS of what was delivered.
        uint64_t fs = std::max<uint32_t>(recover_fs_, 1);
        sndcnt = int64_t((prr_delivered_ * cc_.ssthresh + fs - 1) / fs) - int64_t(prr_out_);
    } else {
        // Slow start reduction bound (PRR-SSRB): grow back towards ssthresh no faster than
        // slow start would.
        int64_t limit = std::max<int64_t>(int64_t(prr_delivered_) - int64_t(prr_out_), delivered) + snd_mss_;
        sndcnt = std::min<int64_t>(int64_t(cc_.ssthresh) - int64_t(p), limit);
    }
    sndcnt = std::max<int64_t>(sndcnt, 0);
    cc_.cwnd = uint32_t(std::min<int64_t>(int64_t(p) + sndcnt, CongestionControl::kMaxCwnd));
    ++ctr_.prr_updates;
}

std::optional<TcpRepr> TcpSocket::sack_recovery_segment(Instant now) {
    TcpOptions opts = segment_options(now);
    uint32_t maxp = max_payload(opts);
    auto next_sacked_after = [this](SeqNum s) {
        for (const SackBlock& b : scoreboard_)
            if (b.left > s) return b.left;
        return snd_max_;
    };
    auto skip_sacked = [this](SeqNum s) {
        for (const SackBlock& b : scoreboard_)
            if (b.left <= s && s < b.right) s = b.right;
        return s;
    };
    auto rexmit = [&](SeqNum s, SeqNum limit) -> std::optional<TcpRepr> {
        SeqNum stop = seq_min(seq_min(next_sacked_after(s), snd_max_), limit);
        uint32_t len = std::min(seq_len(s, stop), maxp);
        // The FIN occupies the last sequence number but no buffer byte.
        if (fin_queued_ && s + len > fin_seq()) len = seq_len(s, fin_seq());
        high_rxt_ = seq_max(high_rxt_, s + std::max<uint32_t>(len, 1));
        return send_range(now, s, len, true);
    };
    if (fast_rexmit_) {
        // RFC 6675 section 5 step (4.3): retransmit the first segment at once, regardless of pipe.
        fast_rexmit_ = false;
        return rexmit(snd_una_, snd_max_);
    }
    // RFC 6675 section 5 step (C): while cwnd - pipe >= 1 SMSS, send NextSeg().
    if (cc_.cwnd < pipe() + snd_mss_) return std::nullopt;
    SeqNum s = skip_sacked(seq_max(high_rxt_, snd_una_));
    if (rack_on()) {
        // NextSeg rule (1) with RACK's per-range loss marks: the first range deemed lost.
        // Contiguous lost ranges go out together up to a segment; never into one in flight.
        size_t i = rack_first_lost();
        if (i < sent_.size()) {
            size_t j = i;
            while (j + 1 < sent_.size() && sent_[j + 1].lost && !sent_[j + 1].sacked &&
                   sent_[j + 1].start == sent_[j].end && seq_len(sent_[i].start, sent_[j].end) < maxp)
                ++j;
            return rexmit(sent_[i].start, sent_[j].end);
        }
    } else if (s < lost_edge() && s < snd_max_) {
        return rexmit(s, snd_max_);  // NextSeg rule (1)
    }
    // Rule (2): new data, if the receiver's window allows.
    uint32_t off = seq_len(tx_base_, snd_nxt_);
    size_t avail = tx_.size() > off ? tx_.size() - off : 0;
    uint32_t rwnd_room = seq_len(snd_nxt_, snd_una_ + snd_wnd_);
    if (snd_nxt_ == snd_max_ && (avail > 0 || (fin_queued_ && snd_nxt_ == fin_seq()))) {
        uint32_t len = uint32_t(std::min<size_t>({avail, size_t(maxp), size_t(rwnd_room)}));
        if (len == avail || len == maxp) {
            SeqNum seq = snd_nxt_;
            auto r = send_range(now, seq, len, false);
            if (r) snd_nxt_ = seq + r->seg_len();
            if (r) return r;
        }
    }
    // Rule (3): an unSACKed segment above HighRxt, below the highest SACKed octet (1.b), that is
    // not yet deemed lost. Not with RACK (RFC 8985 replaces these guesses with its timers; Linux
    // retransmits only what is marked lost).
    if (rack_on()) return std::nullopt;
    if (!scoreboard_.empty() && s < scoreboard_.back().right && s < snd_max_) return rexmit(s, snd_max_);
    return std::nullopt;
}

}  // namespace nic
