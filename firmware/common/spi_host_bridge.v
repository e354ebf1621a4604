`resetall
`timescale 1ns / 1ps
`default_nettype none

// SPI slave host bridge: the host (e.g. the FTDI on the iCE40-HX8K breakout, or a microcontroller)
// reaches the NIC's registers (as an AXI4-Lite master, ARM IHI 0022E part B) and the on-chip host
// memory (axi_bram_host's byte port) over SPI, as it would an SPI-attached Ethernet controller.
//
// SPI mode 0 (CPOL = 0, CPHA = 0: data sampled on the rising SCK edge, changed on the falling one),
// MSB first, CS_N low for the whole transaction. SCK, CS_N and MOSI are oversampled in clk through
// two-flip-flop synchronisers, so there is one clock domain and SCK may be at most clk / 8
// (6.25 MHz with a 50 MHz clk): MISO then changes 3 clk cycles after the falling edge it follows,
// well inside the half period before the host samples it.
//
//   byte:          0     1    2    3    4    5    6    7 ...
//   write reg      0x01  A15..8  A7..0  D31..24 D23..16 D15..8 D7..0
//   read reg       0x02  A15..8  A7..0  -    D31..24 D23..16 D15..8 D7..0  (out)
//   write memory   0x03  A15..8  A7..0  byte[A] byte[A+1] ...
//   read memory    0x04  A15..8  A7..0  -    byte[A] byte[A+1] ... (out)
//   status         0x05  S (out: the status input, e.g. {irq, link})
//
// Register offsets are 12 bits (the NIC's map, docs/registers.md; A15..12 ignored), data big-endian
// on the wire. Memory addresses are byte addresses in the 4 KB host memory and wrap at its end.
// The register write is issued after its last byte, the read after the address (it has the dummy
// byte's time, 64 clk cycles at clk / 8, to complete; nic_axil_slave answers in 2); the AXI4-Lite
// response codes are not reported. Unknown commands are ignored to the end of the transaction.
module spi_host_bridge (
    input  wire        clk,
    input  wire        rst,

    // SPI slave pins (asynchronous to clk)
    input  wire        spi_sck,
    input  wire        spi_cs_n,
    input  wire        spi_mosi,
    output reg         spi_miso,
    output wire        spi_miso_oe,     // drive MISO only while selected (shared bus)

    input  wire [7:0]  status,

    // AXI4-Lite master
    output wire [11:0] m_axil_awaddr,
    output reg         m_axil_awvalid,
    input  wire        m_axil_awready,
    output wire [31:0] m_axil_wdata,
    output wire [3:0]  m_axil_wstrb,
    output reg         m_axil_wvalid,
    input  wire        m_axil_wready,
    input  wire [1:0]  m_axil_bresp,
    input  wire        m_axil_bvalid,
    output wire        m_axil_bready,
    output wire [11:0] m_axil_araddr,
    output reg         m_axil_arvalid,
    input  wire        m_axil_arready,
    input  wire [31:0] m_axil_rdata,
    input  wire [1:0]  m_axil_rresp,
    input  wire        m_axil_rvalid,
    output wire        m_axil_rready,

    // host memory byte port (axi_bram_host)
    output reg         h_req,
    output reg         h_we,
    output wire [11:0] h_addr,
    output reg  [7:0]  h_wdata,
    input  wire        h_ack,
    input  wire [7:0]  h_rdata
);

localparam [7:0] CMD_WR_REG = 8'h01, CMD_RD_REG = 8'h02, CMD_WR_MEM = 8'h03, CMD_RD_MEM = 8'h04,
                 CMD_STATUS = 8'h05;

// One address register serves the register and the memory commands, and one data word both
// register directions (a transaction is one command), to spare flip-flops on small FPGAs.
reg  [11:0] addr;
reg  [31:0] word;
assign m_axil_awaddr = addr;
assign m_axil_araddr = addr;
assign h_addr = addr;
assign m_axil_wdata = word;
assign m_axil_wstrb = 4'hF;
assign m_axil_bready = 1'b1;
assign m_axil_rready = 1'b1;

// ---- pins: synchronisers and edges ----
reg  [2:0] sck_s;
reg  [1:0] cs_s;
reg  [1:0] mosi_s;
always @(posedge clk) begin
    sck_s <= {sck_s[1:0], spi_sck};
    cs_s <= {cs_s[0], spi_cs_n};
    mosi_s <= {mosi_s[0], spi_mosi};
end
wire selected = !cs_s[1];
wire sck_rise = sck_s[2:1] == 2'b01;
wire sck_fall = sck_s[2:1] == 2'b10;
assign spi_miso_oe = selected;

// ---- bytes ----
reg  [2:0] bit_cnt;
reg  [6:0] rx_sr;
reg  [7:0] tx_sr;
reg  [7:0] tx_byte;        // next byte out, sent from the falling edge after the current byte
reg  [2:0] idx;            // byte index in the transaction, saturates at 7
wire       byte_done = selected && sck_rise && bit_cnt == 3'd7;
wire [7:0] rx_byte = {rx_sr, mosi_s[1]};

reg  [7:0]  cmd;
reg  [7:0]  addr_hi;
reg  [7:0]  mem_byte;      // prefetched memory byte
wire [11:0] addr_now = {addr_hi[3:0], rx_byte};

always @(posedge clk) begin
    if (rst) begin
        m_axil_awvalid <= 1'b0;
        m_axil_wvalid <= 1'b0;
        m_axil_arvalid <= 1'b0;
        h_req <= 1'b0;
        spi_miso <= 1'b0;
        bit_cnt <= 3'd0;
        idx <= 3'd0;
        tx_byte <= 8'd0;
        cmd <= 8'd0;
    end else begin
        // AXI4-Lite handshakes
        if (m_axil_awready) m_axil_awvalid <= 1'b0;
        if (m_axil_wready) m_axil_wvalid <= 1'b0;
        if (m_axil_arready) m_axil_arvalid <= 1'b0;
        if (m_axil_rvalid) word <= m_axil_rdata;
        // memory port
        if (h_ack) begin
            h_req <= 1'b0;
            addr <= addr + 12'd1;
            if (!h_we)
                mem_byte <= h_rdata;
        end

        if (!selected) begin
            bit_cnt <= 3'd0;
            idx <= 3'd0;
            tx_byte <= 8'd0;
            spi_miso <= 1'b0;
        end else begin
            if (sck_rise) begin
                rx_sr <= rx_byte[6:0];
                bit_cnt <= bit_cnt + 3'd1;
            end
            if (sck_fall) begin
                if (bit_cnt == 3'd0) begin
                    spi_miso <= tx_byte[7];
                    tx_sr <= {tx_byte[6:0], 1'b0};
                end else begin
                    spi_miso <= tx_sr[7];
                    tx_sr <= {tx_sr[6:0], 1'b0};
                end
            end
        end

        if (byte_done) begin
            if (idx != 3'd7)
                idx <= idx + 3'd1;
            tx_byte <= 8'd0;
            case (idx)
            3'd0: begin
                cmd <= rx_byte;
                if (rx_byte == CMD_STATUS)
                    tx_byte <= status;
            end
            3'd1: addr_hi <= rx_byte;
            3'd2: begin
                addr <= addr_now;
                if (cmd == CMD_RD_REG)
                    m_axil_arvalid <= 1'b1;
                // memory commands: a read is prefetched at once
                h_we <= 1'b0;
                h_req <= cmd == CMD_RD_MEM;
            end
            default: ;
            endcase
            if (idx >= 3'd3) begin
                case (cmd)
                CMD_WR_REG: begin
                    word <= {word[23:0], rx_byte};
                    if (idx == 3'd6) begin
                        m_axil_awvalid <= 1'b1;
                        m_axil_wvalid <= 1'b1;
                    end
                end
                CMD_RD_REG: begin
                    // bytes 3..6 done: D31..24 .. D7..0 go out in bytes 4..7
                    if (idx != 3'd7) begin
                        tx_byte <= word[31:24];
                        word <= {word[23:0], 8'd0};
                    end
                end
                CMD_WR_MEM: begin
                    h_we <= 1'b1;
                    h_wdata <= rx_byte;
                    h_req <= 1'b1;
                end
                CMD_RD_MEM: begin
                    tx_byte <= mem_byte;
                    h_req <= 1'b1;
                end
                default: ;
                endcase
            end
        end
    end
end

wire unused_ok = &{1'b0, m_axil_bresp, m_axil_rresp, m_axil_bvalid, addr_hi[7:4]};

endmodule

`resetall
