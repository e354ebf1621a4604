`resetall
`timescale 1ns / 1ps
`default_nettype none

// The whole NIC on a board without a host bus, vendor-neutral: nic_core (rtl/nic), its host memory
// in block RAM (axi_bram_host, 4 KB) and an SPI slave that gives the host the registers and that
// memory (spi_host_bridge). The host drives it like an SPI-attached Ethernet controller: it writes
// descriptor rings and frames into the memory, programs the registers (DMA window [0, 4096)),
// rings the doorbells, and reads completions and received frames back.
//
//   SPI pins -> spi_host_bridge --AXI4-Lite--> nic_core --GMII--> PHY
//                      |  byte port                |  AXI4 (DMA)
//                      +----------> axi_bram_host <-+
//
// The board top (firmware/<board>/nic_fpga.v) owns clocks, resets and I/O registers. Every port
// of nic_core is used, so synthesis keeps all of it: the DMA address bits above ADDR_WIDTH are
// zero by construction and unused, as are the AXI response codes the bridge does not report.
module nic_fpga_core #(
    parameter ADDR_WIDTH = 13,           // nic_core host address bits: memory below 2^MEM_AW,
                                         // DECERR from there to 2^ADDR_WIDTH
    parameter MEM_AW = ADDR_WIDTH - 1,   // host memory 2^MEM_AW bytes (12: 4 KB, 13: 8 KB)
    parameter STAT_WIDTH = 32,           // nic_core statistics counter bits
    parameter PIPE = 1,                  // frames in flight per DMA engine: the smallest engines
                                         // (the SPI bridge, not DMA latency, limits the board)
    parameter CSUM = 0,                  // no checksum engines: they do not fit the HX8K with the
                                         // rest; the driver reads CAPS and the stack computes them
    parameter FIFO_AW = 9,               // nic_core's data FIFOs, 2^FIFO_AW words (8: 2 KB each)
    parameter MAC_MODE = 0               // 0 GMII, 1 MII, 2 RMII (the PHY pins below are GMII-wide:
                                         // MII uses bits [3:0], RMII [1:0] and rx_dv as CRS_DV)
) (
    input  wire       clk,               // core clock
    input  wire       rst,               // synchronous to clk
    input  wire       tx_clk,
    input  wire       rx_clk,

    input  wire       spi_sck,
    input  wire       spi_cs_n,
    input  wire       spi_mosi,
    output wire       spi_miso,
    output wire       spi_miso_oe,

    output wire [7:0] gmii_txd,
    output wire       gmii_tx_en,
    output wire       gmii_tx_er,
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er,

    output wire       mdc,
    output wire       mdio_o,
    output wire       mdio_oe,
    input  wire       mdio_i,
    input  wire       phy_link,

    output wire       irq
);

// AXI4-Lite: bridge -> NIC registers
wire [11:0] axil_awaddr, axil_araddr;
wire        axil_awvalid, axil_awready, axil_wvalid, axil_wready, axil_bvalid, axil_bready;
wire        axil_arvalid, axil_arready, axil_rvalid, axil_rready;
wire [31:0] axil_wdata, axil_rdata;
wire [3:0]  axil_wstrb;
wire [1:0]  axil_bresp, axil_rresp;

// AXI4: NIC DMA -> memory
wire [0:0]  arid, rid, awid, bid;
wire [63:0] araddr, awaddr, rdata, wdata;
wire [7:0]  arlen, awlen, wstrb;
wire [2:0]  arsize, awsize;
wire [1:0]  arburst, awburst, rresp, bresp;
wire        arvalid, arready, rlast, rvalid, rready, awvalid, awready, wlast, wvalid, wready;
wire        bvalid, bready;

// host memory byte port
wire        h_req, h_we, h_ack;
wire [MEM_AW-1:0] h_addr;
wire [7:0]  h_wdata, h_rdata;

// The host can poll the interrupt line and the link over SPI as well as on the pins.
spi_host_bridge #(.MEM_ADDR_WIDTH(MEM_AW)) bridge (
    .clk(clk), .rst(rst),
    .spi_sck(spi_sck), .spi_cs_n(spi_cs_n), .spi_mosi(spi_mosi), .spi_miso(spi_miso),
    .spi_miso_oe(spi_miso_oe), .status({6'd0, phy_link, irq}),
    .m_axil_awaddr(axil_awaddr), .m_axil_awvalid(axil_awvalid), .m_axil_awready(axil_awready),
    .m_axil_wdata(axil_wdata), .m_axil_wstrb(axil_wstrb), .m_axil_wvalid(axil_wvalid),
    .m_axil_wready(axil_wready), .m_axil_bresp(axil_bresp), .m_axil_bvalid(axil_bvalid),
    .m_axil_bready(axil_bready), .m_axil_araddr(axil_araddr), .m_axil_arvalid(axil_arvalid),
    .m_axil_arready(axil_arready), .m_axil_rdata(axil_rdata), .m_axil_rresp(axil_rresp),
    .m_axil_rvalid(axil_rvalid), .m_axil_rready(axil_rready),
    .h_req(h_req), .h_we(h_we), .h_addr(h_addr), .h_wdata(h_wdata), .h_ack(h_ack), .h_rdata(h_rdata)
);

nic_core #(.ADDR_WIDTH(ADDR_WIDTH), .STAT_WIDTH(STAT_WIDTH), .PIPE(PIPE), .CSUM(CSUM), .FIFO_AW(FIFO_AW),
           .MAC_MODE(MAC_MODE)) nic (
    .clk(clk), .rst(rst), .tx_clk(tx_clk), .rx_clk(rx_clk),
    .s_axil_awaddr(axil_awaddr), .s_axil_awvalid(axil_awvalid), .s_axil_awready(axil_awready),
    .s_axil_wdata(axil_wdata), .s_axil_wstrb(axil_wstrb), .s_axil_wvalid(axil_wvalid),
    .s_axil_wready(axil_wready), .s_axil_bresp(axil_bresp), .s_axil_bvalid(axil_bvalid),
    .s_axil_bready(axil_bready), .s_axil_araddr(axil_araddr), .s_axil_arvalid(axil_arvalid),
    .s_axil_arready(axil_arready), .s_axil_rdata(axil_rdata), .s_axil_rresp(axil_rresp),
    .s_axil_rvalid(axil_rvalid), .s_axil_rready(axil_rready),
    .m_axi_arid(arid), .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
    .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
    .m_axi_rid(rid), .m_axi_rdata(rdata), .m_axi_rresp(rresp), .m_axi_rlast(rlast),
    .m_axi_rvalid(rvalid), .m_axi_rready(rready),
    .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
    .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
    .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
    .m_axi_wready(wready), .m_axi_bid(bid), .m_axi_bresp(bresp), .m_axi_bvalid(bvalid),
    .m_axi_bready(bready),
    .irq(irq),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .mdc(mdc), .mdio_o(mdio_o), .mdio_oe(mdio_oe), .mdio_i(mdio_i), .phy_link(phy_link)
);

axi_bram_host #(.ADDR_WIDTH(ADDR_WIDTH), .MEM_AW(MEM_AW)) host_mem (
    .clk(clk), .rst(rst),
    .s_axi_awid(awid), .s_axi_awaddr(awaddr[ADDR_WIDTH-1:0]), .s_axi_awlen(awlen),
    .s_axi_awsize(awsize), .s_axi_awburst(awburst), .s_axi_awvalid(awvalid), .s_axi_awready(awready),
    .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wlast(wlast), .s_axi_wvalid(wvalid),
    .s_axi_wready(wready), .s_axi_bid(bid), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid),
    .s_axi_bready(bready),
    .s_axi_arid(arid), .s_axi_araddr(araddr[ADDR_WIDTH-1:0]), .s_axi_arlen(arlen),
    .s_axi_arsize(arsize), .s_axi_arburst(arburst), .s_axi_arvalid(arvalid), .s_axi_arready(arready),
    .s_axi_rid(rid), .s_axi_rdata(rdata), .s_axi_rresp(rresp), .s_axi_rlast(rlast),
    .s_axi_rvalid(rvalid), .s_axi_rready(rready),
    .h_req(h_req), .h_we(h_we), .h_addr(h_addr), .h_wdata(h_wdata), .h_ack(h_ack), .h_rdata(h_rdata)
);

// nic_core's DMA addresses are zero from bit ADDR_WIDTH up (nic_core.v)
wire unused_ok = &{1'b0, araddr[63:ADDR_WIDTH], awaddr[63:ADDR_WIDTH]};

endmodule

`resetall
