`resetall
`timescale 1ns / 1ps
`default_nettype none

// Register block of the NIC: the AXI4-Lite slave (ARM IHI 0022E part B), the registers of
// rtl/nic/nic_regs.json (offsets from the generated nic_regs.vh), the statistics counters, the
// interrupt logic with moderation, the MDIO master and the soft-reset sequencer.
//
// AXI4-Lite: nic_axil_slave takes AW and W independently and writes once both are here; one B
// per write, one R per read (B1.1; proved in rtl/nic/formal). Byte strobes apply. Unknown
// offsets read 0 and ignore writes (OKAY).
//
// Interrupts: IRQ_CAUSE bits are set by events and cleared by writing 1. LINK and ERR raise the
// line at once when unmasked. TX and RX completions are moderated: the line rises once
// IRQ_MOD_PKTS completions are pending, or IRQ_MOD_TIMER cycles after the first of them, and
// stays up until the driver has cleared both TX and RX causes (which restarts moderation).
//
// Rings: SIZE takes 16..4096 and PROD indexes below SIZE; a write that breaks either rule is
// refused whole (the register keeps its value), so the engines never see PROD >= SIZE and never
// take a descriptor the driver did not post. A SIZE write that would leave PROD or CONS at or
// above the new SIZE is refused too (shrink a ring only after a reset, when both are 0).
//
// Soft reset (CTRL.RESET), in three steps:
//   1. the engines are stopped at a frame boundary and wait until every DMA transfer has ended
//      and the TX FIFO is empty (tx_idle, rx_idle, tx_fifo_empty);
//   2. drain: drain_req asks the tx_clk domain whether the serialiser and the MAC still hold
//      bytes of a frame (its last FIFO word, padding to 60 bytes, FCS, IFG: at most
//      12 + 8 + 60 + 4 tx_clk cycles plus the MAC pipeline) and waits for drain_done, so that
//      the MAC never cuts a frame on the line, whatever the ratio of the core clock to tx_clk;
//   3. soft_rst is high for 16 cycles. It resets everything but this block's AXI4-Lite state
//      machine and the DMA window.
// A stopped PHY clock (PHY powered down, cable out) keeps the TX FIFO full or drain_done low
// for ever, so steps 1 and 2 give up DRAIN_TIMEOUT core cycles after the request - but only
// while dma_quiet says no AXI transfer is outstanding (ARM IHI 0022E A3.2.1: a burst is never
// abandoned). With running clocks draining takes at most the 4 KB TX FIFO plus one frame at
// 1 Gb/s, about 45 us: DRAIN_TIMEOUT = 2^16 is longer than that at any core clock up to
// 1.4 GHz. The reset then completes within DRAIN_TIMEOUT + 17 cycles of the request, provided
// the host answers the DMA transfers already issued.
module nic_csr #(
    // Host (DMA) address bits kept in the address registers (window, rings), 13..64. The
    // register map does not change: bits at and above ADDR_WIDTH read as 0 and ignore writes.
    parameter ADDR_WIDTH = 64,
    // Bits of the statistics counters (STAT_* registers), 14..32: they wrap at 2^STAT_WIDTH and
    // read with the bits above as 0. 32 is the full register; a small FPGA saves the rest.
    parameter STAT_WIDTH = 32,
    // Core cycles after CTRL.RESET at which the reset stops waiting for the MAC (above).
    parameter DRAIN_TIMEOUT = 65536,
    // Reported in CAPS only (nic_core's parameters): frames in flight per DMA engine, and the
    // checksum engines (1: TX insertion and RX verdicts, 0: none).
    parameter PIPE = 4,
    parameter CSUM = 1,
    // Reported in CAPS.MAC_MODE: the MAC's PHY interface (0 GMII, 1 MII, 2 RMII)
    parameter MAC_MODE = 0
) (
    input  wire        clk,
    input  wire        rst,

    // AXI4-Lite slave
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

    output reg         irq,
    output wire        soft_rst,

    // configuration out
    output wire        cfg_tx_en,
    output wire        cfg_rx_en,
    output reg  [47:0] cfg_mac,
    output reg  [4:0]  cfg_filter,
    output reg  [13:0] cfg_max_len,
    output reg         cfg_speed_10,     // CTRL.SPEED_10 (RMII 10 Mb/s); kept through CTRL.RESET
    output reg  [63:0] cfg_mc_hash,
    output reg  [ADDR_WIDTH-1:0] cfg_win_base,
    output reg  [ADDR_WIDTH-1:0] cfg_win_limit,
    output reg  [ADDR_WIDTH-1:0] cfg_tx_ring,
    output reg  [ADDR_WIDTH-1:0] cfg_tx_cpl,
    output reg  [12:0] cfg_tx_size,
    output reg  [11:0] cfg_tx_prod,
    output reg  [ADDR_WIDTH-1:0] cfg_rx_ring,
    output reg  [ADDR_WIDTH-1:0] cfg_rx_cpl,
    output reg  [12:0] cfg_rx_size,
    output reg  [11:0] cfg_rx_prod,

    // status in
    input  wire        link_up,          // synchronised
    input  wire [11:0] tx_cons,
    input  wire [11:0] rx_cons,
    input  wire        tx_idle,
    input  wire        rx_idle,
    input  wire        tx_fifo_empty,
    input  wire        dma_quiet,        // no AXI transfer issued and not yet answered
    output reg         drain_req,        // soft reset, step 2 (to the tx_clk domain)
    input  wire        drain_done,       // tx_clk domain: nothing of a frame left (synchronised)

    // events
    input  wire        ev_tx_cpl,
    input  wire        ev_tx_frame,
    input  wire [13:0] ev_tx_len,
    input  wire        ev_tx_desc_err,
    input  wire        ev_tx_dma_err,
    input  wire        ev_rx_cpl,
    input  wire        ev_rx_frame,
    input  wire [13:0] ev_rx_len,
    input  wire        ev_rx_desc_err,
    input  wire        ev_rx_dma_err,
    input  wire        ev_rx_drop_filter,
    input  wire        ev_rx_drop_nodesc,
    input  wire [STAT_WIDTH-1:0] cnt_rx_drop_mac,  // counted in rx_clk, synchronised
    input  wire [STAT_WIDTH-1:0] cnt_rx_drop_fifo,
    input  wire [STAT_WIDTH-1:0] cnt_tx_underflow, // counted in tx_clk, synchronised
    input  wire [STAT_WIDTH-1:0] cnt_tx_abort,
    input  wire        ev_dma_resp_err,  // a DMA read or write answered SLVERR/DECERR

    // MDIO
    output wire        mdc,
    output wire        mdio_o,
    output wire        mdio_oe,
    input  wire        mdio_i
);

`include "nic_regs.vh"

// ---------------- AXI4-Lite ----------------
wire        do_write;
wire [11:0] aw_addr;
wire [31:0] w_data;
wire [3:0]  w_strb;
wire        rd_en;
wire [11:0] rd_addr;
reg  [31:0] rd_val;

nic_axil_slave #(.ADDR_WIDTH(12)) axil (
    .clk(clk), .rst(rst),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
    .wr_en(do_write), .wr_addr(aw_addr), .wr_data(w_data), .wr_strb(w_strb),
    .rd_en(rd_en), .rd_addr(rd_addr), .rd_data(rd_val)
);

wire [11:0] wa = {aw_addr[11:2], 2'b00};

function [31:0] merge(input [31:0] old, input [31:0] nw, input [3:0] strb);
    integer i;
    begin
        for (i = 0; i < 4; i = i + 1)
            merge[i*8 +: 8] = strb[i] ? nw[i*8 +: 8] : old[i*8 +: 8];
    end
endfunction

// An address register seen as the 64-bit register pair of the map, and a write of one half of it.
function [63:0] ext64(input [ADDR_WIDTH-1:0] a);
    begin
        ext64 = 64'd0;
        ext64[ADDR_WIDTH-1:0] = a;
    end
endfunction

function [ADDR_WIDTH-1:0] wr_half(input [ADDR_WIDTH-1:0] old, input hi, input [31:0] nw,
                                  input [3:0] strb);
    reg [63:0] t;
    begin
        t = ext64(old);
        if (hi)
            t[63:32] = merge(t[63:32], nw, strb);
        else
            t[31:0] = merge(t[31:0], nw, strb);
        wr_half = t[ADDR_WIDTH-1:0];
    end
endfunction

// 8-byte granularity of the window registers
localparam [ADDR_WIDTH-1:0] ALIGN8 = {{(ADDR_WIDTH-3){1'b1}}, 3'b000};

// ---------------- soft reset sequencer ----------------
localparam TW = $clog2(DRAIN_TIMEOUT + 1);
localparam [TW-1:0] TIMEOUT = DRAIN_TIMEOUT[TW-1:0];

reg          rst_req;
reg  [4:0]   rst_cnt;      // 16..1: soft_rst
reg  [TW-1:0] rst_wait;    // core cycles since the request, saturating at TIMEOUT
wire         timed_out = rst_wait == TIMEOUT && dma_quiet;
assign soft_rst = rst_cnt != 5'd0;
wire rst_all = rst || soft_rst;

always @(posedge clk) begin
    if (rst) begin
        rst_req <= 1'b0;
        rst_cnt <= 5'd0;
        rst_wait <= {TW{1'b0}};
        drain_req <= 1'b0;
    end else begin
        if (do_write && wa == REG_CTRL && w_strb[0] && w_data[CTRL_RESET_LSB])
            rst_req <= 1'b1;
        if (rst_req && rst_cnt == 5'd0 && rst_wait != TIMEOUT)
            rst_wait <= rst_wait + 1'b1;
        if (rst_req && rst_cnt == 5'd0) begin
            if (!drain_req && tx_idle && rx_idle && tx_fifo_empty)
                drain_req <= 1'b1;
            if ((drain_req && drain_done) || timed_out) begin
                drain_req <= 1'b0;
                rst_cnt <= 5'd16;
            end
        end else if (rst_cnt != 5'd0) begin
            rst_cnt <= rst_cnt - 5'd1;
            if (rst_cnt == 5'd1) begin
                rst_req <= 1'b0;
                rst_wait <= {TW{1'b0}};
            end
        end
    end
end

// ---------------- registers ----------------
reg [1:0]  ctrl_en;
reg [3:0]  irq_cause, irq_mask;
reg [15:0] mod_pkts;
reg [23:0] mod_timer;
reg [7:0]  mdio_div;
assign cfg_tx_en = ctrl_en[0] && !rst_req;
assign cfg_rx_en = ctrl_en[1] && !rst_req;

// Ring SIZE and PROD writes: the strobed bytes merged into the register (bits above it must be
// 0: 8192 is not 0), then the register map's range rules; a refused write changes nothing.
// The range tests are bitwise rather than comparisons with constants, which synthesis would
// build from carry chains.
wire [31:0] tx_size_m = merge({19'd0, cfg_tx_size}, w_data, w_strb);
wire [31:0] rx_size_m = merge({19'd0, cfg_rx_size}, w_data, w_strb);
wire [31:0] tx_prod_m = merge({20'd0, cfg_tx_prod}, w_data, w_strb);
wire [31:0] rx_prod_m = merge({20'd0, cfg_rx_prod}, w_data, w_strb);
wire [12:0] tx_size_w = tx_size_m[12:0];
wire [12:0] rx_size_w = rx_size_m[12:0];
wire [11:0] tx_prod_w = tx_prod_m[11:0];
wire [11:0] rx_prod_w = rx_prod_m[11:0];

// 16 <= m <= 4096
function size_in_range(input [31:0] m);
    size_in_range = !(|m[31:13]) && (m[12] ? !(|m[11:0]) : |m[11:4]);
endfunction

// A 4096-entry ring holds every 12-bit index; below that PROD and CONS must be under SIZE.
wire tx_size_ok = size_in_range(tx_size_m) &&
                  (tx_size_m[12] || (cfg_tx_prod < tx_size_m[11:0] && tx_cons < tx_size_m[11:0]));
wire rx_size_ok = size_in_range(rx_size_m) &&
                  (rx_size_m[12] || (cfg_rx_prod < rx_size_m[11:0] && rx_cons < rx_size_m[11:0]));
wire tx_prod_ok = !(|tx_prod_m[31:12]) && (cfg_tx_size[12] || tx_prod_w < cfg_tx_size[11:0]);
wire rx_prod_ok = !(|rx_prod_m[31:12]) && (cfg_rx_size[12] || rx_prod_w < cfg_rx_size[11:0]);

wire [31:0] r_mac_lo = cfg_mac[31:0];
wire [31:0] r_mac_hi = {16'd0, cfg_mac[47:32]};

always @(posedge clk) begin
    if (rst) begin
        cfg_win_base <= {ADDR_WIDTH{1'b0}};
        cfg_win_limit <= {ADDR_WIDTH{1'b0}};
    end else if (do_write) begin
        case (wa)
        // 8-byte granularity, so that a beat that holds any byte of an allowed buffer lies
        // wholly inside the window (the DMA moves whole 8-byte beats)
        REG_DMA_WIN_BASE_LO:  cfg_win_base <= wr_half(cfg_win_base, 1'b0, w_data, w_strb) & ALIGN8;
        REG_DMA_WIN_BASE_HI:  cfg_win_base <= wr_half(cfg_win_base, 1'b1, w_data, w_strb);
        REG_DMA_WIN_LIMIT_LO: cfg_win_limit <= wr_half(cfg_win_limit, 1'b0, w_data, w_strb) & ALIGN8;
        REG_DMA_WIN_LIMIT_HI: cfg_win_limit <= wr_half(cfg_win_limit, 1'b1, w_data, w_strb);
        default: ;
        endcase
    end
end

// A write merges the strobed bytes into the register it addresses (each register's flip-flops
// are enabled per byte, so no shared read-modify-write multiplexer is needed).
// ---------------- MDIO ----------------
wire        mdio_busy;
wire [15:0] mdio_rd;
reg  [26:0] mdio_cmd;
wire        mdio_start = do_write && wa == REG_MDIO_CMD && !mdio_busy;

nic_mdio mdio (
    .clk(clk), .rst(rst_all), .cfg_div(mdio_div),
    .start(mdio_start), .cmd_read(w_data[MDIO_CMD_READ_LSB]), .cmd_phy(w_data[MDIO_CMD_PHY_LSB +: 5]),
    .cmd_reg(w_data[MDIO_CMD_REG_LSB +: 5]), .cmd_data(w_data[MDIO_CMD_DATA_LSB +: 16]),
    .busy(mdio_busy), .rd_data(mdio_rd),
    .mdc(mdc), .mdio_o(mdio_o), .mdio_oe(mdio_oe), .mdio_i(mdio_i)
);

// The link speed is the PHY's, not engine state: like the DMA window it survives CTRL.RESET, so the
// driver's recovery (a soft reset) does not drop a 10 Mb/s link to the 100 Mb/s symbol rate.
always @(posedge clk) begin
    if (rst)
        cfg_speed_10 <= 1'b0;
    else if (do_write && wa == REG_CTRL && w_strb[0])
        cfg_speed_10 <= w_data[CTRL_SPEED_10_LSB];
end

// ---------------- interrupts ----------------
reg        link_q;
reg [15:0] pending;
reg [23:0] timer;
reg        fired;
wire [3:0] ev = {ev_tx_dma_err || ev_rx_dma_err, link_up != link_q, ev_rx_cpl, ev_tx_cpl};
wire [3:0] cause_clr = (do_write && wa == REG_IRQ_CAUSE) ? (w_data[3:0] & {4{w_strb[0]}}) : 4'd0;
wire [3:0] cause_next = (irq_cause & ~cause_clr) | ev;
wire [1:0] n_cpl = {1'b0, ev_tx_cpl} + {1'b0, ev_rx_cpl};

always @(posedge clk) begin
    if (rst_all) begin
        ctrl_en <= RST_CTRL[1:0];
        cfg_mac <= 48'd0;
        cfg_filter <= RST_RX_FILTER[4:0];
        cfg_max_len <= RST_MAX_LEN[13:0];
        cfg_mc_hash <= 64'd0;
        cfg_tx_ring <= {ADDR_WIDTH{1'b0}};
        cfg_tx_cpl <= {ADDR_WIDTH{1'b0}};
        cfg_tx_size <= RST_TX_SIZE[12:0];
        cfg_tx_prod <= 12'd0;
        cfg_rx_ring <= {ADDR_WIDTH{1'b0}};
        cfg_rx_cpl <= {ADDR_WIDTH{1'b0}};
        cfg_rx_size <= RST_RX_SIZE[12:0];
        cfg_rx_prod <= 12'd0;
        irq_cause <= 4'd0;
        irq_mask <= 4'd0;
        mod_pkts <= RST_IRQ_MOD_PKTS[15:0];
        mod_timer <= 24'd0;
        mdio_div <= RST_MDIO_DIV[7:0];
        mdio_cmd <= 27'd0;
        link_q <= link_up;
        pending <= 16'd0;
        timer <= 24'd0;
        fired <= 1'b0;
        irq <= 1'b0;
    end else begin
        if (do_write) begin
            case (wa)
            REG_CTRL:          if (w_strb[0]) ctrl_en <= w_data[1:0];
            REG_MAC_LO:        cfg_mac[31:0] <= merge(cfg_mac[31:0], w_data, w_strb);
            REG_MAC_HI:        begin
                                   if (w_strb[0]) cfg_mac[39:32] <= w_data[7:0];
                                   if (w_strb[1]) cfg_mac[47:40] <= w_data[15:8];
                               end
            REG_RX_FILTER:     if (w_strb[0]) cfg_filter <= w_data[4:0];
            REG_MAX_LEN:       begin
                                   if (w_strb[0]) cfg_max_len[7:0] <= w_data[7:0];
                                   if (w_strb[1]) cfg_max_len[13:8] <= w_data[13:8];
                               end
            REG_MC_HASH_LO:    cfg_mc_hash[31:0] <= merge(cfg_mc_hash[31:0], w_data, w_strb);
            REG_MC_HASH_HI:    cfg_mc_hash[63:32] <= merge(cfg_mc_hash[63:32], w_data, w_strb);
            REG_TX_RING_LO:    cfg_tx_ring <= wr_half(cfg_tx_ring, 1'b0, w_data, w_strb);
            REG_TX_RING_HI:    cfg_tx_ring <= wr_half(cfg_tx_ring, 1'b1, w_data, w_strb);
            REG_TX_CPL_LO:     cfg_tx_cpl <= wr_half(cfg_tx_cpl, 1'b0, w_data, w_strb);
            REG_TX_CPL_HI:     cfg_tx_cpl <= wr_half(cfg_tx_cpl, 1'b1, w_data, w_strb);
            REG_TX_SIZE:       if (tx_size_ok) cfg_tx_size <= tx_size_w;
            REG_TX_PROD:       if (tx_prod_ok) cfg_tx_prod <= tx_prod_w;
            REG_RX_RING_LO:    cfg_rx_ring <= wr_half(cfg_rx_ring, 1'b0, w_data, w_strb);
            REG_RX_RING_HI:    cfg_rx_ring <= wr_half(cfg_rx_ring, 1'b1, w_data, w_strb);
            REG_RX_CPL_LO:     cfg_rx_cpl <= wr_half(cfg_rx_cpl, 1'b0, w_data, w_strb);
            REG_RX_CPL_HI:     cfg_rx_cpl <= wr_half(cfg_rx_cpl, 1'b1, w_data, w_strb);
            REG_RX_SIZE:       if (rx_size_ok) cfg_rx_size <= rx_size_w;
            REG_RX_PROD:       if (rx_prod_ok) cfg_rx_prod <= rx_prod_w;
            REG_IRQ_MASK:      if (w_strb[0]) irq_mask <= w_data[3:0];
            REG_IRQ_MOD_PKTS:  begin
                                   if (w_strb[0]) mod_pkts[7:0] <= w_data[7:0];
                                   if (w_strb[1]) mod_pkts[15:8] <= w_data[15:8];
                               end
            REG_IRQ_MOD_TIMER: begin
                                   if (w_strb[0]) mod_timer[7:0] <= w_data[7:0];
                                   if (w_strb[1]) mod_timer[15:8] <= w_data[15:8];
                                   if (w_strb[2]) mod_timer[23:16] <= w_data[23:16];
                               end
            REG_MDIO_CMD:      if (!mdio_busy) mdio_cmd <= w_data[26:0];
            REG_MDIO_DIV:      if (w_strb[0]) mdio_div <= w_data[7:0];
            default: ;
            endcase
        end

        link_q <= link_up;
        irq_cause <= cause_next;
        if (cause_next[1:0] == 2'b00) begin
            pending <= 16'd0;
            timer <= 24'd0;
            fired <= 1'b0;
        end else begin
            if (pending + {14'd0, n_cpl} >= 16'hFFFF)
                pending <= 16'hFFFF;
            else
                pending <= pending + {14'd0, n_cpl};
            if (pending != 16'd0)
                timer <= timer + 24'd1;
            if ((mod_pkts <= 16'd1 && pending + {14'd0, n_cpl} != 16'd0) ||
                pending + {14'd0, n_cpl} >= mod_pkts ||
                (mod_timer != 24'd0 && pending != 16'd0 && timer + 24'd1 >= mod_timer))
                fired <= 1'b1;
        end
        irq <= |(irq_cause[3:2] & irq_mask[3:2]) || (fired && |(irq_cause[1:0] & irq_mask[1:0]));
    end
end

// ---------------- statistics ----------------
wire [STAT_WIDTH-1:0] c_tx_frames, c_tx_bytes, c_rx_frames, c_rx_bytes, c_drop_filter, c_drop_nodesc,
            c_tx_desc_err, c_rx_desc_err, c_dma_err, c_dma_resp_err;
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s0 (.clk(clk), .rst(rst_all), .inc(ev_tx_frame), .inc_value(1'b1), .count(c_tx_frames));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(14)) s1 (.clk(clk), .rst(rst_all), .inc(ev_tx_frame), .inc_value(ev_tx_len), .count(c_tx_bytes));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s2 (.clk(clk), .rst(rst_all), .inc(ev_rx_frame), .inc_value(1'b1), .count(c_rx_frames));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(14)) s3 (.clk(clk), .rst(rst_all), .inc(ev_rx_frame), .inc_value(ev_rx_len), .count(c_rx_bytes));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s4 (.clk(clk), .rst(rst_all), .inc(ev_rx_drop_filter), .inc_value(1'b1), .count(c_drop_filter));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s5 (.clk(clk), .rst(rst_all), .inc(ev_rx_drop_nodesc), .inc_value(1'b1), .count(c_drop_nodesc));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s6 (.clk(clk), .rst(rst_all), .inc(ev_tx_desc_err), .inc_value(1'b1), .count(c_tx_desc_err));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s7 (.clk(clk), .rst(rst_all), .inc(ev_rx_desc_err), .inc_value(1'b1), .count(c_rx_desc_err));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s8 (.clk(clk), .rst(rst_all), .inc(ev_tx_dma_err || ev_rx_dma_err), .inc_value(1'b1), .count(c_dma_err));
stat_counter #(.WIDTH(STAT_WIDTH), .INC_WIDTH(1))  s9 (.clk(clk), .rst(rst_all), .inc(ev_dma_resp_err), .inc_value(1'b1), .count(c_dma_resp_err));

// The rx_clk and tx_clk counters are not reset by a soft reset (their domains are, but a stopped
// PHY clock would hold them): report differences from their value at the last reset, so that
// every counter reads 0 after CTRL.RESET.
reg [STAT_WIDTH-1:0] base_drop_mac, base_drop_fifo, base_tx_uf, base_tx_abort;
always @(posedge clk) begin
    if (rst_all) begin
        base_drop_mac <= cnt_rx_drop_mac;
        base_drop_fifo <= cnt_rx_drop_fifo;
        base_tx_uf <= cnt_tx_underflow;
        base_tx_abort <= cnt_tx_abort;
    end
end

// ---------------- reads (registered by nic_axil_slave) ----------------
// a statistics counter as its 32-bit register
function [31:0] stat32(input [STAT_WIDTH-1:0] c);
    begin
        stat32 = 32'd0;
        stat32[STAT_WIDTH-1:0] = c;
    end
endfunction

// one 32-bit half of an address register (bits at and above ADDR_WIDTH read 0)
function [31:0] half32(input [ADDR_WIDTH-1:0] a, input hi);
    reg [63:0] t;
    begin
        t = ext64(a);
        half32 = hi ? t[63:32] : t[31:0];
    end
endfunction

// CAPS: the build's constants (docs/registers.md)
localparam [31:0] CAPS_VAL = ((CSUM != 0 ? 32'd1 : 32'd0) << CAPS_TX_CSUM_LSB) |
                             ((CSUM != 0 ? 32'd1 : 32'd0) << CAPS_RX_CSUM_LSB) |
                             (PIPE << CAPS_PIPE_LSB) | (ADDR_WIDTH << CAPS_ADDR_WIDTH_LSB) |
                             (STAT_WIDTH << CAPS_STAT_WIDTH_LSB) | (MAC_MODE << CAPS_MAC_MODE_LSB);

always @* begin
    case ({rd_addr[11:2], 2'b00})
    REG_ID:               rd_val = RST_ID;
    REG_VERSION:          rd_val = RST_VERSION;
    REG_CAPS:             rd_val = CAPS_VAL;
    REG_CTRL:             rd_val = {28'd0, cfg_speed_10, rst_req || soft_rst, ctrl_en};
    REG_STATUS:           rd_val = {29'd0, rx_idle, tx_idle, link_up};
    REG_MAC_LO:           rd_val = r_mac_lo;
    REG_MAC_HI:           rd_val = r_mac_hi;
    REG_RX_FILTER:        rd_val = {27'd0, cfg_filter};
    REG_MAX_LEN:          rd_val = {18'd0, cfg_max_len};
    REG_MC_HASH_LO:       rd_val = cfg_mc_hash[31:0];
    REG_MC_HASH_HI:       rd_val = cfg_mc_hash[63:32];
    REG_DMA_WIN_BASE_LO:  rd_val = half32(cfg_win_base, 1'b0);
    REG_DMA_WIN_BASE_HI:  rd_val = half32(cfg_win_base, 1'b1);
    REG_DMA_WIN_LIMIT_LO: rd_val = half32(cfg_win_limit, 1'b0);
    REG_DMA_WIN_LIMIT_HI: rd_val = half32(cfg_win_limit, 1'b1);
    REG_TX_RING_LO:       rd_val = half32(cfg_tx_ring, 1'b0);
    REG_TX_RING_HI:       rd_val = half32(cfg_tx_ring, 1'b1);
    REG_TX_CPL_LO:        rd_val = half32(cfg_tx_cpl, 1'b0);
    REG_TX_CPL_HI:        rd_val = half32(cfg_tx_cpl, 1'b1);
    REG_TX_SIZE:          rd_val = {19'd0, cfg_tx_size};
    REG_TX_PROD:          rd_val = {20'd0, cfg_tx_prod};
    REG_TX_CONS:          rd_val = {20'd0, tx_cons};
    REG_RX_RING_LO:       rd_val = half32(cfg_rx_ring, 1'b0);
    REG_RX_RING_HI:       rd_val = half32(cfg_rx_ring, 1'b1);
    REG_RX_CPL_LO:        rd_val = half32(cfg_rx_cpl, 1'b0);
    REG_RX_CPL_HI:        rd_val = half32(cfg_rx_cpl, 1'b1);
    REG_RX_SIZE:          rd_val = {19'd0, cfg_rx_size};
    REG_RX_PROD:          rd_val = {20'd0, cfg_rx_prod};
    REG_RX_CONS:          rd_val = {20'd0, rx_cons};
    REG_IRQ_CAUSE:        rd_val = {28'd0, irq_cause};
    REG_IRQ_MASK:         rd_val = {28'd0, irq_mask};
    REG_IRQ_MOD_PKTS:     rd_val = {16'd0, mod_pkts};
    REG_IRQ_MOD_TIMER:    rd_val = {8'd0, mod_timer};
    REG_MDIO_CMD:         rd_val = {mdio_busy, 4'd0, mdio_cmd};
    REG_MDIO_DATA:        rd_val = {16'd0, mdio_rd};
    REG_MDIO_DIV:         rd_val = {24'd0, mdio_div};
    REG_STAT_TX_FRAMES:   rd_val = stat32(c_tx_frames);
    REG_STAT_TX_BYTES:    rd_val = stat32(c_tx_bytes);
    REG_STAT_RX_FRAMES:   rd_val = stat32(c_rx_frames);
    REG_STAT_RX_BYTES:    rd_val = stat32(c_rx_bytes);
    REG_STAT_RX_DROP_MAC: rd_val = stat32(cnt_rx_drop_mac - base_drop_mac);
    REG_STAT_RX_DROP_FILTER: rd_val = stat32(c_drop_filter);
    REG_STAT_RX_DROP_NODESC: rd_val = stat32(c_drop_nodesc);
    REG_STAT_RX_DROP_FIFO: rd_val = stat32(cnt_rx_drop_fifo - base_drop_fifo);
    REG_STAT_TX_DESC_ERR: rd_val = stat32(c_tx_desc_err);
    REG_STAT_RX_DESC_ERR: rd_val = stat32(c_rx_desc_err);
    REG_STAT_DMA_ERR:     rd_val = stat32(c_dma_err);
    REG_STAT_DMA_RESP_ERR: rd_val = stat32(c_dma_resp_err);
    REG_STAT_TX_UNDERFLOW: rd_val = stat32(cnt_tx_underflow - base_tx_uf);
    REG_STAT_TX_ABORT:    rd_val = stat32(cnt_tx_abort - base_tx_abort);
    default:              rd_val = 32'd0;
    endcase
end

wire unused_ok = &{1'b0, rd_addr[1:0], aw_addr[1:0], rd_en};

endmodule

`resetall
