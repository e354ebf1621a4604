// A minimal HTTP/1.1 (RFC 9112) server and client over the stack's socket API, the seed's
// request/response example: GET of files or generated bodies, Content-Length framing, persistent
// connections (keep-alive is the HTTP/1.1 default; "Connection: close" ends one).
//   server: HttpServer::step() as a Runner task (non-blocking; many connections at once)
//   client: http_get() blocking, with a deadline
#pragma once

#include "api/sockets.h"

#include <sodium.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace nic {

struct HttpServerConfig {
    uint16_t port = 80;
    std::string root;               // files are served from here ("" = generated bodies only)
    size_t max_request = 8192;      // request head bytes before 431
    size_t max_connections = 64;
};

struct HttpServerStats {
    uint64_t connections = 0, requests = 0, responses_2xx = 0, responses_4xx = 0, body_bytes = 0;
};

// GET /gen/N         N bytes of a fixed pattern (byte i = 'a' + i % 26), text/plain
// GET /<path>        the file root/<path> (no "..", no hidden files); "/" -> index.html
// HEAD likewise without the body; other methods 405; malformed 400.
class HttpServer {
public:
    HttpServer(SocketApi& api, HttpServerConfig cfg) : api_(api), cfg_(std::move(cfg)) {}
    ~HttpServer();
    int start();   // 0 or errno (bind/listen)
    bool step();   // non-blocking progress; true if anything happened
    const HttpServerStats& stats() const { return stats_; }
    size_t open_connections() const { return conns_.size(); }

private:
    struct Conn {
        int fd = -1;
        std::string in;        // request bytes not yet handled
        std::string out;       // response bytes not yet sent
        size_t out_off = 0;
        bool close_after = false, peer_done = false;
    };
    bool handle(Conn& c);      // parses one request from c.in if complete; false if none
    void respond(Conn& c, int status, const std::string& reason, const std::string& body, bool head,
                 const std::string& type = "text/plain");

    SocketApi& api_;
    HttpServerConfig cfg_;
    int lfd_ = -1;
    std::vector<Conn> conns_;
    HttpServerStats stats_;
};

struct HttpUrl {
    Ipv4Addr host;
    uint16_t port = 80;
    std::string path = "/";
};
// "http://A.B.C.D[:PORT][/path]"; false if not that shape (names need a resolver: not here).
bool parse_http_url(const std::string& s, HttpUrl& u);

struct HttpResult {
    int err = 0;                 // errno of a socket failure (ECONNREFUSED, ETIMEDOUT, ...), else 0
    std::string error;           // protocol problem, else ""
    int status = 0;
    std::string status_line;
    std::map<std::string, std::string> headers;  // names lower-cased
    uint64_t body_bytes = 0;
    std::string sha256;
    int requests = 0;            // GETs answered on the one connection (keep-alive)
};

// GETs `u` `repeat` times over one persistent connection; the last body goes to `out` (may be
// null). Bodies are framed by Content-Length, or by the end of the connection without it.
HttpResult http_get(SocketApi& api, const HttpUrl& u, FILE* out, Duration timeout, int repeat = 1);

}  // namespace nic
