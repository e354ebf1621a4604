`resetall
`timescale 1ns / 1ps
`default_nettype none

// Checker of one AXI4 master port (ARM IHI 0022E) of a DMA engine, shared by nic_tx_props and
// nic_rx_props. It holds the slave model the engines are proved against (the slave as
// nic_axi_mux presents it) and asserts the master's obligations; the model's state is an output,
// for the proofs' strengthening invariants.
//
// Assumed of the slave: AR/AW READY at any time; R beats in order, only for accepted bursts,
// RLAST on each burst's last beat (A3.4.1; one ID, so in order: A5.3); W READY only inside a burst
// whose AW was accepted (the mux's W grant); B only for an accepted AW. At most 4 read bursts and
// 15 writes outstanding (the slave holds READY low beyond that, as it may).
// Asserted of the master, every cycle after reset:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every burst lies wholly inside the DMA window [win_base, win_limit), 8-byte aligned, and
//     never crosses a 4 KB boundary (A3.4.1)
//   - AWLEN+1 W beats per AW, WLAST on the last; no new AW while W beats are owed
module nic_axi4_master_check (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] win_base,
    input  wire [63:0] win_limit,
    input  wire [63:0] araddr,
    input  wire [7:0]  arlen,
    input  wire        arvalid,
    input  wire        arready,
    input  wire        rvalid,           // RREADY is tied high in the engines
    input  wire        rlast,
    input  wire [63:0] awaddr,
    input  wire [7:0]  awlen,
    input  wire        awvalid,
    input  wire        awready,
    input  wire [63:0] wdata,
    input  wire [7:0]  wstrb,
    input  wire        wlast,
    input  wire        wvalid,
    input  wire        wready,
    input  wire        bvalid,          // BREADY is tied high in the engines
    // slave model state
    output reg  [2:0]  qn,              // read bursts accepted and not fully returned, q0 oldest
    output reg  [8:0]  q0, q1, q2, q3,  // beats still to come of each
    output wire [11:0] q_total,
    output reg         w_open,          // an AW was accepted and its W beats are not all through
    output reg  [7:0]  w_len,
    output reg  [7:0]  w_cnt
);

reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire       ar_hs = arvalid && arready;
wire       aw_hs = awvalid && awready;
wire       w_hs = wvalid && wready;
wire [8:0] ar_beats = {1'b0, arlen} + 9'd1;
reg  [3:0] b_owed;
assign q_total = (qn > 3'd0 ? {3'd0, q0} : 12'd0) + (qn > 3'd1 ? {3'd0, q1} : 12'd0) +
                 (qn > 3'd2 ? {3'd0, q2} : 12'd0) + (qn > 3'd3 ? {3'd0, q3} : 12'd0);

// the queue after this cycle's R beat (pop or decrement), then this cycle's AR pushed behind
wire       pop = rvalid && q0 == 9'd1;
wire [2:0] qn_r = qn - {2'd0, pop};
always @(posedge clk) begin
    if (rst) begin
        qn <= 3'd0;
        w_open <= 1'b0;
        w_len <= 8'd0;
        w_cnt <= 8'd0;
        b_owed <= 4'd0;
    end else begin
        if (pop) begin
            q0 <= q1; q1 <= q2; q2 <= q3;
        end else if (rvalid) begin
            q0 <= q0 - 9'd1;
        end
        if (ar_hs) begin
            case (qn_r)
            3'd0: q0 <= ar_beats;
            3'd1: q1 <= ar_beats;
            3'd2: q2 <= ar_beats;
            default: q3 <= ar_beats;
            endcase
        end
        qn <= qn_r + {2'd0, ar_hs};
        if (aw_hs) begin
            w_open <= 1'b1;
            w_len <= awlen;
            w_cnt <= 8'd0;
        end
        if (w_hs) begin
            w_cnt <= w_cnt + 8'd1;
            if (wlast)
                w_open <= 1'b0;
        end
        b_owed <= b_owed + {3'd0, aw_hs} - {3'd0, bvalid};
    end
end

always @* begin
    if (rvalid) assume(qn != 3'd0 && rlast == (q0 == 9'd1));
    if (qn == 3'd4) assume(!arready);
    if (wready) assume(w_open);
    if (bvalid) assume(b_owed != 4'd0);
    if (b_owed == 4'd15) assume(!awready);
end

reg        p_ar, p_aw, p_w;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen, p_awlen, p_wstrb;
reg        p_wlast;
always @(posedge clk) begin
    p_ar <= arvalid && !arready;
    p_aw <= awvalid && !awready;
    p_w <= wvalid && !wready;
    p_araddr <= araddr;
    p_arlen <= arlen;
    p_awaddr <= awaddr;
    p_awlen <= awlen;
    p_wdata <= wdata;
    p_wstrb <= wstrb;
    p_wlast <= wlast;
end

wire [64:0] ar_end = {1'b0, araddr} + {54'd0, arlen, 3'b000} + 65'd8;
wire [64:0] aw_end = {1'b0, awaddr} + {54'd0, awlen, 3'b000} + 65'd8;
wire [12:0] ar_4k = {1'b0, araddr[11:0]} + {2'b00, arlen, 3'b000} + 13'd8;
wire [12:0] aw_4k = {1'b0, awaddr[11:0]} + {2'b00, awlen, 3'b000} + 13'd8;

always @* begin
    if (f_past && !rst) begin
        if (!p_rst && p_ar) assert(arvalid && araddr == p_araddr && arlen == p_arlen);
        if (!p_rst && p_aw) assert(awvalid && awaddr == p_awaddr && awlen == p_awlen);
        if (!p_rst && p_w) assert(wvalid && wdata == p_wdata && wstrb == p_wstrb && wlast == p_wlast);
        if (arvalid) begin
            assert(araddr >= win_base && ar_end <= {1'b0, win_limit});
            assert(ar_4k <= 13'd4096 && araddr[2:0] == 3'd0);
        end
        if (awvalid) begin
            assert(awaddr >= win_base && aw_end <= {1'b0, win_limit});
            assert(aw_4k <= 13'd4096 && awaddr[2:0] == 3'd0);
            assert(!w_open);
        end
        if (w_hs) assert(wlast == (w_cnt == w_len));
        // the model's own consistency (for the inductions)
        assert(qn <= 3'd4);
        assert(qn < 3'd1 || q0 != 9'd0);
        assert(qn < 3'd2 || q1 != 9'd0);
        assert(qn < 3'd3 || q2 != 9'd0);
        assert(qn < 3'd4 || q3 != 9'd0);
        if (w_open) assert(w_cnt <= w_len);
    end
end

endmodule

`resetall
