#include "linux_lo.h"

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace nic::bench {
namespace {

constexpr uint16_t kPort = 5001;
constexpr const char* kAddr = "192.0.2.1";

// Result passed from the child through a pipe: plain bytes, fixed layout.
struct Wire {
    int ok;
    char why[200];
    uint64_t bytes;
    double wall, cpu;
    int mss;
};

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_s() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

bool fail(Wire& w, const std::string& what) {
    std::snprintf(w.why, sizeof w.why, "%s: %s", what.c_str(), std::strerror(errno));
    return false;
}

// `lo` up at MTU 1500 with 192.0.2.1 as a second address (label lo:1), by ioctl: no iproute2 needed.
bool setup_loopback(Wire& w) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return fail(w, "socket");
    ifreq r{};
    std::strncpy(r.ifr_name, "lo", IFNAMSIZ - 1);
    r.ifr_mtu = 1500;
    if (ioctl(s, SIOCSIFMTU, &r) != 0) return close(s), fail(w, "setting lo's MTU to 1500");
    if (ioctl(s, SIOCGIFFLAGS, &r) != 0) return close(s), fail(w, "reading lo's flags");
    r.ifr_flags = short(r.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &r) != 0) return close(s), fail(w, "bringing lo up");
    ifreq a{};
    std::strncpy(a.ifr_name, "lo:1", IFNAMSIZ - 1);
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.ifr_addr);
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, kAddr, &sin->sin_addr);
    if (ioctl(s, SIOCSIFADDR, &a) != 0) return close(s), fail(w, "adding 192.0.2.1 to lo");
    close(s);
    return true;
}

// ethtool -K lo tso off gso off gro off, through the legacy per-feature ioctls.
bool segmentation_offloads_off(Wire& w) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return fail(w, "socket");
    for (uint32_t cmd : {uint32_t(ETHTOOL_STSO), uint32_t(ETHTOOL_SGSO), uint32_t(ETHTOOL_SGRO)}) {
        ethtool_value v{cmd, 0};
        ifreq r{};
        std::strncpy(r.ifr_name, "lo", IFNAMSIZ - 1);
        r.ifr_data = reinterpret_cast<char*>(&v);
        if (ioctl(s, SIOCETHTOOL, &r) != 0) return close(s), fail(w, "turning lo's segmentation offloads off");
    }
    close(s);
    return true;
}

bool set_buffers(int fd, size_t buffer, Wire& w) {
    int v = int(buffer);
    // The FORCE variants pass net.core.[rw]mem_max (root only, as is the namespace itself).
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0) return fail(w, "SO_SNDBUFFORCE");
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) return fail(w, "SO_RCVBUFFORCE");
    return true;
}

bool run(uint64_t bytes, size_t buffer, bool one_core, bool offloads, Wire& w) {
    if (unshare(CLONE_NEWNET) != 0) return fail(w, "unshare(CLONE_NEWNET) (run as root for the Linux figures)");
    if (!setup_loopback(w)) return false;
    if (!offloads && !segmentation_offloads_off(w)) return false;
    if (one_core) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) return fail(w, "sched_setaffinity");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(kPort);
    inet_pton(AF_INET, kAddr, &addr.sin_addr);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Buffers set before listen()/connect() so that the window scale is chosen for them.
    if (!set_buffers(l, buffer, w)) return false;
    if (bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail(w, "bind");
    if (listen(l, 1) != 0) return fail(w, "listen");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (!set_buffers(c, buffer, w)) return false;
    if (connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail(w, "connect");
    int s = accept(l, nullptr, nullptr);
    if (s < 0) return fail(w, "accept");
    socklen_t len = sizeof w.mss;
    getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &w.mss, &len);

    uint64_t got = 0;
    double w0 = now_s(), c0 = cpu_s();
    std::thread receiver([&] {
        std::vector<uint8_t> sink(1 << 20);
        while (got < bytes) {
            ssize_t k = recv(s, sink.data(), sink.size(), 0);
            if (k <= 0) break;
            got += uint64_t(k);
        }
    });
    std::vector<uint8_t> src(1 << 20);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 131);
    uint64_t sent = 0;
    bool send_ok = true;
    while (sent < bytes) {
        size_t off = size_t(sent % src.size());
        size_t n = size_t(std::min<uint64_t>(src.size() - off, bytes - sent));
        ssize_t k = send(c, src.data() + off, n, 0);
        if (k <= 0) {
            send_ok = fail(w, "send");
            break;
        }
        sent += uint64_t(k);
    }
    shutdown(c, SHUT_WR);
    receiver.join();
    w.wall = now_s() - w0;
    w.cpu = cpu_s() - c0;
    w.bytes = got;
    close(s);
    close(c);
    close(l);
    if (!send_ok) return false;
    if (got != bytes) {
        std::snprintf(w.why, sizeof w.why, "received %llu of %llu bytes", (unsigned long long)got,
                      (unsigned long long)bytes);
        return false;
    }
    return true;
}

}  // namespace

LinuxLoRun linux_lo_bulk(uint64_t bytes, size_t buffer, bool one_core, bool offloads) {
    LinuxLoRun r;
    int p[2];
    if (pipe(p) != 0) {
        r.why = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r.why = std::string("fork: ") + std::strerror(errno);
        close(p[0]);
        close(p[1]);
        return r;
    }
    if (pid == 0) {
        close(p[0]);
        Wire w{};
        w.ok = run(bytes, buffer, one_core, offloads, w) ? 1 : 0;
        ssize_t n = write(p[1], &w, sizeof w);
        _exit(n == ssize_t(sizeof w) ? 0 : 1);
    }
    close(p[1]);
    Wire w{};
    ssize_t n = read(p[0], &w, sizeof w);
    close(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (n != ssize_t(sizeof w)) {
        r.why = "the measuring child exited without a result";
        return r;
    }
    r.ok = w.ok != 0;
    r.why = w.why;
    r.bytes = w.bytes;
    r.wall = w.wall;
    r.cpu = w.cpu;
    r.segment_bytes = w.mss;
    return r;
}

}  // namespace nic::bench
