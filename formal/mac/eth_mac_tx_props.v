`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of eth_mac_tx (rtl/mac/eth_mac_tx.v), proved with yosys-smtbmc and z3 by
// formal/run.sh: yosys read_verilog -formal of the unchanged RTL and of this file.
//
//   eth_mac_tx_props  bounded top: the MAC, an unconstrained AXI4-Stream source, any constant
//                     cfg_ifg, and the checker. Sees the MAC's ports only.
//   eth_mac_tx_check  monitors, environment assumptions and the properties; also used by the
//                     induction top in eth_mac_tx_ind.v, which adds invariants on MAC internals.
//
// Monitors (all reset with the MAC):
//   wpos  bytes of the current frame already on the wire (gmii_tx_en cycles before this one)
//   idle  idle cycles since the last frame ended (saturating at 256, above any cfg_ifg)
//   nb    stream beats the MAC took into the current frame
// A frame ends on the wire with its statistic pulse, which is high with its last byte.
//
// Environment:
//   - reset in the first cycle only (a reset in mid-frame truncates the frame without a pulse
//     and is outside these properties);
//   - AXI4-Stream source (ARM IHI 0051A section 2.2.1): once tvalid is up, tvalid, tdata, tlast
//     and tuser hold until tready;
//   - cfg_ifg: any value, constant;
//   - UNDERFLOW = 0: the source is a store-and-forward FIFO that never starves a frame it has
//     begun. UNDERFLOW = 1: it may drop tvalid at any beat boundary of a frame (never while a
//     beat is stalled); the MAC must then end the wire frame with gmii_tx_er and count it;
//   - frames of at most MAX_BEATS beats, so the 16-bit length monitors stay exact.
//
// Frames ended by an error (underflow, user abort) are fragments by design and are not padded:
// the 8 + MIN_FRAME_LEN minimum applies to frames that end with stat_tx_frame.
module eth_mac_tx_check #(
    parameter MIN_FRAME_LEN = 64,
    parameter UNDERFLOW = 1,
    parameter MAX_BEATS = 9600
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [7:0]  s_axis_tdata,
    input  wire        s_axis_tvalid,
    input  wire        s_axis_tready,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,
    input  wire [7:0]  gmii_txd,
    input  wire        gmii_tx_en,
    input  wire        gmii_tx_er,
    input  wire [7:0]  cfg_ifg,
    input  wire        stat_tx_frame,
    input  wire [15:0] stat_tx_len,
    input  wire        stat_tx_err_underflow,
    input  wire        stat_tx_err_abort,

    // monitor state, for the induction invariants
    output reg         f_past,
    output reg         drop,      // the MAC gave this frame up (underflow), swallows it up to tlast
    output reg         src_mid,   // the source handed over a beat of a frame, not yet its tlast
    output reg         src_done,  // the MAC took the frame's tlast; its wire frame has not ended
    output reg  [15:0] nb,
    output reg  [15:0] wpos,
    output reg  [8:0]  idle,

    // reachability target: a good frame of minimum length went out, then its gap at
    // cfg_ifg = 12, and the next frame starts now (yosys-smtbmc -g with an smtc file that
    // assumes it in the final step; at depth 100 this did not finish within 10 minutes with z3)
    output wire        cov_min_frame_gap
);

localparam MIN_DATA = MIN_FRAME_LEN - 4;

initial f_past = 1'b0;                    // low in the first cycle only
always @(posedge clk) f_past <= 1'b1;

wire hs    = s_axis_tvalid && s_axis_tready;
wire pulse = stat_tx_frame || stat_tx_err_underflow || stat_tx_err_abort;

// underflow: the MAC is in the data phase and asks for a byte the source does not have
wire ufl = s_axis_tready && !s_axis_tvalid && !drop;

// last cycle's values: "stable while stalled", and the one-cycle latency of the GMII register
reg       p_rst = 1'b1;
reg       p_stall, p_take, p_ufl, p_tx_en, p_pulse;
reg [7:0] p_tdata;
reg       p_tlast, p_tuser;

reg seen_min_frame;

assign cov_min_frame_gap = f_past && seen_min_frame && gmii_tx_en && wpos == 16'd0 &&
                           cfg_ifg == 8'd12;

always @(posedge clk) begin
    p_rst   <= rst;
    if (stat_tx_frame && wpos + 16'd1 == 16'd8 + MIN_FRAME_LEN)
        seen_min_frame <= 1'b1;
    if (rst)
        seen_min_frame <= 1'b0;
    p_stall <= s_axis_tvalid && !s_axis_tready && !rst;
    p_take  <= hs && !drop && !rst;
    p_ufl   <= ufl && !rst;
    p_tx_en <= gmii_tx_en;
    p_pulse <= pulse;
    p_tdata <= s_axis_tdata;
    p_tlast <= s_axis_tlast;
    p_tuser <= s_axis_tuser;

    if (ufl)
        drop <= 1'b1;
    else if (drop && hs && s_axis_tlast)
        drop <= 1'b0;

    if (hs)
        src_mid <= !s_axis_tlast;

    if (pulse) begin
        nb <= 16'd0;
        src_done <= 1'b0;
    end else if (hs && !drop) begin
        nb <= nb + 16'd1;
        if (s_axis_tlast)
            src_done <= 1'b1;
    end

    wpos <= (pulse || !gmii_tx_en) ? 16'd0 : wpos + 16'd1;

    if (pulse)
        idle <= 9'd0;
    else if (!gmii_tx_en && idle != 9'd256)
        idle <= idle + 9'd1;

    if (rst) begin
        drop <= 1'b0;
        src_mid <= 1'b0;
        src_done <= 1'b0;
        nb <= 16'd0;
        wpos <= 16'd0;
        idle <= 9'd0;
    end
end

// ---------------------------------------------------------------------------------------------
// environment

always @* begin
    assume(rst == !f_past);

    // AXI4-Stream source: a stalled beat stays, unchanged
    if (f_past && !p_rst && p_stall)
        assume(s_axis_tvalid && s_axis_tdata == p_tdata &&
               s_axis_tlast == p_tlast && s_axis_tuser == p_tuser);

    // store-and-forward source: once a frame has begun, every beat is ready
    if (!UNDERFLOW && src_mid)
        assume(s_axis_tvalid);

    if (hs && !drop && nb >= MAX_BEATS - 1)
        assume(s_axis_tlast);
end

// ---------------------------------------------------------------------------------------------
// properties

wire [15:0] data_len = (nb > MIN_DATA) ? nb : MIN_DATA;     // bytes between SFD and FCS
wire [15:0] wire_len = wpos + 16'd1;                        // frame bytes so far, this one included

always @* if (f_past) begin
    // --- stream side: the MAC's half of AXI4-Stream, framing by tlast ---
    // tready only in the data phase: after the SFD is on the wire, before the frame's tlast
    if (s_axis_tready && !drop)
        assert(gmii_tx_en && !gmii_tx_er && wpos >= 16'd7 && !src_done);
    // the MAC cannot stall the wire, so within a frame it never stalls the stream
    if (gmii_tx_en && wpos >= 16'd7 && !src_done && !drop && !pulse)
        assert(s_axis_tready);
    // a wire frame starts only for a frame the source offers, at a frame boundary
    if (gmii_tx_en && wpos == 16'd0)
        assert(s_axis_tvalid && !src_mid && !src_done && nb == 16'd0);
    // every beat taken goes on the wire in the next cycle; tuser with tlast aborts the frame
    if (p_take)
        assert(gmii_tx_en && gmii_txd == p_tdata &&
               gmii_tx_er == (p_tlast && p_tuser) &&
               stat_tx_err_abort == (p_tlast && p_tuser));
    if (stat_tx_err_abort)
        assert(p_take && p_tlast && p_tuser);

    // --- underflow: gmii_tx_er on the next byte, one pulse, then silence up to tlast ---
    assert(stat_tx_err_underflow == p_ufl);
    if (p_ufl)
        assert(gmii_tx_en && gmii_tx_er && gmii_txd == 8'h00);
    if (drop && !stat_tx_err_underflow)
        assert(!gmii_tx_en);
    if (ufl)
        assert(src_mid);                  // never at the first beat: the MAC waited for it
    if (!UNDERFLOW)
        assert(!stat_tx_err_underflow && !drop);

    // --- wire format: 7 x 0x55 + 0xD5, zero padding, minimum length, stat_tx_len ---
    if (gmii_tx_en && wpos < 16'd7)
        assert(gmii_txd == 8'h55 && !gmii_tx_er);
    if (gmii_tx_en && wpos == 16'd7)
        assert(gmii_txd == 8'hD5 && !gmii_tx_er);
    if (gmii_tx_en && src_done && wpos >= 16'd8 + nb && wpos < 16'd8 + MIN_DATA)
        assert(gmii_txd == 8'h00 && !gmii_tx_er);
    if (stat_tx_frame)
        assert(gmii_tx_en && !gmii_tx_er && src_done &&
               wire_len >= 16'd8 + MIN_FRAME_LEN &&
               wire_len == 16'd8 + data_len + 16'd4 &&
               stat_tx_len == wire_len - 16'd8);

    // --- one statistic pulse per frame, with its last byte; tx_er only on that byte ---
    assert(!(stat_tx_frame && stat_tx_err_underflow) && !(stat_tx_frame && stat_tx_err_abort) &&
           !(stat_tx_err_underflow && stat_tx_err_abort));
    if (pulse)
        assert(gmii_tx_en);
    assert(gmii_tx_er == (stat_tx_err_underflow || stat_tx_err_abort));

    // --- tx_en contiguous within a frame, falls after it; gap of at least cfg_ifg idle cycles ---
    if (!p_rst && p_tx_en && !p_pulse)
        assert(gmii_tx_en);
    if (!p_rst && p_pulse && cfg_ifg != 8'd0)
        assert(!gmii_tx_en);
    if (gmii_tx_en && wpos == 16'd0)
        assert(idle >= {1'b0, cfg_ifg});
end

endmodule

// Bounded top: the MAC as the rest of the design sees it, ports only.
module eth_mac_tx_props #(
    parameter MIN_FRAME_LEN = 64,
    parameter UNDERFLOW = 1,
    parameter MAX_BEATS = 9600
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] s_axis_tdata,
    input  wire       s_axis_tvalid,
    input  wire       s_axis_tlast,
    input  wire       s_axis_tuser
);

(* anyconst *) reg [7:0] cfg_ifg;

wire        s_axis_tready;
wire [7:0]  gmii_txd;
wire        gmii_tx_en, gmii_tx_er;
wire        stat_tx_frame, stat_tx_err_underflow, stat_tx_err_abort;
wire [15:0] stat_tx_len;

eth_mac_tx #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN)
) dut (
    .clk(clk), .rst(rst), .ce(1'b1),      // GMII: a byte every clock
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .cfg_ifg(cfg_ifg),
    .stat_tx_frame(stat_tx_frame), .stat_tx_len(stat_tx_len),
    .stat_tx_err_underflow(stat_tx_err_underflow), .stat_tx_err_abort(stat_tx_err_abort)
);

eth_mac_tx_check #(
    .MIN_FRAME_LEN(MIN_FRAME_LEN), .UNDERFLOW(UNDERFLOW), .MAX_BEATS(MAX_BEATS)
) check (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .cfg_ifg(cfg_ifg),
    .stat_tx_frame(stat_tx_frame), .stat_tx_len(stat_tx_len),
    .stat_tx_err_underflow(stat_tx_err_underflow), .stat_tx_err_abort(stat_tx_err_abort),
    .f_past(), .drop(), .src_mid(), .src_done(), .nb(), .wpos(), .idle(), .cov_min_frame_gap()
);

endmodule

`resetall
