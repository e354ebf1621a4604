// BoardSim (see board_sim.h).
#include "driver/board/sim/board_sim.h"

#include "Vnic_fpga_board.h"
#include "Vnic_fpga_core.h"
#include "mac/gmii_ref.h"
#include "verilated.h"

#include <algorithm>
#include <cmath>

namespace nic::board {

// The pins of either build of nic_fpga_core (the two Verilated classes have the same ports).
struct BoardSim::Model {
    virtual ~Model() = default;
    virtual void eval() = 0;
    virtual void final() = 0;
    CData *clk, *tx_clk, *rx_clk, *rst, *spi_sck, *spi_cs_n, *spi_mosi, *spi_miso, *spi_miso_oe;
    CData *gmii_txd, *gmii_tx_en, *gmii_rxd, *gmii_rx_dv, *gmii_rx_er;
    CData *mdc, *mdio_o, *mdio_oe, *mdio_i, *phy_link, *irq;
};

namespace {

template <class V>
struct ModelOf : BoardSim::Model {
    VerilatedContext ctx;
    V top{&ctx};
    ModelOf() {
        clk = &top.clk, tx_clk = &top.tx_clk, rx_clk = &top.rx_clk, rst = &top.rst;
        spi_sck = &top.spi_sck, spi_cs_n = &top.spi_cs_n, spi_mosi = &top.spi_mosi;
        spi_miso = &top.spi_miso, spi_miso_oe = &top.spi_miso_oe;
        gmii_txd = &top.gmii_txd, gmii_tx_en = &top.gmii_tx_en;
        gmii_rxd = &top.gmii_rxd, gmii_rx_dv = &top.gmii_rx_dv, gmii_rx_er = &top.gmii_rx_er;
        mdc = &top.mdc, mdio_o = &top.mdio_o, mdio_oe = &top.mdio_oe, mdio_i = &top.mdio_i;
        phy_link = &top.phy_link, irq = &top.irq;
    }
    void eval() override { top.eval(); }
    void final() override { top.final(); }
};

constexpr int64_t kFsPerNs = 1000000;
constexpr uint16_t kAn100 = 0x0180;    // ANAR/ANLPAR technology bits 100BASE-TX FD, HD (28B.2.1.2.2)

}  // namespace

size_t board_mem_bytes(BoardModel m) { return m == BoardModel::Board ? 8192 : 4096; }

BoardSim::BoardSim(BoardSimConfig cfg)
    : cfg_(cfg),
      core_half_fs_(std::llround(1e9 / (2.0 * cfg.core_mhz))),
      ref_half_fs_(std::llround(1e9 / (2.0 * cfg.ref_mhz * (1.0 + cfg.ref_ppm * 1e-6)))),
      link_(cfg.link) {
    if (cfg.model == BoardModel::Board)
        m_ = std::make_unique<ModelOf<Vnic_fpga_board>>();
    else
        m_ = std::make_unique<ModelOf<Vnic_fpga_core>>();
    auto& t = *m_;
    *t.clk = *t.tx_clk = *t.rx_clk = 0;
    *t.spi_sck = 0;
    *t.spi_cs_n = 1;
    *t.spi_mosi = 0;
    *t.mdio_i = 1;
    *t.phy_link = link_;
    *t.gmii_rxd = 0;
    *t.gmii_rx_dv = 0;
    *t.gmii_rx_er = 0;
    *t.rst = 1;
    t.eval();
    core_next_fs_ = core_half_fs_;
    // The two oscillators are not in phase: REF_CLK's first edge a quarter period after the core's.
    ref_next_fs_ = cfg.model == BoardModel::Board ? ref_half_fs_ + ref_half_fs_ / 2 : INT64_MAX;
    run_cycles(20);
    *t.rst = 0;
    run_cycles(20);
}

BoardSim::~BoardSim() { m_->final(); }

void BoardSim::set(bool sck, bool mosi, bool cs_n) {
    pin_sck_ = sck, pin_mosi_ = mosi, pin_cs_n_ = cs_n;
    if (io_regs()) return;              // the input registers take them at the next core edge
    *m_->spi_sck = sck;
    *m_->spi_mosi = mosi;
    *m_->spi_cs_n = cs_n;
}

bool BoardSim::miso() {
    if (io_regs()) return miso_pin_;
    return *m_->spi_miso_oe ? *m_->spi_miso : false;   // pulled down
}

bool BoardSim::irq() const { return *m_->irq; }

void BoardSim::set_link(bool up) {
    link_ = up;
    *m_->phy_link = up;
}

bool BoardSim::speed_100() const {
    const uint16_t anlpar = cfg_.phy_100 ? 0x41E1 : 0x4061;
    return (anar_ & anlpar & kAn100) != 0;
}

Instant BoardSim::now() const { return Instant::from_ns(now_fs_ / kFsPerNs); }

void BoardSim::advance_ns(double ns) {
    if (!(ns > 0)) return;
    const int64_t target = now_fs_ + int64_t(ns * double(kFsPerNs));
    while (std::min(core_next_fs_, ref_next_fs_) <= target) edge();
    now_fs_ = target;
}

void BoardSim::run_cycles(uint64_t n) {
    const uint64_t end = cycles_ + n;
    while (cycles_ < end) edge();
}

void BoardSim::receive(const std::vector<uint8_t>& frame) {
    for (uint8_t b : ref::wire_bytes(frame)) rx_wire_.push_back({b, true});
    for (int i = 0; i < 12; ++i) rx_wire_.push_back({0, false});
}

void BoardSim::edge() {
    auto& t = *m_;
    const int64_t at = std::min(core_next_fs_, ref_next_fs_);
    now_fs_ = std::max(now_fs_, at);
    const bool core = core_next_fs_ == at, ref = ref_next_fs_ == at;
    const bool core_rises = core && !core_level_, ref_rises = ref && !ref_level_;
    const bool gmii = cfg_.model == BoardModel::Core4k;
    // Inputs for a rising edge, set just before it (they changed after the previous one).
    if (core_rises) *t.mdio_i = *t.mdio_oe ? *t.mdio_o : (phy_drive_ ? phy_out_ : 1);
    if (core_rises && io_regs()) {
        // At this edge the output register takes what the core drives (the pin shows it from now
        // on; released, the line is pulled down), the core's synchronisers take what the input
        // registers took at the previous edge, and the input registers take the pins.
        miso_pin_ = *t.spi_miso_oe ? *t.spi_miso : false;
        *t.spi_sck = q_sck_, *t.spi_mosi = q_mosi_, *t.spi_cs_n = q_cs_n_;
        q_sck_ = pin_sck_, q_mosi_ = pin_mosi_, q_cs_n_ = pin_cs_n_;
    }
    if (gmii ? core_rises : ref_rises) {
        const unsigned hold = speed_100() ? 1 : 10;
        if (gmii) {
            if (!rx_wire_.empty()) {
                *t.gmii_rxd = rx_wire_.front().d;
                *t.gmii_rx_dv = rx_wire_.front().dv;
                rx_wire_.pop_front();
                ++line_rx_;
            } else {
                *t.gmii_rxd = 0;
                *t.gmii_rx_dv = 0;
            }
        } else if (!rx_wire_.empty()) {
            // RMII: a byte time is four dibits, least significant first; CRS_DV with the data.
            const Sym s = rx_wire_.front();
            *t.gmii_rxd = uint8_t((s.d >> (2 * rx_sym_)) & 3);
            *t.gmii_rx_dv = s.dv;
            if (++rx_hold_ == hold) {
                rx_hold_ = 0;
                if (++rx_sym_ == 4) {
                    rx_sym_ = 0;
                    rx_wire_.pop_front();
                    ++line_rx_;
                }
            }
        } else {
            *t.gmii_rxd = 0;
            *t.gmii_rx_dv = 0;
        }
    }
    if (core) {
        core_level_ = !core_level_;
        *t.clk = core_level_;
        if (gmii) *t.tx_clk = *t.rx_clk = core_level_;
        core_next_fs_ += core_half_fs_;
    }
    if (ref) {
        ref_level_ = !ref_level_;
        *t.tx_clk = *t.rx_clk = ref_level_;
        ref_next_fs_ += ref_half_fs_;
    }
    t.eval();
    if (core_rises) {
        ++cycles_;
        if (gmii) tx_symbol(*t.gmii_txd, *t.gmii_tx_en);
        const bool mdc = *t.mdc;
        if (mdc && !mdc_prev_) mdio_edge();
        mdc_prev_ = mdc;
    }
    if (ref_rises) {
        // RMII 10 Mb/s: the MAC holds each dibit 10 REF_CLK cycles; take one per symbol time.
        const bool en = *t.gmii_tx_en;
        if (en && !tx_en_prev_) tx_hold_ = 0;
        tx_en_prev_ = en;
        if (!en || tx_hold_++ % (speed_100() ? 1 : 10) == 0) tx_symbol(uint8_t(*t.gmii_txd & 3), en);
    }
}

void BoardSim::tx_symbol(uint8_t d, bool en) {
    if (en) {
        tx_syms_.push_back(d);
        return;
    }
    if (tx_syms_.empty()) return;
    ref::Symbols burst;
    if (cfg_.model == BoardModel::Core4k) {
        for (uint8_t b : tx_syms_) burst.push_back(ref::GmiiSymbol{b, true, false});
    } else {
        // Dibits packed four to a byte in the order sent, then aligned on the SFD as a receiving
        // PHY does (sim/mac/gmii_ref: align_rx); a partial byte at the end is dropped (4.2.4.2.1).
        ref::Symbols packed;
        for (size_t i = 0; i + 4 <= tx_syms_.size(); i += 4) {
            uint8_t b = 0;
            for (size_t k = 0; k < 4; ++k) b = uint8_t(b | (tx_syms_[i + k] & 3) << (2 * k));
            packed.push_back(ref::GmiiSymbol{b, true, false});
        }
        burst = ref::align_rx(ref::PhyIf::Rmii, packed);
    }
    line_tx_ += burst.size();
    auto e = ref::classify(burst, ref::kMaxFrame);
    if (e.outcome == ref::RxOutcome::Good)
        sent_.push_back(e.delivered);
    else
        ++bad_tx_;
    tx_syms_.clear();
}

// Clause 22.2.4.5: ST 01, OP (10 read, 01 write), PHYAD, REGAD, TA, 16 data bits, sampled by the PHY
// at MDC's rising edge; in a read the PHY drives TA's second bit and the data from rising edges.
void BoardSim::mdio_edge() {
    auto& t = *m_;
    const bool bit = *t.mdio_oe ? *t.mdio_o : (phy_drive_ ? phy_out_ : 1);
    if (mdio_n_ < 0) {
        if (!bit) {                    // ST's 0 after the preamble's ones
            mdio_n_ = 0;
            mdio_sr_ = 0;
        }
        return;
    }
    ++mdio_n_;                         // this edge samples bit mdio_n_ (ST0 was bit 0)
    if (mdio_n_ <= 13) {
        mdio_sr_ = mdio_sr_ << 1 | bit;
        if (mdio_n_ == 13) {
            const unsigned st1 = (mdio_sr_ >> 12) & 1, op = (mdio_sr_ >> 10) & 3, phy = (mdio_sr_ >> 5) & 31;
            mdio_reg_ = uint8_t(mdio_sr_ & 31);
            mdio_read_ = op == 2;
            if (st1 != 1 || phy != cfg_.phy_addr || (op != 1 && op != 2)) {
                mdio_n_ = -1;          // not for us: back to idle (the line stays pulled up)
                return;
            }
            if (mdio_read_) {
                switch (mdio_reg_) {
                case 0: mdio_rd_ = bmcr_; break;
                case 1: mdio_rd_ = uint16_t(0x7809 | (link_ ? 0x0004 : 0) | (an_done_ ? 0x0020 : 0)); break;
                case 2: mdio_rd_ = 0x0007; break;        // LAN8720A's OUI bits
                case 3: mdio_rd_ = 0xC0F1; break;
                case 4: mdio_rd_ = anar_; break;
                // ANLPAR: the partner's base page with Acknowledge (28.2.1.2)
                case 5: mdio_rd_ = an_done_ ? uint16_t(cfg_.phy_100 ? 0x41E1 : 0x4061) : 0; break;
                default: mdio_rd_ = 0; break;
                }
            }
        }
        return;
    }
    if (mdio_read_) {
        // drive TA's second bit from edge 14, D15 from edge 15 ... D0 from edge 30, release at 31
        if (mdio_n_ == 14) {
            phy_drive_ = true;
            phy_out_ = false;
        } else if (mdio_n_ <= 30) {
            phy_out_ = (mdio_rd_ >> (30 - mdio_n_)) & 1;
        } else {
            phy_drive_ = false;
            mdio_n_ = -1;
        }
        return;
    }
    // write: TA at 14, 15; data 16..31
    if (mdio_n_ >= 16) mdio_wr_ = uint16_t(mdio_wr_ << 1 | bit);
    if (mdio_n_ == 31) {
        if (mdio_reg_ == 0) {
            uint16_t v = mdio_wr_;
            if (v & 0x8000) {                            // reset: self-clearing, defaults
                v = 0x1140;
                anar_ = 0x01E1;
            }
            if (v & 0x0200) an_done_ = true;             // restart: completes at once
            bmcr_ = uint16_t(v & ~0x0200);
        } else if (mdio_reg_ == 4) {
            anar_ = uint16_t((mdio_wr_ & 0x3FE0) | 0x0001);   // abilities; selector 802.3
        }
        mdio_n_ = -1;
    }
}

}  // namespace nic::board
