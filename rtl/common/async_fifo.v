`resetall
`timescale 1ns / 1ps
`default_nettype none

// Asynchronous FIFO with frame commit, after C. Cummings, "Simulation and Synthesis Techniques
// for Asynchronous FIFO Design" (SNUG 2002): binary pointers in each domain, Gray-coded copies
// crossing through two-flip-flop synchronisers.
//
// Frame mode. Words written with wr_en become visible to the reader only when wr_commit is high
// (in the cycle of the last word, or later); wr_rollback forgets everything written since the
// last commit, so a bad frame is never seen by the reader. Between commit and visibility the
// published pointer walks towards the committed one ONE word per cycle: a Gray pointer that jumped
// by a whole frame would change many bits at once and could be sampled half-updated. With
// wr_commit high on every write this is a plain asynchronous FIFO.
//
// Patch port: a word already written but not yet committed may be overwritten byte by byte
// (patch_en, patch_addr, patch_be) - the TX path inserts checksums this way. A patch has priority
// over wr_en in the same cycle.
//
// Read side: first-word fall-through, rd_valid/rd_ready as an AXI4-Stream source; one word per
// cycle sustained. The memory read is synchronous, so it maps to block RAM.
//
// Resets: wr_rst and rd_rst are asynchronous, as in Cummings' design: each side's pointers, the
// read side's valid flag and each side's synchroniser of the other's pointer clear the moment
// its reset rises, even if that side's clock is stopped. Both resets must come from one reset
// source, asserted together, each deasserted synchronously to its own clock (a reset
// synchroniser): then both sides are empty at once and no stale pointer survives in either
// synchroniser, so a clock that comes back after a reset never reads words from before it.
module async_fifo #(
    parameter WIDTH = 64,
    parameter ADDR_WIDTH = 9                // DEPTH = 2**ADDR_WIDTH words
) (
    input  wire                  wr_clk,
    input  wire                  wr_rst,
    input  wire                  wr_en,
    input  wire [WIDTH-1:0]      wr_data,
    input  wire                  wr_commit,
    input  wire                  wr_rollback,
    input  wire                  patch_en,
    input  wire [ADDR_WIDTH-1:0] patch_addr,
    input  wire [WIDTH/8-1:0]    patch_be,
    input  wire [WIDTH-1:0]      patch_data,
    output wire [ADDR_WIDTH:0]   wr_ptr,       // next word to write (binary, with the wrap bit)
    output wire [ADDR_WIDTH:0]   wr_free,      // words that may still be written
    output wire                  wr_empty,     // the reader has taken every committed word

    input  wire                  rd_clk,
    input  wire                  rd_rst,
    output reg  [WIDTH-1:0]      rd_data,
    output reg                   rd_valid,
    input  wire                  rd_ready
);

localparam DEPTH = 1 << ADDR_WIDTH;
localparam NB = WIDTH / 8;

initial begin
    if (WIDTH % 8 != 0) begin
        $display("async_fifo %m: WIDTH %0d is not a whole number of bytes", WIDTH);
        $finish;
    end
end

function [ADDR_WIDTH:0] bin2gray(input [ADDR_WIDTH:0] b);
    bin2gray = b ^ (b >> 1);
endfunction

function [ADDR_WIDTH:0] gray2bin(input [ADDR_WIDTH:0] g);
    integer k;
    begin
        for (k = 0; k <= ADDR_WIDTH; k = k + 1)
            gray2bin[k] = ^(g >> k);
    end
endfunction

reg [WIDTH-1:0] mem [0:DEPTH-1];

// ---- write domain ----
reg  [ADDR_WIDTH:0] wptr;          // working pointer
reg  [ADDR_WIDTH:0] cptr;          // committed
reg  [ADDR_WIDTH:0] pptr;          // published (walks towards cptr)
reg  [ADDR_WIDTH:0] pptr_gray;
wire [ADDR_WIDTH:0] rptr_gray_sync;
wire [ADDR_WIDTH:0] rptr_w = gray2bin(rptr_gray_sync);

assign wr_ptr = wptr;
assign wr_free = DEPTH[ADDR_WIDTH:0] - (wptr - rptr_w);
assign wr_empty = (rptr_w == cptr) && (pptr == cptr);

wire do_write = wr_en && !patch_en && (wr_free != 0);
wire [ADDR_WIDTH:0] wptr_next = wptr + {{ADDR_WIDTH{1'b0}}, do_write};

// One write port: a patch, or a whole word at the working pointer.
wire [ADDR_WIDTH-1:0] mem_addr = patch_en ? patch_addr : wptr[ADDR_WIDTH-1:0];
wire [NB-1:0]         mem_be   = patch_en ? patch_be : {NB{do_write}};
wire [WIDTH-1:0]      mem_din  = patch_en ? patch_data : wr_data;

integer i;
always @(posedge wr_clk) begin
    for (i = 0; i < NB; i = i + 1)
        if (mem_be[i])
            mem[mem_addr][i*8 +: 8] <= mem_din[i*8 +: 8];
end

always @(posedge wr_clk or posedge wr_rst) begin
    if (wr_rst) begin
        wptr <= {(ADDR_WIDTH+1){1'b0}};
        cptr <= {(ADDR_WIDTH+1){1'b0}};
        pptr <= {(ADDR_WIDTH+1){1'b0}};
        pptr_gray <= {(ADDR_WIDTH+1){1'b0}};
    end else begin
        if (wr_rollback) begin
            wptr <= cptr;
        end else begin
            wptr <= wptr_next;
            if (wr_commit)
                cptr <= wptr_next;
        end
        if (pptr != cptr) begin
            pptr <= pptr + 1'b1;
            pptr_gray <= bin2gray(pptr + 1'b1);
        end
    end
end

// ---- read domain ----
reg  [ADDR_WIDTH:0] rptr;
reg  [ADDR_WIDTH:0] rptr_gray;
wire [ADDR_WIDTH:0] wptr_gray_sync;

wire empty = (rptr_gray == wptr_gray_sync);
wire load = !empty && (!rd_valid || rd_ready);

always @(posedge rd_clk) begin
    if (load)
        rd_data <= mem[rptr[ADDR_WIDTH-1:0]];
end

always @(posedge rd_clk or posedge rd_rst) begin
    if (rd_rst) begin
        rptr <= {(ADDR_WIDTH+1){1'b0}};
        rptr_gray <= {(ADDR_WIDTH+1){1'b0}};
        rd_valid <= 1'b0;
    end else begin
        if (load) begin
            rptr <= rptr + 1'b1;
            rptr_gray <= bin2gray(rptr + 1'b1);
            rd_valid <= 1'b1;
        end else if (rd_ready) begin
            rd_valid <= 1'b0;
        end
    end
end

// Two-flip-flop synchronisers of the Gray pointers, reset with the side that owns them.
(* ASYNC_REG = "TRUE" *) reg [ADDR_WIDTH:0] w2r_s1, w2r_s2;
(* ASYNC_REG = "TRUE" *) reg [ADDR_WIDTH:0] r2w_s1, r2w_s2;
always @(posedge rd_clk or posedge rd_rst) begin
    if (rd_rst) begin
        w2r_s1 <= {(ADDR_WIDTH+1){1'b0}};
        w2r_s2 <= {(ADDR_WIDTH+1){1'b0}};
    end else begin
        w2r_s1 <= pptr_gray;
        w2r_s2 <= w2r_s1;
    end
end
always @(posedge wr_clk or posedge wr_rst) begin
    if (wr_rst) begin
        r2w_s1 <= {(ADDR_WIDTH+1){1'b0}};
        r2w_s2 <= {(ADDR_WIDTH+1){1'b0}};
    end else begin
        r2w_s1 <= rptr_gray;
        r2w_s2 <= r2w_s1;
    end
end
assign wptr_gray_sync = w2r_s2;
assign rptr_gray_sync = r2w_s2;

endmodule

`resetall
