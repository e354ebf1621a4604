`resetall
`timescale 1ns / 1ps
`default_nettype none

// RX engine, core clock domain: RX FIFO -> address filter -> descriptor -> DMA write -> completion.
// Two stages joined by a queue, so that up to PIPE frames are written to host memory while
// earlier ones wait for their write responses and completions (waiting for every B response
// before taking the next frame costs a whole memory round trip per frame).
//
//   prefetch  RX descriptors come in groups of up to GROUP (one INCR burst each) into a cache of
//             CACHE entries while the driver has posted some (nic_ring)
//   frame     a whole good frame is in the FIFO (its info word says so: length, checksum, hash)
//             -> address filter on its destination (first word of the frame): unicast exact
//                match, broadcast, multicast hash, all-multicast, promiscuous; rejected: counted,
//                discarded
//             -> the descriptor at HEAD (waited for while a fetch is on its way); none posted:
//                counted, discarded
//             -> check it: 8-byte aligned buffer inside the DMA window, at least as long as the
//                frame; a bad one gets an error completion and the frame is discarded
//             -> write the frame with INCR bursts of at most 32 beats, split at 4 KB boundaries
//                (ARM IHI 0022 section A3.4.1), AW and W together (A3.3.1); the last beat's
//                WSTRB covers the tail only. Its record goes into the completion queue.
//   completer waits for every B response of a frame's bursts (so that the data is in host memory
//             before the driver can see the completion), then writes the completion, CONS+1. A
//             burst answered SLVERR/DECERR makes it an ERR_DMA completion with length 0: the
//             driver never takes the buffer for a frame.
// A dropped frame never reaches host memory: the decision is taken before its first write. The
// frame stage and the completer share AW/W a whole burst at a time. A descriptor fetch or a
// completion write answered SLVERR/DECERR, or a ring access outside the window, halts the engine
// (stat_dma_err) until reset.
module nic_rx #(
    // Host (DMA) address bits, 13..64, as in nic_tx: a descriptor address with a bit set at or
    // above ADDR_WIDTH, or a ring entry past 2^ADDR_WIDTH, is outside the window.
    parameter ADDR_WIDTH = 64,
    // Frames in flight (1, 2, 4 or 8): written but not yet completed. The descriptor cache holds
    // 2 x PIPE entries (one for PIPE 1), fetched PIPE at a time.
    parameter PIPE = 4
) (
    input  wire        clk,
    input  wire        rst,

    // configuration
    input  wire        cfg_enable,
    input  wire [ADDR_WIDTH-1:0] cfg_ring_base,
    input  wire [ADDR_WIDTH-1:0] cfg_cpl_base,
    input  wire [12:0] cfg_size,
    input  wire [11:0] cfg_prod,
    input  wire [ADDR_WIDTH-1:0] cfg_win_base,
    input  wire [ADDR_WIDTH-1:0] cfg_win_limit,
    input  wire [47:0] cfg_mac,          // byte 0 (first on the wire) in bits 7:0
    input  wire [4:0]  cfg_filter,       // {promisc, allmulti, mcast, bcast, ucast}
    input  wire [63:0] cfg_mc_hash,
    output wire [11:0] cons,
    output wire        idle,

    // RX FIFO read side
    input  wire [63:0] data_tdata,
    input  wire        data_tvalid,
    output wire        data_tready,
    input  wire [47:0] info_tdata,       // {5'b0, hash[5:0], status[6:0], csum[15:0], len[13:0]}
    input  wire        info_tvalid,
    output wire        info_tready,

    // AXI4 read (descriptors; rready always high)
    output reg  [ADDR_WIDTH-1:0] m_axi_araddr,
    output reg  [7:0]  m_axi_arlen,
    output reg         m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    // AXI4 write (frames and completions; bready always high)
    output reg  [ADDR_WIDTH-1:0] m_axi_awaddr,
    output reg  [7:0]  m_axi_awlen,
    output reg         m_axi_awvalid,
    input  wire        m_axi_awready,
    output wire [63:0] m_axi_wdata,
    output wire [7:0]  m_axi_wstrb,
    output wire        m_axi_wlast,
    output wire        m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,

    // one-cycle events
    output reg         stat_cpl,
    output reg         stat_frame,
    output reg  [13:0] stat_len,     // with stat_frame (the frame's length, held until the next one)
    output reg         stat_desc_err,
    output reg         stat_resp_err,    // a completion for a frame whose write got SLVERR/DECERR
    output reg         stat_drop_filter,
    output reg         stat_drop_nodesc,
    output reg         stat_dma_err,
    output reg         halted
);

localparam CACHE = PIPE <= 1 ? 1 : 2 * PIPE;
localparam GROUP = PIPE <= 1 ? 1 : PIPE;
localparam LQ = PIPE <= 1 ? 0 : PIPE <= 2 ? 1 : PIPE <= 4 ? 2 : 3;     // log2 PIPE
localparam LQ1 = LQ == 0 ? 1 : LQ;                                       // index bits
// write bursts without their B response: up to 7 for a 1518-byte frame (32-beat bursts, a 4 KB
// split), per frame in flight, and completions
localparam LT = PIPE <= 1 ? 2 : PIPE <= 2 ? 4 : 5;
initial begin
    if ((1 << LQ) != PIPE || PIPE > 8) begin
        $display("nic_rx %m: PIPE %0d must be 1, 2, 4 or 8", PIPE);
        $finish;
    end
end

// ---- the ring: indexes, descriptor cache, entry addresses (nic_ring, shared with nic_tx) ----
wire        phase;
wire [11:0] fetch_idx, head;
wire [3:0]  n_fetch, fcount;
wire [4:0]  fbeat;
wire        fetching, ring_dry, fetch_over, cpl_over, d_valid, d_hi;
wire [ADDR_WIDTH-1:0] fetch_addr, cpl_addr, d_addr;
wire [15:0] d_len;
wire        ring_fetch, ring_beat, ring_take, ring_consume;     // assigned below
nic_ring #(.ADDR_WIDTH(ADDR_WIDTH), .CTL_W(16), .CACHE(CACHE), .GROUP(GROUP)) ring (
    .clk(clk), .rst(rst), .cfg_ring_base(cfg_ring_base), .cfg_cpl_base(cfg_cpl_base),
    .cfg_size(cfg_size), .cfg_prod(cfg_prod),
    .fetch_start(ring_fetch), .fetch_beat(ring_beat), .fetch_data(m_axi_rdata),
    .fetch_last(m_axi_rlast), .take(ring_take), .consume(ring_consume),
    .cons(cons), .phase(phase), .head(head), .fetch_idx(fetch_idx), .fetching(fetching),
    .fcount(fcount), .fbeat(fbeat), .n_fetch(n_fetch), .dry(ring_dry),
    .fetch_addr(fetch_addr), .fetch_over(fetch_over), .cpl_addr(cpl_addr), .cpl_over(cpl_over),
    .d_valid(d_valid), .d_addr(d_addr), .d_hi(d_hi), .d_ctl(d_len)
);

`include "nic_addr.vh"

localparam [7:0] ST_ERR_ADDR = 8'h01, ST_ERR_LEN = 8'h02, ST_ERR_DMA = 8'h04;
wire resp_err_r = m_axi_rresp[1];      // SLVERR (10) or DECERR (11): A3.4.4 (EXOKAY is never asked for)
wire resp_err_b = m_axi_bresp[1];

localparam [2:0]
    F_IDLE    = 3'd0,
    F_FILTER  = 3'd1,
    F_CHECK   = 3'd2,
    F_BURST   = 3'd3,   // address of the next data burst
    F_W       = 3'd4,   // its beats (and its AW handshake)
    F_DISCARD = 3'd5;
reg  [2:0]  fstate;

// ---- frame in flight ----
// ---- frame records, PIPE deep: {err[1:0], has_data, hash[5:0], status[6:0], csum[15:0], len[13:0]}
// The frame stage fills the free slot from the info word as it takes a frame (the slot is the
// frame's working copy: a dropped frame just leaves it to the next one), adds the descriptor
// verdict, and pushes it; the completer pops it once the completion is written.
reg  [45:0] q_mem [0:PIPE-1];
reg  [LQ:0] q_wp, q_rp;
wire [LQ:0] q_cnt = q_wp - q_rp;
// slot indexes (PIPE 1: the one slot)
localparam [LQ1-1:0] QMASK = PIPE[LQ1-1:0] - 1'b1;
wire [LQ1-1:0] q_wi = q_wp[LQ1-1:0] & QMASK;
wire [LQ1-1:0] q_ri = q_rp[LQ1-1:0] & QMASK;
wire [45:0] q_head = q_mem[q_ri];
wire [1:0]  q_err = q_head[45:44];           // {ERR_LEN, ERR_ADDR}
wire        q_has_data = q_head[43];
wire [45:0] f_rec = q_mem[q_wi];
wire [13:0] f_len = f_rec[13:0];
wire [5:0]  f_hash = f_rec[42:37];
reg  [11:0] f_words_left;  // FIFO words of the frame not yet taken
reg  [ADDR_WIDTH-1:0] f_addr;   // next burst address
reg  [5:0]  b_left;        // beats left in the current burst
reg         f_lastburst;   // the current burst ends the frame
reg         aw_done, w_done;
reg  [1:0]  rd_out;        // descriptor ARs without their last R beat (one fetch at a time)

// ---- address filter (IEEE 802.3 clause 3.2.3: I/G bit is bit 0 of the first byte) ----
wire [47:0] dst = data_tdata[47:0];
wire        is_bcast = dst == 48'hFFFFFFFFFFFF;
wire        is_group = dst[0];
wire        accept = cfg_filter[4] ||
                     (cfg_filter[0] && dst == cfg_mac) ||
                     (cfg_filter[1] && is_bcast) ||
                     (is_group && !is_bcast && (cfg_filter[3] || (cfg_filter[2] && cfg_mc_hash[f_hash])));

// ---- descriptor prefetch (AR: descriptors only, so RREADY is high) ----
assign ring_beat = m_axi_rvalid && !halted;

// done: one entry per frame with data, when its last B response is in: {error}
reg  [PIPE-1:0] d_mem;
reg  [LQ:0] d_wp, d_rp;
wire        d_ne = d_wp != d_rp;
wire [LQ1-1:0] d_wi = d_wp[LQ1-1:0] & QMASK;
wire [LQ1-1:0] d_ri = d_rp[LQ1-1:0] & QMASK;
wire        d_err = d_mem[d_ri];
reg         d_acc;         // an error response among the current frame's bursts so far
// B tags, one per AW in order (A5.3: one ID's responses come back in issue order):
// {completion, last burst of a frame}
reg  [1:0]  t_mem [0:(1<<LT)-1];
reg  [LT:0] t_wp, t_rp;
wire [LT:0] t_cnt = t_wp - t_rp;
wire        t_room = t_cnt != (1 << LT);
wire [1:0]  t_head = t_mem[t_rp[LT-1:0]];

// ---- completer ----
reg         c_busy;
reg         c_aw_done, c_w_done;
reg         cw_valid;      // completion W beats (registered), muxed onto W
reg  [63:0] cw_data;
reg         cw_last;
wire [7:0]  c_err = {5'd0, q_has_data && d_err, q_err};
wire        c_want = q_cnt != {(LQ+1){1'b0}} && (!q_has_data || d_ne) && !halted && !c_busy &&
                     t_room && fstate != F_W && fstate != F_CHECK;
// A window checker per use (adder and two comparators each): the descriptor being taken
// (F_CHECK), else the completion entry about to be written, else the next descriptor group.
// (One shared checker with the address mux in front of its adder was the core clock's critical
// path on the iCE40.)
wire        sel_desc = fstate == F_CHECK;
wire        sel_fetch = !sel_desc && !c_want;
wire        d_ok = win_ok(d_addr, d_hi, d_len, cfg_win_base, cfg_win_limit);
wire        cpl_ok = win_ok(cpl_addr, cpl_over, 16'd16, cfg_win_base, cfg_win_limit);
wire        fetch_ok = win_ok(fetch_addr, fetch_over, {8'd0, n_fetch, 4'd0}, cfg_win_base, cfg_win_limit);
wire want_fetch = cfg_enable && !halted && n_fetch != 4'd0 && !m_axi_arvalid && sel_fetch;
assign ring_fetch = want_fetch && fetch_ok;
wire        c_aw_now = c_busy && m_axi_awvalid && m_axi_awready;
wire        c_wl_now = cw_valid && m_axi_wready && cw_last;
wire        c_done = c_busy && (c_aw_done || c_aw_now) && (c_w_done || c_wl_now);
assign ring_consume = c_done;

// ---- data beats straight from the FIFO ----
wire        w_phase = fstate == F_W && !w_done;
wire        w_final = f_words_left == 12'd1;        // the frame's last word
assign m_axi_wvalid = cw_valid || (w_phase && data_tvalid);
assign m_axi_wdata = cw_valid ? cw_data : data_tdata;
assign m_axi_wlast = cw_valid ? cw_last : b_left == 6'd1;
assign m_axi_wstrb = (!cw_valid && w_final && f_len[2:0] != 3'd0) ? (8'hFF >> (4'd8 - {1'b0, f_len[2:0]}))
                                                                  : 8'hFF;
assign data_tready = (w_phase && m_axi_wready) || (fstate == F_DISCARD);
wire   w_beat = w_phase && data_tvalid && m_axi_wready;
wire   f_aw_now = fstate == F_W && m_axi_awvalid && m_axi_awready;
wire   f_burst_done = fstate == F_W && (aw_done || f_aw_now) && (w_done || (w_beat && b_left == 6'd1));
wire [11:0] info_words = {1'b0, info_tdata[13:3]} + {11'd0, info_tdata[2:0] != 3'd0};

// Data burst length: up to the 4 KB boundary, at most 32 beats. Computed a cycle ahead and
// registered (the subtraction and two comparisons sat in front of the AW registers and the address
// adder): in F_CHECK from the descriptor's address, which f_addr takes on the way to F_BURST, then
// from f_addr while F_BURST waits. Back in F_BURST after a burst, the register is a cycle old and
// the next burst waits that cycle (a frame of more than 32 beats, or across 4 KB).
wire [8:0]  b_word = (fstate == F_CHECK) ? d_addr[11:3] : f_addr[11:3];   // 8-byte word in 4 KB
wire [9:0]  to_4k = 10'd512 - {1'b0, b_word};
wire [11:0] burst0 = (f_words_left < {2'b00, to_4k}) ? f_words_left : {2'b00, to_4k};
reg  [5:0]  burst;
reg         burst_fresh;
wire [SW-1:0] burst_bytes = {{(SW-9){1'b0}}, burst, 3'b000};
wire        f_load = fstate == F_BURST && burst_fresh && !c_busy && !c_want && t_room && !halted;
always @(posedge clk) begin
    burst <= (burst0 > 12'd32) ? 6'd32 : burst0[5:0];
    burst_fresh <= !rst && (fstate == F_CHECK || (fstate == F_BURST && !f_load));
end

assign info_tready = fstate == F_IDLE && cfg_enable && info_tvalid && !halted && q_cnt != PIPE[LQ:0];
assign ring_take = fstate == F_CHECK;
wire d_bad_len = d_len == 16'd0 || d_len < {2'b00, f_len};
wire d_bad_addr = d_addr[2:0] != 3'd0 || !d_ok;

assign idle = ((fstate == F_IDLE && q_cnt == {(LQ+1){1'b0}} && !fetching) || halted) &&
              fstate != F_W && !c_busy && !m_axi_arvalid && rd_out == 2'd0 && t_cnt == {(LT+1){1'b0}};

// (fetch_idx, head, fcount, fbeat: read by the formal proofs)
wire unused_ok = &{1'b0, m_axi_rresp[0], m_axi_bresp[0], fetch_idx, head, fcount, fbeat, burst_bytes,
                   info_tdata[47:43], f_rec[45:43], f_rec[36:14]};

always @(posedge clk) begin
    stat_cpl <= 1'b0;
    stat_frame <= 1'b0;
    stat_desc_err <= 1'b0;
    stat_resp_err <= 1'b0;
    stat_drop_filter <= 1'b0;
    stat_drop_nodesc <= 1'b0;
    stat_dma_err <= 1'b0;

    if (rst) begin
        fstate <= F_IDLE;
        m_axi_arvalid <= 1'b0;
        m_axi_awvalid <= 1'b0;
        cw_valid <= 1'b0;
        c_busy <= 1'b0;
        rd_out <= 2'd0;
        halted <= 1'b0;
        q_wp <= {(LQ+1){1'b0}};
        q_rp <= {(LQ+1){1'b0}};
        d_wp <= {(LQ+1){1'b0}};
        d_rp <= {(LQ+1){1'b0}};
        t_wp <= {(LT+1){1'b0}};
        t_rp <= {(LT+1){1'b0}};
        d_acc <= 1'b0;
        aw_done <= 1'b0;
        w_done <= 1'b0;
        stat_len <= 14'd0;
    end else begin
        rd_out <= rd_out + {1'b0, m_axi_arvalid && m_axi_arready} - {1'b0, m_axi_rvalid && m_axi_rlast};

        // ---------------- descriptor prefetch ----------------
        if (m_axi_arvalid && m_axi_arready)
            m_axi_arvalid <= 1'b0;
        if (want_fetch && !fetch_ok) begin
            stat_dma_err <= 1'b1;
            halted <= 1'b1;
        end
        if (ring_fetch) begin
            m_axi_araddr <= fetch_addr;
            m_axi_arlen <= {3'd0, n_fetch, 1'b0} - 8'd1;
            m_axi_arvalid <= 1'b1;
        end
        if (ring_beat && resp_err_r) begin
            stat_dma_err <= 1'b1;
            halted <= 1'b1;
        end

        // ---------------- B responses ----------------
        if (m_axi_bvalid && t_cnt != {(LT+1){1'b0}}) begin
            t_rp <= t_rp + 1'b1;
            if (t_head[1]) begin
                // a completion write answered with an error: the driver may never see it
                if (resp_err_b) begin
                    stat_dma_err <= 1'b1;
                    halted <= 1'b1;
                end
            end else if (t_head[0]) begin
                d_mem[d_wi] <= d_acc || resp_err_b;
                d_wp <= d_wp + 1'b1;
                d_acc <= 1'b0;
            end else begin
                d_acc <= d_acc || resp_err_b;
            end
        end

        // ---------------- frame stage ----------------
        case (fstate)
        F_IDLE: begin
            if (info_tready) begin
                q_mem[q_wi] <= {3'b000, info_tdata[42:0]};
                f_words_left <= info_words;
                fstate <= F_FILTER;
            end
        end
        F_FILTER: begin
            if (data_tvalid) begin
                if (!accept) begin
                    stat_drop_filter <= 1'b1;
                    fstate <= F_DISCARD;
                end else if (d_valid) begin
                    fstate <= F_CHECK;
                end else if (ring_dry) begin
                    stat_drop_nodesc <= 1'b1;
                    fstate <= F_DISCARD;
                end
                // else: a fetch is on its way (or about to be issued)
            end
        end
        F_CHECK: begin
            f_addr <= d_addr;
            q_mem[q_wi][45:43] <= {d_bad_len, d_bad_addr, !(d_bad_len || d_bad_addr)};
            // a frame with data is pushed once its last burst is out (f_rec is its slot till then)
            if (d_bad_len || d_bad_addr)
                q_wp <= q_wp + 1'b1;
            fstate <= (d_bad_len || d_bad_addr) ? F_DISCARD : F_BURST;
        end
        F_BURST: begin
            if (f_load) begin
                m_axi_awaddr <= f_addr;
                m_axi_awlen <= {2'b00, burst} - 8'd1;
                m_axi_awvalid <= 1'b1;
                b_left <= burst;
                f_lastburst <= {6'd0, burst} == f_words_left;
                f_addr <= f_addr + burst_bytes[ADDR_WIDTH-1:0];
                t_mem[t_wp[LT-1:0]] <= {1'b0, {6'd0, burst} == f_words_left};
                t_wp <= t_wp + 1'b1;
                aw_done <= 1'b0;
                w_done <= 1'b0;
                fstate <= F_W;
            end
        end
        F_W: begin
            // AW and W of the burst together (A3.3.1); a burst once begun is finished even if the
            // engine halts meanwhile, so the shared port is never left holding it
            if (f_aw_now) begin
                m_axi_awvalid <= 1'b0;
                aw_done <= 1'b1;
            end
            if (w_beat) begin
                b_left <= b_left - 6'd1;
                f_words_left <= f_words_left - 12'd1;
                if (b_left == 6'd1)
                    w_done <= 1'b1;
            end
            if (f_burst_done) begin
                fstate <= f_lastburst ? F_IDLE : F_BURST;
                if (f_lastburst)
                    q_wp <= q_wp + 1'b1;
            end
        end
        default: begin      // F_DISCARD
            if (data_tvalid) begin
                f_words_left <= f_words_left - 12'd1;
                if (f_words_left == 12'd1)
                    fstate <= F_IDLE;
            end
        end
        endcase

        // ---------------- completer ----------------
        if (c_want) begin
            if (!cpl_ok) begin
                stat_dma_err <= 1'b1;
                halted <= 1'b1;
            end else begin
                m_axi_awaddr <= cpl_addr;
                m_axi_awlen <= 8'd1;
                m_axi_awvalid <= 1'b1;
                t_mem[t_wp[LT-1:0]] <= 2'b10;
                t_wp <= t_wp + 1'b1;
                cw_valid <= 1'b1;
                cw_data <= {5'd0, q_has_data && d_err, q_err, 1'b0, q_head[36:14], 4'd0, cons,
                            2'b00, (q_err != 2'b00 || (q_has_data && d_err)) ? 14'd0 : q_head[13:0]};
                cw_last <= 1'b0;
                c_busy <= 1'b1;
                c_aw_done <= 1'b0;
                c_w_done <= 1'b0;
            end
        end
        if (c_busy) begin
            if (c_aw_now) begin
                m_axi_awvalid <= 1'b0;
                c_aw_done <= 1'b1;
            end
            if (cw_valid && m_axi_wready) begin
                if (cw_last) begin
                    cw_valid <= 1'b0;
                    c_w_done <= 1'b1;
                end else begin
                    cw_data <= {phase, 55'd0, 2'b00, q_head[42:37]};
                    cw_last <= 1'b1;
                end
            end
            if (c_done) begin
                c_busy <= 1'b0;
                stat_cpl <= 1'b1;
                stat_frame <= c_err == 8'd0;
                stat_desc_err <= (c_err & (ST_ERR_ADDR | ST_ERR_LEN)) != 8'd0;
                stat_resp_err <= (c_err & ST_ERR_DMA) != 8'd0;
                stat_len <= q_head[13:0];
                // the record (and its write responses' verdict) leaves with its completion
                q_rp <= q_rp + 1'b1;
                if (q_has_data)
                    d_rp <= d_rp + 1'b1;
            end
        end
    end
end


endmodule

`resetall
