`resetall
`timescale 1ns / 1ps
`default_nettype none

// Two-flip-flop synchroniser for single-bit levels (a link pin, a reset request) arriving from
// another clock domain. Each bit is synchronised on its own: use it for independent bits only,
// never for a bus whose bits must change together (that is what cdc_count and async_fifo are for).
module cdc_sync #(
    parameter WIDTH = 1,
    parameter [WIDTH-1:0] INIT = {WIDTH{1'b0}}
) (
    input  wire             clk,
    input  wire [WIDTH-1:0] d,
    output wire [WIDTH-1:0] q
);

(* ASYNC_REG = "TRUE" *) reg [WIDTH-1:0] s1 = INIT;
(* ASYNC_REG = "TRUE" *) reg [WIDTH-1:0] s2 = INIT;

always @(posedge clk) begin
    s1 <= d;
    s2 <= s1;
end

assign q = s2;

endmodule

`resetall
