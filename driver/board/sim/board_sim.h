// The iCE40-HX8K NIC board in simulation, for the simulated FTDI (driver/board/mpsse.h: SimFtdi):
// a Verilated nic_fpga_core (firmware/common) with its SPI pins as an SpiPins, a clause 22 PHY on
// MDIO (link and autonegotiation as the driver's bring-up expects), and the PHY pins turned into
// whole frames both ways (sim/mac/gmii_ref: preamble, SFD, FCS). Two builds of the core:
//   Board   (default) the parameters of firmware/ice40-hx8k/nic_fpga.v: 8 KB host memory, 2 KB
//           FIFOs, 16-bit counters, the MAC in RMII. Clocks as on the board: the core at 50.25 MHz
//           (PLL), tx_clk = rx_clk = the PHY module's 50 MHz REF_CLK (with an optional ppm offset),
//           one evaluation per edge of either. The RMII pins carry dibits, least significant first
//           (RMII 1.2 section 5): 4 REF_CLK cycles per byte at 100 Mb/s, 40 at 10 Mb/s, the speed the
//           PHY model negotiated (ANAR & ANLPAR, 802.3 28B.3).
//   Core4k  nic_fpga_core's defaults (4 KB, GMII): every clock at core_mhz, one byte per cycle.
// The board is also the BoardClock of the platform, so the driver's delays and timeouts, and the
// stacks' timers, run on simulated time.
//   SimFtdi -> BoardSim::set/miso/advance_ns -> Vnic_fpga_board | Vnic_fpga_core pins
#pragma once

#include "driver/board/board_platform.h"
#include "driver/board/mpsse.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace nic::board {

enum class BoardModel { Board, Core4k };

struct BoardSimConfig {
    BoardModel model = BoardModel::Board;
    double core_mhz = 50.25;           // the board's PLL output (icepll -i 12 -o 50)
    double ref_mhz = 50.0;             // RMII REF_CLK (Board only)
    double ref_ppm = 0;                // its offset from nominal (an oscillator's tolerance)
    uint8_t phy_addr = 1;              // where the MDIO PHY model answers
    bool link = true;
    bool phy_100 = true;               // the link partner advertises 100BASE-TX (else 10BASE-T only)
    // The board top's I/O-cell registers on the SPI pins (nic_fpga.v: SCK, SS_B and SI registered
    // on the way in, SO and its enable on the way out, all on clk): two core cycles more between an
    // SCK edge and MISO, which is what sets the board's fastest SCK (BoardHostConfig::divisor).
    // Board model only; the bare core (Core4k) has none.
    bool io_registers = true;
};

// The host memory window of a model, in bytes (the bridge's BridgeConfig::mem_bytes).
size_t board_mem_bytes(BoardModel m);

class BoardSim : public SpiPins, public BoardClock {
public:
    explicit BoardSim(BoardSimConfig cfg = {});
    ~BoardSim() override;
    BoardSim(const BoardSim&) = delete;
    BoardSim& operator=(const BoardSim&) = delete;

    // SpiPins
    void set(bool sck, bool mosi, bool cs_n) override;
    bool miso() override;
    void advance_ns(double ns) override;
    // BoardClock
    Instant now() const override;
    void delay(Duration d) override { advance_ns(double(d.ns)); }

    const BoardSimConfig& config() const { return cfg_; }
    size_t mem_bytes() const { return board_mem_bytes(cfg_.model); }
    void run_cycles(uint64_t n);       // core clock cycles
    uint64_t cycles() const { return cycles_; }
    // Ethernet side: frames the board sent (FCS checked and stripped), and frames for it to receive
    // (sent with preamble, SFD, padding and FCS, 12 idle byte times apart).
    std::deque<std::vector<uint8_t>>& sent() { return sent_; }
    void receive(const std::vector<uint8_t>& frame);
    size_t rx_backlog_bytes() const { return rx_wire_.size(); }   // byte times not yet on the pins
    uint64_t bad_tx_frames() const { return bad_tx_; }
    uint64_t line_bytes_tx() const { return line_tx_; }            // wire bytes (preamble..FCS)
    uint64_t line_bytes_rx() const { return line_rx_; }
    // The speed the PHY model's autonegotiation resolved to (Board: the RMII symbol rate).
    bool speed_100() const;
    void set_link(bool up);
    bool irq() const;

    struct Model;

private:
    void edge();                       // the next clock edge of either clock
    void core_rise();
    void ref_rise();
    void tx_symbol(uint8_t d, bool en);  // one symbol time (byte on GMII, dibit on RMII)
    void mdio_edge();

    BoardSimConfig cfg_;
    std::unique_ptr<Model> m_;
    uint64_t cycles_ = 0;
    int64_t now_fs_ = 0;               // simulated time, femtoseconds
    int64_t core_half_fs_, ref_half_fs_;
    int64_t core_next_fs_ = 0, ref_next_fs_ = 0;   // next edge of each
    bool core_level_ = false, ref_level_ = false;
    // SPI pins as the host drives them, the input registers' outputs, the output register's pin
    bool pin_sck_ = false, pin_mosi_ = false, pin_cs_n_ = true;
    bool q_sck_ = false, q_mosi_ = false, q_cs_n_ = true;
    bool miso_pin_ = false;
    bool io_regs() const { return cfg_.io_registers && cfg_.model == BoardModel::Board; }
    std::deque<std::vector<uint8_t>> sent_;
    std::vector<uint8_t> tx_syms_;     // symbols of the frame being sent (bytes or dibits)
    struct Sym { uint8_t d; bool dv; };
    std::deque<Sym> rx_wire_;          // byte times for the receive pins
    unsigned rx_sym_ = 0;              // RMII: dibit of the current byte time
    unsigned rx_hold_ = 0, tx_hold_ = 0;   // RMII 10 Mb/s: REF_CLK cycles into the symbol
    bool tx_en_prev_ = false;
    uint64_t bad_tx_ = 0, line_tx_ = 0, line_rx_ = 0;
    bool link_ = true;
    // MDIO PHY model (IEEE 802.3 clause 22)
    bool mdc_prev_ = false;
    int mdio_n_ = -1;                  // bit index in the frame from ST, -1: idle
    uint32_t mdio_sr_ = 0;
    bool mdio_read_ = false;
    uint8_t mdio_reg_ = 0;
    bool phy_drive_ = false, phy_out_ = true;
    uint16_t mdio_rd_ = 0, mdio_wr_ = 0;
    uint16_t bmcr_ = 0x1140;
    uint16_t anar_ = 0x01E1;           // 100BASE-TX FD/HD, 10BASE-T FD/HD, selector 802.3
    bool an_done_ = true;
};

}  // namespace nic::board
