// The simulated cable between two NICs' line sides (the PHY models' line pins), or between a NIC and a
// Linux TAP device:
//   NicModule A --line TX burst--> Wire (loss, bit errors, pcap, checksum check) --delay--> NicModule B
// A burst is carried whole once it has been sent (store and forward, like a repeater that re-times
// frames) and starts arriving at the far end `delay` later, but never closer than the 12-byte
// inter-frame gap (IEEE 802.3 clause 4.4.2) behind the previous one. That delay is also the lookahead
// that lets each NIC run ahead of the other: nothing the far end sends from now on can arrive before
// its current cycle + delay.
// Faults are seeded per direction, so a run reproduces; the capture holds every frame as it was sent
// (both directions, in time order, simulation timestamps).
#pragma once

#include "cosim/nic_module.h"
#include "phy/pcap_writer.h"
#include "phy/tap.h"

#include <systemc>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>

namespace nic::cosim {

struct WireConfig {
    uint64_t delay_ns = 500;       // propagation delay (about 100 m of cable); at least one cycle
    double loss = 0;               // probability a frame is lost (each direction)
    double ber = 0;                // bit error rate (each bit on the wire, preamble included)
    uint64_t seed = 1;
    bool verify_checksums = false; // check every sent frame's IPv4/TCP/UDP/ICMP checksums in software
    // Link down (both PHYs) from down_at to up_at, in ns of simulated time (0: never).
    uint64_t link_down_at_ns = 0, link_up_at_ns = 0;
};

struct WireDirStats {
    uint64_t frames = 0, bytes = 0;        // bursts sent into the wire (bytes: frame without FCS)
    uint64_t lost = 0;                     // dropped whole (loss)
    uint64_t damaged = 0;                  // frames with at least one bit flipped
    uint64_t bit_errors = 0;
    uint64_t bad_bursts = 0;               // not a well-formed frame as sent (TX_ER, bad FCS)
    uint64_t csum_bad = 0;                 // verify_checksums: a checksum in the sent frame is wrong
    uint64_t delivered = 0;
};

class TapBridge;

class Wire : public sc_core::sc_module {
public:
    Wire(sc_core::sc_module_name name, const WireConfig& cfg);
    ~Wire() override;
    // Opens the capture; false with a message.
    bool open_pcap(const std::string& path, std::string& err);
    void connect(NicModule& a, NicModule& b);
    void connect(NicModule& a, TapBridge& t);
    // Writes what is still buffered of the capture (call after the simulation ends).
    void finish();

    const WireDirStats& stats(int from) const { return dir_[from].st; }  // 0: from A, 1: from B / TAP
    uint64_t delay_cycles() const { return delay_; }
    uint64_t pcap_frames() const { return pcap_.frames(); }

    // The frame bytes of a burst (preamble, SFD and FCS checked and stripped); false if malformed.
    static bool decode(const ref::Symbols& s, std::vector<uint8_t>& frame);
    // From TAP: a frame entering the wire at `cycle` towards A.
    void from_tap(uint64_t cycle, const std::vector<uint8_t>& frame);

private:
    struct Dir {
        std::mt19937_64 rng;
        uint64_t bits_to_error = 0;
        uint64_t next_free = 0;   // first cycle the far end's receiver is free (last burst + IFG)
        WireDirStats st;
    };
    void carry(int from, sim::LineBurst&& b);
    void capture(uint64_t time_ns, int from, const std::vector<uint8_t>& frame);
    void flush_capture(bool all);
    uint64_t watermark() const;

    WireConfig cfg_;
    uint64_t delay_;
    Dir dir_[2];
    NicModule* nic_[2] = {nullptr, nullptr};
    TapBridge* tap_ = nullptr;
    PcapWriter pcap_;
    // Capture entries wait here until no earlier frame can come (both ends past their time).
    std::multimap<std::pair<uint64_t, int>, std::vector<uint8_t>> pending_;
    std::vector<uint8_t> scratch_;
};

// A Linux TAP device at the far end of the wire: frames Linux sends enter the wire at the simulated
// time they are read; frames from the NIC are written to it as they arrive. It polls every
// `poll_ns` of simulated time and holds simulated time to no faster than wall-clock time, so Linux's
// timers (ARP, TCP) stay meaningful.
class TapBridge : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(TapBridge);
    TapBridge(sc_core::sc_module_name name, TapDevice& tap, uint64_t poll_ns = 20000);
    uint64_t next_poll_cycle() const { return next_poll_; }
    sc_core::sc_event progress;
    void attach(Wire& w) { wire_ = &w; }
    void send(const std::vector<uint8_t>& frame);   // NIC -> Linux
    uint64_t rx_frames = 0, tx_frames = 0, tx_errors = 0;

private:
    void thread();
    TapDevice& tap_;
    Wire* wire_ = nullptr;
    uint64_t poll_cycles_;
    uint64_t next_poll_ = 0;
};

}  // namespace nic::cosim
