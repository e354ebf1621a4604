`resetall
`timescale 1ns / 1ps
`default_nettype none

// RX engine, core clock domain: RX FIFO -> address filter -> descriptor -> DMA write -> completion.
//
//   idle -> a whole good frame is in the FIFO (its info word says so: length, checksum, hash)
//        -> address filter on its destination (first word of the frame): unicast exact match,
//           broadcast, multicast hash, all-multicast, promiscuous; rejected: counted, discarded
//        -> a descriptor: from the 2-entry cache, or fetched (one burst of up to 2, never across a
//           32-byte block); none posted by the driver: counted, discarded
//        -> check it: 8-byte aligned buffer inside the DMA window, at least as long as the frame;
//           a bad one gets an error completion and the frame is discarded
//        -> write the frame with INCR bursts of at most 32 beats, split at 4 KB boundaries
//           (ARM IHI 0022 section A3.4.1); the last beat's WSTRB covers the tail only
//        -> wait for every B response of those bursts, so that the data is in host memory before
//           the driver can see the completion, then write the completion, CONS+1.
// A dropped frame never reaches host memory: the decision is taken before its first write.
module nic_rx #(
    // Host (DMA) address bits, 13..64, as in nic_tx: a descriptor address with a bit set at or
    // above ADDR_WIDTH, or a ring entry past 2^ADDR_WIDTH, is outside the window.
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
    input  wire        m_axi_bvalid,

    // one-cycle events
    output reg         stat_cpl,
    output reg         stat_frame,
    output wire [13:0] stat_len,     // with stat_frame (the frame's length, held until the next one)
    output reg         stat_desc_err,
    output reg         stat_drop_filter,
    output reg         stat_drop_nodesc,
    output reg         stat_dma_err,
    output reg         halted
);

localparam [3:0]
    S_IDLE    = 4'd0,
    S_FILTER  = 4'd1,
    S_FETCH   = 4'd2,
    S_FETCHR  = 4'd3,
    S_CHECK   = 4'd4,
    S_AW      = 4'd5,   // address of the next data burst
    S_W       = 4'd6,   // its beats
    S_WAITB   = 4'd7,
    S_CPL     = 4'd8,
    S_DISCARD = 4'd9,
    S_HALT    = 4'd10;

reg  [3:0]  state;

// ---- the ring: indexes, descriptor cache, entry addresses (nic_ring, shared with nic_tx) ----
wire        phase;
wire [11:0] fetch_idx;
wire [2:0]  n_fetch, fcount;
wire [3:0]  fbeat;
wire        cache_empty, fetch_over, cpl_over, d_hi;
wire [ADDR_WIDTH-1:0] fetch_addr, cpl_addr, d_addr;
wire [15:0] d_len;
wire        ring_fetch, ring_beat, ring_consume;     // assigned with the state machine below
nic_ring #(.ADDR_WIDTH(ADDR_WIDTH), .CTL_W(16)) ring (
    .clk(clk), .rst(rst), .cfg_ring_base(cfg_ring_base), .cfg_cpl_base(cfg_cpl_base),
    .cfg_size(cfg_size), .cfg_prod(cfg_prod),
    .fetch_start(ring_fetch), .fetch_beat(ring_beat), .fetch_data(m_axi_rdata),
    .fetch_last(m_axi_rlast), .consume(ring_consume),
    .cons(cons), .phase(phase), .fetch_idx(fetch_idx), .fcount(fcount), .fbeat(fbeat),
    .n_fetch(n_fetch), .cache_empty(cache_empty), .fetch_addr(fetch_addr), .fetch_over(fetch_over),
    .cpl_addr(cpl_addr), .cpl_over(cpl_over), .d_addr(d_addr), .d_hi(d_hi), .d_ctl(d_len)
);

// one window checker, shared by the states that need it (as in nic_tx)
reg  [ADDR_WIDTH-1:0] chk_addr;
reg         chk_hi;        // the address does not fit in ADDR_WIDTH bits
reg  [15:0] chk_len;
`include "nic_addr.vh"
wire [SW:0] chk_end = {1'b0, ext_sw(chk_addr)} + {{(SW-15){1'b0}}, chk_len};
wire        chk_ok = !chk_hi && (chk_addr >= cfg_win_base) && (chk_end <= {1'b0, ext_sw(cfg_win_limit)});


// ---- frame in flight ----
reg  [47:0] f_info;
wire [13:0] f_len = f_info[13:0];
wire [5:0]  f_hash = f_info[42:37];
reg  [11:0] f_words_left;  // FIFO words of the frame not yet taken
reg  [ADDR_WIDTH-1:0] f_addr;   // next burst address
reg  [5:0]  b_left;        // beats left in the current burst
reg  [7:0]  f_err;
reg         discard_after;
reg  [1:0]  cpl_beat;
reg  [7:0]  wr_out;
reg  [7:0]  rd_out;

assign idle = (state == S_IDLE || state == S_HALT) && rd_out == 8'd0 && wr_out == 8'd0;
// f_len changes only when the next frame is taken, never in the cycle of stat_frame
assign stat_len = f_len;
assign info_tready = state == S_IDLE && cfg_enable && info_tvalid;

// ---- address filter (IEEE 802.3 clause 3.2.3: I/G bit is bit 0 of the first byte) ----
wire [47:0] dst = data_tdata[47:0];
wire        is_bcast = dst == 48'hFFFFFFFFFFFF;
wire        is_group = dst[0];
wire        accept = cfg_filter[4] ||
                     (cfg_filter[0] && dst == cfg_mac) ||
                     (cfg_filter[1] && is_bcast) ||
                     (is_group && !is_bcast && (cfg_filter[3] || (cfg_filter[2] && cfg_mc_hash[f_hash])));

// ---- data beats straight from the FIFO ----
wire        w_phase = state == S_W;
wire        w_final = f_words_left == 12'd1;        // the frame's last word
reg         cw_valid;      // completion W beats (registered), muxed onto W
reg  [63:0] cw_data;
reg         cw_last;
assign m_axi_wvalid = cw_valid || (w_phase && data_tvalid);
assign m_axi_wdata = cw_valid ? cw_data : data_tdata;
assign m_axi_wlast = cw_valid ? cw_last : b_left == 6'd1;
assign m_axi_wstrb = (!cw_valid && w_final && f_len[2:0] != 3'd0) ? (8'hFF >> (4'd8 - {1'b0, f_len[2:0]}))
                                                                  : 8'hFF;
assign data_tready = (w_phase && m_axi_wready) || (state == S_DISCARD);
wire   w_beat = w_phase && data_tvalid && m_axi_wready;
wire [11:0] info_words = {1'b0, info_tdata[13:3]} + {11'd0, info_tdata[2:0] != 3'd0};

wire [9:0]  to_4k = 10'd512 - {1'b0, f_addr[11:3]};
wire [11:0] burst0 = (f_words_left < {2'b00, to_4k}) ? f_words_left : {2'b00, to_4k};
wire [5:0]  burst = (burst0 > 12'd32) ? 6'd32 : burst0[5:0];
wire [SW-1:0] burst_bytes = {{(SW-9){1'b0}}, burst, 3'b000};


always @* begin
    case (state)
    S_FILTER: begin chk_addr = fetch_addr; chk_hi = fetch_over; chk_len = {9'd0, n_fetch, 4'd0}; end
    S_CHECK:  begin chk_addr = d_addr;     chk_hi = d_hi;       chk_len = d_len; end
    default:  begin chk_addr = cpl_addr;   chk_hi = cpl_over;   chk_len = 16'd16; end
    endcase
end


// the ring's events, as the state machine below decides them: a group fetch issued from
// S_FILTER, its R beats, and the completion of the descriptor at CONS through
assign ring_fetch = state == S_FILTER && data_tvalid && accept && cache_empty && n_fetch != 3'd0 && chk_ok;
assign ring_beat = state == S_FETCHR && m_axi_rvalid;
assign ring_consume = state == S_CPL && cpl_beat != 2'd0 && (!m_axi_awvalid || m_axi_awready) &&
                      ((cw_valid && m_axi_wready && cw_last) || cpl_beat == 2'd2);

// (fetch_idx, fcount, fbeat: read by the formal proofs)
wire unused_ok = &{1'b0, fetch_idx, fcount, fbeat, burst_bytes, f_info[47:43]};

always @(posedge clk) begin
    stat_cpl <= 1'b0;
    stat_frame <= 1'b0;
    stat_desc_err <= 1'b0;
    stat_drop_filter <= 1'b0;
    stat_drop_nodesc <= 1'b0;
    stat_dma_err <= 1'b0;

    if (rst) begin
        state <= S_IDLE;
        m_axi_arvalid <= 1'b0;
        m_axi_awvalid <= 1'b0;
        cw_valid <= 1'b0;
        rd_out <= 8'd0;
        wr_out <= 8'd0;
        halted <= 1'b0;
    end else begin
        rd_out <= rd_out + {7'd0, m_axi_arvalid && m_axi_arready} - {7'd0, m_axi_rvalid && m_axi_rlast};
        wr_out <= wr_out + {7'd0, m_axi_awvalid && m_axi_awready} - {7'd0, m_axi_bvalid};

        case (state)
        S_IDLE: begin
            if (cfg_enable && info_tvalid) begin
                f_info <= info_tdata;
                f_words_left <= info_words;
                state <= S_FILTER;
            end
        end
        S_FILTER: begin
            if (data_tvalid) begin
                if (!accept) begin
                    stat_drop_filter <= 1'b1;
                    state <= S_DISCARD;
                end else if (!cache_empty) begin
                    state <= S_CHECK;
                end else if (n_fetch == 3'd0) begin
                    stat_drop_nodesc <= 1'b1;
                    state <= S_DISCARD;
                end else if (!chk_ok) begin
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
        S_FETCH: begin
            if (m_axi_arready) begin
                m_axi_arvalid <= 1'b0;
                state <= S_FETCHR;
            end
        end
        S_FETCHR: begin
            if (m_axi_rvalid && m_axi_rlast)
                state <= S_CHECK;
        end
        S_CHECK: begin
            f_addr <= d_addr;
            f_err <= {6'd0, d_len == 16'd0 || d_len < {2'b00, f_len},
                      d_addr[2:0] != 3'd0 || !chk_ok};
            cpl_beat <= 2'd0;
            if (d_len == 16'd0 || d_len < {2'b00, f_len} || d_addr[2:0] != 3'd0 || !chk_ok) begin
                discard_after <= 1'b1;
                state <= S_CPL;
            end else begin
                discard_after <= 1'b0;
                state <= S_AW;
            end
        end
        S_AW: begin
            if (!m_axi_awvalid) begin
                m_axi_awaddr <= f_addr;
                m_axi_awlen <= {2'b00, burst} - 8'd1;
                m_axi_awvalid <= 1'b1;
                b_left <= burst;
                f_addr <= f_addr + burst_bytes[ADDR_WIDTH-1:0];
            end else if (m_axi_awready) begin
                m_axi_awvalid <= 1'b0;
                state <= S_W;
            end
        end
        S_W: begin
            if (w_beat) begin
                b_left <= b_left - 6'd1;
                f_words_left <= f_words_left - 12'd1;
                if (w_final)
                    state <= S_WAITB;
                else if (b_left == 6'd1)
                    state <= S_AW;
            end
        end
        S_WAITB: begin
            if (wr_out == 8'd0)
                state <= S_CPL;
        end
        S_CPL: begin
            if (cpl_beat == 2'd0) begin
                if (!chk_ok) begin
                    stat_dma_err <= 1'b1;
                    halted <= 1'b1;
                    state <= S_HALT;
                end else begin
                    m_axi_awaddr <= cpl_addr;
                    m_axi_awlen <= 8'd1;
                    m_axi_awvalid <= 1'b1;
                    cw_valid <= 1'b1;
                    cw_data <= {f_err, 1'b0, f_info[36:30], f_info[29:14], 4'd0, cons,
                                2'b00, (f_err != 8'd0) ? 14'd0 : f_len};
                    cw_last <= 1'b0;
                    cpl_beat <= 2'd1;
                end
            end else begin
                if (m_axi_awvalid && m_axi_awready)
                    m_axi_awvalid <= 1'b0;
                if (cw_valid && m_axi_wready) begin
                    if (cw_last) begin
                        cw_valid <= 1'b0;
                        cpl_beat <= 2'd2;
                    end else begin
                        cw_data <= {phase, 55'd0, 2'b00, f_hash};
                        cw_last <= 1'b1;
                    end
                end
                if ((!m_axi_awvalid || m_axi_awready) &&
                    ((cw_valid && m_axi_wready && cw_last) || cpl_beat == 2'd2)) begin
                    stat_cpl <= 1'b1;
                    stat_frame <= f_err == 8'd0;
                    stat_desc_err <= f_err != 8'd0;
                    state <= discard_after ? S_DISCARD : S_IDLE;
                end
            end
        end
        S_DISCARD: begin
            if (data_tvalid) begin
                f_words_left <= f_words_left - 12'd1;
                if (f_words_left == 12'd1)
                    state <= S_IDLE;
            end
        end
        default: ;
        endcase
    end
end


endmodule

`resetall
