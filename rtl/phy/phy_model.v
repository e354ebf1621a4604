`resetall
`timescale 1ns / 1ps
`default_nettype none

// SIMULATION ONLY - not for synthesis (MDC is used as a clock, registers start from initial
// values). A GMII PHY as the NIC's tests need it (or, with MODE, an MII or RMII one):
//   - data path: MAC GMII <-> line side, each direction delayed by 1 + cfg_latency clocks;
//   - link: with `link` low the PHY sends nothing to the line and gives the MAC no carrier
//     (a frame in flight is cut: the far end and the MAC see it truncated);
//   - error injection on the receive path, driven by the test: inj_rx_er raises GMII RX_ER
//     (clause 35.2.2.8), inj_flip is XORed into RXD (bit errors);
//   - MDIO, IEEE 802.3 clause 22 (22.2.4.5 frame format, 22.2.4 registers):
//       0 BMCR     RW, reset 0x1140 (1000 Mb/s, autoneg on, full duplex); bits 15 (reset) and 9
//                  (restart autoneg) clear themselves
//       1 BMSR     RO 0x0109 | autoneg complete (bit 5, = link) | link status (bit 2, latching
//                  low: a link loss reads 0 once, 22.2.4.2.13)
//       2,3 PHYID  0x001C, 0xC915
//       4 ANAR     RW, reset 0x01E1
//       5 ANLPAR   RO, link partner ability 0xC1E1 while the link is up, else 0
//       9 1000BASE-T control RW 0x0300; 10 1000BASE-T status RO 0x3C00 with link; 15 ext. status 0x3000
//     other registers read 0, writes to them are ignored. Only PHYAD = PHY_ADDR answers.
//
// MODE (MAC side; 0 by default, the GMII PHY above):
//   1  MII (802.3 clause 22): the data ports carry nibbles in [3:0] (upper bits 0) on the
//      MII TX_CLK/RX_CLK, which the test drives at 25 or 2.5 MHz.
//   2  RMII (RMII spec 1.2): dibits in [1:0]; tx_clk = rx_clk = REF_CLK. gmii_rx_dv is CRS_DV and
//      RXD is 00 while it is low (section 5.3.1; CRS_DV is not toggled at the end of a frame:
//      the model has no FIFO to drain); TX_ER does not exist (line_tx_er stays 0).
//   The line side then carries the same symbols (two models back to back make a cable), and
//   the registers describe a 10/100 PHY: BMCR reset 0x3100 (100 Mb/s, autoneg, full duplex),
//   BMSR 0x7809 | status bits (100BASE-TX and 10BASE-T, no extended status), registers 9, 10
//   and 15 read 0.
module phy_model #(
    parameter [4:0] PHY_ADDR = 5'd1,
    parameter MODE = 0                 // 0 GMII, 1 MII, 2 RMII
) (
    input  wire       tx_clk,
    input  wire       rx_clk,

    // MAC side
    input  wire [7:0] gmii_txd,
    input  wire       gmii_tx_en,
    input  wire       gmii_tx_er,
    output reg  [7:0] gmii_rxd,
    output reg        gmii_rx_dv,
    output reg        gmii_rx_er,

    // line side
    output reg  [7:0] line_txd,
    output reg        line_tx_en,
    output reg        line_tx_er,
    input  wire [7:0] line_rxd,
    input  wire       line_rx_dv,
    input  wire       line_rx_er,

    // test controls
    input  wire [3:0] cfg_latency,
    input  wire       link,
    input  wire       inj_rx_er,
    input  wire [7:0] inj_flip,
    output wire       link_pin,

    // management
    input  wire       mdc,
    input  wire       mdio_i,
    output reg        mdio_o,
    output reg        mdio_oe
);

assign link_pin = link;

// ---------------- data path ----------------
reg [9:0] txp [0:15];
reg [9:0] rxp [0:15];
integer i;

initial begin
    for (i = 0; i < 16; i = i + 1) begin
        txp[i] = 10'd0;
        rxp[i] = 10'd0;
    end
    mdio_o = 1'b1;
    mdio_oe = 1'b0;
end

// symbol bits on the MAC side: 8, 4 or 2
localparam [7:0] DMASK = (MODE == 1) ? 8'h0F : (MODE == 2) ? 8'h03 : 8'hFF;

always @(posedge tx_clk) begin
    txp[0] <= {gmii_tx_er && MODE != 2, gmii_tx_en, gmii_txd & DMASK};
    for (i = 1; i < 16; i = i + 1)
        txp[i] <= txp[i-1];
    {line_tx_er, line_tx_en, line_txd} <= link ? txp[cfg_latency] : 10'd0;
end

always @(posedge rx_clk) begin
    rxp[0] <= {line_rx_er | (line_rx_dv & inj_rx_er), line_rx_dv,
               (line_rxd ^ (line_rx_dv ? inj_flip : 8'd0)) & ((MODE == 2 && !line_rx_dv) ? 8'h00 : DMASK)};
    for (i = 1; i < 16; i = i + 1)
        rxp[i] <= rxp[i-1];
    {gmii_rx_er, gmii_rx_dv, gmii_rxd} <= link ? rxp[cfg_latency] : 10'd0;
end

// ---------------- registers ----------------
reg [15:0] bmcr = (MODE == 0) ? 16'h1140 : 16'h3100;
localparam [15:0] BMSR = (MODE == 0) ? 16'h0109 : 16'h7809;
localparam GIG = (MODE == 0);
reg [15:0] anar = 16'h01E1;
reg [15:0] gctl = 16'h0300;
reg        link_ll = 1'b1;         // latched-low link status (up at power-on, as the link input)
reg        rearm_t = 1'b0;
reg        rearm_seen = 1'b0;

function [15:0] rd_reg(input [4:0] r);
    case (r)
    5'd0:  rd_reg = bmcr;
    5'd1:  rd_reg = BMSR | (link ? 16'h0020 : 16'h0000) | (link_ll ? 16'h0004 : 16'h0000);
    5'd2:  rd_reg = 16'h001C;
    5'd3:  rd_reg = 16'hC915;
    5'd4:  rd_reg = anar;
    5'd5:  rd_reg = link ? 16'hC1E1 : 16'h0000;
    5'd9:  rd_reg = GIG ? gctl : 16'h0000;
    5'd10: rd_reg = (GIG && link) ? 16'h3C00 : 16'h0000;
    5'd15: rd_reg = GIG ? 16'h3000 : 16'h0000;
    default: rd_reg = 16'h0000;
    endcase
endfunction

// ---------------- MDIO slave (sampled on the rising edge of MDC) ----------------
reg [5:0]  ones = 6'd0;
reg        in_frame = 1'b0;
reg [6:0]  bitn = 7'd0;
reg [11:0] hdr = 12'd0;            // bits 33..44: ST[1] OP PHYAD REGAD[4:1]
reg [14:0] data = 15'd0;
reg        is_read = 1'b0;
reg        is_write = 1'b0;
reg [4:0]  regad = 5'd0;
reg [15:0] rdata = 16'd0;

always @(posedge mdc) begin
    if (!in_frame) begin
        mdio_oe <= 1'b0;
        if (mdio_i) begin
            if (ones != 6'd63) ones <= ones + 6'd1;
        end else begin
            if (ones >= 6'd32) begin
                in_frame <= 1'b1;      // first bit of ST (0)
                bitn <= 7'd32;
            end
            ones <= 6'd0;
        end
    end else begin
        bitn <= bitn + 7'd1;
        if (bitn + 7'd1 <= 7'd45)
            hdr <= {hdr[10:0], mdio_i};
        if (bitn + 7'd1 == 7'd45) begin
            // hdr[11:0] holds bits 33..44: ST[1], OP, PHYAD, REGAD[4:1]; this bit is REGAD[0]
            is_read <= hdr[11:9] == 3'b110 && hdr[8:4] == PHY_ADDR;    // ST[1]=1, OP=10
            is_write <= hdr[11:9] == 3'b101 && hdr[8:4] == PHY_ADDR;   // ST[1]=1, OP=01
            regad <= {hdr[3:0], mdio_i};
            rdata <= rd_reg({hdr[3:0], mdio_i});
            if (hdr[11:9] == 3'b110 && hdr[8:4] == PHY_ADDR && {hdr[3:0], mdio_i} == 5'd1)
                rearm_t <= !rearm_t;       // reading BMSR re-arms the latch
        end
        if (is_read) begin
            if (bitn + 7'd1 == 7'd46) begin
                mdio_oe <= 1'b1;           // drive the second TA bit low
                mdio_o <= 1'b0;
            end else if (bitn + 7'd1 >= 7'd47 && bitn + 7'd1 <= 7'd62) begin
                mdio_o <= rdata[15 - (bitn + 7'd1 - 7'd47)];
            end
        end
        if (bitn + 7'd1 >= 7'd48)
            data <= {data[13:0], mdio_i};
        if (bitn + 7'd1 == 7'd63) begin
            mdio_oe <= 1'b0;
            in_frame <= 1'b0;
            ones <= 6'd0;
            if (is_write) begin
                case (regad)
                5'd0: bmcr <= {data[14:0], mdio_i} & 16'h7DFF;  // reset, restart AN: self-clearing
                5'd4: anar <= {data[14:0], mdio_i};
                5'd9: gctl <= {data[14:0], mdio_i};
                default: ;
                endcase
            end
            is_read <= 1'b0;
            is_write <= 1'b0;
        end
    end
end

// Link status latches low (22.2.4.2.13): watched on rx_clk so that no drop is missed; a read of
// BMSR (a toggle from the MDC side) loads the current state again.
always @(posedge rx_clk) begin
    rearm_seen <= rearm_t;
    if (rearm_seen != rearm_t)
        link_ll <= link;
    else if (!link)
        link_ll <= 1'b0;
end

endmodule

`resetall
