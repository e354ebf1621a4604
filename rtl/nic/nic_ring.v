`resetall
`timescale 1ns / 1ps
`default_nettype none

// One descriptor ring as a DMA engine sees it (nic_tx and nic_rx each have one): the consumer
// index CONS and the completion phase bit, the index of the next descriptor to fetch, and a
// 2-entry descriptor cache (slot = index mod 2) that holds CONS .. FETCH_IDX-1.
//
// Fetch groups: up to 2 descriptors, never past the ring's end nor across a 32-byte block (so a
// group's one burst never crosses 4 KB, ARM IHI 0022 section A3.4.1), and no more than the
// driver has posted (PROD). The engine issues the AR itself (from fetch_addr, n_fetch) and pulses
// fetch_start when it does; each R beat of the group then comes in on fetch_beat: even beats are
// the descriptor's address word, odd beats its control word, of which CTL_W bits are kept.
// consume moves CONS on by one (the completion of the descriptor at CONS was written); the phase
// flips each time CONS wraps to 0.
//
// Ring entry addresses come with the carry out of ADDR_WIDTH bits: in a narrower build a carry
// means an address at or above 2^ADDR_WIDTH, outside any window (the 64-bit build wraps).
module nic_ring #(
    parameter ADDR_WIDTH = 64,
    parameter CTL_W = 16
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire [ADDR_WIDTH-1:0] cfg_ring_base,   // 128-byte aligned (bits 6:0 ignored)
    input  wire [ADDR_WIDTH-1:0] cfg_cpl_base,    // 16-byte aligned (bits 3:0 ignored)
    input  wire [12:0]           cfg_size,        // 16..4096 entries
    input  wire [11:0]           cfg_prod,        // below cfg_size

    input  wire                  fetch_start,
    input  wire                  fetch_beat,
    input  wire [63:0]           fetch_data,
    input  wire                  fetch_last,      // with fetch_beat: the group's last beat
    input  wire                  consume,

    output reg  [11:0]           cons,
    output reg                   phase,           // phase bit of the completion at cons
    output reg  [11:0]           fetch_idx,       // next descriptor to fetch
    output reg  [2:0]            fcount,          // descriptors in the group being fetched
    output reg  [3:0]            fbeat,           // its beats received
    output wire [2:0]            n_fetch,         // size of the next group (0: nothing posted)
    output wire                  cache_empty,
    output wire [ADDR_WIDTH-1:0] fetch_addr,      // where the next group starts
    output wire                  fetch_over,      // ... lies past 2^ADDR_WIDTH
    output wire [ADDR_WIDTH-1:0] cpl_addr,        // completion entry of cons
    output wire                  cpl_over,
    output wire [ADDR_WIDTH-1:0] d_addr,          // the cached descriptor at cons
    output wire                  d_hi,            // its address has bits at or above ADDR_WIDTH
    output wire [CTL_W-1:0]      d_ctl
);

wire [12:0] size = cfg_size;
wire [12:0] avail = (cfg_prod >= fetch_idx) ? {1'b0, cfg_prod - fetch_idx}
                                            : {1'b0, cfg_prod} + size - {1'b0, fetch_idx};
wire [12:0] to_end = size - {1'b0, fetch_idx};
wire [2:0]  to_blk = 3'd2 - {2'b00, fetch_idx[0]};
wire [12:0] n0 = (avail < {10'd0, to_blk}) ? avail : {10'd0, to_blk};
assign n_fetch = (to_end < n0) ? to_end[2:0] : n0[2:0];
assign cache_empty = (cons == fetch_idx);
wire [11:0] cons_next = ({1'b0, cons} == size - 13'd1) ? 12'd0 : cons + 12'd1;

`include "nic_addr.vh"
localparam NARROW = ADDR_WIDTH < 64;
wire [SW:0] fetch_sum = {1'b0, ext_sw({cfg_ring_base[ADDR_WIDTH-1:7], 7'd0})} +
                        {{(SW-15){1'b0}}, fetch_idx, 4'd0};
wire [SW:0] cpl_sum = {1'b0, ext_sw({cfg_cpl_base[ADDR_WIDTH-1:4], 4'd0})} +
                      {{(SW-15){1'b0}}, cons, 4'd0};
assign fetch_addr = fetch_sum[ADDR_WIDTH-1:0];
assign cpl_addr = cpl_sum[ADDR_WIDTH-1:0];
assign fetch_over = NARROW && (fetch_sum >> ADDR_WIDTH) != {(SW+1){1'b0}};
assign cpl_over = NARROW && (cpl_sum >> ADDR_WIDTH) != {(SW+1){1'b0}};

reg [ADDR_WIDTH-1:0] c_addr [0:1];
reg [1:0]            c_hi;
reg [CTL_W-1:0]      c_ctl [0:1];
assign d_addr = c_addr[cons[0]];
assign d_hi = c_hi[cons[0]];
assign d_ctl = c_ctl[cons[0]];
wire slot = fetch_idx[0] ^ fbeat[1];

always @(posedge clk) begin
    if (fetch_beat) begin
        if (!fbeat[0]) begin
            c_addr[slot] <= fetch_data[ADDR_WIDTH-1:0];
            c_hi[slot] <= (fetch_data >> ADDR_WIDTH) != 64'd0;
        end else begin
            c_ctl[slot] <= fetch_data[CTL_W-1:0];
        end
    end
end

always @(posedge clk) begin
    if (rst) begin
        cons <= 12'd0;
        phase <= 1'b1;
        fetch_idx <= 12'd0;
    end else begin
        if (fetch_start) begin
            fcount <= n_fetch;
            fbeat <= 4'd0;
        end
        if (fetch_beat) begin
            fbeat <= fbeat + 4'd1;
            if (fetch_last)
                fetch_idx <= ({1'b0, fetch_idx} + {10'd0, fcount} == size) ? 12'd0
                             : fetch_idx + {9'd0, fcount};
        end
        if (consume) begin
            cons <= cons_next;
            if (cons_next == 12'd0)
                phase <= ~phase;
        end
    end
end

wire unused_ok = &{1'b0, cfg_ring_base[6:0], cfg_cpl_base[3:0], fetch_sum, cpl_sum};

endmodule

`resetall
