`resetall
`timescale 1ns / 1ps
`default_nettype none

// TX engine, core clock domain: descriptor ring -> DMA read -> checksum insertion -> TX FIFO,
// and one completion per descriptor.
//
//   idle -> fetch a group of up to 2 descriptors (one AXI burst, never across the group's
//           32-byte block, so never across 4 KB: ARM IHI 0022 section A3.4.1)
//        -> check the descriptor at CONS: buffer inside the DMA window, length 1..MAX_LEN,
//           checksum offsets inside the frame; a bad one gets an error completion, nothing read
//        -> wait for room for the whole frame in the FIFO, read it with INCR bursts split at
//           4 KB boundaries (all bursts issued back to back, data taken at one beat per cycle)
//           into the FIFO as the beats come, summing the checksum ranges on the way
//        -> fold the sums, patch the checksum bytes into the frame still uncommitted in the FIFO,
//           commit it and hand its {a0, len} to the serialiser
//        -> write the completion {len, index, status, phase}, CONS+1.
//
// Checksums (RFC 1071). Beats are host memory words, so frame byte k sits in lane (k+a0) mod 8
// of beat (k+a0)/8, a0 = address mod 8. Summing lanes pairwise (even lane = high byte) gives the
// sum of the frame's 16-bit words when a0 is even; when a0 is odd every byte sits in the other
// half of its word, and by RFC 1071 section 2(B) the sum is then the byte-swapped one.
//   IP (RFC 791): bytes 14 .. 14+IP_HLEN-1, bytes 24-25 (the checksum field) taken as zero;
//      ~sum written at 24.
//   L4 (Linux CHECKSUM_PARTIAL): bytes CSUM_START .. end, including the field the driver seeded
//      with the pseudo-header sum; ~sum written at CSUM_START+CSUM_OFF. With CSUM_UDP a computed 0
//      is sent as 0xFFFF (RFC 768: 0 means "no checksum"); without it (TCP, RFC 9293 section 3.1)
//      it is sent as 0.
module nic_tx #(
    // Host (DMA) address bits the engine carries, 13..64 (ring index x 16 needs 16 bits). A
    // narrower build only ever reaches host addresses below 2^ADDR_WIDTH: a descriptor whose
    // address has a bit set at or above ADDR_WIDTH is out of the window (error completion), as is
    // a ring entry that would lie past 2^ADDR_WIDTH; nothing is truncated.
    parameter ADDR_WIDTH = 64
) (
    input  wire        clk,
    input  wire        rst,

    // configuration
    input  wire        cfg_enable,
    input  wire [ADDR_WIDTH-1:0] cfg_ring_base,
    input  wire [ADDR_WIDTH-1:0] cfg_cpl_base,
    input  wire [12:0] cfg_size,
    input  wire [11:0] cfg_prod,
    input  wire [13:0] cfg_max_len,
    input  wire [ADDR_WIDTH-1:0] cfg_win_base,
    input  wire [ADDR_WIDTH-1:0] cfg_win_limit,
    output wire [11:0] cons,
    output wire        idle,

    // AXI4 read (rready is always high: room is reserved before a read is issued)
    output reg  [ADDR_WIDTH-1:0] m_axi_araddr,
    output reg  [7:0]  m_axi_arlen,
    output reg         m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [63:0] m_axi_rdata,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    // AXI4 write (completions only; bready always high)
    output reg  [ADDR_WIDTH-1:0] m_axi_awaddr,
    output reg         m_axi_awvalid,
    input  wire        m_axi_awready,
    output reg  [63:0] m_axi_wdata,
    output reg         m_axi_wlast,
    output reg         m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire        m_axi_bvalid,

    // TX FIFO write side
    output wire        fifo_wr_en,
    output wire [63:0] fifo_wr_data,
    output reg         fifo_commit,
    output reg         patch_en,
    output reg  [8:0]  patch_addr,
    output reg  [7:0]  patch_be,
    output reg  [63:0] patch_data,
    input  wire [9:0]  fifo_wr_ptr,
    input  wire [9:0]  fifo_free,
    output reg         info_wr_en,
    output reg  [23:0] info_wr_data,     // {7'b0, a0[2:0], len[13:0]}
    input  wire [4:0]  info_free,

    // one-cycle events
    output reg         stat_cpl,         // a completion was written
    output reg         stat_frame,       // ... for a frame that was sent
    output wire [13:0] stat_len,     // with stat_frame (the frame's length, held until the next one)
    output reg         stat_desc_err,    // ... for a bad descriptor
    output reg         stat_dma_err,     // a ring access fell outside the window: halted
    output reg         halted
);

localparam [3:0]
    S_IDLE   = 4'd0,
    S_FETCH  = 4'd1,    // descriptor group: AR
    S_FETCHR = 4'd2,    // descriptor group: R beats
    S_CHECK  = 4'd3,
    S_SPACE  = 4'd4,    // wait for FIFO room
    S_DATA   = 4'd5,    // AR bursts and R beats
    S_FOLD1  = 4'd6,
    S_FOLD2  = 4'd7,
    S_PATCH  = 4'd8,
    S_CPL    = 4'd9,    // AW and two W beats
    S_HALT   = 4'd10;

reg  [3:0]  state;

// ---- the ring: indexes, descriptor cache, entry addresses (nic_ring, shared with nic_rx) ----
wire        phase;
wire [11:0] fetch_idx;
wire [2:0]  n_fetch, fcount;
wire [3:0]  fbeat;
wire        cache_empty, fetch_over, cpl_over, d_hi;
wire [ADDR_WIDTH-1:0] fetch_addr, cpl_addr, d_addr;
wire [55:0] d_ctl;         // {off[7:0], start[15:0], hlen[7:0], flags[7:0], len[15:0]}
wire        ring_fetch, ring_beat, ring_consume;     // assigned with the state machine below
nic_ring #(.ADDR_WIDTH(ADDR_WIDTH), .CTL_W(56)) ring (
    .clk(clk), .rst(rst), .cfg_ring_base(cfg_ring_base), .cfg_cpl_base(cfg_cpl_base),
    .cfg_size(cfg_size), .cfg_prod(cfg_prod),
    .fetch_start(ring_fetch), .fetch_beat(ring_beat), .fetch_data(m_axi_rdata),
    .fetch_last(m_axi_rlast), .consume(ring_consume),
    .cons(cons), .phase(phase), .fetch_idx(fetch_idx), .fcount(fcount), .fbeat(fbeat),
    .n_fetch(n_fetch), .cache_empty(cache_empty), .fetch_addr(fetch_addr), .fetch_over(fetch_over),
    .cpl_addr(cpl_addr), .cpl_over(cpl_over), .d_addr(d_addr), .d_hi(d_hi), .d_ctl(d_ctl)
);

// Window check of [a, a+len), 65-bit sums so that nothing wraps. One checker, shared: the ring
// fetch (S_IDLE), the descriptor (S_CHECK) and the completion (S_CPL) are checked in different
// states.
// chk_hi: the address does not fit in ADDR_WIDTH bits (never in the 64-bit build).
reg  [ADDR_WIDTH-1:0] chk_addr;
reg         chk_hi;
reg  [15:0] chk_len;
`include "nic_addr.vh"
wire [SW:0] chk_end = {1'b0, ext_sw(chk_addr)} + {{(SW-15){1'b0}}, chk_len};
wire        chk_ok = !chk_hi && (chk_addr >= cfg_win_base) && (chk_end <= {1'b0, ext_sw(cfg_win_limit)});

// ---- descriptor cache: 2 entries, slot = index mod 2 (enough for line rate from 256 bytes) ----

wire [15:0] d_len   = d_ctl[15:0];
wire        d_csip  = d_ctl[16];
wire        d_csl4  = d_ctl[17];
wire        d_csudp = d_ctl[18];
wire [7:0]  d_hlen  = d_ctl[31:24];
wire [15:0] d_start = d_ctl[47:32];
wire [7:0]  d_off   = d_ctl[55:48];

// ---- the frame in flight (latched at S_CHECK) ----
reg  [ADDR_WIDTH-1:0] f_addr;   // next burst address
reg  [13:0] f_len;
reg  [2:0]  f_a0;
reg         f_ip, f_l4, f_udp;
reg         f_l4_sw;       // CSUM_START + a0 odd: the L4 words were summed byte-swapped
reg  [14:0] f_len_p;       // f_len + a0: the checksum bounds in beat-lane space (see below)
reg  [14:0] f_ip_end_p;    // 14 + IP_HLEN + a0
reg  [14:0] f_l4_start_p;  // CSUM_START + a0
reg  [13:0] f_l4_pos;      // where the L4 checksum goes
reg  [11:0] ar_left;       // beats still to request
reg  [11:0] r_beat;        // beats received
reg  [11:0] n_beats;
reg  [8:0]  f_base;        // FIFO word of beat 0
reg  [31:0] sum_ip, sum_l4;
reg  [15:0] ck_ip, ck_l4;
reg  [1:0]  patch_step;
reg  [7:0]  f_status;
reg  [1:0]  cpl_beat;
reg  [7:0]  rd_out;        // AR bursts without their last R beat yet
reg  [7:0]  wr_out;        // AW without B yet

assign idle = (state == S_IDLE || state == S_HALT) && rd_out == 8'd0 && wr_out == 8'd0;
// f_len changes only when the next frame is taken, never in the cycle of stat_frame
assign stat_len = f_len;

// Frame beats go into the FIFO as they arrive (no register in between: the FIFO's RAM has its
// own). Nothing of them is visible before the commit at the end of S_PATCH, and the patches come
// after the last beat, so the timing seen outside does not depend on this cycle.
assign fifo_wr_en = state == S_DATA && m_axi_rvalid;
assign fifo_wr_data = m_axi_rdata;

// ---- per-beat checksum terms ----
// Frame byte k sits at linear position p = k + a0 = 8*beat + lane, so a bound "k >= B" on the
// frame offset is "p >= B + a0": every lane of a later beat, the lanes from (B + a0) mod 8 up in
// beat (B + a0) / 8, none before. So each bound costs one beat-index equality and one 8-bit shift,
// not a 14-bit compare per lane (the bounds plus a0 are registered at S_CHECK; frames are shorter
// than 2^14 bytes, so B + a0 < 2^15). "A later beat" needs no magnitude compare either: r_beat
// starts at 0 at S_CHECK and steps by one per beat, so r_beat > b exactly when the beat with index
// b has gone by, which one flag per bound records (b_past, cleared at S_CHECK). Lane l of beat
// r_beat is summed when
//   IP: a0 <= p < len + a0, 14 + a0 <= p < 14 + IP_HLEN + a0, p not 24 + a0 or 25 + a0;
//   L4: a0 <= p < len + a0, p >= CSUM_START + a0.
wire [4:0]  a0_14 = {2'b00, f_a0} + 5'd14;     // beat 1 or 2
wire [5:0]  a0_24 = {3'b000, f_a0} + 6'd24;    // beat 3
wire [5:0]  a0_25 = {3'b000, f_a0} + 6'd25;    // beat 3 or 4
// bounds: 0 frame start, 1 frame end, 2 IP start, 3 IP end, 4 L4 start
wire [4:0]  b_hit = {r_beat == f_l4_start_p[14:3], r_beat == f_ip_end_p[14:3],
                     r_beat == {10'd0, a0_14[4:3]}, r_beat == f_len_p[14:3], r_beat == 12'd0};
wire [14:0] b_lane = {f_l4_start_p[2:0], f_ip_end_p[2:0], a0_14[2:0], f_len_p[2:0], f_a0};
reg  [4:0]  b_past;
reg  [39:0] b_ge;          // per bound, the lanes with p >= bound
integer bk;
always @* begin
    for (bk = 0; bk < 5; bk = bk + 1)
        b_ge[bk*8 +: 8] = b_past[bk] ? 8'hFF : b_hit[bk] ? (8'hFF << b_lane[bk*3 +: 3]) : 8'h00;
end
// the IP checksum field, lanes with p == 24 + a0 and p == 25 + a0
wire [7:0]  m_field = ((r_beat == {9'd0, a0_24[5:3]}) ? (8'h01 << a0_24[2:0]) : 8'h00) |
                      ((r_beat == {9'd0, a0_25[5:3]}) ? (8'h01 << a0_25[2:0]) : 8'h00);
wire [7:0]  m_frame = b_ge[7:0] & ~b_ge[15:8];
wire [7:0]  m_ip = {8{f_ip}} & m_frame & b_ge[23:16] & ~b_ge[31:24] & ~m_field;
wire [7:0]  m_l4 = {8{f_l4}} & m_frame & b_ge[39:32];
// Even lanes are the high bytes of the 16-bit words, odd lanes the low bytes: the sum of the
// selected words is 256 * (sum of even bytes) + (sum of odd bytes), at most 8 bytes: below 2^18.
reg [9:0]  ip_hi, ip_lo, l4_hi, l4_lo;
reg [18:0] add_ip, add_l4;
integer l;
always @* begin
    ip_hi = 10'd0;
    ip_lo = 10'd0;
    l4_hi = 10'd0;
    l4_lo = 10'd0;
    for (l = 0; l < 8; l = l + 2) begin
        ip_hi = ip_hi + (m_ip[l]     ? {2'd0, m_axi_rdata[l*8 +: 8]}     : 10'd0);
        ip_lo = ip_lo + (m_ip[l+1]   ? {2'd0, m_axi_rdata[l*8+8 +: 8]}   : 10'd0);
        l4_hi = l4_hi + (m_l4[l]     ? {2'd0, m_axi_rdata[l*8 +: 8]}     : 10'd0);
        l4_lo = l4_lo + (m_l4[l+1]   ? {2'd0, m_axi_rdata[l*8+8 +: 8]}   : 10'd0);
    end
    add_ip = {1'b0, ip_hi, 8'd0} + {9'd0, ip_lo};
    add_l4 = {1'b0, l4_hi, 8'd0} + {9'd0, l4_lo};
end

function [15:0] fold16(input [31:0] s);
    reg [16:0] t;
    begin
        t = {1'b0, s[15:0]} + {1'b0, s[31:16]};
        fold16 = t[15:0] + {15'd0, t[16]};
    end
endfunction

// patch step k: byte position and value
reg  [13:0] p_pos;
reg  [7:0]  p_val;
reg         p_on;
always @* begin
    case (patch_step)
    2'd0: begin p_on = f_ip; p_pos = 14'd24;           p_val = ck_ip[15:8]; end
    2'd1: begin p_on = f_ip; p_pos = 14'd25;           p_val = ck_ip[7:0];  end
    2'd2: begin p_on = f_l4; p_pos = f_l4_pos;         p_val = ck_l4[15:8]; end
    default: begin p_on = f_l4; p_pos = f_l4_pos + 14'd1; p_val = ck_l4[7:0]; end
    endcase
end
wire [13:0] p_lin = p_pos + {11'd0, f_a0};

// descriptor checks
wire [16:0] need_sum = {14'd0, d_addr[2:0]} + {1'b0, d_len} + 17'd7;
wire [13:0] need_beats = need_sum[16:3];     // beats that hold the frame
wire [16:0] l4_need = {1'b0, d_start} + {9'd0, d_off} + 17'd2;
wire err_len = d_len == 16'd0 || d_len > {2'b00, cfg_max_len} ||
               (d_csip && (d_hlen < 8'd20 || d_hlen > 8'd60 || {8'd0, d_hlen} + 16'd14 > d_len)) ||
               (d_csl4 && l4_need > {1'b0, d_len}) ||
               need_beats > 14'd511;       // longer than the FIFO (4 KB) can ever hold
wire err_addr = !chk_ok;

// burst length: up to the 4 KB boundary, at most 256 beats
wire [9:0]  to_4k = 10'd512 - {1'b0, f_addr[11:3]};
wire [11:0] burst = (ar_left < {2'b00, to_4k}) ? ar_left : {2'b00, to_4k};
wire [11:0] burst_c = (burst > 12'd256) ? 12'd256 : burst;
wire [SW-1:0] burst_bytes = {{(SW-15){1'b0}}, burst_c, 3'b000};


always @* begin
    case (state)
    S_IDLE:  begin chk_addr = fetch_addr; chk_hi = fetch_over; chk_len = {9'd0, n_fetch, 4'd0}; end
    S_CHECK: begin chk_addr = d_addr;     chk_hi = d_hi;       chk_len = d_len; end
    default: begin chk_addr = cpl_addr;   chk_hi = cpl_over;   chk_len = 16'd16; end
    endcase
end

// the ring's events, as the state machine below decides them: a group fetch issued from S_IDLE,
// its R beats, and the completion of the descriptor at CONS through
assign ring_fetch = state == S_IDLE && cfg_enable && cache_empty && n_fetch != 3'd0 && chk_ok;
assign ring_beat = state == S_FETCHR && m_axi_rvalid;
assign ring_consume = state == S_CPL && cpl_beat != 2'd0 && (!m_axi_awvalid || m_axi_awready) &&
                      ((m_axi_wvalid && m_axi_wready && m_axi_wlast) || cpl_beat == 2'd2);

// bits that are deliberately ignored (fetch_idx, fcount, fbeat: read by the formal proofs) (alignment, flags reserved for later)
wire unused_ok = &{1'b0, fetch_idx, fcount, fbeat, burst_bytes, fifo_wr_ptr[9], d_ctl[23:19],
                   p_lin[13:12], need_beats[13:12], need_sum[2:0]};

integer k;
always @(posedge clk) begin
    fifo_commit <= 1'b0;
    patch_en <= 1'b0;
    info_wr_en <= 1'b0;
    stat_cpl <= 1'b0;
    stat_frame <= 1'b0;
    stat_desc_err <= 1'b0;
    stat_dma_err <= 1'b0;

    if (rst) begin
        state <= S_IDLE;
        m_axi_arvalid <= 1'b0;
        m_axi_awvalid <= 1'b0;
        m_axi_wvalid <= 1'b0;
        rd_out <= 8'd0;
        wr_out <= 8'd0;
        halted <= 1'b0;
    end else begin
        rd_out <= rd_out + {7'd0, m_axi_arvalid && m_axi_arready} - {7'd0, m_axi_rvalid && m_axi_rlast};
        wr_out <= wr_out + {7'd0, m_axi_awvalid && m_axi_awready} - {7'd0, m_axi_bvalid};

        case (state)
        S_IDLE: begin
            if (cfg_enable) begin
                if (!cache_empty) begin
                    state <= S_CHECK;
                end else if (n_fetch != 3'd0) begin
                    if (!chk_ok) begin
                        stat_dma_err <= 1'b1;
                        halted <= 1'b1;
                        state <= S_HALT;
                    end else begin
                        m_axi_araddr <= fetch_addr;
                        m_axi_arlen <= {4'd0, n_fetch, 1'b0} - 8'd1;
                        m_axi_arvalid <= 1'b1;
                        state <= S_FETCH;
                    end
                end
            end
        end
        S_FETCH: begin
            if (m_axi_arready) begin
                m_axi_arvalid <= 1'b0;
                state <= S_FETCHR;
            end
        end
        S_FETCHR: begin
            if (m_axi_rvalid && m_axi_rlast)
                state <= S_IDLE;
        end
        S_CHECK: begin
            f_addr <= {d_addr[ADDR_WIDTH-1:3], 3'b000};
            f_len <= d_len[13:0];
            f_a0 <= d_addr[2:0];
            f_ip <= d_csip;
            f_l4 <= d_csl4;
            f_udp <= d_csudp;
            f_l4_sw <= d_addr[0] ^ d_start[0];
            f_len_p <= {1'b0, d_len[13:0]} + {12'd0, d_addr[2:0]};
            f_ip_end_p <= {7'd0, d_hlen} + 15'd14 + {12'd0, d_addr[2:0]};
            f_l4_start_p <= {1'b0, d_start[13:0]} + {12'd0, d_addr[2:0]};
            f_l4_pos <= d_start[13:0] + {6'd0, d_off};
            ar_left <= need_beats[11:0];
            n_beats <= need_beats[11:0];
            r_beat <= 12'd0;
            b_past <= 5'd0;
            sum_ip <= 32'd0;
            sum_l4 <= 32'd0;
            f_status <= {6'd0, err_len, err_addr};
            if (err_len || err_addr) begin
                state <= S_CPL;
                cpl_beat <= 2'd0;
            end else begin
                state <= S_SPACE;
            end
        end
        S_SPACE: begin
            if ({2'b00, fifo_free} > n_beats && info_free != 5'd0) begin
                f_base <= fifo_wr_ptr[8:0];
                state <= S_DATA;
            end
        end
        S_DATA: begin
            // requests
            if (m_axi_arvalid) begin
                if (m_axi_arready)
                    m_axi_arvalid <= 1'b0;
            end else if (ar_left != 12'd0) begin
                m_axi_araddr <= f_addr;
                m_axi_arlen <= burst_c[7:0] - 8'd1;
                m_axi_arvalid <= 1'b1;
                f_addr <= f_addr + burst_bytes[ADDR_WIDTH-1:0];
                ar_left <= ar_left - burst_c;
            end
            // data
            if (m_axi_rvalid) begin
                sum_ip <= sum_ip + {13'd0, add_ip};
                sum_l4 <= sum_l4 + {13'd0, add_l4};
                r_beat <= r_beat + 12'd1;
                b_past <= b_past | b_hit;
                if (r_beat + 12'd1 == n_beats)
                    state <= S_FOLD1;
            end
        end
        S_FOLD1: begin
            ck_ip <= fold16(sum_ip);
            ck_l4 <= fold16(sum_l4);
            state <= S_FOLD2;
        end
        S_FOLD2: begin
            // a region that starts in an odd lane had its bytes paired the other way round (RFC
            // 1071 section 2(B)): the IP header starts at 14, so when a0 is odd; the L4 range at
            // CSUM_START, so when CSUM_START + a0 is odd
            ck_ip <= ~(f_a0[0] ? {ck_ip[7:0], ck_ip[15:8]} : ck_ip);
            ck_l4 <= f_udp && (f_l4_sw ? {ck_l4[7:0], ck_l4[15:8]} : ck_l4) == 16'hFFFF ? 16'hFFFF
                     : ~(f_l4_sw ? {ck_l4[7:0], ck_l4[15:8]} : ck_l4);
            patch_step <= 2'd0;
            state <= S_PATCH;
        end
        S_PATCH: begin
            if (p_on) begin
                patch_en <= 1'b1;
                patch_addr <= f_base + p_lin[11:3];
                for (k = 0; k < 8; k = k + 1) begin
                    patch_be[k] <= p_lin[2:0] == k[2:0];
                    patch_data[k*8 +: 8] <= p_val;
                end
            end
            patch_step <= patch_step + 2'd1;
            if (patch_step == 2'd3) begin
                fifo_commit <= 1'b1;
                info_wr_en <= 1'b1;
                info_wr_data <= {7'd0, f_a0, f_len};
                state <= S_CPL;
                cpl_beat <= 2'd0;
            end
        end
        S_CPL: begin
            if (cpl_beat == 2'd0) begin
                if (!chk_ok) begin
                    stat_dma_err <= 1'b1;
                    halted <= 1'b1;
                    state <= S_HALT;
                end else begin
                    m_axi_awaddr <= cpl_addr;
                    m_axi_awvalid <= 1'b1;
                    m_axi_wdata <= {24'd0, f_status, 4'd0, cons, 2'b00, f_len};
                    m_axi_wlast <= 1'b0;
                    m_axi_wvalid <= 1'b1;
                    cpl_beat <= 2'd1;
                end
            end else begin
                if (m_axi_awvalid && m_axi_awready)
                    m_axi_awvalid <= 1'b0;
                if (m_axi_wvalid && m_axi_wready) begin
                    if (m_axi_wlast) begin
                        m_axi_wvalid <= 1'b0;
                        cpl_beat <= 2'd2;
                    end else begin
                        m_axi_wdata <= {phase, 63'd0};
                        m_axi_wlast <= 1'b1;
                    end
                end
                // done once both the address and the last data beat are through (now or before)
                if ((!m_axi_awvalid || m_axi_awready) &&
                    ((m_axi_wvalid && m_axi_wready && m_axi_wlast) || cpl_beat == 2'd2)) begin
                    begin
                        stat_cpl <= 1'b1;
                        stat_frame <= f_status == 8'd0;
                        stat_desc_err <= f_status != 8'd0;
                        state <= S_IDLE;
                    end
                end
            end
        end
        default: ;    // S_HALT: until reset
        endcase
    end
end


endmodule

`resetall
