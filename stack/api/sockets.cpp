// BSD-style socket API and the datagram protocols' operations (UDP, ICMP echo).
//   app -> SocketApi::sendto -> DatagramOps::sendto -> Stack::udp_send | Stack::icmp_echo_send
//   Stack::udp_input -> DatagramSocket::enqueue ... SocketApi::recvfrom -> DatagramOps::recvfrom
// Errors travel as -errno from the ops and end in SocketApi::error(); nothing throws or aborts.
#include "api/sockets.h"

#include "wire/icmp.h"
#include "wire/udp.h"

#include <netinet/ip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace nic {

sockaddr_in make_sockaddr(Endpoint ep) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(ep.port);
    sa.sin_addr.s_addr = htonl(ep.addr.v);
    return sa;
}

Endpoint from_sockaddr(const sockaddr_in& sa) { return Endpoint{Ipv4Addr(ntohl(sa.sin_addr.s_addr)), ntohs(sa.sin_port)}; }

namespace {

// UDP (RFC 768) and ICMP echo sockets share the datagram queue and the binding rules; they differ in
// what a "port" is (UDP port vs echo identifier) and how a message is sent.
class DatagramOps : public ProtocolOps {
public:
    explicit DatagramOps(SockKind k) : kind_(k) {}
    SockKind kind() const override { return kind_; }
    std::unique_ptr<Socket> create() override { return std::make_unique<DatagramSocket>(kind_); }

    int bind(Stack& st, int h, Endpoint local) override {
        Socket* s = st.socket(h);
        if (s->bound) return -EINVAL;
        if (!local.addr.is_unspecified() && !st.is_local_address(local.addr) && !st.is_broadcast_address(local.addr))
            return -EADDRNOTAVAIL;
        if (local.port == 0) {
            local.port = st.alloc_port(kind_, local.addr);
            if (local.port == 0) return -EADDRINUSE;
        } else if (st.port_in_use(kind_, local, h)) {
            // SO_REUSEADDR on every socket sharing the port lets them coexist (most specific wins).
            bool all_reuse = s->reuse_addr;
            for (size_t i = 0; all_reuse && i < st.socket_capacity(); ++i) {
                Socket* o = st.socket(int(i));
                if (o && int(i) != h && o->kind == kind_ && o->bound && o->local.port == local.port && !o->reuse_addr)
                    all_reuse = false;
            }
            if (!all_reuse) return -EADDRINUSE;
        }
        s->local = local;
        s->bound = true;
        return 0;
    }

    int autobind(Stack& st, int h) {
        Socket* s = st.socket(h);
        return s->bound ? 0 : bind(st, h, Endpoint{Ipv4Addr::any(), 0});
    }

    int connect(Stack& st, Instant, int h, Endpoint remote) override {
        Socket* s = st.socket(h);
        if (remote.addr.is_unspecified() || (kind_ == SockKind::Udp && remote.port == 0)) return -EINVAL;
        auto src = st.source_for(remote.addr);
        if (!src) return -ENETUNREACH;
        if (st.is_broadcast_address(remote.addr) && !s->broadcast) return -EACCES;
        if (int rc = autobind(st, h)) return rc;
        // Linux fixes the local address at connect: the netstat row then shows it (not 0.0.0.0).
        if (s->local.addr.is_unspecified()) s->local.addr = *src;
        s->remote = remote;
        s->connected = true;
        return 0;
    }

    int disconnect(Stack& st, int h) override {
        Socket* s = st.socket(h);
        s->connected = false;
        s->remote = Endpoint{};
        return 0;
    }

    long sendto(Stack& st, Instant now, int h, ConstBytes data, const Endpoint* dst, int) override {
        Socket* s = st.socket(h);
        if (s->so_error) {  // an asynchronous error (ARP failure, ICMP) is reported once, here or in recv
            int e = s->so_error;
            s->so_error = 0;
            return -e;
        }
        if (s->shut_wr) return -EPIPE;
        Endpoint to;
        if (dst)
            to = *dst;
        else if (s->connected)
            to = s->remote;
        else
            return -EDESTADDRREQ;
        if (int rc = autobind(st, h)) return rc;
        Endpoint from = s->local;
        if (st.is_broadcast_address(from.addr)) from.addr = Ipv4Addr::any();
        int rc;
        if (kind_ == SockKind::Udp) {
            rc = st.udp_send(now, h, from, to, data);
        } else {
            // Ping socket (Linux semantics): the caller writes an ICMP echo request header and data;
            // the stack sets the identifier to the socket's "port" and computes the checksum.
            if (data.size < kIcmpHeaderLen || data[0] != kIcmpEchoRequest || data[1] != 0) return -EINVAL;
            rc = st.icmp_echo_send(now, h, from.addr, to.addr, s->local.port, rd16(data.data + 6),
                                   data.sub(kIcmpHeaderLen));
        }
        return rc < 0 ? rc : long(data.size);
    }

    long recvfrom(Stack& st, Instant, int h, MutBytes buf, Endpoint* from, int flags) override {
        auto* s = static_cast<DatagramSocket*>(st.socket(h));
        if (s->so_error) {
            int e = s->so_error;
            s->so_error = 0;
            return -e;
        }
        if (s->rxq.empty()) return s->shut_rd ? 0 : -EAGAIN;
        const Datagram& d = s->rxq.front();
        size_t n = std::min(buf.size, d.data.size());
        if (n) std::memcpy(buf.data, d.data.data(), n);
        if (from) *from = d.from;
        long full = long(d.data.size());
        if (!(flags & MSG_PEEK)) s->dequeue();
        // Excess bytes of a datagram are discarded (POSIX); MSG_TRUNC returns the real length.
        return (flags & MSG_TRUNC) ? full : long(n);
    }

    int shutdown(Stack& st, Instant, int h, int how) override {
        Socket* s = st.socket(h);
        if (how == SHUT_RD || how == SHUT_RDWR) s->shut_rd = true;
        if (how == SHUT_WR || how == SHUT_RDWR) s->shut_wr = true;
        return 0;
    }

    void close(Stack& st, Instant, int h) override { st.remove_socket(h); }

private:
    SockKind kind_;
};

}  // namespace

SocketApi::SocketApi(Stack& stack, Runner& runner) : stack_(stack), runner_(runner) {
    ops_[{SOCK_DGRAM, IPPROTO_UDP}] = std::make_unique<DatagramOps>(SockKind::Udp);
    ops_[{SOCK_DGRAM, IPPROTO_ICMP}] = std::make_unique<DatagramOps>(SockKind::Icmp);
}

void SocketApi::register_protocol(int type, int protocol, std::unique_ptr<ProtocolOps> ops) {
    ops_[{type, protocol}] = std::move(ops);
}

SocketApi::Fd* SocketApi::get(int fd) {
    if (fd < kFirstFd || size_t(fd - kFirstFd) >= fds_.size()) return nullptr;
    Fd* f = &fds_[size_t(fd - kFirstFd)];
    return f->handle >= 0 ? f : nullptr;
}

int SocketApi::handle_of(int fd) const {
    if (fd < kFirstFd || size_t(fd - kFirstFd) >= fds_.size()) return -1;
    return fds_[size_t(fd - kFirstFd)].handle;
}

Socket* SocketApi::socket_of(int fd) const { return stack_.socket(handle_of(fd)); }

int SocketApi::socket_(int domain, int type, int protocol) {
    if (domain != AF_INET) return fail(EAFNOSUPPORT);
    bool nonblock = type & SOCK_NONBLOCK;
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (protocol == 0) protocol = type == SOCK_DGRAM ? IPPROTO_UDP : type == SOCK_STREAM ? IPPROTO_TCP : 0;
    auto it = ops_.find({type, protocol});
    if (it == ops_.end()) {
        // SOCK_STREAM arrives with TCP (next issue): until then it is an unknown protocol.
        bool known_type = type == SOCK_DGRAM || type == SOCK_STREAM;
        return fail(known_type ? EPROTONOSUPPORT : ESOCKTNOSUPPORT);
    }
    // The lowest free descriptor, as POSIX requires of socket()/open().
    size_t slot = 0;
    while (slot < fds_.size() && fds_[slot].handle >= 0) ++slot;
    if (slot >= kMaxFds) return fail(EMFILE);
    if (slot == fds_.size()) fds_.emplace_back();
    int h = stack_.add_socket(it->second->create());
    fds_[slot] = Fd{h, it->second.get(), nonblock, Duration::max(), Duration::max()};
    return int(slot) + kFirstFd;
}

int SocketApi::bind_(int fd, const sockaddr* addr, socklen_t len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!addr || len < socklen_t(sizeof(sockaddr_in))) return fail(EINVAL);
    if (addr->sa_family != AF_INET) return fail(EAFNOSUPPORT);
    int rc = f->ops->bind(stack_, f->handle, from_sockaddr(*reinterpret_cast<const sockaddr_in*>(addr)));
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::connect_(int fd, const sockaddr* addr, socklen_t len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!addr || len < socklen_t(sizeof(sa_family_t))) return fail(EINVAL);
    if (addr->sa_family == AF_UNSPEC) {
        int rc = f->ops->disconnect(stack_, f->handle);
        return rc < 0 ? fail(-rc) : 0;
    }
    if (addr->sa_family != AF_INET) return fail(EAFNOSUPPORT);
    if (len < socklen_t(sizeof(sockaddr_in))) return fail(EINVAL);
    int rc = f->ops->connect(stack_, runner_.now(), f->handle, from_sockaddr(*reinterpret_cast<const sockaddr_in*>(addr)));
    if (rc == -EINPROGRESS && !f->nonblock) {
        // Stream protocols: a blocking connect waits for the handshake (writable) or its error.
        Fd copy = *f;
        if (!wait(copy, copy.sndtimeo, false)) return fail(ETIMEDOUT);
        Socket* s = stack_.socket(copy.handle);
        if (s && s->so_error) {
            int e = s->so_error;
            s->so_error = 0;
            return fail(e);
        }
        return 0;
    }
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::listen_(int fd, int backlog) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    int rc = f->ops->listen(stack_, f->handle, backlog);
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::accept_(int fd, sockaddr* addr, socklen_t* len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    Fd copy = *f;
    for (;;) {
        Endpoint peer;
        int rc = copy.ops->accept(stack_, runner_.now(), copy.handle, &peer);
        if (rc >= 0) {
            size_t slot = 0;
            while (slot < fds_.size() && fds_[slot].handle >= 0) ++slot;
            if (slot >= kMaxFds) {
                copy.ops->close(stack_, runner_.now(), rc);
                return fail(EMFILE);
            }
            if (slot == fds_.size()) fds_.emplace_back();
            fds_[slot] = Fd{rc, copy.ops, false, Duration::max(), Duration::max()};
            if (addr && len && *len >= socklen_t(sizeof(sockaddr_in))) {
                sockaddr_in sa = make_sockaddr(peer);
                std::memcpy(addr, &sa, sizeof sa);
                *len = sizeof sa;
            }
            return int(slot) + kFirstFd;
        }
        if (rc != -EAGAIN || copy.nonblock) return fail(-rc);
        if (!wait(copy, copy.rcvtimeo, true)) return fail(EAGAIN);
    }
}

// ---- traced entry points: the call, then one line if tracing
long SocketApi::traced(const std::string& call, long rc) {
    if (!trace) return rc;
    if (rc < 0 && errno_ == EAGAIN) return rc;  // a non-blocking call that would block: noise
    std::string line = call + " = " + std::to_string(rc);
    if (rc < 0) line += std::string(" ") + std::strerror(errno_);
    trace(line);
    return rc;
}

namespace {
std::string ep_of(const sockaddr* a) {
    if (!a || a->sa_family != AF_INET) return "?";
    return from_sockaddr(*reinterpret_cast<const sockaddr_in*>(a)).str();
}
}  // namespace

int SocketApi::socket(int domain, int type, int protocol) {
    int rc = socket_(domain, type, protocol);
    return int(traced(std::string("socket(") + ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM") + ")", rc));
}
int SocketApi::bind(int fd, const sockaddr* addr, socklen_t len) {
    int rc = bind_(fd, addr, len);
    return int(traced("bind(" + std::to_string(fd) + ", " + ep_of(addr) + ")", rc));
}
int SocketApi::connect(int fd, const sockaddr* addr, socklen_t len) {
    int rc = connect_(fd, addr, len);
    if (rc < 0 && errno_ == EINPROGRESS && trace) trace("connect(" + std::to_string(fd) + ", " + ep_of(addr) + ") = -1 EINPROGRESS: SYN sent");
    else traced("connect(" + std::to_string(fd) + ", " + ep_of(addr) + ")", rc);
    return rc;
}
int SocketApi::listen(int fd, int backlog) {
    int rc = listen_(fd, backlog);
    return int(traced("listen(" + std::to_string(fd) + ", " + std::to_string(backlog) + ")", rc));
}
int SocketApi::accept(int fd, sockaddr* addr, socklen_t* len) {
    int rc = accept_(fd, addr, len);
    return int(traced("accept(" + std::to_string(fd) + ")", rc));
}
long SocketApi::sendto(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen) {
    long rc = sendto_(fd, buf, len, flags, to, tolen);
    return traced("send(" + std::to_string(fd) + ", " + std::to_string(len) + " bytes)", rc);
}
long SocketApi::recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen) {
    long rc = recvfrom_(fd, buf, len, flags, from, fromlen);
    return traced("recv(" + std::to_string(fd) + ", " + std::to_string(len) + ")", rc);
}
int SocketApi::shutdown(int fd, int how) {
    int rc = shutdown_(fd, how);
    return int(traced("shutdown(" + std::to_string(fd) + ", " + (how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR") + ")", rc));
}
int SocketApi::close(int fd) {
    int rc = close_(fd);
    return int(traced("close(" + std::to_string(fd) + ")", rc));
}

long SocketApi::send(int fd, const void* buf, size_t len, int flags) { return sendto(fd, buf, len, flags, nullptr, 0); }

long SocketApi::recv(int fd, void* buf, size_t len, int flags) { return recvfrom(fd, buf, len, flags, nullptr, nullptr); }

long SocketApi::sendto_(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!buf && len) return fail(EFAULT);
    Endpoint dst;
    const Endpoint* pdst = nullptr;
    if (to) {
        if (tolen < socklen_t(sizeof(sockaddr_in))) return fail(EINVAL);
        if (to->sa_family != AF_INET) return fail(EAFNOSUPPORT);
        dst = from_sockaddr(*reinterpret_cast<const sockaddr_in*>(to));
        pdst = &dst;
    }
    Fd copy = *f;
    bool nonblock = copy.nonblock || (flags & MSG_DONTWAIT);
    bool stream = copy.ops->stream();
    size_t done = 0;  // stream: bytes queued so far by this call
    for (;;) {
        long rc = copy.ops->sendto(stack_, runner_.now(), copy.handle,
                                   ConstBytes(static_cast<const uint8_t*>(buf) + done, len - done), pdst, flags);
        if (rc > 0 || (rc == 0 && done >= len)) {
            done += size_t(rc);
            if (!stream || nonblock || done >= len) return long(done);
            continue;  // blocking stream send: queue the rest as the window drains
        }
        if (rc == 0) rc = -EAGAIN;  // nothing fitted: wait for room
        if (stream && done > 0) {
            // A partial stream send that then fails or times out reports what it queued (send(2)).
            if (rc == -EAGAIN && wait(copy, copy.sndtimeo, false)) continue;
            return long(done);
        }
        if (rc != -EAGAIN || nonblock) return fail(int(-rc));
        if (!wait(copy, copy.sndtimeo, false)) return fail(EAGAIN);
    }
}

long SocketApi::recvfrom_(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!buf && len) return fail(EFAULT);
    Fd copy = *f;
    bool nonblock = copy.nonblock || (flags & MSG_DONTWAIT);
    for (;;) {
        Endpoint src;
        long rc = copy.ops->recvfrom(stack_, runner_.now(), copy.handle, MutBytes(static_cast<uint8_t*>(buf), len), &src, flags);
        if (rc >= 0) {
            if (from && fromlen && *fromlen >= socklen_t(sizeof(sockaddr_in))) {
                sockaddr_in sa = make_sockaddr(src);
                std::memcpy(from, &sa, sizeof sa);
                *fromlen = sizeof sa;
            }
            return rc;
        }
        if (rc != -EAGAIN || nonblock) return fail(int(-rc));
        // SO_RCVTIMEO expiry gives EAGAIN, as on Linux.
        if (!wait(copy, copy.rcvtimeo, true)) return fail(EAGAIN);
    }
}

bool SocketApi::wait(const Fd& f, Duration timeout, bool for_read) {
    Instant deadline = runner_.now() + timeout;
    for (;;) {
        Socket* s = stack_.socket(f.handle);
        if (!s) return true;  // closed meanwhile: the retry reports it
        if (s->so_error || (for_read ? s->readable() : s->writable())) return true;
        if (runner_.now() >= deadline) return false;
        if (!runner_.step(deadline)) {
            s = stack_.socket(f.handle);
            if (s && (s->so_error || (for_read ? s->readable() : s->writable()))) return true;
            return false;
        }
    }
}

int SocketApi::shutdown_(int fd, int how) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return fail(EINVAL);
    Socket* s = stack_.socket(f->handle);
    if (s->kind != SockKind::Tcp && !s->connected) return fail(ENOTCONN);
    int rc = f->ops->shutdown(stack_, runner_.now(), f->handle, how);
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::close_(int fd) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    f->ops->close(stack_, runner_.now(), f->handle);
    *f = Fd{};
    return 0;
}

int SocketApi::set_nonblocking(int fd, bool on) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    f->nonblock = on;
    return 0;
}

namespace {
bool get_int(const void* val, socklen_t len, int& out) {
    if (!val || len < socklen_t(sizeof(int))) return false;
    std::memcpy(&out, val, sizeof(int));
    return true;
}
bool get_timeval(const void* val, socklen_t len, Duration& out) {
    if (!val || len < socklen_t(sizeof(timeval))) return false;
    timeval tv;
    std::memcpy(&tv, val, sizeof tv);
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000) return false;
    // A zero timeout means "forever" (SO_RCVTIMEO, socket(7)).
    out = (tv.tv_sec == 0 && tv.tv_usec == 0) ? Duration::max() : Duration::from_s(tv.tv_sec) + Duration::from_us(tv.tv_usec);
    return true;
}
}  // namespace

int SocketApi::setsockopt(int fd, int level, int name, const void* val, socklen_t len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    Socket* s = stack_.socket(f->handle);
    int v = 0;
    if (level == SOL_SOCKET) {
        switch (name) {
            case SO_RCVTIMEO: return get_timeval(val, len, f->rcvtimeo) ? 0 : fail(EINVAL);
            case SO_SNDTIMEO: return get_timeval(val, len, f->sndtimeo) ? 0 : fail(EINVAL);
            default: break;
        }
        if (!get_int(val, len, v)) return fail(EINVAL);
        switch (name) {
            case SO_RCVBUF: s->rcvbuf = size_t(std::clamp(v, 256, 16 << 20)); return 0;
            case SO_SNDBUF: s->sndbuf = size_t(std::clamp(v, 1024, 16 << 20)); return 0;
            case SO_BROADCAST: s->broadcast = v != 0; return 0;
            case SO_REUSEADDR: s->reuse_addr = v != 0; return 0;
            default: break;
        }
    }
    if (level == IPPROTO_IP) {
        if (!get_int(val, len, v)) return fail(EINVAL);
        switch (name) {
            case IP_TTL:
                if (v < 1 || v > 255) return fail(EINVAL);  // RFC 1122 3.2.1.7: never send TTL 0
                s->ttl = uint8_t(v);
                return 0;
            case IP_TOS: s->tos = uint8_t(v); return 0;
            case IP_MTU_DISCOVER: s->dont_frag = v == IP_PMTUDISC_DO; return 0;
            default: return fail(ENOPROTOOPT);
        }
    }
    // The protocol's own options (IPPROTO_TCP, SO_KEEPALIVE).
    int rc = f->ops->setsockopt(stack_, runner_.now(), f->handle, level, name, val, len);
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::getsockopt(int fd, int level, int name, void* val, socklen_t* len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!val || !len) return fail(EFAULT);
    Socket* s = stack_.socket(f->handle);
    auto put_int = [&](int v) {
        if (*len < socklen_t(sizeof(int))) return fail(EINVAL);
        std::memcpy(val, &v, sizeof v);
        *len = sizeof v;
        return 0;
    };
    auto put_tv = [&](Duration d) {
        if (*len < socklen_t(sizeof(timeval))) return fail(EINVAL);
        timeval tv{};
        if (d != Duration::max()) {
            tv.tv_sec = time_t(d.ns / 1000000000);
            tv.tv_usec = suseconds_t((d.ns % 1000000000) / 1000);
        }
        std::memcpy(val, &tv, sizeof tv);
        *len = sizeof tv;
        return 0;
    };
    if (level == SOL_SOCKET) {
        switch (name) {
            case SO_ERROR: {  // returns and clears the pending error (socket(7))
                int e = s->so_error;
                s->so_error = 0;
                return put_int(e);
            }
            case SO_TYPE: return put_int(s->kind == SockKind::Tcp ? SOCK_STREAM : SOCK_DGRAM);
            case SO_RCVBUF: return put_int(int(s->rcvbuf));
            case SO_SNDBUF: return put_int(int(s->sndbuf));
            case SO_BROADCAST: return put_int(s->broadcast);
            case SO_REUSEADDR: return put_int(s->reuse_addr);
            case SO_RCVTIMEO: return put_tv(f->rcvtimeo);
            case SO_SNDTIMEO: return put_tv(f->sndtimeo);
            default: break;
        }
    }
    if (level == IPPROTO_IP) {
        switch (name) {
            case IP_TTL: return put_int(s->ttl);
            case IP_TOS: return put_int(s->tos);
            case IP_MTU_DISCOVER: return put_int(s->dont_frag ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
            default: return fail(ENOPROTOOPT);
        }
    }
    int rc = f->ops->getsockopt(stack_, f->handle, level, name, val, len);
    return rc < 0 ? fail(-rc) : 0;
}

int SocketApi::getsockname(int fd, sockaddr* addr, socklen_t* len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    if (!addr || !len || *len < socklen_t(sizeof(sockaddr_in))) return fail(EINVAL);
    sockaddr_in sa = make_sockaddr(stack_.socket(f->handle)->local);
    std::memcpy(addr, &sa, sizeof sa);
    *len = sizeof sa;
    return 0;
}

int SocketApi::getpeername(int fd, sockaddr* addr, socklen_t* len) {
    Fd* f = get(fd);
    if (!f) return fail(EBADF);
    Socket* s = stack_.socket(f->handle);
    if (!s->connected) return fail(ENOTCONN);
    if (!addr || !len || *len < socklen_t(sizeof(sockaddr_in))) return fail(EINVAL);
    sockaddr_in sa = make_sockaddr(s->remote);
    std::memcpy(addr, &sa, sizeof sa);
    *len = sizeof sa;
    return 0;
}

int SocketApi::poll(pollfd* fds, size_t n, int timeout_ms) {
    if (!fds && n) return fail(EFAULT);
    Instant deadline = timeout_ms < 0 ? Instant::max() : runner_.now() + Duration::from_ms(timeout_ms);
    for (;;) {
        int ready = 0;
        for (size_t i = 0; i < n; ++i) {
            pollfd& p = fds[i];
            p.revents = 0;
            if (p.fd < 0) continue;  // ignored, as poll(2)
            Fd* f = get(p.fd);
            if (!f) {
                p.revents = POLLNVAL;
            } else {
                Socket* s = stack_.socket(f->handle);
                if ((p.events & POLLIN) && s->readable()) p.revents |= POLLIN;
                if ((p.events & POLLOUT) && s->writable()) p.revents |= POLLOUT;
                if (s->so_error) p.revents |= POLLERR;  // always reported
                if (s->shut_rd && s->shut_wr) p.revents |= POLLHUP;
            }
            if (p.revents) ++ready;
        }
        if (ready || runner_.now() >= deadline) return ready;
        // A virtual world with nothing left to happen cannot make anything ready: return 0, not hang.
        if (!runner_.step(deadline) && deadline.is_max()) return 0;
    }
}

std::vector<NetstatRow> SocketApi::netstat() const {
    std::vector<NetstatRow> rows;
    for (size_t i = 0; i < fds_.size(); ++i) {
        const Fd& f = fds_[i];
        Socket* s = stack_.socket(f.handle);
        if (!s) continue;
        NetstatRow r;
        r.fd = int(i) + kFirstFd;
        r.proto = to_string(s->kind);
        r.local = s->local;
        r.remote = s->connected ? s->remote : Endpoint{};
        r.state = s->state_name();
        r.send_q = s->send_queue_bytes();
        r.recv_q = s->recv_queue_bytes();
        r.drops = s->rx_dropped;
        rows.push_back(r);
    }
    return rows;
}

std::string SocketApi::netstat_table() const {
    std::string out = "Proto  Local Address          Foreign Address        State        Send-Q  Recv-Q  Drops  Fd\n";
    char line[200];
    for (const auto& r : netstat()) {
        std::snprintf(line, sizeof line, "%-6s %-22s %-22s %-12s %6zu  %6zu  %5llu  %d\n", r.proto.c_str(),
                      r.local.str().c_str(), r.remote.str().c_str(), r.state.c_str(), r.send_q, r.recv_q,
                      static_cast<unsigned long long>(r.drops), r.fd);
        out += line;
    }
    return out;
}

}  // namespace nic
