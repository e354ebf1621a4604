`resetall
`timescale 1ns / 1ps
`default_nettype none

// Receive front end, in the MAC's rx_clk domain: takes the MAC's byte stream, packs it into
// 64-bit little-endian words for the store-and-forward FIFO (byte 0 of the frame in bits 7:0 of
// word 0) and, while the bytes pass, computes what the completion will report:
//   - the 16-bit ones'-complement sum (RFC 1071) of the frame from byte 14 to its end;
//   - IPv4 header verdict (RFC 791: version 4, IHL >= 5, header sum 0xFFFF, total length within
//     the frame), fragment flag (MF or a fragment offset), protocol;
//   - TCP (RFC 9293 section 3.1) or UDP (RFC 768) checksum over the pseudo-header and the segment
//     (IPv4 total length bounds it, so Ethernet padding is left out; for UDP the datagram's own
//     Length does); UDP checksum 0 means "none", and fragments are not checked;
//   - the multicast hash index: the top 6 bits of the CRC-32 (IEEE 802.3 clause 3.2.9, as FCS) of
//     the destination address.
// A frame is committed to the FIFO at its last byte when the MAC says it is good and it fitted,
// otherwise rolled back, so the core side never sees any of it. The frame's info word follows
// three cycles later (the sums are folded meanwhile); the MAC's frame gap leaves room for that.
module nic_rx_front #(
    // The checksum verdicts and sum: 1 as described above; 0 leaves them out (CAPS.RX_CSUM 0):
    // status and csum are 0 in every info word.
    parameter CSUM = 1
) (
    input  wire        clk,
    input  wire        rst,

    // from the MAC (no back-pressure: the wire does not wait)
    input  wire [7:0]  s_axis_tdata,
    input  wire        s_axis_tvalid,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,

    // data FIFO write side
    output reg         fifo_wr_en,
    output reg  [63:0] fifo_wr_data,
    output reg         fifo_commit,
    output reg         fifo_rollback,
    input  wire [9:0]  fifo_free,

    // frame info FIFO write side: {hash[5:0], status[6:0], csum[15:0], len[13:0]} in 48 bits
    output reg         info_wr_en,
    output reg  [47:0] info_wr_data,
    input  wire [4:0]  info_free,

    // one-cycle pulse: a good frame was dropped because a FIFO was full
    output reg         stat_rx_drop_fifo
);

reg [13:0] pos;            // offset of the current byte in the frame
reg        overflow;
reg [31:0] crc;

reg [7:0]  et_hi;
reg        is_ip4;
reg [3:0]  ver;
reg [3:0]  ihl;
reg [15:0] tot_len;
reg [7:0]  tot_hi;
reg        mf;
reg [12:0] frag_off;
reg [4:0]  off_hi;
reg [7:0]  proto;
reg        udp_zero;       // UDP checksum field is 0 (RFC 768: no checksum)
reg [7:0]  udp_hi;
reg [15:0] udp_len;        // UDP Length (RFC 768): header and data, what the checksum covers
reg [16:0] udp_end;        // frame offset just past the datagram: IP header end + Length
// Ones'-complement sums (RFC 1071) kept as 16 bits plus a deferred carry: s + 65536 c is congruent
// modulo 65535 to the plain sum of the words and is zero only if that sum is, so the folds at the
// end give exactly what folding a 32-bit sum would, with half the adder and register bits.
reg [15:0] sum_all, sum_ip, sum_l4;
reg        c_all, c_ip, c_l4;

wire [7:0]  b = s_axis_tdata;
wire [15:0] w = pos[0] ? {8'h00, b} : {b, 8'h00};     // even offsets are the high byte
wire [13:0] ip_end = 14'd14 + {8'd0, ihl, 2'b00};
wire [13:0] l4_end = 14'd14 + tot_len[13:0];
wire        in_ip = (pos == 14'd14) || (pos > 14'd14 && pos < ip_end);
// UDP: only the datagram's Length octets (RFC 768), not IP payload past it; the Length is known
// from the 7th byte of the header on, and the header's first 6 bytes are part of any datagram.
wire        in_udp = proto != 8'd17 || pos < ip_end + 14'd6 || {3'b000, pos} < udp_end;
wire        in_l4 = pos >= ip_end && pos < l4_end && tot_len[15:14] == 2'b00 && in_udp;
wire        in_pseudo = pos >= 14'd26 && pos < 14'd34;   // source and destination address

wire [31:0] crc_next;
eth_crc32_d8 hash_crc (.crc_in(crc), .data(b), .crc_out(crc_next));

// ---- end of frame: fold the sums over three cycles, then push the info word ----
reg  [1:0]  end_stage;
reg  [13:0] f_len;
// 17 bits: a 16-bit sum plus its carry; two folds bring any of them to 16 bits (the first
// leaves at most 0x10001, the second at most 0xFFFF)
reg  [16:0] f_all, f_ip, f_l4;

function [16:0] fold(input [16:0] v);
    fold = {1'b0, v[15:0]} + {16'd0, v[16]};
endfunction

wire [15:0] l4_len = tot_len - {10'd0, ihl, 2'b00};
wire        is_tcp = proto == 8'd6;
wire        is_udp = proto == 8'd17;
// the L4 sum with the pseudo-header's protocol and length (below 2^18), before its folds
wire [17:0] l4_pre = {2'b00, sum_l4} + {17'd0, c_l4} + {10'd0, proto} +
                     {2'b00, is_udp ? udp_len : l4_len};
wire        ip_bad = ver != 4'd4 || ihl < 4'd5 || f_ip[15:0] != 16'hFFFF ||
                     tot_len < {10'd0, ihl, 2'b00} || {2'b00, f_len} < 16'd14 + tot_len;
wire        frag = mf || frag_off != 13'd0;
// The zero-checksum field only counts in a datagram long enough to hold it (RFC 768: the header
// is 8 octets); in a shorter one the bytes at its place belong to whatever follows.
wire        l4_checked = is_ip4 && !ip_bad && !frag && (is_tcp || (is_udp && !(udp_zero && l4_len >= 16'd8)));
// Malformed, so checked and bad: a TCP segment shorter than its 20-byte header (RFC 9293 3.1), a
// UDP datagram whose payload cannot hold the header or whose Length is under 8 or past the payload.
wire        l4_short = (is_tcp && l4_len < 16'd20) ||
                       (is_udp && (l4_len < 16'd8 || udp_len < 16'd8 || udp_len > l4_len));
wire        l4_bad = l4_checked && (l4_short || f_l4[15:0] != 16'hFFFF);
wire [6:0]  status = {is_ip4 && frag, is_ip4 && is_udp, is_ip4 && is_tcp, l4_bad, l4_checked,
                      is_ip4 && ip_bad, is_ip4};
wire [5:0]  hash = ~crc[31:26];   // of the CRC as transmitted (complemented)
// Two words of margin: fifo_free is a cycle late, and a last word may follow a full one at once.
wire        fifo_room = fifo_free > 10'd1;
wire        drop_at_end = s_axis_tuser || overflow || !fifo_room || info_free == 5'd0;

// (status and the sums feed nothing in a CSUM 0 build)
wire unused_ok = &{1'b0, status, f_all};

always @(posedge clk) begin
    fifo_wr_en <= 1'b0;
    fifo_commit <= 1'b0;
    fifo_rollback <= 1'b0;
    info_wr_en <= 1'b0;
    stat_rx_drop_fifo <= 1'b0;

    if (rst) begin
        pos <= 14'd0;
        overflow <= 1'b0;
        end_stage <= 2'd0;
        crc <= 32'hFFFFFFFF;
        sum_all <= 16'd0;
        sum_ip <= 16'd0;
        sum_l4 <= 16'd0;
        c_all <= 1'b0;
        c_ip <= 1'b0;
        c_l4 <= 1'b0;
        is_ip4 <= 1'b0;
        ihl <= 4'd0;
        tot_len <= 16'd0;
        udp_zero <= 1'b0;
        udp_len <= 16'd0;
        udp_end <= 17'd0;
    end else begin
        if (s_axis_tvalid) begin
            // The word is packed in place: the FIFO takes it in the cycle after its last byte, at
            // the same edge that writes the next word's first byte (lanes past the end of a frame
            // keep older bytes; the RX DMA's WSTRB leaves them out).
            fifo_wr_data[pos[2:0]*8 +: 8] <= b;
            if (pos[2:0] == 3'd7 || s_axis_tlast) begin
                fifo_wr_en <= 1'b1;
                if (!fifo_room)
                    overflow <= 1'b1;
            end
            pos <= pos + 14'd1;
            if (pos < 14'd6)
                crc <= crc_next;
            case (pos)
            14'd12: et_hi <= b;
            14'd13: is_ip4 <= {et_hi, b} == 16'h0800;
            14'd14: begin ver <= b[7:4]; ihl <= b[3:0]; end
            14'd16: tot_hi <= b;
            14'd17: tot_len <= {tot_hi, b};
            14'd20: begin mf <= b[5]; off_hi <= b[4:0]; end
            14'd21: frag_off <= {off_hi, b};
            14'd23: proto <= b;
            default: ;
            endcase
            if (pos == ip_end + 14'd4 || pos == ip_end + 14'd6) udp_hi <= b;
            if (pos == ip_end + 14'd5) begin
                udp_len <= {udp_hi, b};
                udp_end <= {3'b000, ip_end} + {1'b0, udp_hi, b};
            end
            if (pos == ip_end + 14'd7) udp_zero <= {udp_hi, b} == 16'h0000;
            if (pos >= 14'd14) {c_all, sum_all} <= {1'b0, sum_all} + {1'b0, w} + {16'd0, c_all};
            if (in_ip) {c_ip, sum_ip} <= {1'b0, sum_ip} + {1'b0, w} + {16'd0, c_ip};
            if (in_l4 || in_pseudo) {c_l4, sum_l4} <= {1'b0, sum_l4} + {1'b0, w} + {16'd0, c_l4};

            if (s_axis_tlast) begin
                // The whole frame is in the FIFO (this cycle's word included) or it is not seen.
                pos <= 14'd0;
                overflow <= 1'b0;
                f_len <= pos + 14'd1;
                if (drop_at_end) begin
                    fifo_rollback <= 1'b1;
                    stat_rx_drop_fifo <= !s_axis_tuser;
                end else begin
                    fifo_commit <= 1'b1;
                    end_stage <= 2'd1;
                end
            end
        end

        // Fold (the last byte is in the sums from the cycle after tlast). The pseudo-header's
        // protocol and TCP/UDP length join the L4 sum here (RFC 9293 section 3.1).
        case (end_stage)
        2'd1: begin
            f_all <= {1'b0, sum_all} + {16'd0, c_all};
            f_ip <= {1'b0, sum_ip} + {16'd0, c_ip};
            // the pseudo-header length: TCP Length, or UDP's own Length field (RFC 768)
            f_l4 <= {1'b0, l4_pre[15:0]} + {15'd0, l4_pre[17:16]};
            end_stage <= 2'd2;
        end
        2'd2: begin
            f_all <= fold(f_all);
            f_ip <= fold(f_ip);
            f_l4 <= fold(f_l4);
            end_stage <= 2'd3;
        end
        2'd3: begin
            info_wr_en <= 1'b1;
            info_wr_data <= {5'd0, hash, CSUM != 0 ? status : 7'd0, CSUM != 0 ? f_all[15:0] : 16'd0, f_len};
            end_stage <= 2'd0;
            crc <= 32'hFFFFFFFF;
            sum_all <= 16'd0;
            sum_ip <= 16'd0;
            sum_l4 <= 16'd0;
            c_all <= 1'b0;
            c_ip <= 1'b0;
            c_l4 <= 1'b0;
            is_ip4 <= 1'b0;
            ihl <= 4'd0;
            tot_len <= 16'd0;
            udp_zero <= 1'b0;
            udp_len <= 16'd0;
            udp_end <= 17'd0;
        end
        default: ;
        endcase
        // a frame dropped at its end starts the next one clean as well
        if (s_axis_tvalid && s_axis_tlast && drop_at_end) begin
            crc <= 32'hFFFFFFFF;
            sum_all <= 16'd0;
            sum_ip <= 16'd0;
            sum_l4 <= 16'd0;
            c_all <= 1'b0;
            c_ip <= 1'b0;
            c_l4 <= 1'b0;
            is_ip4 <= 1'b0;
            ihl <= 4'd0;
            tot_len <= 16'd0;
            udp_zero <= 1'b0;
            udp_len <= 16'd0;
            udp_end <= 17'd0;
        end
    end
end

endmodule

`resetall
