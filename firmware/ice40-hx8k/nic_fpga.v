`resetall
`timescale 1ns / 1ps
`default_nettype none

// Board top of the whole NIC for the iCE40-HX8K breakout board (package CT256) with a LAN8720-class
// RMII PHY module on header J2 and the host on SPI through the breakout's FTDI: clocks, resets, I/O
// registers and LEDs around the vendor-neutral nic_fpga_core (firmware/common).
//
//   pins -> SB_IO registers, PLL, global buffers -> nic_fpga_core -> nic_core (rtl/nic, MAC in RMII)
//                                                                 -> spi_host_bridge, axi_bram_host
//
// Clocks (constrained in nic_clocks.py):
//   clk_12mhz     the breakout's 12 MHz oscillator (J3); the PLL makes the core clock clk from it,
//                 50.25 MHz (icepll -i 12 -o 50: DIVR 0, DIVF 66, DIVQ 4, FILTER_RANGE 1). At
//                 100 Mb/s the 64-bit DMA path needs 12.5 MB/s / 8 B = 1.6 M beats per second per
//                 direction; the clock is as high as it is for the SPI bridge, which oversamples SCK
//                 at clk / 8 (SCK up to 6.25 MHz).
//   rmii_ref_clk  the module's 50 MHz reference (RMII 1.2 section 5.1: REF_CLK is the clock of both
//                 directions, from the module's oscillator on its nINT/RETCLK pin), on GBIN2 (H16):
//                 mac_clk, the MAC's transmit and receive clock (nic_core's tx_clk and rx_clk).
// RMII timing (section 7.4): the PHY samples TXD/TX_EN and drives RXD/CRS_DV on REF_CLK's rising
// edge; every RMII pin goes through the register of its I/O cell on mac_clk, so the FPGA side
// adds only pad and global-buffer delay to the 20 ns period. The RMII pins' I/O tiles carry no
// pad of another clock domain (the two pads of a tile share the I/O-register clock).
// MDC, MDIO, the SPI pins and the LEDs are registered in their I/O cells on clk: MDC and MDIO are
// delayed alike by one cycle (clause 22.2.2.11 timing is in MDC half periods, 32 cycles here), and
// the SPI inputs gain one synchroniser stage before the bridge's own two.
// SPI: the breakout's FTDI channel A on the iCE40's configuration SPI pins (jumpers as for SRAM
// programming, `iceprog -S`): SCK R11, SS_B R12, SI P11 (host -> FPGA), SO P12 (FPGA -> host).
// Resets: rst_n (active low, asynchronous; the pin has a pull-up, so it may be left open) and PLL
// lock, synchronised into clk and held 16 cycles; nic_core passes it on to the MAC clock. The PHY's
// reset output (for modules that bring nRST out) is held low for 2^13 core cycles (163 us; the
// LAN8720A wants 100 us) after the core reset, so the PHY restarts with the FPGA.
// Link: the cheap modules bring no link signal out; phy_link has a pull-up, so the NIC reports
// "link up" unless a module drives it low, and the driver checks the PHY's own link and
// autonegotiation status over MDIO at probe (BMSR, clause 22.2.4.2).
// LEDs: LED0 link, LED1 activity (TX_EN or CRS_DV, stretched to 42 ms), LED2 interrupt, LED3 the
// MAC clock is running (REF_CLK divided to 1.5 Hz: a module that is not powered or not wired shows
// as a dark LED3).
module nic_fpga (
    input  wire       clk_12mhz,
    input  wire       rst_n,

    // host SPI (mode 0)
    input  wire       spi_sck,
    input  wire       spi_ss_n,
    input  wire       spi_si,
    output wire       spi_so,

    // RMII to the PHY module
    input  wire       rmii_ref_clk,
    output wire [1:0] rmii_txd,
    output wire       rmii_tx_en,
    input  wire [1:0] rmii_rxd,
    input  wire       rmii_crs_dv,

    // PHY management and reset, link
    output wire       mdc,
    inout  wire       mdio,
    output wire       phy_rst_n,
    input  wire       phy_link,

    // interrupt to the host, LEDs {clock, irq, activity, link}
    output wire       irq,
    output wire [3:0] led
);

// ---------------- clocks ----------------
wire clk, pll_lock, mac_clk;

SB_PLL40_CORE #(
    .FEEDBACK_PATH("SIMPLE"),
    .DIVR(4'b0000),
    .DIVF(7'b1000010),
    .DIVQ(3'b100),
    .FILTER_RANGE(3'b001)
) pll (
    .REFERENCECLK(clk_12mhz),
    .PLLOUTGLOBAL(clk),
    .LOCK(pll_lock),
    .RESETB(1'b1),
    .BYPASS(1'b0)
);

SB_GB_IO #(
    .PIN_TYPE(6'b0000_01)   // PIN_INPUT
) ref_clk_gb (
    .PACKAGE_PIN(rmii_ref_clk),
    .GLOBAL_BUFFER_OUTPUT(mac_clk)
);

// ---------------- core reset: asynchronous assertion, synchronous release, 16 cycles ----------------
wire       rst_n_pin;
SB_IO #(
    .PIN_TYPE(6'b0000_01),  // PIN_INPUT, not registered (asynchronous)
    .PULLUP(1'b1)
) rst_n_io (
    .PACKAGE_PIN(rst_n),
    .D_IN_0(rst_n_pin)
);

reg [2:0] rst_sync = 3'b111;
reg [3:0] rst_cnt = 4'd0;
reg       rst = 1'b1;
always @(posedge clk or negedge rst_n_pin) begin
    if (!rst_n_pin)
        rst_sync <= 3'b111;
    else
        rst_sync <= {rst_sync[1:0], !pll_lock};
end
always @(posedge clk) begin
    if (rst_sync[2]) begin
        rst_cnt <= 4'd0;
        rst <= 1'b1;
    end else if (rst_cnt != 4'd15) begin
        rst_cnt <= rst_cnt + 4'd1;
    end else begin
        rst <= 1'b0;
    end
end

// PHY reset: low while the core is in reset and 2^13 cycles after
reg [13:0] phy_rst_cnt = 14'd0;
always @(posedge clk) begin
    if (rst)
        phy_rst_cnt <= 14'd0;
    else if (!phy_rst_cnt[13])
        phy_rst_cnt <= phy_rst_cnt + 14'd1;
end

// ---------------- I/O registers ----------------
wire [7:0] core_txd;
wire [1:0] core_rxd;
wire       core_tx_en, core_tx_er, core_crs_dv;
wire       core_sck, core_ss_n, core_si, core_so, core_so_oe;
wire       core_mdc, core_mdio_o, core_mdio_oe, core_mdio_i, core_link, core_irq;

// RMII: 3 outputs and 3 inputs on mac_clk
ice40_out_reg #(.W(3)) rmii_out (.clk(mac_clk), .d({core_tx_en, core_txd[1:0]}),
    .pin({rmii_tx_en, rmii_txd}));
ice40_in_reg  #(.W(3)) rmii_in  (.clk(mac_clk), .pin({rmii_crs_dv, rmii_rxd}),
    .q({core_crs_dv, core_rxd}));

// core clock domain: SPI, MDC, IRQ, LEDs, PHY reset
ice40_in_reg  #(.W(3)) spi_in (.clk(clk), .pin({spi_si, spi_ss_n, spi_sck}),
    .q({core_si, core_ss_n, core_sck}));

// phy_link: registered, with the I/O cell's pull-up (an open pin reads "link up")
SB_IO #(
    .PIN_TYPE(6'b0000_00),  // PIN_INPUT_REGISTERED
    .PULLUP(1'b1)
) link_io (
    .PACKAGE_PIN(phy_link),
    .CLOCK_ENABLE(1'b1),
    .INPUT_CLK(clk),
    .D_IN_0(core_link)
);

// Activity: TX_EN or CRS_DV retrigger a 2^21-cycle stretch on mac_clk (42 ms), then a
// synchroniser into clk for the LED's register. A heartbeat of mac_clk (bit 24: 1.5 Hz) shows
// that the module's reference clock arrives.
reg [21:0] act_cnt = 22'd0;
reg [24:0] beat = 25'd0;
always @(posedge mac_clk) begin
    beat <= beat + 25'd1;
    if (core_tx_en || core_crs_dv)
        act_cnt <= 22'd0;
    else if (!act_cnt[21])
        act_cnt <= act_cnt + 22'd1;
end
wire act_led, beat_led;
cdc_sync #(.WIDTH(2)) led_sync (.clk(clk), .d({!act_cnt[21], beat[24]}), .q({act_led, beat_led}));

ice40_out_reg #(.W(7)) core_out (.clk(clk),
    .d({phy_rst_cnt[13], beat_led, core_irq, act_led, core_link, core_irq, core_mdc}),
    .pin({phy_rst_n, led[3], led[2], led[1], led[0], irq, mdc}));

// MDIO: registered output and output enable, registered input
SB_IO #(
    .PIN_TYPE(6'b1101_00),  // PIN_OUTPUT_REGISTERED_ENABLE_REGISTERED, PIN_INPUT_REGISTERED
    .PULLUP(1'b1)           // the module has its own 1.5k pull-up; this one holds an open pin
) mdio_io (
    .PACKAGE_PIN(mdio),
    .CLOCK_ENABLE(1'b1),
    .INPUT_CLK(clk),
    .OUTPUT_CLK(clk),
    .OUTPUT_ENABLE(core_mdio_oe),
    .D_OUT_0(core_mdio_o),
    .D_IN_0(core_mdio_i)
);

// MISO: driven only while SS_B is low (the FTDI's bus also reaches the configuration flash)
SB_IO #(
    .PIN_TYPE(6'b1101_01)   // PIN_OUTPUT_REGISTERED_ENABLE_REGISTERED, PIN_INPUT
) spi_so_io (
    .PACKAGE_PIN(spi_so),
    .CLOCK_ENABLE(1'b1),
    .OUTPUT_CLK(clk),
    .OUTPUT_ENABLE(core_so_oe),
    .D_OUT_0(core_so)
);

// Host memory: 8 KB (16 block RAMs) in a 16 KB DMA address space (the upper half answers DECERR);
// data FIFOs of 2 KB each (8 block RAMs for both), as 100 Mb/s needs no more.
nic_fpga_core #(
    .ADDR_WIDTH(14),
    .MEM_AW(13),
    .STAT_WIDTH(16),
    .FIFO_AW(8),
    .MAC_MODE(2)                        // RMII
) core (
    .clk(clk), .rst(rst), .tx_clk(mac_clk), .rx_clk(mac_clk),
    .spi_sck(core_sck), .spi_cs_n(core_ss_n), .spi_mosi(core_si), .spi_miso(core_so),
    .spi_miso_oe(core_so_oe),
    .gmii_txd(core_txd), .gmii_tx_en(core_tx_en), .gmii_tx_er(core_tx_er),
    .gmii_rxd({6'd0, core_rxd}), .gmii_rx_dv(core_crs_dv), .gmii_rx_er(1'b0),
    .mdc(core_mdc), .mdio_o(core_mdio_o), .mdio_oe(core_mdio_oe), .mdio_i(core_mdio_i),
    .phy_link(core_link),
    .irq(core_irq)
);

// RMII has no TX_ER (an aborted frame ends cut short and fails the far end's FCS check); the
// upper bits of the MAC's GMII-wide output are zero in RMII mode.
wire unused_ok = &{1'b0, core_tx_er, core_txd[7:2]};

endmodule

`resetall
