#include "mac/mac_harness.h"

#include "Veth_mac.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
#if NIC_COVERAGE
#include "verilated_cov.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <unistd.h>
#endif

namespace nic::sim {

const char* MacCounters::tx_name(int i) {
    static const char* n[] = {"tx_frames", "tx_bytes", "tx_err_underflow", "tx_err_abort"};
    return n[i];
}
const char* MacCounters::rx_name(int i) {
    static const char* n[] = {"rx_frames",      "rx_bytes",   "rx_err_fcs",
                              "rx_err_runt",    "rx_err_oversize", "rx_err_rxer",
                              "rx_err_preamble", "rx_err_short"};
    return n[i];
}
int MacCounters::rx_index(ref::RxOutcome o) {
    switch (o) {
    case ref::RxOutcome::Good: return kRxFrames;
    case ref::RxOutcome::Fcs: return kRxFcs;
    case ref::RxOutcome::Runt: return kRxRunt;
    case ref::RxOutcome::Oversize: return kRxOversize;
    case ref::RxOutcome::RxEr: return kRxEr;
    case ref::RxOutcome::Preamble: return kRxPreamble;
    case ref::RxOutcome::Short: return kRxShort;
    }
    return kRxFrames;
}

MacHarness::MacHarness(const MacConfig& cfg) : cfg_(cfg), ctx_(new VerilatedContext) {
    if (!cfg_.vcd.empty()) ctx_->traceEverOn(true);
    model_ = std::make_unique<Veth_mac>(ctx_.get(), "mac");
    if (!cfg_.vcd.empty()) {
        vcd_ = std::make_unique<VerilatedVcdC>();
        model_->trace(vcd_.get(), 99);
        vcd_->open(cfg_.vcd.c_str());
    }
    model_->cfg_ifg = cfg_.ifg;
    model_->cfg_rx_max_len = cfg_.max_len;
    reset();
}

MacHarness::~MacHarness() {
    if (vcd_) vcd_->close();
    model_->final();
#if NIC_COVERAGE
    // Tests run as many processes, each with several harnesses: one file per harness, merged by
    // scripts/coverage.
    static std::atomic<unsigned> serial{0};
    const char* dir = std::getenv("NIC_COVERAGE_DIR");
    std::string path = std::string(dir ? dir : ".") + "/mac-" + std::to_string(getpid()) + "-" +
                       std::to_string(serial++) + ".dat";
    ctx_->coveragep()->write(path.c_str());
#endif
}

void MacHarness::reset(unsigned cycles) {
    model_->tx_rst = 1;
    model_->rx_rst = 1;
    for (unsigned i = 0; i < cycles; ++i) step();
    model_->tx_rst = 0;
    model_->rx_rst = 0;
}

void MacHarness::clear_tx() {
    tx_queue_.clear();
    tx_beat_ = 0;
    tx_gap_left_ = 0;
    tx_started_ = false;
    tx_underflow_done_ = false;
}

void MacHarness::drive_inputs() {
    Veth_mac& m = *model_;
    m.s_axis_tx_tvalid = 0;
    m.s_axis_tx_tlast = 0;
    m.s_axis_tx_tuser = 0;
    if (!tx_queue_.empty()) {
        TxRequest& r = tx_queue_.front();
        if (!tx_started_ && tx_gap_left_ == 0 && tx_beat_ == 0) {
            tx_gap_left_ = r.gap_before;
            tx_started_ = true;
        }
        bool hold = tx_gap_left_ > 0;
        if (!hold && r.underflow_at >= 0 && tx_beat_ == size_t(r.underflow_at) &&
            !tx_underflow_done_) {
            hold = true;
            tx_underflow_done_ = true;
        }
        if (!hold && tx_beat_ < r.data.size()) {
            m.s_axis_tx_tdata = r.data[tx_beat_];
            m.s_axis_tx_tvalid = 1;
            bool last = tx_beat_ + 1 == r.data.size();
            m.s_axis_tx_tlast = last;
            m.s_axis_tx_tuser = last && r.abort;
        }
        if (tx_gap_left_ > 0) --tx_gap_left_;
    }

    GmiiSymbol rx{};
    if (!rx_queue_.empty()) {
        rx = rx_queue_.front();
        rx_queue_.pop_front();
    }
    m.gmii_rxd = rx.d;
    m.gmii_rx_dv = rx.dv;
    m.gmii_rx_er = rx.er;
}

void MacHarness::step() {
    Veth_mac& m = *model_;
    m.tx_clk = 0;
    m.rx_clk = 0;
    drive_inputs();
    m.eval();
    if (vcd_) vcd_->dump(cycle_ * 8000 + 4000);
    // tready is a function of the MAC's state only, so its value before the edge is the one
    // the edge samples.
    bool tready = m.s_axis_tx_tready;
    bool tvalid = m.s_axis_tx_tvalid;
    m.tx_clk = 1;
    m.rx_clk = 1;
    m.eval();
    if (vcd_) vcd_->dump(cycle_ * 8000 + 8000);
    ++cycle_;
    sample_outputs(tready, tvalid);
}

void MacHarness::sample_outputs(bool tready, bool tvalid) {
    Veth_mac& m = *model_;
    if (tready && tvalid && !tx_queue_.empty()) {
        if (++tx_beat_ == tx_queue_.front().data.size()) {
            tx_queue_.pop_front();
            tx_beat_ = 0;
            tx_started_ = false;
            tx_underflow_done_ = false;
        }
    }

    if (m.gmii_tx_en) {
        if (cur_burst_.empty()) cur_burst_start_ = cycle_;
        cur_burst_.push_back(GmiiSymbol{m.gmii_txd, true, bool(m.gmii_tx_er)});
    } else if (!cur_burst_.empty()) {
        if (cfg_.loopback) {
            Symbols wire = cur_burst_;
            if (fault_hook_) fault_hook_(wire);
            if (wire_tap_) wire_tap_(wire, cycle_);
            push_rx(wire);
            push_rx_idle(cfg_.rx_gap);
        }
        tx_bursts_.push_back(TxBurst{std::move(cur_burst_), cur_burst_start_, cycle_});
        cur_burst_.clear();
    }

    if (m.m_axis_rx_tvalid) {
        cur_rx_.data.push_back(m.m_axis_rx_tdata);
        if (m.m_axis_rx_tlast) {
            cur_rx_.bad = m.m_axis_rx_tuser;
            cur_rx_.cycle = cycle_;
            rx_frames_.push_back(std::move(cur_rx_));
            cur_rx_ = RxFrame{};
        }
    }

    auto& p = pulses_;
    if (m.stat_tx_frame) ++p.tx[MacCounters::kTxFrames], p.tx[MacCounters::kTxBytes] += m.stat_tx_len;
    p.tx[MacCounters::kTxUnderflow] += m.stat_tx_err_underflow;
    p.tx[MacCounters::kTxAbort] += m.stat_tx_err_abort;
    if (m.stat_rx_frame) ++p.rx[MacCounters::kRxFrames], p.rx[MacCounters::kRxBytes] += m.stat_rx_len;
    p.rx[MacCounters::kRxFcs] += m.stat_rx_err_fcs;
    p.rx[MacCounters::kRxRunt] += m.stat_rx_err_runt;
    p.rx[MacCounters::kRxOversize] += m.stat_rx_err_oversize;
    p.rx[MacCounters::kRxEr] += m.stat_rx_err_rxer;
    p.rx[MacCounters::kRxPreamble] += m.stat_rx_err_preamble;
    p.rx[MacCounters::kRxShort] += m.stat_rx_err_short;

    bool busy = m.gmii_tx_en || m.gmii_rx_dv || m.m_axis_rx_tvalid || !cur_burst_.empty();
    quiet_cycles_ = busy ? 0 : quiet_cycles_ + 1;
}

bool MacHarness::idle() const {
    // The receive path lags its pins by a few cycles; 16 quiet cycles cover it.
    return tx_queue_.empty() && rx_queue_.empty() && quiet_cycles_ >= 16;
}

bool MacHarness::drain(uint64_t max_cycles) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
        if (idle()) return true;
        step();
    }
    return idle();
}

MacCounters MacHarness::counters() const {
    MacCounters c;
    for (int i = 0; i < MacCounters::kTxCount; ++i) c.tx[i] = model_->stat_tx_count[i];
    for (int i = 0; i < MacCounters::kRxCount; ++i) c.rx[i] = model_->stat_rx_count[i];
    return c;
}

}  // namespace nic::sim
