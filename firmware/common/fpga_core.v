`resetall
`timescale 1ns / 1ps
`default_nettype none

// MAC-only FPGA core, vendor-neutral: eth_mac with its user side brought out, for measuring the MAC
// (LUTs, FFs, Fmax per clock) on real silicon. The board top (firmware/<board>/fpga.v) owns the
// clocks, the reset pin and the I/O registers; everything here is plain RTL.
//
//   board pins -> fpga.v (I/O registers, clocks) -> fpga_core -> eth_mac -> eth_mac_tx / eth_mac_rx
//
// So that synthesis keeps the whole MAC and the LUT figure is honest, nothing is left dangling:
//   - the AXI-Stream user side of both directions is a port (the board top registers it on pins);
//   - the configuration is constant, as a NIC without a register block would have it:
//     cfg_ifg = 12 byte times (IEEE 802.3 clause 4.4.2), cfg_rx_max_len = 1518 (clause 3.2.7);
//   - the one-cycle stat pulses are ports;
//   - per clock domain, a shift register that loads on *_snap and otherwise shifts one bit per clock
//     towards *_sdo, LSB first: with STATS_ENABLE the counter bank (stat_tx_count: 4 x 32 bits,
//     stat_rx_count: 8 x 32 bits), without it the 16-bit length of the last frame (stat_*_len).
module fpga_core #(
    parameter STATS_ENABLE = 1
) (
    input  wire       tx_clk,
    input  wire       tx_rst,
    input  wire       rx_clk,
    input  wire       rx_rst,

    // user side, transmit (tx_clk)
    input  wire [7:0] s_axis_tx_tdata,
    input  wire       s_axis_tx_tvalid,
    output wire       s_axis_tx_tready,
    input  wire       s_axis_tx_tlast,
    input  wire       s_axis_tx_tuser,

    // user side, receive (rx_clk)
    output wire [7:0] m_axis_rx_tdata,
    output wire       m_axis_rx_tvalid,
    output wire       m_axis_rx_tlast,
    output wire       m_axis_rx_tuser,

    // GMII
    output wire [7:0] gmii_txd,
    output wire       gmii_tx_en,
    output wire       gmii_tx_er,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er,

    // statistics: pulses {underflow, abort, frame} and {short, preamble, rxer, oversize, runt, fcs, frame}
    output wire [2:0] stat_tx,
    output wire [6:0] stat_rx,
    // counter (or last length) shift-out, one per clock domain
    input  wire       tx_stat_snap,
    output wire       tx_stat_sdo,
    input  wire       rx_stat_snap,
    output wire       rx_stat_sdo
);

localparam COUNTER_WIDTH = 32;
localparam TX_BITS = STATS_ENABLE ? 4 * COUNTER_WIDTH : 16;
localparam RX_BITS = STATS_ENABLE ? 8 * COUNTER_WIDTH : 16;

// Only one of the pairs is shifted out: the counters (STATS_ENABLE) or the lengths (otherwise).
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0] stat_tx_len;
wire [15:0] stat_rx_len;
wire [4*COUNTER_WIDTH-1:0] stat_tx_count;
wire [8*COUNTER_WIDTH-1:0] stat_rx_count;
/* verilator lint_on UNUSEDSIGNAL */

eth_mac #(
    .STATS_ENABLE(STATS_ENABLE),
    .COUNTER_WIDTH(COUNTER_WIDTH)
) mac (
    .tx_clk(tx_clk),
    .tx_rst(tx_rst),
    .rx_clk(rx_clk),
    .rx_rst(rx_rst),
    .cfg_speed_10(1'b0),                // GMII: the speed is the PHY's clock
    .s_axis_tx_tdata(s_axis_tx_tdata),
    .s_axis_tx_tvalid(s_axis_tx_tvalid),
    .s_axis_tx_tready(s_axis_tx_tready),
    .s_axis_tx_tlast(s_axis_tx_tlast),
    .s_axis_tx_tuser(s_axis_tx_tuser),
    .m_axis_rx_tdata(m_axis_rx_tdata),
    .m_axis_rx_tvalid(m_axis_rx_tvalid),
    .m_axis_rx_tlast(m_axis_rx_tlast),
    .m_axis_rx_tuser(m_axis_rx_tuser),
    .gmii_txd(gmii_txd),
    .gmii_tx_en(gmii_tx_en),
    .gmii_tx_er(gmii_tx_er),
    .gmii_rxd(gmii_rxd),
    .gmii_rx_dv(gmii_rx_dv),
    .gmii_rx_er(gmii_rx_er),
    .cfg_ifg(8'd12),
    .cfg_rx_max_len(16'd1518),
    .stat_tx_frame(stat_tx[0]),
    .stat_tx_len(stat_tx_len),
    .stat_tx_err_underflow(stat_tx[2]),
    .stat_tx_err_abort(stat_tx[1]),
    .stat_rx_frame(stat_rx[0]),
    .stat_rx_len(stat_rx_len),
    .stat_rx_err_fcs(stat_rx[1]),
    .stat_rx_err_runt(stat_rx[2]),
    .stat_rx_err_oversize(stat_rx[3]),
    .stat_rx_err_rxer(stat_rx[4]),
    .stat_rx_err_preamble(stat_rx[5]),
    .stat_rx_err_short(stat_rx[6]),
    .stat_tx_count(stat_tx_count),
    .stat_rx_count(stat_rx_count)
);

// Snapshot-and-shift readers. A reader on a logic analyser or a microcontroller pulses *_snap and
// then samples *_sdo on the following TX_BITS / RX_BITS clocks.
reg [TX_BITS-1:0] tx_shift = {TX_BITS{1'b0}};
reg [RX_BITS-1:0] rx_shift = {RX_BITS{1'b0}};

wire [TX_BITS-1:0] tx_snap_value;
wire [RX_BITS-1:0] rx_snap_value;
generate
if (STATS_ENABLE != 0) begin : snap_counters
    assign tx_snap_value = stat_tx_count;
    assign rx_snap_value = stat_rx_count;
end else begin : snap_len
    assign tx_snap_value = stat_tx_len;
    assign rx_snap_value = stat_rx_len;
end
endgenerate

always @(posedge tx_clk) begin
    if (tx_stat_snap)
        tx_shift <= tx_snap_value;
    else
        tx_shift <= {1'b0, tx_shift[TX_BITS-1:1]};
end

always @(posedge rx_clk) begin
    if (rx_stat_snap)
        rx_shift <= rx_snap_value;
    else
        rx_shift <= {1'b0, rx_shift[RX_BITS-1:1]};
end

assign tx_stat_sdo = tx_shift[0];
assign rx_stat_sdo = rx_shift[0];

endmodule

`resetall
