// Drives the verilated MAC (rtl/mac/eth_mac.v) one byte time at a time: an AXI-Stream source on
// the TX side, a sink on the RX side, a monitor of the GMII transmit pins and a GMII symbol
// source for the receive pins. In loopback the transmitted bursts go through a fault hook and
// back into the receiver, as over a cable.
//
// Both MAC clocks tick together here (one 8 ns byte time per step); the clock-domain tests with
// ppm offsets belong to the NIC core. Used by tests/rtl/mac, apps/nicdemo and bench/mac.
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
class VerilatedContext;
class VerilatedVcdC;

namespace nic::sim {

using ref::GmiiSymbol;
using ref::Symbols;

struct MacConfig {
    uint8_t ifg = 12;             // cfg_ifg, byte times
    uint16_t max_len = 1518;      // cfg_rx_max_len, FCS included
    bool loopback = true;         // TX GMII -> fault hook -> RX GMII
    unsigned rx_gap = 12;         // idle symbols the loopback wire puts after each burst
    std::string vcd;              // write a VCD waveform here when not empty
};

// One frame for the TX stream.
struct TxRequest {
    std::vector<uint8_t> data;    // destination address .. end of payload (no FCS)
    bool abort = false;           // tuser with tlast: the user aborts the frame
    int underflow_at = -1;        // tvalid drops for one cycle before this beat (1..len-1)
    unsigned gap_before = 0;      // cycles with tvalid low before the first beat
};

// A frame delivered on the RX stream (one tlast).
struct RxFrame {
    std::vector<uint8_t> data;
    bool bad = false;             // tuser at tlast
    uint64_t cycle = 0;           // cycle of the tlast beat
};

// One burst of gmii_tx_en, in order.
struct TxBurst {
    Symbols symbols;
    uint64_t start = 0;           // cycle of the first byte with tx_en
    uint64_t end = 0;             // first cycle with tx_en low again
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
    // Symbols for the receive pins (without loopback, or in addition to it).
    void push_rx(const Symbols& s) { rx_queue_.insert(rx_queue_.end(), s.begin(), s.end()); }
    void push_rx_idle(size_t n) { rx_queue_.insert(rx_queue_.end(), n, GmiiSymbol{}); }
    // Called with every burst the loopback wire carries, before the receiver sees it.
    void set_fault_hook(std::function<void(Symbols&)> f) { fault_hook_ = std::move(f); }
    // Called with every burst the loopback wire carries, after the fault hook.
    void set_wire_tap(std::function<void(const Symbols&, uint64_t cycle)> f) { wire_tap_ = std::move(f); }

    void step();
    void step(uint64_t n) { while (n--) step(); }
    // Steps until everything queued has been sent and received and the MAC is quiet.
    // Returns false if that takes more than max_cycles.
    bool drain(uint64_t max_cycles = 10'000'000);
    bool idle() const;
    void reset(unsigned cycles = 4);

    uint64_t cycle() const { return cycle_; }
    MacCounters counters() const;
    // One-cycle stat pulses seen so far, in counter order (bytes: sum of the length outputs).
    const MacCounters& pulses() const { return pulses_; }

    std::vector<TxBurst>& tx_bursts() { return tx_bursts_; }
    std::vector<RxFrame>& rx_frames() { return rx_frames_; }
    const MacConfig& config() const { return cfg_; }
    Veth_mac& model() { return *model_; }

private:
    void drive_inputs();
    void sample_outputs(bool tready, bool tvalid);

    MacConfig cfg_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Veth_mac> model_;
    std::unique_ptr<VerilatedVcdC> vcd_;
    uint64_t cycle_ = 0;

    std::deque<TxRequest> tx_queue_;
    size_t tx_beat_ = 0;          // next beat of tx_queue_.front()
    unsigned tx_gap_left_ = 0;
    bool tx_started_ = false;
    bool tx_underflow_done_ = false;

    std::deque<GmiiSymbol> rx_queue_;
    std::function<void(Symbols&)> fault_hook_;
    std::function<void(const Symbols&, uint64_t)> wire_tap_;

    Symbols cur_burst_;
    uint64_t cur_burst_start_ = 0;
    std::vector<TxBurst> tx_bursts_;
    RxFrame cur_rx_;
    std::vector<RxFrame> rx_frames_;
    MacCounters pulses_;
    uint64_t quiet_cycles_ = 0;
};

}  // namespace nic::sim
