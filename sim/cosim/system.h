// The whole system in one SystemC simulation: two hosts (application, stack, driver), two Verilated
// NICs and the wire between them, or one host whose wire ends in a Linux TAP device; the scenarios
// nicsim runs (demo, ping, http, bulk, tap), a progress line, and the summary.
//   nicsim main -> SimOptions -> run_system -> HostModule x2, NicModule x2, Wire -> sc_start -> report
// SystemC elaborates once per process: run_system is called once.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

namespace nic::cosim {

struct SimOptions {
    std::string scenario = "demo";     // demo | ping | http | bulk | tap
    uint64_t seed = 1;
    // wire
    double loss = 0, ber = 0;
    uint64_t delay_ns = 500;
    double link_down_ms = 0, link_up_ms = 0;  // link down at .. up at (simulated ms; 0: never)
    // hosts and NICs
    size_t mtu = 1500;
    bool offload = true;
    bool verify_offload = false;       // differential check of every checksum the NICs compute
    bool nodelay = false;
    uint64_t host_latency_ns = 1000;   // host memory latency seen by the NIC's DMA
    uint64_t mmio_latency_ns = 500;    // register read round trip seen by the host
    unsigned ring_size = 256;
    unsigned irq_mod_pkts = 1;
    unsigned irq_mod_us = 0;
    uint64_t quantum = 1000;           // NIC core cycles between synchronisations (1..10000)
    double cpu_ns_per_packet = 0, cpu_ns_per_byte = 0;
    double inject_dma_error_ms = 0;    // at this simulated time, NIC A's DMA window is broken (fatal error)
    // outputs
    std::string pcap, vcd, fst;        // vcd/fst: NIC A's waveform (fst: converted with vcd2fst)
    double wave_from_us = 0, wave_to_us = 0;  // waveform window (0, 0: whole run)
    bool trace = false;
    std::string report;                // "name value" lines of every figure, for scripts and tests
    bool quiet = false;                // no story, no progress line (summary only)
    bool stats = false;                // after the summary: every counter of each host (stack, TCP, driver, device)
    // scenarios
    int count = 3;                     // ping: echo requests
    double interval_ms = 1;            // ping: between requests
    size_t ping_size = 56;
    uint64_t http_bytes = 20000;       // http: size of the body GET fetches
    int http_requests = 1;
    uint64_t bulk_bytes = 4 << 20;     // bulk: bytes per connection and direction
    std::string direction = "a2b";     // bulk: a2b | b2a | both
    int connections = 1;
    std::string tap = "nicsim0", netns;  // tap: device, namespace
    double tap_seconds = 30;           // tap: serve this long (wall clock)
    double time_limit_ms = 2000;       // give up after this much simulated time
};

struct SimReport {
    bool ok = false;
    std::string failure;               // why not ok
    std::map<std::string, double> figures;
};

// Builds and runs the system; prints the story (unless quiet) and the summary to `out`.
SimReport run_system(const SimOptions& o, FILE* out);

}  // namespace nic::cosim
