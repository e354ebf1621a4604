`resetall
`timescale 1ns / 1ps
`default_nettype none

// Shares the AXI4 master port (ARM IHI 0022E) between the TX engine (ID 0) and the RX engine
// (ID 1). Reads: the AR channel goes to one engine at a time, alternating when both ask; a
// request stays selected until its handshake (A3.2.1: once VALID is asserted it must stay, with
// its payload, until READY). R beats go back by RID. Writes: an AW handshake gives the W channel
// to that engine until its WLAST beat, so write data is never interleaved (AXI4 has no WID);
// B responses go back by BID. Every burst is INCR of 8-byte beats. The engines accept every R and
// B beat, so RREADY and BREADY are tied high.
module nic_axi_mux #(
    parameter ADDR_WIDTH = 64           // host address bits (nic_core ADDR_WIDTH)
) (
    input  wire        clk,
    input  wire        rst,

    // engine 0 (TX) and 1 (RX): AR, R
    input  wire [ADDR_WIDTH-1:0] s0_araddr,  input wire [7:0] s0_arlen,  input wire s0_arvalid, output wire s0_arready,
    input  wire [ADDR_WIDTH-1:0] s1_araddr,  input wire [7:0] s1_arlen,  input wire s1_arvalid, output wire s1_arready,
    output wire        s0_rvalid,  output wire s1_rvalid,
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
assign m_axi_rready = 1'b1;
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
reg  aw_lock, aw_sel, aw_last;
reg  w_busy, w_sel;
wire aw_pick = aw_lock ? aw_sel : (s0_awvalid && s1_awvalid) ? !aw_last : s1_awvalid;
assign m_axi_awid    = aw_pick;
assign m_axi_awaddr  = aw_pick ? s1_awaddr : s0_awaddr;
assign m_axi_awlen   = aw_pick ? s1_awlen : s0_awlen;
assign m_axi_awsize  = 3'd3;
assign m_axi_awburst = 2'b01;
// one burst at a time: the next address waits until the W channel is free again
assign m_axi_awvalid = !w_busy && (aw_pick ? s1_awvalid : s0_awvalid);
assign s0_awready = !w_busy && !aw_pick && m_axi_awready;
assign s1_awready = !w_busy && aw_pick && m_axi_awready;

assign m_axi_wdata  = w_sel ? s1_wdata : s0_wdata;
assign m_axi_wstrb  = w_sel ? s1_wstrb : s0_wstrb;
assign m_axi_wlast  = w_sel ? s1_wlast : s0_wlast;
assign m_axi_wvalid = w_busy && (w_sel ? s1_wvalid : s0_wvalid);
assign s0_wready = w_busy && !w_sel && m_axi_wready;
assign s1_wready = w_busy && w_sel && m_axi_wready;
assign m_axi_bready = 1'b1;
assign s0_bvalid = m_axi_bvalid && m_axi_bid == 1'b0;
assign s1_bvalid = m_axi_bvalid && m_axi_bid == 1'b1;

always @(posedge clk) begin
    if (rst) begin
        aw_lock <= 1'b0;
        aw_sel <= 1'b0;
        aw_last <= 1'b0;
        w_busy <= 1'b0;
        w_sel <= 1'b0;
    end else begin
        if (m_axi_awvalid) begin
            if (m_axi_awready) begin
                aw_lock <= 1'b0;
                aw_last <= aw_pick;
                w_busy <= 1'b1;
                w_sel <= aw_pick;
            end else begin
                aw_lock <= 1'b1;
                aw_sel <= aw_pick;
            end
        end
        if (m_axi_wvalid && m_axi_wready && m_axi_wlast)
            w_busy <= 1'b0;
    end
end

endmodule

`resetall
