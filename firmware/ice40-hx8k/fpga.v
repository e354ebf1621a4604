`resetall
`timescale 1ns / 1ps
`default_nettype none

// Board top for the iCE40-HX8K (package CT256, e.g. the iCE40-HX8K breakout board) with a GMII PHY
// on its headers: clocks, reset and I/O registers around the vendor-neutral fpga_core (MAC only).
//
//   pins -> SB_IO registers -> fpga_core (firmware/common) -> eth_mac (rtl/mac)
//
// Clocks, both 125 MHz (constrained in clocks.py):
//   clk_125mhz   the PHY's 125 MHz reference output (RTL8211-style CLK125) on global buffer input
//                GBIN3 (G1); it clocks the transmit side and is forwarded as gmii_gtx_clk.
//   gmii_rx_clk  the PHY's recovered receive clock on GBIN2 (H16); it clocks the receive side.
// Every GMII and user-side pin goes through the register in its I/O cell (SB_IO), so no pin
// timing depends on placement and no fabric flip-flop is spent on I/O. The two pads of an I/O
// tile share their clock, so the pin file keeps each tile within one clock domain.
// Reset: rst_n (active low, asynchronous) is synchronised into each domain, asserted for at
// least three clocks after configuration and after every press.
// The I/O-cell register modules (ice40_in_reg, ice40_out_reg) are in ice40_io.v, shared with the
// NIC top (nic_fpga.v).
module fpga #(
    parameter STATS_ENABLE = 1
) (
    input  wire       clk_125mhz,
    input  wire       rst_n,

    // GMII to the PHY
    output wire       gmii_gtx_clk,
    output wire [7:0] gmii_txd,
    output wire       gmii_tx_en,
    output wire       gmii_tx_er,
    input  wire       gmii_rx_clk,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er,

    // user side, transmit (clk_125mhz)
    input  wire [7:0] tx_tdata,
    input  wire       tx_tvalid,
    output wire       tx_tready,
    input  wire       tx_tlast,
    input  wire       tx_tuser,
    output wire [2:0] tx_stat,
    input  wire       tx_stat_snap,
    output wire       tx_stat_sdo,

    // user side, receive (gmii_rx_clk)
    output wire [7:0] rx_tdata,
    output wire       rx_tvalid,
    output wire       rx_tlast,
    output wire       rx_tuser,
    output wire [6:0] rx_stat,
    input  wire       rx_stat_snap,
    output wire       rx_stat_sdo
);

// Both clocks enter through the global buffer of their GBIN pad.
wire tx_clk;
wire rx_clk;

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

// reset synchronisers: asynchronous assertion, synchronous release
reg [2:0] tx_rst_sync = 3'b111;
reg [2:0] rx_rst_sync = 3'b111;

always @(posedge tx_clk or negedge rst_n) begin
    if (!rst_n)
        tx_rst_sync <= 3'b111;
    else
        tx_rst_sync <= {tx_rst_sync[1:0], 1'b0};
end

always @(posedge rx_clk or negedge rst_n) begin
    if (!rst_n)
        rx_rst_sync <= 3'b111;
    else
        rx_rst_sync <= {rx_rst_sync[1:0], 1'b0};
end

// I/O registers: 12 inputs and 15 outputs on tx_clk, 11 inputs and 19 outputs on rx_clk
wire [7:0] core_txd;
wire       core_tx_en, core_tx_er;
wire [7:0] core_rxd;
wire       core_rx_dv, core_rx_er;
wire [7:0] core_tx_tdata;
wire       core_tx_tvalid, core_tx_tready, core_tx_tlast, core_tx_tuser;
wire [2:0] core_tx_stat;
wire       core_tx_stat_snap, core_tx_stat_sdo;
wire [7:0] core_rx_tdata;
wire       core_rx_tvalid, core_rx_tlast, core_rx_tuser;
wire [6:0] core_rx_stat;
wire       core_rx_stat_snap, core_rx_stat_sdo;

ice40_in_reg  #(.W(12)) tx_in  (.clk(tx_clk), .pin({tx_stat_snap, tx_tuser, tx_tlast, tx_tvalid, tx_tdata}),
    .q({core_tx_stat_snap, core_tx_tuser, core_tx_tlast, core_tx_tvalid, core_tx_tdata}));
ice40_out_reg #(.W(15)) tx_out (.clk(tx_clk),
    .d({core_tx_stat_sdo, core_tx_stat, core_tx_tready, core_tx_er, core_tx_en, core_txd}),
    .pin({tx_stat_sdo, tx_stat, tx_tready, gmii_tx_er, gmii_tx_en, gmii_txd}));
ice40_in_reg  #(.W(11)) rx_in  (.clk(rx_clk), .pin({rx_stat_snap, gmii_rx_er, gmii_rx_dv, gmii_rxd}),
    .q({core_rx_stat_snap, core_rx_er, core_rx_dv, core_rxd}));
ice40_out_reg #(.W(19)) rx_out (.clk(rx_clk),
    .d({core_rx_stat_sdo, core_rx_stat, core_rx_tuser, core_rx_tlast, core_rx_tvalid, core_rx_tdata}),
    .pin({rx_stat_sdo, rx_stat, rx_tuser, rx_tlast, rx_tvalid, rx_tdata}));

// GTX_CLK: tx_clk forwarded through a DDR output register (high on the rising edge, low on the
// falling one), so it leaves the chip aligned with the TX data registers.
SB_IO #(
    .PIN_TYPE(6'b0100_01)   // PIN_OUTPUT_DDR, PIN_INPUT
) gtx_clk_ddr (
    .PACKAGE_PIN(gmii_gtx_clk),
    .CLOCK_ENABLE(1'b1),
    .OUTPUT_CLK(tx_clk),
    .D_OUT_0(1'b1),
    .D_OUT_1(1'b0)
);

fpga_core #(
    .STATS_ENABLE(STATS_ENABLE)
) core (
    .tx_clk(tx_clk),
    .tx_rst(tx_rst_sync[2]),
    .rx_clk(rx_clk),
    .rx_rst(rx_rst_sync[2]),
    .s_axis_tx_tdata(core_tx_tdata),
    .s_axis_tx_tvalid(core_tx_tvalid),
    .s_axis_tx_tready(core_tx_tready),
    .s_axis_tx_tlast(core_tx_tlast),
    .s_axis_tx_tuser(core_tx_tuser),
    .m_axis_rx_tdata(core_rx_tdata),
    .m_axis_rx_tvalid(core_rx_tvalid),
    .m_axis_rx_tlast(core_rx_tlast),
    .m_axis_rx_tuser(core_rx_tuser),
    .gmii_txd(core_txd),
    .gmii_tx_en(core_tx_en),
    .gmii_tx_er(core_tx_er),
    .gmii_rxd(core_rxd),
    .gmii_rx_dv(core_rx_dv),
    .gmii_rx_er(core_rx_er),
    .stat_tx(core_tx_stat),
    .stat_rx(core_rx_stat),
    .tx_stat_snap(core_tx_stat_snap),
    .tx_stat_sdo(core_tx_stat_sdo),
    .rx_stat_snap(core_rx_stat_snap),
    .rx_stat_sdo(core_rx_stat_sdo)
);

endmodule

`resetall
