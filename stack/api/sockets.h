// BSD-style sockets over a Stack: small-integer descriptors (the seed's "descriptor" the application
// keeps while the stack keeps the control information), errno-style errors, blocking and
// non-blocking use, poll, and a netstat table.
//
//   app -> SocketApi::sendto -> ProtocolOps (per socket type) -> Stack::udp_send -> ip_output
//   blocking calls wait in Runner::step, which keeps the stacks (and links) running meanwhile.
//
// Constants are the host's own (<sys/socket.h>, <netinet/in.h>, <poll.h>): AF_INET, SOCK_DGRAM,
// SOCK_STREAM, SOCK_NONBLOCK, IPPROTO_UDP/ICMP/TCP, SOL_SOCKET, SO_*, IP_TTL, MSG_DONTWAIT, MSG_PEEK,
// SHUT_*, POLLIN/POLLOUT/POLLERR/POLLHUP/POLLNVAL, so code reads like ordinary socket code.
// Errors: the call returns -1 and error() holds the errno value (the process errno is left alone).
//
// Protocols plug in through ProtocolOps, chosen by (type, protocol) at socket(): UDP and ICMP echo
// ("ping sockets", SOCK_DGRAM + IPPROTO_ICMP as on Linux) are built in; TCP registers its ops for
// SOCK_STREAM with register_protocol() and gets listen/accept/connect-in-progress through the same
// blocking machinery (waiting on readable/writable/so_error).
#pragma once

#include "api/runner.h"
#include "iface/stack.h"

#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nic {

// Per-protocol socket operations (0/length or -errno). -EAGAIN means "would block"; the API waits
// (blocking descriptor) or returns EAGAIN (non-blocking).
class ProtocolOps {
public:
    virtual ~ProtocolOps() = default;
    virtual SockKind kind() const = 0;
    virtual std::unique_ptr<Socket> create() = 0;
    virtual int bind(Stack& st, int h, Endpoint local) = 0;
    virtual int connect(Stack& st, Instant now, int h, Endpoint remote) = 0;
    virtual int disconnect(Stack& st, int h) = 0;  // connect(AF_UNSPEC)
    virtual int listen(Stack&, int /*h*/, int /*backlog*/) { return -EOPNOTSUPP; }
    virtual int accept(Stack&, Instant, int /*h*/, Endpoint* /*peer*/) { return -EOPNOTSUPP; }  // new handle
    virtual long sendto(Stack& st, Instant now, int h, ConstBytes data, const Endpoint* dst, int flags) = 0;
    virtual long recvfrom(Stack& st, Instant now, int h, MutBytes buf, Endpoint* from, int flags) = 0;
    virtual int shutdown(Stack& st, Instant now, int h, int how) = 0;
    virtual void close(Stack& st, Instant now, int h) = 0;
    // Options the API does not handle itself (IPPROTO_TCP, SO_KEEPALIVE, ...): 0 or -errno.
    virtual int setsockopt(Stack&, Instant, int /*h*/, int /*level*/, int /*name*/, const void*, socklen_t) {
        return -ENOPROTOOPT;
    }
    virtual int getsockopt(Stack&, int /*h*/, int /*level*/, int /*name*/, void*, socklen_t*) { return -ENOPROTOOPT; }
    // Byte streams: a blocking send returns only once everything is queued (as Linux's tcp_sendmsg).
    virtual bool stream() const { return false; }
};

struct NetstatRow {
    int fd = -1;
    std::string proto;   // "udp", "icmp", later "tcp"
    Endpoint local, remote;
    std::string state;   // TCP states; UDP: ESTABLISHED when connected, else BOUND/CLOSED
    size_t send_q = 0, recv_q = 0;
    uint64_t drops = 0;
};

class SocketApi {
public:
    SocketApi(Stack& stack, Runner& runner);

    int socket(int domain, int type, int protocol);
    int bind(int fd, const sockaddr* addr, socklen_t len);
    int connect(int fd, const sockaddr* addr, socklen_t len);
    int listen(int fd, int backlog);
    int accept(int fd, sockaddr* addr, socklen_t* len);
    long send(int fd, const void* buf, size_t len, int flags);
    long recv(int fd, void* buf, size_t len, int flags);
    long sendto(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen);
    long recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen);
    int shutdown(int fd, int how);
    int close(int fd);
    int setsockopt(int fd, int level, int name, const void* val, socklen_t len);
    int getsockopt(int fd, int level, int name, void* val, socklen_t* len);
    int getsockname(int fd, sockaddr* addr, socklen_t* len);
    int getpeername(int fd, sockaddr* addr, socklen_t* len);
    int set_nonblocking(int fd, bool on);  // fcntl(O_NONBLOCK)
    // timeout_ms < 0: wait forever (a quiescent virtual world returns 0 instead of hanging).
    int poll(pollfd* fds, size_t n, int timeout_ms);

    int error() const { return errno_; }  // errno of the last failed call
    void register_protocol(int type, int protocol, std::unique_ptr<ProtocolOps> ops);
    int handle_of(int fd) const;          // the Stack's socket handle behind a descriptor (-1: none)
    Socket* socket_of(int fd) const;

    std::vector<NetstatRow> netstat() const;
    std::string netstat_table() const;    // "Proto Local Address  Foreign Address  State  Send-Q Recv-Q"

    Stack& stack() { return stack_; }
    Runner& runner() { return runner_; }
    // Not empty: one line per socket call and its result ("connect(3, 192.0.2.2:80) = -1 EINPROGRESS");
    // non-blocking calls that would block are not reported.
    std::function<void(const std::string&)> trace;
    static constexpr int kFirstFd = 3;    // 0-2 look like stdio; keep them out to catch mix-ups
    static constexpr size_t kMaxFds = 1024;

private:
    struct Fd {
        int handle = -1;
        ProtocolOps* ops = nullptr;
        bool nonblock = false;
        Duration rcvtimeo = Duration::max();
        Duration sndtimeo = Duration::max();
    };
    Fd* get(int fd);
    // The calls themselves; the public ones above add the trace line.
    int socket_(int domain, int type, int protocol);
    int bind_(int fd, const sockaddr* addr, socklen_t len);
    int connect_(int fd, const sockaddr* addr, socklen_t len);
    int listen_(int fd, int backlog);
    int accept_(int fd, sockaddr* addr, socklen_t* len);
    long sendto_(int fd, const void* buf, size_t len, int flags, const sockaddr* to, socklen_t tolen);
    long recvfrom_(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* fromlen);
    int shutdown_(int fd, int how);
    int close_(int fd);
    long traced(const std::string& call, long rc);
    int fail(int e) {
        errno_ = e;
        return -1;
    }
    // Waits (blocking descriptor) until `ready` or the timeout; false on timeout.
    bool wait(const Fd& f, Duration timeout, bool for_read);

    Stack& stack_;
    Runner& runner_;
    std::vector<Fd> fds_;
    std::map<std::pair<int, int>, std::unique_ptr<ProtocolOps>> ops_;
    int errno_ = 0;
};

// sockaddr_in helpers.
sockaddr_in make_sockaddr(Endpoint ep);
Endpoint from_sockaddr(const sockaddr_in& sa);

}  // namespace nic
