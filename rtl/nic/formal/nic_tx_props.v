`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_tx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v. Bounded check and induction by
// rtl/nic/formal/run.sh, so they hold at every depth, for any constant legal configuration (what
// nic_csr guarantees: window on 8-byte boundaries, 16..4096 ring entries, doorbells below the
// ring size), any descriptors and frame data in host memory, any FIFO state and any timing.
//
// The port's rules and the slave model (the slave as nic_axi_mux presents it) are in
// nic_axi4_master_check.v, shared with nic_rx_props. Proved here of nic_tx:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit) and never crosses a
//     4 KB boundary (A3.4.1); addresses 8-byte aligned
//   - exactly two W beats per AW (AWLEN 1 on the mux port), WLAST on the second; no new AW while
//     W beats are owed
//   - ring invariants: indexes inside the ring, at most one fetch group (2 descriptors) cached
// The rest of this file is the strengthening the induction needs (what the state machine keeps
// true of its registers), read through `expose`.
module nic_tx_props #(
    parameter AW = 64                    // nic_tx's ADDR_WIDTH (run.sh sets both: 64, and 13 as on the board)
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
    input  wire [9:0]  fifo_wr_ptr,
    input  wire [9:0]  fifo_free,
    input  wire [4:0]  info_free
);

// The CSRs hold AW bits of each address: the rest reads as 0.
(* anyconst *) reg [AW-1:0] win_base_c, win_limit_c, ring_base_c, cpl_base_c;
wire [63:0] win_base = win_base_c;      // zero-extended
wire [63:0] win_limit = win_limit_c;
wire [63:0] ring_base = ring_base_c;
wire [63:0] cpl_base = cpl_base_c;
(* anyconst *) reg [12:0] size;
(* anyconst *) reg [13:0] max_len;

reg f_past = 1'b0;
always @(posedge clk) f_past <= 1'b1;

wire [63:0] araddr, awaddr, wdata;
wire [7:0]  arlen;
wire        arvalid, awvalid, wlast, wvalid;
wire [11:0] cons;
wire        idle;
wire        fifo_wr_en, fifo_commit, patch_en, info_wr_en;
wire [63:0] fifo_wr_data, patch_data;
wire [8:0]  patch_addr;
wire [7:0]  patch_be;
wire [23:0] info_wr_data;
wire        stat_cpl, stat_frame, stat_desc_err, stat_dma_err, halted;
wire [13:0] stat_len;
// registers read through `expose` (run.sh)
wire [3:0]  state;
wire [63:0] f_addr;
wire [11:0] ar_left, n_beats, r_beat, fetch_idx;
wire [1:0]  cpl_beat;
wire [2:0]  fcount;
wire [3:0]  fbeat;

nic_tx dut (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_enable), .cfg_ring_base(ring_base), .cfg_cpl_base(cpl_base), .cfg_size(size),
    .cfg_prod(cfg_prod), .cfg_max_len(max_len), .cfg_win_base(win_base), .cfg_win_limit(win_limit),
    .cons(cons), .idle(idle),
    .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arvalid(arvalid), .m_axi_arready(m_axi_arready),
    .m_axi_rdata(m_axi_rdata), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_awaddr(awaddr), .m_axi_awvalid(awvalid), .m_axi_awready(m_axi_awready),
    .m_axi_wdata(wdata), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid), .m_axi_wready(m_axi_wready),
    .m_axi_bvalid(m_axi_bvalid),
    .fifo_wr_en(fifo_wr_en), .fifo_wr_data(fifo_wr_data), .fifo_commit(fifo_commit),
    .patch_en(patch_en), .patch_addr(patch_addr), .patch_be(patch_be), .patch_data(patch_data),
    .fifo_wr_ptr(fifo_wr_ptr), .fifo_free(fifo_free), .info_wr_en(info_wr_en),
    .info_wr_data(info_wr_data), .info_free(info_free),
    .stat_cpl(stat_cpl), .stat_frame(stat_frame), .stat_len(stat_len),
    .stat_desc_err(stat_desc_err), .stat_dma_err(stat_dma_err), .halted(halted),
    .state(state), .f_addr(f_addr), .ar_left(ar_left), .n_beats(n_beats), .r_beat(r_beat),
    .fetch_idx(fetch_idx), .cpl_beat(cpl_beat), .fcount(fcount), .fbeat(fbeat)
);

// ---------------- the port against the slave model ----------------
wire [2:0]  qn;
wire [8:0]  q0, q1, q2, q3;
wire [11:0] q_total;
wire        w_open;
wire [7:0]  w_len, w_cnt;
nic_axi4_master_check port (
    .clk(clk), .rst(rst), .win_base(win_base), .win_limit(win_limit),
    .araddr(araddr), .arlen(arlen), .arvalid(arvalid), .arready(m_axi_arready),
    .rvalid(m_axi_rvalid), .rlast(m_axi_rlast),
    .awaddr(awaddr), .awlen(8'd1), .awvalid(awvalid), .awready(m_axi_awready),   // AWLEN 1 on the mux port
    .wdata(wdata), .wstrb(8'hFF), .wlast(wlast), .wvalid(wvalid), .wready(m_axi_wready),
    .bvalid(m_axi_bvalid),
    .qn(qn), .q0(q0), .q1(q1), .q2(q2), .q3(q3), .q_total(q_total),
    .w_open(w_open), .w_len(w_len), .w_cnt(w_cnt)
);
wire [8:0]  ar_beats = {1'b0, arlen} + 9'd1;
wire [64:0] f_end = {1'b0, f_addr} + {50'd0, ar_left, 3'b000};
always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(size >= 13'd16 && size <= 13'd4096);
    assume({1'b0, cfg_prod} < size);
end

wire [12:0] cached = (fetch_idx >= cons) ? {1'b0, fetch_idx - cons}
                                         : {1'b0, fetch_idx} + size - {1'b0, cons};

localparam [3:0] S_IDLE = 4'd0, S_FETCH = 4'd1, S_FETCHR = 4'd2, S_CHECK = 4'd3, S_SPACE = 4'd4,
                 S_DATA = 4'd5, S_FOLD1 = 4'd6, S_FOLD2 = 4'd7, S_PATCH = 4'd8, S_CPL = 4'd9,
                 S_HALT = 4'd10;

always @* begin
    if (f_past && !rst) begin
        // ---- strengthening for the induction ----
        assert(state <= S_HALT);
        if (arvalid) assert(state == S_FETCH || state == S_DATA);
        if (awvalid || wvalid) assert(state == S_CPL);
        case (state)
        S_FETCH: assert(arvalid && qn == 3'd0 && fcount != 3'd0 && fcount <= 3'd2 &&
                        arlen == {4'd0, fcount, 1'b0} - 8'd1 && fbeat == 4'd0);
        S_FETCHR: assert(!arvalid && qn == 3'd1 && fcount != 3'd0 && fcount <= 3'd2 &&
                         q0 <= 9'd4 && fbeat <= 4'd4 && {5'd0, q0} + {8'd0, fbeat} == {6'd0, fcount, 1'b0});
        S_SPACE, S_DATA: begin
            assert(f_addr[2:0] == 3'd0 && f_addr >= win_base && f_end <= {1'b0, win_limit});
            assert(n_beats <= 12'd511 && n_beats != 12'd0 && ar_left <= n_beats);
            assert(r_beat + q_total + (arvalid ? {3'd0, ar_beats} : 12'd0) + ar_left == n_beats);
            if (arvalid) assert({1'b0, araddr} + {53'd0, ar_beats, 3'b000} == {1'b0, f_addr});
            if (state == S_SPACE) assert(!arvalid && qn == 3'd0 && r_beat == 12'd0 && ar_left == n_beats);
        end
        default: assert(!arvalid && qn == 3'd0);
        endcase
        // ring invariants: the indexes stay inside the ring, the cache holds at most one fetch
        // group (2 descriptors); a group is fetched only into an empty cache and never past the
        // ring's end; a descriptor is being worked on only while one is cached
        assert({1'b0, cons} < size && {1'b0, fetch_idx} < size && cached <= 13'd2);
        if (state == S_FETCH || state == S_FETCHR)
            assert(cons == fetch_idx && {1'b0, fetch_idx} + {10'd0, fcount} <= size);
        if (state >= S_CHECK && state <= S_CPL)
            assert(cons != fetch_idx);
        if (w_open) assert(w_len == 8'd1);
        if (state == S_CPL) begin
            if (cpl_beat == 2'd0) assert(!awvalid && !wvalid && !w_open);
            if (cpl_beat == 2'd1) assert(wvalid && (w_open ? (!awvalid && wlast == w_cnt[0])
                                                            : (awvalid && !wlast)));
            if (cpl_beat == 2'd2) assert(!awvalid && !wvalid && !w_open);
            assert(cpl_beat != 2'd3);
        end else begin
            assert(!w_open);
        end
    end
end

wire unused_ok = &{1'b0, cons, idle, fifo_wr_en, fifo_commit, patch_en, info_wr_en, fifo_wr_data,
                   patch_data, patch_addr, patch_be, info_wr_data, stat_cpl, stat_frame,
                   stat_desc_err, stat_dma_err, halted, stat_len, m_axi_rdata, q1, q2, q3};

endmodule

`resetall
