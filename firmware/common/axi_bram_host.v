`resetall
`timescale 1ns / 1ps
`default_nettype none

// On-chip "host memory" for a board without a host bus: 2^MEM_AW bytes (4, 8 or 16 KB) of block RAM
// that the NIC's DMA master reads and writes as an AXI4 slave (ARM IHI 0022E), and that the host
// reaches one byte at a time through a second, simple port (the SPI bridge). Vendor-neutral: eight
// 2^(MEM_AW-3) x 8 memories, one per byte lane, each with a synchronous read, so that every lane
// maps to 1, 2 or 4 block RAMs (iCE40 SB_RAM40_4K in 512 x 8 mode) and WSTRB is a per-lane write enable. A word read in the
// cycle it is written reads old or new data (no_rw_check: no bypass logic); the NIC never reads a
// buffer it is writing, and the host port takes one RAM port at a time.
//
// AXI4: 64-bit data, one read and one write burst in progress at a time (AR and AW are accepted
// once the previous burst has been issued / answered), any ID, INCR bursts of 8-byte beats - what
// rtl/nic/nic_axi_mux issues. Responses (A3.4.4): OKAY; DECERR for a burst that starts at or above
// 2^MEM_AW (read data undefined, writes dropped) and SLVERR for another size or burst type. A burst
// starting below 2^MEM_AW stays below it, as no AXI burst crosses a 4 KB boundary (A3.4.1). Reads run
// at one beat per cycle while RREADY is high and honour RREADY low (the RAM output holds).
//
// Host port: h_req is held until h_ack (one cycle); a write goes in the cycle the port is granted,
// h_rdata is valid with h_ack. The host has priority at both RAM ports, for one cycle per byte:
// a write takes the write port (WREADY low that cycle), a read takes the read port only when no R
// beat is waiting for RREADY (the RAM output register is the R data). The host moves a byte per
// SPI byte time, so the DMA loses at most one cycle in tens.
module axi_bram_host #(
    parameter ADDR_WIDTH = 13,           // AXI address bits (> MEM_AW)
    parameter MEM_AW = 12                // memory bytes 2^MEM_AW, 12..14: 4, 8 or 16 KB
) (
    input  wire                  clk,
    input  wire                  rst,

    // AXI4 slave
    input  wire [0:0]            s_axi_awid,
    input  wire [ADDR_WIDTH-1:0] s_axi_awaddr,
    input  wire [7:0]            s_axi_awlen,
    input  wire [2:0]            s_axi_awsize,
    input  wire [1:0]            s_axi_awburst,
    input  wire                  s_axi_awvalid,
    output wire                  s_axi_awready,
    input  wire [63:0]           s_axi_wdata,
    input  wire [7:0]            s_axi_wstrb,
    input  wire                  s_axi_wlast,
    input  wire                  s_axi_wvalid,
    output wire                  s_axi_wready,
    output reg  [0:0]            s_axi_bid,
    output reg  [1:0]            s_axi_bresp,
    output reg                   s_axi_bvalid,
    input  wire                  s_axi_bready,
    input  wire [0:0]            s_axi_arid,
    input  wire [ADDR_WIDTH-1:0] s_axi_araddr,
    input  wire [7:0]            s_axi_arlen,
    input  wire [2:0]            s_axi_arsize,
    input  wire [1:0]            s_axi_arburst,
    input  wire                  s_axi_arvalid,
    output wire                  s_axi_arready,
    output reg  [0:0]            s_axi_rid,
    output wire [63:0]           s_axi_rdata,
    output reg  [1:0]            s_axi_rresp,
    output reg                   s_axi_rlast,
    output reg                   s_axi_rvalid,
    input  wire                  s_axi_rready,

    // host byte port
    input  wire                  h_req,
    input  wire                  h_we,
    input  wire [MEM_AW-1:0]     h_addr,
    input  wire [7:0]            h_wdata,
    output reg                   h_ack,
    output wire [7:0]            h_rdata
);

localparam [1:0] OKAY = 2'b00, SLVERR = 2'b10, DECERR = 2'b11;

function [1:0] resp_of(input [ADDR_WIDTH-1:0] addr, input [2:0] size, input [1:0] burst);
    begin
        if ((addr >> MEM_AW) != {ADDR_WIDTH{1'b0}})
            resp_of = DECERR;
        else if (size != 3'd3 || burst != 2'b01)
            resp_of = SLVERR;
        else
            resp_of = OKAY;
    end
endfunction

// ---- RAM: 8 lanes of 2^(MEM_AW-3) x 8 ----
reg         ram_re;
reg  [MEM_AW-4:0] ram_raddr;
reg  [7:0]  ram_we;
reg  [MEM_AW-4:0] ram_waddr;
reg  [63:0] ram_wdata;
wire [63:0] ram_q;

genvar g;
generate
for (g = 0; g < 8; g = g + 1) begin : lane
    (* no_rw_check *)
    reg [7:0] ram [0:(1 << (MEM_AW - 3)) - 1];
    reg [7:0] q;
    always @(posedge clk) begin
        if (ram_we[g])
            ram[ram_waddr] <= ram_wdata[g*8 +: 8];
        if (ram_re)
            q <= ram[ram_raddr];
    end
    assign ram_q[g*8 +: 8] = q;
end
endgenerate

// ---- host port ----
wire h_wr_go = h_req && h_we && !h_ack;
// the read port is free when no R beat waits in the RAM output register
wire r_free = !s_axi_rvalid || s_axi_rready;
wire h_rd_go = h_req && !h_we && !h_ack && r_free;
reg  [2:0] h_lane;
assign h_rdata = ram_q[h_lane*8 +: 8];

// ---- read bursts ----
reg        r_active;
reg  [MEM_AW-4:0] r_addr;
reg  [7:0] r_left;         // beats after the next one
reg  [0:0] r_id;
reg  [1:0] r_resp;
wire       r_issue = r_active && r_free && !h_rd_go;
assign s_axi_arready = !r_active;
assign s_axi_rdata = ram_q;     // undefined with an error response (A3.4.4 allows it)

// ---- write bursts ----
reg        w_active;
reg  [MEM_AW-4:0] w_addr;
reg  [0:0] w_id;
reg  [1:0] w_resp;
assign s_axi_awready = !w_active && !s_axi_bvalid;
assign s_axi_wready = w_active && !h_wr_go;
wire   w_beat = s_axi_wvalid && s_axi_wready;

always @* begin
    ram_re = h_rd_go || r_issue;
    ram_raddr = h_rd_go ? h_addr[MEM_AW-1:3] : r_addr;
    if (h_wr_go) begin
        ram_we = 8'd1 << h_addr[2:0];
        ram_waddr = h_addr[MEM_AW-1:3];
        ram_wdata = {8{h_wdata}};
    end else begin
        ram_we = (w_beat && w_resp == OKAY) ? s_axi_wstrb : 8'd0;
        ram_waddr = w_addr;
        ram_wdata = s_axi_wdata;
    end
end

always @(posedge clk) begin
    h_ack <= h_wr_go || h_rd_go;
    if (h_rd_go)
        h_lane <= h_addr[2:0];

    if (rst) begin
        r_active <= 1'b0;
        s_axi_rvalid <= 1'b0;
        w_active <= 1'b0;
        s_axi_bvalid <= 1'b0;
        h_ack <= 1'b0;
    end else begin
        // reads
        if (s_axi_arvalid && s_axi_arready) begin
            r_active <= 1'b1;
            r_addr <= s_axi_araddr[MEM_AW-1:3];
            r_left <= s_axi_arlen;
            r_id <= s_axi_arid;
            r_resp <= resp_of(s_axi_araddr, s_axi_arsize, s_axi_arburst);
        end
        if (r_issue) begin
            s_axi_rvalid <= 1'b1;
            s_axi_rid <= r_id;
            s_axi_rresp <= r_resp;
            s_axi_rlast <= r_left == 8'd0;
            r_addr <= r_addr + 9'd1;
            r_left <= r_left - 8'd1;
            if (r_left == 8'd0)
                r_active <= 1'b0;
        end else if (s_axi_rready) begin
            s_axi_rvalid <= 1'b0;
        end

        // writes
        if (s_axi_awvalid && s_axi_awready) begin
            w_active <= 1'b1;
            w_addr <= s_axi_awaddr[MEM_AW-1:3];
            w_id <= s_axi_awid;
            w_resp <= resp_of(s_axi_awaddr, s_axi_awsize, s_axi_awburst);
        end
        if (w_beat) begin
            w_addr <= w_addr + 9'd1;
            if (s_axi_wlast) begin
                w_active <= 1'b0;
                s_axi_bvalid <= 1'b1;
                s_axi_bid <= w_id;
                s_axi_bresp <= w_resp;
            end
        end
        if (s_axi_bvalid && s_axi_bready)
            s_axi_bvalid <= 1'b0;
    end
end

// a write burst ends at WLAST (AWLEN is not needed); beats are 8-byte aligned
wire unused_ok = &{1'b0, s_axi_awlen, s_axi_awaddr[2:0], s_axi_araddr[2:0]};

endmodule

`resetall
