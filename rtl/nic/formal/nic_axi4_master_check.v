`resetall
`timescale 1ns / 1ps
`default_nettype none

// Checker of one AXI4 master port (ARM IHI 0022E) of a DMA engine, shared by nic_tx_props and
// nic_rx_props: the slave model the engines are proved against, and the master's obligations.
// The model's state is an output, for the proofs' strengthening invariants.
//
// The slave is as free as the spec allows (RRESP, BRESP and every READY are free inputs):
//   - ARREADY, AWREADY and WREADY at any time: W may be taken before its AW, AWREADY may wait
//     for WVALID or for the burst's last W beat (A3.3.1)
//   - R beats in order (one ID: A5.3), only for accepted bursts, RLAST on each burst's last beat
//     (A3.4.1); an R beat that is not taken stays, with its payload (A3.2.1), so R may be held
//     as long as RREADY is low
//   - B only for a write whose AW and WLAST beat were both taken (A3.3.1); BREADY is high
// The model queues up to NQ read bursts (ARREADY is low while it is full: run with NQ at least
// the engine's own limit, so this never restricts the slave).
// Asserted of the master, every cycle after reset:
//   - AR, AW and W stay valid with a stable payload until READY (A3.2.1)
//   - every burst lies wholly inside the DMA window [win_base, win_limit), 8-byte aligned, and
//     never crosses a 4 KB boundary (A3.4.1)
//   - a write burst begins with AWVALID: no W beat before the burst's AWVALID, AWLEN+1 W beats,
//     WLAST on the last, no new AW while W beats are owed
//   - A3.3.1, the master never waits for AWREADY before WVALID: while a burst has W beats owed
//     (its AW waiting or taken), WVALID is high (the engines' data is there: TX's completion
//     words are registers, RX's frames are whole in its FIFO)
module nic_axi4_master_check #(
    parameter LQ = 2                    // log2 of the read bursts the model queues
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] win_base,
    input  wire [63:0] win_limit,
    input  wire [63:0] araddr,
    input  wire [7:0]  arlen,
    input  wire        arvalid,
    input  wire        arready,
    input  wire        ar_kind,          // the engine's own tag of the AR (recorded per burst)
    input  wire [63:0] rdata,
    input  wire [1:0]  rresp,
    input  wire        rvalid,
    input  wire        rready,
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
    input  wire        bvalid,
    // slave model state
    output reg  [LQ:0] q_rp,             // read bursts: circular queue, q_wp - q_rp accepted
    output reg  [LQ:0] q_wp,             //   and not fully returned
    output wire [LQ:0] q_n,
    output wire [(9<<LQ)-1:0] q_beats,   // beats of each slot's burst (9 bits each)
    output wire [(1<<LQ)-1:0] q_kind,
    output wire [(1<<LQ)-1:0] q_valid,   // the slot holds an accepted burst
    output reg  [8:0]  r_cnt,            // beats of the oldest burst already returned
    output reg         w_act,            // a write burst is open (its AWVALID was seen)
    output reg         w_awd,            // ... its AW was taken
    output reg         w_wd,             // ... its WLAST beat was taken
    output reg  [7:0]  w_len,            // its AWLEN once taken
    output reg  [7:0]  w_cnt,            // its W beats taken
    output reg  [4:0]  n_aw,             // writes whose AW was taken, without B
    output reg  [4:0]  n_w               // writes whose WLAST was taken, without B
);

localparam NQ = 1 << LQ;
reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire       ar_hs = arvalid && arready;
wire       r_hs = rvalid && rready;
wire       aw_hs = awvalid && awready;
wire       w_hs = wvalid && wready;
reg  [8:0] qb [0:NQ-1];
reg        qk [0:NQ-1];
genvar g;
generate for (g = 0; g < NQ; g = g + 1) begin : qs
    wire [LQ:0] slot = g;
    wire [LQ-1:0] pos = slot[LQ-1:0] - q_rp[LQ-1:0];     // place in the queue, 0 oldest
    assign q_beats[g*9 +: 9] = qb[g];
    assign q_kind[g] = qk[g];
    assign q_valid[g] = {1'b0, pos} < q_n;
    always @* if (f_past && !rst && q_valid[g]) assert(qb[g] != 9'd0);
end endgenerate
assign q_n = q_wp - q_rp;
wire [LQ-1:0] q_ri = q_rp[LQ-1:0];
wire [LQ-1:0] q_wi = q_wp[LQ-1:0];
wire [7:0]  cur_len = w_awd ? w_len : awlen;
wire        w_fin = (w_act || awvalid) && (w_awd || aw_hs) && (w_wd || (w_hs && wlast));

always @(posedge clk) begin
    if (rst) begin
        q_rp <= {(LQ+1){1'b0}};
        q_wp <= {(LQ+1){1'b0}};
        r_cnt <= 9'd0;
        w_act <= 1'b0;
        w_awd <= 1'b0;
        w_wd <= 1'b0;
        w_len <= 8'd0;
        w_cnt <= 8'd0;
        n_aw <= 5'd0;
        n_w <= 5'd0;
    end else begin
        if (r_hs) begin
            if (rlast) begin
                q_rp <= q_rp + 1'b1;
                r_cnt <= 9'd0;
            end else begin
                r_cnt <= r_cnt + 9'd1;
            end
        end
        if (ar_hs) begin
            qb[q_wi] <= {1'b0, arlen} + 9'd1;
            qk[q_wi] <= ar_kind;
            q_wp <= q_wp + 1'b1;
        end
        if (w_fin) begin
            w_act <= 1'b0;
            w_awd <= 1'b0;
            w_wd <= 1'b0;
            w_cnt <= 8'd0;
        end else begin
            if (awvalid)
                w_act <= 1'b1;
            if (aw_hs) begin
                w_awd <= 1'b1;
                w_len <= awlen;
            end
            if (w_hs) begin
                w_cnt <= w_cnt + 8'd1;
                if (wlast)
                    w_wd <= 1'b1;
            end
        end
        n_aw <= n_aw + {4'd0, aw_hs} - {4'd0, bvalid};
        n_w <= n_w + {4'd0, w_hs && wlast} - {4'd0, bvalid};
    end
end

// ---------------- the slave's rules (assumed) ----------------
reg        p_rwait, p_rlast;
reg [63:0] p_rdata;
reg [1:0]  p_rresp;
always @(posedge clk) begin
    p_rwait <= rvalid && !rready;
    p_rdata <= rdata;
    p_rresp <= rresp;
    p_rlast <= rlast;
end
always @* begin
    if (rvalid) assume(q_n != {(LQ+1){1'b0}} && rlast == (r_cnt + 9'd1 == qb[q_ri]));
    if (q_n == NQ[LQ:0]) assume(!arready);
    if (bvalid) assume(n_aw != 5'd0 && n_w != 5'd0);
    if (n_aw == 5'd31 || n_w == 5'd31) assume(!awready && !wready);
    if (f_past && !p_rst && p_rwait) assume(rvalid && rdata == p_rdata && rresp == p_rresp && rlast == p_rlast);
end

// ---------------- the master's obligations (asserted) ----------------
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
            assert(!w_awd);                              // no new AW while W beats are owed
        end
        if (wvalid) assert((w_act || awvalid) && !w_wd && wlast == (w_cnt == cur_len));
        // A3.3.1: W does not wait for AWREADY
        if ((w_act || awvalid) && !w_wd) assert(wvalid);
        // the model's own consistency (for the inductions)
        assert(q_n <= NQ[LQ:0]);
        if (q_n != {(LQ+1){1'b0}}) assert(r_cnt < qb[q_ri]);
        else assert(r_cnt == 9'd0);
        assert(!(w_awd && w_wd) && (w_act || (!w_awd && !w_wd && w_cnt == 8'd0)));
        if (w_act && !w_awd) assert(awvalid);
        if (w_awd) assert(w_cnt <= w_len);
        if (w_act && !w_awd && !w_wd) assert(w_cnt <= awlen);
        if (w_wd) assert(w_cnt == awlen + 8'd1);
        if (!p_rst) assert(p_aw == (w_act && !w_awd));
        // the first cycle after reset: nothing is on the port yet, the model is empty
        if (p_rst) assert(!arvalid && !awvalid && !wvalid && !w_act && q_n == {(LQ+1){1'b0}} &&
                          n_aw == 5'd0 && n_w == 5'd0);
    end
end

endmodule

`resetall

`timescale 1ns / 1ps
`default_nettype none

// Number of ones in a vector (the proofs count queue slots with it).
module popcount #(
    parameter W = 16
) (
    input  wire [W-1:0] v,
    output reg  [5:0]   n
);
integer k;
always @* begin
    n = 6'd0;
    for (k = 0; k < W; k = k + 1)
        n = n + {5'd0, v[k]};
end
endmodule

`resetall
