`resetall
`timescale 1ns / 1ps
`default_nettype none

// The NIC core: everything between the host bus and the GMII pins, vendor-neutral.
//
//   host --AXI4-Lite--> nic_csr (registers, IRQ, MDIO, counters)
//   host <--AXI4 (64-bit, ID 0 TX / 1 RX)-- nic_axi_mux <-- nic_tx, nic_rx (PIPE frames in flight each)
//   nic_tx --async_fifo 4 KB + info--> nic_tx_ser (tx_clk) --> eth_mac TX --> GMII
//   GMII --> eth_mac RX --> nic_rx_front (rx_clk) --async_fifo 4 KB + info--> nic_rx
//
// Clock domains: clk (core: registers and DMA), tx_clk and rx_clk (the MAC's, 125 MHz for
// 1 Gb/s). Data crosses in the asynchronous FIFOs (Gray pointers), events in Gray counters
// (cdc_count), levels in two-flip-flop synchronisers (cdc_sync). MAX_LEN, a 14-bit value,
// reaches rx_clk through a toggle handshake (a hold register that is stable whenever the
// synchronised toggle says it may be sampled) and is applied between frames. The inter-frame
// gap is a constant.
// Resets: rst is the core reset; core_rst (rst or the soft reset, a register in clk) is applied
// to tx_clk and rx_clk through reset synchronisers that assert asynchronously and deassert
// after two edges of their own clock, and the asynchronous FIFOs reset their pointers and
// pointer synchronisers asynchronously on both sides (Cummings, SNUG 2002). So a domain whose
// clock is stopped (PHY powered down or unplugged) is reset the moment core_rst rises and
// stays in reset until its clock comes back: the two sides of every FIFO agree (both empty)
// and no stale frame is delivered. The soft reset waits for the MAC to finish the frame on the
// line, or gives up after a bounded time if tx_clk is stopped (nic_csr).
//
// Host memory formats (little-endian; generated table in docs/registers.md, constants in
// driver/nic_regs.h, both from rtl/nic/nic_regs.json):
//   TX descriptor (16 B): 0 addr[8] | 8 len[2] | 10 flags (b0 CSUM_IP, b1 CSUM_L4, b2 CSUM_UDP) | 11 ip_hlen
//                         | 12 csum_start[2] | 14 csum_off | 15 -
//   RX descriptor (16 B): 0 addr[8] (8-byte aligned) | 8 len[2] | 10..15 -
//   TX completion (16 B): 0 len[2] | 2 index[2] | 4 status (b0 ERR_ADDR, b1 ERR_LEN, b2 ERR_DMA)
//                         | 15 b7 phase
//   RX completion (16 B): 0 len[2] | 2 index[2] | 4 csum[2] (sum of bytes 14..end, RFC 1071)
//                         | 6 status (b0 IP4, b1 IP_BAD, b2 L4_CHECKED, b3 L4_BAD, b4 TCP, b5 UDP,
//                         b6 FRAG) | 7 error (b0 ERR_ADDR, b1 ERR_LEN, b2 ERR_DMA) | 8 hash | 15 b7 phase
// The device writes completion i of a ring at index i of its completion ring; the phase bit is
// 1 on the first pass, 0 on the second, and so on; bytes 8..15 (with the phase) are the second
// 8-byte beat, written after the first.
module nic_core #(
    // Host (DMA) address bits the core carries, 13..64. 64 is the PCIe-style full address; a
    // board whose host memory is small builds with less (firmware/ice40-hx8k: 13, for 4 KB of
    // block RAM). The ports stay 64 bits wide, the address bits at and above ADDR_WIDTH zero;
    // the register map is unchanged (those bits read 0); descriptors naming an address at or
    // above 2^ADDR_WIDTH get an error completion (outside the DMA window), never truncated.
    parameter ADDR_WIDTH = 64,
    // Statistics counter bits, 14..32 (nic_csr): 32 by default; the counters wrap at 2^STAT_WIDTH.
    parameter STAT_WIDTH = 32,
    // Frames in flight per DMA engine, 1, 2, 4 or 8 (nic_tx, nic_rx): 4 carries 64-byte frames at
    // line rate both ways with 2 us of host memory latency; 1 is the smallest core (README: the
    // cost of each depth).
    parameter PIPE = 4,
    // Checksum engines: 1 (default) TX insertion and RX verdicts; 0 leaves both out (CAPS says so
    // and the driver computes checksums in software), for an FPGA too small for them.
    parameter CSUM = 1,
    // TX and RX data FIFOs, 2^FIFO_AW 64-bit words each, 8 or 9: 9 (4 KB) holds a 4 KB jumbo frame
    // and absorbs bursts at 1 Gb/s; 8 (2 KB) holds one frame up to MAX_LEN 2040 and is what a
    // 10/100 board needs (the DMA drains 100 Mb/s many times over), leaving 8 block RAMs free.
    // A TX descriptor longer than the FIFO completes with a length error; a longer received frame
    // is dropped and counted (rx_drop_fifo).
    parameter FIFO_AW = 9,
    // PHY interface of the MAC (rtl/mac/eth_mac.v MODE): 0 GMII, 1 MII, 2 RMII; the gmii_* ports
    // then carry MII nibbles / RMII dibits as eth_mac's header describes. CAPS.MAC_MODE reports
    // it; an RMII MAC's speed is CTRL.SPEED_10.
    parameter MAC_MODE = 0
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        tx_clk,
    input  wire        rx_clk,

    // AXI4-Lite slave: registers (docs/registers.md)
    input  wire [11:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output wire        s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [11:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output wire [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output wire        s_axil_rvalid,
    input  wire        s_axil_rready,

    // AXI4 master: DMA into host memory
    output wire [0:0]  m_axi_arid,
    output wire [63:0] m_axi_araddr,
    output wire [7:0]  m_axi_arlen,
    output wire [2:0]  m_axi_arsize,
    output wire [1:0]  m_axi_arburst,
    output wire        m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    output wire        m_axi_rready,
    output wire [0:0]  m_axi_awid,
    output wire [63:0] m_axi_awaddr,
    output wire [7:0]  m_axi_awlen,
    output wire [2:0]  m_axi_awsize,
    output wire [1:0]  m_axi_awburst,
    output wire        m_axi_awvalid,
    input  wire        m_axi_awready,
    output wire [63:0] m_axi_wdata,
    output wire [7:0]  m_axi_wstrb,
    output wire        m_axi_wlast,
    output wire        m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,
    output wire        m_axi_bready,

    output wire        irq,

    // GMII
    output wire [7:0]  gmii_txd,
    output wire        gmii_tx_en,
    output wire        gmii_tx_er,
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,

    // PHY management and link pin
    output wire        mdc,
    output wire        mdio_o,
    output wire        mdio_oe,
    input  wire        mdio_i,
    input  wire        phy_link
);

// ---------------- resets ----------------
// core_rst, tx_rst and rx_rst are used both as asynchronous resets (FIFO pointers, reset
// synchronisers) and as synchronous ones (everything else in their domain): each is a flip-flop
// output deasserted synchronously to its domain's clock, so either use is safe.
/* verilator lint_off SYNCASYNCNET */
wire soft_rst;
reg  core_rst = 1'b1;
always @(posedge clk) core_rst <= rst || soft_rst;

// Reset synchronisers: asynchronous assertion (a stopped clock's domain is reset at once),
// synchronous deassertion after two edges of the domain's own clock (no recovery/removal
// hazard). core_rst is a flip-flop output, so the asynchronous input never glitches.
(* ASYNC_REG = "TRUE" *) reg [1:0] tx_rst_sync = 2'b11;
(* ASYNC_REG = "TRUE" *) reg [1:0] rx_rst_sync = 2'b11;
always @(posedge tx_clk or posedge core_rst) begin
    if (core_rst)
        tx_rst_sync <= 2'b11;
    else
        tx_rst_sync <= {tx_rst_sync[0], 1'b0};
end
always @(posedge rx_clk or posedge core_rst) begin
    if (core_rst)
        rx_rst_sync <= 2'b11;
    else
        rx_rst_sync <= {rx_rst_sync[0], 1'b0};
end
wire tx_rst = tx_rst_sync[1];
wire rx_rst = rx_rst_sync[1];
/* verilator lint_on SYNCASYNCNET */

wire drain_req, drain_done;     // soft reset, drain step: see the MAC section

// No DMA transfer outstanding (counted on the AXI4 master port): the soft reset may only cut
// the engines off when it abandons no burst (ARM IHI 0022E A3.2.1, A3.3.1). Counts read bursts
// accepted (AR) against their last R beat, write bursts (AW) against their B; neither engine
// offers W beats before their AW (nic_tx raises both together), and beats on their way show
// as WVALID. Eight bits, as the engines' own counts.
reg [7:0] dma_rd_out, dma_wr_out;
wire dma_ar = m_axi_arvalid && m_axi_arready;
wire dma_r  = m_axi_rvalid && m_axi_rready && m_axi_rlast;
wire dma_aw = m_axi_awvalid && m_axi_awready;
wire dma_b  = m_axi_bvalid && m_axi_bready;
always @(posedge clk) begin
    if (rst) begin
        dma_rd_out <= 8'd0;
        dma_wr_out <= 8'd0;
    end else begin
        if (dma_ar != dma_r)
            dma_rd_out <= dma_ar ? dma_rd_out + 8'd1 : dma_rd_out - 8'd1;
        if (dma_aw != dma_b)
            dma_wr_out <= dma_aw ? dma_wr_out + 8'd1 : dma_wr_out - 8'd1;
    end
end
wire dma_quiet = dma_rd_out == 8'd0 && dma_wr_out == 8'd0 &&
                 !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid;

wire link_up;
cdc_sync #(.WIDTH(1)) link_sync (.clk(clk), .d(phy_link), .q(link_up));

// ---------------- registers ----------------
wire        cfg_tx_en, cfg_rx_en;
wire [47:0] cfg_mac;
wire [4:0]  cfg_filter;
wire [13:0] cfg_max_len;
wire        cfg_speed_10;
wire [63:0] cfg_mc_hash;
wire [ADDR_WIDTH-1:0] cfg_win_base, cfg_win_limit, cfg_tx_ring, cfg_tx_cpl, cfg_rx_ring, cfg_rx_cpl;
wire [12:0] cfg_tx_size, cfg_rx_size;
wire [11:0] cfg_tx_prod, cfg_rx_prod, tx_cons, rx_cons;
wire        tx_idle, rx_idle, tx_fifo_empty;
wire        tx_cpl, tx_frame, tx_desc_err, tx_resp_err, tx_dma_err, tx_halted;
wire        rx_cpl, rx_frame, rx_desc_err, rx_resp_err, rx_dma_err, rx_drop_filter, rx_drop_nodesc, rx_halted;
wire [13:0] tx_len, rx_len;
wire [STAT_WIDTH-1:0] cnt_rx_drop_mac, cnt_rx_drop_fifo, cnt_tx_underflow, cnt_tx_abort;
// DMA response errors (SLVERR/DECERR, ARM IHI 0022E A3.4.4): nic_tx and nic_rx pulse
// tx_resp_err / rx_resp_err once per frame whose read or write got one (its ERR_DMA completion).

nic_csr #(.ADDR_WIDTH(ADDR_WIDTH), .STAT_WIDTH(STAT_WIDTH), .PIPE(PIPE), .CSUM(CSUM), .MAC_MODE(MAC_MODE)) csr (
    .clk(clk), .rst(rst),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
    .irq(irq), .soft_rst(soft_rst),
    .cfg_tx_en(cfg_tx_en), .cfg_rx_en(cfg_rx_en), .cfg_mac(cfg_mac), .cfg_filter(cfg_filter),
    .cfg_max_len(cfg_max_len), .cfg_speed_10(cfg_speed_10), .cfg_mc_hash(cfg_mc_hash), .cfg_win_base(cfg_win_base),
    .cfg_win_limit(cfg_win_limit), .cfg_tx_ring(cfg_tx_ring), .cfg_tx_cpl(cfg_tx_cpl),
    .cfg_tx_size(cfg_tx_size), .cfg_tx_prod(cfg_tx_prod), .cfg_rx_ring(cfg_rx_ring),
    .cfg_rx_cpl(cfg_rx_cpl), .cfg_rx_size(cfg_rx_size), .cfg_rx_prod(cfg_rx_prod),
    .link_up(link_up), .tx_cons(tx_cons), .rx_cons(rx_cons), .tx_idle(tx_idle), .rx_idle(rx_idle),
    .tx_fifo_empty(tx_fifo_empty), .dma_quiet(dma_quiet), .drain_req(drain_req),
    .drain_done(drain_done),
    .ev_tx_cpl(tx_cpl), .ev_tx_frame(tx_frame), .ev_tx_len(tx_len), .ev_tx_desc_err(tx_desc_err),
    .ev_tx_dma_err(tx_dma_err), .ev_rx_cpl(rx_cpl), .ev_rx_frame(rx_frame), .ev_rx_len(rx_len),
    .ev_rx_desc_err(rx_desc_err), .ev_rx_dma_err(rx_dma_err), .ev_rx_drop_filter(rx_drop_filter),
    .ev_rx_drop_nodesc(rx_drop_nodesc), .cnt_rx_drop_mac(cnt_rx_drop_mac),
    .cnt_rx_drop_fifo(cnt_rx_drop_fifo), .cnt_tx_underflow(cnt_tx_underflow),
    .cnt_tx_abort(cnt_tx_abort), .ev_dma_resp_err(tx_resp_err || rx_resp_err),
    .mdc(mdc), .mdio_o(mdio_o), .mdio_oe(mdio_oe), .mdio_i(mdio_i)
);

// ---------------- DMA port ----------------
wire [ADDR_WIDTH-1:0] tx_araddr, rx_araddr, tx_awaddr, rx_awaddr, mux_araddr, mux_awaddr;
wire [63:0] tx_wdata, rx_wdata;
wire [7:0]  tx_arlen, rx_arlen, rx_awlen, rx_wstrb;
wire        tx_arvalid, tx_arready, rx_arvalid, rx_arready, tx_rvalid, rx_rvalid;
wire        tx_awvalid, tx_awready, rx_awvalid, rx_awready, tx_rready;
wire        tx_wlast, tx_wvalid, tx_wready, rx_wlast, rx_wvalid, rx_wready, tx_bvalid, rx_bvalid;

nic_axi_mux #(.ADDR_WIDTH(ADDR_WIDTH)) mux (
    .clk(clk), .rst(core_rst),
    .s0_araddr(tx_araddr), .s0_arlen(tx_arlen), .s0_arvalid(tx_arvalid), .s0_arready(tx_arready),
    .s1_araddr(rx_araddr), .s1_arlen(rx_arlen), .s1_arvalid(rx_arvalid), .s1_arready(rx_arready),
    .s0_rvalid(tx_rvalid), .s1_rvalid(rx_rvalid), .s0_rready(tx_rready), .s1_rready(1'b1),
    .s0_awaddr(tx_awaddr), .s0_awlen(8'd1), .s0_awvalid(tx_awvalid), .s0_awready(tx_awready),
    .s1_awaddr(rx_awaddr), .s1_awlen(rx_awlen), .s1_awvalid(rx_awvalid), .s1_awready(rx_awready),
    .s0_wdata(tx_wdata), .s0_wstrb(8'hFF), .s0_wlast(tx_wlast), .s0_wvalid(tx_wvalid), .s0_wready(tx_wready),
    .s1_wdata(rx_wdata), .s1_wstrb(rx_wstrb), .s1_wlast(rx_wlast), .s1_wvalid(rx_wvalid), .s1_wready(rx_wready),
    .s0_bvalid(tx_bvalid), .s1_bvalid(rx_bvalid),
    .m_axi_arid(m_axi_arid), .m_axi_araddr(mux_araddr), .m_axi_arlen(m_axi_arlen),
    .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_rready(m_axi_rready), .m_axi_awid(m_axi_awid), .m_axi_awaddr(mux_awaddr),
    .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst),
    .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bid(m_axi_bid), .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready)
);

// zero above ADDR_WIDTH
function [63:0] ext64(input [ADDR_WIDTH-1:0] a);
    begin
        ext64 = 64'd0;
        ext64[ADDR_WIDTH-1:0] = a;
    end
endfunction
assign m_axi_araddr = ext64(mux_araddr);
assign m_axi_awaddr = ext64(mux_awaddr);

// ---------------- TX ----------------
wire        txf_wr_en, txf_commit, txf_rollback, txf_patch_en, txi_wr_en;
wire [63:0] txf_wr_data, txf_patch_data;
wire [8:0]  txf_patch_addr;
wire [7:0]  txf_patch_be;
wire [9:0]  txf_wr_ptr, txf_free;
wire [23:0] txi_wr_data;
wire [4:0]  txi_free;

nic_tx #(.ADDR_WIDTH(ADDR_WIDTH), .PIPE(PIPE), .CSUM(CSUM), .FIFO_AW(FIFO_AW)) tx (
    .clk(clk), .rst(core_rst),
    .cfg_enable(cfg_tx_en), .cfg_ring_base(cfg_tx_ring), .cfg_cpl_base(cfg_tx_cpl),
    .cfg_size(cfg_tx_size), .cfg_prod(cfg_tx_prod), .cfg_max_len(cfg_max_len),
    .cfg_win_base(cfg_win_base), .cfg_win_limit(cfg_win_limit), .cons(tx_cons), .idle(tx_idle),
    .m_axi_araddr(tx_araddr), .m_axi_arlen(tx_arlen), .m_axi_arvalid(tx_arvalid),
    .m_axi_arready(tx_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
    .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(tx_rvalid), .m_axi_rready(tx_rready),
    .m_axi_awaddr(tx_awaddr), .m_axi_awvalid(tx_awvalid),
    .m_axi_awready(tx_awready), .m_axi_wdata(tx_wdata), .m_axi_wlast(tx_wlast),
    .m_axi_wvalid(tx_wvalid), .m_axi_wready(tx_wready), .m_axi_bresp(m_axi_bresp),
    .m_axi_bvalid(tx_bvalid),
    .fifo_wr_en(txf_wr_en), .fifo_wr_data(txf_wr_data), .fifo_commit(txf_commit),
    .fifo_rollback(txf_rollback),
    .patch_en(txf_patch_en), .patch_addr(txf_patch_addr), .patch_be(txf_patch_be),
    .patch_data(txf_patch_data), .fifo_wr_ptr(txf_wr_ptr), .fifo_free(txf_free),
    .info_wr_en(txi_wr_en), .info_wr_data(txi_wr_data), .info_free(txi_free),
    .stat_cpl(tx_cpl), .stat_frame(tx_frame), .stat_len(tx_len), .stat_desc_err(tx_desc_err),
    .stat_resp_err(tx_resp_err), .stat_dma_err(tx_dma_err), .halted(tx_halted)
);

wire [63:0] txs_data;
wire [23:0] txs_info;
wire        txs_data_valid, txs_data_ready, txs_info_valid, txs_info_ready;

// nic_tx and nic_rx_front see 9-bit word addresses and 10-bit counts whatever FIFO_AW is: a
// smaller FIFO's pointers and free counts are zero-extended, and patch addresses (computed modulo
// 512 from its write pointer) are taken modulo its depth.
wire [FIFO_AW:0] txf_wr_ptr_n, txf_free_n;
assign txf_wr_ptr = {{(9-FIFO_AW){1'b0}}, txf_wr_ptr_n};
assign txf_free = {{(9-FIFO_AW){1'b0}}, txf_free_n};
wire unused_patch_ok = &{1'b0, txf_patch_addr};     // bits at and above FIFO_AW with FIFO_AW 8
async_fifo #(.WIDTH(64), .ADDR_WIDTH(FIFO_AW)) tx_fifo (
    .wr_clk(clk), .wr_rst(core_rst), .wr_en(txf_wr_en), .wr_data(txf_wr_data),
    .wr_commit(txf_commit), .wr_rollback(txf_rollback), .patch_en(txf_patch_en),
    .patch_addr(txf_patch_addr[FIFO_AW-1:0]), .patch_be(txf_patch_be), .patch_data(txf_patch_data),
    .wr_ptr(txf_wr_ptr_n), .wr_free(txf_free_n), .wr_empty(tx_fifo_empty),
    .rd_clk(tx_clk), .rd_rst(tx_rst), .rd_data(txs_data), .rd_valid(txs_data_valid),
    .rd_ready(txs_data_ready)
);

wire [4:0] txi_wr_ptr_unused;
wire       txi_empty_unused;
async_fifo #(.WIDTH(24), .ADDR_WIDTH(4)) tx_info_fifo (
    .wr_clk(clk), .wr_rst(core_rst), .wr_en(txi_wr_en), .wr_data(txi_wr_data),
    .wr_commit(1'b1), .wr_rollback(1'b0), .patch_en(1'b0), .patch_addr(4'd0), .patch_be(3'd0),
    .patch_data(24'd0), .wr_ptr(txi_wr_ptr_unused), .wr_free(txi_free), .wr_empty(txi_empty_unused),
    .rd_clk(tx_clk), .rd_rst(tx_rst), .rd_data(txs_info), .rd_valid(txs_info_valid),
    .rd_ready(txs_info_ready)
);

wire [7:0] mac_tx_tdata;
wire       mac_tx_tvalid, mac_tx_tready, mac_tx_tlast;

nic_tx_ser tx_ser (
    .clk(tx_clk), .rst(tx_rst),
    .data_tdata(txs_data), .data_tvalid(txs_data_valid), .data_tready(txs_data_ready),
    .info_tdata(txs_info[16:0]), .info_tvalid(txs_info_valid), .info_tready(txs_info_ready),
    .m_axis_tdata(mac_tx_tdata), .m_axis_tvalid(mac_tx_tvalid), .m_axis_tready(mac_tx_tready),
    .m_axis_tlast(mac_tx_tlast)
);

// ---------------- MAC ----------------
// MAX_LEN into rx_clk. A multi-bit value cannot go through per-bit synchronisers (bits that
// change together could be sampled from two different values), so it crosses by handshake:
// when the last transfer has been acknowledged and cfg_max_len differs from the hold register,
// the core loads the hold register and flips ml_req; rx_clk copies the hold register when it
// sees the synchronised ml_req flip - the hold register has then been stable for two rx_clk
// edges and stays so until rx_clk's acknowledge (ml_ack) comes back. A new MAX_LEN reaches
// rx_clk within about 3 core + 3 rx_clk cycles of the write. These registers are not reset, so
// the two toggles never disagree because one side was reset and the other not; a stopped
// rx_clk only delays the copy.
reg  [13:0] ml_hold = 14'd0;
reg         ml_req = 1'b0;
reg  [13:0] ml_rx = 14'd0;
reg         ml_ack = 1'b0;
wire        ml_ack_core, ml_req_rx;
cdc_sync #(.WIDTH(1)) ml_ack_sync (.clk(clk), .d(ml_ack), .q(ml_ack_core));
cdc_sync #(.WIDTH(1)) ml_req_sync (.clk(rx_clk), .d(ml_req), .q(ml_req_rx));
// Only a changed value is sent: a handshake running for ever would keep the model from ever
// reaching a fixed point (NicHarness::skip_idle) and toggle flip-flops for nothing.
always @(posedge clk) begin
    if (ml_req == ml_ack_core && ml_hold != cfg_max_len) begin
        ml_hold <= cfg_max_len;
        ml_req <= !ml_req;
    end
end
always @(posedge rx_clk) begin
    if (ml_req_rx != ml_ack) begin
        ml_rx <= ml_hold;
        ml_ack <= ml_req_rx;
    end
end
// The MAC compares its byte count with cfg_rx_max_len for equality on every byte, so the limit
// only changes while no frame is arriving (gmii_rx_dv low; the MAC's own input register is
// then low too at its next edge, which ends any frame without looking at the limit). The +4
// (the FCS, counted by the MAC) is registered here so that the MAC's compare starts at a
// flip-flop.
reg  [15:0] cfg_rx_max_len = 16'd1518;
always @(posedge rx_clk) begin
    if (!gmii_rx_dv)
        cfg_rx_max_len <= {2'b00, ml_rx} + 16'd4;
end

wire [7:0]  mac_rx_tdata;
wire        mac_rx_tvalid, mac_rx_tlast, mac_rx_tuser;
wire        rx_err_fcs, rx_err_runt, rx_err_oversize, rx_err_rxer, rx_err_preamble, rx_err_short;
wire        s_tx_frame, s_tx_uf, s_tx_abort, s_rx_frame;
wire [15:0] s_tx_len, s_rx_len;
wire [127:0] mac_tx_count;
wire [255:0] mac_rx_count;

// CTRL.SPEED_10 into the MAC clock: a level the driver changes only with the engines stopped.
// RMII has one clock for both directions (REF_CLK, RMII 1.2 section 5.1), so tx_clk's copy serves
// the receive gearbox as well.
wire mac_speed_10;
cdc_sync #(.WIDTH(1)) speed_sync (.clk(tx_clk), .d(cfg_speed_10), .q(mac_speed_10));

eth_mac #(.MODE(MAC_MODE), .STATS_ENABLE(0)) mac (
    .tx_clk(tx_clk), .tx_rst(tx_rst), .rx_clk(rx_clk), .rx_rst(rx_rst),
    .cfg_speed_10(mac_speed_10),
    .s_axis_tx_tdata(mac_tx_tdata), .s_axis_tx_tvalid(mac_tx_tvalid),
    .s_axis_tx_tready(mac_tx_tready), .s_axis_tx_tlast(mac_tx_tlast), .s_axis_tx_tuser(1'b0),
    .m_axis_rx_tdata(mac_rx_tdata), .m_axis_rx_tvalid(mac_rx_tvalid),
    .m_axis_rx_tlast(mac_rx_tlast), .m_axis_rx_tuser(mac_rx_tuser),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .cfg_ifg(8'd12), .cfg_rx_max_len(cfg_rx_max_len),
    .stat_tx_frame(s_tx_frame), .stat_tx_len(s_tx_len), .stat_tx_err_underflow(s_tx_uf),
    .stat_tx_err_abort(s_tx_abort), .stat_rx_frame(s_rx_frame), .stat_rx_len(s_rx_len),
    .stat_rx_err_fcs(rx_err_fcs), .stat_rx_err_runt(rx_err_runt),
    .stat_rx_err_oversize(rx_err_oversize), .stat_rx_err_rxer(rx_err_rxer),
    .stat_rx_err_preamble(rx_err_preamble), .stat_rx_err_short(rx_err_short),
    .stat_tx_count(mac_tx_count), .stat_rx_count(mac_rx_count)
);

// Soft reset, drain step (nic_csr): the tx_clk domain reports that no byte of a frame is left
// in the serialiser or the MAC. The level covers a frame from its first word in the FIFO's
// output register (txs_data_valid: the serialiser does not start until info and data are here,
// and the data word is held until its last byte is taken) through the MAC waiting out the IFG
// (mac_tx_tvalid), to the last FCS byte (gmii_tx_en). drain_req is raised only after the core
// saw the TX FIFO empty, that is after the tx_clk side loaded the last word, so the level is
// already up when drain_req arrives. The IFG after the frame needs no wait: the MAC comes out
// of reset counting a full gap before its next preamble.
wire drain_req_tx;
reg  tx_drained;
wire tx_line_busy = txs_data_valid || txs_info_valid || mac_tx_tvalid || gmii_tx_en;
cdc_sync #(.WIDTH(1)) drain_req_sync (.clk(tx_clk), .d(drain_req), .q(drain_req_tx));
always @(posedge tx_clk or posedge tx_rst) begin
    if (tx_rst)
        tx_drained <= 1'b0;
    else
        tx_drained <= drain_req_tx && !tx_line_busy;
end
cdc_sync #(.WIDTH(1)) drain_done_sync (.clk(clk), .d(tx_drained), .q(drain_done));

// ---------------- RX ----------------
wire        rxf_wr_en, rxf_commit, rxf_rollback, rxi_wr_en, rx_drop_fifo_pulse;
wire [63:0] rxf_wr_data;
wire [9:0]  rxf_free;
wire [47:0] rxi_wr_data;
wire [4:0]  rxi_free;

nic_rx_front #(.CSUM(CSUM)) rx_front (
    .clk(rx_clk), .rst(rx_rst),
    .s_axis_tdata(mac_rx_tdata), .s_axis_tvalid(mac_rx_tvalid), .s_axis_tlast(mac_rx_tlast),
    .s_axis_tuser(mac_rx_tuser),
    .fifo_wr_en(rxf_wr_en), .fifo_wr_data(rxf_wr_data), .fifo_commit(rxf_commit),
    .fifo_rollback(rxf_rollback), .fifo_free(rxf_free),
    .info_wr_en(rxi_wr_en), .info_wr_data(rxi_wr_data), .info_free(rxi_free),
    .stat_rx_drop_fifo(rx_drop_fifo_pulse)
);

wire [63:0] rxc_data;
wire [47:0] rxc_info;
wire        rxc_data_valid, rxc_data_ready, rxc_info_valid, rxc_info_ready;
wire [FIFO_AW:0] rxf_wr_ptr_unused, rxf_free_n;
wire        rxf_empty_unused;
assign rxf_free = {{(9-FIFO_AW){1'b0}}, rxf_free_n};

async_fifo #(.WIDTH(64), .ADDR_WIDTH(FIFO_AW)) rx_fifo (
    .wr_clk(rx_clk), .wr_rst(rx_rst), .wr_en(rxf_wr_en), .wr_data(rxf_wr_data),
    .wr_commit(rxf_commit), .wr_rollback(rxf_rollback), .patch_en(1'b0), .patch_addr({FIFO_AW{1'b0}}),
    .patch_be(8'd0), .patch_data(64'd0), .wr_ptr(rxf_wr_ptr_unused), .wr_free(rxf_free_n),
    .wr_empty(rxf_empty_unused),
    .rd_clk(clk), .rd_rst(core_rst), .rd_data(rxc_data), .rd_valid(rxc_data_valid),
    .rd_ready(rxc_data_ready)
);

wire [4:0] rxi_wr_ptr_unused;
wire       rxi_empty_unused;
async_fifo #(.WIDTH(48), .ADDR_WIDTH(4)) rx_info_fifo (
    .wr_clk(rx_clk), .wr_rst(rx_rst), .wr_en(rxi_wr_en), .wr_data(rxi_wr_data),
    .wr_commit(1'b1), .wr_rollback(1'b0), .patch_en(1'b0), .patch_addr(4'd0), .patch_be(6'd0),
    .patch_data(48'd0), .wr_ptr(rxi_wr_ptr_unused), .wr_free(rxi_free), .wr_empty(rxi_empty_unused),
    .rd_clk(clk), .rd_rst(core_rst), .rd_data(rxc_info), .rd_valid(rxc_info_valid),
    .rd_ready(rxc_info_ready)
);

nic_rx #(.ADDR_WIDTH(ADDR_WIDTH), .PIPE(PIPE)) rx (
    .clk(clk), .rst(core_rst),
    .cfg_enable(cfg_rx_en), .cfg_ring_base(cfg_rx_ring), .cfg_cpl_base(cfg_rx_cpl),
    .cfg_size(cfg_rx_size), .cfg_prod(cfg_rx_prod), .cfg_win_base(cfg_win_base),
    .cfg_win_limit(cfg_win_limit), .cfg_mac(cfg_mac), .cfg_filter(cfg_filter),
    .cfg_mc_hash(cfg_mc_hash), .cons(rx_cons), .idle(rx_idle),
    .data_tdata(rxc_data), .data_tvalid(rxc_data_valid), .data_tready(rxc_data_ready),
    .info_tdata(rxc_info), .info_tvalid(rxc_info_valid), .info_tready(rxc_info_ready),
    .m_axi_araddr(rx_araddr), .m_axi_arlen(rx_arlen), .m_axi_arvalid(rx_arvalid),
    .m_axi_arready(rx_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
    .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(rx_rvalid), .m_axi_awaddr(rx_awaddr), .m_axi_awlen(rx_awlen),
    .m_axi_awvalid(rx_awvalid), .m_axi_awready(rx_awready), .m_axi_wdata(rx_wdata),
    .m_axi_wstrb(rx_wstrb), .m_axi_wlast(rx_wlast), .m_axi_wvalid(rx_wvalid),
    .m_axi_wready(rx_wready), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(rx_bvalid),
    .stat_cpl(rx_cpl), .stat_frame(rx_frame), .stat_len(rx_len), .stat_desc_err(rx_desc_err),
    .stat_resp_err(rx_resp_err),
    .stat_drop_filter(rx_drop_filter), .stat_drop_nodesc(rx_drop_nodesc),
    .stat_dma_err(rx_dma_err), .halted(rx_halted)
);

// ---------------- tx_clk and rx_clk event counters ----------------
cdc_count #(.WIDTH(STAT_WIDTH)) cnt_uf (
    .src_clk(tx_clk), .src_rst(1'b0), .src_inc(s_tx_uf),
    .dst_clk(clk), .dst_count(cnt_tx_underflow)
);
cdc_count #(.WIDTH(STAT_WIDTH)) cnt_abort (
    .src_clk(tx_clk), .src_rst(1'b0), .src_inc(s_tx_abort),
    .dst_clk(clk), .dst_count(cnt_tx_abort)
);
cdc_count #(.WIDTH(STAT_WIDTH)) cnt_mac (
    .src_clk(rx_clk), .src_rst(1'b0),
    .src_inc(rx_err_fcs || rx_err_runt || rx_err_oversize || rx_err_rxer || rx_err_preamble ||
             rx_err_short),
    .dst_clk(clk), .dst_count(cnt_rx_drop_mac)
);
cdc_count #(.WIDTH(STAT_WIDTH)) cnt_fifo (
    .src_clk(rx_clk), .src_rst(1'b0), .src_inc(rx_drop_fifo_pulse),
    .dst_clk(clk), .dst_count(cnt_rx_drop_fifo)
);

wire unused_ok = &{1'b0, tx_halted, rx_halted, txs_info[23:17],
                   txi_wr_ptr_unused, txi_empty_unused, rxf_wr_ptr_unused, rxf_empty_unused,
                   rxi_wr_ptr_unused, rxi_empty_unused, s_tx_frame, s_tx_len,
                   s_rx_frame, s_rx_len, mac_tx_count, mac_rx_count};

endmodule

`resetall
