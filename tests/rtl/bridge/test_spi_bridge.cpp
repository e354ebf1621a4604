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
constexpr unsigned kSckHalf = 6;         // core cycles per SCK half period

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

    std::vector<uint8_t> spi(const std::vector<uint8_t>& out) {
        std::vector<uint8_t> in;
        top_.spi_cs_n = 0;
        core(kSckHalf);
        for (uint8_t b : out) {
            uint8_t r = 0;
            for (int bit = 7; bit >= 0; --bit) {
                top_.spi_mosi = (b >> bit) & 1;
                core(kSckHalf);
                r = uint8_t(r << 1 | top_.spi_miso);    // the host samples at the rising edge
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

    void wr(uint32_t addr, uint32_t v) {
        spi({kWrReg, uint8_t(addr >> 8), uint8_t(addr), uint8_t(v >> 24), uint8_t(v >> 16),
             uint8_t(v >> 8), uint8_t(v)});
    }
    uint32_t rd(uint32_t addr) {
        auto in = spi({kRdReg, uint8_t(addr >> 8), uint8_t(addr), 0, 0, 0, 0, 0});
        return uint32_t(in[4]) << 24 | uint32_t(in[5]) << 16 | uint32_t(in[6]) << 8 | in[7];
    }
    void mem_wr(uint32_t addr, const std::vector<uint8_t>& data) {
        std::vector<uint8_t> out = {kWrMem, uint8_t(addr >> 8), uint8_t(addr)};
        out.insert(out.end(), data.begin(), data.end());
        spi(out);
    }
    std::vector<uint8_t> mem_rd(uint32_t addr, size_t n) {
        std::vector<uint8_t> out(4 + n, 0);
        out[0] = kRdMem;
        out[1] = uint8_t(addr >> 8);
        out[2] = uint8_t(addr);
        auto in = spi(out);
        return std::vector<uint8_t>(in.begin() + 4, in.end());
    }
    uint8_t status() { return spi({kStatus, 0})[1]; }

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
    b.mem_wr(0x123, {0xAB});                             // one byte inside a word
    auto w = b.mem_rd(0x120, 8);
    EXPECT_EQ(w[3], 0xAB);
    EXPECT_EQ(w[2], data[128 + 0x122]);
    EXPECT_EQ(w[4], data[128 + 0x124]);
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

}  // namespace
}  // namespace nic::test
