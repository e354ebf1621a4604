#include "mac/mac_harness.h"

#include "Veth_mac.h"
#include "Veth_mac_mii.h"
#include "Veth_mac_rmii.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
#if NIC_COVERAGE
#include "verilated_cov.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <unistd.h>
#endif

#include <stdexcept>

namespace nic::sim {

const char* to_string(MacMode m) {
    switch (m) {
    case MacMode::Gmii: return "GMII";
    case MacMode::Mii: return "MII";
    case MacMode::Rmii100: return "RMII100";
    case MacMode::Rmii10: return "RMII10";
    }
    return "?";
}

ref::PhyIf phy_if(MacMode m) {
    return m == MacMode::Gmii ? ref::PhyIf::Gmii
           : m == MacMode::Mii ? ref::PhyIf::Mii : ref::PhyIf::Rmii;
}

unsigned clocks_per_byte(MacMode m) {
    switch (m) {
    case MacMode::Gmii: return 1;
    case MacMode::Mii: return 2;
    case MacMode::Rmii100: return 4;
    case MacMode::Rmii10: return 40;
    }
    return 1;
}

uint64_t clock_period_ps(MacMode m) {
    return m == MacMode::Gmii ? 8000 : m == MacMode::Mii ? 40000 : 20000;
}

namespace {
unsigned symbol_bits(MacMode m) { return m == MacMode::Gmii ? 8 : m == MacMode::Mii ? 4 : 2; }
// Clocks each symbol stays on the pins.
unsigned symbol_clocks(MacMode m) { return m == MacMode::Rmii10 ? 10 : 1; }
}  // namespace

// The ports of a verilated eth_mac, whichever MODE (and so whichever class) it was built with:
// the three classes have the same ports, so one set of pointers serves them all.
struct MacHarness::Pins {
    uint8_t *tx_clk, *rx_clk, *tx_rst, *rx_rst;
    uint8_t *tx_tdata, *tx_tvalid, *tx_tready, *tx_tlast, *tx_tuser;
    uint8_t *rx_tdata, *rx_tvalid, *rx_tlast, *rx_tuser;
    uint8_t *txd, *tx_en, *tx_er, *rxd, *rx_dv, *rx_er;
    uint8_t *cfg_ifg, *cfg_speed_10;
    uint16_t *cfg_rx_max_len, *stat_tx_len, *stat_rx_len;
    uint8_t *stat_tx_frame, *stat_tx_err_underflow, *stat_tx_err_abort;
    uint8_t *stat_rx_frame, *stat_rx_err_fcs, *stat_rx_err_runt, *stat_rx_err_oversize,
        *stat_rx_err_rxer, *stat_rx_err_preamble, *stat_rx_err_short;
    const uint32_t *tx_count, *rx_count;
    std::function<void()> eval, final;
    std::function<void(VerilatedVcdC*)> trace;

    template <class M>
    static Pins of(M& m) {
        Pins p;
        p.tx_clk = &m.tx_clk, p.rx_clk = &m.rx_clk, p.tx_rst = &m.tx_rst, p.rx_rst = &m.rx_rst;
        p.tx_tdata = &m.s_axis_tx_tdata, p.tx_tvalid = &m.s_axis_tx_tvalid;
        p.tx_tready = &m.s_axis_tx_tready, p.tx_tlast = &m.s_axis_tx_tlast;
        p.tx_tuser = &m.s_axis_tx_tuser;
        p.rx_tdata = &m.m_axis_rx_tdata, p.rx_tvalid = &m.m_axis_rx_tvalid;
        p.rx_tlast = &m.m_axis_rx_tlast, p.rx_tuser = &m.m_axis_rx_tuser;
        p.txd = &m.gmii_txd, p.tx_en = &m.gmii_tx_en, p.tx_er = &m.gmii_tx_er;
        p.rxd = &m.gmii_rxd, p.rx_dv = &m.gmii_rx_dv, p.rx_er = &m.gmii_rx_er;
        p.cfg_ifg = &m.cfg_ifg, p.cfg_speed_10 = &m.cfg_speed_10;
        p.cfg_rx_max_len = &m.cfg_rx_max_len;
        p.stat_tx_len = &m.stat_tx_len, p.stat_rx_len = &m.stat_rx_len;
        p.stat_tx_frame = &m.stat_tx_frame, p.stat_tx_err_underflow = &m.stat_tx_err_underflow;
        p.stat_tx_err_abort = &m.stat_tx_err_abort;
        p.stat_rx_frame = &m.stat_rx_frame, p.stat_rx_err_fcs = &m.stat_rx_err_fcs;
        p.stat_rx_err_runt = &m.stat_rx_err_runt, p.stat_rx_err_oversize = &m.stat_rx_err_oversize;
        p.stat_rx_err_rxer = &m.stat_rx_err_rxer, p.stat_rx_err_preamble = &m.stat_rx_err_preamble;
        p.stat_rx_err_short = &m.stat_rx_err_short;
        p.tx_count = m.stat_tx_count.data(), p.rx_count = m.stat_rx_count.data();
        p.eval = [&m] { m.eval(); };
        p.final = [&m] { m.final(); };
        p.trace = [&m](VerilatedVcdC* v) { m.trace(v, 99); };
        return p;
    }
};

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
    switch (cfg_.mode) {
    case MacMode::Gmii:
        gmii_ = std::make_unique<Veth_mac>(ctx_.get(), "mac");
        p_ = std::make_unique<Pins>(Pins::of(*gmii_));
        break;
    case MacMode::Mii:
        mii_ = std::make_unique<Veth_mac_mii>(ctx_.get(), "mac");
        p_ = std::make_unique<Pins>(Pins::of(*mii_));
        break;
    case MacMode::Rmii100:
    case MacMode::Rmii10:
        rmii_ = std::make_unique<Veth_mac_rmii>(ctx_.get(), "mac");
        p_ = std::make_unique<Pins>(Pins::of(*rmii_));
        break;
    }
    if (!cfg_.vcd.empty()) {
        vcd_ = std::make_unique<VerilatedVcdC>();
        p_->trace(vcd_.get());
        vcd_->open(cfg_.vcd.c_str());
    }
    *p_->cfg_ifg = cfg_.ifg;
    *p_->cfg_rx_max_len = cfg_.max_len;
    *p_->cfg_speed_10 = cfg_.mode == MacMode::Rmii10;
    reset();
}

Veth_mac& MacHarness::model() {
    if (!gmii_) throw std::logic_error("MacHarness::model(): the GMII model only");
    return *gmii_;
}

bool MacHarness::tx_en() const { return *p_->tx_en; }

void MacHarness::push_rx(const Symbols& s) {
    const unsigned w = symbol_bits(cfg_.mode);
    const unsigned mask = (1u << w) - 1;
    for (const auto& b : s)
        for (unsigned k = 0; k < 8 / w; ++k)
            rx_queue_.push_back(LineSymbol{uint8_t((b.d >> (w * k)) & mask), b.dv, b.er});
}

ref::RxExpect MacHarness::expect_rx(const Symbols& burst) const {
    return ref::classify(ref::align_rx(phy_if(cfg_.mode), burst), cfg_.max_len);
}

MacHarness::~MacHarness() {
    if (vcd_) vcd_->close();
    p_->final();
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
    *p_->tx_rst = 1;
    *p_->rx_rst = 1;
    for (unsigned i = 0; i < cycles; ++i) step();
    *p_->tx_rst = 0;
    *p_->rx_rst = 0;
}

void MacHarness::clear_tx() {
    tx_queue_.clear();
    tx_beat_ = 0;
    tx_gap_left_ = 0;
    tx_started_ = false;
    tx_underflow_done_ = false;
}

void MacHarness::drive_inputs() {
    Pins& m = *p_;
    *m.tx_tvalid = 0;
    *m.tx_tlast = 0;
    *m.tx_tuser = 0;
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
            // the gap must fall in a byte time the MAC takes a beat in
            if (*m.tx_tready) tx_underflow_done_ = true;
        }
        if (!hold && tx_beat_ < r.data.size()) {
            *m.tx_tdata = r.data[tx_beat_];
            *m.tx_tvalid = 1;
            bool last = tx_beat_ + 1 == r.data.size();
            *m.tx_tlast = last;
            *m.tx_tuser = last && r.abort;
        }
        // gap_before counts byte times
        if (tx_gap_left_ > 0 && cycle_ % clocks_per_byte() == 0) --tx_gap_left_;
    }

    // Each receive symbol stays on the pins for symbol_clocks() clocks.
    if (rx_hold_ == 0) {
        rx_cur_ = LineSymbol{};
        if (!rx_queue_.empty()) {
            rx_cur_ = rx_queue_.front();
            rx_queue_.pop_front();
        }
        rx_hold_ = symbol_clocks(cfg_.mode);
    }
    --rx_hold_;
    *m.rxd = rx_cur_.d;
    *m.rx_dv = rx_cur_.dv;
    *m.rx_er = rx_cur_.er;
}

void MacHarness::step() {
    Pins& m = *p_;
    const uint64_t period = clock_period_ps(cfg_.mode);
    *m.tx_clk = 0;
    *m.rx_clk = 0;
    drive_inputs();
    m.eval();
    if (vcd_) vcd_->dump(cycle_ * period + period / 2);
    // tready is a function of the MAC's registers only (state and the byte strobe), so its
    // value before the edge is the one the edge samples.
    bool tready = *m.tx_tready;
    bool tvalid = *m.tx_tvalid;
    *m.tx_clk = 1;
    *m.rx_clk = 1;
    m.eval();
    if (vcd_) vcd_->dump(cycle_ * period + period);
    ++cycle_;
    sample_outputs(tready, tvalid);
}

// Reassembles the transmit pins into bytes. A burst starts at the first clock with tx_en; from
// there the pins are sampled once per symbol (every clock, or every 10th for RMII 10 Mb/s, where
// they must not change in between) and the burst ends at the first sample with tx_en low.
void MacHarness::monitor_tx() {
    Pins& m = *p_;
    const unsigned w = symbol_bits(cfg_.mode);
    const unsigned sym_clocks = symbol_clocks(cfg_.mode);
    const uint8_t pins = uint8_t((*m.txd & ((1u << w) - 1)) | (*m.tx_en << 6) | (*m.tx_er << 7));
    if (!in_burst_ && !*m.tx_en) return;
    if (!in_burst_) {
        in_burst_ = true;
        cur_burst_start_ = cycle_;
        tx_phase_ = 0;
        tx_sym_ = 0;
        tx_byte_ = GmiiSymbol{0, true, false};
    } else if (++tx_phase_ < sym_clocks) {
        if (pins != tx_last_pins_) ++tx_glitches_;
        return;
    }
    tx_phase_ = 0;
    tx_last_pins_ = pins;
    if (!*m.tx_en) {
        in_burst_ = false;
        bool partial = tx_sym_ != 0;
        if (cfg_.loopback) {
            Symbols wire = cur_burst_;
            if (fault_hook_) fault_hook_(wire);
            if (wire_tap_) wire_tap_(wire, cycle_);
            push_rx(wire);
            push_rx_idle(cfg_.rx_gap);
        }
        tx_bursts_.push_back(TxBurst{std::move(cur_burst_), cur_burst_start_, cycle_, partial});
        cur_burst_.clear();
        return;
    }
    tx_byte_.d = uint8_t(tx_byte_.d | (*m.txd & ((1u << w) - 1)) << (w * tx_sym_));
    tx_byte_.er = tx_byte_.er || *m.tx_er;
    if (++tx_sym_ == 8 / w) {
        cur_burst_.push_back(tx_byte_);
        tx_byte_ = GmiiSymbol{0, true, false};
        tx_sym_ = 0;
    }
}

void MacHarness::sample_outputs(bool tready, bool tvalid) {
    Pins& m = *p_;
    if (tready && tvalid && !tx_queue_.empty()) {
        if (++tx_beat_ == tx_queue_.front().data.size()) {
            tx_queue_.pop_front();
            tx_beat_ = 0;
            tx_started_ = false;
            tx_underflow_done_ = false;
        }
    }

    monitor_tx();

    if (*m.rx_tvalid) {
        cur_rx_.data.push_back(*m.rx_tdata);
        if (*m.rx_tlast) {
            cur_rx_.bad = *m.rx_tuser;
            cur_rx_.cycle = cycle_;
            rx_frames_.push_back(std::move(cur_rx_));
            cur_rx_ = RxFrame{};
        }
    }

    auto& p = pulses_;
    if (*m.stat_tx_frame) ++p.tx[MacCounters::kTxFrames], p.tx[MacCounters::kTxBytes] += *m.stat_tx_len;
    p.tx[MacCounters::kTxUnderflow] += *m.stat_tx_err_underflow;
    p.tx[MacCounters::kTxAbort] += *m.stat_tx_err_abort;
    if (*m.stat_rx_frame) ++p.rx[MacCounters::kRxFrames], p.rx[MacCounters::kRxBytes] += *m.stat_rx_len;
    p.rx[MacCounters::kRxFcs] += *m.stat_rx_err_fcs;
    p.rx[MacCounters::kRxRunt] += *m.stat_rx_err_runt;
    p.rx[MacCounters::kRxOversize] += *m.stat_rx_err_oversize;
    p.rx[MacCounters::kRxEr] += *m.stat_rx_err_rxer;
    p.rx[MacCounters::kRxPreamble] += *m.stat_rx_err_preamble;
    p.rx[MacCounters::kRxShort] += *m.stat_rx_err_short;

    bool busy = *m.tx_en || *m.rx_dv || *m.rx_tvalid || in_burst_;
    quiet_cycles_ = busy ? 0 : quiet_cycles_ + 1;
}

bool MacHarness::idle() const {
    // The receive path lags its pins by a few byte times; 16 quiet ones cover it.
    return tx_queue_.empty() && rx_queue_.empty() && quiet_cycles_ >= 16 * clocks_per_byte();
}

bool MacHarness::drain(uint64_t max_bytes) {
    const uint64_t max_cycles = max_bytes * clocks_per_byte();
    for (uint64_t i = 0; i < max_cycles; ++i) {
        if (idle()) return true;
        step();
    }
    return idle();
}

MacCounters MacHarness::counters() const {
    MacCounters c;
    for (int i = 0; i < MacCounters::kTxCount; ++i) c.tx[i] = p_->tx_count[i];
    for (int i = 0; i < MacCounters::kRxCount; ++i) c.rx[i] = p_->rx_count[i];
    return c;
}

}  // namespace nic::sim
