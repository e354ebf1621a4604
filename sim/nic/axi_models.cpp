#include "nic/axi_models.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace nic::sim {

namespace {
std::string hexs(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}
}  // namespace

void HostMemory::write(uint64_t a, const void* p, size_t n) {
    if (!contains(a, n)) throw std::out_of_range("HostMemory::write outside memory at " + hexs(a));
    std::memcpy(at(a), p, n);
}
void HostMemory::read(uint64_t a, void* p, size_t n) const {
    if (!contains(a, n)) throw std::out_of_range("HostMemory::read outside memory at " + hexs(a));
    std::memcpy(p, &mem_[a - base_], n);
}
void HostMemory::fill(uint64_t a, uint8_t v, size_t n) {
    if (!contains(a, n)) throw std::out_of_range("HostMemory::fill outside memory at " + hexs(a));
    std::memset(at(a), v, n);
}
std::vector<uint8_t> HostMemory::bytes(uint64_t a, size_t n) const {
    std::vector<uint8_t> v(n);
    read(a, v.data(), n);
    return v;
}
uint64_t HostMemory::rd64(uint64_t a) const {
    uint64_t v;
    read(a, &v, 8);
    return v;
}

void AxiSlaveConfig::add_error_range(uint64_t lo, uint64_t hi, uint8_t resp, bool reads,
                                     bool writes) {
    if (resp != 2 && resp != 3)
        throw std::invalid_argument("AXI error range: response must be SLVERR (2) or DECERR (3)");
    if (lo >= hi) throw std::invalid_argument("AXI error range: empty range " + hexs(lo));
    error_ranges.push_back(AxiErrorRange{lo, hi, resp, reads, writes});
}

AxiSlaveMemory::AxiSlaveMemory(HostMemory& mem, const AxiSlaveConfig& cfg)
    : mem_(mem), cfg_(cfg), rng_(cfg.seed) {
    reset();
}

void AxiSlaveMemory::reset() {
    reads_.clear();
    writes_.clear();
    wq_.clear();
    bs_.clear();
    prev_ar_wait_ = prev_aw_wait_ = prev_w_wait_ = false;
    r_held_ = b_held_ = false;
    aw_starved_since_.reset();
    aw_starved_told_ = false;
    update_outputs();
}

uint8_t AxiSlaveMemory::error_resp(uint64_t addr, uint64_t n, bool write) const {
    for (const AxiErrorRange& e : cfg_.error_ranges)
        if ((write ? e.writes : e.reads) && addr < e.hi && addr + n > e.lo) return e.resp;
    return 0;
}

// Modulo rather than std::uniform_int_distribution, whose output differs between standard
// libraries: mt19937_64 itself is fully specified, so a seed means the same run everywhere.
unsigned AxiSlaveMemory::jitter(unsigned max) {
    return max ? unsigned(rng_() % (uint64_t(max) + 1)) : 0;
}

// W beats come in AW order (AXI4 has no WID), and wq_ only holds beats while no accepted burst
// waits for data (clock() hands them over at once), so the beats in wq_ are those of the AW being
// offered, and of the ones after it.
bool AxiSlaveMemory::aw_waits_for_w() const {
    switch (cfg_.aw_after_w) {
    case AwAfterW::off: return false;
    case AwAfterW::first_beat: return wq_.empty();
    case AwAfterW::last_beat:
        return std::none_of(wq_.begin(), wq_.end(), [](const WBeat& b) { return b.last; });
    }
    return false;
}

// A3.3.1: "the master must not wait for the slave to assert AWREADY or WREADY before asserting
// AWVALID or WVALID". Against a slave that waits for the write data before AWREADY, a master
// that does never gets either: say so once per such stall, instead of a silent timeout.
void AxiSlaveMemory::check_deadlock(const AxiMasterSignals& in) {
    if (!(in.awvalid && aw_waits_w_ && !in.wvalid)) {
        aw_starved_since_.reset();
        aw_starved_told_ = false;
        return;
    }
    if (!aw_starved_since_) aw_starved_since_ = cycle_;
    if (!aw_starved_told_ && cycle_ - *aw_starved_since_ >= cfg_.deadlock_cycles) {
        protocol_.push_back("master waits for AWREADY before WVALID (A3.3.1): AW " +
                            hexs(in.awaddr) + " has waited for its write data with WVALID low for " +
                            std::to_string(cycle_ - *aw_starved_since_ + 1) + " cycles at cycle " +
                            std::to_string(cycle_));
        aw_starved_told_ = true;
    }
}

void AxiSlaveMemory::check_burst(const char* ch, uint64_t addr, unsigned len, unsigned size,
                                 unsigned burst) {
    std::string where = std::string(ch) + " " + hexs(addr) + " len " + std::to_string(len + 1);
    if (size != 3) protocol_.push_back(where + ": size is not 8 bytes");
    if (burst != 1) protocol_.push_back(where + ": burst is not INCR");
    if (addr % 8) protocol_.push_back(where + ": not aligned to the beat size");
    // A3.4.1: a burst must not cross a 4 KB boundary
    if ((addr & 0xFFF) + uint64_t(len + 1) * 8 > 4096) protocol_.push_back(where + ": crosses 4 KB");
    uint64_t n = uint64_t(len + 1) * 8;
    if (addr < win_lo_ || addr + n > win_hi_) violations_.push_back(where + ": outside the DMA window");
    if (!mem_.contains(addr, n)) violations_.push_back(where + ": outside host memory");
}

void AxiSlaveMemory::clock(const AxiMasterSignals& in) {
    // Handshake rules (A3.2.1): a VALID that was not taken must still be there, unchanged.
    if (prev_ar_wait_ && (!in.arvalid || in.araddr != prev_.araddr || in.arlen != prev_.arlen ||
                          in.arid != prev_.arid))
        protocol_.push_back("AR changed or dropped before ARREADY at cycle " + std::to_string(cycle_));
    if (prev_aw_wait_ && (!in.awvalid || in.awaddr != prev_.awaddr || in.awlen != prev_.awlen ||
                          in.awid != prev_.awid))
        protocol_.push_back("AW changed or dropped before AWREADY at cycle " + std::to_string(cycle_));
    if (prev_w_wait_ && (!in.wvalid || in.wdata != prev_.wdata || in.wstrb != prev_.wstrb ||
                         in.wlast != prev_.wlast))
        protocol_.push_back("W changed or dropped before WREADY at cycle " + std::to_string(cycle_));

    check_deadlock(in);

    bool ar = in.arvalid && out_.arready;
    bool aw = in.awvalid && out_.awready;
    bool w = in.wvalid && out_.wready;
    bool r = out_.rvalid && in.rready;
    bool b = out_.bvalid && in.bready;
    prev_ar_wait_ = in.arvalid && !out_.arready;
    prev_aw_wait_ = in.awvalid && !out_.awready;
    prev_w_wait_ = in.wvalid && !out_.wready;
    r_held_ = out_.rvalid && !r;
    b_held_ = out_.bvalid && !b;
    prev_ = in;

    if (ar) {
        check_burst("AR", in.araddr, in.arlen, in.arsize, in.arburst);
        reads_.push_back(Burst{in.araddr, unsigned(in.arlen) + 1, in.arid,
                               cycle_ + cfg_.read_latency + jitter(cfg_.read_latency_jitter)});
    }
    if (r) {
        Burst& f = reads_.front();
        ++read_beats_;
        if (out_.rresp) ++read_errors_;
        if (++f.beat == f.len) reads_.pop_front();
    }
    if (aw) {
        check_burst("AW", in.awaddr, in.awlen, in.awsize, in.awburst);
        uint64_t n = (uint64_t(in.awlen) + 1) * 8;
        writes_.push_back(Burst{in.awaddr, unsigned(in.awlen) + 1, in.awid, 0, 0,
                                error_resp(in.awaddr, n, true)});
    }
    if (w) wq_.push_back(WBeat{in.wdata, in.wstrb, in.wlast});
    while (!writes_.empty() && !wq_.empty()) {
        Burst& f = writes_.front();
        WBeat wb = wq_.front();
        wq_.pop_front();
        uint64_t a = f.addr + uint64_t(f.beat) * 8;
        bool last = f.beat + 1 == f.len;
        if (wb.last != last)
            protocol_.push_back("WLAST at beat " + std::to_string(f.beat + 1) + " of " +
                                std::to_string(f.len) + " (AW " + hexs(f.addr) + ")");
        // WSTRB needs no check of its own: with 8-byte beats at 8-aligned addresses (both
        // checked at AW) all eight lanes are within the beat (A3.4.3).
        if (f.resp == 0 && mem_.contains(a, 8)) {
            for (int i = 0; i < 8; ++i)
                if (wb.strb >> i & 1) *mem_.at(a + i) = uint8_t(wb.data >> (8 * i));
        }
        ++write_beats_;
        if (on_write && f.resp == 0) on_write(a, wb.strb, wb.data, cycle_);
        // A3.3.1: B only after both the AW and the last W beat have been taken; the earliest is
        // the next cycle.
        if (++f.beat == f.len) {
            bs_.push_back(BResp{f.id, cycle_ + cfg_.write_latency + jitter(cfg_.write_latency_jitter),
                                f.resp});
            writes_.pop_front();
        }
    }
    if (b) {
        if (out_.bresp) ++write_errors_;
        bs_.pop_front();
    }
    ++cycle_;
    update_outputs();
}

void AxiSlaveMemory::update_outputs() {
    auto ready = [&] {
        return cfg_.ready_stall_pct == 0 || unsigned(rng_() % 100) >= cfg_.ready_stall_pct;
    };
    auto gap = [&](unsigned pct) { return pct != 0 && unsigned(rng_() % 100) < pct; };
    out_.arready = ready();
    out_.awready = ready();
    out_.wready = ready();
    aw_waits_w_ = aw_waits_for_w();
    if (aw_waits_w_) out_.awready = false;
    // A beat shown and not taken keeps its data even if memory changes meanwhile (A3.2.1).
    if (!r_held_) {
        out_.rvalid = false;
        out_.rlast = false;
        if (!reads_.empty() && reads_.front().ready <= cycle_ && !gap(cfg_.r_gap_pct)) {
            const Burst& f = reads_.front();
            uint64_t a = f.addr + uint64_t(f.beat) * 8;
            uint8_t err = error_resp(a, 8, false);
            bool ok = err == 0 && mem_.contains(a, 8);
            out_.rvalid = true;
            out_.rid = f.id;
            out_.rdata = ok ? mem_.rd64(a) : 0xDEADBEEFDEADBEEFull;
            out_.rresp = err ? err : ok ? 0 : 2;
            out_.rlast = f.beat + 1 == f.len;
        }
    }
    if (!b_held_) {
        out_.bvalid = !bs_.empty() && bs_.front().ready <= cycle_ && !gap(cfg_.b_gap_pct);
        out_.bid = out_.bvalid ? bs_.front().id : 0;
        out_.bresp = out_.bvalid ? bs_.front().resp : 0;
    }
}

// ---------------- AXI4-Lite master ----------------

void AxiLiteMaster::reset() {
    ops_.clear();
    out_ = {};
    active_ = false;
}

void AxiLiteMaster::write(uint16_t addr, uint32_t data, uint8_t strb,
                          std::function<void(uint32_t, uint8_t)> done) {
    ops_.push_back(Op{true, addr, data, strb, std::move(done)});
    if (!active_) start();
}

void AxiLiteMaster::read(uint16_t addr, std::function<void(uint32_t, uint8_t)> done) {
    ops_.push_back(Op{false, addr, 0, 0, std::move(done)});
    if (!active_) start();
}

void AxiLiteMaster::start() {
    out_ = {};
    if (ops_.empty()) {
        active_ = false;
        return;
    }
    active_ = true;
    aw_done_ = w_done_ = false;
    const Op& op = ops_.front();
    if (op.write) {
        out_.awaddr = op.addr;
        out_.awvalid = true;
        out_.wdata = op.data;
        out_.wstrb = op.strb;
        out_.wvalid = true;
        out_.bready = true;
    } else {
        out_.araddr = op.addr;
        out_.arvalid = true;
        out_.rready = true;
    }
}

void AxiLiteMaster::clock(const AxiLiteSlaveSignals& in) {
    if (!active_) return;
    Op& op = ops_.front();
    if (op.write) {
        if (out_.awvalid && in.awready) { out_.awvalid = false; aw_done_ = true; }
        if (out_.wvalid && in.wready) { out_.wvalid = false; w_done_ = true; }
        if (in.bvalid) {
            if (!aw_done_ || !w_done_) protocol_.push_back("B before AW and W were taken");
            auto done = std::move(op.done);
            uint8_t resp = in.bresp;
            ops_.pop_front();
            start();
            if (done) done(0, resp);
        }
    } else {
        if (out_.arvalid && in.arready) { out_.arvalid = false; aw_done_ = true; }
        if (in.rvalid) {
            if (!aw_done_ && !(out_.arvalid && in.arready)) protocol_.push_back("R before AR was taken");
            auto done = std::move(op.done);
            uint32_t d = in.rdata;
            uint8_t resp = in.rresp;
            ops_.pop_front();
            start();
            if (done) done(d, resp);
        }
    }
}

}  // namespace nic::sim
