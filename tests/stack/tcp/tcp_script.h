// A packetdrill-style script interpreter for the TCP core, on the virtual clock: a conversation is
// written as segments in (exact fields), segments expected out (exact fields, at an exact time)
// and socket calls in between, so a new case is a few lines. One socket per script, either an
// active open (`connect`) or a listener (`listen`, then `accept`).
//
//   # comment                      time: "0.100" absolute, "+0.040" after the previous line
//   0      config timestamps=0 sack=0 wscale=0 rcvbuf=65535 nodelay=1 ...
//   0      connect                  (or: listen, then accept after the handshake)
//   0      > S 0:0(0) win 65535 <mss 1460>
//   +0.01  < S. 0:0(0) ack 1 win 65535 <mss 1460>
//   +0     > . 1:1(0) ack 1
//   +0     write 1000               (app writes 1000 pattern bytes; `read 500` expects 500)
//   +0     > P. 1:1001(1000) ack 1
//   +0.1   < . 1:1(0) ack 1001 win 0
//   +0     expect state FIN-WAIT-1  (also: expect error ECONNRESET, expect counter NAME N)
//
// Segments: FLAGS SEQ:END(LEN) [ack N] [win N] [<opt,opt,...>]. FLAGS from S F P R and '.' for
// ACK ("S." is SYN-ACK). Sequence numbers are relative, as packetdrill's: ours to our ISS (learnt
// from our first SYN), the peer's to its ISS (its SYN's number is 0). An expected segment checks
// flags, sequence range and ack always; the window and the options only when written. Options:
// mss N, wscale N, sackOK, nop (ignored), TS val N|* ecr N|*, sack A:B ... (relative to the peer).
// Between lines the clock runs to the line's time: a segment the socket sends before an
// expected one, or one not expected at all, is an error, and so is an expected one that does not
// come at its time. The run ends with a check that nothing else went out.
#pragma once

#include "tcp/tcp_listener.h"
#include "tcp/tcp_socket.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace nic::test {

class TcpScript {
public:
    // Runs the script text; returns "" on success or the failure with the line and a trace.
    std::string run(const std::string& text, const std::string& name = "script") {
        std::istringstream in(text);
        std::string line;
        int n = 0;
        try {
            while (std::getline(in, line)) {
                ++n;
                line_ = n;
                auto hash = line.find('#');
                if (hash != std::string::npos) line.erase(hash);
                if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
                step(line);
            }
            finish();
        } catch (const std::string& e) {
            return name + ":" + std::to_string(line_) + ": " + e + "\n-- trace --\n" + trace_;
        }
        return "";
    }
    static std::string run_file(const std::string& path) {
        std::ifstream f(path);
        if (!f) return path + ": cannot read the script";
        std::stringstream ss;
        ss << f.rdbuf();
        TcpScript s;
        return s.run(ss.str(), path);
    }
    const std::string& trace() const { return trace_; }

private:
    static constexpr uint32_t kPeerIss = 5000;
    static constexpr uint32_t kOurIssActive = 1000;

    [[noreturn]] void fail(const std::string& why) { throw why; }

    static std::vector<std::string> words(const std::string& s) {
        std::vector<std::string> w;
        std::istringstream in(s);
        for (std::string t; in >> t;) w.push_back(t);
        return w;
    }
    static uint64_t num(const std::string& s, const char* what) {
        char* end = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(s.c_str(), &end, 10);
        if (s.empty() || *end || errno) throw std::string("bad ") + what + " '" + s + "'";
        return v;
    }
    Instant at(double s) const { return Instant{kEpoch.ns + int64_t(s * 1e9 + (s >= 0 ? 0.5 : -0.5))}; }
    double rel_s(Instant t) const { return double(t.ns - kEpoch.ns) / 1e9; }
    std::string when(Instant t) const {
        char b[32];
        std::snprintf(b, sizeof b, "%.6f", rel_s(t));
        return b;
    }

    void step(const std::string& line) {
        auto w = words(line);
        // Time.
        double t = 0;
        const std::string& ts = w[0];
        try {
            t = ts[0] == '+' ? rel_s(last_) + std::stod(ts.substr(1)) : std::stod(ts);
        } catch (...) {
            fail("bad time '" + ts + "'");
        }
        Instant target = at(t);
        if (target < now_) fail("time " + ts + " goes backwards");
        if (w.size() < 2) fail("nothing to do at " + ts);
        std::vector<std::string> rest(w.begin() + 1, w.end());
        const std::string& verb = rest[0];
        if (verb == ">") {
            expect_out(target, rest);
        } else {
            run_until(target, true);
            if (verb == "<")
                inject(rest);
            else
                call(rest);
        }
        last_ = target;
    }

    TcpSocket* sock() {
        if (!sock_) fail("no socket yet (connect, or listen then accept)");
        return sock_.get();
    }

    // Advances the clock to `target`, collecting what the socket sends; with `strict`, anything
    // sent on the way is an error (it was not expected).
    void run_until(Instant target, bool strict) {
        for (;;) {
            collect();
            if (!pending_.empty() && strict) {
                fail("unexpected segment at " + when(pending_.front().at) + ": " + show(pending_.front().r));
            }
            Instant next = deadline();
            if (next > target || next.is_max()) break;
            if (next <= now_) {
                // Due now but nothing came out: move on a tick so a stuck timer cannot spin.
                if (pending_.empty()) {
                    now_ = now_ + Duration::from_ns(1);
                    if (now_ > target) now_ = target;
                    if (now_ == target) break;
                }
                continue;
            }
            now_ = next;
        }
        if (now_ < target) now_ = target;
        collect();
        if (!pending_.empty() && strict)
            fail("unexpected segment at " + when(pending_.front().at) + ": " + show(pending_.front().r));
    }
    Instant deadline() const {
        Instant t = Instant::max();
        if (sock_) t = min(t, sock_->next_deadline());
        if (listener_) t = min(t, listener_->next_deadline());
        return t;
    }
    void collect() {
        auto take = [&](const TcpRepr& r) {
            Out o{r, r.payload.to_vector(), now_};
            o.r.payload = {};
            trace_ += when(now_) + " > " + show(o.r, o.data.size()) + "\n";
            pending_.push_back(std::move(o));
        };
        for (int guard = 0; guard < 100000; ++guard) {
            bool any = false;
            if (listener_)
                while (auto o = listener_->poll_transmit(now_)) take(o->repr), any = true;
            if (sock_)
                while (auto r = sock_->poll_transmit(now_)) take(*r), any = true;
            if (!any) return;
        }
        fail("the socket sends without end");
    }

    struct Out {
        TcpRepr r;
        std::vector<uint8_t> data;
        Instant at;
    };

    // ---- segments
    struct Spec {
        uint8_t flags = 0;
        uint32_t seq = 0, end = 0, len = 0;
        std::optional<uint32_t> ack, win;
        bool has_opts = false;
        TcpOptions opts;
        bool ts_val_any = false, ts_ecr_any = false;
    };
    Spec parse_seg(const std::vector<std::string>& w) {
        // w[0] is "<" or ">"
        if (w.size() < 3) fail("a segment needs FLAGS and SEQ:END(LEN)");
        Spec s;
        for (char c : w[1]) {
            switch (c) {
                case 'S': s.flags |= TcpFlags::kSyn; break;
                case 'F': s.flags |= TcpFlags::kFin; break;
                case 'P': s.flags |= TcpFlags::kPsh; break;
                case 'R': s.flags |= TcpFlags::kRst; break;
                case '.': s.flags |= TcpFlags::kAck; break;
                default: fail(std::string("bad flag '") + c + "' in '" + w[1] + "'");
            }
        }
        const std::string& r = w[2];
        auto colon = r.find(':'), open = r.find('('), close = r.find(')');
        if (colon == std::string::npos || open == std::string::npos || close != r.size() - 1)
            fail("bad sequence range '" + r + "' (want SEQ:END(LEN))");
        s.seq = uint32_t(num(r.substr(0, colon), "sequence number"));
        s.end = uint32_t(num(r.substr(colon + 1, open - colon - 1), "end"));
        s.len = uint32_t(num(r.substr(open + 1, close - open - 1), "length"));
        if (s.end - s.seq != s.len) fail("range " + r + ": END - SEQ != LEN");
        size_t i = 3;
        while (i < w.size()) {
            if (w[i] == "ack" && i + 1 < w.size()) {
                s.ack = uint32_t(num(w[i + 1], "ack"));
                i += 2;
            } else if (w[i] == "win" && i + 1 < w.size()) {
                s.win = uint32_t(num(w[i + 1], "window"));
                i += 2;
            } else if (w[i][0] == '<') {
                std::string o;
                for (; i < w.size(); ++i) o += (o.empty() ? "" : " ") + w[i];
                parse_opts(o, s);
            } else {
                fail("unexpected '" + w[i] + "' in a segment");
            }
        }
        return s;
    }
    void parse_opts(std::string o, Spec& s) {
        if (o.front() != '<' || o.back() != '>') fail("options must be <...>: " + o);
        s.has_opts = true;
        o = o.substr(1, o.size() - 2);
        std::stringstream ss(o);
        for (std::string item; std::getline(ss, item, ',');) {
            auto w = words(item);
            if (w.empty()) continue;
            if (w[0] == "mss" && w.size() == 2) {
                s.opts.mss = uint16_t(num(w[1], "mss"));
            } else if (w[0] == "wscale" && w.size() == 2) {
                s.opts.wscale = uint8_t(num(w[1], "wscale"));
            } else if (w[0] == "sackOK" && w.size() == 1) {
                s.opts.sack_permitted = true;
            } else if (w[0] == "nop" || w[0] == "eol") {
            } else if (w[0] == "TS" && w.size() == 5 && w[1] == "val" && w[3] == "ecr") {
                TcpTimestamp t;
                if (w[2] == "*") s.ts_val_any = true; else t.val = uint32_t(num(w[2], "TS val"));
                if (w[4] == "*") s.ts_ecr_any = true; else t.ecr = uint32_t(num(w[4], "TS ecr"));
                s.opts.ts = t;
            } else if (w[0] == "sack") {
                for (size_t k = 1; k < w.size(); ++k) {
                    auto c = w[k].find(':');
                    if (c == std::string::npos || s.opts.sack_count >= 4) fail("bad sack block '" + w[k] + "'");
                    s.opts.sack[s.opts.sack_count++] =
                        SackBlock{SeqNum(uint32_t(num(w[k].substr(0, c), "sack"))), SeqNum(uint32_t(num(w[k].substr(c + 1), "sack")))};
                }
            } else {
                fail("unknown option '" + item + "'");
            }
        }
    }

    void inject(const std::vector<std::string>& w) {
        Spec s = parse_seg(w);
        TcpRepr r;
        r.src_port = remote_.port;
        r.dst_port = local_.port;
        r.flags = TcpFlags(s.flags);
        r.seq = SeqNum(kPeerIss + s.seq);
        r.ack = s.ack ? iss_ + *s.ack : SeqNum(0);
        r.window = uint16_t(s.win.value_or(65535));
        r.options = s.opts;
        for (uint8_t k = 0; k < r.options.sack_count; ++k)
            r.options.sack[k] = SackBlock{iss_ + r.options.sack[k].left.v, iss_ + r.options.sack[k].right.v};
        payload_.assign(s.len, 0);
        for (uint32_t k = 0; k < s.len; ++k) payload_[k] = uint8_t(s.seq + k);
        r.payload = ConstBytes(payload_.data(), payload_.size());
        trace_ += when(now_) + " < " + show(r, s.len) + "\n";
        if (listener_ && (!sock_ || !sock_->is_open() || sock_->state() == TcpState::Closed)) {
            auto c = listener_->on_segment(now_, remote_.addr, local_.addr, r);
            if (c) sock_shared_ = c;
        } else {
            sock()->on_segment(now_, r);
        }
        collect();
    }

    void expect_out(Instant target, const std::vector<std::string>& w) {
        Spec s = parse_seg(w);
        run_until(target, false);
        if (pending_.empty()) fail("expected " + spec_str(w) + " at " + when(target) + ", nothing was sent");
        Out o = pending_.front();
        pending_.erase(pending_.begin());
        if (o.at < target)
            fail("segment sent at " + when(o.at) + ", expected at " + when(target) + ": " + show(o.r, o.data.size()));
        if (o.r.flags.syn() && !iss_known_) {
            iss_ = o.r.seq - s.seq;
            iss_known_ = true;
        }
        std::string got = show(o.r, o.data.size());
        auto mismatch = [&](const std::string& what) { fail(what + ": expected " + spec_str(w) + ", got " + got); };
        if (o.r.flags.bits != s.flags) mismatch("flags");
        if (uint32_t(o.r.seq - iss_) != s.seq) mismatch("sequence number");
        if (o.data.size() != s.len) mismatch("length");
        if (s.ack && uint32_t(o.r.ack - SeqNum(kPeerIss)) != *s.ack) mismatch("ack");
        if (!s.ack && o.r.flags.ack()) mismatch("ack (the script says no ACK)");
        if (s.win && o.r.window != *s.win) mismatch("window");
        if (s.has_opts) {
            TcpOptions want = s.opts, have = o.r.options;
            if (s.ts_val_any && have.ts && want.ts) want.ts->val = have.ts->val;
            if (s.ts_ecr_any && have.ts && want.ts) want.ts->ecr = have.ts->ecr;
            for (uint8_t k = 0; k < want.sack_count; ++k)
                want.sack[k] = SackBlock{SeqNum(kPeerIss) + want.sack[k].left.v, SeqNum(kPeerIss) + want.sack[k].right.v};
            if (!(want == have)) mismatch("options");
        }
        // The payload is the pattern the app wrote.
        for (size_t k = 0; k < o.data.size(); ++k)
            if (o.data[k] != uint8_t(uint32_t(o.r.seq - iss_) - 1 + k)) mismatch("payload byte " + std::to_string(k));
        now_ = target;
    }

    // ---- socket calls
    void call(const std::vector<std::string>& w) {
        const std::string& v = w[0];
        auto arg = [&](size_t i, const char* what) -> const std::string& {
            if (i >= w.size()) fail(std::string(v) + " needs " + what);
            return w[i];
        };
        trace_ += when(now_) + " " + spec_str(w) + "\n";
        if (v == "config") {
            if (sock_ || listener_) fail("config before connect/listen");
            for (size_t i = 1; i < w.size(); ++i) set_config(w[i]);
        } else if (v == "connect") {
            sock_shared_ = std::make_shared<TcpSocket>(cfg_);
            iss_ = SeqNum(kOurIssActive);
            iss_known_ = true;
            if (int e = sock_->connect(now_, local_, remote_, iss_); e != 0) fail("connect: " + std::to_string(e));
        } else if (v == "listen") {
            listener_ = std::make_unique<TcpListener>(cfg_, local_, 8, &isn_);
        } else if (v == "accept") {
            if (!listener_) fail("accept without listen");
            auto c = listener_->accept();
            if (!c) fail("accept: nothing established");
            sock_shared_ = c;
        } else if (v == "write") {
            uint64_t n = num(arg(1, "a byte count"), "count");
            std::vector<uint8_t> d(n);
            for (uint64_t k = 0; k < n; ++k) d[k] = uint8_t(written_ + k);
            long r = sock()->send(now_, ConstBytes(d.data(), d.size()));
            if (r != long(n)) fail("write " + std::to_string(n) + " returned " + std::to_string(r));
            written_ += n;
        } else if (v == "read") {
            uint64_t n = num(arg(1, "a byte count"), "count");
            std::vector<uint8_t> d(n + 1);
            long r = sock()->recv(now_, MutBytes(d.data(), d.size()));
            if (r != long(n)) fail("read returned " + std::to_string(r) + ", expected " + std::to_string(n));
        } else if (v == "close") {
            sock()->close(now_);
        } else if (v == "shutdown") {
            sock()->shutdown(now_, false, true);
        } else if (v == "expect") {
            const std::string& what = arg(1, "state|error|counter");
            if (what == "state") {
                std::string want = arg(2, "a state"), got = to_string(sock()->state());
                if (got != want) fail("state " + got + ", expected " + want);
            } else if (what == "error") {
                std::string want = arg(2, "an errno name");
                int e = sock()->error();
                std::string got = e == 0 ? "0" : errno_name(e);
                if (got != want) fail("error " + got + ", expected " + want);
            } else if (what == "counter") {
                std::string name = arg(2, "a counter name");
                uint64_t want = num(arg(3, "a value"), "value");
                bool found = false;
                uint64_t got = 0;
                sock()->counters().for_each([&](const char* n, uint64_t val) {
                    if (name == n) found = true, got = val;
                });
                if (!found) fail("no counter '" + name + "'");
                if (got != want) fail("counter " + name + " = " + std::to_string(got) + ", expected " + std::to_string(want));
            } else {
                fail("expect what? '" + what + "'");
            }
        } else {
            fail("unknown call '" + v + "'");
        }
        collect();
    }
    void set_config(const std::string& kv) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) fail("config wants name=value, got '" + kv + "'");
        std::string k = kv.substr(0, eq);
        uint64_t v = num(kv.substr(eq + 1), "config value");
        if (k == "timestamps") cfg_.timestamps = v;
        else if (k == "sack") cfg_.sack = v;
        else if (k == "wscale") cfg_.window_scale = v;
        else if (k == "rcvbuf") cfg_.rcvbuf = v;
        else if (k == "sndbuf") cfg_.sndbuf = v;
        else if (k == "nodelay") cfg_.nodelay = v;
        else if (k == "delayed_ack") cfg_.delayed_ack = v;
        else if (k == "ack_delay_ms") cfg_.ack_delay = Duration::from_ms(int64_t(v));
        else if (k == "mtu") cfg_.mtu = uint16_t(v);
        else if (k == "iw") cfg_.initial_window_segments = uint32_t(v);
        else if (k == "min_rto_ms") cfg_.rtt.min_rto = Duration::from_ms(int64_t(v));
        else if (k == "challenge_ack_limit") cfg_.challenge_ack_limit = uint32_t(v);
        else if (k == "syn_cookies") cfg_.syn_cookies = v;
        else fail("unknown config '" + k + "'");
    }
    static std::string errno_name(int e) {
        switch (e) {
            case ECONNRESET: return "ECONNRESET";
            case ECONNREFUSED: return "ECONNREFUSED";
            case ETIMEDOUT: return "ETIMEDOUT";
            case EPIPE: return "EPIPE";
            case EHOSTUNREACH: return "EHOSTUNREACH";
            default: return std::to_string(e);
        }
    }
    std::string show(const TcpRepr& r, size_t len = 0) const {
        uint32_t seq = uint32_t(r.seq - (r.src_port == local_.port ? iss_ : SeqNum(kPeerIss)));
        uint32_t ack = uint32_t(r.ack - (r.src_port == local_.port ? SeqNum(kPeerIss) : iss_));
        std::string f = r.flags.str();
        char b[160];
        std::snprintf(b, sizeof b, "%s %u:%u(%zu)%s win %u", f.c_str(), seq, uint32_t(seq + len), len,
                      r.flags.ack() ? (" ack " + std::to_string(ack)).c_str() : "", r.window);
        TcpRepr opts_only = r;
        opts_only.payload = {};
        std::string full = opts_only.str();
        auto lt = full.find('<');
        return std::string(b) + (lt != std::string::npos ? " " + full.substr(lt) : "");
    }
    static std::string spec_str(const std::vector<std::string>& w) {
        std::string s;
        for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
        return s;
    }
    void finish() {
        collect();
        if (!pending_.empty()) fail("unexpected segment at the end: " + show(pending_.front().r, pending_.front().data.size()));
    }

    static constexpr Instant kEpoch{1000000000};
    TcpConfig cfg_ = [] {
        TcpConfig c;
        c.timestamps = c.sack = c.window_scale = false;
        c.rcvbuf = 65535;
        return c;
    }();
    IsnGenerator isn_{1};
    Endpoint local_{Ipv4Addr(192, 0, 2, 1), 8080}, remote_{Ipv4Addr(192, 0, 2, 2), 40000};
    Instant now_ = kEpoch, last_ = kEpoch;
    int line_ = 0;
    std::shared_ptr<TcpSocket> sock_shared_;
    std::shared_ptr<TcpSocket>& sock_ = sock_shared_;
    std::unique_ptr<TcpListener> listener_;
    SeqNum iss_{0};
    bool iss_known_ = false;
    uint64_t written_ = 0;
    std::vector<uint8_t> payload_;
    std::vector<Out> pending_;
    std::string trace_;
};

}  // namespace nic::test
