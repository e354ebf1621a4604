`resetall
`timescale 1ns / 1ps
`default_nettype none

// SPI slave host bridge: the host (e.g. the FTDI on the iCE40-HX8K breakout, or a microcontroller)
// reaches the NIC's registers (as an AXI4-Lite master, ARM IHI 0022E part B) and the on-chip host
// memory (axi_bram_host's byte port) over SPI, as it would an SPI-attached Ethernet controller.
// Every transfer is protected by a CRC in both directions, so that a corrupted one is detected,
// never takes effect where it cannot be undone, and is retried by the host (driver/board/).
//
// SPI mode 0 (CPOL = 0, CPHA = 0: data sampled on the rising SCK edge, changed on the falling one),
// MSB first, CS_N low for the whole transaction. SCK, CS_N and MOSI are oversampled in clk through
// two-flip-flop synchronisers, so there is one clock domain: MISO changes 3 to 4 clk cycles after
// the falling SCK edge it follows (synchroniser, edge detection, the MISO register), which must
// fit in SCK's low half period before the host samples at the rising edge. A board top that adds
// I/O-cell registers on the pins adds their cycles (firmware/ice40-hx8k/nic_fpga.v: two, 5 cycles
// or 100 ns at 50.25 MHz in all, so SCK at most 5 MHz there, 3.75 MHz by default).
//
// CRC: CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), MSB first, no reflection, no final XOR, one
// register per direction, preset to 0xFF when CS_N falls and run over every byte on that wire in
// the transaction (MOSI: everything the host sends; MISO: everything the host samples, zeros
// included). A CRC byte is the register's value before it, so the register is 0 after it. The
// polynomial has the factor (x + 1): every odd number of bit errors is detected, and every burst
// of up to 8 bits. The preset makes an idle line (MISO stuck at 0 or 1) fail the check.
//
// Transactions (byte index: the byte's position after CS_N falls; "-" = don't care, sent as 0):
//
//   byte              0    1    2    3    4     5    6    7    8    9    10
//   write reg  MOSI   0x01 A15..A0   HC   D31..24 ...            D7..0 DC   -    -
//              MISO   0    0    0    0    H     0    0    0    0    K    MC
//   read reg   MOSI   0x02 A15..A0   HC   -     -    -    -    -    -
//              MISO   0    0    0    0    H     D31..24 ...    D7..0 MC
//   write mem  MOSI   0x03 A15..A0   HC   byte[A] byte[A+1] ... byte[A+n-1] DC      (n >= 1)
//              MISO   0    0    0    0    H     0 ...
//   read mem   MOSI   0x04 A15..A0   HC   0    0 ... 0    0xFF  0                   (n >= 1)
//              MISO   0    0    0    0    H    byte[A] ...    byte[A+n-1]  MC
//   status     MOSI   0x05 0    0    HC   -    -    -    -
//              MISO   0    0    0    0    H    S    L|E  MC
//
//   HC  header CRC over bytes 0..3 of MOSI; the bridge acts on a command only if it checks. A
//       header that fails (or an unknown command) is refused: nothing is issued, the error count
//       goes up, the rest of the transaction is ignored (MISO stays 0, so no MC follows).
//   H   header verdict, sent right after it: 0x5A accepted, 0xA5 refused.
//   DC  data CRC (the MOSI register run on from HC over the data).
//   K   register write verdict: 0x5A issued on AXI4-Lite (header and DC checked), 0xA5 refused
//       (DC failed: nothing issued, the error count goes up). A register write takes effect
//       only when its every byte checked: doorbells and write-1-to-clear registers never see a
//       corrupted value, and one that was refused can simply be sent again.
//   MC  MISO CRC over every MISO byte before it. The host checks it (and H, K) and repeats a
//       read whose reply fails. Register reads have no side effects (docs/registers.md: no
//       register clears on read; IRQ_CAUSE is write-1-to-clear), so a repeated read is safe.
//   read mem: the host marks the last data byte's slot with MOSI 0xFF; the bridge then sends MC
//       in the next byte instead of more data (the length is the host's, not the bridge's).
//   write mem: each byte is written when the next one has arrived, so DC itself is never
//       written. The bytes before a DC that fails may have been written (the bridge has no room
//       to hold them): the verdict is L in the next status reply (error count up, L = 0), and
//       the host sends the whole range again. The NIC must not own that range meanwhile (the
//       driver syncs memory for the device before it rings the doorbell that hands it over).
//   S   the status input (nic_fpga_core: {6'b0, link, irq}).
//   L|E bit 7: L, the last command other than status was accepted in full (a register write
//       issued, a memory write whose DC checked, a read whose header checked); bits 6..0: E,
//       commands refused since reset (header or data CRC), wrapping. A host that lost a write
//       verdict (its reply failed MC) reads L to know whether to send the write again.
//
// Register offsets are 12 bits (the NIC's map, docs/registers.md; A15..12 ignored), data big-endian
// on the wire. Memory addresses are byte addresses in the host memory (MEM_ADDR_WIDTH bits; A15..
// above ignored) and wrap at its end. The register write is issued after DC checks, the read after
// HC (it has byte 4's time, 64 clk cycles or more, to complete; nic_axil_slave answers in 2);
// the AXI4-Lite response codes are not reported.
module spi_host_bridge #(
    parameter MEM_ADDR_WIDTH = 12        // host memory byte address bits (12: 4 KB .. 16)
) (
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
    output reg                       h_req,
    output reg                       h_we,
    output wire [MEM_ADDR_WIDTH-1:0] h_addr,
    output reg  [7:0]                h_wdata,
    input  wire                      h_ack,
    input  wire [7:0]                h_rdata
);

localparam [7:0] CMD_WR_REG = 8'h01, CMD_RD_REG = 8'h02, CMD_WR_MEM = 8'h03, CMD_RD_MEM = 8'h04,
                 CMD_STATUS = 8'h05, CMD_NONE = 8'h00;
localparam [7:0] ACK = 8'h5A, NAK = 8'hA5;
localparam AW = MEM_ADDR_WIDTH > 12 ? MEM_ADDR_WIDTH : 12;

initial begin
    if (MEM_ADDR_WIDTH < 12 || MEM_ADDR_WIDTH > 16) begin
        $display("spi_host_bridge %m: MEM_ADDR_WIDTH %0d out of range 12..16", MEM_ADDR_WIDTH);
        $finish;
    end
end

// One address register serves the register and the memory commands, and one data word both
// register directions (a transaction is one command), to spare flip-flops on small FPGAs; a memory
// write holds its byte in flight (written when the next one arrives) in word[7:0].
reg  [AW-1:0] addr;
reg  [31:0]   word;
assign m_axil_awaddr = addr[11:0];
assign m_axil_araddr = addr[11:0];
assign h_addr = addr[MEM_ADDR_WIDTH-1:0];
assign m_axil_wdata = word;
assign m_axil_wstrb = 4'hF;
assign m_axil_bready = 1'b1;
assign m_axil_rready = 1'b1;

// ---- pins: synchronisers and edges ----
reg  [2:0] sck_s;
reg  [2:0] cs_s;
reg  [1:0] mosi_s;
always @(posedge clk) begin
    sck_s <= {sck_s[1:0], spi_sck};
    cs_s <= {cs_s[1:0], spi_cs_n};
    mosi_s <= {mosi_s[0], spi_mosi};
end
wire selected = !cs_s[1];
wire deselect = cs_s[2:1] == 2'b01;
wire sck_rise = sck_s[2:1] == 2'b01;
wire sck_fall = sck_s[2:1] == 2'b10;
assign spi_miso_oe = selected;

// ---- CRC-8 (0x07), one bit per rising SCK edge in each direction ----
reg  [7:0] crc_rx;         // over MOSI
reg  [7:0] crc_tx;         // over MISO as the host samples it (at the same rising edge)
wire [7:0] crc_rx_next = {crc_rx[6:0], 1'b0} ^ ({8{crc_rx[7] ^ mosi_s[1]}} & 8'h07);
wire [7:0] crc_tx_next = {crc_tx[6:0], 1'b0} ^ ({8{crc_tx[7] ^ spi_miso}} & 8'h07);

// ---- bytes ----
reg  [2:0] bit_cnt;
reg  [6:0] rx_sr;
reg  [7:0] tx_sr;
reg  [7:0] tx_byte;        // next byte out, sent from the falling edge after the current byte
reg  [3:0] idx;            // byte index in the transaction, saturates at 15
wire       byte_done = selected && sck_rise && bit_cnt == 3'd7;
wire [7:0] rx_byte = {rx_sr, mosi_s[1]};
wire       crc_ok = crc_rx_next == 8'd0;   // with byte_done: the byte just in completes a CRC

reg  [7:0] cmd;            // CMD_NONE once refused or done: the rest is ignored
reg  [7:0] addr_hi;
wire [15:0] addr_in = {addr_hi, rx_byte};
reg  [7:0] mem_byte;       // prefetched memory byte
reg        last_ok;        // L of the status reply
reg  [6:0] err_cnt;        // E of the status reply
reg        wr_crc_ok;      // write mem: the bytes so far end in a CRC that checks
wire       hdr_valid = cmd >= CMD_WR_REG && cmd <= CMD_STATUS;

always @(posedge clk) begin
    if (rst) begin
        m_axil_awvalid <= 1'b0;
        m_axil_wvalid <= 1'b0;
        m_axil_arvalid <= 1'b0;
        h_req <= 1'b0;
        h_we <= 1'b0;
        spi_miso <= 1'b0;
        bit_cnt <= 3'd0;
        idx <= 4'd0;
        tx_byte <= 8'd0;
        tx_sr <= 8'd0;
        cmd <= CMD_NONE;
        last_ok <= 1'b0;
        err_cnt <= 7'd0;
        wr_crc_ok <= 1'b0;
        crc_rx <= 8'hFF;
        crc_tx <= 8'hFF;
    end else begin
        // AXI4-Lite handshakes
        if (m_axil_awready) m_axil_awvalid <= 1'b0;
        if (m_axil_wready) m_axil_wvalid <= 1'b0;
        if (m_axil_arready) m_axil_arvalid <= 1'b0;
        if (m_axil_rvalid) word <= m_axil_rdata;
        // memory port
        if (h_ack) begin
            h_req <= 1'b0;
            addr <= addr + 1'b1;
            if (!h_we)
                mem_byte <= h_rdata;
        end

        // the end of a memory write: its last byte in was DC, or the write is refused
        if (deselect && cmd == CMD_WR_MEM) begin
            last_ok <= wr_crc_ok;
            if (!wr_crc_ok)
                err_cnt <= err_cnt + 7'd1;
        end

        if (!selected) begin
            bit_cnt <= 3'd0;
            idx <= 4'd0;
            tx_byte <= 8'd0;
            tx_sr <= 8'd0;
            spi_miso <= 1'b0;
            crc_rx <= 8'hFF;
            crc_tx <= 8'hFF;
            cmd <= CMD_NONE;
        end else begin
            if (sck_rise) begin
                rx_sr <= rx_byte[6:0];
                bit_cnt <= bit_cnt + 3'd1;
                crc_rx <= crc_rx_next;
                crc_tx <= crc_tx_next;
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
            if (idx != 4'd15)
                idx <= idx + 4'd1;
            tx_byte <= 8'd0;
            case (idx)
            4'd0: cmd <= rx_byte;
            4'd1: addr_hi <= rx_byte;
            4'd2: addr <= addr_in[AW-1:0];
            4'd3: begin
                // the header: refused unless its CRC checks and the command is known
                if (crc_ok && hdr_valid) begin
                    tx_byte <= ACK;
                    if (cmd != CMD_STATUS)
                        last_ok <= cmd == CMD_RD_REG || cmd == CMD_RD_MEM;
                    if (cmd == CMD_RD_REG)
                        m_axil_arvalid <= 1'b1;
                    // memory commands: a read is prefetched at once
                    h_we <= 1'b0;
                    h_req <= cmd == CMD_RD_MEM;
                    wr_crc_ok <= 1'b0;
                end else begin
                    tx_byte <= NAK;
                    last_ok <= 1'b0;
                    err_cnt <= err_cnt + 7'd1;
                    cmd <= CMD_NONE;
                end
            end
            default: ;
            endcase
            if (idx >= 4'd4) begin
                case (cmd)
                CMD_WR_REG: begin
                    if (idx <= 4'd7) begin
                        word <= {word[23:0], rx_byte};
                    end else if (idx == 4'd8) begin
                        // DC in: issue the write only if everything checked
                        if (crc_ok) begin
                            m_axil_awvalid <= 1'b1;
                            m_axil_wvalid <= 1'b1;
                            tx_byte <= ACK;
                        end else begin
                            tx_byte <= NAK;
                            err_cnt <= err_cnt + 7'd1;
                        end
                        last_ok <= crc_ok;
                    end
                    if (idx == 4'd9) begin
                        tx_byte <= crc_tx_next;
                        cmd <= CMD_NONE;
                    end
                end
                CMD_RD_REG: begin
                    // bytes 4..7 done: D31..24 .. D7..0 go out in bytes 5..8, then MC
                    if (idx != 4'd8) begin
                        tx_byte <= word[31:24];
                        word <= {word[23:0], 8'd0};
                    end else begin
                        tx_byte <= crc_tx_next;
                        cmd <= CMD_NONE;
                    end
                end
                CMD_WR_MEM: begin
                    // byte k is written when byte k + 1 is in: DC stays in word[7:0]
                    word[7:0] <= rx_byte;
                    wr_crc_ok <= crc_ok;
                    if (idx != 4'd4) begin
                        h_we <= 1'b1;
                        h_wdata <= word[7:0];
                        h_req <= 1'b1;
                    end
                end
                CMD_RD_MEM: begin
                    if (rx_byte == 8'hFF) begin
                        tx_byte <= crc_tx_next;
                        cmd <= CMD_NONE;
                    end else begin
                        tx_byte <= mem_byte;
                        h_req <= 1'b1;
                    end
                end
                CMD_STATUS: begin
                    case (idx)
                    4'd4: tx_byte <= status;
                    4'd5: tx_byte <= {last_ok, err_cnt};
                    default: begin
                        tx_byte <= crc_tx_next;
                        cmd <= CMD_NONE;
                    end
                    endcase
                end
                default: ;
                endcase
            end
        end
    end
end

wire unused_ok = &{1'b0, m_axil_bresp, m_axil_rresp, m_axil_bvalid, addr_in};

endmodule

`resetall
