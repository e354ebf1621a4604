// Drives the verilated MAC (rtl/mac/eth_mac.v) one clock at a time, in any of its PHY modes: an
// AXI-Stream source on the TX side, a sink on the RX side, a monitor of the transmit pins and a
// symbol source for the receive pins. The tests speak bytes (GmiiSymbol, one per byte time); in
// MII and RMII the harness splits them into nibbles or dibits at the pins (least significant
// first, RMII 10 Mb/s holding each dibit 10 clocks) and reassembles the transmitted ones, so the
// same tests run in every mode. Cycle figures (TxBurst, RxFrame, cycle()) are real clocks of the
// MAC: a byte time is MacMode's clocks_per_byte() of them. In loopback the transmitted bursts go
// through a fault hook and back into the receiver, as over a cable.
//
// Both MAC clocks tick together here; the clock-domain tests with ppm offsets belong to the NIC
// core. Used by tests/rtl/mac, apps/nicdemo and bench/mac.
#pragma once

#include "mac/gmii_ref.h"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class Veth_mac;
class Veth_mac_mii;
class Veth_mac_rmii;
class VerilatedContext;
class VerilatedVcdC;

namespace nic::sim {

using ref::GmiiSymbol;
using ref::Symbols;

// The PHY interface and speed of the MAC under test (eth_mac MODE and cfg_speed_10).
enum class MacMode { Gmii, Mii, Rmii100, Rmii10 };
constexpr MacMode kAllMacModes[] = {MacMode::Gmii, MacMode::Mii, MacMode::Rmii100, MacMode::Rmii10};
const char* to_string(MacMode m);          // "GMII", "MII", "RMII100", "RMII10"
ref::PhyIf phy_if(MacMode m);
// MAC clocks per byte time: GMII 1 (125 MHz), MII 2 (25 / 2.5 MHz), RMII 4 at 100 Mb/s and 40 at
// 10 Mb/s (50 MHz REF_CLK).
unsigned clocks_per_byte(MacMode m);
// Clock period in picoseconds (for waveforms): 8000, 40000 (100 Mb/s MII), 20000.
uint64_t clock_period_ps(MacMode m);

// One symbol on the receive pins: RXD (8, 4 or 2 bits), RX_DV (RMII: CRS_DV), RX_ER.
struct LineSymbol {
    uint8_t d = 0;
    bool dv = false;
    bool er = false;
};

struct MacConfig {
    MacMode mode = MacMode::Gmii;
    uint8_t ifg = 12;             // cfg_ifg, byte times
    uint16_t max_len = 1518;      // cfg_rx_max_len, FCS included
    bool loopback = true;         // TX GMII -> fault hook -> RX GMII
    unsigned rx_gap = 12;         // idle byte times the loopback wire puts after each burst
    std::string vcd;              // write a VCD waveform here when not empty
};

// One frame for the TX stream.
struct TxRequest {
    std::vector<uint8_t> data;    // destination address .. end of payload (no FCS)
    bool abort = false;           // tuser with tlast: the user aborts the frame
    int underflow_at = -1;        // tvalid drops for one byte time before this beat (1..len-1)
    unsigned gap_before = 0;      // byte times with tvalid low before the first beat
};

// A frame delivered on the RX stream (one tlast).
struct RxFrame {
    std::vector<uint8_t> data;
    bool bad = false;             // tuser at tlast
    uint64_t cycle = 0;           // cycle of the tlast beat
};

// One burst of gmii_tx_en, in order, reassembled into bytes.
struct TxBurst {
    Symbols symbols;              // er: TX_ER on any symbol of the byte
    uint64_t start = 0;           // cycle of the first symbol with tx_en
    uint64_t end = 0;             // first cycle with tx_en low again
    bool partial = false;         // ended inside a byte (the left-over symbols are dropped)
};

// Counter block of eth_mac.v, in its order.
struct MacCounters {
    enum Tx { kTxFrames, kTxBytes, kTxUnderflow, kTxAbort, kTxCount };
    enum Rx { kRxFrames, kRxBytes, kRxFcs, kRxRunt, kRxOversize, kRxEr, kRxPreamble, kRxShort,
              kRxCount };
    std::array<uint32_t, kTxCount> tx{};
    std::array<uint32_t, kRxCount> rx{};
    static const char* tx_name(int i);
    static const char* rx_name(int i);
    // The RX error counter for a reference outcome (kRxFrames for a good frame).
    static int rx_index(ref::RxOutcome o);
};

class MacHarness {
public:
    explicit MacHarness(const MacConfig& cfg = {});
    ~MacHarness();
    MacHarness(const MacHarness&) = delete;
    MacHarness& operator=(const MacHarness&) = delete;

    void send(TxRequest req) { tx_queue_.push_back(std::move(req)); }
    void send(const std::vector<uint8_t>& data) { send(TxRequest{data}); }
    // Forgets every queued TX frame, including one half sent.
    void clear_tx();
    // Byte symbols for the receive pins (without loopback, or in addition to it), split into
    // the mode's nibbles or dibits; an idle byte time is 2 or 4 idle symbols.
    void push_rx(const Symbols& s);
    void push_rx_idle(size_t n) { push_rx(Symbols(n, GmiiSymbol{})); }
    // Raw symbols for the receive pins (d: 8, 4 or 2 bits), e.g. RMII CRS_DV toggling.
    void push_rx_line(const std::vector<LineSymbol>& s) {
        rx_queue_.insert(rx_queue_.end(), s.begin(), s.end());
    }
    // What the reference model says this MAC must make of one carrier event given as bytes
    // (ref::classify after the mode's SFD alignment, ref::align_rx).
    ref::RxExpect expect_rx(const Symbols& burst) const;
    // Called with every burst the loopback wire carries, before the receiver sees it.
    void set_fault_hook(std::function<void(Symbols&)> f) { fault_hook_ = std::move(f); }
    // Called with every burst the loopback wire carries, after the fault hook.
    void set_wire_tap(std::function<void(const Symbols&, uint64_t cycle)> f) { wire_tap_ = std::move(f); }

    void step();
    void step(uint64_t n) { while (n--) step(); }
    // Steps until everything queued has been sent and received and the MAC is quiet.
    // Returns false if that takes more than max_bytes byte times (max_bytes clocks in GMII).
    bool drain(uint64_t max_bytes = 10'000'000);
    bool idle() const;
    void reset(unsigned cycles = 4);

    uint64_t cycle() const { return cycle_; }
    MacCounters counters() const;
    // One-cycle stat pulses seen so far, in counter order (bytes: sum of the length outputs).
    const MacCounters& pulses() const { return pulses_; }

    std::vector<TxBurst>& tx_bursts() { return tx_bursts_; }
    std::vector<RxFrame>& rx_frames() { return rx_frames_; }
    const MacConfig& config() const { return cfg_; }
    MacMode mode() const { return cfg_.mode; }
    unsigned clocks_per_byte() const { return sim::clocks_per_byte(cfg_.mode); }
    bool tx_en() const;           // the TX_EN pin now
    // Times the transmit pins changed inside a symbol (RMII 10 Mb/s: within its 10 clocks).
    uint64_t tx_pin_glitches() const { return tx_glitches_; }
    // The GMII model (MacMode::Gmii only).
    Veth_mac& model();

    struct Pins;                  // the ports of whichever model MODE selected

private:
    void drive_inputs();
    void sample_outputs(bool tready, bool tvalid);
    void monitor_tx();

    MacConfig cfg_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Veth_mac> gmii_;
    std::unique_ptr<Veth_mac_mii> mii_;
    std::unique_ptr<Veth_mac_rmii> rmii_;
    std::unique_ptr<Pins> p_;
    std::unique_ptr<VerilatedVcdC> vcd_;
    uint64_t cycle_ = 0;

    std::deque<TxRequest> tx_queue_;
    size_t tx_beat_ = 0;          // next beat of tx_queue_.front()
    unsigned tx_gap_left_ = 0;
    bool tx_started_ = false;
    bool tx_underflow_done_ = false;

    std::deque<LineSymbol> rx_queue_;
    LineSymbol rx_cur_;           // on the receive pins
    unsigned rx_hold_ = 0;        // clocks rx_cur_ stays there
    std::function<void(Symbols&)> fault_hook_;
    std::function<void(const Symbols&, uint64_t)> wire_tap_;

    Symbols cur_burst_;
    uint64_t cur_burst_start_ = 0;
    bool in_burst_ = false;
    unsigned tx_sym_ = 0;         // symbols of the byte being reassembled
    GmiiSymbol tx_byte_;
    unsigned tx_phase_ = 0;       // clocks into the current symbol (RMII 10 Mb/s)
    uint8_t tx_last_pins_ = 0;    // {er, en, d} at the last sample point
    uint64_t tx_glitches_ = 0;
    std::vector<TxBurst> tx_bursts_;
    RxFrame cur_rx_;
    std::vector<RxFrame> rx_frames_;
    MacCounters pulses_;
    uint64_t quiet_cycles_ = 0;
};

}  // namespace nic::sim
