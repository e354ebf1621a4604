`resetall
`timescale 1ns / 1ps
`default_nettype none

// Board top of the whole NIC for the iCE40-HX8K (package CT256, e.g. the iCE40-HX8K breakout
// board) with a GMII PHY on its headers and the host on SPI: clocks, resets and I/O registers
// around the vendor-neutral nic_fpga_core (firmware/common).
//
//   pins -> SB_IO registers, PLL, global buffers -> nic_fpga_core -> nic_core (rtl/nic)
//                                                                 -> spi_host_bridge, axi_bram_host
//
// Clocks (constrained in nic_clocks.py):
//   clk_12mhz    the board's 12 MHz oscillator (J3); the PLL makes the core clock clk from it,
//                50.25 MHz (icepll -i 12 -o 50: DIVR 0, DIVF 66, DIVQ 4, FILTER_RANGE 1). The
//                64-bit DMA path needs 125 MB/s / 8 B = 15.6 MHz per direction, so 50 MHz leaves
//                room for both directions, descriptors and completions.
//   clk_125mhz   the PHY's 125 MHz reference (GBIN3, G1): tx_clk, forwarded as gmii_gtx_clk.
//   gmii_rx_clk  the PHY's receive clock (GBIN2, H16): rx_clk.
// As in the MAC-only top (fpga.v), every GMII pin goes through the register of its I/O cell, and
// each I/O tile carries pins of one clock domain only (the two pads of a tile share the clock).
// MDC, MDIO and the SPI pins are registered in their I/O cells on clk: MDC and MDIO are delayed
// alike by one cycle (clause 22.2.2.11 timing is in MDC half periods, 32 cycles here), and the SPI
// inputs gain one synchroniser stage before the bridge's own two.
// SPI: the breakout's FTDI channel A on the iCE40's configuration SPI pins (jumpers as for
// SRAM programming, `iceprog -S`): SCK R11, SS_B R12, SI P11 (host -> FPGA), SO P12 (FPGA -> host).
// Reset: rst_n (active low, asynchronous) and PLL lock, synchronised into clk and held 16 cycles;
// nic_core passes it on to tx_clk and rx_clk.
module nic_fpga (
    input  wire       clk_12mhz,
    input  wire       clk_125mhz,
    input  wire       rst_n,

    // host SPI (mode 0)
    input  wire       spi_sck,
    input  wire       spi_ss_n,
    input  wire       spi_si,
    output wire       spi_so,

    // GMII to the PHY
    output wire       gmii_gtx_clk,
    output wire [7:0] gmii_txd,
    output wire       gmii_tx_en,
    output wire       gmii_tx_er,
    input  wire       gmii_rx_clk,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er,

    // PHY management, link, interrupt to the host, LEDs {irq, link}
    output wire       mdc,
    inout  wire       mdio,
    input  wire       phy_link,
    output wire       irq,
    output wire [1:0] led
);

// ---------------- clocks ----------------
wire clk, pll_lock, tx_clk, rx_clk;

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
) tx_clk_gb (
    .PACKAGE_PIN(clk_125mhz),
    .GLOBAL_BUFFER_OUTPUT(tx_clk)
);

SB_GB_IO #(
    .PIN_TYPE(6'b0000_01)
) rx_clk_gb (
    .PACKAGE_PIN(gmii_rx_clk),
    .GLOBAL_BUFFER_OUTPUT(rx_clk)
);

// ---------------- core reset: asynchronous assertion, synchronous release, 16 cycles ----------------
reg [2:0] rst_sync = 3'b111;
reg [3:0] rst_cnt = 4'd0;
reg       rst = 1'b1;
always @(posedge clk or negedge rst_n) begin
    if (!rst_n)
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

// ---------------- I/O registers ----------------
wire [7:0] core_txd, core_rxd;
wire       core_tx_en, core_tx_er, core_rx_dv, core_rx_er;
wire       core_sck, core_ss_n, core_si, core_so, core_so_oe;
wire       core_mdc, core_mdio_o, core_mdio_oe, core_mdio_i, core_link, core_irq;

// GMII: 10 outputs on tx_clk, 10 inputs on rx_clk (the pins of fpga.pcf)
ice40_out_reg #(.W(10)) gmii_out (.clk(tx_clk), .d({core_tx_er, core_tx_en, core_txd}),
    .pin({gmii_tx_er, gmii_tx_en, gmii_txd}));
ice40_in_reg  #(.W(10)) gmii_in  (.clk(rx_clk), .pin({gmii_rx_er, gmii_rx_dv, gmii_rxd}),
    .q({core_rx_er, core_rx_dv, core_rxd}));

// GTX_CLK: tx_clk through a DDR output register, aligned with the TX data registers
SB_IO #(
    .PIN_TYPE(6'b0100_01)   // PIN_OUTPUT_DDR, PIN_INPUT
) gtx_clk_ddr (
    .PACKAGE_PIN(gmii_gtx_clk),
    .CLOCK_ENABLE(1'b1),
    .OUTPUT_CLK(tx_clk),
    .D_OUT_0(1'b1),
    .D_OUT_1(1'b0)
);

// core clock domain: SPI, link, MDC, IRQ, LEDs
ice40_in_reg  #(.W(4)) core_in (.clk(clk), .pin({phy_link, spi_si, spi_ss_n, spi_sck}),
    .q({core_link, core_si, core_ss_n, core_sck}));
ice40_out_reg #(.W(4)) core_out (.clk(clk), .d({core_link, core_irq, core_irq, core_mdc}),
    .pin({led[0], led[1], irq, mdc}));

// MDIO: registered output and output enable, registered input
SB_IO #(
    .PIN_TYPE(6'b1101_00)   // PIN_OUTPUT_REGISTERED_ENABLE_REGISTERED, PIN_INPUT_REGISTERED
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

nic_fpga_core #(
    .ADDR_WIDTH(13),
    .STAT_WIDTH(16)
) core (
    .clk(clk), .rst(rst), .tx_clk(tx_clk), .rx_clk(rx_clk),
    .spi_sck(core_sck), .spi_cs_n(core_ss_n), .spi_mosi(core_si), .spi_miso(core_so),
    .spi_miso_oe(core_so_oe),
    .gmii_txd(core_txd), .gmii_tx_en(core_tx_en), .gmii_tx_er(core_tx_er),
    .gmii_rxd(core_rxd), .gmii_rx_dv(core_rx_dv), .gmii_rx_er(core_rx_er),
    .mdc(core_mdc), .mdio_o(core_mdio_o), .mdio_oe(core_mdio_oe), .mdio_i(core_mdio_i),
    .phy_link(core_link),
    .irq(core_irq)
);

endmodule

`resetall
