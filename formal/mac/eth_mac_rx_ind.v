`resetall
`timescale 1ns / 1ps
`default_nettype none

// Induction top for eth_mac_rx: the checker of eth_mac_rx_props.v plus strengthening invariants
// that tie its monitors to the MAC's state, so that k-induction closes at a small k.
//
// The invariants read state, rx_dv, rx_er, rx_ok, len, len_ge_5 and len_ge_min of eth_mac_rx.
// formal/run.sh turns them into output ports with yosys `expose` (an observation: no logic of the
// RTL changes), so this file elaborates only through run.sh, and it must follow the RTL when
// those registers change meaning; the bounded top (eth_mac_rx_props) sees the ports only.
// The instance takes no parameter override (yosys would elaborate a fresh copy without the
// exposed ports); run.sh sets MIN_FRAME_LEN on eth_mac_rx and on this module together.
module eth_mac_rx_ind #(
    parameter MIN_FRAME_LEN = 64
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er
);

localparam [1:0]                          // eth_mac_rx state encoding
    S_IDLE = 2'd0,
    S_PRE  = 2'd1,
    S_DATA = 2'd2,
    S_SKIP = 2'd3;

(* anyconst *) reg [15:0] cfg_rx_max_len;

wire [7:0]  m_axis_tdata;
wire        m_axis_tvalid, m_axis_tlast, m_axis_tuser;
wire        stat_rx_frame, stat_rx_err_fcs, stat_rx_err_runt, stat_rx_err_oversize;
wire        stat_rx_err_rxer, stat_rx_err_preamble, stat_rx_err_short;
wire [15:0] stat_rx_len;

wire [1:0]  dut_state;
wire        dut_rx_dv, dut_rx_er, dut_rx_ok;
wire [15:0] dut_len;
wire        dut_len_ge_5, dut_len_ge_min;

eth_mac_rx dut (
    .clk(clk), .rst(rst), .ce(1'b1),      // GMII: a byte every clock
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
    .cfg_rx_max_len(cfg_rx_max_len),
    .stat_rx_frame(stat_rx_frame), .stat_rx_len(stat_rx_len),
    .stat_rx_err_fcs(stat_rx_err_fcs), .stat_rx_err_runt(stat_rx_err_runt),
    .stat_rx_err_oversize(stat_rx_err_oversize), .stat_rx_err_rxer(stat_rx_err_rxer),
    .stat_rx_err_preamble(stat_rx_err_preamble), .stat_rx_err_short(stat_rx_err_short),
    .state(dut_state), .rx_dv(dut_rx_dv), .rx_er(dut_rx_er), .rx_ok(dut_rx_ok),
    .len(dut_len), .len_ge_5(dut_len_ge_5), .len_ge_min(dut_len_ge_min)
);

wire        f_past, dv_q, dv_qq, m_open;
wire [1:0]  open;
wire [15:0] beats;

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
    .f_past(f_past), .dv_q(dv_q), .dv_qq(dv_qq), .open(open), .m_open(m_open), .beats(beats)
);

wire pulse = stat_rx_frame || stat_rx_err_fcs || stat_rx_err_runt || stat_rx_err_oversize ||
             stat_rx_err_rxer || stat_rx_err_preamble || stat_rx_err_short;

reg p_fall = 1'b0;
always @(posedge clk) p_fall <= !dv_q && dv_qq && !rst;

always @* if (f_past) begin
    assert(dut_rx_dv == dv_q);
    if (p_fall)
        assert(dut_state == S_IDLE && !dv_qq);

    case (dut_state)
    S_IDLE: begin
        assert(!dv_qq);
        assert(open == {1'b0, pulse});
        if (!m_axis_tvalid)
            assert(!m_open && beats == 16'd0);
    end
    S_PRE: begin
        assert(dv_qq && open == 2'd1 && !pulse);
        assert(!m_axis_tvalid && !m_open && beats == 16'd0);
        assert(dut_len == 16'd0 && !dut_len_ge_5 && !dut_len_ge_min);
    end
    S_DATA: begin
        assert(dv_qq && open == 2'd1 && !pulse);
        assert(dut_rx_ok == (dut_rx_dv && !dut_rx_er));
        assert(dut_len <= cfg_rx_max_len);
        assert(dut_len_ge_5 == (dut_len >= 16'd5));
        assert(dut_len_ge_min == (dut_len >= MIN_FRAME_LEN));
        assert(!m_axis_tlast && m_axis_tvalid == (dut_len >= 16'd6));
        assert(beats == ((dut_len >= 16'd6) ? dut_len - 16'd6 : 16'd0));
        assert(m_open == (dut_len >= 16'd7));
    end
    S_SKIP: begin
        assert(dv_qq);
        assert(open == {1'b0, pulse});
        if (!m_axis_tvalid)
            assert(!m_open && beats == 16'd0);
    end
    endcase
end

endmodule

`resetall
