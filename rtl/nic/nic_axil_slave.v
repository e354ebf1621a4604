`resetall
`timescale 1ns / 1ps
`default_nettype none

// AXI4-Lite slave front end (ARM IHI 0022E part B) for a register file: AW and W are taken
// independently, each held until the other arrives; the write then happens (wr_en for one
// cycle) and B follows in the next cycle. A read is taken when no R is pending; rd_data, a
// function of rd_addr from the register file, is registered with rd_en and returned on R.
// One write and one read may be in flight at a time, so every request gets exactly one
// response (proved in rtl/nic/formal/nic_axil_props.v). Responses are always OKAY.
module nic_axil_slave #(
    parameter ADDR_WIDTH = 12
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire                  s_axil_awvalid,
    output wire                  s_axil_awready,
    input  wire [31:0]           s_axil_wdata,
    input  wire [3:0]            s_axil_wstrb,
    input  wire                  s_axil_wvalid,
    output wire                  s_axil_wready,
    output wire [1:0]            s_axil_bresp,
    output reg                   s_axil_bvalid,
    input  wire                  s_axil_bready,
    input  wire [ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire                  s_axil_arvalid,
    output wire                  s_axil_arready,
    output reg  [31:0]           s_axil_rdata,
    output wire [1:0]            s_axil_rresp,
    output reg                   s_axil_rvalid,
    input  wire                  s_axil_rready,

    // register file side
    output wire                  wr_en,
    output reg  [ADDR_WIDTH-1:0] wr_addr,
    output reg  [31:0]           wr_data,
    output reg  [3:0]            wr_strb,
    output wire                  rd_en,
    output wire [ADDR_WIDTH-1:0] rd_addr,
    input  wire [31:0]           rd_data
);

reg aw_held, w_held;

assign s_axil_awready = !aw_held;
assign s_axil_wready = !w_held;
assign s_axil_bresp = 2'b00;
assign s_axil_arready = !s_axil_rvalid;
assign s_axil_rresp = 2'b00;

assign wr_en = aw_held && w_held && !s_axil_bvalid;
assign rd_en = s_axil_arvalid && s_axil_arready;
assign rd_addr = s_axil_araddr;

always @(posedge clk) begin
    if (s_axil_awvalid && s_axil_awready)
        wr_addr <= s_axil_awaddr;
    if (s_axil_wvalid && s_axil_wready) begin
        wr_data <= s_axil_wdata;
        wr_strb <= s_axil_wstrb;
    end
    if (rd_en)
        s_axil_rdata <= rd_data;
end

always @(posedge clk) begin
    if (rst) begin
        aw_held <= 1'b0;
        w_held <= 1'b0;
        s_axil_bvalid <= 1'b0;
        s_axil_rvalid <= 1'b0;
    end else begin
        if (s_axil_awvalid && s_axil_awready)
            aw_held <= 1'b1;
        if (s_axil_wvalid && s_axil_wready)
            w_held <= 1'b1;
        if (wr_en) begin
            aw_held <= 1'b0;
            w_held <= 1'b0;
            s_axil_bvalid <= 1'b1;
        end else if (s_axil_bvalid && s_axil_bready) begin
            s_axil_bvalid <= 1'b0;
        end
        if (rd_en)
            s_axil_rvalid <= 1'b1;
        else if (s_axil_rready)
            s_axil_rvalid <= 1'b0;
    end
end

endmodule

`resetall
