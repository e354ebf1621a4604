`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_tx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v. Bounded check and induction by
// rtl/nic/formal/run.sh, so they hold at every depth, for any constant legal configuration (what
// nic_csr guarantees: window on 8-byte boundaries, 16..4096 ring entries, doorbells below the
// ring size), any descriptors and frame data in host memory, any FIFO state and any timing.
//
// Environment: a slave as nic_axi_mux presents it. AR/AW READY at any time; R beats in order, only
// for accepted bursts, RLAST on each burst's last beat (A3.4.1, same ID in order: A5.3); W READY
// only inside a burst whose AW was accepted (the mux's W grant, proved in nic_axi_mux_props);
// B only for an accepted AW.
//
// Guarantees (each one an assumption of nic_axi_mux_props, or a property of the port):
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit) and never crosses a
//     4 KB boundary (A3.4.1); addresses 8-byte aligned
//   - exactly two W beats per AW (AWLEN 1 on the mux port), WLAST on the second; no new AW while
//     W beats are owed
//   - ring invariants: indexes inside the ring, at most one fetch group (2 descriptors) cached
module nic_tx_props (
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

(* anyconst *) reg [63:0] win_base;
(* anyconst *) reg [63:0] win_limit;
(* anyconst *) reg [63:0] ring_base;
(* anyconst *) reg [63:0] cpl_base;
(* anyconst *) reg [12:0] size;
(* anyconst *) reg [13:0] max_len;

reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

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

// ---------------- slave model ----------------
// Read bursts accepted and not yet fully returned, in order: q0 is the oldest. nic_tx has at
// most 3 in flight (a frame of <= 511 beats in bursts of <= 256 split at 4 KB); the model holds
// 4 and, as a slave may, holds ARREADY low while full.
reg [8:0]  q0, q1, q2, q3;             // beats still to come of each burst
reg [2:0]  qn;
wire       ar_hs = arvalid && m_axi_arready;
wire       r_hs = m_axi_rvalid;          // RREADY is tied high
wire [8:0] ar_beats = {1'b0, arlen} + 9'd1;
wire [11:0] q_total = (qn > 3'd0 ? {3'd0, q0} : 12'd0) + (qn > 3'd1 ? {3'd0, q1} : 12'd0) +
                      (qn > 3'd2 ? {3'd0, q2} : 12'd0) + (qn > 3'd3 ? {3'd0, q3} : 12'd0);
// write side: the burst whose AW was accepted and whose W beats are not all through; B owed
reg        w_open;
reg        w_cnt;
reg [3:0]  b_owed;
wire       aw_hs = awvalid && m_axi_awready;
wire       w_hs = wvalid && m_axi_wready;

always @(posedge clk) begin
    if (rst) begin
        qn <= 3'd0;
        w_open <= 1'b0;
        w_cnt <= 1'b0;
        b_owed <= 4'd0;
    end else begin
        // pop/decrement on R, then push on AR
        if (r_hs) begin
            if (q0 == 9'd1) begin
                q0 <= q1; q1 <= q2; q2 <= q3;
                if (ar_hs) begin
                    case (qn)
                    3'd1: q0 <= ar_beats;
                    3'd2: q1 <= ar_beats;
                    3'd3: q2 <= ar_beats;
                    default: q3 <= ar_beats;
                    endcase
                end else begin
                    qn <= qn - 3'd1;
                end
            end else begin
                q0 <= q0 - 9'd1;
                if (ar_hs) begin
                    qn <= qn + 3'd1;
                    case (qn)
                    3'd1: q1 <= ar_beats;
                    3'd2: q2 <= ar_beats;
                    default: q3 <= ar_beats;
                    endcase
                end
            end
        end else if (ar_hs) begin
            qn <= qn + 3'd1;
            case (qn)
            3'd0: q0 <= ar_beats;
            3'd1: q1 <= ar_beats;
            3'd2: q2 <= ar_beats;
            default: q3 <= ar_beats;
            endcase
        end
        if (aw_hs) begin
            w_open <= 1'b1;
            w_cnt <= 1'b0;
        end
        if (w_hs) begin
            w_cnt <= 1'b1;
            if (wlast)
                w_open <= 1'b0;
        end
        b_owed <= b_owed + {3'd0, aw_hs} - {3'd0, m_axi_bvalid};
    end
end

always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(size >= 13'd16 && size <= 13'd4096);
    assume({1'b0, cfg_prod} < size);
    if (m_axi_rvalid) assume(qn != 3'd0 && m_axi_rlast == (q0 == 9'd1));
    if (qn == 3'd4) assume(!m_axi_arready);
    if (m_axi_wready) assume(w_open);
    if (m_axi_bvalid) assume(b_owed != 4'd0);
    if (b_owed == 4'd15) assume(!m_axi_awready);
end

// ---------------- properties ----------------
reg        p_ar, p_aw, p_w;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen;
reg        p_wlast;
always @(posedge clk) begin
    p_ar <= arvalid && !m_axi_arready;
    p_aw <= awvalid && !m_axi_awready;
    p_w <= wvalid && !m_axi_wready;
    p_araddr <= araddr;
    p_arlen <= arlen;
    p_awaddr <= awaddr;
    p_wdata <= wdata;
    p_wlast <= wlast;
end

wire [64:0] ar_end = {1'b0, araddr} + {54'd0, arlen, 3'b000} + 65'd8;
wire [64:0] aw_end = {1'b0, awaddr} + 65'd16;
wire [12:0] ar_4k = {1'b0, araddr[11:0]} + {2'b00, arlen, 3'b000} + 13'd8;
wire [12:0] aw_4k = {1'b0, awaddr[11:0]} + 13'd16;
wire [64:0] f_end = {1'b0, f_addr} + {50'd0, ar_left, 3'b000};

wire [12:0] cached = (fetch_idx >= cons) ? {1'b0, fetch_idx - cons}
                                         : {1'b0, fetch_idx} + size - {1'b0, cons};

localparam [3:0] S_IDLE = 4'd0, S_FETCH = 4'd1, S_FETCHR = 4'd2, S_CHECK = 4'd3, S_SPACE = 4'd4,
                 S_DATA = 4'd5, S_FOLD1 = 4'd6, S_FOLD2 = 4'd7, S_PATCH = 4'd8, S_CPL = 4'd9,
                 S_HALT = 4'd10;

always @* begin
    if (f_past && !rst) begin
        // A3.2.1: VALID stays, payload stable, until READY
        if (!p_rst && p_ar) assert(arvalid && araddr == p_araddr && arlen == p_arlen);
        if (!p_rst && p_aw) assert(awvalid && awaddr == p_awaddr);
        if (!p_rst && p_w) assert(wvalid && wdata == p_wdata && wlast == p_wlast);
        // the window and 4 KB (A3.4.1)
        if (arvalid) begin
            assert(araddr >= win_base && ar_end <= {1'b0, win_limit});
            assert(ar_4k <= 13'd4096 && araddr[2:0] == 3'd0);
        end
        if (awvalid) begin
            assert(awaddr >= win_base && aw_end <= {1'b0, win_limit});
            assert(aw_4k <= 13'd4096 && awaddr[2:0] == 3'd0);
            assert(!w_open);                         // no new AW while W beats are owed
        end
        // two W beats per AW, WLAST on the second
        if (w_hs) assert(wlast == w_cnt);

        // ---- strengthening for the induction ----
        assert(state <= S_HALT);
        assert(qn <= 3'd4);
        assert(qn < 3'd1 || q0 != 9'd0);
        assert(qn < 3'd2 || q1 != 9'd0);
        assert(qn < 3'd3 || q2 != 9'd0);
        assert(qn < 3'd4 || q3 != 9'd0);
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
        // ring: a group is fetched only into an empty cache and never past the ring's end; a
        // descriptor is being worked on only while one is cached
        // ring invariants: the indexes stay inside the ring, the cache holds at most one fetch
        // group (2 descriptors)
        assert({1'b0, cons} < size && {1'b0, fetch_idx} < size && cached <= 13'd2);
        if (state == S_FETCH || state == S_FETCHR)
            assert(cons == fetch_idx && {1'b0, fetch_idx} + {10'd0, fcount} <= size);
        if (state >= S_CHECK && state <= S_CPL)
            assert(cons != fetch_idx);
        if (state == S_CPL) begin
            if (cpl_beat == 2'd0) assert(!awvalid && !wvalid && !w_open);
            if (cpl_beat == 2'd1) assert(wvalid && (w_open ? (!awvalid && wlast == w_cnt)
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
                   stat_desc_err, stat_dma_err, halted, stat_len, m_axi_rdata};

endmodule

`resetall
