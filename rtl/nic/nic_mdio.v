`resetall
`timescale 1ns / 1ps
`default_nettype none

// MDIO master for IEEE 802.3 clause 22 management frames (clause 22.2.4.5):
//   PRE (32 ones) ST=01 OP (01 write, 10 read) PHYAD[4:0] REGAD[4:0] TA DATA[15:0]
// MDC has a period of 2*(cfg_div+1) core cycles. The station changes MDIO at the start of the
// low half of MDC and the PHY samples at the rising edge (22.3.4: setup and hold around the
// rising edge); in a read the PHY drives from the rising edge and the station samples at the end
// of the low half, just before the next rising edge. For TA of a read the station releases the
// line (mdio_oe low) and the PHY drives the second TA bit to 0.
module nic_mdio (
    input  wire        clk,
    input  wire        rst,
    input  wire [7:0]  cfg_div,
    input  wire        start,           // with the command below; ignored while busy
    input  wire        cmd_read,
    input  wire [4:0]  cmd_phy,
    input  wire [4:0]  cmd_reg,
    input  wire [15:0] cmd_data,
    output reg         busy,
    output reg  [15:0] rd_data,

    output reg         mdc,
    output reg         mdio_o,
    output reg         mdio_oe,
    input  wire        mdio_i
);

// The 32 command bits (ST, OP, PHYAD, REGAD, TA, DATA; clause 22.2.4.5) after the 32 preamble
// bits, which are ones and need no register: bits 0..31 of the frame are counted by bitn.
reg [31:0] frame;
reg [6:0]  bitn;           // bit being sent, 0..63
reg [7:0]  cnt;
reg        rd;

always @(posedge clk) begin
    if (rst) begin
        busy <= 1'b0;
        mdc <= 1'b0;
        mdio_o <= 1'b1;
        mdio_oe <= 1'b0;
        rd_data <= 16'd0;
    end else if (!busy) begin
        mdc <= 1'b0;
        mdio_oe <= 1'b0;
        if (start) begin
            busy <= 1'b1;
            rd <= cmd_read;
            frame <= {2'b01, cmd_read ? 2'b10 : 2'b01, cmd_phy, cmd_reg,
                      cmd_read ? 2'b11 : 2'b10, cmd_read ? 16'hFFFF : cmd_data};
            bitn <= 7'd0;
            cnt <= 8'd0;
            // the first low half begins now
            mdio_o <= 1'b1;
            mdio_oe <= 1'b1;
        end
    end else begin
        cnt <= cnt + 8'd1;
        if (cnt == cfg_div) begin
            cnt <= 8'd0;
            if (!mdc) begin
                // end of the low half: sample a read's data, then the rising edge
                if (rd && bitn >= 7'd48)
                    rd_data <= {rd_data[14:0], mdio_i};
                mdc <= 1'b1;
            end else begin
                // end of the high half: falling edge, next bit
                mdc <= 1'b0;
                if (bitn == 7'd63) begin
                    busy <= 1'b0;
                    mdio_oe <= 1'b0;
                end else begin
                    bitn <= bitn + 7'd1;
                    // bit bitn + 1 of the frame: preamble up to 31, then the command
                    if (bitn >= 7'd31) begin
                        mdio_o <= frame[31];
                        frame <= {frame[30:0], 1'b1};
                    end else begin
                        mdio_o <= 1'b1;
                    end
                    mdio_oe <= !(rd && bitn + 7'd1 >= 7'd46);
                end
            end
        end
    end
end

endmodule

`resetall
