// Linux's own TCP as the reference for bench_tcp: one bulk transfer over the loopback device of a
// private network namespace, at MTU 1500, between two threads of a forked child that copy from and
// to 1 MiB buffers with send()/recv() (what the stack benchmark's applications do).
//
// The namespace is the child's own (unshare(CLONE_NEWNET)): it is created for the run, holds only
// `lo` with 192.0.2.1 (RFC 5737 TEST-NET-1), and disappears with the child, whatever happens. The
// root namespace is never touched. Needs CAP_SYS_ADMIN (root); without it the run reports why.
//
// CPU time is the child's user + system time (getrusage RUSAGE_SELF over both threads): on `lo`
// the receive path runs as softirq in the sending thread's context, so it is counted; what
// ksoftirqd occasionally takes over is not (the figure flatters Linux slightly, if at all).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nic::bench {

struct LinuxLoRun {
    bool ok = false;
    std::string why;  // when !ok: what failed (and what to do about it)
    uint64_t bytes = 0;
    double wall = 0, cpu = 0;  // seconds
    int segment_bytes = 0;     // the connection's MSS as Linux reports it (TCP_MAXSEG)
};

// Moves `bytes` with SO_SNDBUF / SO_RCVBUF forced to `buffer` bytes (Linux doubles the figure for
// its bookkeeping, as it does for every application). one_core: both threads pinned to one CPU,
// the comparison with the single-threaded stack; otherwise the scheduler spreads them.
// offloads: lo as Linux configures it, with TSO/GSO/GRO, so its TCP and IP layers handle up to
// 64 KB per packet even at MTU 1500 (the wire is never segmented); without them (ethtool -K lo
// tso off gso off gro off) every packet is one MSS, as on the stack's link.
LinuxLoRun linux_lo_bulk(uint64_t bytes, size_t buffer, bool one_core, bool offloads = true);

}  // namespace nic::bench
