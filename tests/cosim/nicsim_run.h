// Runs the nicsim program (apps/nicsim) as a child process and reads back what it wrote: its exit
// status, stdout and stderr, the --report figures ("name value" lines, the first "ok 0|1"), the bulk
// summary's per-connection hash lines ("A tx <sha256> <bytes> rx <sha256> <bytes>"), and --pcap
// captures (a small reader, so the tests can look at frames and their simulated time stamps).
//   test -> Nicsim::run(args) -> posix_spawn(nicsim ... --report F [--pcap P]) -> SimRun
// Every run is recorded so a failed test can print each command line (the seed is on it).
#pragma once

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace nic::cosim_test {

// The empty stream's SHA-256: what a bulk end that received (or sent) nothing prints.
inline const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The base seed of the randomised runs: fixed, or NIC_SEED from the environment (the project's
// convention for rerunning random tests with another seed).
inline uint64_t test_seed(uint64_t fixed) {
    const char* s = std::getenv("NIC_SEED");
    return s && *s ? std::strtoull(s, nullptr, 10) : fixed;
}

// A directory for one test's reports and captures; removed at the end unless keep() was called.
class TempDir {
public:
    TempDir() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/nic_cosim_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (mkdtemp(buf.data())) path_ = buf.data();
    }
    ~TempDir() {
        if (path_.empty() || keep_) return;
        if (DIR* d = opendir(path_.c_str())) {
            while (dirent* e = readdir(d)) {
                std::string n = e->d_name;
                if (n != "." && n != "..") ::unlink((path_ + "/" + n).c_str());
            }
            closedir(d);
        }
        ::rmdir(path_.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    void keep() { keep_ = true; }

private:
    std::string path_;
    bool keep_ = false;
};

// One line of the bulk summary: one connection's end on host A or B.
struct BulkLine {
    char host = '?';
    std::string tx_hash, rx_hash;
    uint64_t tx_bytes = 0, rx_bytes = 0;
};

struct SimRun {
    std::vector<std::string> args;
    int status = -1;      // exit status; 128 + signal when killed by one; -1: could not run or timed out
    std::string out, err;
    std::map<std::string, double> fig;  // the --report figures
    std::vector<BulkLine> bulk;
    std::string pcap;                   // the capture's path, when asked for

    bool has(const std::string& k) const { return fig.count(k) > 0; }
    // A figure; a missing one fails the test (a renamed counter must not pass as 0).
    double operator[](const std::string& k) const {
        auto it = fig.find(k);
        if (it == fig.end()) {
            ADD_FAILURE() << "no figure '" << k << "' in the report of: " << cmdline();
            return -1;
        }
        return it->second;
    }
    std::string cmdline() const {
        std::string s;
        for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
        return s;
    }
    // Command line, status and the end of the output, for failure messages.
    std::string describe() const {
        auto tail = [](const std::string& s, size_t n) { return s.size() > n ? "..." + s.substr(s.size() - n) : s; };
        std::ostringstream o;
        o << "$ " << cmdline() << "\nexit status " << status << "\n--- stdout (end) ---\n" << tail(out, 3000)
          << "--- stderr (end) ---\n" << tail(err, 1500);
        return o.str();
    }
};

inline std::map<std::string, double> parse_report(const std::string& text) {
    std::map<std::string, double> m;
    std::istringstream in(text);
    std::string k;
    double v;
    while (in >> k >> v) m[k] = v;
    return m;
}

inline std::vector<BulkLine> parse_bulk_lines(const std::string& out) {
    std::vector<BulkLine> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 2 || (line[0] != 'A' && line[0] != 'B') || line.compare(1, 4, " tx ") != 0) continue;
        std::istringstream l(line);
        BulkLine b;
        std::string host, tx, rx;
        if (l >> host >> tx >> b.tx_hash >> b.tx_bytes >> rx >> b.rx_hash >> b.rx_bytes && rx == "rx" &&
            b.tx_hash.size() == 64 && b.rx_hash.size() == 64) {
            b.host = host[0];
            v.push_back(b);
        }
    }
    return v;
}

// Simulated time a run may take unless it says otherwise (--time-limit, ms): about 10 s of wall time
// at 1/100 of real time. Every transfer here needs under 15 ms; one that waits for TCP's 1 s minimum
// RTO (RFC 6298 2.4; a lost retransmission is repaired only by the RTO) would take 100 s of wall
// time, so it stops here and fails instead of running into ctest's timeout.
constexpr const char* kDefaultTimeLimitMs = "100";

// Runs nicsim (NICSIM_PATH, from the build) with `args`, a --report into the test's directory and,
// with `pcap`, a --pcap beside it. Bounded: killed after `wall_limit_s` seconds (status -1).
class Nicsim {
public:
    SimRun run(std::vector<std::string> args, bool pcap = false, double wall_limit_s = 60) {
        SimRun r;
        const std::string id = std::to_string(++n_);
        const std::string report = dir_.file("report" + id + ".txt");
        const std::string out = dir_.file("stdout" + id + ".txt"), err = dir_.file("stderr" + id + ".txt");
        r.args.push_back(NICSIM_PATH);
        r.args.insert(r.args.end(), args.begin(), args.end());
        bool limited = false;
        for (const auto& a : args) limited |= a == "--time-limit";
        if (!limited && !args.empty() && args[0] != "tap") {
            r.args.push_back("--time-limit");
            r.args.push_back(kDefaultTimeLimitMs);
        }
        r.args.push_back("--report");
        r.args.push_back(report);
        if (pcap) {
            r.pcap = dir_.file("wire" + id + ".pcap");
            r.args.push_back("--pcap");
            r.args.push_back(r.pcap);
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<char*> argv;
        for (auto& a : r.args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        pid_t pid = -1;
        int e = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (e != 0) {
            r.err = std::string("posix_spawn: ") + std::strerror(e);
            runs_.push_back(r);
            return r;
        }
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(wall_limit_s);
        int st = 0;
        for (;;) {
            pid_t w = waitpid(pid, &st, WNOHANG);
            if (w == pid) {
                r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                break;
            }
            if (std::chrono::steady_clock::now() >= end) {
                ::kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                r.err = "killed: still running after " + std::to_string(wall_limit_s) + " s\n";
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        r.out = read_file(out);
        r.err += read_file(err);
        r.fig = parse_report(read_file(report));
        r.bulk = parse_bulk_lines(r.out);
        runs_.push_back(r);
        return r;
    }
    const std::vector<SimRun>& runs() const { return runs_; }
    TempDir& dir() { return dir_; }

private:
    TempDir dir_;
    std::vector<SimRun> runs_;
    int n_ = 0;
};

// ---------------------------------------------------------------- pcap (libpcap file format)

struct PcapFrame {
    uint64_t t_ns = 0;           // simulated time stamp
    uint32_t orig_len = 0;
    std::vector<uint8_t> data;

    uint16_t ethertype() const { return data.size() >= 14 ? uint16_t(data[12] << 8 | data[13]) : 0; }
    const uint8_t* src_mac() const { return data.data() + 6; }
    bool is_ipv4() const { return ethertype() == 0x0800 && data.size() >= 34; }
    uint8_t ip_proto() const { return is_ipv4() ? data[23] : 0; }
    size_t ip_header_len() const { return is_ipv4() ? size_t(data[14] & 0x0f) * 4 : 0; }
    bool more_fragments() const { return is_ipv4() && (data[20] & 0x20); }
    uint16_t frag_offset() const { return is_ipv4() ? uint16_t((data[20] & 0x1f) << 8 | data[21]) : 0; }
    // ICMP type of an unfragmented-or-first fragment echo; -1 otherwise.
    int icmp_type() const {
        if (ip_proto() != 1 || frag_offset() != 0 || data.size() < 14 + ip_header_len() + 1) return -1;
        return data[14 + ip_header_len()];
    }
    // TCP payload length, -1 when not TCP.
    long tcp_payload() const {
        if (ip_proto() != 6 || data.size() < 14 + ip_header_len() + 20) return -1;
        const size_t ip_len = size_t(data[16] << 8 | data[17]);
        const size_t th = size_t(data[14 + ip_header_len() + 12] >> 4) * 4;
        return long(ip_len) - long(ip_header_len()) - long(th);
    }
};

// Reads a capture; false with a reason in `why` when it is not a well-formed pcap file.
inline bool read_pcap(const std::string& path, std::vector<PcapFrame>& frames, std::string& why) {
    std::string b = read_file(path);
    if (b.size() < 24) {
        why = "shorter than a pcap header (" + std::to_string(b.size()) + " bytes)";
        return false;
    }
    auto u32 = [&](size_t o) {
        uint32_t v;
        std::memcpy(&v, b.data() + o, 4);
        return v;
    };
    const uint32_t magic = u32(0);
    uint64_t frac_ns;
    if (magic == 0xa1b2c3d4) frac_ns = 1000;          // microsecond time stamps
    else if (magic == 0xa1b23c4d) frac_ns = 1;        // nanosecond time stamps
    else {
        why = "bad magic";
        return false;
    }
    if (u32(20) != 1) {
        why = "link type " + std::to_string(u32(20)) + ", want 1 (Ethernet)";
        return false;
    }
    size_t o = 24;
    while (o < b.size()) {
        if (o + 16 > b.size()) {
            why = "truncated record header at offset " + std::to_string(o);
            return false;
        }
        PcapFrame f;
        f.t_ns = uint64_t(u32(o)) * 1000000000ull + uint64_t(u32(o + 4)) * frac_ns;
        const uint32_t incl = u32(o + 8);
        f.orig_len = u32(o + 12);
        o += 16;
        if (o + incl > b.size()) {
            why = "truncated record at offset " + std::to_string(o);
            return false;
        }
        f.data.assign(b.begin() + long(o), b.begin() + long(o + incl));
        o += incl;
        frames.push_back(std::move(f));
    }
    return true;
}

}  // namespace nic::cosim_test
