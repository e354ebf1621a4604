// See tcp_mux.h. Section references are to RFC 9293.
#include "tcp/tcp_mux.h"

#include <cstdio>

namespace nic {

std::optional<TcpRepr> tcp_reset_for(const TcpRepr& seg) {
    if (seg.flags.rst()) return std::nullopt;  // 3.10.7.1: an incoming RST is discarded
    TcpRepr r;
    r.src_port = seg.dst_port;
    r.dst_port = seg.src_port;
    if (seg.flags.ack()) {
        r.seq = seg.ack;  // <SEQ=SEG.ACK><CTL=RST>
        r.flags = TcpFlags(TcpFlags::kRst);
    } else {
        r.seq = SeqNum(0);  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        r.ack = seg.seq + seg.seg_len();
        r.flags = TcpFlags(TcpFlags::kRst | TcpFlags::kAck);
    }
    return r;
}

std::string tcp_netstat_table(const std::vector<TcpConnRow>& rows) {
    std::string out = "Proto Local                 Remote                State        Send-Q Recv-Q   cwnd ssthresh"
                      "    srtt     rto retrans\n";
    char line[256];
    for (const auto& r : rows) {
        const TcpInfo& i = r.info;
        bool listen = i.state == TcpState::Listen;
        std::snprintf(line, sizeof line, "tcp   %-21s %-21s %-12s %6zu %6zu %6u %8u %6.1fms %5.0fms %7llu\n",
                      r.local.str().c_str(), listen ? "0.0.0.0:*" : r.remote.str().c_str(), to_string(i.state),
                      i.send_q, i.recv_q, i.cwnd, i.ssthresh == 0xffffffffu ? 0u : i.ssthresh, i.srtt.to_ms(),
                      i.rto.to_ms(), (unsigned long long)i.total_retrans);
        out += line;
    }
    return out;
}

TcpMux::TcpMux(const TcpConfig& defaults, uint64_t isn_seed)
    : cfg_(defaults), isn_(isn_seed ? IsnGenerator(isn_seed) : IsnGenerator()) {}

std::shared_ptr<TcpSocket> TcpMux::connect(Instant now, Endpoint local, Endpoint remote, const TcpConfig* cfg) {
    Key k = key(local, remote);
    auto it = conns_.find(k);
    if (it != conns_.end()) {
        if (it->second->state() != TcpState::Closed) return nullptr;
        reaped_ += it->second->counters();
        conns_.erase(it);
    }
    auto s = std::make_shared<TcpSocket>(cfg ? *cfg : cfg_);
    s->connect(now, local, remote, isn_.isn(now, local, remote), isn_.ts_offset(local, remote));
    conns_.emplace(k, s);
    return s;
}

TcpListener* TcpMux::find_listener(Endpoint local) const {
    TcpListener* wildcard = nullptr;
    for (const auto& l : listeners_) {
        if (l->local().port != local.port) continue;
        if (l->local().addr == local.addr) return l.get();
        if (l->local().addr.is_unspecified()) wildcard = l.get();
    }
    return wildcard;
}

std::shared_ptr<TcpListener> TcpMux::listen(Endpoint local, int backlog, size_t syn_queue, const TcpConfig* cfg) {
    for (const auto& l : listeners_)
        if (l->local() == local) return nullptr;
    auto l = std::make_shared<TcpListener>(cfg ? *cfg : cfg_, local, backlog, &isn_, syn_queue);
    listeners_.push_back(l);
    return l;
}

void TcpMux::close_listener(Instant now, const std::shared_ptr<TcpListener>& l) {
    for (size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_[i] != l) continue;
        l->close(now);  // the un-accepted connections send their RSTs through conns_
        listeners_.erase(listeners_.begin() + long(i));
        return;
    }
}

void TcpMux::input(Instant now, Ipv4Addr src, Ipv4Addr dst, const TcpRepr& seg) {
    ++ctr_.segs_in;
    Endpoint local{dst, seg.dst_port}, remote{src, seg.src_port};
    auto it = conns_.find(key(local, remote));
    if (it != conns_.end() && it->second->state() != TcpState::Closed) {
        it->second->on_segment(now, seg);
        return;
    }
    if (TcpListener* l = find_listener(local)) {
        auto s = l->on_segment(now, src, dst, seg);
        if (s) {
            if (it != conns_.end()) {
                reaped_ += it->second->counters();
                conns_.erase(it);
            }
            conns_.emplace(key(local, remote), s);
        }
        return;
    }
    ++ctr_.no_socket;
    auto r = tcp_reset_for(seg);
    if (!r || out_.size() >= kMaxOut) {
        ++ctr_.rst_suppressed;
        return;
    }
    ++ctr_.rst_sent;
    out_.push_back(TcpOut{dst, src, *r});
}

void TcpMux::icmp_error(Instant now, Endpoint local, Endpoint remote, int err, bool hard) {
    auto it = conns_.find(key(local, remote));
    if (it != conns_.end()) it->second->on_icmp_error(now, err, hard);
}

void TcpMux::path_mtu(Instant now, Endpoint local, Endpoint remote, uint16_t mtu) {
    auto it = conns_.find(key(local, remote));
    if (it != conns_.end()) it->second->on_path_mtu(now, mtu);
}

std::optional<TcpOut> TcpMux::poll_transmit(Instant now) {
    if (!out_.empty()) {
        TcpOut o = out_.front();
        out_.erase(out_.begin());
        ++ctr_.segs_out;
        return o;
    }
    // Round robin: start after the connection that sent last, so one bulk sender cannot starve
    // the others.
    if (!conns_.empty()) {
        auto start = conns_.upper_bound(cursor_);
        auto it = start;
        for (size_t n = 0; n < conns_.size(); ++n) {
            if (it == conns_.end()) it = conns_.begin();
            TcpSocket& s = *it->second;
            if (auto r = s.poll_transmit(now)) {
                cursor_ = it->first;
                ++ctr_.segs_out;
                return TcpOut{s.local().addr, s.remote().addr, *r};
            }
            ++it;
        }
    }
    for (size_t n = 0; n < listeners_.size(); ++n) {
        size_t i = (listener_cursor_ + n) % listeners_.size();
        if (auto o = listeners_[i]->poll_transmit(now)) {
            listener_cursor_ = i + 1;
            ++ctr_.segs_out;
            return o;
        }
    }
    return std::nullopt;
}

Instant TcpMux::next_deadline() const {
    Instant t = Instant::max();
    for (const auto& kv : conns_) t = min(t, kv.second->next_deadline());
    for (const auto& l : listeners_) t = min(t, l->next_deadline());
    return t;
}

size_t TcpMux::reap() {
    size_t n = 0;
    for (auto it = conns_.begin(); it != conns_.end();) {
        if (it->second->state() == TcpState::Closed && it->second.use_count() == 1) {
            // A pending RST still has to go out first.
            if (auto r = it->second->poll_transmit(Instant{})) out_.push_back(TcpOut{it->second->local().addr,
                                                                                     it->second->remote().addr, *r});
            reaped_ += it->second->counters();
            it = conns_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

std::shared_ptr<TcpSocket> TcpMux::find(Endpoint local, Endpoint remote) const {
    auto it = conns_.find(key(local, remote));
    return it == conns_.end() ? nullptr : it->second;
}

std::vector<TcpConnRow> TcpMux::netstat() const {
    std::vector<TcpConnRow> rows;
    for (const auto& l : listeners_) {
        TcpConnRow r;
        r.local = l->local();
        r.info.state = TcpState::Listen;
        r.info.recv_q = l->accept_queue_len();  // Linux shows the accept queue here for listeners
        r.info.send_q = l->backlog();
        rows.push_back(r);
    }
    for (const auto& kv : conns_) rows.push_back(TcpConnRow{kv.second->local(), kv.second->remote(), kv.second->info()});
    return rows;
}

TcpCounters TcpMux::totals() const {
    TcpCounters t = reaped_;
    for (const auto& kv : conns_) t += kv.second->counters();
    return t;
}

}  // namespace nic
