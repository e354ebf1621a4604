`resetall
`timescale 1ns / 1ps
`default_nettype none

// Ethernet MAC receive path, one byte per clock enable (IEEE 802.3 clauses 4 and 35).
//
// `ce` is the byte strobe: the path takes one byte (gmii_rxd/rx_dv/rx_er) and advances one byte
// time per cycle with ce high. GMII ties it high; for MII and RMII eth_mac_phy_rx assembles the
// bytes, aligned on the SFD, and raises ce once per byte (and once per symbol while idle, so that
// the end of a frame is seen at once). Output beats and statistic pulses last one clock.
//
// Finds the SFD after a preamble of any length, 0 to 7 bytes (clause 35.2.3.2.1: a PHY may
// shrink the preamble), checks the FCS (clause 3.2.9) and delivers the frame without its FCS on
// an AXI4-Stream, one byte per beat. The MAC cannot stall the wire, so the stream has no tready:
// a store-and-forward FIFO behind it drops frames that end with tuser set.
//
// The FCS is stripped by holding the last four bytes back: a byte leaves only once five newer
// bytes have arrived or the frame has ended, so the byte that carries tlast is known.
//
// Every frame that starts (rx_dv rises) ends in exactly one of: a good frame (stat_rx_frame) or
// one error pulse, with this priority:
//   stat_rx_err_preamble  rx_dv fell, or a byte other than 0x55 arrived, before the SFD
//   stat_rx_err_rxer      gmii_rx_er during the frame (clause 35.2.2.8); frame cut at once
//   stat_rx_err_oversize  more than cfg_rx_max_len bytes (FCS included); frame cut at the limit
//   stat_rx_err_short     4 bytes or fewer after the SFD: not even room for an FCS; nothing delivered
//   stat_rx_err_runt      5 to 63 bytes (clause 4.2.4.2.2: fragments below minFrameSize)
//   stat_rx_err_fcs       64 bytes or more, FCS wrong (stray bytes after the FCS land here too)
// Whatever was already delivered of a bad frame ends with a tlast beat that has tuser set.
module eth_mac_rx #(
    parameter MIN_FRAME_LEN = 64
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        ce,                // byte strobe (1'b1 for GMII)

    // GMII in (sampled with ce)
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,

    // frame out: AXI4-Stream, one byte per beat, tuser = bad frame (valid with tlast)
    output reg  [7:0]  m_axis_tdata,
    output reg         m_axis_tvalid,
    output reg         m_axis_tlast,
    output reg         m_axis_tuser,

    // configuration
    input  wire [15:0] cfg_rx_max_len,    // longest accepted frame, FCS included (1518; 9018 jumbo)

    // one-cycle statistic pulses
    output reg         stat_rx_frame,
    output reg  [15:0] stat_rx_len,       // length with FCS (with stat_rx_frame)
    output reg         stat_rx_err_fcs,
    output reg         stat_rx_err_runt,
    output reg         stat_rx_err_oversize,
    output reg         stat_rx_err_rxer,
    output reg         stat_rx_err_preamble,
    output reg         stat_rx_err_short
);

localparam [31:0] CRC_RESIDUE = 32'hDEBB20E3;

localparam [1:0]
    S_IDLE = 2'd0,   // waiting for rx_dv
    S_PRE  = 2'd1,   // in the preamble, waiting for the SFD
    S_DATA = 2'd2,   // frame bytes
    S_SKIP = 2'd3;   // frame given up: wait for rx_dv to fall

// input registers
reg [7:0] rxd;
reg       rx_dv;
reg       rx_er;
reg       rx_ok;         // rx_dv && !rx_er: one flip-flop instead of two LUT inputs (see shift)

reg [1:0]  state;
reg [15:0] len;          // bytes received after the SFD
reg        len_ge_min;   // len >= MIN_FRAME_LEN
reg        len_ge_5;     // len >= 5: a held byte exists
reg [31:0] crc;
reg [7:0]  d1, d2, d3, d4, held;   // d1..d4: the newest four bytes (maybe the FCS)

wire [31:0] crc_next;
eth_crc32_d8 crc_calc (.crc_in(crc), .data(rxd), .crc_out(crc_next));

// Timing: the delay line's enable (shift, 40 flip-flops) is the deepest path. It needs at_max, a
// 16-bit equality: computed as two kept halves of two LUT levels each, shift is one 4-input LUT
// after them (state, rx_ok, both halves) instead of two.
(* keep *) wire at_max_lo = (len[7:0] == cfg_rx_max_len[7:0]);
(* keep *) wire at_max_hi = (len[15:8] == cfg_rx_max_len[15:8]);
wire at_max = at_max_lo && at_max_hi;
// A byte time in S_DATA and not the frame's last. The S_DATA branch (taken with ce) tests it too
// (!shift there is the end of the frame), so that one node drives both.
wire shift = ce && (state == S_DATA) && rx_ok && !at_max;

// The length flags look at the low bits of len only: len counts up from 0, so the first time its
// low MIN_W bits equal MIN_FRAME_LEN - 1 (< 2^MIN_W) is when len itself does, and the flags,
// once set, stay set until the next frame (even if len wraps at 2^16).
localparam MIN_W = $clog2(MIN_FRAME_LEN);
localparam [31:0] LEN_MIN_LAST = MIN_FRAME_LEN - 1;

always @(posedge clk) begin
    m_axis_tvalid <= 1'b0;
    m_axis_tlast <= 1'b0;
    m_axis_tuser <= 1'b0;
    stat_rx_frame <= 1'b0;
    stat_rx_err_fcs <= 1'b0;
    stat_rx_err_runt <= 1'b0;
    stat_rx_err_oversize <= 1'b0;
    stat_rx_err_rxer <= 1'b0;
    stat_rx_err_preamble <= 1'b0;
    stat_rx_err_short <= 1'b0;

    if (ce) begin
        rxd <= gmii_rxd;
        rx_dv <= gmii_rx_dv;
        rx_er <= gmii_rx_er;
        rx_ok <= gmii_rx_dv && !gmii_rx_er;

        case (state)
        S_IDLE, S_PRE: begin
            crc <= 32'hFFFFFFFF;
            len <= 16'd0;
            len_ge_min <= 1'b0;
            len_ge_5 <= 1'b0;
            if (!rx_dv) begin
                if (state == S_PRE)
                    stat_rx_err_preamble <= 1'b1;     // carrier ended before any SFD
                state <= S_IDLE;
            end else if (rx_er) begin
                stat_rx_err_rxer <= 1'b1;
                state <= S_SKIP;
            end else if (rxd == 8'hD5) begin
                state <= S_DATA;
            end else if (rxd == 8'h55) begin
                state <= S_PRE;
            end else begin
                stat_rx_err_preamble <= 1'b1;         // bad SFD
                state <= S_SKIP;
            end
        end
        S_DATA: begin
            // crc, len and the length flags are only read up to the end of the frame and are set
            // afresh in S_IDLE/S_PRE before the next one, so they advance on every S_DATA cycle,
            // the last one included: their enable is then the state alone.
            crc <= crc_next;
            len <= len + 16'd1;
            if (len[MIN_W-1:0] == LEN_MIN_LAST[MIN_W-1:0])
                len_ge_min <= 1'b1;
            if (len[2:0] == 3'd4)
                len_ge_5 <= 1'b1;
            m_axis_tdata <= held;
            m_axis_tvalid <= len_ge_5;
            if (!shift) begin
                // End of the frame: the held byte, if any, is its last payload byte.
                m_axis_tlast <= 1'b1;
                if (rx_dv && rx_er) begin
                    m_axis_tuser <= 1'b1;
                    stat_rx_err_rxer <= 1'b1;
                end else if (rx_dv) begin
                    m_axis_tuser <= 1'b1;
                    stat_rx_err_oversize <= 1'b1;
                end else if (!len_ge_5) begin
                    stat_rx_err_short <= 1'b1;
                end else if (!len_ge_min) begin
                    m_axis_tuser <= 1'b1;
                    stat_rx_err_runt <= 1'b1;
                end else if (crc != CRC_RESIDUE) begin
                    m_axis_tuser <= 1'b1;
                    stat_rx_err_fcs <= 1'b1;
                end else begin
                    stat_rx_frame <= 1'b1;
                end
                stat_rx_len <= len;
                state <= rx_dv ? S_SKIP : S_IDLE;
            end
        end
        S_SKIP: begin
            if (!rx_dv)
                state <= S_IDLE;
        end
        endcase
    end

    // Not the end: the previously held byte (sent above) is known not to be the last one. The
    // delay line stands still on the last cycle, as the bytes it then holds are shown on
    // m_axis_tdata (with tvalid low) at the start of the next frame.
    if (shift) begin
        d1 <= rxd;
        d2 <= d1;
        d3 <= d2;
        d4 <= d3;
        held <= d4;
    end

    if (rst) begin
        state <= S_IDLE;
        rx_dv <= 1'b0;
        rx_er <= 1'b0;
        m_axis_tvalid <= 1'b0;
        m_axis_tlast <= 1'b0;
        m_axis_tuser <= 1'b0;
        stat_rx_frame <= 1'b0;
        stat_rx_err_fcs <= 1'b0;
        stat_rx_err_runt <= 1'b0;
        stat_rx_err_oversize <= 1'b0;
        stat_rx_err_rxer <= 1'b0;
        stat_rx_err_preamble <= 1'b0;
        stat_rx_err_short <= 1'b0;
    end
end

endmodule

`resetall
