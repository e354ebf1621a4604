`resetall
`timescale 1ns / 1ps
`default_nettype none

// Transmit gearbox between eth_mac_tx (one byte per enable) and an MII or RMII PHY.
//
//   MII  (MODE 1, IEEE 802.3 clause 22): TXD[3:0] on the PHY's TX_CLK (25 MHz at 100 Mb/s,
//        2.5 MHz at 10 Mb/s: the PHY slows the clock, so nothing here depends on the speed).
//        Each byte is two nibbles, least significant first (22.2.3, figure 22-7); TX_EN and
//        TX_ER are held for both nibbles of a byte (22.2.2.4, 22.2.2.5).
//   RMII (MODE 2, RMII Consortium spec 1.2): TXD[1:0] on the 50 MHz REF_CLK. Each byte is four
//        dibits, least significant first (section 5.5); at 100 Mb/s one dibit per clock, at
//        10 Mb/s (cfg_speed_10) each dibit is held for 10 clocks (section 5.5.2). RMII has no
//        TX_ER pin: phy_tx_er still carries the MAC's error, aligned with the dibits, for a PHY
//        or test that wants it; left unconnected, an aborted frame reaches the far end cut short
//        and fails its FCS check there.
//
// mac_ce is the MAC's byte strobe: high for one clock every 2 (MII), 4 (RMII 100) or 40
// (RMII 10) clocks, registered so that its fan-out into the MAC starts at a flip-flop. The MAC's
// byte outputs change after that clock; the first symbol of the new byte leaves at the next
// symbol strobe. The PHY pins are registered.
module eth_mac_phy_tx #(
    parameter MODE = 1                    // 1 MII, 2 RMII
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       cfg_speed_10,       // RMII only: 10 Mb/s (quasi-static)

    // from eth_mac_tx
    output reg        mac_ce,
    input  wire [7:0] mac_txd,
    input  wire       mac_tx_en,
    input  wire       mac_tx_er,

    // PHY pins: MII TXD[3:0], RMII TXD[1:0] (upper bits 0)
    output reg  [7:0] phy_txd,
    output reg        phy_tx_en,
    output reg        phy_tx_er
);

localparam W = (MODE == 2) ? 2 : 4;       // symbol width
localparam CW = (MODE == 2) ? 2 : 1;      // symbol index width: 8 / W symbols per byte
localparam [CW-1:0] LAST = {CW{1'b1}};

initial begin
    if (MODE != 1 && MODE != 2) begin
        $error("%m: MODE must be 1 (MII) or 2 (RMII)");
        $finish;
    end
end

// Symbol strobe: every clock, or every tenth for RMII at 10 Mb/s.
reg  [3:0]    div;
reg  [CW-1:0] cnt;                        // symbol of the current byte
wire          slow = (MODE == 2) && cfg_speed_10;
wire          stb = !slow || div == 4'd9;
wire          stb_next = !slow || div == 4'd8;
wire [CW-1:0] cnt_next = stb ? cnt + 1'b1 : cnt;

always @(posedge clk) begin
    mac_ce <= stb_next && cnt_next == LAST;
    div <= (slow && div != 4'd9) ? div + 4'd1 : 4'd0;
    if (stb) begin
        cnt <= cnt + 1'b1;
        phy_txd <= {{(8 - W){1'b0}}, mac_txd[cnt * W +: W]};
        phy_tx_en <= mac_tx_en;
        phy_tx_er <= mac_tx_er;
    end
    if (rst) begin
        mac_ce <= 1'b0;
        div <= 4'd0;
        cnt <= {CW{1'b0}};
        phy_txd <= 8'h00;
        phy_tx_en <= 1'b0;
        phy_tx_er <= 1'b0;
    end
end

endmodule

`resetall
