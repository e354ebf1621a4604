`resetall
`timescale 1ns / 1ps
`default_nettype none

// One descriptor ring as a DMA engine sees it (nic_tx and nic_rx each have one): three indexes
// that chase each other round the ring, and a descriptor cache between them.
//
//   CONS  <=  HEAD  <=  FETCH_IDX  <=  PROD (the driver's)
//   CONS      the next completion to write; the phase bit flips each time it wraps to 0
//   HEAD      the next descriptor the engine takes from the cache (frames in flight lie
//             between CONS and HEAD: taken, not yet completed)
//   FETCH_IDX the next descriptor to fetch from host memory
//
// Cache: CACHE entries (power of 2, 1..16), filled in ring order through a write slot pointer
// and emptied through a read slot pointer, so the ring SIZE need not be a multiple of CACHE.
// resv counts the slots that are taken up, by cached entries and by the group being fetched.
//
// Prefetch: a group of up to GROUP descriptors (power of 2, <= CACHE, <= 8) is fetched as one
// INCR burst when a whole group fits in the free slots (or the cache is empty) and no fetch is
// outstanding. A group never runs past the ring's end nor across a GROUP x 16-byte block: the
// ring base is 128-byte aligned, so a group's burst never crosses 4 KB (ARM IHI 0022 section
// A3.4.1). It never reads past PROD either, so nothing the driver has not posted is ever used.
// The engine issues the AR itself (from fetch_addr, n_fetch) and pulses fetch_start when it does;
// each R beat of the group comes in on fetch_beat: even beats are a descriptor's address word,
// odd beats its control word, of which CTL_W bits are kept.
//
// Ring entry addresses come with the carry out of ADDR_WIDTH bits: in a narrower build a carry
// means an address at or above 2^ADDR_WIDTH, outside any window (the 64-bit build wraps).
module nic_ring #(
    parameter ADDR_WIDTH = 64,
    parameter CTL_W = 16,
    parameter CACHE = 2,
    parameter GROUP = 2
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
    input  wire                  take,            // the engine took the descriptor at HEAD
    input  wire                  consume,         // the completion at CONS was written

    output reg  [11:0]           cons,
    output reg                   phase,           // phase bit of the completion at cons
    output reg  [11:0]           head,
    output reg  [11:0]           fetch_idx,       // next descriptor to fetch
    output reg                   fetching,        // a group's burst is outstanding
    output reg  [3:0]            fcount,          // descriptors in the group being fetched
    output reg  [4:0]            fbeat,           // its beats received
    output wire [3:0]            n_fetch,         // size of the next group (0: none to fetch now)
    output wire                  dry,             // nothing cached, nothing coming, nothing posted
    output wire [ADDR_WIDTH-1:0] fetch_addr,      // where the next group starts
    output wire                  fetch_over,      // ... lies past 2^ADDR_WIDTH
    output wire [ADDR_WIDTH-1:0] cpl_addr,        // completion entry of cons
    output wire                  cpl_over,
    output wire                  d_valid,         // the descriptor at HEAD is cached
    output wire [ADDR_WIDTH-1:0] d_addr,
    output wire                  d_hi,            // its address has bits at or above ADDR_WIDTH
    output wire [CTL_W-1:0]      d_ctl
);

localparam LC = CACHE <= 1 ? 0 : CACHE <= 2 ? 1 : CACHE <= 4 ? 2 : CACHE <= 8 ? 3 : 4;
localparam LC1 = LC == 0 ? 1 : LC;                 // slot index bits
localparam LG = GROUP <= 1 ? 0 : GROUP <= 2 ? 1 : GROUP <= 4 ? 2 : 3;
initial begin
    if ((1 << LC) != CACHE || (1 << LG) != GROUP || GROUP > CACHE || GROUP > 8) begin
        $display("nic_ring %m: CACHE %0d and GROUP %0d must be powers of 2, GROUP <= CACHE <= 16, GROUP <= 8",
                 CACHE, GROUP);
        $finish;
    end
end

wire [12:0] size = cfg_size;
wire [12:0] avail = (cfg_prod >= fetch_idx) ? {1'b0, cfg_prod - fetch_idx}
                                            : {1'b0, cfg_prod} + size - {1'b0, fetch_idx};
wire [12:0] to_end = size - {1'b0, fetch_idx};
wire [4:0]  to_blk = 5'd1 << LG;
wire [4:0]  blk_off = {2'b00, fetch_idx[2:0]} & (to_blk - 5'd1);
wire [4:0]  to_blk_left = to_blk - blk_off;
wire [12:0] n0 = (avail < {8'd0, to_blk_left}) ? avail : {8'd0, to_blk_left};
wire [12:0] n1 = (to_end < n0) ? to_end : n0;

// Slot pointers count modulo 32 (a multiple of CACHE), so slot = pointer mod CACHE and
// wp != rp exactly when something is cached (never more than CACHE <= 16 apart).
reg  [4:0]  resv;          // slots taken: cached entries and the group in flight
reg  [4:0]  wp, rp;        // write and read slot pointers
wire [4:0]  room = CACHE[4:0] - resv;
wire        may_fetch = !fetching && (resv == 5'd0 || room >= GROUP[4:0]);

// The next group's size and address are computed a cycle ahead and registered: the subtractions,
// comparisons and the base + index adder would otherwise sit in front of the engine's window check
// and its AXI decisions in one combinational path (the core clock's critical path on the iCE40).
// A registered value is one cycle old, and every change since it was computed can only make it
// conservative, with one exception that `fetching` masks:
//   fetch_start  sets fetching (the stale size would start a second group): masked;
//   fetch_last   moves fetch_idx, but the size registered meanwhile is 0 (fetching was 1), so the
//                stale address is never used;
//   take, a PROD increase   only free slots or add descriptors: the stale size is smaller;
//   configuration (base, size, PROD rewound)   written only while the engine is disabled and idle.
reg  [3:0]  n_fetch_r;
assign n_fetch = fetching ? 4'd0 : n_fetch_r;
assign dry = resv == 5'd0 && avail == 13'd0;
assign d_valid = wp != rp;

wire [11:0] cons_next = ({1'b0, cons} == size - 13'd1) ? 12'd0 : cons + 12'd1;
wire [11:0] head_next = ({1'b0, head} == size - 13'd1) ? 12'd0 : head + 12'd1;

`include "nic_addr.vh"
localparam NARROW = ADDR_WIDTH < 64;
wire [SW:0] fetch_sum = {1'b0, ext_sw({cfg_ring_base[ADDR_WIDTH-1:7], 7'd0})} +
                        {{(SW-15){1'b0}}, fetch_idx, 4'd0};
// The completion entry's address, registered like the fetch address. cons moves only on consume,
// and the engine may write the next completion in the very next cycle, so both candidates are
// summed from registers (the entry at cons and the one after it) and consume only picks one.
wire [SW:0] cpl_base_sw = {1'b0, ext_sw({cfg_cpl_base[ADDR_WIDTH-1:4], 4'd0})};
wire [SW:0] cpl_sum = cpl_base_sw + {{(SW-15){1'b0}}, cons, 4'd0};
wire [SW:0] cpl_sum_next = cpl_base_sw + {{(SW-15){1'b0}}, cons_next, 4'd0};
reg  [ADDR_WIDTH-1:0] fetch_addr_r;
reg                   fetch_over_r;
assign fetch_addr = fetch_addr_r;
assign fetch_over = fetch_over_r;
reg  [ADDR_WIDTH-1:0] cpl_addr_r;
reg                   cpl_over_r;
assign cpl_addr = cpl_addr_r;
assign cpl_over = cpl_over_r;
wire [SW:0] cpl_pick = rst ? cpl_base_sw : consume ? cpl_sum_next : cpl_sum;
always @(posedge clk) begin
    n_fetch_r <= (rst || !may_fetch) ? 4'd0 : n1[3:0];
    fetch_addr_r <= fetch_sum[ADDR_WIDTH-1:0];
    fetch_over_r <= NARROW && (fetch_sum >> ADDR_WIDTH) != {(SW+1){1'b0}};
    cpl_addr_r <= cpl_pick[ADDR_WIDTH-1:0];
    cpl_over_r <= NARROW && (cpl_pick >> ADDR_WIDTH) != {(SW+1){1'b0}};
end

reg [ADDR_WIDTH-1:0] c_addr [0:CACHE-1];
reg [CACHE-1:0]      c_hi;
reg [CTL_W-1:0]      c_ctl [0:CACHE-1];
localparam [LC1-1:0] CMASK = CACHE[LC1-1:0] - 1'b1;     // CACHE 1: the one slot
wire [LC1-1:0] rslot = rp[LC1-1:0] & CMASK;
wire [LC1-1:0] wslot = wp[LC1-1:0] & CMASK;
assign d_addr = c_addr[rslot];
assign d_hi = c_hi[rslot];
assign d_ctl = c_ctl[rslot];

always @(posedge clk) begin
    if (fetch_beat) begin
        if (!fbeat[0]) begin
            c_addr[wslot] <= fetch_data[ADDR_WIDTH-1:0];
            c_hi[wslot] <= (fetch_data >> ADDR_WIDTH) != 64'd0;
        end else begin
            c_ctl[wslot] <= fetch_data[CTL_W-1:0];
        end
    end
end

always @(posedge clk) begin
    if (rst) begin
        cons <= 12'd0;
        phase <= 1'b1;
        head <= 12'd0;
        fetch_idx <= 12'd0;
        fetching <= 1'b0;
        fcount <= 4'd0;
        fbeat <= 5'd0;
        resv <= 5'd0;
        wp <= 5'd0;
        rp <= 5'd0;
    end else begin
        resv <= resv + (fetch_start ? {1'b0, n_fetch} : 5'd0) - {4'd0, take};
        if (fetch_start) begin
            fetching <= 1'b1;
            fcount <= n_fetch;
            fbeat <= 5'd0;
        end
        if (fetch_beat) begin
            fbeat <= fbeat + 5'd1;
            if (fbeat[0])
                wp <= wp + 5'd1;
            if (fetch_last) begin
                fetching <= 1'b0;
                fetch_idx <= ({1'b0, fetch_idx} + {9'd0, fcount} == size) ? 12'd0
                             : fetch_idx + {8'd0, fcount};
            end
        end
        if (take) begin
            rp <= rp + 5'd1;
            head <= head_next;
        end
        if (consume) begin
            cons <= cons_next;
            if (cons_next == 12'd0)
                phase <= ~phase;
        end
    end
end

wire unused_ok = &{1'b0, cfg_ring_base[6:0], cfg_cpl_base[3:0], fetch_sum, cpl_pick, n1[12:4]};

endmodule

`resetall
