`resetall
`timescale 1ns / 1ps
`default_nettype none

// Shares the AXI4 master port (ARM IHI 0022E) between the TX engine (ID 0) and the RX engine
// (ID 1). Reads: the AR channel goes to one engine at a time, alternating when both ask; a
// request stays selected until its handshake (A3.2.1: once VALID is asserted it must stay, with
// its payload, until READY). R beats go back by RID, and so does RREADY (the TX engine holds
// frame data back while it patches checksums). Writes: a burst belongs to one engine from the
// cycle its AWVALID is seen until both its AW handshake and its WLAST beat are through; AW and W
// are forwarded together, so write data never waits for AWREADY (A3.3.1: a slave may wait for
// WVALID before it asserts AWREADY) and is never interleaved (AXI4 has no WID). Each engine
// raises AWVALID no later than the first WVALID of a burst. B responses go back by BID, BREADY
// is tied high (the engines take every response). Every burst is INCR of 8-byte beats.
module nic_axi_mux #(
    parameter ADDR_WIDTH = 64           // host address bits (nic_core ADDR_WIDTH)
) (
    input  wire        clk,
    input  wire        rst,

    // engine 0 (TX) and 1 (RX): AR, R
    input  wire [ADDR_WIDTH-1:0] s0_araddr,  input wire [7:0] s0_arlen,  input wire s0_arvalid, output wire s0_arready,
    input  wire [ADDR_WIDTH-1:0] s1_araddr,  input wire [7:0] s1_arlen,  input wire s1_arvalid, output wire s1_arready,
    output wire        s0_rvalid,  output wire s1_rvalid,
    input  wire        s0_rready,  input  wire s1_rready,
    // AW, W, B
    input  wire [ADDR_WIDTH-1:0] s0_awaddr,  input wire [7:0] s0_awlen,  input wire s0_awvalid, output wire s0_awready,
    input  wire [ADDR_WIDTH-1:0] s1_awaddr,  input wire [7:0] s1_awlen,  input wire s1_awvalid, output wire s1_awready,
    input  wire [63:0] s0_wdata,   input wire [7:0] s0_wstrb,  input wire s0_wlast,   input wire s0_wvalid,
    output wire        s0_wready,
    input  wire [63:0] s1_wdata,   input wire [7:0] s1_wstrb,  input wire s1_wlast,   input wire s1_wvalid,
    output wire        s1_wready,
    output wire        s0_bvalid,  output wire s1_bvalid,

    // AXI4 master
    output wire [0:0]  m_axi_arid,
    output wire [ADDR_WIDTH-1:0] m_axi_araddr,
    output wire [7:0]  m_axi_arlen,
    output wire [2:0]  m_axi_arsize,
    output wire [1:0]  m_axi_arburst,
    output wire        m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire        m_axi_rvalid,
    output wire        m_axi_rready,
    output wire [0:0]  m_axi_awid,
    output wire [ADDR_WIDTH-1:0] m_axi_awaddr,
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
    input  wire        m_axi_bvalid,
    output wire        m_axi_bready
);

// ---- reads ----
reg  ar_lock, ar_sel, ar_last;
wire ar_pick = ar_lock ? ar_sel : (s0_arvalid && s1_arvalid) ? !ar_last : s1_arvalid;
assign m_axi_arid    = ar_pick;
assign m_axi_araddr  = ar_pick ? s1_araddr : s0_araddr;
assign m_axi_arlen   = ar_pick ? s1_arlen : s0_arlen;
assign m_axi_arsize  = 3'd3;       // 8 bytes per beat
assign m_axi_arburst = 2'b01;      // INCR
assign m_axi_arvalid = ar_pick ? s1_arvalid : s0_arvalid;
assign s0_arready = !ar_pick && m_axi_arready;
assign s1_arready = ar_pick && m_axi_arready;
assign m_axi_rready = m_axi_rid == 1'b1 ? s1_rready : s0_rready;
assign s0_rvalid = m_axi_rvalid && m_axi_rid == 1'b0;
assign s1_rvalid = m_axi_rvalid && m_axi_rid == 1'b1;

always @(posedge clk) begin
    if (rst) begin
        ar_lock <= 1'b0;
        ar_sel <= 1'b0;
        ar_last <= 1'b0;
    end else if (m_axi_arvalid) begin
        if (m_axi_arready) begin
            ar_lock <= 1'b0;
            ar_last <= ar_pick;
        end else begin
            ar_lock <= 1'b1;
            ar_sel <= ar_pick;
        end
    end
end

// ---- writes ----
reg  w_busy, w_own, w_last, aw_done, w_done;
wire w_pick = (s0_awvalid && s1_awvalid) ? !w_last : s1_awvalid;
wire w_sel = w_busy ? w_own : w_pick;
wire s_awvalid = w_sel ? s1_awvalid : s0_awvalid;
wire w_active = w_busy || s_awvalid;            // a burst is selected this cycle
assign m_axi_awid    = w_sel;
assign m_axi_awaddr  = w_sel ? s1_awaddr : s0_awaddr;
assign m_axi_awlen   = w_sel ? s1_awlen : s0_awlen;
assign m_axi_awsize  = 3'd3;
assign m_axi_awburst = 2'b01;
assign m_axi_awvalid = w_active && !aw_done && s_awvalid;
assign s0_awready = !w_sel && !aw_done && m_axi_awready;
assign s1_awready = w_sel && !aw_done && m_axi_awready;

assign m_axi_wdata  = w_sel ? s1_wdata : s0_wdata;
assign m_axi_wstrb  = w_sel ? s1_wstrb : s0_wstrb;
assign m_axi_wlast  = w_sel ? s1_wlast : s0_wlast;
assign m_axi_wvalid = w_active && !w_done && (w_sel ? s1_wvalid : s0_wvalid);
assign s0_wready = w_active && !w_sel && !w_done && m_axi_wready;
assign s1_wready = w_active && w_sel && !w_done && m_axi_wready;
assign m_axi_bready = 1'b1;
assign s0_bvalid = m_axi_bvalid && m_axi_bid == 1'b0;
assign s1_bvalid = m_axi_bvalid && m_axi_bid == 1'b1;

wire aw_hs = m_axi_awvalid && m_axi_awready;
wire wl_hs = m_axi_wvalid && m_axi_wready && m_axi_wlast;
wire w_fin = w_active && (aw_done || aw_hs) && (w_done || wl_hs);

always @(posedge clk) begin
    if (rst) begin
        w_busy <= 1'b0;
        w_own <= 1'b0;
        w_last <= 1'b0;
        aw_done <= 1'b0;
        w_done <= 1'b0;
    end else if (w_fin) begin
        w_busy <= 1'b0;
        w_last <= w_sel;
        aw_done <= 1'b0;
        w_done <= 1'b0;
    end else if (w_active) begin
        // held until the burst is through: the selected VALIDs stay up (A3.2.1)
        w_busy <= 1'b1;
        w_own <= w_sel;
        aw_done <= aw_done || aw_hs;
        w_done <= w_done || wl_hs;
    end
end

endmodule

`resetall
