`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of eth_mac_rx (rtl/mac/eth_mac_rx.v), proved with yosys-smtbmc and z3 by
// formal/run.sh: yosys read_verilog -formal of the unchanged RTL and of this file.
//
//   eth_mac_rx_props  bounded top: the MAC with unconstrained GMII inputs (any bytes, rx_dv and
//                     rx_er in any pattern), any constant cfg_rx_max_len, and the checker.
//   eth_mac_rx_check  monitors and properties; also used by the induction top in
//                     eth_mac_rx_ind.v, which adds invariants on MAC internals.
//
// AXI4-Stream rules: the stream has no tready (the MAC cannot stall the wire), so "nothing
// changes while a beat is stalled" is vacuous here: no beat is ever stalled. What is proved
// instead is the framing:
//   - tuser only on a tlast beat; no beat outside a frame; exactly one tlast per delivered frame;
//   - every frame that starts (the MAC sees rx_dv rise) ends in exactly one statistic pulse,
//     stat_rx_frame or one stat_rx_err_*, at most one pulse per cycle, and at the latest in the
//     cycle after the MAC sees rx_dv fall;
//   - a delivered frame's tlast beat comes with its pulse, tuser set iff the pulse is an error;
//     nothing is delivered of a frame counted as short or as a preamble error;
//   - a frame delivers its length minus the FCS, and the length pulses agree with the class.
// Beats are judged with tvalid only (ARM IHI 0051A section 2.2: tlast and tuser mean nothing
// without tvalid).
//
// Environment: reset in the first cycle only; cfg_rx_max_len constant (at_max is an equality, so
// lowering it in mid-frame below the bytes already received is not handled by the RTL).
module eth_mac_rx_check #(
    parameter MIN_FRAME_LEN = 64
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,
    input  wire [7:0]  m_axis_tdata,
    input  wire        m_axis_tvalid,
    input  wire        m_axis_tlast,
    input  wire        m_axis_tuser,
    input  wire [15:0] cfg_rx_max_len,
    input  wire        stat_rx_frame,
    input  wire [15:0] stat_rx_len,
    input  wire        stat_rx_err_fcs,
    input  wire        stat_rx_err_runt,
    input  wire        stat_rx_err_oversize,
    input  wire        stat_rx_err_rxer,
    input  wire        stat_rx_err_preamble,
    input  wire        stat_rx_err_short,

    // monitor state, for the induction invariants
    output reg         f_past,
    output reg         dv_q,      // rx_dv as the MAC sees it (its input register)
    output reg         dv_qq,
    output reg  [1:0]  open,      // frames started before this cycle and not yet classified
    output reg         m_open,    // a beat of the current frame delivered, its tlast not yet
    output reg  [15:0] beats      // beats delivered of the current frame
);

initial f_past = 1'b0;
always @(posedge clk) f_past <= 1'b1;

wire err = stat_rx_err_fcs || stat_rx_err_runt || stat_rx_err_oversize || stat_rx_err_rxer ||
           stat_rx_err_preamble || stat_rx_err_short;
wire pulse = stat_rx_frame || err;
wire [2:0] n_pulse = stat_rx_frame + stat_rx_err_fcs + stat_rx_err_runt + stat_rx_err_oversize +
                     stat_rx_err_rxer + stat_rx_err_preamble + stat_rx_err_short;

wire start = dv_q && !dv_qq;              // the MAC sees rx_dv rise in this cycle
wire fall  = !dv_q && dv_qq;              // ... or fall
wire beat  = m_axis_tvalid;

reg p_fall;

always @(posedge clk) begin
    dv_q <= gmii_rx_dv;
    dv_qq <= dv_q;
    p_fall <= fall;

    open <= open + {1'b0, start} - {1'b0, pulse};

    if (beat) begin
        m_open <= !m_axis_tlast;
        beats <= m_axis_tlast ? 16'd0 : beats + 16'd1;
    end

    if (rst) begin
        dv_q <= 1'b0;
        dv_qq <= 1'b0;
        p_fall <= 1'b0;
        open <= 2'd0;
        m_open <= 1'b0;
        beats <= 16'd0;
    end
end

always @* assume(rst == !f_past);

always @* if (f_past) begin
    // --- exactly one classification per frame, one pulse at a time ---
    assert(n_pulse <= 3'd1);
    assert(open <= 2'd1);
    if (pulse)
        assert(open == 2'd1);             // a pulse ends the one open frame ...
    if (start)
        assert(open == {1'b0, pulse});    // ... and a frame starts only once the last one has it
    if (p_fall)
        assert(open == {1'b0, pulse});    // classified at the latest one cycle after rx_dv fell

    // --- stream framing ---
    if (beat && m_axis_tuser)
        assert(m_axis_tlast);
    if (beat)
        assert(open == 2'd1);             // no beat outside a frame
    if (beat)
        assert(m_axis_tlast == pulse);    // tlast exactly with the frame's pulse
    if (pulse && m_open)
        assert(beat && m_axis_tlast);     // a frame with beats delivered ends with one tlast
    if (beat && m_axis_tlast)
        assert(m_axis_tuser == err);      // tuser iff the frame is counted as an error
    if (stat_rx_frame)
        assert(beat && m_axis_tlast && !m_axis_tuser);
    if (stat_rx_err_short || stat_rx_err_preamble)
        assert(!beat && !m_open);         // nothing delivered of those
    if (stat_rx_err_runt || stat_rx_err_fcs)
        assert(beat && m_axis_tlast && m_axis_tuser);

    // --- lengths: the frame minus its FCS is delivered; the class matches the length ---
    if (beat && m_axis_tlast)
        assert({16'd0, beats} + 32'd1 == {16'd0, stat_rx_len} - 32'd4);
    if (stat_rx_frame)
        assert(stat_rx_len >= MIN_FRAME_LEN && stat_rx_len <= cfg_rx_max_len);
    if (stat_rx_err_fcs)
        assert(stat_rx_len >= MIN_FRAME_LEN && stat_rx_len <= cfg_rx_max_len);
    if (stat_rx_err_runt)
        assert(stat_rx_len >= 16'd5 && stat_rx_len < MIN_FRAME_LEN && stat_rx_len <= cfg_rx_max_len);
    if (stat_rx_err_short)
        assert(stat_rx_len <= 16'd4 && stat_rx_len <= cfg_rx_max_len);
    if (stat_rx_err_oversize)
        assert(stat_rx_len == cfg_rx_max_len);
end

endmodule

// Bounded top: the MAC as the rest of the design sees it, ports only.
module eth_mac_rx_props #(
    parameter MIN_FRAME_LEN = 64
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er
);

(* anyconst *) reg [15:0] cfg_rx_max_len;

wire [7:0]  m_axis_tdata;
wire        m_axis_tvalid, m_axis_tlast, m_axis_tuser;
wire        stat_rx_frame, stat_rx_err_fcs, stat_rx_err_runt, stat_rx_err_oversize;
wire        stat_rx_err_rxer, stat_rx_err_preamble, stat_rx_err_short;
wire [15:0] stat_rx_len;

eth_mac_rx #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN)
) dut (
    .clk(clk), .rst(rst), .ce(1'b1),      // GMII: a byte every clock
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
    .cfg_rx_max_len(cfg_rx_max_len),
    .stat_rx_frame(stat_rx_frame), .stat_rx_len(stat_rx_len),
    .stat_rx_err_fcs(stat_rx_err_fcs), .stat_rx_err_runt(stat_rx_err_runt),
    .stat_rx_err_oversize(stat_rx_err_oversize), .stat_rx_err_rxer(stat_rx_err_rxer),
    .stat_rx_err_preamble(stat_rx_err_preamble), .stat_rx_err_short(stat_rx_err_short)
);

eth_mac_rx_check #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN)
) check (
    .clk(clk), .rst(rst),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
    .cfg_rx_max_len(cfg_rx_max_len),
    .stat_rx_frame(stat_rx_frame), .stat_rx_len(stat_rx_len),
    .stat_rx_err_fcs(stat_rx_err_fcs), .stat_rx_err_runt(stat_rx_err_runt),
    .stat_rx_err_oversize(stat_rx_err_oversize), .stat_rx_err_rxer(stat_rx_err_rxer),
    .stat_rx_err_preamble(stat_rx_err_preamble), .stat_rx_err_short(stat_rx_err_short),
    .f_past(), .dv_q(), .dv_qq(), .open(), .m_open(), .beats()
);

endmodule

`resetall
