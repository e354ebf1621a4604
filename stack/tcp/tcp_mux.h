// The TCP layer of one host: the connection table (demultiplexing by 4-tuple, then listeners by
// local address and port), RSTs for segments that match nothing (RFC 9293 3.10.7.1), ISNs (RFC 6528)
// and the sum of all counters. What the Stack's protocol handler for protocol 6 calls:
//   ip_input -> parse_tcp -> TcpMux::input -> TcpSocket::on_segment | TcpListener::on_segment
//   Stack::poll -> TcpMux::poll_transmit -> emit_tcp -> ip_output
// It knows nothing of IP: addresses come with each segment and go out with each TcpOut.
#pragma once

#include "tcp/isn.h"
#include "tcp/tcp_listener.h"
#include "tcp/tcp_socket.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace nic {

struct TcpMuxCounters {
    uint64_t segs_in = 0, segs_out = 0;
    uint64_t no_socket = 0;       // segments for no connection or listener (answered with RST)
    uint64_t rst_sent = 0;        // RSTs for those
    uint64_t rst_suppressed = 0;  // no RST for an RST (3.10.7.1) or because too many were pending
    uint64_t conn_table_full = 0;    // connects refused / handshakes dropped: max_connections
    uint64_t timewait_records = 0;   // TIME-WAIT connections turned into compact records
    uint64_t timewait_overflow = 0;  // TIME-WAIT skipped: max_timewait records held (Linux's message)
    uint64_t timewait_acks = 0;      // ACKs sent from records (retransmitted FIN, stray segments)
    uint64_t timewait_reused = 0;    // records ended by a newer SYN for the same 4-tuple (RFC 6191)
    uint64_t orphans_reset = 0;      // close() turned into an abort: max_orphans reached
};

// Memory the TCP layer holds, for limits and tests (bytes).
struct TcpMemoryUse {
    size_t buffers = 0;       // send and receive ring storage of all connections
    size_t buffers_peak = 0;
    size_t connections = 0, timewait = 0, orphans = 0;
    size_t total_bytes = 0;   // buffers + connection objects + TIME-WAIT records
    uint64_t budget_refused = 0;
};

struct TcpConnRow {
    Endpoint local, remote;
    TcpInfo info;
};

class TcpMux {
public:
    // isn_seed 0: a random ISN key from libsodium; otherwise reproducible (tests, virtual clock).
    explicit TcpMux(const TcpConfig& defaults = {}, uint64_t isn_seed = 0);
    // Connections may outlive the mux (a socket table destroyed after the TCP layer): they are
    // detached from its memory budget first.
    ~TcpMux();
    TcpMux(const TcpMux&) = delete;
    TcpMux& operator=(const TcpMux&) = delete;

    // Active open; nullptr (EADDRINUSE) if the 4-tuple is taken.
    std::shared_ptr<TcpSocket> connect(Instant now, Endpoint local, Endpoint remote, const TcpConfig* cfg = nullptr);
    // nullptr (EADDRINUSE) if something already listens on that address and port.
    std::shared_ptr<TcpListener> listen(Endpoint local, int backlog, size_t syn_queue = 0, const TcpConfig* cfg = nullptr);
    void close_listener(Instant now, const std::shared_ptr<TcpListener>& l);

    void input(Instant now, Ipv4Addr src, Ipv4Addr dst, const TcpRepr& seg);
    // ICMP errors quoting one of our segments (RFC 1122 4.2.3.9); EHOSTUNREACH from ARP/routing too.
    void icmp_error(Instant now, Endpoint local, Endpoint remote, int err, bool hard);
    // ICMP fragmentation needed (RFC 1191): a smaller path MTU towards `remote`.
    void path_mtu(Instant now, Endpoint local, Endpoint remote, uint16_t mtu);
    // Next segment from any connection or listener (round robin), or nothing.
    // Runs the due timers of every connection without sending (the device queue is full).
    void tick(Instant now);
    std::optional<TcpOut> poll_transmit(Instant now);
    Instant next_deadline() const;
    // Forgets CLOSED connections that nobody else holds, and turns orphaned TIME-WAIT ones into
    // compact records; returns how many connections left the table.
    size_t reap(Instant now = Instant{});
    // Whether another orphan is allowed (close() aborts instead when not; counted).
    bool orphan_allowed();

    TcpMemoryUse memory() const;
    // "name value" lines: the mux's counters and the memory in use (bytes).
    std::string dump() const;
    MemoryBudget& budget() { return budget_; }
    size_t timewait_records() const { return tw_.size(); }
    size_t connections() const { return conns_.size(); }
    bool connection_room() const { return conns_.size() < cfg_.max_connections; }
    std::shared_ptr<TcpSocket> find(Endpoint local, Endpoint remote) const;
    std::vector<TcpConnRow> netstat() const;
    TcpCounters totals() const;  // summed over live connections plus those reaped
    const TcpMuxCounters& counters() const { return ctr_; }
    const IsnGenerator& isn() const { return isn_; }
    const TcpConfig& defaults() const { return cfg_; }

private:
    using Key = std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>;
    static Key key(Endpoint l, Endpoint r) { return Key{l.addr.v, l.port, r.addr.v, r.port}; }
    TcpListener* find_listener(Endpoint local) const;

    // RFC 9293 3.10.7.4 TIME-WAIT, kept as the few fields answering a segment needs instead of
    // a whole connection (Linux's inet_timewait_sock does the same).
    struct TimeWait {
        SeqNum snd_nxt, rcv_nxt;
        uint32_t ts_recent = 0, ts_offset = 0;
        bool ts = false;
        Instant expires;
        std::optional<Instant> last_ack;
    };
    bool timewait_input(Instant now, const Key& k, const TcpRepr& seg, Ipv4Addr src, Ipv4Addr dst);
    void timewait_expire(Instant now);

    TcpConfig cfg_;
    IsnGenerator isn_;
    MemoryBudget budget_;
    std::map<Key, std::shared_ptr<TcpSocket>> conns_;
    std::map<Key, TimeWait> tw_;
    std::set<std::pair<Instant, Key>> tw_expiry_;
    size_t orphans_ = 0;  // counted by reap()
    std::vector<std::shared_ptr<TcpListener>> listeners_;
    std::vector<TcpOut> out_;  // RSTs for segments that matched nothing
    Key cursor_{};
    size_t listener_cursor_ = 0;
    TcpCounters reaped_;
    TcpMuxCounters ctr_;
    static constexpr size_t kMaxOut = 256;
};

// A netstat-like table: "Proto Local Remote State Send-Q Recv-Q cwnd ssthresh srtt rto retrans".
std::string tcp_netstat_table(const std::vector<TcpConnRow>& rows);

// RFC 9293 3.10.7.1: the reset for a segment that reached no connection (nothing for an RST).
std::optional<TcpRepr> tcp_reset_for(const TcpRepr& seg);

}  // namespace nic
