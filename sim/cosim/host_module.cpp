// HostModule, ScRunner and the driver's co-simulation platform (see host_module.h).
#include "cosim/host_module.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nic::cosim {

namespace {
uint64_t cycles_up(int64_t ns) { return ns <= 0 ? 0 : uint64_t((ns + int64_t(kCycleNs) - 1) / int64_t(kCycleNs)); }
}  // namespace

void CosimPlatform::delay(Duration d) { nic_.sleep_until(now_cycle() + cycles_up(d.ns), false); }

// ---------------------------------------------------------------- runner

void ScRunner::charge_cpu() {
    if (!cost_.any()) return;
    uint64_t frames = 0, bytes = 0;
    for (const auto& i : stack_.interfaces()) {
        frames += i.stats.rx_frames + i.stats.tx_frames;
        bytes += i.stats.rx_bytes + i.stats.tx_bytes;
    }
    const uint64_t df = frames - last_frames_, db = bytes - last_bytes_;
    last_frames_ = frames;
    last_bytes_ = bytes;
    if (!df && !db) return;
    Duration d = cost_.per_packet * int64_t(df) + Duration::from_ns(int64_t(std::llround(cost_.ns_per_byte * double(db))));
    busy_ = busy_ + d;
    nic_.sleep_until(now_cycle() + cycles_up(d.ns), false);  // busy: no interrupt wakes it
}

bool ScRunner::step(Instant until) {
    const Instant t0 = now();
    bool did = stack_.poll(t0);
    did |= run_tasks();
    if (after_poll) after_poll();
    charge_cpu();
    if (did) return true;
    const Instant now = this->now();
    if (now >= until) return false;
    Instant t = min(stack_.next_deadline(), until);
    // Something claims to be due but a poll did nothing: move on by a cycle rather than spin.
    if (t <= now) t = now + Duration::from_ns(int64_t(kCycleNs));
    nic_.sleep_until(t.is_max() ? kNever : cycles_up(t.ns), true);
    return true;
}

// ---------------------------------------------------------------- host

HostModule::HostModule(sc_core::sc_module_name name, const HostConfig& cfg, NicModule& nic)
    : sc_module(name), cfg_(cfg), nic_(nic), platform_(nic) {
    cfg_.driver.mac = cfg_.mac;
    drv_ = std::make_unique<drv::NicDriver>(platform_.env(), cfg_.driver);
    Device* dev = drv_.get();
    if (cfg_.trace) {
        drv_->set_trace([this](const std::string& s) { cfg_.trace("driver " + s); });
        tracer_ = std::make_unique<Tracer>(*drv_, "eth0", cfg_.trace);
        dev = tracer_.get();
    }
    StackConfig sc;
    sc.seed = cfg_.seed;
    stack_ = std::make_unique<Stack>(sc);
    stack_->add_interface(InterfaceConfig{"eth0", dev, cfg_.mac, cfg_.addr, std::nullopt});
    runner_ = std::make_unique<ScRunner>(nic_, *stack_, cfg_.cpu);
    if (cfg_.trace) runner_->after_poll = [this] { trace_tcp(); };
    api_ = std::make_unique<SocketApi>(*stack_, *runner_);
    if (cfg_.trace) api_->trace = [this](const std::string& s) { cfg_.trace("sock " + s); };
    tcp_ = std::make_unique<TcpLayer>(*stack_, cfg_.tcp, cfg_.seed * 2 + 1);
    tcp_->attach(*api_);
    SC_THREAD(thread);
}

HostModule::~HostModule() {
    // Tasks (an HTTP server, bulk ends) close their sockets when destroyed: while TCP, the socket API
    // and the stack still exist.
    runner_->clear_tasks();
}

void HostModule::trace_tcp() {
    for (const TcpConnRow& r : tcp_->mux().netstat()) {
        auto it = std::find_if(tcp_seen_.begin(), tcp_seen_.end(),
                               [&](const TcpSeen& s) { return s.local == r.local && s.remote == r.remote; });
        if (it == tcp_seen_.end()) it = tcp_seen_.insert(tcp_seen_.end(), TcpSeen{r.local, r.remote, TcpState::Closed, 0, {}});
        if (it->state != r.info.state || it->cwnd != r.info.cwnd || it->rto != r.info.rto) {
            char b[200];
            if (it->state != r.info.state)
                std::snprintf(b, sizeof b, "tcp %s > %s -> %s", r.local.str().c_str(), r.remote.str().c_str(),
                              to_string(r.info.state));
            else
                std::snprintf(b, sizeof b, "tcp %s > %s cwnd %u ssthresh %u rto %.1f ms srtt %.3f ms",
                              r.local.str().c_str(), r.remote.str().c_str(), r.info.cwnd, r.info.ssthresh,
                              r.info.rto.to_ms(), r.info.srtt.to_ms());
            cfg_.trace(b);
            it->state = r.info.state;
            it->cwnd = r.info.cwnd;
            it->rto = r.info.rto;
        }
    }
}

void HostModule::thread() {
    if (!drv_->probe()) {
        if (on_failure) on_failure(*this, drv_->error());
        return;
    }
    stack_->set_up(runner_->now(), 0, true);
    up_ = true;
    if (app) app(*this);
    // Keep serving: the peer may still need our ACKs, FINs and ARP replies.
    for (;;) runner_->step(Instant::max());
}

}  // namespace nic::cosim
