`resetall
`timescale 1ns / 1ps
`default_nettype none

// An event counter that is read in another clock domain: counts one-cycle pulses in src_clk
// and keeps the count in Gray code, so that exactly one bit changes per event and a two-flip-flop
// synchroniser in dst_clk always captures either the old or the new count, never a mixture.
// At most one event per src_clk cycle.
module cdc_count #(
    parameter WIDTH = 32
) (
    input  wire             src_clk,
    input  wire             src_rst,
    input  wire             src_inc,
    input  wire             dst_clk,
    output reg  [WIDTH-1:0] dst_count
);

reg [WIDTH-1:0] bin;
reg [WIDTH-1:0] gray;
wire [WIDTH-1:0] bin_next = bin + {{(WIDTH-1){1'b0}}, 1'b1};

always @(posedge src_clk) begin
    if (src_rst) begin
        bin <= {WIDTH{1'b0}};
        gray <= {WIDTH{1'b0}};
    end else if (src_inc) begin
        bin <= bin_next;
        gray <= bin_next ^ (bin_next >> 1);
    end
end

wire [WIDTH-1:0] gray_sync;
cdc_sync #(.WIDTH(WIDTH)) sync (.clk(dst_clk), .d(gray), .q(gray_sync));

integer i;
always @(posedge dst_clk) begin
    for (i = 0; i < WIDTH; i = i + 1)
        dst_count[i] <= ^(gray_sync >> i);
end

endmodule

`resetall
