`resetall
`timescale 1ns / 1ps
`default_nettype none

// Induction top for eth_mac_tx: the checker of eth_mac_tx_props.v plus strengthening invariants
// that tie its monitors to the MAC's state, so that k-induction closes at a small k.
//
// The invariants read state, cnt, gap, len and need_pad of eth_mac_tx. formal/run.sh turns
// them into output ports with yosys `expose` (an observation: no logic of the RTL changes), so
// this file elaborates only through run.sh, and it must follow the RTL when those registers
// change meaning; the bounded top (eth_mac_tx_props) sees the ports only.
// The instance takes no parameter override (yosys would elaborate a fresh copy without the
// exposed ports); run.sh sets MIN_FRAME_LEN on eth_mac_tx and on this module together.
module eth_mac_tx_ind #(
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

localparam MIN_DATA = MIN_FRAME_LEN - 4;

localparam [2:0]                          // eth_mac_tx state encoding
    S_GAP  = 3'd0,
    S_PRE  = 3'd1,
    S_DATA = 3'd2,
    S_PAD  = 3'd3,
    S_FCS  = 3'd4,
    S_DROP = 3'd5;

(* anyconst *) reg [7:0] cfg_ifg;

wire        s_axis_tready;
wire [7:0]  gmii_txd;
wire        gmii_tx_en, gmii_tx_er;
wire        stat_tx_frame, stat_tx_err_underflow, stat_tx_err_abort;
wire [15:0] stat_tx_len;

wire [2:0]  dut_state;
wire [2:0]  dut_cnt;
wire [7:0]  dut_gap;
wire [15:0] dut_len;                      // frame bytes incl. padding, plus 4 (the FCS to come)
wire        dut_need_pad;

eth_mac_tx dut (
    .clk(clk), .rst(rst), .ce(1'b1),      // GMII: a byte every clock
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .cfg_ifg(cfg_ifg),
    .stat_tx_frame(stat_tx_frame), .stat_tx_len(stat_tx_len),
    .stat_tx_err_underflow(stat_tx_err_underflow), .stat_tx_err_abort(stat_tx_err_abort),
    .state(dut_state), .cnt(dut_cnt), .gap(dut_gap), .len(dut_len), .need_pad(dut_need_pad)
);

wire        f_past, drop, src_mid, src_done;
wire [15:0] nb, wpos;
wire [8:0]  idle;

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
    .f_past(f_past), .drop(drop), .src_mid(src_mid), .src_done(src_done),
    .nb(nb), .wpos(wpos), .idle(idle), .cov_min_frame_gap()
);

wire        pulse    = stat_tx_frame || stat_tx_err_underflow || stat_tx_err_abort;
wire [15:0] data_len = (nb > MIN_DATA) ? nb : MIN_DATA;

always @* if (f_past) begin
    assert(dut_state <= S_DROP);
    assert(drop == (dut_state == S_DROP));
    assert(nb <= MAX_BEATS);
    assert(idle <= 9'd256);

    case (dut_state)
    S_GAP: begin
        assert(!src_mid);
        assert(gmii_tx_en == (stat_tx_frame || stat_tx_err_abort));
        if (gmii_tx_en)
            assert(dut_gap == 8'd0 && src_done);
        else
            assert({1'b0, dut_gap} <= idle + 9'd1 && !src_done && nb == 16'd0 && wpos == 16'd0);
    end
    S_PRE: begin
        assert(gmii_tx_en && !gmii_tx_er && !pulse);
        assert(dut_cnt >= 3'd1 && wpos == {13'd0, dut_cnt} - 16'd1);
        assert(!src_mid && !src_done && nb == 16'd0);
        assert(s_axis_tvalid);
    end
    S_DATA: begin
        assert(gmii_tx_en && !gmii_tx_er && !pulse);
        assert(dut_len >= 16'd4 && nb == dut_len - 16'd4 && wpos == dut_len + 16'd3 && !src_done);
        assert(src_mid == (nb != 16'd0));
        assert(dut_need_pad == (MIN_DATA >= 2 && dut_len < MIN_FRAME_LEN - 1));
        if (nb == 16'd0)
            assert(s_axis_tvalid);
    end
    S_PAD: begin
        assert(gmii_tx_en && !gmii_tx_er && !pulse);
        assert(src_done && !src_mid && nb != 16'd0 && nb < MIN_DATA);
        assert(wpos == dut_len + 16'd3 && dut_len >= nb + 16'd4 && dut_len < MIN_FRAME_LEN);
        assert(dut_cnt == 3'd0);
    end
    S_FCS: begin
        assert(gmii_tx_en && !gmii_tx_er);
        assert(src_done && !src_mid && nb != 16'd0);
        assert(dut_cnt <= 3'd3 && wpos == dut_len + 16'd3 + dut_cnt);
        assert(dut_len == data_len + 16'd4);
    end
    S_DROP: begin
        assert(src_mid && !src_done);
        assert(gmii_tx_en == stat_tx_err_underflow);
        if (gmii_tx_en)
            assert(dut_gap == 8'd0);
        else
            assert({1'b0, dut_gap} <= idle + 9'd1 && nb == 16'd0 && wpos == 16'd0);
    end
    default: ;
    endcase
end

endmodule

`resetall
