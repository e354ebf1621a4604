`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_tx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v. Bounded check and induction by
// rtl/nic/formal/run.sh, so they hold at every depth, for PIPE 1 and 4, for any constant legal
// configuration (what nic_csr guarantees: window on 8-byte boundaries, 16..4096 ring entries,
// doorbells below the ring size), any descriptors and frame data in host memory, any FIFO state,
// any slave (nic_axi4_master_check.v: W before AW, AWREADY held back, R held while RREADY is
// low, SLVERR/DECERR on any beat or response) and any timing.
//
// Proved of nic_tx (the port's rules are in nic_axi4_master_check.v, shared with nic_rx_props):
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit), 8-byte aligned, and
//     never crosses a 4 KB boundary (A3.4.1)
//   - two W beats per AW (AWLEN 1 on the mux port), WLAST on the second, none before AWVALID, no
//     new AW while W beats are owed; WVALID never waits for AWREADY (A3.3.1)
//   - ring invariants: CONS, HEAD and FETCH_IDX inside the ring, HEAD - CONS = the frames in
//     flight (at most 2 x PIPE + 1), FETCH_IDX - HEAD = the cached descriptors, at most CACHE
//     slots taken (cached and being fetched), a group never past the ring's end, its beats
//     counted exactly
//   - an error response to a ring access (descriptor fetch R beat, completion B) halts the
//     engine in the next cycle, and a halted engine starts no AR or AW
// Covers (run.sh -c): a frame completed with status 0, a frame read split at 4 KB, an ERR_DMA
// completion for a frame read answered with an error, a descriptor error completion, the slave
// taking W before AW (and AW only after the last W), R held back by RREADY, a halt after a ring
// access error.
// The rest of this file is the strengthening the induction needs, on nic_tx's registers read
// through probes (`x_*` wires, connected by run.sh after flattening: the RTL stays unchanged).
module nic_tx_props #(
    parameter AW = 64,                   // nic_tx's ADDR_WIDTH (run.sh: 64, and 13 as on the board)
    parameter PIPE = 4
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        cfg_enable,
    input  wire [11:0] cfg_prod,
    input  wire        m_axi_arready,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,
    input  wire [9:0]  fifo_wr_ptr,
    input  wire [9:0]  fifo_free,
    input  wire [4:0]  info_free
);

localparam CACHE = PIPE <= 1 ? 1 : 2 * PIPE;
localparam GROUP = PIPE <= 1 ? 1 : PIPE;
localparam LQ = PIPE <= 1 ? 0 : PIPE <= 2 ? 1 : PIPE <= 4 ? 2 : 3;
localparam LT = PIPE <= 1 ? 2 : PIPE <= 2 ? 3 : PIPE <= 4 ? 4 : 5;
localparam NT = 1 << LT;

// The CSRs hold AW bits of each address: the rest reads as 0.
(* anyconst *) reg [AW-1:0] win_base_c, win_limit_c, ring_base_c, cpl_base_c;
wire [63:0] win_base = win_base_c;      // zero-extended
wire [63:0] win_limit = win_limit_c;
wire [63:0] ring_base = ring_base_c;
wire [63:0] cpl_base = cpl_base_c;
(* anyconst *) reg [12:0] size;
(* anyconst *) reg [13:0] max_len;

reg f_past = 1'b0;
reg p_rst = 1'b1;
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire [AW-1:0] araddr_n, awaddr_n;
wire [63:0] araddr = araddr_n, awaddr = awaddr_n;
wire [63:0] wdata;
wire [7:0]  arlen;
wire        arvalid, awvalid, wlast, wvalid, rready;
wire [11:0] cons;
wire        idle;
wire        fifo_wr_en, fifo_commit, fifo_rollback, patch_en, info_wr_en;
wire [63:0] fifo_wr_data, patch_data;
wire [8:0]  patch_addr;
wire [7:0]  patch_be;
wire [23:0] info_wr_data;
wire        stat_cpl, stat_frame, stat_desc_err, stat_resp_err, stat_dma_err, halted;
wire [13:0] stat_len;

nic_tx #(.ADDR_WIDTH(AW), .PIPE(PIPE)) dut (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_enable), .cfg_ring_base(ring_base_c), .cfg_cpl_base(cpl_base_c), .cfg_size(size),
    .cfg_prod(cfg_prod), .cfg_max_len(max_len), .cfg_win_base(win_base_c), .cfg_win_limit(win_limit_c),
    .cons(cons), .idle(idle),
    .m_axi_araddr(araddr_n), .m_axi_arlen(arlen), .m_axi_arvalid(arvalid), .m_axi_arready(m_axi_arready),
    .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast),
    .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(rready),
    .m_axi_awaddr(awaddr_n), .m_axi_awvalid(awvalid), .m_axi_awready(m_axi_awready),
    .m_axi_wdata(wdata), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid), .m_axi_wready(m_axi_wready),
    .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
    .fifo_wr_en(fifo_wr_en), .fifo_wr_data(fifo_wr_data), .fifo_commit(fifo_commit),
    .fifo_rollback(fifo_rollback),
    .patch_en(patch_en), .patch_addr(patch_addr), .patch_be(patch_be), .patch_data(patch_data),
    .fifo_wr_ptr(fifo_wr_ptr), .fifo_free(fifo_free), .info_wr_en(info_wr_en),
    .info_wr_data(info_wr_data), .info_free(info_free),
    .stat_cpl(stat_cpl), .stat_frame(stat_frame), .stat_len(stat_len),
    .stat_desc_err(stat_desc_err), .stat_resp_err(stat_resp_err), .stat_dma_err(stat_dma_err),
    .halted(halted)
);

// ---- probes: nic_tx's registers, connected by run.sh (connect -set x_NAME dut.NAME) ----
wire [1:0]    x_istate;
wire [2:0]    x_rstate;
wire [AW-1:0] x_i_addr;
wire [8:0]    x_i_beats;
wire [11:0]   x_ar_left;
wire          x_i_bad;
wire [LQ:0]   x_q_wp, x_q_rp, x_c_wp, x_c_rp;
wire [NT-1:0] x_tag_mem;
wire [LT:0]   x_tag_wp, x_tag_rp;
wire          x_c_busy, x_c_aw_done, x_c_w_done;
wire [11:0]   x_ring_head, x_ring_fetch_idx;
wire          x_ring_fetching;
wire [3:0]    x_ring_fcount;
wire [4:0]    x_ring_fbeat;
wire [4:0]    x_ring_resv, x_ring_wp, x_ring_rp;

// ---------------- the port against the slave model ----------------
wire [LT:0]  q_rp, q_wp, q_n;
wire [9*NT-1:0] q_beats;
wire [NT-1:0] q_kind;
wire [8:0]   r_cnt;
wire         w_act, w_awd, w_wd;
wire [7:0]   w_len, w_cnt;
wire [4:0]   n_aw, n_w;
wire [LT-1:0] tag_last = x_tag_wp[LT-1:0] - 1'b1;
wire         ar_kind = x_tag_mem[tag_last];     // the tag of the AR on the port: 1 descriptors
nic_axi4_master_check #(.LQ(LT)) port (
    .clk(clk), .rst(rst), .win_base(win_base), .win_limit(win_limit),
    .araddr(araddr), .arlen(arlen), .arvalid(arvalid), .arready(m_axi_arready), .ar_kind(ar_kind),
    .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rvalid(m_axi_rvalid), .rready(rready), .rlast(m_axi_rlast),
    .awaddr(awaddr), .awlen(8'd1), .awvalid(awvalid), .awready(m_axi_awready),   // AWLEN 1 on the mux port
    .wdata(wdata), .wstrb(8'hFF), .wlast(wlast), .wvalid(wvalid), .wready(m_axi_wready),
    .bvalid(m_axi_bvalid),
    .q_rp(q_rp), .q_wp(q_wp), .q_n(q_n), .q_beats(q_beats), .q_kind(q_kind), .q_valid(q_valid), .r_cnt(r_cnt),
    .w_act(w_act), .w_awd(w_awd), .w_wd(w_wd), .w_len(w_len), .w_cnt(w_cnt), .n_aw(n_aw), .n_w(n_w)
);

always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(size >= 13'd16 && size <= 13'd4096);
    assume({1'b0, cfg_prod} < size);
`ifdef COVER
    // covers only: a small ring, reached in few cycles (the proofs keep every configuration)
    assume(size == 13'd16 && cfg_enable && max_len == 14'd2048 && fifo_free == 10'd512 && info_free == 5'd16);
    assume(win_base == 64'd0 && win_limit_c == {{(AW-3){1'b1}}, 3'b000});
`endif
end

// ---------------- error responses to ring accesses halt the engine ----------------
wire r_take = m_axi_rvalid && rready;
wire head_desc = q_kind[q_rp[LT-1:0]];
wire ring_err = (r_take && q_n != 0 && head_desc && m_axi_rresp[1]) || (m_axi_bvalid && m_axi_bresp[1]);
reg  p_ring_err, p_halted, p_arwait, p_awwait;
always @(posedge clk) begin
    p_ring_err <= ring_err;
    p_halted <= halted;
    p_arwait <= arvalid && !m_axi_arready;
    p_awwait <= awvalid && !m_axi_awready;
end
always @* begin
    if (f_past && !rst && !p_rst) begin
        if (p_ring_err) assert(halted);
        if (p_halted) assert(halted);
        // a halted engine starts nothing (a request already on the port stays until taken)
        if (p_halted && !p_arwait) assert(!arvalid);
        if (p_halted && !p_awwait) assert(!awvalid);
    end
end

// ---------------- strengthening for the induction ----------------
localparam [1:0] I_IDLE = 2'd0, I_ROOM = 2'd1, I_AR = 2'd2;
localparam [2:0] R_IDLE = 3'd0, R_PATCH = 3'd4;
wire [LQ:0]  q_cnt = x_q_wp - x_q_rp;
wire [LQ:0]  c_cnt = x_c_wp - x_c_rp;
wire [LT:0]  tag_cnt = x_tag_wp - x_tag_rp;
wire [4:0]   cached = x_ring_wp - x_ring_rp;
wire [12:0]  inflight = {12'd0, x_istate == I_ROOM} + {{(12-LQ){1'b0}}, q_cnt} + {{(12-LQ){1'b0}}, c_cnt};
wire [13:0]  head_calc = {2'd0, cons} + {1'b0, inflight};
wire [13:0]  fetch_calc = {2'd0, x_ring_head} + {9'd0, cached};
wire [63:0]  i_addr = x_i_addr;
wire [64:0]  i_end_room = {1'b0, i_addr} + {53'd0, x_i_beats, 3'b000};
wire [64:0]  i_end_ar = {1'b0, i_addr} + {50'd0, x_ar_left, 3'b000};
// per slot of the slave's read queue: a descriptor group's beats are counted exactly
wire [NT-1:0] q_valid;
wire [NT-1:0] s_desc, s_ok;
genvar g;
generate for (g = 0; g < NT; g = g + 1) begin : slots
    wire [LT:0] slot = g;
    wire [LT-1:0] pos = slot[LT-1:0] - q_rp[LT-1:0];
    wire [8:0]  beats = q_beats[g*9 +: 9];
    assign s_desc[g] = q_valid[g] && q_kind[g];
    assign s_ok[g] = !s_desc[g] ||
                     (pos == {LT{1'b0}} ? {4'd0, x_ring_fcount, 1'b0} == {4'd0, x_ring_fbeat} + beats - r_cnt
                               : x_ring_fbeat == 5'd0 && beats == {4'd0, x_ring_fcount, 1'b0});
    // the engine's tag of each burst is the one the slave model recorded
    always @* if (f_past && !rst && q_valid[g]) assert(x_tag_mem[x_tag_rp[LT-1:0] + pos] == q_kind[g]);
end endgenerate
wire [5:0] n_desc_q;
popcount #(.W(NT)) pc (.v(s_desc), .n(n_desc_q));
wire [5:0] n_desc = n_desc_q + {5'd0, arvalid && ar_kind};
wire desc_ok = &s_ok;

always @* begin
    if (f_past && !rst) begin
        // AR port and tags: one tag per burst issued and not fully returned, matching the
        // slave's queue; at most one descriptor group on its way, its beats counted exactly
        assert(tag_cnt <= NT[LT:0] && tag_cnt == q_n + {{LT{1'b0}}, arvalid});
        assert(n_desc <= 6'd1);
        if (!halted) begin
            assert(x_ring_fetching == (n_desc == 6'd1) && desc_ok);
            if (arvalid && ar_kind) assert(arlen == {3'd0, x_ring_fcount, 1'b0} - 8'd1 && x_ring_fbeat == 5'd0);
        end
        if (n_desc != 6'd0) assert(x_ring_fetching);
        // the ring
        assert({1'b0, cons} < size && {1'b0, x_ring_head} < size && {1'b0, x_ring_fetch_idx} < size);
        assert(cached <= CACHE[4:0] && x_ring_resv <= CACHE[4:0]);
        assert(q_cnt <= PIPE[LQ:0] && c_cnt <= PIPE[LQ:0]);
        assert(x_ring_head == ((head_calc >= {1'b0, size}) ? head_calc - {1'b0, size} : head_calc));
        // the descriptors of the group on its way are cached as they come, FETCH_IDX moves at its end
        assert({2'd0, x_ring_fetch_idx} + (x_ring_fetching ? {10'd0, x_ring_fbeat[4:1]} : 14'd0) ==
               ((fetch_calc >= {1'b0, size}) ? fetch_calc - {1'b0, size} : fetch_calc));
        if (x_ring_fetching) begin
            assert(x_ring_fcount != 4'd0 && x_ring_fcount <= GROUP[3:0] && x_ring_fbeat < {x_ring_fcount, 1'b0});
            assert({1'b0, x_ring_fetch_idx} + {9'd0, x_ring_fcount} <= size);
            assert(x_ring_resv == cached + {1'b0, x_ring_fcount} - {1'b0, x_ring_fbeat[4:1]});
        end else begin
            assert(x_ring_resv == cached);
        end
        // the issuer: a good descriptor's frame lies inside the window
        assert(x_istate != 2'd3 && x_rstate <= R_PATCH);
        if (x_istate == I_ROOM) assert(q_cnt < PIPE[LQ:0]);
        if (x_istate == I_ROOM && !x_i_bad)
            assert(i_addr[2:0] == 3'd0 && i_addr >= win_base && i_end_room <= {1'b0, win_limit} &&
                   x_i_beats != 9'd0);
        if (x_istate == I_AR)
            assert(!x_i_bad && i_addr[2:0] == 3'd0 && i_addr >= win_base &&
                   i_end_ar <= {1'b0, win_limit} && x_ar_left != 12'd0 && x_ar_left <= 12'd511);
        // the receiver holds a record while it works on it, and room for its completion
        if (x_rstate != R_IDLE) assert(q_cnt != 0 && c_cnt < PIPE[LQ:0]);
        // the completer: one completion, two W beats, AW and W raised together
        if (x_c_busy) assert(c_cnt != 0);
        assert((w_act || awvalid) == x_c_busy && (!x_c_busy || (w_awd == x_c_aw_done && w_wd == x_c_w_done)));
        assert(awvalid == (x_c_busy && !x_c_aw_done) && wvalid == (x_c_busy && !x_c_w_done));
        if (x_c_busy && !x_c_w_done) assert(w_cnt <= 8'd1 && wlast == (w_cnt == 8'd1));
        if (w_awd) assert(w_len == 8'd1);
    end
end

// ---------------- covers (run.sh -c: each must be reached) ----------------
localparam [2:0] R_DATA = 3'd1;
reg got_ring_err;
always @(posedge clk) got_ring_err <= !rst && (got_ring_err || ring_err);
wire [12:0] ar_4k = {1'b0, araddr[11:0]} + {2'b00, arlen, 3'b000} + 13'd8;
always @* begin
    if (f_past && !rst) begin
        cover(stat_frame);                                          // a frame sent, completion status 0
        cover(arvalid && !p_arwait && !ar_kind && ar_4k == 13'd4096 && x_istate == I_AR);  // split at 4 KB
        cover(stat_cpl && !stat_frame && !stat_desc_err);           // ERR_DMA completion (read error)
        cover(stat_desc_err);                                       // descriptor error completion
        cover(wvalid && m_axi_wready && !w_awd && !(awvalid && m_axi_awready));   // W before AW
        cover(awvalid && m_axi_awready && w_wd);                    // AWREADY only after the last W
        cover(m_axi_rvalid && !rready);                             // R held back
        cover(halted && got_ring_err);                              // halt after a ring error
    end
end

wire unused_ok = &{1'b0, idle, fifo_wr_en, fifo_commit, fifo_rollback, patch_en, info_wr_en,
                   fifo_wr_data, patch_data, patch_addr, patch_be, info_wr_data, stat_len,
                   stat_resp_err, stat_dma_err, wdata, n_aw, n_w, q_beats, R_DATA, max_len};

endmodule

`resetall
