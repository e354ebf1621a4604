// See tcp_listener.h. Section references are to RFC 9293.
#include "tcp/tcp_listener.h"

#include <algorithm>

namespace nic {

TcpListener::TcpListener(const TcpConfig& cfg, Endpoint local, int backlog, const IsnGenerator* isn, size_t syn_queue)
    : cfg_(cfg), local_(local), backlog_(size_t(std::max(backlog, 1))),
      synq_max_(syn_queue ? syn_queue : std::max<size_t>(2 * backlog_, 16)), isn_(isn) {}

void TcpListener::queue_out(TcpOut o) {
    if (out_.size() >= kMaxOut) {
        ++ctr_.out_queue_full;
        return;
    }
    out_.push_back(o);
}

void TcpListener::schedule(const Key& k, HalfOpen& h, Instant deadline) {
    timers_.erase({h.deadline, k});
    h.deadline = deadline;
    timers_.insert({deadline, k});
}

void TcpListener::erase(std::map<Key, HalfOpen>::iterator it) {
    timers_.erase({it->second.deadline, it->first});
    synq_.erase(it);
}

TcpRepr TcpListener::synack(Instant now, const HalfOpen& h) const {
    TcpRepr r;
    r.src_port = h.local.port;
    r.dst_port = h.remote.port;
    r.seq = h.iss;
    r.ack = h.syn.seq + 1;
    r.flags = TcpFlags(TcpFlags::kSyn | TcpFlags::kAck);
    // RFC 7323 2.2: the SYN's window is not scaled.
    r.window = uint16_t(std::min<size_t>(cfg_.rcvbuf, 0xffff));
    // Section 3.7.1: our MSS from the route MTU; the other options only if the peer offered them.
    r.options.mss = uint16_t(cfg_.mtu - 40);
    if (cfg_.window_scale && h.syn.options.wscale) {
        uint8_t s = 0;
        while (s < 14 && (cfg_.rcvbuf >> s) > 0xffff) ++s;
        r.options.wscale = s;
    }
    r.options.sack_permitted = cfg_.sack && h.syn.options.sack_permitted;
    if (cfg_.timestamps && h.syn.options.ts) r.options.ts = TcpTimestamp{tcp_ts_value(now, h.ts_offset), h.syn.options.ts->val};
    return r;
}

std::shared_ptr<TcpSocket> TcpListener::complete(Instant now, Endpoint local, Endpoint remote, SeqNum iss,
                                                 const TcpRepr& syn, Instant synack_at, bool retransmitted,
                                                 bool rtt_ok, const TcpRepr& ack, uint32_t ts_offset) {
    auto s = std::make_shared<TcpSocket>(cfg_);
    s->accept_syn(now, local, remote, iss, syn, synack_at, retransmitted, rtt_ok, ts_offset);
    s->on_segment(now, ack);  // SYN-RECEIVED -> ESTABLISHED (3.10.7.4 fifth), with any data it carries
    if (!s->ever_established()) {
        // The connection dropped the ACK (RFC 7323 3.2 no timestamp, 5.3 PAWS, ...): the handshake
        // is not complete. Only established connections may enter the accept queue, or a poller
        // is woken for a connection accept() cannot return and half-open ones fill the backlog.
        ++ctr_.ack_rejected;
        return nullptr;
    }
    acceptq_.push_back(s);
    ++ctr_.established;
    return s;
}

std::shared_ptr<TcpSocket> TcpListener::on_segment(Instant now, Ipv4Addr src, Ipv4Addr dst, const TcpRepr& seg) {
    Endpoint local{dst, seg.dst_port}, remote{src, seg.src_port};
    auto it = synq_.find(key(local, remote));
    auto reset_for = [&](const TcpRepr& s) {
        // Section 3.10.7.2: an ACK in LISTEN gets <SEQ=SEG.ACK><CTL=RST>.
        TcpRepr r;
        r.src_port = local.port;
        r.dst_port = remote.port;
        r.seq = s.ack;
        r.flags = TcpFlags(TcpFlags::kRst);
        ++ctr_.rst_out;
        queue_out(TcpOut{dst, src, r});
    };
    if (seg.flags.rst()) {
        ++ctr_.rst_in;
        // RFC 5961 3.2 in SYN-RECEIVED: only an RST exactly at RCV.NXT removes the half-open entry.
        if (it != synq_.end() && seg.seq == it->second.syn.seq + 1)
            erase(it);
        else
            ++ctr_.dropped_other;
        return nullptr;
    }
    if (it != synq_.end()) {
        HalfOpen& h = it->second;
        if (seg.flags.syn() && !seg.flags.ack()) {
            // A retransmitted SYN: our SYN-ACK was lost; send it again now.
            ++ctr_.syns_in;
            h.tx_pending = true;
            schedule(it->first, h, now);
            return nullptr;
        }
        if (!seg.flags.ack() || seg.flags.syn()) {
            ++ctr_.dropped_other;
            return nullptr;
        }
        if (seg.ack != h.iss + 1) {
            reset_for(seg);  // 3.10.7.4 fifth, SYN-RECEIVED: unacceptable ACK
            return nullptr;
        }
        if (seg.seq != h.syn.seq + 1) {
            ++ctr_.dropped_other;  // 3.10.7.4 first: not at RCV.NXT; the peer will send it again
            return nullptr;
        }
        if (acceptq_.size() >= backlog_) {
            // Accept queue full: drop the ACK and keep the entry; our SYN-ACK retransmission
            // lets the peer complete later (Linux with tcp_abort_on_overflow = 0).
            ++ctr_.accept_queue_full;
            return nullptr;
        }
        auto s = complete(now, h.local, h.remote, h.iss, h.syn, h.first_sent, h.retries > 0, true, seg, h.ts_offset);
        if (s) erase(it);  // else the entry stays: the peer may still send an acceptable ACK
        return s;
    }
    if (seg.flags.ack()) {
        if (seg.flags.syn()) {
            reset_for(seg);
            return nullptr;
        }
        // A SYN cookie coming back? (ACK for ISS + 1 where ISS was the cookie.)
        if (cfg_.syn_cookies && isn_ && now >= cookies_until_) ++ctr_.cookies_unsolicited;
        if (cfg_.syn_cookies && isn_ && now < cookies_until_) {
            auto mss = isn_->check_cookie(now, local, remote, seg.seq - 1, seg.ack - 1);
            if (mss) {
                if (acceptq_.size() >= backlog_) {
                    ++ctr_.accept_queue_full;
                    return nullptr;
                }
                ++ctr_.cookies_ok;
                TcpRepr syn;  // what the cookie remembers: the peer's ISN and an MSS; no other options
                syn.src_port = seg.src_port;
                syn.dst_port = seg.dst_port;
                syn.seq = seg.seq - 1;
                syn.flags = TcpFlags(TcpFlags::kSyn);
                syn.window = seg.window;
                syn.options.mss = *mss;
                TcpRepr ack = seg;
                ack.options.ts.reset();  // timestamps were not negotiated through the cookie
                return complete(now, local, remote, seg.ack - 1, syn, now, false, false, ack, 0);
            }
            ++ctr_.cookies_bad;
        }
        reset_for(seg);
        return nullptr;
    }
    if (!seg.flags.syn()) {
        ++ctr_.dropped_other;  // section 3.10.7.2: anything else is dropped
        return nullptr;
    }
    ++ctr_.syns_in;
    if (acceptq_.size() >= backlog_) {
        ++ctr_.accept_queue_full;  // nobody is accepting: do not even start (Linux drops too)
        return nullptr;
    }
    if (synq_.size() >= synq_max_) {
        if (!cfg_.syn_cookies || !isn_) {
            ++ctr_.syn_queue_full;
            return nullptr;
        }
        // SYN cookie: answer without keeping state.
        HalfOpen h;
        h.local = local;
        h.remote = remote;
        h.syn = seg;
        h.syn.payload = {};
        uint16_t peer_mss = seg.options.mss && *seg.options.mss ? *seg.options.mss : 536;  // as negotiate()
        h.iss = isn_->cookie(now, local, remote, seg.seq, std::min<uint16_t>(peer_mss, uint16_t(cfg_.mtu - 40)));
        h.syn.options = TcpOptions{};
        TcpRepr r = synack(now, h);
        ++ctr_.cookies_sent;
        // A cookie is accepted up to two 64-second slots after the one it was made in (isn.h).
        cookies_until_ = now + Duration::from_s(3 * 64);
        ++ctr_.synacks_out;
        queue_out(TcpOut{dst, src, r});
        return nullptr;
    }
    HalfOpen h;
    h.local = local;
    h.remote = remote;
    h.syn = seg;
    h.syn.payload = {};  // data on a SYN is not kept; the peer retransmits it (section 3.10.7.2 allows)
    h.iss = isn_ ? isn_->isn(now, local, remote) : SeqNum(uint32_t(now.ns / 4000));
    h.ts_offset = isn_ ? isn_->ts_offset(local, remote) : 0;
    h.first_sent = now;
    h.deadline = now;
    Key k = key(local, remote);
    synq_.emplace(k, h);
    timers_.insert({now, k});
    return nullptr;
}

std::optional<TcpOut> TcpListener::poll_transmit(Instant now) {
    if (!out_.empty()) {
        TcpOut o = out_.front();
        out_.pop_front();
        return o;
    }
    while (!timers_.empty() && timers_.begin()->first <= now) {
        ++ctr_.timer_visits;
        auto it = synq_.find(timers_.begin()->second);
        if (it == synq_.end()) {  // cannot happen: erase() keeps both in step; never spin on it
            timers_.erase(timers_.begin());
            continue;
        }
        HalfOpen& h = it->second;
        if (!h.tx_pending) {
            // RFC 6298-style backoff for the SYN-ACK; give up after synack_retries.
            if (h.retries >= cfg_.synack_retries) {
                ++ctr_.synack_timeouts;
                erase(it);
                continue;
            }
            ++h.retries;
            ++ctr_.synack_retrans;
        }
        h.tx_pending = false;
        if (h.retries == 0 && h.first_sent == h.deadline) h.first_sent = now;
        Duration rto = cfg_.rtt.initial_rto * (int64_t(1) << std::min<uint32_t>(h.retries, 16));
        if (rto > cfg_.rtt.max_rto) rto = cfg_.rtt.max_rto;
        schedule(it->first, h, now + rto);
        ++ctr_.synacks_out;
        return TcpOut{h.local.addr, h.remote.addr, synack(now, h)};
    }
    return std::nullopt;
}

Instant TcpListener::next_deadline() const {
    if (!out_.empty()) return Instant{};
    return timers_.empty() ? Instant::max() : timers_.begin()->first;
}

std::shared_ptr<TcpSocket> TcpListener::accept() {
    for (auto it = acceptq_.begin(); it != acceptq_.end();) {
        auto s = *it;
        if (s->state() == TcpState::SynReceived) {
            ++it;  // its completing ACK was not acceptable yet; it may still complete
            continue;
        }
        it = acceptq_.erase(it);
        // A connection reset after it was established is still handed out (accept, then read
        // reports the error), as BSD does; one that never got established is dropped.
        if (s->ever_established()) return s;
    }
    return nullptr;
}

std::vector<std::shared_ptr<TcpSocket>> TcpListener::close(Instant now) {
    std::vector<std::shared_ptr<TcpSocket>> out(acceptq_.begin(), acceptq_.end());
    for (auto& s : out) s->abort(now);
    acceptq_.clear();
    synq_.clear();
    timers_.clear();
    return out;
}

}  // namespace nic
