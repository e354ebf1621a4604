`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_rx's AXI4 master side (ARM IHI 0022E), the engine half of the
// assume-guarantee proof whose other half is nic_axi_mux_props.v (see nic_tx_props.v for the
// scheme). Bounded check and induction by rtl/nic/formal/run.sh, for any constant legal
// configuration, any descriptors in host memory, any frames from the RX FIFO and any timing.
//
// Environment: the slave as nic_axi_mux presents it (see nic_tx_props.v); the RX FIFO's read
// side is first-word fall-through (a word and an info word stay until taken) and every frame has
// at least one byte (nic_rx_front writes len = last position + 1).
//
// Guarantees:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every AR and AW burst lies wholly inside the DMA window [base, limit), never crosses a
//     4 KB boundary (A3.4.1), 8-byte aligned
//   - exactly AWLEN+1 W beats per AW, WLAST on the last; no new AW while W beats are owed
//   - ring invariants: indexes inside the ring, at most one fetch group (2 descriptors) cached
module nic_rx_props (
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

(* anyconst *) reg [63:0] win_base;
(* anyconst *) reg [63:0] win_limit;
(* anyconst *) reg [63:0] ring_base;
(* anyconst *) reg [63:0] cpl_base;
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

// ---------------- slave and FIFO model ----------------
// nic_rx reads only descriptor groups, one burst at a time: r_left beats of it still to come
reg  [8:0] r_left;
wire       ar_hs = arvalid && m_axi_arready;
wire [8:0] ar_beats = {1'b0, arlen} + 9'd1;
reg        w_open;
reg  [7:0] w_len, w_cnt;
reg  [3:0] b_owed;
wire       aw_hs = awvalid && m_axi_awready;
wire       w_hs = wvalid && m_axi_wready;
reg        p_dwait, p_iwait;
reg [63:0] p_data;
reg [47:0] p_info;

always @(posedge clk) begin
    p_dwait <= data_tvalid && !data_tready;
    p_iwait <= info_tvalid && !info_tready;
    p_data <= data_tdata;
    p_info <= info_tdata;
    if (rst) begin
        r_left <= 9'd0;
        w_open <= 1'b0;
        w_cnt <= 8'd0;
        w_len <= 8'd0;
        b_owed <= 4'd0;
    end else begin
        r_left <= r_left - {8'd0, m_axi_rvalid} + (ar_hs ? ar_beats : 9'd0);
        if (aw_hs) begin
            w_open <= 1'b1;
            w_len <= awlen;
            w_cnt <= 8'd0;
        end
        if (w_hs) begin
            w_cnt <= w_cnt + 8'd1;
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
    if (m_axi_rvalid) assume(r_left != 9'd0 && m_axi_rlast == (r_left == 9'd1));
    if (r_left != 9'd0) assume(!m_axi_arready);
    if (m_axi_wready) assume(w_open);
    if (m_axi_bvalid) assume(b_owed != 4'd0);
    if (b_owed == 4'd15) assume(!m_axi_awready);
    if (info_tvalid) assume(info_tdata[13:0] != 14'd0);
    if (f_past && !p_rst && p_dwait) assume(data_tvalid && data_tdata == p_data);
    if (f_past && !p_rst && p_iwait) assume(info_tvalid && info_tdata == p_info);
end

// ---------------- properties ----------------
reg        p_ar, p_aw, p_w;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen, p_awlen, p_wstrb;
reg        p_wlast;
always @(posedge clk) begin
    p_ar <= arvalid && !m_axi_arready;
    p_aw <= awvalid && !m_axi_awready;
    p_w <= wvalid && !m_axi_wready;
    p_araddr <= araddr;
    p_arlen <= arlen;
    p_awaddr <= awaddr;
    p_awlen <= awlen;
    p_wdata <= wdata;
    p_wstrb <= wstrb;
    p_wlast <= wlast;
end

wire [8:0]  aw_beats = {1'b0, awlen} + 9'd1;
wire [64:0] ar_end = {1'b0, araddr} + {54'd0, arlen, 3'b000} + 65'd8;
wire [64:0] aw_end = {1'b0, awaddr} + {54'd0, awlen, 3'b000} + 65'd8;
wire [12:0] ar_4k = {1'b0, araddr[11:0]} + {2'b00, arlen, 3'b000} + 13'd8;
wire [12:0] aw_4k = {1'b0, awaddr[11:0]} + {2'b00, awlen, 3'b000} + 13'd8;
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
        // A3.2.1: VALID stays, payload stable, until READY
        if (!p_rst && p_ar) assert(arvalid && araddr == p_araddr && arlen == p_arlen);
        if (!p_rst && p_aw) assert(awvalid && awaddr == p_awaddr && awlen == p_awlen);
        if (!p_rst && p_w) assert(wvalid && wdata == p_wdata && wstrb == p_wstrb && wlast == p_wlast);
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
        // AWLEN+1 W beats per AW, WLAST on the last
        if (w_hs) assert(wlast == (w_cnt == w_len));
        if (w_open) assert(w_cnt <= w_len);

        // ---- strengthening for the induction ----
        assert(state <= S_HALT);
        if (arvalid) assert(state == S_FETCH);
        case (state)
        S_FETCH: assert(arvalid && r_left == 9'd0 && fcount != 3'd0 && fcount <= 3'd2 &&
                        arlen == {4'd0, fcount, 1'b0} - 8'd1 && fbeat == 4'd0);
        S_FETCHR: assert(!arvalid && fcount != 3'd0 && fcount <= 3'd2 &&
                         r_left <= 9'd4 && fbeat <= 4'd4 && r_left + {5'd0, fbeat} == {5'd0, fcount, 1'b0});
        default: assert(!arvalid && r_left == 9'd0);
        endcase
        // ring invariants: the indexes stay inside the ring, the cache holds at most one fetch
        // group (2 descriptors)
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
                   stat_drop_nodesc, stat_dma_err, halted, stat_len, m_axi_rdata, cw_last};

endmodule

`resetall
