`resetall
`timescale 1ns / 1ps
`default_nettype none

// SIMULATION ONLY: the verilated top of the NIC tests - nic_core with the PHY model on its GMII
// and MDIO pins. The C++ harness (sim/nic/nic_harness.h) drives the host buses, the three clocks,
// the line side of the PHY and its test controls.
module nic_sim_top #(
    parameter PIPE = 4,                 // nic_core's frames in flight per DMA engine
    parameter CSUM = 1,                 // nic_core's checksum engines
    parameter FIFO_AW = 9               // nic_core's data FIFOs, 2^FIFO_AW words
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        tx_clk,
    input  wire        rx_clk,

    input  wire [11:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output wire        s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [11:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output wire [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output wire        s_axil_rvalid,
    input  wire        s_axil_rready,

    output wire [0:0]  m_axi_arid,
    output wire [63:0] m_axi_araddr,
    output wire [7:0]  m_axi_arlen,
    output wire [2:0]  m_axi_arsize,
    output wire [1:0]  m_axi_arburst,
    output wire        m_axi_arvalid,
    input  wire        m_axi_arready,
    input  wire [0:0]  m_axi_rid,
    input  wire [63:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    output wire        m_axi_rready,
    output wire [0:0]  m_axi_awid,
    output wire [63:0] m_axi_awaddr,
    output wire [7:0]  m_axi_awlen,
    output wire [2:0]  m_axi_awsize,
    output wire [1:0]  m_axi_awburst,
    output wire        m_axi_awvalid,
    input  wire        m_axi_awready,
    output wire [63:0] m_axi_wdata,
    output wire [7:0]  m_axi_wstrb,
    output wire        m_axi_wlast,
    output wire        m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,
    output wire        m_axi_bready,

    output wire        irq,

    // line side of the PHY
    output wire [7:0]  line_txd,
    output wire        line_tx_en,
    output wire        line_tx_er,
    input  wire [7:0]  line_rxd,
    input  wire        line_rx_dv,
    input  wire        line_rx_er,

    // PHY test controls
    input  wire [3:0]  phy_latency,
    input  wire        phy_link,
    input  wire        phy_inj_rx_er,
    input  wire [7:0]  phy_inj_flip,
    output wire        mdio_line          // the resolved MDIO wire, for observation
);

wire [7:0] gmii_txd, gmii_rxd;
wire       gmii_tx_en, gmii_tx_er, gmii_rx_dv, gmii_rx_er;
wire       mdc, nic_mdio_o, nic_mdio_oe, link_pin;
wire       phy_mdio_o, phy_mdio_oe;

// open-drain style bus with a pull-up (clause 22.2.2.12): whoever enables drives
assign mdio_line = nic_mdio_oe ? nic_mdio_o : phy_mdio_oe ? phy_mdio_o : 1'b1;

nic_core #(.PIPE(PIPE), .CSUM(CSUM), .FIFO_AW(FIFO_AW)) nic (
    .clk(clk), .rst(rst), .tx_clk(tx_clk), .rx_clk(rx_clk),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
    .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen),
    .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), .m_axi_rdata(m_axi_rdata),
    .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid),
    .m_axi_rready(m_axi_rready), .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr),
    .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst),
    .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready), .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp),
    .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(m_axi_bready),
    .irq(irq),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .mdc(mdc), .mdio_o(nic_mdio_o), .mdio_oe(nic_mdio_oe), .mdio_i(mdio_line),
    .phy_link(link_pin)
);

phy_model #(.PHY_ADDR(5'd1)) phy (
    .tx_clk(tx_clk), .rx_clk(rx_clk),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .line_txd(line_txd), .line_tx_en(line_tx_en), .line_tx_er(line_tx_er),
    .line_rxd(line_rxd), .line_rx_dv(line_rx_dv), .line_rx_er(line_rx_er),
    .cfg_latency(phy_latency), .link(phy_link), .inj_rx_er(phy_inj_rx_er), .inj_flip(phy_inj_flip),
    .link_pin(link_pin),
    .mdc(mdc), .mdio_i(mdio_line), .mdio_o(phy_mdio_o), .mdio_oe(phy_mdio_oe)
);

endmodule

`resetall
