`resetall
`timescale 1ns / 1ps
`default_nettype none

// Transmit serialiser, in the MAC's tx_clk domain: turns 64-bit words from the TX FIFO into the
// MAC's one-byte-per-beat stream. The words are host memory beats as the DMA read them, so a
// frame starts at byte lane `a0` of its first word (the buffer's address modulo 8) and the info
// word {a0, len} says where. A frame starts only once its info and first word are here; the FIFO
// holds whole frames and refills at eight times the byte rate, so the MAC never underflows.
module nic_tx_ser (
    input  wire        clk,
    input  wire        rst,

    input  wire [63:0] data_tdata,
    input  wire        data_tvalid,
    output wire        data_tready,
    input  wire [16:0] info_tdata,       // {a0[2:0], len[13:0]}
    input  wire        info_tvalid,
    output wire        info_tready,

    output wire [7:0]  m_axis_tdata,
    output wire        m_axis_tvalid,
    input  wire        m_axis_tready,
    output wire        m_axis_tlast
);

reg        busy;
reg [2:0]  lane;
reg [13:0] left;           // bytes still to send, this one included

wire beat = busy && data_tvalid && m_axis_tready;
wire last = left == 14'd1;

assign m_axis_tdata = data_tdata[lane*8 +: 8];
assign m_axis_tvalid = busy && data_tvalid;
assign m_axis_tlast = last;
assign data_tready = beat && (lane == 3'd7 || last);
assign info_tready = beat && last;

always @(posedge clk) begin
    if (rst) begin
        busy <= 1'b0;
        lane <= 3'd0;
        left <= 14'd0;
    end else if (!busy) begin
        if (info_tvalid && data_tvalid) begin
            busy <= 1'b1;
            lane <= info_tdata[16:14];
            left <= info_tdata[13:0];
        end
    end else if (beat) begin
        lane <= lane + 3'd1;
        left <= left - 14'd1;
        if (last)
            busy <= 1'b0;
    end
end

endmodule

`resetall
