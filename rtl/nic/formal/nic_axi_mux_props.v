`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_axi_mux (the DMA port shared by the TX and RX engines), against two
// engines that obey AXI4 (ARM IHI 0022E A3.2.1: a VALID stays, with its payload, until READY;
// each AW is followed by exactly AWLEN+1 W beats, WLAST on the last) and any slave. Bounded
// check and induction by rtl/nic/formal/run.sh.
//   - the master port keeps AR, AW and W stable until READY
//   - W beats only after their AW, exactly AWLEN+1 of them, WLAST on the last, never mixed
//     between engines; no new AW while W beats are owed
//   - AR/AW IDs name the engine whose request it is; R and B go back by ID only
//   - an engine's W channel is only ever ready for the burst whose AW was accepted
// This is the mux half of an assume-guarantee proof: what is assumed here of each engine is what
// nic_tx_props.v and nic_rx_props.v prove of nic_tx and nic_rx (against a slave that behaves as
// this mux does), so the master port's properties hold for the composition. Some of the mux's
// registers are read through yosys `expose` (see run.sh) for the induction's strengthening.
module nic_axi_mux_props (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] s0_araddr, input wire [7:0] s0_arlen, input wire s0_arvalid,
    input  wire [63:0] s1_araddr, input wire [7:0] s1_arlen, input wire s1_arvalid,
    input  wire [63:0] s0_awaddr, input wire [7:0] s0_awlen, input wire s0_awvalid,
    input  wire [63:0] s1_awaddr, input wire [7:0] s1_awlen, input wire s1_awvalid,
    input  wire [63:0] s0_wdata,  input wire s0_wvalid,
    input  wire [63:0] s1_wdata,  input wire s1_wvalid,
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire        m_axi_bvalid
);

wire dut_ar_lock, dut_ar_sel, dut_aw_lock, dut_aw_sel, dut_w_busy, dut_w_sel;

reg f_past = 1'b0;
reg p_rst = 1'b1;
always @(posedge clk) begin
    f_past <= 1'b1;
    p_rst <= rst;
end

wire s0_arready, s1_arready, s0_rvalid, s1_rvalid, s0_awready, s1_awready, s0_wready, s1_wready;
wire s0_bvalid, s1_bvalid;
wire [0:0]  m_axi_arid, m_axi_awid;
wire [63:0] m_axi_araddr, m_axi_awaddr, m_axi_wdata;
wire [7:0]  m_axi_arlen, m_axi_awlen, m_axi_wstrb;
wire [2:0]  m_axi_arsize, m_axi_awsize;
wire [1:0]  m_axi_arburst, m_axi_awburst;
wire        m_axi_arvalid, m_axi_rready, m_axi_awvalid, m_axi_wlast, m_axi_wvalid, m_axi_bready;

// each engine's W stream: it counts its own beats and raises WLAST on beat AWLEN+1
reg [7:0] e_len [0:1];
reg [7:0] e_cnt [0:1];
reg       e_open [0:1];
wire s0_wlast = e_cnt[0] == e_len[0];
wire s1_wlast = e_cnt[1] == e_len[1];

nic_axi_mux dut (
    .clk(clk), .rst(rst),
    .s0_araddr(s0_araddr), .s0_arlen(s0_arlen), .s0_arvalid(s0_arvalid), .s0_arready(s0_arready),
    .s1_araddr(s1_araddr), .s1_arlen(s1_arlen), .s1_arvalid(s1_arvalid), .s1_arready(s1_arready),
    .s0_rvalid(s0_rvalid), .s1_rvalid(s1_rvalid),
    .s0_awaddr(s0_awaddr), .s0_awlen(s0_awlen), .s0_awvalid(s0_awvalid), .s0_awready(s0_awready),
    .s1_awaddr(s1_awaddr), .s1_awlen(s1_awlen), .s1_awvalid(s1_awvalid), .s1_awready(s1_awready),
    .s0_wdata(s0_wdata), .s0_wstrb(8'hFF), .s0_wlast(s0_wlast), .s0_wvalid(s0_wvalid), .s0_wready(s0_wready),
    .s1_wdata(s1_wdata), .s1_wstrb(8'hFF), .s1_wlast(s1_wlast), .s1_wvalid(s1_wvalid), .s1_wready(s1_wready),
    .s0_bvalid(s0_bvalid), .s1_bvalid(s1_bvalid),
    .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen),
    .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_rready(m_axi_rready), .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr),
    .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst),
    .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bid(m_axi_bid), .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready),
    .ar_lock(dut_ar_lock), .ar_sel(dut_ar_sel), .aw_lock(dut_aw_lock), .aw_sel(dut_aw_sel),
    .w_busy(dut_w_busy), .w_sel(dut_w_sel)
);

// ---------------- engines obey AXI4 ----------------
reg        p_s0ar, p_s1ar, p_s0aw, p_s1aw, p_s0w, p_s1w;
reg [63:0] p_s0araddr, p_s1araddr, p_s0awaddr, p_s1awaddr, p_s0wdata, p_s1wdata;
reg [7:0]  p_s0arlen, p_s1arlen, p_s0awlen, p_s1awlen;
integer i;
always @(posedge clk) begin
    p_s0ar <= s0_arvalid && !s0_arready;  p_s1ar <= s1_arvalid && !s1_arready;
    p_s0aw <= s0_awvalid && !s0_awready;  p_s1aw <= s1_awvalid && !s1_awready;
    p_s0w <= s0_wvalid && !s0_wready;     p_s1w <= s1_wvalid && !s1_wready;
    p_s0araddr <= s0_araddr; p_s1araddr <= s1_araddr; p_s0arlen <= s0_arlen; p_s1arlen <= s1_arlen;
    p_s0awaddr <= s0_awaddr; p_s1awaddr <= s1_awaddr; p_s0awlen <= s0_awlen; p_s1awlen <= s1_awlen;
    p_s0wdata <= s0_wdata; p_s1wdata <= s1_wdata;
    if (rst) begin
        for (i = 0; i < 2; i = i + 1) begin
            e_open[i] <= 1'b0;
            e_cnt[i] <= 8'd0;
            e_len[i] <= 8'd0;
        end
    end else begin
        if (s0_awvalid && s0_awready) begin e_open[0] <= 1'b1; e_len[0] <= s0_awlen; e_cnt[0] <= 8'd0; end
        if (s1_awvalid && s1_awready) begin e_open[1] <= 1'b1; e_len[1] <= s1_awlen; e_cnt[1] <= 8'd0; end
        if (s0_wvalid && s0_wready) begin e_cnt[0] <= e_cnt[0] + 8'd1; if (s0_wlast) e_open[0] <= 1'b0; end
        if (s1_wvalid && s1_wready) begin e_cnt[1] <= e_cnt[1] + 8'd1; if (s1_wlast) e_open[1] <= 1'b0; end
    end
end

always @* begin
    assume(rst == !f_past);
    if (f_past && !p_rst) begin
        if (p_s0ar) assume(s0_arvalid && s0_araddr == p_s0araddr && s0_arlen == p_s0arlen);
        if (p_s1ar) assume(s1_arvalid && s1_araddr == p_s1araddr && s1_arlen == p_s1arlen);
        if (p_s0aw) assume(s0_awvalid && s0_awaddr == p_s0awaddr && s0_awlen == p_s0awlen);
        if (p_s1aw) assume(s1_awvalid && s1_awaddr == p_s1awaddr && s1_awlen == p_s1awlen);
        if (p_s0w) assume(s0_wvalid && s0_wdata == p_s0wdata);
        if (p_s1w) assume(s1_wvalid && s1_wdata == p_s1wdata);
    end
    // an engine may present W before its AW is accepted (nic_tx does, ARM IHI 0022E A3.3.1),
    // but issues no new AW while W beats of its last one are owed
    if (s0_awvalid) assume(!e_open[0]);
    if (s1_awvalid) assume(!e_open[1]);
end

// ---------------- master side monitors ----------------
reg        p_ar, p_aw, p_w;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen, p_awlen;
reg        p_arid, p_awid, p_wlast;
reg        m_open, m_id;
reg [7:0]  m_len, m_cnt;
always @(posedge clk) begin
    p_ar <= m_axi_arvalid && !m_axi_arready;
    p_aw <= m_axi_awvalid && !m_axi_awready;
    p_w <= m_axi_wvalid && !m_axi_wready;
    p_araddr <= m_axi_araddr; p_arlen <= m_axi_arlen; p_arid <= m_axi_arid;
    p_awaddr <= m_axi_awaddr; p_awlen <= m_axi_awlen; p_awid <= m_axi_awid;
    p_wdata <= m_axi_wdata; p_wlast <= m_axi_wlast;
    if (rst) begin
        m_open <= 1'b0;
        m_cnt <= 8'd0;
        m_len <= 8'd0;
        m_id <= 1'b0;
    end else begin
        if (m_axi_awvalid && m_axi_awready) begin
            m_open <= 1'b1; m_len <= m_axi_awlen; m_cnt <= 8'd0; m_id <= m_axi_awid;
        end
        if (m_axi_wvalid && m_axi_wready) begin
            m_cnt <= m_cnt + 8'd1;
            if (m_axi_wlast) m_open <= 1'b0;
        end
    end
end

always @* begin
    if (f_past && !rst) begin
        if (!p_rst && p_ar) assert(m_axi_arvalid && m_axi_araddr == p_araddr && m_axi_arlen == p_arlen && m_axi_arid == p_arid);
        if (!p_rst && p_aw) assert(m_axi_awvalid && m_axi_awaddr == p_awaddr && m_axi_awlen == p_awlen && m_axi_awid == p_awid);
        if (!p_rst && p_w) assert(m_axi_wvalid && m_axi_wdata == p_wdata && m_axi_wlast == p_wlast);
        if (m_axi_wvalid) assert(m_open && m_axi_wlast == (m_cnt == m_len) && m_axi_wdata == (m_id ? s1_wdata : s0_wdata));
        if (m_axi_awvalid) assert(!m_open);
        if (m_axi_arvalid) assert(m_axi_arid ? (s1_arvalid && m_axi_araddr == s1_araddr && m_axi_arlen == s1_arlen)
                                             : (s0_arvalid && m_axi_araddr == s0_araddr && m_axi_arlen == s0_arlen));
        if (m_axi_awvalid) assert(m_axi_awid ? (s1_awvalid && m_axi_awaddr == s1_awaddr && m_axi_awlen == s1_awlen)
                                             : (s0_awvalid && m_axi_awaddr == s0_awaddr && m_axi_awlen == s0_awlen));
        assert(s0_rvalid == (m_axi_rvalid && m_axi_rid == 1'b0) && s1_rvalid == (m_axi_rvalid && m_axi_rid == 1'b1));
        assert(s0_bvalid == (m_axi_bvalid && m_axi_bid == 1'b0) && s1_bvalid == (m_axi_bvalid && m_axi_bid == 1'b1));
        assert(!(s0_wready && s1_wready) && !(s0_arready && s1_arready) && !(s0_awready && s1_awready));
        assert(m_axi_rready && m_axi_bready && m_axi_arsize == 3'd3 && m_axi_awsize == 3'd3 &&
               m_axi_arburst == 2'b01 && m_axi_awburst == 2'b01 && m_axi_wstrb == 8'hFF);
        // an engine's W is ready only inside the burst its accepted AW opened
        if (s0_wready) assert(e_open[0]);
        if (s1_wready) assert(e_open[1]);
        // strengthening for the induction: the mux's W owner is the engine with an open burst
        if (m_open) assert(e_open[m_id] && m_cnt == e_cnt[m_id] && m_len == e_len[m_id] && !e_open[!m_id]);
        if (!m_open) assert(!e_open[0] && !e_open[1]);
        assert(dut_w_busy == m_open && (!m_open || dut_w_sel == m_id));
        if (m_open) assert(m_cnt <= m_len);
        if (!p_rst) begin
            assert(dut_ar_lock == p_ar && (!p_ar || dut_ar_sel == p_arid));
            assert(dut_aw_lock == p_aw && (!p_aw || dut_aw_sel == p_awid));
        end
    end
end

endmodule

`resetall
