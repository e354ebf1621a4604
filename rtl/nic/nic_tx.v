`resetall
`timescale 1ns / 1ps
`default_nettype none

// TX engine, core clock domain: descriptor ring -> DMA read -> checksum insertion -> TX FIFO,
// and one completion per descriptor. Three stages joined by queues, so that up to PIPE frames
// are being read from host memory while earlier ones are checksummed, sent and completed (one
// frame at a time pays a whole memory round trip per frame: 40 % of line rate at 64 bytes with
// 1 us of latency).
//
//   prefetch  descriptors come in groups of up to GROUP (one INCR burst each) into a cache of
//             CACHE entries, fetched while the cache still holds a group (nic_ring)
//   issuer    takes the descriptor at HEAD and checks it: buffer inside the DMA window, length
//             1..MAX_LEN, checksum offsets inside the frame. A bad one goes on with an error
//             status and nothing is read. A good one waits for room for the whole frame in the
//             FIFO (reserved, so frames in flight never overrun it) and an info slot, then its
//             INCR bursts are issued, split at 4 KB (ARM IHI 0022 section A3.4.1) and at 256
//             beats. Its record goes into the frame queue (PIPE deep).
//   receiver  takes records in order (a record leaves the queue when its frame is in the FIFO)
//             and the frame's R beats (AXI keeps one ID's read data in
//             issue order, A5.3.1) into the FIFO, summing the checksum ranges on the way; folds
//             the sums, patches the checksum bytes into the frame still uncommitted in the FIFO,
//             commits it and hands {a0, len} to the serialiser. A beat answered SLVERR/DECERR
//             rolls the frame back (nothing is sent) and its completion says ERR_DMA.
//   completer writes {len, index, status, phase} at CONS, AW and W together (A3.3.1), CONS+1.
//
// R beats: a tag per AR burst (descriptor group or frame data) tells whose the next burst is;
// RREADY is low for frame data while the receiver folds and patches (the FIFO has one write
// port). A descriptor fetch or completion write answered SLVERR/DECERR, or a ring access outside
// the window, halts the engine (stat_dma_err) until reset: the ring can no longer be trusted.
//
// Checksums (RFC 1071). Beats are host memory words, so frame byte k sits in lane (k+a0) mod 8
// of beat (k+a0)/8, a0 = address mod 8. Summing lanes pairwise (even lane = high byte) gives the
// sum of the frame's 16-bit words when a region starts at an even lane; when it starts at an odd
// one every byte sits in the other half of its word, and by RFC 1071 section 2(B) the sum is
// then the byte-swapped one.
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
    parameter ADDR_WIDTH = 64,
    // Frames in flight (1, 2, 4 or 8): issued and not yet whole in the FIFO (the frame queue's
    // depth). The descriptor cache holds 2 x PIPE entries (one for PIPE 1), fetched PIPE at a
    // time. 4 keeps 64-byte frames at line rate with 2 us of host memory latency; 1 is the
    // smallest engine (one frame at a time, as a serial engine).
    parameter PIPE = 4,
    // Checksum insertion: 1 as described above; 0 leaves it out (CAPS.TX_CSUM 0) and the
    // descriptor's checksum flags are ignored: frames go out as given.
    parameter CSUM = 1,
    // Data FIFO depth, 2^FIFO_AW 64-bit words (nic_core): a frame needing more beats is refused
    parameter FIFO_AW = 9
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

    // AXI4 read
    output reg  [ADDR_WIDTH-1:0] m_axi_araddr,
    output reg  [7:0]  m_axi_arlen,
    output reg         m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    output wire        m_axi_rready,
    // AXI4 write (completions only; bready always high)
    output reg  [ADDR_WIDTH-1:0] m_axi_awaddr,
    output reg         m_axi_awvalid,
    input  wire        m_axi_awready,
    output reg  [63:0] m_axi_wdata,
    output reg         m_axi_wlast,
    output reg         m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,

    // TX FIFO write side
    output wire        fifo_wr_en,
    output wire [63:0] fifo_wr_data,
    output reg         fifo_commit,
    output reg         fifo_rollback,
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
    output reg  [13:0] stat_len,         // with stat_frame (the frame's length, held until the next one)
    output reg         stat_desc_err,    // ... for a bad descriptor
    output reg         stat_resp_err,    // ... for a frame whose read was answered SLVERR/DECERR
    output reg         stat_dma_err,     // a ring access failed: halted
    output reg         halted
);

localparam CACHE = PIPE <= 1 ? 1 : 2 * PIPE;
localparam GROUP = PIPE <= 1 ? 1 : PIPE;
localparam LQ = PIPE <= 1 ? 0 : PIPE <= 2 ? 1 : PIPE <= 4 ? 2 : 3;     // log2 PIPE
localparam LQ1 = LQ == 0 ? 1 : LQ;                                       // index bits
// AR bursts outstanding (a frame is at most 3: 4 KB and 256-beat splits) for the frames in flight,
// and a descriptor group; a full tag FIFO only delays the next AR
localparam LT = PIPE <= 1 ? 2 : PIPE <= 2 ? 3 : PIPE <= 4 ? 4 : 5;
initial begin
    if ((1 << LQ) != PIPE || PIPE > 8) begin
        $display("nic_tx %m: PIPE %0d must be 1, 2, 4 or 8", PIPE);
        $finish;
    end
end

// ---- the ring: indexes, descriptor cache, entry addresses (nic_ring, shared with nic_rx) ----
wire        phase;
wire [11:0] fetch_idx, head;
wire [3:0]  n_fetch, fcount;
wire [4:0]  fbeat;
wire        fetching, ring_dry, fetch_over, cpl_over, d_valid, d_hi;
wire [ADDR_WIDTH-1:0] fetch_addr, cpl_addr, d_addr;
wire [55:0] d_ctl;         // {off[7:0], start[15:0], hlen[7:0], flags[7:0], len[15:0]}
wire        ring_fetch, ring_beat, ring_take, ring_consume;     // assigned below
nic_ring #(.ADDR_WIDTH(ADDR_WIDTH), .CTL_W(56), .CACHE(CACHE), .GROUP(GROUP)) ring (
    .clk(clk), .rst(rst), .cfg_ring_base(cfg_ring_base), .cfg_cpl_base(cfg_cpl_base),
    .cfg_size(cfg_size), .cfg_prod(cfg_prod),
    .fetch_start(ring_fetch), .fetch_beat(ring_beat), .fetch_data(m_axi_rdata),
    .fetch_last(m_axi_rlast), .take(ring_take), .consume(ring_consume),
    .cons(cons), .phase(phase), .head(head), .fetch_idx(fetch_idx), .fetching(fetching),
    .fcount(fcount), .fbeat(fbeat), .n_fetch(n_fetch), .dry(ring_dry),
    .fetch_addr(fetch_addr), .fetch_over(fetch_over), .cpl_addr(cpl_addr), .cpl_over(cpl_over),
    .d_valid(d_valid), .d_addr(d_addr), .d_hi(d_hi), .d_ctl(d_ctl)
);

`include "nic_addr.vh"

wire [15:0] d_len   = d_ctl[15:0];
wire        d_csip  = d_ctl[16] && CSUM != 0;
wire        d_csl4  = d_ctl[17] && CSUM != 0;
wire        d_csudp = d_ctl[18] && CSUM != 0;
wire [7:0]  d_hlen  = d_ctl[31:24];
wire [15:0] d_start = d_ctl[47:32];
wire [7:0]  d_off   = d_ctl[55:48];

localparam [7:0] ST_ERR_ADDR = 8'h01, ST_ERR_LEN = 8'h02, ST_ERR_DMA = 8'h04;
wire resp_err_r = m_axi_rresp[1];      // SLVERR (10) or DECERR (11): A3.4.4 (EXOKAY is never asked for)
wire resp_err_b = m_axi_bresp[1];

// =====================================================================================
// Issuer
// =====================================================================================
localparam [1:0] I_IDLE = 2'd0, I_ROOM = 2'd1, I_AR = 2'd2;
reg  [1:0]  istate;

// descriptor checks, on the descriptor at HEAD
localparam [13:0] FIFO_MAX = (14'd1 << FIFO_AW) - 14'd1;
wire [16:0] need_sum = {14'd0, d_addr[2:0]} + {1'b0, d_len} + 17'd7;
wire [13:0] need_beats = need_sum[16:3];     // beats that hold the frame
wire [16:0] l4_need = {1'b0, d_start} + {9'd0, d_off} + 17'd2;
wire err_len = d_len == 16'd0 || d_len > {2'b00, cfg_max_len} ||
               (d_csip && (d_hlen < 8'd20 || d_hlen > 8'd60 || {8'd0, d_hlen} + 16'd14 > d_len)) ||
               (d_csl4 && l4_need > {1'b0, d_len}) ||
               need_beats > FIFO_MAX;      // longer than the FIFO can ever hold

// the descriptor being issued
reg  [ADDR_WIDTH-1:0] i_addr;   // next burst address
reg  [8:0]  i_beats;
reg  [11:0] ar_left;            // beats still to request
reg         i_bad;              // it failed its checks: nothing to read

// frame queue: {status[1:0], beats[8:0], off[7:0], start[13:0], hlen[7:0], udp, l4, ip,
//               a0[2:0], len[13:0]}
reg  [61:0] q_mem [0:PIPE-1];
reg  [LQ:0] q_wp, q_rp;
wire [LQ:0] q_cnt = q_wp - q_rp;
// slot indexes (PIPE 1: the one slot)
localparam [LQ1-1:0] QMASK = PIPE[LQ1-1:0] - 1'b1;
wire [LQ1-1:0] q_wi = q_wp[LQ1-1:0] & QMASK;
wire [LQ1-1:0] q_ri = q_rp[LQ1-1:0] & QMASK;
wire [61:0] q_head = q_mem[q_ri];

// FIFO words and info slots promised to frames issued but not yet written into the FIFO
reg  [9:0]  resv_words;
reg  [4:0]  resv_info;
wire [10:0] words_need = {1'b0, resv_words} + {2'd0, i_beats};
wire        room = {1'b0, fifo_free} > words_need && info_free > resv_info;

// Burst length: up to the 4 KB boundary, at most 256 beats. Computed a cycle ahead and registered
// (the subtraction and two comparisons sat in front of the AR registers and the address adder).
// In I_ROOM it is computed from the frame's beats, so the first burst is ready when I_AR begins;
// after a burst is issued the register is a cycle old, and the next burst of the same frame (one
// that crosses 4 KB) waits that cycle.
wire [9:0]  to_4k = 10'd512 - {1'b0, i_addr[11:3]};
wire [11:0] burst_src = (istate == I_ROOM) ? {3'd0, i_beats} : ar_left;
wire [11:0] burst = (burst_src < {2'b00, to_4k}) ? burst_src : {2'b00, to_4k};
reg  [11:0] burst_c;
reg         burst_stale;
always @(posedge clk)
    burst_c <= (burst > 12'd256) ? 12'd256 : burst;
wire [SW-1:0] burst_bytes = {{(SW-15){1'b0}}, burst_c, 3'b000};

assign ring_take = istate == I_IDLE && cfg_enable && !halted && d_valid && q_cnt != PIPE[LQ:0];


// ---- AR port: descriptor groups first, then frame bursts; a tag per burst ----
reg  [(1<<LT)-1:0] tag_mem;     // 1: descriptor group, 0: frame data
reg  [LT:0] tag_wp, tag_rp;
wire [LT:0] tag_cnt = tag_wp - tag_rp;
wire        tag_ne = tag_cnt != {(LT+1){1'b0}};
wire        tag_desc = tag_mem[tag_rp[LT-1:0]];
wire        ar_free = (!m_axi_arvalid || m_axi_arready) && tag_cnt != (1 << LT);

// =====================================================================================
// Receiver
// =====================================================================================
localparam [2:0] R_IDLE = 3'd0, R_DATA = 3'd1, R_FOLD1 = 3'd2, R_FOLD2 = 3'd3, R_PATCH = 3'd4;
reg  [2:0]  rstate;

// completion queue (PIPE deep): {status[7:0], len[13:0]}
reg  [21:0] c_mem [0:PIPE-1];
reg  [LQ:0] c_wp, c_rp;
wire [LQ:0] c_cnt = c_wp - c_rp;
wire [LQ1-1:0] c_wi = c_wp[LQ1-1:0] & QMASK;
wire [21:0] c_head = c_mem[c_rp[LQ1-1:0] & QMASK];

// R beats
assign m_axi_rready = halted || !tag_ne || tag_desc || rstate == R_DATA;
wire   r_take = m_axi_rvalid && m_axi_rready;
assign ring_beat = r_take && tag_ne && tag_desc && !halted;
wire   data_beat = r_take && tag_ne && !tag_desc && rstate == R_DATA && !halted;

// ---- the frame being received: its record stays at the head of the queue until its end ----
reg  [14:0] f_len_p;       // f_len + a0: the checksum bounds in beat-lane space (see below)
reg  [14:0] f_ip_end_p;    // 14 + IP_HLEN + a0
reg  [14:0] f_l4_start_p;  // CSUM_START + a0
reg  [13:0] f_l4_pos;      // where the L4 checksum goes
reg  [11:0] r_beat;        // beats received
reg  [8:0]  f_base;        // FIFO word of beat 0
reg         f_rerr;        // a beat came with SLVERR/DECERR
reg  [31:0] sum_ip, sum_l4;
reg  [15:0] ck_ip, ck_l4;
reg  [1:0]  patch_step;

wire [13:0] q_len   = q_head[13:0];
wire [2:0]  q_a0    = q_head[16:14];
wire        q_ip    = q_head[17];
wire        q_l4    = q_head[18];
wire        q_udp   = q_head[19];
wire [7:0]  q_hlen  = q_head[27:20];
wire [13:0] q_start = q_head[41:28];
wire [7:0]  q_off   = q_head[49:42];
wire [8:0]  q_beats = q_head[58:50];
wire [1:0]  q_status = q_head[60:59];
wire [13:0] f_len = q_len;
wire [2:0]  f_a0 = q_a0;
wire        f_ip = q_ip, f_l4 = q_l4, f_udp = q_udp;
wire        f_l4_sw = q_a0[0] ^ q_start[0];    // CSUM_START + a0 odd: L4 words summed byte-swapped
wire [11:0] n_beats = {3'd0, q_beats};

// Frame beats go into the FIFO as they arrive (no register in between: the FIFO's RAM has its
// own). Nothing of them is visible before the commit at the end of R_PATCH, and the patches come
// after the last beat, so the timing seen outside does not depend on this cycle.
assign fifo_wr_en = data_beat;
assign fifo_wr_data = m_axi_rdata;

// ---- per-beat checksum terms ----
// Frame byte k sits at linear position p = k + a0 = 8*beat + lane, so a bound "k >= B" on the
// frame offset is "p >= B + a0": every lane of a later beat, the lanes from (B + a0) mod 8 up in
// beat (B + a0) / 8, none before. So each bound costs one beat-index equality and one 8-bit shift,
// not a 14-bit compare per lane (the bounds plus a0 are registered when the frame starts; frames are shorter
// than 2^14 bytes, so B + a0 < 2^15). "A later beat" needs no magnitude compare either: r_beat
// starts at 0 with the frame and steps by one per beat, so r_beat > b exactly when the beat with index
// b has gone by, which one flag per bound records (b_past, cleared with the frame). Lane l of beat
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

// =====================================================================================
// Completer
// =====================================================================================
reg         c_busy;
reg         c_aw_done, c_w_done;
wire        c_aw_now = m_axi_awvalid && m_axi_awready;
wire        c_wl_now = m_axi_wvalid && m_axi_wready && m_axi_wlast;
// done once both the address and the last data beat are through (now or before)
wire        c_done = c_busy && (c_aw_done || c_aw_now) && (c_w_done || c_wl_now);
assign ring_consume = c_done;

reg  [3:0]  wr_out;        // completion AWs without B yet (at most 15: the completer waits)
assign idle = ((istate == I_IDLE && rstate == R_IDLE && q_cnt == {(LQ+1){1'b0}} &&
                c_cnt == {(LQ+1){1'b0}} && !fetching) || halted) &&
              !c_busy && tag_cnt == {(LT+1){1'b0}} && wr_out == 4'd0;

// bits that are deliberately ignored (fetch_idx, head, fcount, fbeat, ring_dry: read by the
// formal proofs) (alignment, flags reserved for later)
wire unused_ok = &{1'b0, m_axi_rresp[0], m_axi_bresp[0], fetch_idx, head, fcount, fbeat, ring_dry, burst_bytes, fifo_wr_ptr[9],
                   d_ctl[23:16], p_lin[13:12], need_beats[13:12], need_sum[2:0], q_head[61],
                   l4_need[16]};

// the AR port: descriptor groups first, then frame bursts
wire        want_fetch = cfg_enable && !halted && n_fetch != 4'd0 && sel_fetch;
assign ring_fetch = want_fetch && ar_free && fetch_ok;
wire        ar_frame = !want_fetch && ar_free && istate == I_AR && ar_left != 12'd0 && !halted && !burst_stale;
always @(posedge clk)
    burst_stale <= !rst && ar_frame;

// A window checker per use (adder and two comparators each): the descriptor being taken first,
// then the completion entry about to be written, then the next descriptor group; each of them acts
// only in a cycle that is its own. (One shared checker with the address mux in front of its adder
// saved ~80 logic cells but was the core clock's critical path on the iCE40.)
wire        sel_desc = ring_take;
wire        sel_cpl = !sel_desc && !c_busy && c_cnt != {(LQ+1){1'b0}} && !halted && wr_out != 4'hF;
wire        sel_fetch = !sel_desc && !sel_cpl;
wire        d_ok = win_ok(d_addr, d_hi, d_len, cfg_win_base, cfg_win_limit);
wire        cpl_ok = win_ok(cpl_addr, cpl_over, 16'd16, cfg_win_base, cfg_win_limit);
wire        fetch_ok = win_ok(fetch_addr, fetch_over, {8'd0, n_fetch, 4'd0}, cfg_win_base, cfg_win_limit);
wire        err_addr = !d_ok;

integer k;
always @(posedge clk) begin
    fifo_commit <= 1'b0;
    fifo_rollback <= 1'b0;
    patch_en <= 1'b0;
    info_wr_en <= 1'b0;
    stat_cpl <= 1'b0;
    stat_frame <= 1'b0;
    stat_desc_err <= 1'b0;
    stat_resp_err <= 1'b0;
    stat_dma_err <= 1'b0;

    if (rst) begin
        istate <= I_IDLE;
        rstate <= R_IDLE;
        c_busy <= 1'b0;
        m_axi_arvalid <= 1'b0;
        m_axi_awvalid <= 1'b0;
        m_axi_wvalid <= 1'b0;
        wr_out <= 4'd0;
        halted <= 1'b0;
        q_wp <= {(LQ+1){1'b0}};
        q_rp <= {(LQ+1){1'b0}};
        c_wp <= {(LQ+1){1'b0}};
        c_rp <= {(LQ+1){1'b0}};
        tag_wp <= {(LT+1){1'b0}};
        tag_rp <= {(LT+1){1'b0}};
        resv_words <= 10'd0;
        resv_info <= 5'd0;
        stat_len <= 14'd0;
    end else begin
        wr_out <= wr_out + {3'd0, c_aw_now} - {3'd0, m_axi_bvalid};

        // ---------------- AR port ----------------
        if (m_axi_arvalid && m_axi_arready)
            m_axi_arvalid <= 1'b0;
        if (want_fetch && ar_free && !fetch_ok) begin
            stat_dma_err <= 1'b1;
            halted <= 1'b1;
        end
        if (ring_fetch) begin
            m_axi_araddr <= fetch_addr;
            m_axi_arlen <= {3'd0, n_fetch, 1'b0} - 8'd1;
            m_axi_arvalid <= 1'b1;
            tag_mem[tag_wp[LT-1:0]] <= 1'b1;
            tag_wp <= tag_wp + 1'b1;
        end else if (ar_frame) begin
            m_axi_araddr <= i_addr;
            m_axi_arlen <= burst_c[7:0] - 8'd1;
            m_axi_arvalid <= 1'b1;
            tag_mem[tag_wp[LT-1:0]] <= 1'b0;
            tag_wp <= tag_wp + 1'b1;
            i_addr <= i_addr + burst_bytes[ADDR_WIDTH-1:0];
            ar_left <= ar_left - burst_c;
        end
        if (r_take && m_axi_rlast && tag_ne)
            tag_rp <= tag_rp + 1'b1;
        // a descriptor group answered with an error: the cache holds garbage
        if (ring_beat && resp_err_r) begin
            stat_dma_err <= 1'b1;
            halted <= 1'b1;
        end

        // ---------------- issuer ----------------
        case (istate)
        I_IDLE: begin
            if (ring_take) begin
                i_addr <= {d_addr[ADDR_WIDTH-1:3], 3'b000};
                i_beats <= need_beats[8:0];
                // the record goes into the free slot now; it counts once the frame is issued
                q_mem[q_wi] <= {1'b0, err_len, err_addr, need_beats[8:0], d_off, d_start[13:0], d_hlen,
                                d_csudp, d_csl4, d_csip, d_addr[2:0], d_len[13:0]};
                i_bad <= err_len || err_addr;
                istate <= I_ROOM;
            end
        end
        I_ROOM: begin
            // a bad descriptor reads nothing; a good one waits for its FIFO room
            if (i_bad || room) begin
                q_wp <= q_wp + 1'b1;
                ar_left <= {3'd0, i_beats};
                istate <= i_bad ? I_IDLE : I_AR;
            end
        end
        default: begin      // I_AR
            if (ar_frame && ar_left == burst_c)
                istate <= I_IDLE;
        end
        endcase
        // reservations: taken by the issuer, given back beat by beat (fifo_wr_en is the write
        // itself) and at the frame's end in the cycle of the info write or the rollback, so that
        // fifo_free and info_free, a cycle behind the FIFO pointers, never count a slot twice
        resv_words <= resv_words
                      + ((istate == I_ROOM && !i_bad && room) ? {1'b0, i_beats} : 10'd0)
                      - {9'd0, data_beat};
        resv_info <= resv_info
                     + {4'd0, istate == I_ROOM && !i_bad && room}
                     - {4'd0, info_wr_en || fifo_rollback};

        // ---------------- receiver ----------------
        case (rstate)
        R_IDLE: begin
            if (q_cnt != {(LQ+1){1'b0}} && c_cnt != PIPE[LQ:0] && !halted) begin
                f_len_p <= {1'b0, q_len} + {12'd0, q_a0};
                f_ip_end_p <= {7'd0, q_hlen} + 15'd14 + {12'd0, q_a0};
                f_l4_start_p <= {1'b0, q_start} + {12'd0, q_a0};
                f_l4_pos <= q_start + {6'd0, q_off};
                r_beat <= 12'd0;
                b_past <= 5'd0;
                sum_ip <= 32'd0;
                sum_l4 <= 32'd0;
                f_rerr <= 1'b0;
                f_base <= fifo_wr_ptr[8:0];
                if (q_status != 2'b00) begin
                    c_mem[c_wi] <= {6'd0, q_status, q_len};
                    c_wp <= c_wp + 1'b1;
                    q_rp <= q_rp + 1'b1;
                end else begin
                    rstate <= R_DATA;
                end
            end
        end
        R_DATA: begin
            if (data_beat) begin
                sum_ip <= sum_ip + {13'd0, add_ip};
                sum_l4 <= sum_l4 + {13'd0, add_l4};
                r_beat <= r_beat + 12'd1;
                b_past <= b_past | b_hit;
                if (resp_err_r)
                    f_rerr <= 1'b1;
                if (r_beat + 12'd1 == n_beats)
                    rstate <= R_FOLD1;
            end
        end
        R_FOLD1: begin
            ck_ip <= fold16(sum_ip);
            ck_l4 <= fold16(sum_l4);
            rstate <= R_FOLD2;
        end
        R_FOLD2: begin
            // a region that starts in an odd lane had its bytes paired the other way round (RFC
            // 1071 section 2(B)): the IP header starts at 14, so when a0 is odd; the L4 range at
            // CSUM_START, so when CSUM_START + a0 is odd
            ck_ip <= ~(f_a0[0] ? {ck_ip[7:0], ck_ip[15:8]} : ck_ip);
            ck_l4 <= f_udp && (f_l4_sw ? {ck_l4[7:0], ck_l4[15:8]} : ck_l4) == 16'hFFFF ? 16'hFFFF
                     : ~(f_l4_sw ? {ck_l4[7:0], ck_l4[15:8]} : ck_l4);
            patch_step <= 2'd0;
            rstate <= R_PATCH;
        end
        default: begin      // R_PATCH
            if (p_on && !f_rerr) begin
                patch_en <= 1'b1;
                patch_addr <= f_base + p_lin[11:3];
                for (k = 0; k < 8; k = k + 1) begin
                    patch_be[k] <= p_lin[2:0] == k[2:0];
                    patch_data[k*8 +: 8] <= p_val;
                end
            end
            patch_step <= patch_step + 2'd1;
            if (patch_step == 2'd3) begin
                // a frame read with an error response is never sent (ARM IHI 0022 A3.4.4: the
                // data of an SLVERR/DECERR beat is not valid)
                if (f_rerr) begin
                    fifo_rollback <= 1'b1;
                    stat_resp_err <= 1'b1;
                end else begin
                    fifo_commit <= 1'b1;
                    info_wr_en <= 1'b1;
                    info_wr_data <= {7'd0, f_a0, f_len};
                end
                c_mem[c_wi] <= {f_rerr ? ST_ERR_DMA : 8'd0, f_len};
                c_wp <= c_wp + 1'b1;
                q_rp <= q_rp + 1'b1;       // the frame is no longer in flight
                rstate <= R_IDLE;
            end
        end
        endcase

        // ---------------- completer ----------------
        if (!c_busy) begin
            if (sel_cpl) begin
                if (!cpl_ok) begin
                    stat_dma_err <= 1'b1;
                    halted <= 1'b1;
                end else begin
                    m_axi_awaddr <= cpl_addr;
                    m_axi_awvalid <= 1'b1;
                    m_axi_wdata <= {24'd0, c_head[21:14], 4'd0, cons, 2'b00, c_head[13:0]};
                    m_axi_wlast <= 1'b0;
                    m_axi_wvalid <= 1'b1;
                    c_busy <= 1'b1;
                    c_aw_done <= 1'b0;
                    c_w_done <= 1'b0;
                end
            end
        end else begin
            if (c_aw_now) begin
                m_axi_awvalid <= 1'b0;
                c_aw_done <= 1'b1;
            end
            if (m_axi_wvalid && m_axi_wready) begin
                if (m_axi_wlast) begin
                    m_axi_wvalid <= 1'b0;
                    c_w_done <= 1'b1;
                end else begin
                    m_axi_wdata <= {phase, 63'd0};
                    m_axi_wlast <= 1'b1;
                end
            end
            if (c_done) begin
                c_busy <= 1'b0;
                c_rp <= c_rp + 1'b1;
                stat_cpl <= 1'b1;
                stat_frame <= c_head[21:14] == 8'd0;
                stat_desc_err <= (c_head[21:14] & (ST_ERR_ADDR | ST_ERR_LEN)) != 8'd0;
                stat_len <= c_head[13:0];
            end
        end
        // a completion write answered with an error: the driver may never see it
        if (m_axi_bvalid && resp_err_b) begin
            stat_dma_err <= 1'b1;
            halted <= 1'b1;
        end
    end
end

endmodule

`resetall
