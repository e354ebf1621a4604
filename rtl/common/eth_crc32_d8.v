`resetall
`timescale 1ns / 1ps
`default_nettype none

// CRC-32 of IEEE 802.3 clause 3.2.9, eight data bits per clock, bit-reflected form
// (polynomial 0xEDB88320, least significant bit of each byte first, as the bits go on the wire).
// Purely combinational: the caller owns the register, starts it at 32'hFFFFFFFF, and transmits
// ~crc least significant byte first. Running a received frame *including* its FCS through it
// leaves the residue 32'hDEBB20E3 when the frame is intact.
module eth_crc32_d8 (
    input  wire [31:0] crc_in,
    input  wire [7:0]  data,
    output reg  [31:0] crc_out
);

integer i;
always @* begin
    crc_out = crc_in;
    for (i = 0; i < 8; i = i + 1) begin
        if (crc_out[0] ^ data[i])
            crc_out = (crc_out >> 1) ^ 32'hEDB88320;
        else
            crc_out = crc_out >> 1;
    end
end

endmodule

`resetall
