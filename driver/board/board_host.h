// A host on the NIC board: everything from the FTDI's byte pipe up to the socket API, for the board
// apps, the tests and the benchmark, on hardware (FtdiPort, SteadyBoardClock) or in simulation
// (SimFtdi, BoardSim: driver/board/sim/sim_board.h).
//   app -> SocketApi -> Stack -> NicDriver -> BoardPlatform -> BridgeClient -> MpsseSpi -> MpssePort
// The driver's configuration for a board's memory window is here, in one place
// (board_driver_config), and so is the runner that drives the stack: the host has no interrupt pin,
// so it polls the bridge's status (the IRQ bit) every poll_interval when the stacks are idle.
//
// What fits the iCE40-HX8K board's 8 KB window (board_driver_config(8192, mtu)): four rings of 16
// descriptors (the NIC's minimum) take 4 x 256 = 1024 bytes; the rest holds packet buffers of
// round_up(mtu + 14, 64) bytes, split between RX (the larger half) and TX:
//   MTU 1500: 4 buffers of 1536 bytes (7168 of 8192 bytes): 2 RX + 2 TX
//   MTU  576: 11 buffers of 640 bytes (8064 bytes): 6 RX + 5 TX
// A buffer holds one frame of any size, so at MTU 1500 the host side holds 2 frames per direction
// whatever their size (64, 576 or 1518 bytes on the wire), at MTU 576 6 RX and 5 TX frames. The
// NIC's 2 KB FIFOs (FIFO_AW 8) only stage a frame while it is DMAed: a frame that arrives while no
// RX descriptor is posted is dropped (dev_rx_drop_nodesc), so the RX buffers are what the board
// absorbs of a burst, and TCP's receive window is sized to them (BoardHostConfig::tcp_rcvbuf).
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "driver/board/board_platform.h"
#include "driver/board/bridge_client.h"
#include "driver/board/mpsse.h"
#include "driver/nic_driver.h"
#include "iface/stack.h"
#include "tcp/tcp_glue.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nic::board {

// The driver configuration for a board whose host memory window is `mem_bytes`: 16-entry rings and
// as many packet buffers as fit (RX gets the odd one). The MAC address is left for the caller.
drv::DriverConfig board_driver_config(size_t mem_bytes, size_t mtu);

// Drives stacks on a BoardClock: polls them; when none has work, lets the board run until the
// earliest deadline, but at most poll_interval (then the driver's next poll reads the IRQ bit).
class BoardRunner : public Runner {
public:
    BoardRunner(BoardClock& clock, Duration poll_interval) : clock_(clock), poll_(poll_interval) {}
    void add_stack(Stack& s) { stacks_.push_back(&s); }
    Instant now() const override { return clock_.now(); }
    bool step(Instant until) override;

private:
    BoardClock& clock_;
    Duration poll_;
    std::vector<Stack*> stacks_;
};

struct BoardHostConfig {
    // MPSSE: SCK = 30 MHz / (1 + divisor), 3.75 MHz. The board's MISO follows an SCK falling edge by
    // up to 5 core cycles (two-flip-flop synchroniser, edge detection, the board top's I/O-cell
    // registers in and out: about 100 ns at 50.25 MHz), which must fit in SCK's low half period
    // with the pads' and the FTDI's delays on top: 5 (100 ns) works in simulation, 4 does not.
    unsigned divisor = 7;
    unsigned retries = 8;              // bridge retries per access
    size_t mem_bytes = 8192;           // the board's host memory window (nic_fpga.v: MEM_AW 13)
    size_t mtu = 1500;
    MacAddr mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    Ipv4Cidr addr{Ipv4Addr(0xC0000201), 24};   // 192.0.2.1/24
    std::optional<Ipv4Addr> gateway;
    Duration poll_interval = Duration::from_us(20);
    Duration link_timeout = Duration::from_ms(3000);
    uint8_t phy_addr = 1;              // the PHY's MDIO address (the module's strapping)
    uint64_t seed = 1;                 // the stack's (ephemeral ports, IP IDs) and TCP's ISN key
    // TCP receive buffer, which bounds the window a sender may have in flight towards the board:
    // a frame that arrives while no RX buffer is posted is dropped (the NIC does not hold it), and
    // the host drains them at SPI speed. 0: one segment per RX buffer, rx_buffers x (mtu - 52)
    // (the MSS with timestamps), so that a sender's full window lands in the posted buffers.
    size_t tcp_rcvbuf = 0;
};

class BoardHost {
public:
    BoardHost(MpssePort& port, BoardClock& clock, BoardHostConfig cfg = {});
    BoardHost(const BoardHost&) = delete;
    BoardHost& operator=(const BoardHost&) = delete;
    // MPSSE set-up, bridge check, ID and version, link pin, driver probe, stack up. False with the
    // failed step in error(): "no board answers on SPI ...", "... ID register reads ...", "no link ...".
    bool open();
    const std::string& error() const { return error_; }

    const BoardHostConfig& config() const { return cfg_; }
    MpsseSpi& spi() { return *spi_; }
    BridgeClient& bridge() { return *bridge_; }
    BoardPlatform& platform() { return *platform_; }
    drv::NicDriver& driver() { return *driver_; }
    Stack& stack() { return *stack_; }
    BoardRunner& runner() { return runner_; }
    SocketApi& api() { return *api_; }
    TcpLayer& tcp() { return *tcp_; }
    uint32_t version() const { return version_; }

private:
    bool fail(const std::string& m) {
        error_ = m;
        return false;
    }

    MpssePort& port_;
    BoardClock& clock_;
    BoardHostConfig cfg_;
    std::string error_;
    uint32_t version_ = 0;
    BoardRunner runner_;
    std::unique_ptr<MpsseSpi> spi_;
    std::unique_ptr<BridgeClient> bridge_;
    std::unique_ptr<BoardPlatform> platform_;
    std::unique_ptr<drv::NicDriver> driver_;
    std::unique_ptr<Stack> stack_;
    std::unique_ptr<TcpLayer> tcp_;
    std::unique_ptr<SocketApi> api_;
};

}  // namespace nic::board
