`resetall
`timescale 1ns / 1ps
`default_nettype none

// STATUS: not yet proved. yosys-smtbmc with z3 does not get past step 0 within 10 minutes on
// this file (run.sh runs it only when asked by name); the properties are checked in simulation
// by sim/nic/axi_models.cpp on every test instead.
//
// Formal properties of the NIC's DMA side: nic_tx, nic_rx and nic_axi_mux as in nic_core, the
// AXI4 slave and the FIFOs left free (any response at any time), the configuration constant and
// legal (what nic_csr guarantees: window on 8-byte boundaries, 16..4096 ring entries, doorbells
// below the ring size). Run by rtl/nic/formal/run.sh (yosys read_verilog -formal, prep,
// write_smt2, yosys-smtbmc with z3).
//
// Properties on the AXI4 master (ARM IHI 0022E):
//   - every AR and AW burst lies wholly inside the DMA window [base, limit), whatever the
//     descriptors in host memory say (the R data are free inputs here)
//   - no burst crosses a 4 KB boundary (A3.4.1); bursts are INCR of aligned 8-byte beats
//   - VALID, once high, stays with a stable payload until READY (A3.2.1) on AR, AW and W
//   - W beats only for an accepted AW, exactly AWLEN+1 of them, WLAST on the last (A3.4.1)
// and, embedded in nic_tx.v and nic_rx.v, the ring invariants (indexes inside the ring, at most
// one fetch group cached).
module nic_dma_props #(
    parameter WITH_TX = 1,                // run.sh checks each engine on its own (smaller problems)
    parameter WITH_RX = 1
) (
    input  wire        clk,
    input  wire        rst,
    // slave
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire [63:0] m_axi_rdata,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire        m_axi_bvalid,
    // driver
    input  wire        cfg_tx_en,
    input  wire        cfg_rx_en,
    input  wire [11:0] cfg_tx_prod,
    input  wire [11:0] cfg_rx_prod,
    // FIFOs
    input  wire [9:0]  txf_wr_ptr,
    input  wire [9:0]  txf_free,
    input  wire [4:0]  txi_free,
    input  wire [63:0] rxc_data,
    input  wire        rxc_data_valid,
    input  wire [47:0] rxc_info,
    input  wire        rxc_info_valid
);

(* anyconst *) reg [63:0] win_base;
(* anyconst *) reg [63:0] win_limit;
(* anyconst *) reg [63:0] tx_ring, tx_cpl_base, rx_ring, rx_cpl_base;
(* anyconst *) reg [12:0] tx_size, rx_size;
(* anyconst *) reg [13:0] max_len;
(* anyconst *) reg [47:0] mac;
(* anyconst *) reg [4:0]  filter;
(* anyconst *) reg [63:0] mc_hash;

reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

// ---------------- DUT ----------------
wire [63:0] tx_araddr, rx_araddr, tx_awaddr, rx_awaddr, tx_wdata, rx_wdata;
wire [7:0]  tx_arlen, rx_arlen, rx_awlen, rx_wstrb;
wire        tx_arvalid, tx_arready, rx_arvalid, rx_arready, tx_rvalid, rx_rvalid;
wire        tx_awvalid, tx_awready, rx_awvalid, rx_awready;
wire        tx_wlast, tx_wvalid, tx_wready, rx_wlast, rx_wvalid, rx_wready, tx_bvalid, rx_bvalid;
wire [0:0]  m_axi_arid, m_axi_awid;
wire [63:0] m_axi_araddr, m_axi_awaddr, m_axi_wdata;
wire [7:0]  m_axi_arlen, m_axi_awlen, m_axi_wstrb;
wire [2:0]  m_axi_arsize, m_axi_awsize;
wire [1:0]  m_axi_arburst, m_axi_awburst;
wire        m_axi_arvalid, m_axi_rready, m_axi_awvalid, m_axi_wlast, m_axi_wvalid, m_axi_bready;

nic_axi_mux mux (
    .clk(clk), .rst(rst),
    .s0_araddr(tx_araddr), .s0_arlen(tx_arlen), .s0_arvalid(tx_arvalid), .s0_arready(tx_arready),
    .s1_araddr(rx_araddr), .s1_arlen(rx_arlen), .s1_arvalid(rx_arvalid), .s1_arready(rx_arready),
    .s0_rvalid(tx_rvalid), .s1_rvalid(rx_rvalid),
    .s0_awaddr(tx_awaddr), .s0_awlen(8'd1), .s0_awvalid(tx_awvalid), .s0_awready(tx_awready),
    .s1_awaddr(rx_awaddr), .s1_awlen(rx_awlen), .s1_awvalid(rx_awvalid), .s1_awready(rx_awready),
    .s0_wdata(tx_wdata), .s0_wstrb(8'hFF), .s0_wlast(tx_wlast), .s0_wvalid(tx_wvalid), .s0_wready(tx_wready),
    .s1_wdata(rx_wdata), .s1_wstrb(rx_wstrb), .s1_wlast(rx_wlast), .s1_wvalid(rx_wvalid), .s1_wready(rx_wready),
    .s0_bvalid(tx_bvalid), .s1_bvalid(rx_bvalid),
    .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen),
    .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_rready(m_axi_rready), .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr),
    .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst),
    .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bid(m_axi_bid), .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready)
);

wire        txf_wr_en, txf_commit, txf_patch_en, txi_wr_en;
wire [63:0] txf_wr_data, txf_patch_data;
wire [8:0]  txf_patch_addr;
wire [7:0]  txf_patch_be;
wire [23:0] txi_wr_data;
wire [11:0] tx_cons, rx_cons;
wire        tx_idle, rx_idle, rxc_data_ready, rxc_info_ready;
wire        tx_cpl, tx_frame, tx_desc_err, tx_dma_err, tx_halted;
wire        rx_cpl, rx_frame, rx_desc_err, rx_dma_err, rx_drop_filter, rx_drop_nodesc, rx_halted;
wire [13:0] tx_len, rx_len;

generate if (WITH_TX) begin : g_tx
nic_tx tx (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_tx_en), .cfg_ring_base(tx_ring), .cfg_cpl_base(tx_cpl_base),
    .cfg_size(tx_size), .cfg_prod(cfg_tx_prod), .cfg_max_len(max_len),
    .cfg_win_base(win_base), .cfg_win_limit(win_limit), .cons(tx_cons), .idle(tx_idle),
    .m_axi_araddr(tx_araddr), .m_axi_arlen(tx_arlen), .m_axi_arvalid(tx_arvalid),
    .m_axi_arready(tx_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rlast(m_axi_rlast),
    .m_axi_rvalid(tx_rvalid), .m_axi_awaddr(tx_awaddr), .m_axi_awvalid(tx_awvalid),
    .m_axi_awready(tx_awready), .m_axi_wdata(tx_wdata), .m_axi_wlast(tx_wlast),
    .m_axi_wvalid(tx_wvalid), .m_axi_wready(tx_wready), .m_axi_bvalid(tx_bvalid),
    .fifo_wr_en(txf_wr_en), .fifo_wr_data(txf_wr_data), .fifo_commit(txf_commit),
    .patch_en(txf_patch_en), .patch_addr(txf_patch_addr), .patch_be(txf_patch_be),
    .patch_data(txf_patch_data), .fifo_wr_ptr(txf_wr_ptr), .fifo_free(txf_free),
    .info_wr_en(txi_wr_en), .info_wr_data(txi_wr_data), .info_free(txi_free),
    .stat_cpl(tx_cpl), .stat_frame(tx_frame), .stat_len(tx_len), .stat_desc_err(tx_desc_err),
    .stat_dma_err(tx_dma_err), .halted(tx_halted)
);
end else begin : g_no_tx
    assign tx_araddr = 64'd0; assign tx_arlen = 8'd0; assign tx_arvalid = 1'b0;
    assign tx_awaddr = 64'd0; assign tx_awvalid = 1'b0; assign tx_wdata = 64'd0;
    assign tx_wlast = 1'b0; assign tx_wvalid = 1'b0;
    assign txf_wr_en = 1'b0; assign txf_commit = 1'b0; assign txf_patch_en = 1'b0;
    assign txi_wr_en = 1'b0; assign txf_wr_data = 64'd0; assign txf_patch_data = 64'd0;
    assign txf_patch_addr = 9'd0; assign txf_patch_be = 8'd0; assign txi_wr_data = 24'd0;
    assign tx_cons = 12'd0; assign tx_idle = 1'b1; assign tx_cpl = 1'b0; assign tx_frame = 1'b0;
    assign tx_desc_err = 1'b0; assign tx_dma_err = 1'b0; assign tx_halted = 1'b0; assign tx_len = 14'd0;
end endgenerate

generate if (WITH_RX) begin : g_rx
nic_rx rx (
    .clk(clk), .rst(rst),
    .cfg_enable(cfg_rx_en), .cfg_ring_base(rx_ring), .cfg_cpl_base(rx_cpl_base),
    .cfg_size(rx_size), .cfg_prod(cfg_rx_prod), .cfg_win_base(win_base),
    .cfg_win_limit(win_limit), .cfg_mac(mac), .cfg_filter(filter),
    .cfg_mc_hash(mc_hash), .cons(rx_cons), .idle(rx_idle),
    .data_tdata(rxc_data), .data_tvalid(rxc_data_valid), .data_tready(rxc_data_ready),
    .info_tdata(rxc_info), .info_tvalid(rxc_info_valid), .info_tready(rxc_info_ready),
    .m_axi_araddr(rx_araddr), .m_axi_arlen(rx_arlen), .m_axi_arvalid(rx_arvalid),
    .m_axi_arready(rx_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rlast(m_axi_rlast),
    .m_axi_rvalid(rx_rvalid), .m_axi_awaddr(rx_awaddr), .m_axi_awlen(rx_awlen),
    .m_axi_awvalid(rx_awvalid), .m_axi_awready(rx_awready), .m_axi_wdata(rx_wdata),
    .m_axi_wstrb(rx_wstrb), .m_axi_wlast(rx_wlast), .m_axi_wvalid(rx_wvalid),
    .m_axi_wready(rx_wready), .m_axi_bvalid(rx_bvalid),
    .stat_cpl(rx_cpl), .stat_frame(rx_frame), .stat_len(rx_len), .stat_desc_err(rx_desc_err),
    .stat_drop_filter(rx_drop_filter), .stat_drop_nodesc(rx_drop_nodesc),
    .stat_dma_err(rx_dma_err), .halted(rx_halted)
);
end else begin : g_no_rx
    assign rx_araddr = 64'd0; assign rx_arlen = 8'd0; assign rx_arvalid = 1'b0;
    assign rx_awaddr = 64'd0; assign rx_awlen = 8'd0; assign rx_awvalid = 1'b0;
    assign rx_wdata = 64'd0; assign rx_wstrb = 8'd0; assign rx_wlast = 1'b0; assign rx_wvalid = 1'b0;
    assign rx_cons = 12'd0; assign rx_idle = 1'b1; assign rxc_data_ready = 1'b0;
    assign rxc_info_ready = 1'b0; assign rx_cpl = 1'b0; assign rx_frame = 1'b0;
    assign rx_desc_err = 1'b0; assign rx_dma_err = 1'b0; assign rx_drop_filter = 1'b0;
    assign rx_drop_nodesc = 1'b0; assign rx_halted = 1'b0; assign rx_len = 14'd0;
end endgenerate

// ---------------- environment ----------------
reg        p_dvalid_wait, p_ivalid_wait;
reg [63:0] p_rxc_data;
reg [47:0] p_rxc_info;
always @(posedge clk) begin
    p_dvalid_wait <= rxc_data_valid && !rxc_data_ready;
    p_ivalid_wait <= rxc_info_valid && !rxc_info_ready;
    p_rxc_data <= rxc_data;
    p_rxc_info <= rxc_info;
end

always @* begin
    assume(rst == !f_past);
    assume(win_base[2:0] == 3'd0 && win_limit[2:0] == 3'd0);
    assume(tx_size >= 13'd16 && tx_size <= 13'd4096);
    assume(rx_size >= 13'd16 && rx_size <= 13'd4096);
    assume({1'b0, cfg_tx_prod} < tx_size);
    assume({1'b0, cfg_rx_prod} < rx_size);
    // the RX FIFO's read side is first-word fall-through: a word stays until taken
    if (f_past && !p_rst && p_dvalid_wait)
        assume(rxc_data_valid && rxc_data == p_rxc_data);
    if (f_past && !p_rst && p_ivalid_wait)
        assume(rxc_info_valid && rxc_info == p_rxc_info);
end

// ---------------- monitors ----------------
reg        p_ar_wait, p_aw_wait, p_w_wait;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen, p_awlen, p_wstrb;
reg        p_arid, p_awid, p_wlast;
reg        w_open;           // an AW was accepted and its W beats are not all through
reg [7:0]  w_len, w_cnt;

always @(posedge clk) begin
    p_ar_wait <= m_axi_arvalid && !m_axi_arready;
    p_aw_wait <= m_axi_awvalid && !m_axi_awready;
    p_w_wait <= m_axi_wvalid && !m_axi_wready;
    p_araddr <= m_axi_araddr;
    p_arlen <= m_axi_arlen;
    p_arid <= m_axi_arid;
    p_awaddr <= m_axi_awaddr;
    p_awlen <= m_axi_awlen;
    p_awid <= m_axi_awid;
    p_wdata <= m_axi_wdata;
    p_wstrb <= m_axi_wstrb;
    p_wlast <= m_axi_wlast;
    if (rst) begin
        w_open <= 1'b0;
        w_cnt <= 8'd0;
    end else begin
        if (m_axi_awvalid && m_axi_awready) begin
            w_open <= 1'b1;
            w_len <= m_axi_awlen;
            w_cnt <= 8'd0;
        end
        if (m_axi_wvalid && m_axi_wready) begin
            w_cnt <= w_cnt + 8'd1;
            if (m_axi_wlast)
                w_open <= 1'b0;
        end
    end
end

wire [64:0] ar_end = {1'b0, m_axi_araddr} + {54'd0, m_axi_arlen, 3'b000} + 65'd8;
wire [64:0] aw_end = {1'b0, m_axi_awaddr} + {54'd0, m_axi_awlen, 3'b000} + 65'd8;
wire [12:0] ar_4k = {1'b0, m_axi_araddr[11:0]} + {2'b00, m_axi_arlen, 3'b000} + 13'd8;
wire [12:0] aw_4k = {1'b0, m_axi_awaddr[11:0]} + {2'b00, m_axi_awlen, 3'b000} + 13'd8;

// ---------------- properties ----------------
always @* begin
    if (f_past && !rst) begin
        if (m_axi_arvalid) begin
            assert(m_axi_araddr >= win_base && ar_end <= {1'b0, win_limit});
            assert(ar_4k <= 13'd4096);
            assert(m_axi_araddr[2:0] == 3'd0 && m_axi_arsize == 3'd3 && m_axi_arburst == 2'b01);
        end
        if (m_axi_awvalid) begin
            assert(m_axi_awaddr >= win_base && aw_end <= {1'b0, win_limit});
            assert(aw_4k <= 13'd4096);
            assert(m_axi_awaddr[2:0] == 3'd0 && m_axi_awsize == 3'd3 && m_axi_awburst == 2'b01);
        end
        if (!p_rst && p_ar_wait)
            assert(m_axi_arvalid && m_axi_araddr == p_araddr && m_axi_arlen == p_arlen &&
                   m_axi_arid == p_arid);
        if (!p_rst && p_aw_wait)
            assert(m_axi_awvalid && m_axi_awaddr == p_awaddr && m_axi_awlen == p_awlen &&
                   m_axi_awid == p_awid);
        if (!p_rst && p_w_wait)
            assert(m_axi_wvalid && m_axi_wdata == p_wdata && m_axi_wstrb == p_wstrb &&
                   m_axi_wlast == p_wlast);
        if (m_axi_wvalid) begin
            assert(w_open);
            assert(m_axi_wlast == (w_cnt == w_len));
        end
        // one burst at a time on W: no new address while data of the last one is owed
        if (m_axi_awvalid)
            assert(!w_open);
        assert(m_axi_rready && m_axi_bready);
    end
end

wire unused_ok = &{1'b0, txf_wr_en, txf_commit, txf_patch_en, txi_wr_en, txf_wr_data, txf_patch_data,
                   txf_patch_addr, txf_patch_be, txi_wr_data, tx_cons, rx_cons, tx_idle, rx_idle,
                   tx_cpl, tx_frame, tx_desc_err, tx_dma_err, tx_halted, rx_cpl, rx_frame,
                   rx_desc_err, rx_dma_err, rx_drop_filter, rx_drop_nodesc, rx_halted, tx_len, rx_len};

endmodule

`resetall
