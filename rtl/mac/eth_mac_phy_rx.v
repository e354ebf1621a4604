`resetall
`timescale 1ns / 1ps
`default_nettype none

// Receive gearbox between an MII or RMII PHY and eth_mac_rx (one byte per enable).
//
//   MII  (MODE 1, IEEE 802.3 clause 22): RXD[3:0], RX_DV, RX_ER on the PHY's RX_CLK; nibbles
//        least significant first (22.2.3, figure 22-8).
//   RMII (MODE 2, RMII Consortium spec 1.2): RXD[1:0], CRS_DV (on phy_rx_dv) and the optional
//        RX_ER on the 50 MHz REF_CLK; dibits least significant first (section 5.3). At 10 Mb/s
//        (cfg_speed_10) each dibit lasts 10 clocks: the sample point is re-timed to the rise of
//        CRS_DV and taken 4 clocks into each dibit (section 5.3.2).
//
// Byte alignment: a PHY may drop preamble symbols (22.2.3.2.1), so the byte boundary is found on
// the SFD, 0xD5: nibbles 5 then D, dibits 01 01 01 11. Until it is seen, the symbols are packed
// into bytes from the first one (the preamble comes out as 0x55 bytes), and the SFD, wherever it
// falls, is passed as a byte of its own (0xD5) at once; from there on bytes follow every 2 or 4
// symbols. eth_mac_rx thus sees the GMII byte stream it knows: 0x55 ... 0xD5, frame. Anything
// else in the preamble reaches it as a byte other than 0x55 (a preamble error there). RMII: while
// no symbol has arrived yet, dibits 00 are skipped (RXD stays 00 after CRS_DV rises until the PHY
// has decoded the preamble, section 5.3.1). A frame that ends inside a byte loses the partial
// byte (802.3 4.2.4.2.1: the frame is truncated to an octet boundary); a byte's RX_ER is the OR
// over its symbols.
//
// RMII CRS_DV (section 5.3.1): when the carrier drops before the PHY's FIFO is empty, CRS_DV
// toggles (low on the first dibit of each nibble, high on the second) while data is still valid.
// A dibit is therefore taken as data when CRS_DV is high at its sample point or at the next one;
// the frame ends when CRS_DV is low at two sample points in a row. This costs one dibit of delay.
//
// mac_ce pulses for one clock with each byte (mac_rx_dv high), and once per symbol time while
// there is no carrier (mac_rx_dv low), which is how eth_mac_rx sees a frame end.
module eth_mac_phy_rx #(
    parameter MODE = 1                    // 1 MII, 2 RMII
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       cfg_speed_10,       // RMII only: 10 Mb/s (quasi-static)

    // PHY pins: MII RXD[3:0] / RMII RXD[1:0] (upper bits unused), RX_DV / CRS_DV, RX_ER
    input  wire [7:0] phy_rxd,
    input  wire       phy_rx_dv,
    input  wire       phy_rx_er,

    // to eth_mac_rx
    output reg        mac_ce,
    output reg  [7:0] mac_rxd,
    output reg        mac_rx_dv,
    output reg        mac_rx_er
);

localparam RMII = (MODE == 2);
localparam W = RMII ? 2 : 4;              // symbol width
localparam CW = RMII ? 2 : 1;             // symbol index width: 8 / W symbols per byte
localparam [CW-1:0] LAST = {CW{1'b1}};

initial begin
    if (MODE != 1 && MODE != 2) begin
        $error("%m: MODE must be 1 (MII) or 2 (RMII)");
        $finish;
    end
end

// Input registers, every clock.
reg [W-1:0] in_d;
reg         in_dv, in_er;

// The symbol stream: sym/sym_er with sym_v, processed when stb is high.
wire [W-1:0] sym;
wire         sym_v, sym_er, stb;

/* verilator lint_off UNUSEDSIGNAL */
wire [7:0] unused_rxd = phy_rxd;          // MII uses [3:0], RMII [1:0]
/* verilator lint_on UNUSEDSIGNAL */

generate
if (RMII) begin : rmii
    reg [3:0]   div;                      // 10 Mb/s: clocks into the dibit
    reg         idle;                     // CRS_DV was low at the last two sample points
    reg         in_dv_d;
    reg [W-1:0] p_d;                      // the previous sample point's dibit, CRS_DV, RX_ER
    reg         p_dv, p_er;
    // at 10 Mb/s, sample 5 clocks after the (registered) rise of CRS_DV, then every 10
    wire slow = cfg_speed_10;
    assign stb = !slow || div == 4'd4;
    always @(posedge clk) begin
        in_dv_d <= in_dv;
        div <= (div == 4'd9) ? 4'd0 : div + 4'd1;
        if (slow && idle && in_dv && !in_dv_d)
            div <= 4'd1;
        if (stb) begin
            p_d <= in_d;
            p_dv <= in_dv;
            p_er <= in_er;
            idle <= !in_dv && !p_dv;
        end
        if (rst) begin
            div <= 4'd0;
            idle <= 1'b1;
            p_dv <= 1'b0;
        end
    end
    assign sym = p_d;
    assign sym_v = p_dv || in_dv;
    assign sym_er = p_er;
end else begin : mii
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_speed = cfg_speed_10;     // the MII PHY sets the speed through its clocks
    /* verilator lint_on UNUSEDSIGNAL */
    assign stb = 1'b1;
    assign sym = in_d;
    assign sym_v = in_dv;
    assign sym_er = in_er;
end
endgenerate

reg [7-W:0]  sr;                          // the last 8 / W - 1 symbols, newest at the top
reg [CW-1:0] cnt;                         // symbols of the current byte so far
reg          locked;                      // SFD seen: byte boundary known
reg          lead;                        // RMII: no symbol of this frame taken yet
reg          er_acc;                      // RX_ER on a symbol of the current byte

wire [7:0] sr_next = {sym, sr};         // with this symbol: the last 8 bits
wire       sfd = !locked && sr_next == 8'hD5;
wire       skip = RMII && lead && sym == {W{1'b0}};

always @(posedge clk) begin
    in_d <= phy_rxd[W-1:0];
    in_dv <= phy_rx_dv;
    in_er <= phy_rx_er;
    mac_ce <= 1'b0;
    if (stb) begin
        if (!sym_v) begin
            sr <= {(8 - W){1'b0}};
            cnt <= {CW{1'b0}};
            locked <= 1'b0;
            lead <= 1'b1;
            er_acc <= 1'b0;
            mac_rx_dv <= 1'b0;
            mac_rx_er <= 1'b0;
            mac_ce <= 1'b1;
        end else if (!skip) begin
            lead <= 1'b0;
            sr <= sr_next[7:W];
            cnt <= cnt + 1'b1;
            er_acc <= er_acc || sym_er;
            if (sfd || cnt == LAST) begin
                mac_rxd <= sr_next;
                mac_rx_dv <= 1'b1;
                mac_rx_er <= er_acc || sym_er;
                mac_ce <= 1'b1;
                cnt <= {CW{1'b0}};
                er_acc <= 1'b0;
                if (sfd)
                    locked <= 1'b1;
            end
        end
    end
    if (rst) begin
        in_dv <= 1'b0;
        in_er <= 1'b0;
        sr <= {(8 - W){1'b0}};
        cnt <= {CW{1'b0}};
        locked <= 1'b0;
        lead <= 1'b1;
        er_acc <= 1'b0;
        mac_ce <= 1'b0;
        mac_rxd <= 8'h00;
        mac_rx_dv <= 1'b0;
        mac_rx_er <= 1'b0;
    end
end

endmodule

`resetall
