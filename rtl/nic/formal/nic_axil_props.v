`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of the NIC's AXI4-Lite slave (nic_axil_slave, the front end of nic_csr;
// ARM IHI 0022E part B) against any master that obeys the protocol (any address, data, strobes,
// any READY timing) and any register read data. Run by rtl/nic/formal/run.sh: a bounded check
// and an induction, so the properties hold at every depth.
//   - BVALID and RVALID, once high, stay high, RDATA stable, until the handshake (A3.2.1)
//   - exactly one B per write (AW and W both accepted) and one R per read (B1.1): never a
//     response without its request, responses in order, at most two writes and one read in
//     flight
//   - the register file sees exactly one write strobe per write, with the address and data of
//     that write's AW and W
module nic_axil_props (
    input  wire        clk,
    input  wire        rst,
    input  wire [11:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    input  wire        s_axil_bready,
    input  wire [11:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    input  wire        s_axil_rready,
    input  wire [31:0] rd_data
);

reg f_past = 1'b0;
reg p_rst = 1'b1;                     // last cycle was in reset: the p_* copies are not yet real
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire        s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid;
wire [1:0]  s_axil_bresp, s_axil_rresp;
wire [31:0] s_axil_rdata, wr_data;
wire        wr_en, rd_en;
wire [11:0] wr_addr, rd_addr;
wire [3:0]  wr_strb;

nic_axil_slave dut (
    .clk(clk), .rst(rst),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
    .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data), .wr_strb(wr_strb),
    .rd_en(rd_en), .rd_addr(rd_addr), .rd_data(rd_data)
);

// ---------------- the master obeys the protocol ----------------
reg        p_aw_wait, p_w_wait, p_ar_wait, p_b_wait, p_r_wait;
reg [11:0] p_awaddr, p_araddr;
reg [31:0] p_wdata, p_rdata;
reg [3:0]  p_wstrb;
reg [2:0]  n_aw, n_w, n_b, n_ar, n_r, n_wr;    // handshakes and register writes, modulo 8
reg [11:0] last_awaddr;                        // of the last accepted AW / W
reg [31:0] last_wdata;
reg [3:0]  last_wstrb;

always @(posedge clk) begin
    p_aw_wait <= s_axil_awvalid && !s_axil_awready;
    p_w_wait <= s_axil_wvalid && !s_axil_wready;
    p_ar_wait <= s_axil_arvalid && !s_axil_arready;
    p_b_wait <= s_axil_bvalid && !s_axil_bready;
    p_r_wait <= s_axil_rvalid && !s_axil_rready;
    p_awaddr <= s_axil_awaddr;
    p_araddr <= s_axil_araddr;
    p_wdata <= s_axil_wdata;
    p_wstrb <= s_axil_wstrb;
    p_rdata <= s_axil_rdata;
    if (s_axil_awvalid && s_axil_awready) last_awaddr <= s_axil_awaddr;
    if (s_axil_wvalid && s_axil_wready) begin
        last_wdata <= s_axil_wdata;
        last_wstrb <= s_axil_wstrb;
    end
    if (rst) begin
        n_aw <= 3'd0; n_w <= 3'd0; n_b <= 3'd0; n_ar <= 3'd0; n_r <= 3'd0; n_wr <= 3'd0;
    end else begin
        n_aw <= n_aw + {2'b00, s_axil_awvalid && s_axil_awready};
        n_w  <= n_w  + {2'b00, s_axil_wvalid && s_axil_wready};
        n_b  <= n_b  + {2'b00, s_axil_bvalid && s_axil_bready};
        n_ar <= n_ar + {2'b00, s_axil_arvalid && s_axil_arready};
        n_r  <= n_r  + {2'b00, s_axil_rvalid && s_axil_rready};
        n_wr <= n_wr + {2'b00, wr_en};
    end
end

always @* begin
    assume(rst == !f_past);
    if (f_past && !p_rst && p_aw_wait) assume(s_axil_awvalid && s_axil_awaddr == p_awaddr);
    if (f_past && !p_rst && p_w_wait) assume(s_axil_wvalid && s_axil_wdata == p_wdata && s_axil_wstrb == p_wstrb);
    if (f_past && !p_rst && p_ar_wait) assume(s_axil_arvalid && s_axil_araddr == p_araddr);
end

// ---------------- properties ----------------
wire [2:0] out_aw = n_aw - n_b;       // writes whose B has not been taken
wire [2:0] out_w = n_w - n_b;
wire [2:0] out_ar = n_ar - n_r;
wire [2:0] out_b = n_wr - n_b;        // register writes whose B has not been taken

always @* begin
    if (f_past && !rst) begin
        if (!p_rst && p_b_wait) assert(s_axil_bvalid);
        if (!p_rst && p_r_wait) assert(s_axil_rvalid && s_axil_rdata == p_rdata);
        // exact bookkeeping (and the induction's strengthening): what is in flight
        assert(out_aw == {2'b00, !s_axil_awready} + {2'b00, s_axil_bvalid});
        assert(out_w == {2'b00, !s_axil_wready} + {2'b00, s_axil_bvalid});
        assert(out_ar == {2'b00, s_axil_rvalid});
        assert(out_b == {2'b00, s_axil_bvalid});
        assert(s_axil_arready == !s_axil_rvalid);
        // a B only after its write happened; a write only with its AW and W both in
        if (s_axil_bvalid) assert(out_aw >= 3'd1 && out_w >= 3'd1);
        if (wr_en) assert(!s_axil_awready && !s_axil_wready && !s_axil_bvalid);
        if (!s_axil_awready) assert(wr_addr == last_awaddr);
        if (!s_axil_wready) assert(wr_data == last_wdata && wr_strb == last_wstrb);
        if (rd_en) assert(rd_addr == s_axil_araddr && !s_axil_rvalid);
        assert(s_axil_bresp == 2'b00 && s_axil_rresp == 2'b00);
    end
end

endmodule

`resetall
