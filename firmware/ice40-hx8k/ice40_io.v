`resetall
`timescale 1ns / 1ps
`default_nettype none

// I/O-cell registers of the iCE40 board tops (fpga.v, nic_fpga.v): SB_IO with its input or output
// flip-flop, so that pin timing does not depend on placement and no fabric flip-flop is spent.

// W input pins, each registered in its I/O cell on the rising edge of clk.
module ice40_in_reg #(
    parameter W = 1
) (
    input  wire         clk,
    input  wire [W-1:0] pin,
    output wire [W-1:0] q
);
genvar i;
generate
for (i = 0; i < W; i = i + 1) begin : io
    SB_IO #(
        .PIN_TYPE(6'b0000_00)   // no output, PIN_INPUT_REGISTERED
    ) r (
        .PACKAGE_PIN(pin[i]),
        .CLOCK_ENABLE(1'b1),
        .INPUT_CLK(clk),
        .D_IN_0(q[i])
    );
end
endgenerate
endmodule

// W output pins, each driven from the register in its I/O cell (rising edge of clk).
module ice40_out_reg #(
    parameter W = 1
) (
    input  wire         clk,
    input  wire [W-1:0] d,
    output wire [W-1:0] pin
);
genvar i;
generate
for (i = 0; i < W; i = i + 1) begin : io
    SB_IO #(
        .PIN_TYPE(6'b0101_01)   // PIN_OUTPUT_REGISTERED, PIN_INPUT
    ) r (
        .PACKAGE_PIN(pin[i]),
        .CLOCK_ENABLE(1'b1),
        .OUTPUT_CLK(clk),
        .D_OUT_0(d[i])
    );
end
endgenerate
endmodule

`resetall
