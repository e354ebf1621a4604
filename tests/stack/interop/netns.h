// Helpers for interop tests: a network namespace the test creates and always deletes, commands run
// inside it (ip netns exec) with their output captured, and a TAP-backed stack on the wall clock.
// Every wait is bounded in time; children are killed by pid on the way out.
// Clean-up, whatever ends the test:
//   - normal end or a failed assertion: ~NetnsLab kills what still runs in the namespace, deletes it;
//   - SIGTERM/SIGINT/SIGHUP (a ctest timeout, Ctrl-C): a handler does the same, then exits;
//   - SIGKILL: children die with us (PR_SET_PDEATHSIG), and the namespace is removed by the
//     sweep_netns.sh fixture that ctest runs after the interop tests (and by the next setup()).
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "iface/stack.h"
#include "phy/tap.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <string>
#include <vector>

namespace nic::test {

inline bool have_tool(const std::string& t) {
    return std::system(("command -v " + t + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command to completion (bounded by `timeout` seconds through coreutils timeout).
inline int sh(const std::string& cmd, std::string* out = nullptr, int timeout_s = 10) {
    std::string full = "timeout " + std::to_string(timeout_s) + " sh -c '" + cmd + "' 2>&1";
    FILE* p = popen(full.c_str(), "r");
    if (!p) return -1;
    char buf[512];
    std::string o;
    while (fgets(buf, sizeof buf, p)) o += buf;
    int st = pclose(p);
    if (out) *out = o;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A child process whose stdout+stderr we collect without blocking.
class Child {
public:
    explicit Child(const std::vector<std::string>& argv) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) return;
        pid_t parent = getpid();
        pid_ = fork();
        if (pid_ == 0) {
            // Die with the test even when it is SIGKILLed (a dnsmasq must not outlive it); the check
            // after prctl closes the race with a parent that died before it.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(127);
            dup2(p[1], 1);
            dup2(p[1], 2);
            int devnull = ::open("/dev/null", O_RDONLY);
            if (devnull >= 0) dup2(devnull, 0);
            std::vector<char*> a;
            for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
            a.push_back(nullptr);
            execvp(a[0], a.data());
            _exit(127);
        }
        ::close(p[1]);
        fd_ = p[0];
        fcntl(fd_, F_SETFL, O_NONBLOCK);
    }
    ~Child() {
        kill_now();
        if (fd_ >= 0) ::close(fd_);
    }
    // Collects output; true once the child has exited (status in status()).
    bool poll() {
        char buf[512];
        ssize_t n;
        while (fd_ >= 0 && (n = ::read(fd_, buf, sizeof buf)) > 0) out_.append(buf, size_t(n));
        if (pid_ <= 0) return true;
        int st;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            pid_ = -1;
            while (fd_ >= 0 && (n = ::read(fd_, buf, sizeof buf)) > 0) out_.append(buf, size_t(n));
            return true;
        }
        return false;
    }
    void kill_now() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    pid_t pid() const { return pid_; }
    int status() const { return status_; }
    const std::string& output() const { return out_; }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    int status_ = -1;
    std::string out_;
};

// Namespace "nicstk<pid>" with the stack's TAP in it: Linux side 192.0.2.1/24, stack 192.0.2.2/24.
class NetnsLab {
public:
    static constexpr const char* kLinuxAddr = "192.0.2.1";
    static constexpr const char* kStackAddr = "192.0.2.2";

    NetnsLab() : ns_("nicstk" + std::to_string(getpid())) {}
    ~NetnsLab() {
        teardown();
        uninstall_signal_cleanup();
    }

    // Empty string on success, else why not (for the test's failure message).
    std::string setup() {
        if (geteuid() != 0) return "interop tests need root (CAP_NET_ADMIN) to create a network namespace";
        for (const char* t : {"ip", "ping", "nc", "timeout"})
            if (!have_tool(t))
                return std::string("missing tool '") + t + "': install iproute2, iputils-ping, netcat-openbsd, coreutils";
        sweep_stale();
        install_signal_cleanup();
        std::string out;
        if (sh("ip netns add " + ns_, &out) != 0) return "cannot create network namespace " + ns_ + ": " + out;
        created_ = true;
        if (!tap_.open("nictap0", ns_)) return "cannot create TAP device: " + tap_.error();
        std::string cmds = "ip link set lo up && ip addr add " + std::string(kLinuxAddr) + "/24 dev nictap0 && "
                           "sysctl -qw net.ipv6.conf.nictap0.disable_ipv6=1 ; ip link set nictap0 up";
        if (sh("ip netns exec " + ns_ + " sh -c \"" + cmds + "\"", &out) != 0)
            return "cannot configure nictap0 in " + ns_ + ": " + out;
        stack_ = std::make_unique<Stack>();
        stack_->add_interface(InterfaceConfig{"tap0", &tap_, MacAddr{{0x02, 0x4e, 0x49, 0x43, 0, 2}},
                                              Ipv4Cidr{*Ipv4Addr::parse(kStackAddr), 24}, std::nullopt});
        runner_ = std::make_unique<WallRunner>(clock_);
        runner_->add_stack(*stack_);
        runner_->add_fd(tap_.fd());
        api_ = std::make_unique<SocketApi>(*stack_, *runner_);
        stack_->set_up(clock_.now(), 0, true);
        return "";
    }

    void teardown() {
        tap_.close();
        // Whatever still runs inside (the nc behind a killed sh) would keep the namespace alive.
        if (created_) sh("ip netns pids " + ns_ + " | xargs -r kill -9; ip netns del " + ns_);
        created_ = false;
        if (resolv_conf_) sh("rm -rf /etc/netns/" + ns_);
        resolv_conf_ = false;
    }

    // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for commands in
    // the namespace only; removed again in teardown().
    bool set_nameserver(const std::string& addr) {
        resolv_conf_ = true;
        return sh("mkdir -p /etc/netns/" + ns_ + " && echo nameserver " + addr + " > /etc/netns/" + ns_ + "/resolv.conf") == 0;
    }

    // argv run inside the namespace.
    std::vector<std::string> in_ns(std::vector<std::string> argv) const {
        std::vector<std::string> a = {"ip", "netns", "exec", ns_};
        a.insert(a.end(), argv.begin(), argv.end());
        return a;
    }

    // Runs the stack until `done` returns true or `limit` passes; false on timeout.
    template <class F>
    bool run_until(F done, Duration limit) {
        Instant end = clock_.now() + limit;
        while (!done()) {
            if (clock_.now() >= end) return false;
            runner_->step(min(end, clock_.now() + Duration::from_ms(20)));
        }
        return true;
    }
    bool wait_child(Child& c, Duration limit) {
        return run_until([&] { return c.poll(); }, limit);
    }

    const std::string& ns() const { return ns_; }
    // Whether setup() got as far as a running stack: tear-downs print and check only then, so a
    // set-up failure is reported as itself and not followed by a crash.
    bool ready() const { return stack_ && api_ && runner_; }
    Stack& stack() { return *stack_; }
    TapDevice& tap() { return tap_; }
    SocketApi& api() { return *api_; }
    WallRunner& runner() { return *runner_; }
    WallClock& clock() { return clock_; }

private:
    // Namespaces left by a crashed earlier run (its pid is gone) are removed; others are not ours.
    static void sweep_stale() {
        DIR* d = opendir("/var/run/netns");
        if (!d) return;
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.rfind("nicstk", 0) != 0) continue;
            int pid = std::atoi(n.c_str() + 6);
            if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
                sh("ip netns pids " + n + " | xargs -r kill -9; ip netns del " + n + "; rm -rf /etc/netns/" + n);
        }
        closedir(d);
    }

    // The clean-up command for the signal handler, prepared in advance: a handler may only use
    // async-signal-safe calls (fork, execv, waitpid, _exit), so it cannot build strings.
    static char* signal_cleanup_cmd() {
        static char cmd[256];
        return cmd;
    }
    static void on_fatal_signal(int sig) {
        pid_t c = fork();
        if (c == 0) {
            char sh_path[] = "/bin/sh", dash_c[] = "-c";
            char* argv[] = {sh_path, dash_c, signal_cleanup_cmd(), nullptr};
            execv(sh_path, argv);
            _exit(127);
        }
        if (c > 0) waitpid(c, nullptr, 0);
        _exit(128 + sig);
    }
    void install_signal_cleanup() {
        std::string cmd = "ip netns pids " + ns_ + " | xargs -r kill -9; ip netns del " + ns_ + "; rm -rf /etc/netns/" + ns_;
        std::snprintf(signal_cleanup_cmd(), 256, "%s", cmd.c_str());
        struct sigaction sa {};
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
    }
    static void uninstall_signal_cleanup() {
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) signal(sig, SIG_DFL);
    }

    std::string ns_;
    bool created_ = false;
    bool resolv_conf_ = false;
    TapDevice tap_;
    WallClock clock_;
    std::unique_ptr<Stack> stack_;
    std::unique_ptr<WallRunner> runner_;
    std::unique_ptr<SocketApi> api_;
};

}  // namespace nic::test
