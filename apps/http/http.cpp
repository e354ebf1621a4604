// See http.h. Section references are to RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 (semantics).
#include "http.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nic {

namespace {

std::string lower(std::string s) {
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// Header fields of a message head (after the start line): name -> value, names lower-cased
// (RFC 9110 5.1: case-insensitive). false on a line without a colon (RFC 9112 5).
bool parse_fields(const std::string& head, size_t from, std::map<std::string, std::string>& out) {
    while (from < head.size()) {
        size_t eol = head.find("\r\n", from);
        if (eol == std::string::npos) eol = head.size();
        std::string line = head.substr(from, eol - from);
        from = eol + 2;
        if (line.empty()) continue;
        size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0) return false;
        out[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    return true;
}

bool parse_u64(const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 15 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
    v = std::stoull(s);
    return true;
}

std::string sha256_hex(crypto_hash_sha256_state& st) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    char out[2 * sizeof h + 1];
    for (size_t i = 0; i < sizeof h; ++i) std::snprintf(out + 2 * i, 3, "%02x", h[i]);
    return out;
}

constexpr uint64_t kMaxBody = 64ull << 20;  // generated or file bodies are built in memory

}  // namespace

// ------------------------------------------------------------------------------------------------
// Server

HttpServer::~HttpServer() {
    for (auto& c : conns_) api_.close(c.fd);
    if (lfd_ >= 0) api_.close(lfd_);
}

int HttpServer::start() {
    lfd_ = api_.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (lfd_ < 0) return api_.error();
    int one = 1;
    api_.setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), cfg_.port});
    if (api_.bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || api_.listen(lfd_, 16) != 0) {
        int e = api_.error();
        api_.close(lfd_);
        lfd_ = -1;
        return e;
    }
    return 0;
}

void HttpServer::respond(Conn& c, int status, const std::string& reason, const std::string& body, bool head,
                         const std::string& type) {
    std::ostringstream o;
    // RFC 9112 6.3: Content-Length frames the body, so the connection can carry the next request.
    o << "HTTP/1.1 " << status << " " << reason << "\r\nServer: nichttpd\r\nContent-Type: " << type
      << "\r\nContent-Length: " << body.size() << "\r\n";
    if (status == 405) o << "Allow: GET, HEAD\r\n";
    if (c.close_after) o << "Connection: close\r\n";
    o << "\r\n";
    c.out += o.str();
    if (!head) {
        c.out += body;
        stats_.body_bytes += body.size();
    }
    if (status < 300)
        ++stats_.responses_2xx;
    else
        ++stats_.responses_4xx;
}

bool HttpServer::handle(Conn& c) {
    size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (c.in.size() > cfg_.max_request) {
            c.close_after = true;
            respond(c, 431, "Request Header Fields Too Large", "request head too large\n", false);
            c.in.clear();
        }
        return false;
    }
    std::string head = c.in.substr(0, end + 2);
    size_t sl = head.find("\r\n");
    std::string start = head.substr(0, sl);
    std::map<std::string, std::string> h;
    // RFC 9112 3: method SP request-target SP HTTP-version.
    size_t s1 = start.find(' '), s2 = start.rfind(' ');
    bool ok = s1 != std::string::npos && s2 != s1 && parse_fields(head, sl + 2, h);
    std::string method = ok ? start.substr(0, s1) : "", target = ok ? start.substr(s1 + 1, s2 - s1 - 1) : "",
                version = ok ? start.substr(s2 + 1) : "";
    uint64_t req_body = 0;
    if (h.count("content-length") && !parse_u64(h["content-length"], req_body)) ok = false;
    if (ok && c.in.size() < end + 4 + req_body) return false;  // wait for the (ignored) request body
    c.in.erase(0, std::min(c.in.size(), size_t(end + 4 + req_body)));
    ++stats_.requests;
    std::string conn_hdr = lower(h["connection"]);
    // RFC 9112 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
    if (conn_hdr.find("close") != std::string::npos || (version == "HTTP/1.0" && conn_hdr.find("keep-alive") == std::string::npos))
        c.close_after = true;
    if (!ok || (version != "HTTP/1.1" && version != "HTTP/1.0") || target.empty() || target[0] != '/') {
        c.close_after = true;
        respond(c, 400, "Bad Request", "bad request\n", false);
        return true;
    }
    bool head_only = method == "HEAD";
    if (method != "GET" && !head_only) {
        respond(c, 405, "Method Not Allowed", "only GET and HEAD\n", false);
        return true;
    }
    std::string path = target.substr(0, target.find('?'));
    uint64_t n = 0;
    if (path.rfind("/gen/", 0) == 0) {
        if (!parse_u64(path.substr(5), n) || n > kMaxBody) {
            respond(c, 404, "Not Found", "no such generated body (at most 64 MiB)\n", head_only);
            return true;
        }
        std::string body(size_t(n), 'a');
        for (size_t i = 0; i < body.size(); ++i) body[i] = char('a' + i % 26);
        respond(c, 200, "OK", body, head_only);
        return true;
    }
    if (path == "/") path = "/index.html";
    // No "..", no hidden files, nothing outside the root.
    if (cfg_.root.empty() || path.find("/.") != std::string::npos) {
        respond(c, 404, "Not Found", "not found\n", head_only);
        return true;
    }
    std::ifstream f(cfg_.root + path, std::ios::binary);
    std::string body;
    if (f) {
        std::ostringstream ss;
        ss << f.rdbuf();
        body = ss.str();
    }
    if (!f || body.size() > kMaxBody) {
        respond(c, 404, "Not Found", "not found\n", head_only);
        return true;
    }
    bool html = path.size() > 5 && path.substr(path.size() - 5) == ".html";
    respond(c, 200, "OK", body, head_only, html ? "text/html" : "application/octet-stream");
    return true;
}

bool HttpServer::step() {
    if (lfd_ < 0) return false;
    bool did = false;
    while (conns_.size() < cfg_.max_connections) {
        int fd = api_.accept(lfd_, nullptr, nullptr);
        if (fd < 0) break;
        api_.set_nonblocking(fd, true);
        Conn c;
        c.fd = fd;
        conns_.push_back(std::move(c));
        ++stats_.connections;
        did = true;
    }
    char buf[8192];
    for (size_t i = 0; i < conns_.size();) {
        Conn& c = conns_[i];
        bool dead = false;
        while (!c.peer_done && c.in.size() <= cfg_.max_request + kMaxBody) {
            long n = api_.recv(c.fd, buf, sizeof buf, 0);
            if (n > 0) {
                c.in.append(buf, size_t(n));
                did = true;
            } else if (n == 0) {
                c.peer_done = did = true;
            } else {
                if (api_.error() != EAGAIN) dead = true;
                break;
            }
        }
        // One response at a time, in order (RFC 9112 9.3: responses in request order).
        while (!dead && c.out_off == c.out.size() && !c.close_after && handle(c)) {
            did = true;
            if (!c.out.empty()) break;
        }
        while (!dead && c.out_off < c.out.size()) {
            long n = api_.send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, 0);
            if (n > 0) {
                c.out_off += size_t(n);
                did = true;
            } else {
                if (api_.error() != EAGAIN) dead = true;
                break;
            }
        }
        if (c.out_off == c.out.size()) {
            c.out.clear();
            c.out_off = 0;
        }
        bool finished = c.out.empty() && (c.close_after || (c.peer_done && c.in.find("\r\n\r\n") == std::string::npos));
        if (dead || finished) {
            api_.close(c.fd);  // FIN after the queued response (RFC 9293 3.10.4)
            conns_.erase(conns_.begin() + long(i));
            did = true;
            continue;
        }
        ++i;
    }
    return did;
}

// ------------------------------------------------------------------------------------------------
// Client

bool parse_http_url(const std::string& s, HttpUrl& u) {
    const std::string scheme = "http://";
    if (s.compare(0, scheme.size(), scheme) != 0) return false;
    std::string rest = s.substr(scheme.size());
    size_t slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    u.path = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = hostport.find(':');
    auto a = Ipv4Addr::parse(hostport.substr(0, colon));
    if (!a) return false;
    u.host = *a;
    u.port = 80;
    if (colon != std::string::npos) {
        uint64_t p = 0;
        if (!parse_u64(hostport.substr(colon + 1), p) || p < 1 || p > 65535) return false;
        u.port = uint16_t(p);
    }
    return true;
}

HttpResult http_get(SocketApi& api, const HttpUrl& u, FILE* out, Duration timeout, int repeat) {
    HttpResult r;
    if (sodium_init() < 0) {
        r.error = "libsodium init failed";
        return r;
    }
    int fd = api.socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        r.err = api.error();
        return r;
    }
    // Every blocking call below is bounded by the timeout (SO_SNDTIMEO bounds connect too).
    timeval tv{};
    tv.tv_sec = time_t(timeout.ns / 1000000000);
    tv.tv_usec = suseconds_t((timeout.ns % 1000000000) / 1000);
    api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in to = make_sockaddr(Endpoint{u.host, u.port});
    if (api.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        r.err = api.error();
        api.close(fd);
        return r;
    }
    std::string buf;
    char tmp[16384];
    auto fill = [&]() -> long {  // more bytes into buf: count, 0 at end of stream, -1 on error
        long n = api.recv(fd, tmp, sizeof tmp, 0);
        if (n > 0) buf.append(tmp, size_t(n));
        if (n < 0) r.err = api.error() == EAGAIN ? ETIMEDOUT : api.error();
        return n;
    };
    for (int i = 0; i < repeat && r.err == 0 && r.error.empty(); ++i) {
        bool last = i + 1 == repeat;
        std::string req = "GET " + u.path + " HTTP/1.1\r\nHost: " + u.host.str() +
                          (u.port != 80 ? ":" + std::to_string(u.port) : std::string()) +
                          "\r\nUser-Agent: nichttpget\r\nAccept: */*\r\n" + (last ? "Connection: close\r\n" : "") + "\r\n";
        if (api.send(fd, req.data(), req.size(), 0) != long(req.size())) {
            r.err = api.error();
            break;
        }
        size_t end;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
            if (buf.size() > 65536) {
                r.error = "response head too large";
                break;
            }
            long n = fill();
            if (n <= 0) {
                if (n == 0) r.error = "connection closed before a complete response head";
                break;
            }
        }
        if (r.err || !r.error.empty()) break;
        std::string head = buf.substr(0, end + 2);
        buf.erase(0, end + 4);
        size_t sl = head.find("\r\n");
        r.status_line = head.substr(0, sl);
        r.headers.clear();
        // RFC 9112 4: HTTP-version SP status-code SP [reason-phrase].
        if (r.status_line.compare(0, 7, "HTTP/1.") != 0 || r.status_line.size() < 12 ||
            !parse_fields(head, sl + 2, r.headers)) {
            r.error = "malformed response head: " + r.status_line;
            break;
        }
        r.status = std::atoi(r.status_line.c_str() + 9);
        if (lower(r.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
            r.error = "chunked transfer coding is not supported";
            break;
        }
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        uint64_t want = 0;
        bool framed = r.headers.count("content-length") != 0;
        if (framed && !parse_u64(r.headers["content-length"], want)) {
            r.error = "bad Content-Length";
            break;
        }
        uint64_t got = 0;
        // RFC 9112 6.3: with Content-Length the body is exactly that long; without it, the body
        // runs to the end of the connection.
        for (;;) {
            size_t take = framed ? size_t(std::min<uint64_t>(want - got, buf.size())) : buf.size();
            if (take) {
                crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf.data()), take);
                if (last && out) std::fwrite(buf.data(), 1, take, out);
                buf.erase(0, take);
                got += take;
            }
            if (framed && got == want) break;
            long n = fill();
            if (n < 0) break;
            if (n == 0) {
                if (framed) r.error = "connection closed after " + std::to_string(got) + " of " + std::to_string(want) + " body bytes";
                break;
            }
        }
        if (r.err || !r.error.empty()) break;
        r.body_bytes = got;
        r.sha256 = sha256_hex(st);
        ++r.requests;
        if (!framed || lower(r.headers["connection"]) == "close") {
            if (!last) r.error = "server closed the connection after request " + std::to_string(i + 1);
            break;
        }
    }
    api.close(fd);
    return r;
}

}  // namespace nic
