`resetall
`timescale 1ns / 1ps
`default_nettype none

// A statistics counter: adds inc_value on every cycle inc is high, wraps at 2^WIDTH
// (readers take differences, as with the RMON counters of IEEE 802.3 clause 30).
module stat_counter #(
    parameter WIDTH = 32,
    parameter INC_WIDTH = 1
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 inc,
    input  wire [INC_WIDTH-1:0] inc_value,
    output reg  [WIDTH-1:0]     count
);

always @(posedge clk) begin
    if (rst)
        count <= {WIDTH{1'b0}};
    else if (inc)
        count <= count + {{(WIDTH-INC_WIDTH){1'b0}}, inc_value};
end

endmodule

`resetall
