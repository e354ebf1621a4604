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
    : cfg_(defaults), isn_(isn_seed ? IsnGenerator(isn_seed) : IsnGenerator()) {
    budget_.limit = defaults.mem_limit;
}

TcpMux::~TcpMux() {
    for (auto& kv : conns_) kv.second->set_memory(nullptr);
}

std::shared_ptr<TcpSocket> TcpMux::connect(Instant now, Endpoint local, Endpoint remote, const TcpConfig* cfg) {
    Key k = key(local, remote);
    if (tw_.count(k)) return nullptr;  // that 4-tuple is in TIME-WAIT
    auto it = conns_.find(k);
    if (it != conns_.end()) {
        if (it->second->state() != TcpState::Closed) return nullptr;
        reaped_ += it->second->counters();
        it->second->set_memory(nullptr);  // an application may still hold it
        conns_.erase(it);
    }
    if (!connection_room()) {
        ++ctr_.conn_table_full;
        return nullptr;
    }
    auto s = std::make_shared<TcpSocket>(cfg ? *cfg : cfg_);
    s->set_memory(&budget_);
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
    Key k = key(local, remote);
    if (!tw_.empty() && timewait_input(now, k, seg, src, dst)) return;
    auto it = conns_.find(k);
    if (it != conns_.end() && it->second->state() != TcpState::Closed) {
        it->second->on_segment(now, seg);
        return;
    }
    if (TcpListener* l = find_listener(local)) {
        if (!connection_room() && !seg.flags.rst()) {
            // No room for another connection: the handshake does not start (or complete); the
            // peer's retransmission may find room later.
            ++ctr_.conn_table_full;
            return;
        }
        auto s = l->on_segment(now, src, dst, seg);
        if (s) {
            s->set_memory(&budget_);
            if (it != conns_.end()) {
                reaped_ += it->second->counters();
                it->second->set_memory(nullptr);  // an application may still hold it
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
                return TcpOut{s.local().addr, s.remote().addr, *r, &s.tx_path()};
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

void TcpMux::tick(Instant now) {
    for (auto& kv : conns_)
        if (kv.second->next_deadline() <= now) kv.second->tick(now);
}

Instant TcpMux::next_deadline() const {
    Instant t = tw_expiry_.empty() ? Instant::max() : tw_expiry_.begin()->first;
    for (const auto& kv : conns_) t = min(t, kv.second->next_deadline());
    for (const auto& l : listeners_) t = min(t, l->next_deadline());
    return t;
}

size_t TcpMux::reap(Instant now) {
    timewait_expire(now);
    size_t n = 0, orphans = 0;
    bool pressed = budget_.pressed();  // idle established connections give back their storage
    for (auto it = conns_.begin(); it != conns_.end();) {
        TcpSocket& s = *it->second;
        bool alone = it->second.use_count() == 1;  // nobody but the table holds it
        if (s.state() == TcpState::Closed && alone) {
            // A pending RST still has to go out first.
            if (auto r = s.poll_transmit(now)) out_.push_back(TcpOut{s.local().addr, s.remote().addr, *r});
            reaped_ += s.counters();
            it = conns_.erase(it);
            ++n;
            continue;
        }
        if (s.state() == TcpState::TimeWait && alone) {
            // Its last ACK goes out first; then only a record remains.
            while (auto r = s.poll_transmit(now)) out_.push_back(TcpOut{s.local().addr, s.remote().addr, *r});
            if (tw_.size() < cfg_.max_timewait) {
                TimeWait t;
                t.snd_nxt = s.snd_nxt();
                t.rcv_nxt = s.rcv_nxt();
                t.ts = s.timestamps_on();
                t.ts_recent = s.ts_recent();
                t.ts_offset = s.ts_offset();
                t.expires = s.timewait_deadline();
                tw_.emplace(it->first, t);
                tw_expiry_.insert({t.expires, it->first});
                ++ctr_.timewait_records;
            } else {
                ++ctr_.timewait_overflow;  // as Linux: "time wait bucket table overflow"
            }
            reaped_ += s.counters();
            it = conns_.erase(it);
            ++n;
            continue;
        }
        if (s.orphaned()) ++orphans;
        if (pressed) s.trim_storage();
        ++it;
    }
    orphans_ = orphans;
    return n;
}

bool TcpMux::orphan_allowed() {
    if (orphans_ < cfg_.max_orphans) {
        ++orphans_;  // until the next reap() counts again
        return true;
    }
    ++ctr_.orphans_reset;
    return false;
}

void TcpMux::timewait_expire(Instant now) {
    while (!tw_expiry_.empty() && tw_expiry_.begin()->first <= now) {
        tw_.erase(tw_expiry_.begin()->second);
        tw_expiry_.erase(tw_expiry_.begin());
    }
}

bool TcpMux::timewait_input(Instant now, const Key& k, const TcpRepr& seg, Ipv4Addr src, Ipv4Addr dst) {
    auto it = tw_.find(k);
    if (it == tw_.end()) return false;
    TimeWait& t = it->second;
    if (t.expires <= now) {  // over: the segment is for whatever is there now
        tw_expiry_.erase({t.expires, k});
        tw_.erase(it);
        return false;
    }
    if (seg.flags.rst()) {
        // RFC 9293 3.10.7.4 second check: an RST exactly at RCV.NXT ends TIME-WAIT (RFC 5961 3.2);
        // any other is dropped.
        if (seg.seq == t.rcv_nxt) {
            tw_expiry_.erase({t.expires, k});
            tw_.erase(it);
        }
        return true;
    }
    // RFC 6191 (and Linux): a new SYN whose timestamp, or without timestamps whose sequence number,
    // is beyond the old connection's cannot be an old duplicate: TIME-WAIT ends and the SYN goes
    // to the listener, so a client reusing the port is not refused for the remaining 2 MSL.
    if (seg.flags.syn() && !seg.flags.ack()) {
        bool newer = t.ts && seg.options.ts ? int32_t(seg.options.ts->val - t.ts_recent) > 0 : seg.seq > t.rcv_nxt;
        if (newer) {
            tw_expiry_.erase({t.expires, k});
            tw_.erase(it);
            ++ctr_.timewait_reused;
            return false;
        }
    }
    // The peer's FIN again (our last ACK was lost): acknowledge it and restart the 2 MSL
    // (section 3.10.7.4, TIME-WAIT). Anything else gets a rate-limited ACK (RFC 5961 7).
    bool fin_again = seg.flags.fin() && seg.seq + uint32_t(seg.payload.size) + 1 == t.rcv_nxt;
    if (fin_again) {
        tw_expiry_.erase({t.expires, k});
        t.expires = now + cfg_.msl * 2;
        tw_expiry_.insert({t.expires, k});
    } else if (t.last_ack && now - *t.last_ack < cfg_.invalid_ack_interval) {
        return true;
    }
    t.last_ack = now;
    if (t.ts && seg.options.ts && int32_t(seg.options.ts->val - t.ts_recent) > 0) t.ts_recent = seg.options.ts->val;
    TcpRepr r;
    r.src_port = seg.dst_port;
    r.dst_port = seg.src_port;
    r.seq = t.snd_nxt;
    r.ack = t.rcv_nxt;
    r.flags = TcpFlags(TcpFlags::kAck);
    r.window = 0;  // nothing more will be received
    if (t.ts) r.options.ts = TcpTimestamp{tcp_ts_value(now, t.ts_offset), t.ts_recent};
    if (out_.size() < kMaxOut) {
        out_.push_back(TcpOut{dst, src, r});
        ++ctr_.timewait_acks;
    }
    return true;
}

std::string TcpMux::dump() const {
    TcpMemoryUse m = memory();
    char b[1024];
    std::snprintf(b, sizeof b,
                  "tcp_no_socket %llu\ntcp_rst_sent %llu\ntcp_rst_suppressed %llu\ntcp_conn_table_full %llu\n"
                  "tcp_timewait_records %llu\ntcp_timewait_overflow %llu\ntcp_timewait_acks %llu\n"
                  "tcp_timewait_reused %llu\ntcp_orphans_reset %llu\ntcp_mem_buffers_bytes %zu\n"
                  "tcp_mem_buffers_peak_bytes %zu\ntcp_mem_budget_refused %llu\ntcp_mem_total_bytes %zu\n"
                  "tcp_connections %zu\ntcp_timewait %zu\ntcp_orphans %zu\n",
                  (unsigned long long)ctr_.no_socket, (unsigned long long)ctr_.rst_sent,
                  (unsigned long long)ctr_.rst_suppressed, (unsigned long long)ctr_.conn_table_full,
                  (unsigned long long)ctr_.timewait_records, (unsigned long long)ctr_.timewait_overflow,
                  (unsigned long long)ctr_.timewait_acks, (unsigned long long)ctr_.timewait_reused,
                  (unsigned long long)ctr_.orphans_reset, m.buffers, m.buffers_peak,
                  (unsigned long long)m.budget_refused, m.total_bytes, m.connections, m.timewait, m.orphans);
    return b;
}

TcpMemoryUse TcpMux::memory() const {
    TcpMemoryUse m;
    m.buffers = budget_.used;
    m.buffers_peak = budget_.peak;
    m.budget_refused = budget_.refused;
    m.connections = conns_.size();
    m.timewait = tw_.size();
    m.orphans = orphans_;
    // Objects: a connection, a record (plus its two index nodes, about 4 pointers each).
    m.total_bytes = m.buffers + m.connections * sizeof(TcpSocket) +
                    m.timewait * (sizeof(TimeWait) + sizeof(Key) * 2 + sizeof(Instant) + 8 * sizeof(void*));
    return m;
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
