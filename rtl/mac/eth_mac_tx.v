`resetall
`timescale 1ns / 1ps
`default_nettype none

// Ethernet MAC transmit path, one byte per clock enable (IEEE 802.3 clauses 4 and 35).
//
// `ce` is the byte strobe: the path advances one byte time per cycle with ce high and holds
// everything (its GMII outputs included) otherwise. GMII ties it high (a byte per 125 MHz clock,
// clause 35); for MII and RMII eth_mac_phy_tx raises it once every 2, 4 or 40 clocks and
// serialises the byte. Everything below that counts (preamble, padding, FCS, cfg_ifg) counts in
// byte times, that is in enables, so the same figures hold at every speed.
//
// Frame in on an AXI4-Stream, one byte per beat, from destination address to the end of the
// payload. The path adds the preamble and SFD (clause 4.2.5), pads short frames with zeros to
// 60 bytes so that with the FCS they reach the 64-byte minimum (clause 4.2.3.3), appends the
// FCS (clause 3.2.9) and then holds the line idle for cfg_ifg byte times (clause 4.4.2: 96 bit
// times = 12 bytes at 1 Gb/s) before the next preamble. A back-to-back stream therefore costs
// exactly 8 + max(len, 60) + 4 + cfg_ifg byte times (enables) per frame.
//
// Errors: if s_axis_tvalid drops inside a frame (underflow) the MAC cannot stall the wire, so it
// ends the frame with gmii_tx_er (clause 35.2.2.5: the PHY sends an error symbol and the far end
// sees rx_er), counts it, and discards the rest of the frame up to tlast. tuser with tlast is an
// abort requested by the user: the last byte goes out with gmii_tx_er.
module eth_mac_tx #(
    parameter MIN_FRAME_LEN = 64          // including FCS (clause 4.4.2, minFrameSize)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        ce,                // byte strobe (1'b1 for GMII)

    // frame in: AXI4-Stream, one byte per beat, tuser = abort (with tlast)
    input  wire [7:0]  s_axis_tdata,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,

    // GMII out (registered, change only after a cycle with ce)
    output reg  [7:0]  gmii_txd,
    output reg         gmii_tx_en,
    output reg         gmii_tx_er,

    // configuration
    input  wire [7:0]  cfg_ifg,           // inter-frame gap in byte times

    // one-cycle statistic pulses
    output reg         stat_tx_frame,     // good frame sent (all pulses last one clock)
    output reg  [15:0] stat_tx_len,       // its length on the wire, FCS included (with stat_tx_frame)
    output reg         stat_tx_err_underflow,
    output reg         stat_tx_err_abort
);

localparam MIN_DATA = MIN_FRAME_LEN - 4;

initial begin
    if (MIN_FRAME_LEN < 5 || MIN_FRAME_LEN > 64) begin
        $error("%m: MIN_FRAME_LEN must be within 5..64");
        $finish;
    end
end

localparam [2:0]
    S_GAP  = 3'd0,   // idle; leaves for the preamble once cfg_ifg idle bytes have been sent
    S_PRE  = 3'd1,   // 7 preamble bytes and the SFD
    S_DATA = 3'd2,   // frame bytes from the stream
    S_PAD  = 3'd3,   // zero padding up to MIN_DATA bytes
    S_FCS  = 3'd4,   // 4 FCS bytes
    S_DROP = 3'd5;   // after an underflow: swallow the rest of the frame up to tlast

reg [2:0]  state;
reg [2:0]  cnt;          // preamble / FCS byte index
reg [7:0]  gap;          // idle bytes sent since the last frame (meaningful in S_GAP and S_DROP)
reg        need_pad;     // a frame ending with the current byte would be short of MIN_DATA
reg [15:0] len;          // bytes of this frame on the wire so far, padding included, plus 4 for the
                         // FCS still to come: it starts at 4, so stat_tx_len needs no adder
reg [31:0] crc;

// Padding is decided from the low six bits of len alone. len runs 4, 5, 6, ... from the first
// frame byte, and MIN_FRAME_LEN <= 64, so the first time len[5:0] equals a value below 64 is when
// len equals it: need_pad is cleared then and stays cleared, even if len later wraps at 2^16.
localparam [31:0] LEN_SHORT_LAST = MIN_FRAME_LEN - 2;   // len before the byte that ends the need
localparam [31:0] LEN_PAD_LAST   = MIN_FRAME_LEN - 1;   // len before the last padding byte

// The CRC engine also shifts the FCS out: fed its own low byte, crc_next is crc >> 8 (the table
// term of the byte-wise update is T[0] = 0), which is what S_FCS needs. Padding feeds zeros.
wire [31:0] crc_next;
wire [7:0]  crc_din = (state == S_DATA) ? s_axis_tdata :
                      (state == S_FCS)  ? crc[7:0] : 8'h00;

eth_crc32_d8 crc_calc (.crc_in(crc), .data(crc_din), .crc_out(crc_next));

// A beat is taken only in a byte time: tready carries ce (a registered strobe), so it stays a
// function of registers.
assign s_axis_tready = ((state == S_DATA) || (state == S_DROP)) && ce;

wire gap_done = gap >= cfg_ifg;

always @(posedge clk) begin
    stat_tx_frame <= 1'b0;
    stat_tx_err_underflow <= 1'b0;
    stat_tx_err_abort <= 1'b0;
    if (ce) begin
        gmii_tx_er <= 1'b0;

        // The gap counter only matters in S_GAP and S_DROP, and every way into them clears it,
        // so it may run on in the other states: its enable is then ce && !gap_done alone.
        if (!gap_done)
            gap <= gap + 8'd1;

        case (state)
        S_GAP: begin
            gmii_tx_en <= 1'b0;
            gmii_txd <= 8'h00;
            cnt <= 3'd1;        // only read in S_PRE: loading it here keeps gap_done off its enable
            if (gap_done && s_axis_tvalid) begin
                gmii_tx_en <= 1'b1;
                gmii_txd <= 8'h55;
                state <= S_PRE;
            end
        end
        S_PRE: begin
            cnt <= cnt + 3'd1;
            gmii_txd <= (cnt == 3'd7) ? 8'hD5 : 8'h55;
            if (cnt == 3'd7) begin
                crc <= 32'hFFFFFFFF;
                len <= 16'd4;
                need_pad <= (MIN_DATA >= 2);
                state <= S_DATA;
            end
        end
        S_DATA: begin
            if (s_axis_tvalid) begin
                gmii_txd <= s_axis_tdata;
                crc <= crc_next;
                len <= len + 16'd1;
                if (len[5:0] == LEN_SHORT_LAST[5:0])
                    need_pad <= 1'b0;
                if (s_axis_tlast) begin
                    if (s_axis_tuser) begin
                        gmii_tx_er <= 1'b1;
                        stat_tx_err_abort <= 1'b1;
                        gap <= 8'd0;
                        state <= S_GAP;
                    end else begin
                        cnt <= 3'd0;
                        state <= need_pad ? S_PAD : S_FCS;
                    end
                end
            end else begin
                // underflow: the wire cannot wait, so poison the frame (clause 35.2.2.5)
                gmii_txd <= 8'h00;
                gmii_tx_er <= 1'b1;
                stat_tx_err_underflow <= 1'b1;
                gap <= 8'd0;
                state <= S_DROP;
            end
        end
        S_PAD: begin
            gmii_txd <= 8'h00;
            crc <= crc_next;
            len <= len + 16'd1;
            if (len[5:0] == LEN_PAD_LAST[5:0])
                state <= S_FCS;
        end
        S_FCS: begin
            // FCS goes out complemented, least significant byte first (clause 3.2.9)
            gmii_txd <= ~crc[7:0];
            crc <= crc_next;
            cnt <= cnt + 3'd1;
            if (cnt == 3'd3) begin
                stat_tx_frame <= 1'b1;
                stat_tx_len <= len;
                gap <= 8'd0;
                state <= S_GAP;
            end
        end
        S_DROP: begin
            gmii_tx_en <= 1'b0;
            gmii_txd <= 8'h00;
            if (s_axis_tvalid && s_axis_tlast)
                state <= S_GAP;
        end
        default: state <= S_GAP;
        endcase
    end

    if (rst) begin
        state <= S_GAP;
        gap <= 8'd0;
        cnt <= 3'd0;
        gmii_tx_en <= 1'b0;
        gmii_tx_er <= 1'b0;
        gmii_txd <= 8'h00;
        stat_tx_frame <= 1'b0;
        stat_tx_err_underflow <= 1'b0;
        stat_tx_err_abort <= 1'b0;
    end
end

endmodule

`resetall
