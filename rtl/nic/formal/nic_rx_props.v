`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_rx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v (see nic_tx_props.v for the
// scheme). Bounded check and induction by rtl/nic/formal/run.sh, for PIPE 1 and 4, any constant
// legal configuration, any descriptors in host memory, any frames from the RX FIFO, any slave
// (nic_axi4_master_check.v: W before AW, AWREADY held back, SLVERR/DECERR anywhere) and any
// timing.
//
// Environment: the RX FIFO's read side is first-word fall-through (a word and an info word stay
// until taken); every frame has at least one byte (nic_rx_front writes len = last position + 1)
// and is whole in the FIFO when its info word is (nic_rx_front writes the info word last), so
// the data words of a frame whose info word was taken are there to read.
//
// Guarantees:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit), never crosses a
//     4 KB boundary (A3.4.1), 8-byte aligned
//   - exactly AWLEN+1 W beats per AW, WLAST on the last, none before AWVALID, no new AW while W
//     beats are owed; WVALID never waits for AWREADY (A3.3.1): the frame's data and the
//     completion go out with their AW
//   - the engine reads no FIFO word beyond the frames whose info word it took
//   - ring invariants: CONS, HEAD and FETCH_IDX inside the ring, HEAD - CONS = the frames taken
//     and not completed (at most PIPE + 1), FETCH_IDX - HEAD = the cached descriptors, at most
//     CACHE slots taken, a group never past the ring's end, its beats counted exactly
//   - an error response to a ring access (a descriptor fetch's R beat; the B of a completion
//     write, told by the engine's B tag) halts the engine in the next cycle, and a halted engine
//     starts no AR and no new write burst
// Covers (run.sh -c): a frame with data completed, a frame burst split at 4 KB, an ERR_DMA
// completion after an error B, a descriptor error completion, the slave taking W before AW (and
// AW only after the last W), a frame dropped by the filter, a halt after a ring access error.
module nic_rx_props #(
    parameter AW = 64,                   // nic_rx's ADDR_WIDTH (run.sh: 64, and 13 as on the board)
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
    input  wire [63:0] data_tdata,
    input  wire        data_tvalid,
    input  wire [47:0] info_tdata,
    input  wire        info_tvalid
);

localparam CACHE = PIPE <= 1 ? 1 : 2 * PIPE;
localparam GROUP = PIPE <= 1 ? 1 : PIPE;
localparam LQ = PIPE <= 1 ? 0 : PIPE <= 2 ? 1 : PIPE <= 4 ? 2 : 3;
localparam LT = PIPE <= 1 ? 2 : PIPE <= 2 ? 4 : 5;

// The CSRs hold AW bits of each address: the rest reads as 0.
(* anyconst *) reg [AW-1:0] win_base_c, win_limit_c, ring_base_c, cpl_base_c;
wire [63:0] win_base = win_base_c;      // zero-extended
wire [63:0] win_limit = win_limit_c;
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

wire [AW-1:0] araddr_n, awaddr_n;
wire [63:0] araddr = araddr_n, awaddr = awaddr_n;
wire [63:0] wdata;
wire [7:0]  arlen, awlen, wstrb;
wire        arvalid, awvalid, wlast, wvalid;
wire [11:0] cons;
wire        idle, data_tready, info_tready;
wire        stat_cpl, stat_frame, stat_desc_err, stat_resp_err, stat_drop_filter, stat_drop_nodesc;
wire        stat_dma_err, halted;
wire [13:0] stat_len;

nic_rx #(.ADDR_WIDTH(AW), .PIPE(PIPE)) dut (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_enable), .cfg_ring_base(ring_base_c), .cfg_cpl_base(cpl_base_c), .cfg_size(size),
    .cfg_prod(cfg_prod), .cfg_win_base(win_base_c), .cfg_win_limit(win_limit_c), .cfg_mac(mac),
    .cfg_filter(filter), .cfg_mc_hash(mc_hash), .cons(cons), .idle(idle),
    .data_tdata(data_tdata), .data_tvalid(data_tvalid), .data_tready(data_tready),
    .info_tdata(info_tdata), .info_tvalid(info_tvalid), .info_tready(info_tready),
    .m_axi_araddr(araddr_n), .m_axi_arlen(arlen), .m_axi_arvalid(arvalid), .m_axi_arready(m_axi_arready),
    .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_awaddr(awaddr_n), .m_axi_awlen(awlen), .m_axi_awvalid(awvalid), .m_axi_awready(m_axi_awready),
    .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
    .stat_cpl(stat_cpl), .stat_frame(stat_frame), .stat_len(stat_len), .stat_desc_err(stat_desc_err),
    .stat_resp_err(stat_resp_err), .stat_drop_filter(stat_drop_filter),
    .stat_drop_nodesc(stat_drop_nodesc), .stat_dma_err(stat_dma_err), .halted(halted)
);

// ---- probes: nic_rx's registers, connected by run.sh (connect -set x_NAME dut.NAME) ----
wire [2:0]    x_fstate;
wire [LQ:0]   x_q_wp, x_q_rp;
wire [11:0]   x_f_words_left;
wire [AW-1:0] x_f_addr;
wire [5:0]    x_b_left;
wire          x_f_lastburst, x_aw_done, x_w_done;
wire [1:0]    x_t_head;
wire [LT:0]   x_t_wp, x_t_rp;
wire          x_c_busy, x_c_aw_done, x_c_w_done, x_cw_valid, x_cw_last;
wire [13:0]   x_f_len;
wire [11:0]   x_ring_head, x_ring_fetch_idx;
wire          x_ring_fetching;
wire [3:0]    x_ring_fcount;
wire [4:0]    x_ring_fbeat;
wire [4:0]    x_ring_resv, x_ring_wp, x_ring_rp;

// ---------------- the port against the slave model; the RX FIFO ----------------
wire [1:0]  q_rp, q_wp, q_n;
wire [17:0] q_beats;
wire [1:0]  q_kind, q_valid;
wire [8:0]  r_cnt;
wire        w_act, w_awd, w_wd;
wire [7:0]  w_len, w_cnt;
wire [4:0]  n_aw, n_w;
nic_axi4_master_check #(.LQ(1)) port (      // one descriptor fetch at a time
    .clk(clk), .rst(rst), .win_base(win_base), .win_limit(win_limit),
    .araddr(araddr), .arlen(arlen), .arvalid(arvalid), .arready(m_axi_arready), .ar_kind(1'b1),
    .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rvalid(m_axi_rvalid), .rready(1'b1), .rlast(m_axi_rlast),
    .awaddr(awaddr), .awlen(awlen), .awvalid(awvalid), .awready(m_axi_awready),
    .wdata(wdata), .wstrb(wstrb), .wlast(wlast), .wvalid(wvalid), .wready(m_axi_wready),
    .bvalid(m_axi_bvalid),
    .q_rp(q_rp), .q_wp(q_wp), .q_n(q_n), .q_beats(q_beats), .q_kind(q_kind), .q_valid(q_valid),
    .r_cnt(r_cnt), .w_act(w_act), .w_awd(w_awd), .w_wd(w_wd), .w_len(w_len), .w_cnt(w_cnt),
    .n_aw(n_aw), .n_w(n_w)
);

// the FIFO: words of the frames whose info word was taken, not yet read
wire [11:0] info_words = {1'b0, info_tdata[13:3]} + {11'd0, info_tdata[2:0] != 3'd0};
reg  [11:0] env_words;
reg         p_dwait, p_iwait;
reg [63:0]  p_data;
reg [47:0]  p_info;
always @(posedge clk) begin
    p_dwait <= data_tvalid && !data_tready;
    p_iwait <= info_tvalid && !info_tready;
    p_data <= data_tdata;
    p_info <= info_tdata;
    if (rst)
        env_words <= 12'd0;
    else
        env_words <= env_words + ((info_tvalid && info_tready) ? info_words : 12'd0)
                     - {11'd0, data_tvalid && data_tready};
end

always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(size >= 13'd16 && size <= 13'd4096);
    assume({1'b0, cfg_prod} < size);
    if (info_tvalid) assume(info_tdata[13:0] != 14'd0);
    if (env_words != 12'd0) assume(data_tvalid);
    if (f_past && !p_rst && p_dwait) assume(data_tvalid && data_tdata == p_data);
    if (f_past && !p_rst && p_iwait) assume(info_tvalid && info_tdata == p_info);
`ifdef COVER
    // covers only: a small ring, short frames, reached in few cycles (the proofs keep every
    // configuration)
    assume(size == 13'd16 && cfg_enable);
    assume(win_base == 64'd0 && win_limit_c == {{(AW-3){1'b1}}, 3'b000});
    if (info_tvalid) assume(info_tdata[13:0] <= 14'd24);
`endif
end

// ---------------- error responses to ring accesses halt the engine ----------------
wire ring_err = (m_axi_rvalid && m_axi_rresp[1]) ||
                (m_axi_bvalid && m_axi_bresp[1] && x_t_head[1] && x_t_wp != x_t_rp);
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
        if (p_halted && !p_arwait) assert(!arvalid);
        if (p_halted && !p_awwait) assert(!awvalid);
    end
    if (f_past && !rst)
        if (data_tvalid && data_tready) assert(env_words != 12'd0);
end

// ---------------- strengthening for the induction ----------------
localparam [2:0] F_IDLE = 3'd0, F_FILTER = 3'd1, F_CHECK = 3'd2, F_BURST = 3'd3, F_W = 3'd4,
                 F_DISCARD = 3'd5;
wire [LQ:0]  q_cnt = x_q_wp - x_q_rp;
wire [LT:0]  t_cnt = x_t_wp - x_t_rp;
wire [4:0]   cached = x_ring_wp - x_ring_rp;
wire         in_frame = x_fstate == F_BURST || x_fstate == F_W;     // a descriptor taken
wire [12:0]  inflight = {12'd0, in_frame} + {{(12-LQ){1'b0}}, q_cnt};
wire [13:0]  head_calc = {2'd0, cons} + {1'b0, inflight};
wire [13:0]  fetch_calc = {2'd0, x_ring_head} + {9'd0, cached};
wire [63:0]  f_addr = x_f_addr;
wire [11:0]  len_words = {1'b0, x_f_len[13:3]} + {11'd0, x_f_len[2:0] != 3'd0};
// what is still to be addressed after the burst in progress, from f_addr on
wire [11:0]  after = x_f_words_left - ((x_fstate == F_W) ? {6'd0, x_b_left} : 12'd0);
wire [64:0]  f_end = {1'b0, f_addr} + {50'd0, after, 3'b000};
wire [8:0]   aw_beats = {1'b0, awlen} + 9'd1;
wire [8:0]   q0_beats = q_beats[q_rp[0]*9 +: 9];

always @* begin
    if (f_past && !rst) begin
        // the descriptor fetch: one at a time, its beats counted exactly
        assert(q_n + {1'b0, arvalid} <= 2'd1);
        if (!halted) begin
            assert(x_ring_fetching == (q_n != 2'd0 || arvalid));
            if (arvalid) assert(arlen == {3'd0, x_ring_fcount, 1'b0} - 8'd1 && x_ring_fbeat == 5'd0);
            if (q_n != 2'd0) assert({4'd0, x_ring_fcount, 1'b0} == {4'd0, x_ring_fbeat} + q0_beats - r_cnt);
        end
        if (q_n != 2'd0 || arvalid) assert(x_ring_fetching);
        // the ring
        assert({1'b0, cons} < size && {1'b0, x_ring_head} < size && {1'b0, x_ring_fetch_idx} < size);
        assert(cached <= CACHE[4:0] && x_ring_resv <= CACHE[4:0]);
        assert(q_cnt <= PIPE[LQ:0]);
        if (x_fstate != F_IDLE && x_fstate != F_DISCARD) assert(q_cnt < PIPE[LQ:0]);
        assert(x_ring_head == ((head_calc >= {1'b0, size}) ? head_calc - {1'b0, size} : head_calc));
        assert({2'd0, x_ring_fetch_idx} + (x_ring_fetching ? {10'd0, x_ring_fbeat[4:1]} : 14'd0) ==
               ((fetch_calc >= {1'b0, size}) ? fetch_calc - {1'b0, size} : fetch_calc));
        if (x_ring_fetching) begin
            assert(x_ring_fcount != 4'd0 && x_ring_fcount <= GROUP[3:0] && x_ring_fbeat < {x_ring_fcount, 1'b0});
            assert({1'b0, x_ring_fetch_idx} + {9'd0, x_ring_fcount} <= size);
            assert(x_ring_resv == cached + {1'b0, x_ring_fcount} - {1'b0, x_ring_fbeat[4:1]});
        end else begin
            assert(x_ring_resv == cached);
        end
        // the frame stage: the FIFO words it reads are its frame's
        assert(x_fstate <= F_DISCARD);
        if (x_fstate == F_IDLE) assert(env_words == 12'd0);
        else assert(env_words == x_f_words_left);
        if (x_fstate == F_FILTER || x_fstate == F_CHECK)
            assert(x_f_len != 14'd0 && x_f_words_left == len_words);
        if (x_fstate == F_DISCARD) assert(x_f_words_left != 12'd0);
        // ... and the frame lies inside the window
        if (in_frame) begin
            assert(f_addr[2:0] == 3'd0 && f_addr >= win_base && f_end <= {1'b0, win_limit});
            assert(x_f_words_left <= 12'd2048);
        end
        if (x_fstate == F_BURST) assert(x_f_words_left != 12'd0);
        if (x_fstate == F_W) begin
            assert(!x_c_busy && !x_cw_valid && (w_act || awvalid) && !(x_aw_done && x_w_done));
            assert(x_b_left <= 6'd32 && {6'd0, x_b_left} <= x_f_words_left);
            assert(awvalid == !x_aw_done && w_awd == x_aw_done && w_wd == x_w_done);
            assert(x_w_done == (x_b_left == 6'd0) && x_f_lastburst == (x_f_words_left == {6'd0, x_b_left}));
            if (awvalid) assert(aw_beats == {3'd0, x_b_left} + {1'b0, w_cnt} && awlen <= 8'd31);
            if (x_aw_done && !x_w_done) assert({1'b0, w_len} + 9'd1 == {3'd0, x_b_left} + {1'b0, w_cnt});
        end
        // the completer: one completion, two W beats, AW and W raised together
        if (x_c_busy) begin
            assert(q_cnt != 0 && (w_act || awvalid));
            assert(awvalid == !x_c_aw_done && x_cw_valid == !x_c_w_done);
            assert(w_awd == x_c_aw_done && w_wd == x_c_w_done);
            if (!x_c_w_done) assert(w_cnt <= 8'd1 && x_cw_last == (w_cnt == 8'd1));
            if (awvalid) assert(awlen == 8'd1);
            if (w_awd) assert(w_len == 8'd1);
        end else begin
            assert(!x_cw_valid);
            if (x_fstate != F_W) assert(!awvalid && !w_act);
        end
        // B tags: one per AW issued and without its response
        assert({{(5-LT){1'b0}}, t_cnt} == {1'b0, n_aw} + {5'd0, awvalid} && t_cnt <= (1 << LT));
        assert({1'b0, n_aw} + {5'd0, w_wd} == {1'b0, n_w} + {5'd0, w_awd});
    end
end

// ---------------- covers (run.sh -c: each must be reached) ----------------
reg got_ring_err;
always @(posedge clk) got_ring_err <= !rst && (got_ring_err || ring_err);
wire [12:0] aw_4k = {1'b0, awaddr[11:0]} + {2'b00, awlen, 3'b000} + 13'd8;
always @* begin
    if (f_past && !rst) begin
        cover(stat_frame && stat_len != 14'd0);                     // a frame with data completed
        cover(awvalid && !p_awwait && aw_4k == 13'd4096 && x_fstate == F_W && !x_f_lastburst);  // 4 KB split
        cover(stat_resp_err);                                       // ERR_DMA completion (error B)
        cover(stat_desc_err);                                       // descriptor error completion
        cover(wvalid && m_axi_wready && !w_awd && !(awvalid && m_axi_awready));   // W before AW
        cover(awvalid && m_axi_awready && w_wd);                    // AWREADY only after the last W
        cover(stat_drop_filter);                                    // dropped by the filter
        cover(halted && got_ring_err);                              // halt after a ring error
    end
end

wire unused_ok = &{1'b0, idle, stat_cpl, stat_drop_nodesc, stat_dma_err, wdata, q_kind, q_valid,
                   q_wp, mac, filter, mc_hash, m_axi_rdata};

endmodule

`resetall
