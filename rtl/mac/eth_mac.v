`resetall
`timescale 1ns / 1ps
`default_nettype none

// Ethernet MAC: eth_mac_tx on tx_clk, eth_mac_rx on rx_clk (the two clocks are independent, as a
// PHY's recovered receive clock is), and a counter block in each domain. One MAC core for three
// PHY interfaces, chosen by MODE; the core moves one byte per clock enable, and for MII and RMII
// a gearbox (eth_mac_phy_tx / eth_mac_phy_rx) converts bytes to and from nibbles or dibits and
// makes the enables. All byte figures (cfg_ifg, padding, lengths) are byte times in every mode.
//
//   MODE 0  GMII, 1 Gb/s (IEEE 802.3 clause 35): 8 bits per 125 MHz clock, enables tied high, no
//           gearbox: the same logic, cycle for cycle, as a plain GMII MAC.
//   MODE 1  MII, 10/100 Mb/s (clause 22): tx_clk/rx_clk are the PHY's TX_CLK/RX_CLK (25 MHz or
//           2.5 MHz: the PHY sets the speed, cfg_speed_10 is unused). TXD[3:0] = gmii_txd[3:0]
//           (gmii_txd[7:4] are 0), RXD[3:0] = gmii_rxd[3:0], TX_EN, TX_ER, RX_DV, RX_ER on the
//           gmii_* names. A byte takes 2 clocks.
//   MODE 2  RMII, 10/100 Mb/s (RMII Consortium spec 1.2): tx_clk and rx_clk both REF_CLK, 50 MHz.
//           TXD[1:0] = gmii_txd[1:0], TX_EN = gmii_tx_en, RXD[1:0] = gmii_rxd[1:0], CRS_DV =
//           gmii_rx_dv, RX_ER (optional, tie low if the PHY has none) = gmii_rx_er. RMII has no
//           TX_ER: gmii_tx_er is still driven (aligned with the dibits) and may be left open.
//           cfg_speed_10 selects 10 Mb/s (each dibit held/sampled for 10 clocks): a byte takes
//           4 clocks at 100 Mb/s, 40 at 10 Mb/s. Change it only with the link down (quasi-static;
//           it is read in both clock domains, which for RMII are the same clock).
//   In MII and RMII the pins are registered in the gearbox, one clock after the MAC's byte
//   registers; the receive side adds two clocks (MII) or three (RMII, one dibit for CRS_DV).
//
// Counters (COUNTER_WIDTH bits each, wrapping), packed LSB-first into stat_tx_count/stat_rx_count:
//   tx: 0 frames, 1 bytes (FCS included), 2 underflow aborts, 3 user aborts
//   rx: 0 good frames, 1 good bytes (FCS included), 2 FCS errors, 3 runts, 4 oversize,
//       5 rx_er, 6 bad/missing SFD, 7 too short for an FCS
// The NIC's register block samples them across into its own clock domain.
module eth_mac #(
    parameter MODE = 0,                   // 0 GMII, 1 MII, 2 RMII
    parameter MIN_FRAME_LEN = 64,
    parameter STATS_ENABLE = 1,
    parameter COUNTER_WIDTH = 32
) (
    input  wire        tx_clk,
    input  wire        tx_rst,
    input  wire        rx_clk,
    input  wire        rx_rst,

    // transmit stream (tx_clk), tuser = abort
    input  wire [7:0]  s_axis_tx_tdata,
    input  wire        s_axis_tx_tvalid,
    output wire        s_axis_tx_tready,
    input  wire        s_axis_tx_tlast,
    input  wire        s_axis_tx_tuser,

    // receive stream (rx_clk), tuser = bad frame
    output wire [7:0]  m_axis_rx_tdata,
    output wire        m_axis_rx_tvalid,
    output wire        m_axis_rx_tlast,
    output wire        m_axis_rx_tuser,

    // GMII (MII, RMII: see above)
    output wire [7:0]  gmii_txd,
    output wire        gmii_tx_en,
    output wire        gmii_tx_er,
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,

    // configuration (cfg_ifg in the tx_clk domain, cfg_rx_max_len in the rx_clk domain,
    // cfg_speed_10 quasi-static, RMII only)
    input  wire        cfg_speed_10,
    input  wire [7:0]  cfg_ifg,
    input  wire [15:0] cfg_rx_max_len,

    // one-cycle statistic pulses
    output wire        stat_tx_frame,
    output wire [15:0] stat_tx_len,
    output wire        stat_tx_err_underflow,
    output wire        stat_tx_err_abort,
    output wire        stat_rx_frame,
    output wire [15:0] stat_rx_len,
    output wire        stat_rx_err_fcs,
    output wire        stat_rx_err_runt,
    output wire        stat_rx_err_oversize,
    output wire        stat_rx_err_rxer,
    output wire        stat_rx_err_preamble,
    output wire        stat_rx_err_short,

    // accumulated counters
    output wire [4*COUNTER_WIDTH-1:0] stat_tx_count,
    output wire [8*COUNTER_WIDTH-1:0] stat_rx_count
);

initial begin
    if (MODE < 0 || MODE > 2) begin
        $error("%m: MODE must be 0 (GMII), 1 (MII) or 2 (RMII)");
        $finish;
    end
end

// The MAC core's byte-wide side, and its byte strobes.
wire       tx_ce, rx_ce;
wire [7:0] mac_txd, mac_rxd;
wire       mac_tx_en, mac_tx_er, mac_rx_dv, mac_rx_er;

generate
if (MODE == 0) begin : gmii
    assign tx_ce = 1'b1;
    assign rx_ce = 1'b1;
    assign gmii_txd = mac_txd;
    assign gmii_tx_en = mac_tx_en;
    assign gmii_tx_er = mac_tx_er;
    assign mac_rxd = gmii_rxd;
    assign mac_rx_dv = gmii_rx_dv;
    assign mac_rx_er = gmii_rx_er;
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_speed = cfg_speed_10;
    /* verilator lint_on UNUSEDSIGNAL */
end else begin : gearbox
    eth_mac_phy_tx #(.MODE(MODE)) phy_tx (
        .clk(tx_clk), .rst(tx_rst), .cfg_speed_10(cfg_speed_10),
        .mac_ce(tx_ce), .mac_txd(mac_txd), .mac_tx_en(mac_tx_en), .mac_tx_er(mac_tx_er),
        .phy_txd(gmii_txd), .phy_tx_en(gmii_tx_en), .phy_tx_er(gmii_tx_er)
    );
    eth_mac_phy_rx #(.MODE(MODE)) phy_rx (
        .clk(rx_clk), .rst(rx_rst), .cfg_speed_10(cfg_speed_10),
        .phy_rxd(gmii_rxd), .phy_rx_dv(gmii_rx_dv), .phy_rx_er(gmii_rx_er),
        .mac_ce(rx_ce), .mac_rxd(mac_rxd), .mac_rx_dv(mac_rx_dv), .mac_rx_er(mac_rx_er)
    );
end
endgenerate

eth_mac_tx #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN)
) tx (
    .clk(tx_clk),
    .rst(tx_rst),
    .ce(tx_ce),
    .s_axis_tdata(s_axis_tx_tdata),
    .s_axis_tvalid(s_axis_tx_tvalid),
    .s_axis_tready(s_axis_tx_tready),
    .s_axis_tlast(s_axis_tx_tlast),
    .s_axis_tuser(s_axis_tx_tuser),
    .gmii_txd(mac_txd),
    .gmii_tx_en(mac_tx_en),
    .gmii_tx_er(mac_tx_er),
    .cfg_ifg(cfg_ifg),
    .stat_tx_frame(stat_tx_frame),
    .stat_tx_len(stat_tx_len),
    .stat_tx_err_underflow(stat_tx_err_underflow),
    .stat_tx_err_abort(stat_tx_err_abort)
);

eth_mac_rx #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN)
) rx (
    .clk(rx_clk),
    .rst(rx_rst),
    .ce(rx_ce),
    .gmii_rxd(mac_rxd),
    .gmii_rx_dv(mac_rx_dv),
    .gmii_rx_er(mac_rx_er),
    .m_axis_tdata(m_axis_rx_tdata),
    .m_axis_tvalid(m_axis_rx_tvalid),
    .m_axis_tlast(m_axis_rx_tlast),
    .m_axis_tuser(m_axis_rx_tuser),
    .cfg_rx_max_len(cfg_rx_max_len),
    .stat_rx_frame(stat_rx_frame),
    .stat_rx_len(stat_rx_len),
    .stat_rx_err_fcs(stat_rx_err_fcs),
    .stat_rx_err_runt(stat_rx_err_runt),
    .stat_rx_err_oversize(stat_rx_err_oversize),
    .stat_rx_err_rxer(stat_rx_err_rxer),
    .stat_rx_err_preamble(stat_rx_err_preamble),
    .stat_rx_err_short(stat_rx_err_short)
);

generate
if (STATS_ENABLE) begin : stats
    wire [3:0]  tx_inc = {stat_tx_err_abort, stat_tx_err_underflow, stat_tx_frame, stat_tx_frame};
    wire [7:0]  rx_inc = {stat_rx_err_short, stat_rx_err_preamble, stat_rx_err_rxer,
                          stat_rx_err_oversize, stat_rx_err_runt, stat_rx_err_fcs,
                          stat_rx_frame, stat_rx_frame};
    genvar i;
    for (i = 0; i < 4; i = i + 1) begin : tx_cnt
        stat_counter #(.WIDTH(COUNTER_WIDTH), .INC_WIDTH(16)) c (
            .clk(tx_clk), .rst(tx_rst), .inc(tx_inc[i]),
            .inc_value(i == 1 ? stat_tx_len : 16'd1),
            .count(stat_tx_count[i*COUNTER_WIDTH +: COUNTER_WIDTH])
        );
    end
    for (i = 0; i < 8; i = i + 1) begin : rx_cnt
        stat_counter #(.WIDTH(COUNTER_WIDTH), .INC_WIDTH(16)) c (
            .clk(rx_clk), .rst(rx_rst), .inc(rx_inc[i]),
            .inc_value(i == 1 ? stat_rx_len : 16'd1),
            .count(stat_rx_count[i*COUNTER_WIDTH +: COUNTER_WIDTH])
        );
    end
end else begin : no_stats
    assign stat_tx_count = {4*COUNTER_WIDTH{1'b0}};
    assign stat_rx_count = {8*COUNTER_WIDTH{1'b0}};
end
endgenerate

endmodule

`resetall
