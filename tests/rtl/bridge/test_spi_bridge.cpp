// The board's host interface, end to end through its pins: nic_fpga_core (firmware/common) as the
// iCE40-HX8K top builds it (host address width 13, 16-bit statistics), driven only through SPI
// mode 0 the way the host on the board drives it (spi_host_bridge's command set), with the GMII
// transmit pins looped back to the receive pins. Clocks as on the board: core 50 MHz, tx_clk
// 125 MHz, rx_clk 125 MHz - 100 ppm; SCK = core / 12.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vnic_fpga_core.h"
#include "driver/nic_regs.h"
#include "mac/gmii_ref.h"
#include "verilated.h"

namespace nic::test {
namespace {

namespace R = nic::regs;

constexpr uint8_t kWrReg = 0x01, kRdReg = 0x02, kWrMem = 0x03, kRdMem = 0x04, kStatus = 0x05;
constexpr uint8_t kAck = 0x5A, kNak = 0xA5;
constexpr unsigned kSckHalf = 6;         // core cycles per SCK half period

// CRC-8, polynomial 0x07, MSB first, preset 0xFF, no final XOR (spi_host_bridge.v), written here
// bit by bit from the definition rather than shared with the host library under test.
uint8_t crc8(const std::vector<uint8_t>& v, size_t n, uint8_t crc = 0xFF) {
    for (size_t i = 0; i < n; ++i)
        for (int bit = 7; bit >= 0; --bit) {
            bool fb = ((crc >> 7) ^ (v[i] >> bit)) & 1;
            crc = uint8_t(crc << 1) ^ (fb ? 0x07 : 0);
        }
    return crc;
}
// Appends the CRC of everything so far.
void seal(std::vector<uint8_t>& v) { v.push_back(crc8(v, v.size())); }
std::vector<uint8_t> header(uint8_t cmd, uint32_t addr) {
    std::vector<uint8_t> h = {cmd, uint8_t(addr >> 8), uint8_t(addr)};
    seal(h);
    return h;
}

// One transfer's faults: flip bit `mosi_bit` (0 = MSB of byte 0) of what the host sends, or
// `miso_bit` of what it samples; -1: none.
struct Fault {
    int mosi_bit = -1;
    int miso_bit = -1;
};

class Board {
public:
    Board() {
        top_.clk = top_.tx_clk = top_.rx_clk = 0;
        top_.spi_sck = 0;
        top_.spi_cs_n = 1;
        top_.spi_mosi = 0;
        top_.mdio_i = 1;                 // pulled up
        top_.phy_link = 1;
        top_.rst = 1;
        top_.eval();
        core(20);
        top_.rst = 0;
        core(20);
    }
    ~Board() { top_.final(); }

    // Runs until n rising edges of the core clock have passed.
    void core(unsigned n) {
        while (n) {
            if (step()) --n;
        }
    }

    std::vector<uint8_t> spi(const std::vector<uint8_t>& out, Fault f = {}) {
        std::vector<uint8_t> in;
        top_.spi_cs_n = 0;
        core(kSckHalf);
        int pos = 0;
        for (uint8_t b : out) {
            uint8_t r = 0;
            for (int bit = 7; bit >= 0; --bit, ++pos) {
                top_.spi_mosi = ((b >> bit) & 1) ^ (pos == f.mosi_bit);
                core(kSckHalf);
                // the host samples at the rising edge
                r = uint8_t(r << 1 | (top_.spi_miso ^ (pos == f.miso_bit)));
                EXPECT_TRUE(top_.spi_miso_oe);
                top_.spi_sck = 1;
                core(kSckHalf);
                top_.spi_sck = 0;
            }
            in.push_back(r);
        }
        core(kSckHalf);
        top_.spi_cs_n = 1;
        core(2 * kSckHalf);
        EXPECT_FALSE(top_.spi_miso_oe);
        return in;
    }

    // The raw transactions (spi_host_bridge.v's table); each returns what the host sampled.
    std::vector<uint8_t> wr_raw(uint32_t addr, uint32_t v, Fault f = {}) {
        auto out = header(kWrReg, addr);
        for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
        seal(out);
        out.resize(11, 0);
        return spi(out, f);
    }
    std::vector<uint8_t> rd_raw(uint32_t addr, Fault f = {}) {
        auto out = header(kRdReg, addr);
        out.resize(10, 0);
        return spi(out, f);
    }
    std::vector<uint8_t> mem_rd_raw(uint32_t addr, size_t n, Fault f = {}) {
        auto out = header(kRdMem, addr);
        out.resize(4 + n + 2, 0);
        out[4 + n] = 0xFF;                                   // the last data byte's slot
        return spi(out, f);
    }
    void mem_wr_raw(uint32_t addr, const std::vector<uint8_t>& data, Fault f = {}) {
        auto out = header(kWrMem, addr);
        out.insert(out.end(), data.begin(), data.end());
        seal(out);
        spi(out, f);
    }
    // Status: {S, L|E}; fails the test if the reply does not check.
    std::pair<uint8_t, uint8_t> status_raw() {
        auto out = header(kStatus, 0);
        out.resize(8, 0);
        auto in = spi(out);
        EXPECT_EQ(in[4], kAck);
        EXPECT_EQ(crc8(in, 8), 0) << "status reply fails its CRC";
        return {in[5], in[6]};
    }

    // Checked accesses: fail the test unless the bridge accepted and every CRC checked.
    void wr(uint32_t addr, uint32_t v) {
        auto in = wr_raw(addr, v);
        EXPECT_EQ(in[4], kAck) << "header refused";
        EXPECT_EQ(in[9], kAck) << "write refused";
        EXPECT_EQ(crc8(in, 11), 0) << "write reply fails its CRC";
    }
    uint32_t rd(uint32_t addr) {
        auto in = rd_raw(addr);
        EXPECT_EQ(in[4], kAck) << "header refused";
        EXPECT_EQ(crc8(in, 10), 0) << "read reply fails its CRC";
        return uint32_t(in[5]) << 24 | uint32_t(in[6]) << 16 | uint32_t(in[7]) << 8 | in[8];
    }
    void mem_wr(uint32_t addr, const std::vector<uint8_t>& data) {
        mem_wr_raw(addr, data);
        EXPECT_EQ(status_raw().second >> 7, 1) << "memory write refused";
    }
    std::vector<uint8_t> mem_rd(uint32_t addr, size_t n) {
        auto in = mem_rd_raw(addr, n);
        EXPECT_EQ(in[4], kAck) << "header refused";
        EXPECT_EQ(crc8(in, in.size()), 0) << "memory read reply fails its CRC";
        return std::vector<uint8_t>(in.begin() + 5, in.begin() + 5 + long(n));
    }
    uint8_t status() { return status_raw().first; }
    unsigned errors() { return status_raw().second & 0x7F; }

    Vnic_fpga_core& top() { return top_; }
    std::vector<std::vector<uint8_t>>& tx_frames() { return tx_frames_; }

private:
    // Advances to the next clock edge (half periods in ps: 10000, 4000, 4000.4); true when it was
    // a rising edge of the core clock. GMII TX is recorded at tx_clk rising edges and replayed
    // into RX one symbol per rx_clk rising edge.
    bool step() {
        uint64_t t = std::min({t_clk_, t_tx_, t_rx_});
        bool core_rise = false;
        if (t == t_tx_) {
            if (!top_.tx_clk) record_tx();
            top_.tx_clk ^= 1;
            t_tx_ += 40000;
        }
        if (t == t_rx_) {
            if (!top_.rx_clk) feed_rx();
            top_.rx_clk ^= 1;
            t_rx_ += 40004;
        }
        if (t == t_clk_) {
            core_rise = !top_.clk;
            top_.clk ^= 1;
            t_clk_ += 100000;
        }
        top_.eval();
        return core_rise;
    }
    void record_tx() {
        if (top_.gmii_tx_en) {
            cur_.push_back(uint8_t(top_.gmii_txd));
            wire_.push_back({uint8_t(top_.gmii_txd), true, bool(top_.gmii_tx_er)});
        } else if (!cur_.empty()) {
            tx_frames_.push_back(cur_);
            cur_.clear();
            for (int i = 0; i < 12; ++i) wire_.push_back({0, false, false});
        }
    }
    void feed_rx() {
        Sym s{0, false, false};
        if (!wire_.empty()) {
            s = wire_.front();
            wire_.pop_front();
        }
        top_.gmii_rxd = s.d;
        top_.gmii_rx_dv = s.dv;
        top_.gmii_rx_er = s.er;
    }

    struct Sym { uint8_t d; bool dv, er; };
    Vnic_fpga_core top_;
    uint64_t t_clk_ = 100000, t_tx_ = 40000, t_rx_ = 40004;   // units of 0.1 ps
    std::vector<uint8_t> cur_;
    std::deque<Sym> wire_;
    std::vector<std::vector<uint8_t>> tx_frames_;
};

std::vector<uint8_t> le(uint64_t v, size_t n) {
    std::vector<uint8_t> b(n);
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(v >> (8 * i));
    return b;
}
uint32_t get_le(const std::vector<uint8_t>& b, size_t off, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint32_t(b[off + i]) << (8 * i);
    return v;
}

TEST(SpiBridge, RegistersReadAndWrite) {
    Board b;
    EXPECT_EQ(b.rd(R::kId), R::kIdValue);
    EXPECT_EQ(b.rd(R::kVersion), R::kVersionValue);
    b.wr(R::kMacLo, 0x12345678);
    EXPECT_EQ(b.rd(R::kMacLo), 0x12345678u);
    b.wr(R::kMacLo, 0xA5C3F00F);
    EXPECT_EQ(b.rd(R::kMacLo), 0xA5C3F00Fu);
    EXPECT_EQ(b.rd(R::kId), R::kIdValue);
    // ADDR_WIDTH 13: address bits 13 and up read 0, the window keeps its 8-byte granularity
    b.wr(R::kDmaWinBaseLo, 0xFFFFFFFF);
    b.wr(R::kDmaWinBaseHi, 0xFFFFFFFF);
    EXPECT_EQ(b.rd(R::kDmaWinBaseLo), 0x00001FF8u);
    EXPECT_EQ(b.rd(R::kDmaWinBaseHi), 0u);
    b.wr(R::kTxRingLo, 0x12345680);
    EXPECT_EQ(b.rd(R::kTxRingLo), 0x00001680u);
}

TEST(SpiBridge, HostMemoryReadAndWrite) {
    Board b;
    std::mt19937_64 rng(7);
    std::vector<uint8_t> data(300);
    for (auto& x : data) x = uint8_t(rng());
    b.mem_wr(0xF80, data);                               // 128 bytes to the end, then wraps to 0
    EXPECT_EQ(b.mem_rd(0xF80, data.size()), data);
    EXPECT_EQ(b.mem_rd(0x000, 4), std::vector<uint8_t>(data.begin() + 128, data.begin() + 132));
    b.mem_wr(0x023, {0xAB});                             // one byte inside a word
    auto w = b.mem_rd(0x020, 8);
    EXPECT_EQ(w[3], 0xAB);
    EXPECT_EQ(w[2], data[128 + 0x022]);
    EXPECT_EQ(w[4], data[128 + 0x024]);
}

TEST(SpiBridge, StatusShowsLinkAndIrq) {
    Board b;
    EXPECT_EQ(b.status() & 3, 2);                        // link up, no interrupt
    b.top().phy_link = 0;
    b.core(10);
    EXPECT_EQ(b.status() & 3, 0);
}

// The NIC's DMA master runs against the BRAM host memory: a frame posted over SPI goes out on
// GMII exactly as the reference MAC would send it, comes back on RX and lands in host memory with
// its completion; descriptors that point at or above 2^13 (the build's host address width) get
// address-error completions, even when the window register would allow it.
TEST(SpiBridge, DmaTransmitReceiveThroughHostMemory) {
    Board b;
    constexpr uint32_t kTxRing = 0x000, kRxRing = 0x100, kTxCpl = 0x200, kRxCpl = 0x300;
    constexpr uint32_t kTxBuf = 0x404, kRxBuf = 0x800;
    std::mt19937_64 rng(11);
    std::vector<uint8_t> frame(100);
    for (auto& x : frame) x = uint8_t(rng());
    frame[0] = 0x02;                                     // unicast, locally administered
    frame[12] = 0x88;                                    // EtherType 0x88B5 (local experimental)
    frame[13] = 0xB5;
    b.mem_wr(kTxBuf, frame);
    // TX descriptors 0 (the frame) and 1 (a buffer above the 16-bit host address space)
    std::vector<uint8_t> d = le(kTxBuf, 8);
    auto len = le(frame.size(), 2);
    d.insert(d.end(), len.begin(), len.end());
    d.resize(16, 0);
    std::vector<uint8_t> d1 = le(0x100000400ull, 8);
    d1.insert(d1.end(), len.begin(), len.end());
    d1.resize(16, 0);
    d.insert(d.end(), d1.begin(), d1.end());
    b.mem_wr(kTxRing, d);
    std::vector<uint8_t> rd = le(kRxBuf, 8);
    auto rlen = le(0x600, 2);
    rd.insert(rd.end(), rlen.begin(), rlen.end());
    rd.resize(16, 0);
    b.mem_wr(kRxRing, rd);
    b.mem_wr(kTxCpl, std::vector<uint8_t>(256, 0));
    b.mem_wr(kRxCpl, std::vector<uint8_t>(256, 0));

    b.wr(R::kDmaWinBaseLo, 0);
    b.wr(R::kDmaWinLimitLo, 0x1000);
    b.wr(R::kTxRingLo, kTxRing);
    b.wr(R::kTxCplLo, kTxCpl);
    b.wr(R::kRxRingLo, kRxRing);
    b.wr(R::kRxCplLo, kRxCpl);
    b.wr(R::kRxFilter, 0x10);                            // promiscuous
    b.wr(R::kCtrl, 3);                                   // TX_EN, RX_EN
    b.wr(R::kRxProd, 1);
    b.wr(R::kTxProd, 2);
    for (int i = 0; i < 200 && b.rd(R::kRxCons) != 1; ++i) b.core(200);
    ASSERT_EQ(b.rd(R::kTxCons), 2u);
    ASSERT_EQ(b.rd(R::kRxCons), 1u);

    ASSERT_EQ(b.tx_frames().size(), 1u);
    EXPECT_EQ(b.tx_frames()[0], ref::wire_bytes(frame));

    auto tc = b.mem_rd(kTxCpl, 32);
    EXPECT_EQ(get_le(tc, 0, 2), frame.size());
    EXPECT_EQ(get_le(tc, 2, 2), 0u);
    EXPECT_EQ(tc[4], 0);                                 // status: sent
    EXPECT_EQ(tc[15] >> 7, 1);                           // phase, first pass
    EXPECT_EQ(get_le(tc, 18, 2), 1u);                    // index 1
    EXPECT_EQ(tc[20] & 1, 1);                            // ERR_ADDR: outside the window
    EXPECT_EQ(tc[31] >> 7, 1);
    EXPECT_EQ(b.rd(R::kStatTxFrames), 1u);
    EXPECT_EQ(b.rd(R::kStatTxDescErr), 1u);

    auto rc = b.mem_rd(kRxCpl, 16);
    EXPECT_EQ(get_le(rc, 0, 2), frame.size());
    EXPECT_EQ(rc[7], 0);                                 // no error
    EXPECT_EQ(rc[15] >> 7, 1);
    EXPECT_EQ(b.mem_rd(kRxBuf, frame.size()), frame);
    EXPECT_EQ(b.rd(R::kStatRxFrames), 1u);
    EXPECT_EQ(b.rd(R::kStatRxBytes), frame.size());
}

// Every single-bit error in a register write - command, address, header CRC, data or data CRC - is
// refused: the write is not issued (the register keeps its value, and a doorbell stays silent), the
// verdict says so, and the bridge counts it once. Then the same write, sent again intact, lands.
TEST(SpiBridge, CorruptedRegisterWriteIsRefusedCountedAndHasNoEffect) {
    Board b;
    b.wr(R::kMacLo, 0x11111111);
    unsigned errs = b.errors();
    for (int bit = 0; bit < 9 * 8; ++bit) {
        auto in = b.wr_raw(R::kMacLo, 0xA5C3F00F, Fault{bit, -1});
        const bool in_header = bit < 32;
        if (in_header)
            EXPECT_EQ(in[4], kNak) << "MOSI bit " << bit;
        else
            EXPECT_EQ(in[9], kNak) << "MOSI bit " << bit;
        const auto st = b.status_raw();
        EXPECT_EQ(b.rd(R::kMacLo), 0x11111111u) << "a refused write took effect: MOSI bit " << bit;
        EXPECT_EQ(st.second >> 7, 0) << "L must say the last command was refused: MOSI bit " << bit;
        EXPECT_EQ(st.second & 0x7F, (errs + 1) & 0x7F) << "MOSI bit " << bit;
        errs = st.second & 0x7F;
    }
    // A doorbell: a TX_PROD write corrupted in its data CRC leaves the producer index alone.
    b.wr_raw(R::kTxProd, 5, Fault{65, -1});
    b.core(500);
    EXPECT_EQ(b.rd(R::kTxProd), 0u);
    EXPECT_EQ(b.rd(R::kTxCons), 0u);
    b.wr(R::kMacLo, 0xA5C3F00F);
    EXPECT_EQ(b.rd(R::kMacLo), 0xA5C3F00Fu);
    EXPECT_EQ(b.status_raw().second >> 7, 1);
}

// A memory write with a bad data CRC is reported (L = 0, error count up) so that the host sends it
// again; one with a bad header writes nothing at all.
TEST(SpiBridge, CorruptedMemoryWriteIsReportedAndRewritten) {
    Board b;
    const uint32_t seed = 21;
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> data(64), junk(64, 0xEE);
    for (auto& x : data) x = uint8_t(rng());
    b.mem_wr(0x200, junk);
    const unsigned errs = b.errors();
    // header bit: nothing written
    b.mem_wr_raw(0x200, data, Fault{13, -1});
    auto st = b.status_raw();
    EXPECT_EQ(st.second >> 7, 0);
    EXPECT_EQ(st.second & 0x7F, errs + 1);
    EXPECT_EQ(b.mem_rd(0x200, 64), junk) << "a refused header must write nothing";
    // data bit: reported
    const int bit = int(32 + rng() % (64 * 8));
    b.mem_wr_raw(0x200, data, Fault{bit, -1});
    st = b.status_raw();
    EXPECT_EQ(st.second >> 7, 0) << "seed " << seed << " MOSI bit " << bit;
    EXPECT_EQ(st.second & 0x7F, errs + 2) << "seed " << seed << " MOSI bit " << bit;
    b.mem_wr(0x200, data);
    EXPECT_EQ(b.mem_rd(0x200, 64), data);
    EXPECT_EQ(b.errors(), errs + 2);
}

// A bit flipped on MISO fails the reply's CRC wherever it falls (header verdict, data or the CRC
// itself); a flipped header bit on MOSI is refused. Reads have no side effects, so the host reads
// again and gets the value.
TEST(SpiBridge, CorruptedReadIsDetected) {
    Board b;
    b.wr(R::kMacLo, 0x5EED1234);
    for (int bit = 32; bit < 10 * 8; ++bit) {
        auto in = b.rd_raw(R::kMacLo, Fault{-1, bit});
        EXPECT_NE(crc8(in, 10), 0) << "MISO bit " << bit << " flipped and the reply still checks";
    }
    for (int bit = 0; bit < 32; ++bit) {
        auto in = b.rd_raw(R::kMacLo, Fault{bit, -1});
        EXPECT_EQ(in[4], kNak) << "MOSI bit " << bit;
        EXPECT_NE(crc8(in, 10), 0) << "a refused read must not look like a good reply";
    }
    for (int bit = 32; bit < 8 * (4 + 16 + 2); bit += 7) {
        auto in = b.mem_rd_raw(0x40, 16, Fault{-1, bit});
        EXPECT_NE(crc8(in, in.size()), 0) << "memory read, MISO bit " << bit;
    }
    EXPECT_EQ(b.rd(R::kMacLo), 0x5EED1234u);
}

// No board, or a board that does not drive MISO: a line stuck at 0 or 1 never passes for a reply.
TEST(SpiBridge, StuckMisoNeverChecks) {
    for (uint8_t fill : {0x00, 0xFF}) {
        std::vector<uint8_t> in(10, fill);
        EXPECT_NE(crc8(in, 10), 0);
        std::vector<uint8_t> st(8, fill);
        EXPECT_NE(crc8(st, 8), 0);
    }
}

}  // namespace
}  // namespace nic::test
