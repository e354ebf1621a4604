`resetall
`timescale 1ns / 1ps
`default_nettype none

// Formal properties of nic_axi_mux (the DMA port shared by the TX and RX engines), against two
// engines that obey AXI4 (ARM IHI 0022E) and ANY slave: every READY, RVALID/RID and BVALID/BID
// is a free input, so the slave may take W before AW, hold AWREADY until it has seen WVALID or
// every W beat (A3.3.1), and hold R beats back (RREADY is routed by RID). Bounded check,
// induction and covers by rtl/nic/formal/run.sh.
//   - the master port keeps AR, AW and W valid with a stable payload until READY (A3.2.1)
//   - a write burst belongs to one engine from its AWVALID until its AW and its WLAST beat are
//     through: W beats of a burst are never mixed with another engine's (AXI4 has no WID),
//     exactly AWLEN+1 of them, WLAST on the last, none before the burst's AWVALID, no new AW
//     while W beats are owed
//   - W is forwarded while AWVALID waits (A3.3.1): whenever the burst's owner has WVALID up and
//     beats are owed, so does the master port, whatever AWREADY does
//   - an engine's handshake on AR, AW or W happens exactly when the master port's handshake
//     with that engine's ID does; AR/AW IDs name the engine; R, RREADY and B go by ID only
// This is the mux half of an assume-guarantee proof: what is assumed here of each engine is
// what nic_tx_props.v and nic_rx_props.v prove of nic_tx and nic_rx (nic_axi4_master_check.v)
// against a slave at least as permissive as this mux presents.
module nic_axi_mux_props (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] s0_araddr, input wire [7:0] s0_arlen, input wire s0_arvalid,
    input  wire [63:0] s1_araddr, input wire [7:0] s1_arlen, input wire s1_arvalid,
    input  wire        s0_rready, input wire s1_rready,
    input  wire [63:0] s0_awaddr, input wire [7:0] s0_awlen, input wire s0_awvalid,
    input  wire [63:0] s1_awaddr, input wire [7:0] s1_awlen, input wire s1_awvalid,
    input  wire [63:0] s0_wdata,  input wire [7:0] s0_wstrb, input wire s0_wvalid,
    input  wire [63:0] s1_wdata,  input wire [7:0] s1_wstrb, input wire s1_wvalid,
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire        m_axi_bvalid
);

wire dut_ar_lock, dut_ar_sel, dut_w_busy, dut_w_own, dut_aw_done, dut_w_done;

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

// Each engine's write burst, as the engine sees it: it begins with AWVALID and ends once both
// its AW and its WLAST beat are through (in either order); the engine counts its W beats and
// raises WLAST on beat AWLEN+1 (AWLEN is on the bus until AW is taken, then e_len).
reg [1:0] e_act, e_awd, e_wd;
reg [7:0] e_len [0:1];
reg [7:0] e_cnt [0:1];
wire [1:0] s_awvalid = {s1_awvalid, s0_awvalid};
wire [1:0] s_wvalid = {s1_wvalid, s0_wvalid};
wire [1:0] s_awready = {s1_awready, s0_awready};
wire [1:0] s_wready = {s1_wready, s0_wready};
wire [7:0] cur_len0 = e_awd[0] ? e_len[0] : s0_awlen;
wire [7:0] cur_len1 = e_awd[1] ? e_len[1] : s1_awlen;
wire s0_wlast = e_cnt[0] == cur_len0;
wire s1_wlast = e_cnt[1] == cur_len1;
wire [1:0] s_wlast = {s1_wlast, s0_wlast};

nic_axi_mux dut (
    .clk(clk), .rst(rst),
    .s0_araddr(s0_araddr), .s0_arlen(s0_arlen), .s0_arvalid(s0_arvalid), .s0_arready(s0_arready),
    .s1_araddr(s1_araddr), .s1_arlen(s1_arlen), .s1_arvalid(s1_arvalid), .s1_arready(s1_arready),
    .s0_rvalid(s0_rvalid), .s1_rvalid(s1_rvalid), .s0_rready(s0_rready), .s1_rready(s1_rready),
    .s0_awaddr(s0_awaddr), .s0_awlen(s0_awlen), .s0_awvalid(s0_awvalid), .s0_awready(s0_awready),
    .s1_awaddr(s1_awaddr), .s1_awlen(s1_awlen), .s1_awvalid(s1_awvalid), .s1_awready(s1_awready),
    .s0_wdata(s0_wdata), .s0_wstrb(s0_wstrb), .s0_wlast(s0_wlast), .s0_wvalid(s0_wvalid), .s0_wready(s0_wready),
    .s1_wdata(s1_wdata), .s1_wstrb(s1_wstrb), .s1_wlast(s1_wlast), .s1_wvalid(s1_wvalid), .s1_wready(s1_wready),
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
    // registers read through `expose` (run.sh)
    .ar_lock(dut_ar_lock), .ar_sel(dut_ar_sel), .w_busy(dut_w_busy), .w_own(dut_w_own),
    .aw_done(dut_aw_done), .w_done(dut_w_done)
);

// ---------------- engines obey AXI4 ----------------
reg        p_s0ar, p_s1ar, p_s0aw, p_s1aw, p_s0w, p_s1w;
reg [63:0] p_s0araddr, p_s1araddr, p_s0awaddr, p_s1awaddr, p_s0wdata, p_s1wdata;
reg [7:0]  p_s0arlen, p_s1arlen, p_s0awlen, p_s1awlen, p_s0wstrb, p_s1wstrb;
integer i;
always @(posedge clk) begin
    p_s0ar <= s0_arvalid && !s0_arready;  p_s1ar <= s1_arvalid && !s1_arready;
    p_s0aw <= s0_awvalid && !s0_awready;  p_s1aw <= s1_awvalid && !s1_awready;
    p_s0w <= s0_wvalid && !s0_wready;     p_s1w <= s1_wvalid && !s1_wready;
    p_s0araddr <= s0_araddr; p_s1araddr <= s1_araddr; p_s0arlen <= s0_arlen; p_s1arlen <= s1_arlen;
    p_s0awaddr <= s0_awaddr; p_s1awaddr <= s1_awaddr; p_s0awlen <= s0_awlen; p_s1awlen <= s1_awlen;
    p_s0wdata <= s0_wdata; p_s1wdata <= s1_wdata; p_s0wstrb <= s0_wstrb; p_s1wstrb <= s1_wstrb;
    for (i = 0; i < 2; i = i + 1) begin
        if (rst) begin
            e_act[i] <= 1'b0;
            e_awd[i] <= 1'b0;
            e_wd[i] <= 1'b0;
            e_cnt[i] <= 8'd0;
            e_len[i] <= 8'd0;
        end else if ((e_awd[i] || (s_awvalid[i] && s_awready[i])) &&
                     (e_wd[i] || (s_wvalid[i] && s_wready[i] && s_wlast[i]))) begin
            e_act[i] <= 1'b0;           // the burst is through
            e_awd[i] <= 1'b0;
            e_wd[i] <= 1'b0;
            e_cnt[i] <= 8'd0;
        end else begin
            if (s_awvalid[i])
                e_act[i] <= 1'b1;
            if (s_awvalid[i] && s_awready[i]) begin
                e_awd[i] <= 1'b1;
                e_len[i] <= i ? s1_awlen : s0_awlen;
            end
            if (s_wvalid[i] && s_wready[i]) begin
                e_cnt[i] <= e_cnt[i] + 8'd1;
                if (s_wlast[i])
                    e_wd[i] <= 1'b1;
            end
        end
    end
end

always @* begin
    assume(rst == !f_past);
    if (f_past && !p_rst) begin
        if (p_s0ar) assume(s0_arvalid && s0_araddr == p_s0araddr && s0_arlen == p_s0arlen);
        if (p_s1ar) assume(s1_arvalid && s1_araddr == p_s1araddr && s1_arlen == p_s1arlen);
        if (p_s0aw) assume(s0_awvalid && s0_awaddr == p_s0awaddr && s0_awlen == p_s0awlen);
        if (p_s1aw) assume(s1_awvalid && s1_awaddr == p_s1awaddr && s1_awlen == p_s1awlen);
        if (p_s0w) assume(s0_wvalid && s0_wdata == p_s0wdata && s0_wstrb == p_s0wstrb);
        if (p_s1w) assume(s1_wvalid && s1_wdata == p_s1wdata && s1_wstrb == p_s1wstrb);
    end
    // an engine raises AWVALID no later than the first WVALID of a burst, sends no W beat past
    // the burst's WLAST, and no new AW while W beats of its last one are owed
    // (nic_axi4_master_check.v proves this of nic_tx and nic_rx)
    for (i = 0; i < 2; i = i + 1) begin
        if (s_wvalid[i]) assume((s_awvalid[i] || e_act[i]) && !e_wd[i]);
        if (s_awvalid[i]) assume(!e_awd[i]);
    end
end

// ---------------- master side monitors ----------------
reg        p_ar, p_aw, p_w;
reg [63:0] p_araddr, p_awaddr, p_wdata;
reg [7:0]  p_arlen, p_awlen, p_wstrb;
reg        p_arid, p_awid, p_wlast;
reg        m_act, m_awd, m_wd, m_id;
reg [7:0]  m_len, m_cnt;
wire [7:0] m_cur_len = m_awd ? m_len : m_axi_awlen;
wire       m_aw_hs = m_axi_awvalid && m_axi_awready;
wire       m_w_hs = m_axi_wvalid && m_axi_wready;
wire       m_fin = (m_awd || m_aw_hs) && (m_wd || (m_w_hs && m_axi_wlast));
reg        p_fin, p_fin_id;
always @(posedge clk) begin
    p_ar <= m_axi_arvalid && !m_axi_arready;
    p_aw <= m_axi_awvalid && !m_axi_awready;
    p_w <= m_axi_wvalid && !m_axi_wready;
    p_araddr <= m_axi_araddr; p_arlen <= m_axi_arlen; p_arid <= m_axi_arid;
    p_awaddr <= m_axi_awaddr; p_awlen <= m_axi_awlen; p_awid <= m_axi_awid;
    p_wdata <= m_axi_wdata; p_wlast <= m_axi_wlast; p_wstrb <= m_axi_wstrb;
    p_fin <= !rst && m_fin && (m_act || m_axi_awvalid);
    p_fin_id <= m_act ? m_id : m_axi_awid;
    if (rst) begin
        m_act <= 1'b0;
        m_awd <= 1'b0;
        m_wd <= 1'b0;
        m_cnt <= 8'd0;
        m_len <= 8'd0;
        m_id <= 1'b0;
    end else if (m_fin && (m_act || m_axi_awvalid)) begin
        m_act <= 1'b0;
        m_awd <= 1'b0;
        m_wd <= 1'b0;
        m_cnt <= 8'd0;
    end else begin
        if (m_axi_awvalid && !m_act) begin
            m_act <= 1'b1;
            m_id <= m_axi_awid;
        end
        if (m_aw_hs) begin
            m_awd <= 1'b1;
            m_len <= m_axi_awlen;
        end
        if (m_w_hs) begin
            m_cnt <= m_cnt + 8'd1;
            if (m_axi_wlast)
                m_wd <= 1'b1;
        end
    end
end

wire own = m_act ? m_id : m_axi_awid;      // the engine whose burst the master port carries

always @* begin
    if (f_past && !rst) begin
        // A3.2.1 on the master port
        if (!p_rst && p_ar) assert(m_axi_arvalid && m_axi_araddr == p_araddr && m_axi_arlen == p_arlen && m_axi_arid == p_arid);
        if (!p_rst && p_aw) assert(m_axi_awvalid && m_axi_awaddr == p_awaddr && m_axi_awlen == p_awlen && m_axi_awid == p_awid);
        if (!p_rst && p_w) assert(m_axi_wvalid && m_axi_wdata == p_wdata && m_axi_wlast == p_wlast && m_axi_wstrb == p_wstrb);
        // write bursts: W only inside a burst begun by AWVALID, AWLEN+1 beats, WLAST on the
        // last, from the owning engine only; no new AW while W beats are owed
        if (m_axi_wvalid) begin
            assert((m_act || m_axi_awvalid) && !m_wd && m_axi_wlast == (m_cnt == m_cur_len));
            assert(m_axi_wdata == (own ? s1_wdata : s0_wdata) && m_axi_wstrb == (own ? s1_wstrb : s0_wstrb));
        end
        if (m_axi_awvalid) assert(!m_awd && (!m_act || m_axi_awid == m_id));
        // A3.3.1: the owner's W goes through while its AW waits, whatever AWREADY does
        if ((m_act || m_axi_awvalid) && !m_wd && (own ? s1_wvalid : s0_wvalid)) assert(m_axi_wvalid);
        // handshakes: an engine's happens exactly when the master port's with its ID does
        assert((s0_arvalid && s0_arready) == (m_axi_arvalid && m_axi_arready && m_axi_arid == 1'b0));
        assert((s1_arvalid && s1_arready) == (m_axi_arvalid && m_axi_arready && m_axi_arid == 1'b1));
        assert((s0_awvalid && s0_awready) == (m_aw_hs && m_axi_awid == 1'b0));
        assert((s1_awvalid && s1_awready) == (m_aw_hs && m_axi_awid == 1'b1));
        assert((s0_wvalid && s0_wready) == (m_w_hs && own == 1'b0));
        assert((s1_wvalid && s1_wready) == (m_w_hs && own == 1'b1));
        if (m_axi_arvalid) assert(m_axi_arid ? (s1_arvalid && m_axi_araddr == s1_araddr && m_axi_arlen == s1_arlen)
                                             : (s0_arvalid && m_axi_araddr == s0_araddr && m_axi_arlen == s0_arlen));
        if (m_axi_awvalid) assert(m_axi_awid ? (s1_awvalid && m_axi_awaddr == s1_awaddr && m_axi_awlen == s1_awlen)
                                             : (s0_awvalid && m_axi_awaddr == s0_awaddr && m_axi_awlen == s0_awlen));
        // R, RREADY and B by ID
        assert(s0_rvalid == (m_axi_rvalid && m_axi_rid == 1'b0) && s1_rvalid == (m_axi_rvalid && m_axi_rid == 1'b1));
        assert(m_axi_rready == (m_axi_rid == 1'b1 ? s1_rready : s0_rready));
        assert(s0_bvalid == (m_axi_bvalid && m_axi_bid == 1'b0) && s1_bvalid == (m_axi_bvalid && m_axi_bid == 1'b1));
        assert(m_axi_bready && m_axi_arsize == 3'd3 && m_axi_awsize == 3'd3 &&
               m_axi_arburst == 2'b01 && m_axi_awburst == 2'b01);
        // an engine's W is ready only inside its own burst
        if (s0_wready) assert(s0_awvalid || e_act[0]);
        if (s1_wready) assert(s1_awvalid || e_act[1]);

        // ---- strengthening for the induction: the mux's registers are the monitor's ----
        assert(dut_w_busy == m_act && (!m_act || dut_w_own == m_id));
        assert(dut_aw_done == m_awd && dut_w_done == m_wd);
        if (m_act) assert(e_act[m_id] && e_awd[m_id] == m_awd && e_wd[m_id] == m_wd &&
                          e_cnt[m_id] == m_cnt && (!m_awd || e_len[m_id] == m_len));
        if (m_act && m_awd) assert(m_cnt <= m_len);
        assert(!(m_awd && m_wd) && (m_act || (!m_awd && !m_wd && m_cnt == 8'd0)));
        assert(!(e_awd[0] && e_wd[0]) && !(e_awd[1] && e_wd[1]));
        if (m_wd) assert(m_cnt == m_axi_awlen + 8'd1);
        if (m_act && !m_wd && !m_awd) assert(m_cnt <= m_axi_awlen);
        for (i = 0; i < 2; i = i + 1)
            if (!m_act || m_id != i) assert(!e_awd[i] && !e_wd[i] && e_cnt[i] == 8'd0);
        if (e_act[0] && !(m_act && m_id == 1'b0)) assert(s0_awvalid);
        if (e_act[1] && !(m_act && m_id == 1'b1)) assert(s1_awvalid);
        if (e_act[0] && e_awd[0]) assert(e_cnt[0] <= e_len[0]);
        if (e_act[1] && e_awd[1]) assert(e_cnt[1] <= e_len[1]);
        if (m_act && !m_awd) assert(m_axi_awvalid);
        if (!p_rst) begin
            assert(p_aw == (m_act && !m_awd));
            if (p_w) assert(m_act && !m_wd && (m_id ? (p_s1w && p_s1wdata == p_wdata && p_s1wstrb == p_wstrb)
                                                    : (p_s0w && p_s0wdata == p_wdata && p_s0wstrb == p_wstrb)));
            if (p_aw) assert(m_id ? (p_s1aw && p_s1awaddr == p_awaddr && p_s1awlen == p_awlen)
                                  : (p_s0aw && p_s0awaddr == p_awaddr && p_s0awlen == p_awlen));
            if (p_aw) assert(p_awid == m_id);
            assert(dut_ar_lock == p_ar && (!p_ar || dut_ar_sel == p_arid));
        end
    end
end

// ---------------- covers (run.sh checks that each is reached) ----------------
always @* begin
    if (f_past && !rst) begin
        // the slave takes a W beat before the burst's AW
        cover(m_w_hs && !m_awd && !m_aw_hs);
        // ... and the whole burst (2 beats) before AWREADY
        cover(m_aw_hs && m_wd && m_axi_awlen == 8'd1);
        // one engine's write burst ends and the other's AW is taken in the next cycle
        cover(p_fin && m_aw_hs && m_axi_awid != p_fin_id);
        // R held back by the TX engine (RREADY low) while RVALID
        cover(m_axi_rvalid && !m_axi_rready && m_axi_rid == 1'b0);
        // both engines want AR at once
        cover(s0_arvalid && s1_arvalid && m_axi_arready);
    end
end

endmodule

`resetall
