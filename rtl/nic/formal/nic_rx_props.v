`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_rx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v (see nic_tx_props.v for the
// scheme). Bounded check and induction by rtl/nic/formal/run.sh, for any constant legal
// configuration, any descriptors in host memory, any frames from the RX FIFO and any timing.
//
// Environment: the slave as nic_axi_mux presents it (nic_axi4_master_check.v, which also holds the
// port's rules); the RX FIFO's read side is first-word fall-through (a word and an info word stay until taken) and every frame has
// at least one byte (nic_rx_front writes len = last position + 1).
//
// Guarantees:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit), never crosses a
//     4 KB boundary (A3.4.1), 8-byte aligned
//   - exactly AWLEN+1 W beats per AW, WLAST on the last; no new AW while W beats are owed
//   - ring invariants: indexes inside the ring, at most one fetch group (2 descriptors) cached
module nic_rx_props #(
    parameter AW = 64                    // nic_rx's ADDR_WIDTH (run.sh sets both: 64, and 13 as on the board)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        cfg_enable,
    input  wire [11:0] cfg_prod,
    input  wire        m_axi_arready,
    input  wire [63:0] m_axi_rdata,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire        m_axi_bvalid,
    input  wire [63:0] data_tdata,
    input  wire        data_tvalid,
    input  wire [47:0] info_tdata,
    input  wire        info_tvalid
);

// The CSRs hold AW bits of each address: the rest reads as 0.
(* anyconst *) reg [AW-1:0] win_base_c, win_limit_c, ring_base_c, cpl_base_c;
wire [63:0] win_base = win_base_c;      // zero-extended
wire [63:0] win_limit = win_limit_c;
wire [63:0] ring_base = ring_base_c;
wire [63:0] cpl_base = cpl_base_c;
(* anyconst *) reg [12:0] size;
(* anyconst *) reg [47:0] mac;
(* anyconst *) reg [4:0]  filter;
(* anyconst *) reg [63:0] mc_hash;

reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire [63:0] araddr, awaddr, wdata;
wire [7:0]  arlen, awlen, wstrb;
wire        arvalid, awvalid, wlast, wvalid;
wire [11:0] cons;
wire        idle, data_tready, info_tready;
wire        stat_cpl, stat_frame, stat_desc_err, stat_drop_filter, stat_drop_nodesc, stat_dma_err;
wire        halted;
wire [13:0] stat_len;
// registers read through `expose` (run.sh)
wire [3:0]  state;
wire [63:0] f_addr;
wire [5:0]  b_left;
wire [11:0] f_words_left, fetch_idx;
wire [1:0]  cpl_beat;
wire [2:0]  fcount;
wire [3:0]  fbeat;
wire        cw_valid, cw_last;
wire [47:0] f_info;

nic_rx dut (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_enable), .cfg_ring_base(ring_base), .cfg_cpl_base(cpl_base), .cfg_size(size),
    .cfg_prod(cfg_prod), .cfg_win_base(win_base), .cfg_win_limit(win_limit), .cfg_mac(mac),
    .cfg_filter(filter), .cfg_mc_hash(mc_hash), .cons(cons), .idle(idle),
    .data_tdata(data_tdata), .data_tvalid(data_tvalid), .data_tready(data_tready),
    .info_tdata(info_tdata), .info_tvalid(info_tvalid), .info_tready(info_tready),
    .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arvalid(arvalid), .m_axi_arready(m_axi_arready),
    .m_axi_rdata(m_axi_rdata), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awvalid(awvalid), .m_axi_awready(m_axi_awready),
    .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bvalid(m_axi_bvalid),
    .stat_cpl(stat_cpl), .stat_frame(stat_frame), .stat_len(stat_len), .stat_desc_err(stat_desc_err),
    .stat_drop_filter(stat_drop_filter), .stat_drop_nodesc(stat_drop_nodesc),
    .stat_dma_err(stat_dma_err), .halted(halted),
    .state(state), .f_addr(f_addr), .b_left(b_left), .f_words_left(f_words_left),
    .fetch_idx(fetch_idx), .cpl_beat(cpl_beat), .fcount(fcount), .fbeat(fbeat),
    .cw_valid(cw_valid), .cw_last(cw_last), .f_info(f_info)
);

// ---------------- the port against the slave model; the RX FIFO ----------------
wire [2:0]  qn;
wire [8:0]  q0, q1, q2, q3;
wire [11:0] q_total;
wire        w_open;
wire [7:0]  w_len, w_cnt;
nic_axi4_master_check port (
    .clk(clk), .rst(rst), .win_base(win_base), .win_limit(win_limit),
    .araddr(araddr), .arlen(arlen), .arvalid(arvalid), .arready(m_axi_arready),
    .rvalid(m_axi_rvalid), .rlast(m_axi_rlast),
    .awaddr(awaddr), .awlen(awlen), .awvalid(awvalid), .awready(m_axi_awready),
    .wdata(wdata), .wstrb(wstrb), .wlast(wlast), .wvalid(wvalid), .wready(m_axi_wready),
    .bvalid(m_axi_bvalid),
    .qn(qn), .q0(q0), .q1(q1), .q2(q2), .q3(q3), .q_total(q_total),
    .w_open(w_open), .w_len(w_len), .w_cnt(w_cnt)
);
reg        p_dwait, p_iwait;
reg [63:0] p_data;
reg [47:0] p_info;
always @(posedge clk) begin
    p_dwait <= data_tvalid && !data_tready;
    p_iwait <= info_tvalid && !info_tready;
    p_data <= data_tdata;
    p_info <= info_tdata;
end

always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(size >= 13'd16 && size <= 13'd4096);
    assume({1'b0, cfg_prod} < size);
    if (info_tvalid) assume(info_tdata[13:0] != 14'd0);
    if (f_past && !p_rst && p_dwait) assume(data_tvalid && data_tdata == p_data);
    if (f_past && !p_rst && p_iwait) assume(info_tvalid && info_tdata == p_info);
end

// ---------------- strengthening for the induction ----------------
wire [8:0]  aw_beats = {1'b0, awlen} + 9'd1;
wire [13:0] f_len = f_info[13:0];
wire [11:0] len_words = {1'b0, f_len[13:3]} + {11'd0, f_len[2:0] != 3'd0};
// what is still to be written after the burst in progress, from f_addr on
wire [11:0] after = f_words_left - ((state == S_W || awvalid) ? {6'd0, b_left} : 12'd0);
wire [64:0] f_end = {1'b0, f_addr} + {50'd0, after, 3'b000};

wire [12:0] cached = (fetch_idx >= cons) ? {1'b0, fetch_idx - cons}
                                         : {1'b0, fetch_idx} + size - {1'b0, cons};

localparam [3:0] S_IDLE = 4'd0, S_FILTER = 4'd1, S_FETCH = 4'd2, S_FETCHR = 4'd3, S_CHECK = 4'd4,
                 S_AW = 4'd5, S_W = 4'd6, S_WAITB = 4'd7, S_CPL = 4'd8, S_DISCARD = 4'd9,
                 S_HALT = 4'd10;

always @* begin
    if (f_past && !rst) begin
        // ---- strengthening for the induction ----
        assert(state <= S_HALT);
        if (arvalid) assert(state == S_FETCH);
        case (state)
        S_FETCH: assert(arvalid && qn == 3'd0 && fcount != 3'd0 && fcount <= 3'd2 &&
                        arlen == {4'd0, fcount, 1'b0} - 8'd1 && fbeat == 4'd0);
        S_FETCHR: assert(!arvalid && qn == 3'd1 && fcount != 3'd0 && fcount <= 3'd2 &&
                         q0 <= 9'd4 && fbeat <= 4'd4 && q0 + {5'd0, fbeat} == {5'd0, fcount, 1'b0});
        default: assert(!arvalid && qn == 3'd0);
        endcase
        // ring invariants: the indexes stay inside the ring, the cache holds at most one fetch
        // group (2 descriptors); a group is fetched only into an empty cache and never past the
        // ring's end; a descriptor is being worked on only while one is cached
        assert({1'b0, cons} < size && {1'b0, fetch_idx} < size && cached <= 13'd2);
        if (state == S_FETCH || state == S_FETCHR)
            assert(cons == fetch_idx && {1'b0, fetch_idx} + {10'd0, fcount} <= size);
        if (state == S_CHECK || state == S_AW || state == S_W || state == S_WAITB || state == S_CPL)
            assert(cons != fetch_idx);
        if (state >= S_FILTER && state <= S_CHECK)
            assert(f_len != 14'd0 && f_words_left == len_words);
        if (awvalid) assert(state == S_AW || state == S_CPL);
        if (state == S_AW || state == S_W || state == S_WAITB) assert(cpl_beat == 2'd0);
        if (cw_valid) assert(state == S_CPL);
        if (state == S_AW || state == S_W) begin
            assert(f_addr[2:0] == 3'd0 && f_addr >= win_base && f_end <= {1'b0, win_limit});
            assert(f_words_left != 12'd0 && f_words_left <= 12'd2048 && !cw_valid);
            if (awvalid) assert({1'b0, awaddr} + {53'd0, aw_beats, 3'b000} == {1'b0, f_addr} &&
                                aw_beats == {3'd0, b_left} && awaddr >= win_base);
            if (state == S_AW) assert(!w_open);
            if (awvalid || state == S_W) assert(b_left != 6'd0 && b_left <= 6'd32 &&
                                                {6'd0, b_left} <= f_words_left);
            if (state == S_W) assert(w_open && {1'b0, w_len} - {1'b0, w_cnt} + 9'd1 == {3'd0, b_left});
        end
        if (state == S_CPL) begin
            if (awvalid) assert(awlen == 8'd1);
            if (w_open) assert(w_len == 8'd1 && w_cnt <= 8'd1);
            if (cpl_beat == 2'd0) assert(!awvalid && !cw_valid && !w_open);
            if (cpl_beat == 2'd1) assert(cw_valid && (w_open ? (!awvalid && cw_last == (w_cnt == 8'd1))
                                                              : (awvalid && !cw_last)));
            if (cpl_beat == 2'd2) assert(!awvalid && !cw_valid && !w_open);
            assert(cpl_beat != 2'd3);
        end else if (state != S_W) begin
            assert(!w_open && !cw_valid);
        end
    end
end

wire unused_ok = &{1'b0, idle, stat_cpl, stat_frame, stat_desc_err, stat_drop_filter,
                   stat_drop_nodesc, stat_dma_err, halted, stat_len, m_axi_rdata, cw_last, q1, q2, q3,
                   q_total};

endmodule

`resetall
