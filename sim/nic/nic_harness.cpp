#include "nic/nic_harness.h"

#include "Vnic_sim_top.h"
#include "Vnic_sim_top___024root.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
#if NIC_COVERAGE
#include "verilated_cov.h"

#include <atomic>
#include <cstdlib>
#include <unistd.h>
#endif

#include <cstring>
#include <stdexcept>

namespace nic::sim {

namespace {
constexpr uint64_t kMacPeriodFs = 8'000'000;     // 125 MHz
uint64_t period(double mhz) { return uint64_t(1e9 / mhz + 0.5); }
}  // namespace

void apply_stall_profile(AxiSlaveConfig& axi, uint64_t seed) {
    axi.ready_stall_pct = 25;
    axi.r_gap_pct = 20;
    axi.b_gap_pct = 20;
    axi.read_latency_jitter = 100;
    axi.write_latency_jitter = 100;
    axi.aw_after_w = AwAfterW::first_beat;
    axi.seed = seed;
}

std::optional<uint64_t> stall_profile_seed() {
    const char* s = std::getenv("NIC_AXI_STALLS");
    if (!s || !*s) return std::nullopt;
    char* end = nullptr;
    const uint64_t v = std::strtoull(s, &end, 0);
    if (*end) throw std::invalid_argument(std::string("NIC_AXI_STALLS is not a number: ") + s);
    return v;
}

namespace {
NicConfig with_env(NicConfig c) {
    if (auto seed = stall_profile_seed()) apply_stall_profile(c.axi, *seed);
    return c;
}
}  // namespace

NicHarness::NicHarness(const NicConfig& cfg)
    : cfg_(with_env(cfg)), ctx_(new VerilatedContext), mem_(cfg_.mem_base, cfg_.mem_size),
      axi_(mem_, cfg_.axi) {
    if (cfg_.in_phase) {
        cfg_.core_mhz = 125.0;
        cfg_.tx_ppm = cfg_.rx_ppm = 0;
    }
    if (!cfg_.vcd.empty()) ctx_->traceEverOn(true);
    top_ = std::make_unique<Vnic_sim_top>(ctx_.get(), "nic");
    if (!cfg_.vcd.empty()) {
        vcd_ = std::make_unique<VerilatedVcdC>();
        top_->trace(vcd_.get(), 99);
        vcd_->open(cfg_.vcd.c_str());
    }
    period_fs_[0] = period(cfg_.core_mhz);
    period_fs_[1] = uint64_t(double(kMacPeriodFs) / (1.0 + cfg_.tx_ppm * 1e-6) + 0.5);
    period_fs_[2] = uint64_t(double(kMacPeriodFs) / (1.0 + cfg_.rx_ppm * 1e-6) + 0.5);
    // stagger the first edges so that the domains are not in lock-step
    next_fs_[0] = period_fs_[0];
    next_fs_[1] = period_fs_[1] + 1'234'567;
    next_fs_[2] = period_fs_[2] + 2'345'678;
    Vnic_sim_top& t = *top_;
    t.phy_link = 1;
    t.phy_latency = cfg_.phy_latency;
    t.phy_inj_rx_er = 0;
    t.phy_inj_flip = 0;
    t.clk = t.tx_clk = t.rx_clk = 0;
    t.eval();
    reset();
}

void NicHarness::close_waves() {
    if (vcd_) vcd_->close();
    vcd_.reset();
}

NicHarness::~NicHarness() {
    close_waves();
    top_->final();
#if NIC_COVERAGE
    static std::atomic<unsigned> serial{0};
    const char* dir = std::getenv("NIC_COVERAGE_DIR");
    std::string path = std::string(dir ? dir : ".") + "/nic-" + std::to_string(getpid()) + "-" +
                       std::to_string(serial++) + ".dat";
    ctx_->coveragep()->write(path.c_str());
#endif
}

void NicHarness::reset(unsigned cycles) {
    top_->rst = 1;
    axil_.reset();
    axi_.reset();
    run(cycles);
    top_->rst = 0;
    run(8);
}

void NicHarness::step() {
    if (cfg_.in_phase) {
        now_fs_ += kMacPeriodFs;
        all_edge();
        if (vcd_ && core_cycles_ >= cfg_.vcd_from && core_cycles_ < cfg_.vcd_to) vcd_->dump(now_fs_ / 1000);
        return;
    }
    int k = 0;                      // the core clock never stops
    for (int i = 1; i < 3; ++i)
        if (!stopped_[i] && next_fs_[i] < next_fs_[k]) k = i;
    now_fs_ = next_fs_[k];
    next_fs_[k] += period_fs_[k];
    if (k == 0) core_edge();
    else if (k == 1) tx_edge();
    else rx_edge();
    if (vcd_ && core_cycles_ >= cfg_.vcd_from && core_cycles_ < cfg_.vcd_to) vcd_->dump(now_fs_ / 1000);
}

void NicHarness::drive_core_inputs() {
    Vnic_sim_top& t = *top_;
    // drive the host models' outputs
    const AxiSlaveSignals& s = axi_.outputs();
    t.m_axi_arready = s.arready;
    t.m_axi_rvalid = s.rvalid;
    t.m_axi_rid = s.rid;
    t.m_axi_rdata = s.rdata;
    t.m_axi_rresp = s.rresp;
    t.m_axi_rlast = s.rlast;
    t.m_axi_awready = s.awready;
    t.m_axi_wready = s.wready;
    t.m_axi_bvalid = s.bvalid;
    t.m_axi_bid = s.bid;
    t.m_axi_bresp = s.bresp;
    const AxiLiteMasterSignals& l = axil_.outputs();
    t.s_axil_awaddr = l.awaddr;
    t.s_axil_awvalid = l.awvalid;
    t.s_axil_wdata = l.wdata;
    t.s_axil_wstrb = l.wstrb;
    t.s_axil_wvalid = l.wvalid;
    t.s_axil_bready = l.bready;
    t.s_axil_araddr = l.araddr;
    t.s_axil_arvalid = l.arvalid;
    t.s_axil_rready = l.rready;
}

void NicHarness::sample_core_outputs(AxiMasterSignals& m, AxiLiteSlaveSignals& ls) {
    Vnic_sim_top& t = *top_;
    m.arvalid = t.m_axi_arvalid;
    m.arid = t.m_axi_arid;
    m.araddr = t.m_axi_araddr;
    m.arlen = t.m_axi_arlen;
    m.arsize = t.m_axi_arsize;
    m.arburst = t.m_axi_arburst;
    m.rready = t.m_axi_rready;
    m.awvalid = t.m_axi_awvalid;
    m.awid = t.m_axi_awid;
    m.awaddr = t.m_axi_awaddr;
    m.awlen = t.m_axi_awlen;
    m.awsize = t.m_axi_awsize;
    m.awburst = t.m_axi_awburst;
    m.wvalid = t.m_axi_wvalid;
    m.wdata = t.m_axi_wdata;
    m.wstrb = t.m_axi_wstrb;
    m.wlast = t.m_axi_wlast;
    m.bready = t.m_axi_bready;
    ls.awready = t.s_axil_awready;
    ls.wready = t.s_axil_wready;
    ls.bvalid = t.s_axil_bvalid;
    ls.bresp = t.s_axil_bresp;
    ls.arready = t.s_axil_arready;
    ls.rvalid = t.s_axil_rvalid;
    ls.rdata = t.s_axil_rdata;
    ls.rresp = t.s_axil_rresp;
}

void NicHarness::core_edge() {
    Vnic_sim_top& t = *top_;
    t.clk = 0;
    drive_core_inputs();
    t.eval();
    // sample the DUT's outputs as the edge sees them
    AxiMasterSignals m;
    AxiLiteSlaveSignals ls;
    sample_core_outputs(m, ls);
    t.clk = 1;
    t.eval();
    ++core_cycles_;
    axi_.clock(m);
    axil_.clock(ls);
    if (on_core_cycle) on_core_cycle();
}

void NicHarness::all_edge() {
    Vnic_sim_top& t = *top_;
    t.clk = t.tx_clk = t.rx_clk = 0;
    drive_core_inputs();
    drive_line_rx();
    t.eval();
    AxiMasterSignals m;
    AxiLiteSlaveSignals ls;
    sample_core_outputs(m, ls);
    t.clk = t.tx_clk = t.rx_clk = 1;
    t.eval();
    ++core_cycles_;
    ++tx_cycles_;
    ++rx_cycles_;
    axi_.clock(m);
    axil_.clock(ls);
    capture_line_tx();
    if (on_core_cycle) on_core_cycle();
}

void NicHarness::tx_edge() {
    Vnic_sim_top& t = *top_;
    t.tx_clk = 0;
    t.eval();
    t.tx_clk = 1;
    t.eval();
    ++tx_cycles_;
    capture_line_tx();
}

void NicHarness::capture_line_tx() {
    Vnic_sim_top& t = *top_;
    if (t.line_tx_en) {
        if (cur_burst_.empty()) cur_start_ = core_cycles_;
        cur_burst_.push_back(ref::GmiiSymbol{t.line_txd, true, bool(t.line_tx_er)});
    } else if (!cur_burst_.empty()) {
        if (cfg_.loopback) {
            ref::Symbols s = cur_burst_;
            if (loop_hook) loop_hook(s);
            send_symbols(s);
            rx_q_.insert(rx_q_.end(), cfg_.line_gap, ref::GmiiSymbol{});
        }
        LineBurst b{std::move(cur_burst_), cur_start_, core_cycles_};
        if (on_line_tx) on_line_tx(std::move(b));
        else tx_bursts_.push_back(std::move(b));
        cur_burst_.clear();
    }
}

void NicHarness::send_burst_at(uint64_t rx_cycle, ref::Symbols s) {
    timed_.emplace_back(rx_cycle, std::move(s));
}

void NicHarness::drive_line_rx() {
    Vnic_sim_top& t = *top_;
    if (rx_q_.empty() && !timed_.empty() && timed_.front().first <= rx_cycles_) {
        rx_q_.assign(timed_.front().second.begin(), timed_.front().second.end());
        timed_.pop_front();
    }
    ref::GmiiSymbol s{};
    if (!rx_q_.empty()) {
        s = rx_q_.front();
        rx_q_.pop_front();
    }
    t.line_rxd = s.d;
    t.line_rx_dv = s.dv;
    t.line_rx_er = s.er;
}

void NicHarness::rx_edge() {
    Vnic_sim_top& t = *top_;
    t.rx_clk = 0;
    drive_line_rx();
    t.eval();
    t.rx_clk = 1;
    t.eval();
    ++rx_cycles_;
}

void NicHarness::set_clock_running(int k, bool on) {
    if (cfg_.in_phase) throw std::logic_error("NicHarness: clocks cannot stop with in_phase");
    if (stopped_[k] && on) next_fs_[k] = now_fs_ + period_fs_[k];
    stopped_[k] = !on;
}

void NicHarness::run(uint64_t n) {
    uint64_t end = core_cycles_ + n;
    while (core_cycles_ < end) step();
}


bool NicHarness::quiet() const {
    return axi_.idle() && axil_.idle() && rx_q_.empty() && cur_burst_.empty() && !top_->line_tx_en;
}

uint64_t NicHarness::skip_idle(uint64_t max) {
    if (!cfg_.in_phase || on_core_cycle || cfg_.axi.ready_stall_pct || max < 2 || !quiet()) return 0;
    uint64_t horizon = max;
    if (!timed_.empty()) {
        if (timed_.front().first <= rx_cycles_ + 1) return 0;
        horizon = std::min(horizon, timed_.front().first - rx_cycles_);
    }
    const Vnic_sim_top___024root& root = *top_->rootp;
    snapshot_.resize(sizeof root);
    std::memcpy(snapshot_.data(), &root, sizeof root);
    step();
    if (std::memcmp(snapshot_.data(), &root, sizeof root) != 0 || !quiet()) return 1;
    const uint64_t n = horizon - 1;
    core_cycles_ += n;
    tx_cycles_ += n;
    rx_cycles_ += n;
    now_fs_ += n * kMacPeriodFs;
    axi_.skip(n);
    return n + 1;
}

bool NicHarness::run_until(const std::function<bool()>& pred, uint64_t max) {
    uint64_t end = core_cycles_ + max;
    while (!pred()) {
        if (core_cycles_ >= end) return false;
        uint64_t c = core_cycles_;
        while (core_cycles_ == c) step();
    }
    return true;
}

uint32_t NicHarness::rd(uint16_t addr) {
    bool done = false;
    uint32_t v = 0;
    axil_.read(addr, [&](uint32_t d, uint8_t r) { v = d; last_resp_ = r; done = true; });
    if (!run_until([&] { return done; }, 100000)) throw std::runtime_error("AXI4-Lite read timed out");
    return v;
}

void NicHarness::wr(uint16_t addr, uint32_t v, uint8_t strb) {
    bool done = false;
    axil_.write(addr, v, strb, [&](uint32_t, uint8_t r) { last_resp_ = r; done = true; });
    if (!run_until([&] { return done; }, 100000)) throw std::runtime_error("AXI4-Lite write timed out");
}

void NicHarness::send_line(const std::vector<uint8_t>& frame, int gap) {
    for (uint8_t b : ref::wire_bytes(frame)) rx_q_.push_back(ref::GmiiSymbol{b, true, false});
    rx_q_.insert(rx_q_.end(), gap < 0 ? cfg_.line_gap : unsigned(gap), ref::GmiiSymbol{});
}

void NicHarness::set_link(bool up) { top_->phy_link = up; }
void NicHarness::set_rx_er(bool on) { top_->phy_inj_rx_er = on; }
void NicHarness::set_flip(uint8_t mask) { top_->phy_inj_flip = mask; }
bool NicHarness::irq() const { return top_->irq; }
bool NicHarness::mdio_line() const { return top_->mdio_line; }
bool NicHarness::line_rx_dv() const { return top_->line_rx_dv; }
bool NicHarness::line_tx_en() const { return top_->line_tx_en; }

}  // namespace nic::sim
