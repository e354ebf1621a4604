// The simulated board with a host on each end of its Ethernet link: the board host (BoardHost: the
// real driver and stack over SimFtdi -> SPI bridge -> board RTL) and a peer host (a second Stack)
// joined to the board's RMII pins. The peer sends through BoardSim::receive (preamble, SFD, FCS,
// dibits at the negotiated rate) and receives what the MAC put on the pins with a valid FCS.
// One time base, the board's: both stacks run on the BoardHost's runner.
//   board host: SocketApi -> Stack -> NicDriver -> ... SimFtdi -> BoardSim (RTL) -> RMII
//   peer:       SocketApi -> Stack -> PeerPort -> RMII
#pragma once

#include "driver/board/board_host.h"
#include "driver/board/sim/board_sim.h"

#include <memory>
#include <string>

namespace nic::board {

// The peer's Device: the far end of the board's RMII link, at the board's time.
class PeerPort : public Device {
public:
    PeerPort(BoardSim& b, size_t mtu) : board_(b), mtu_(mtu) {}
    DeviceCaps caps() const override;
    bool link_up() const override { return true; }
    bool transmit(Instant now, ConstBytes frame) override;
    // Like a NIC's TX ring: at most this many byte times waiting for the wire (back-pressure).
    size_t tx_room() const override;
    using Device::receive;
    bool receive(Instant now, Frame& out, RxInfo& info) override;
    Instant next_deadline() const override;
    uint64_t tx_frames() const { return tx_frames_; }
    uint64_t rx_frames() const { return rx_frames_; }

private:
    BoardSim& board_;
    size_t mtu_;
    uint64_t tx_frames_ = 0, rx_frames_ = 0;
};

struct SimBoardConfig {
    BoardSimConfig board;
    BoardHostConfig host;              // mem_bytes is taken from the board model
    MacAddr peer_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
    Ipv4Cidr peer_addr{Ipv4Addr(0xC0000202), 24};   // 192.0.2.2/24
    uint64_t peer_seed = 2;
};

class SimBoard {
public:
    explicit SimBoard(SimBoardConfig cfg = {});
    SimBoard(const SimBoard&) = delete;
    SimBoard& operator=(const SimBoard&) = delete;
    bool open();                       // BoardHost::open, then the peer's stack up
    const std::string& error() const { return host_.error(); }

    BoardSim& board() { return board_; }
    SimFtdi& ftdi() { return ftdi_; }
    BoardHost& host() { return host_; }
    Stack& peer() { return *peer_; }
    SocketApi& peer_api() { return *peer_api_; }
    TcpLayer& peer_tcp() { return *peer_tcp_; }
    PeerPort& peer_port() { return port_; }
    Runner& runner() { return host_.runner(); }
    const SimBoardConfig& config() const { return cfg_; }

private:
    static BoardHostConfig host_config(const SimBoardConfig& c);
    SimBoardConfig cfg_;
    BoardSim board_;
    SimFtdi ftdi_;
    BoardHost host_;
    PeerPort port_;
    std::unique_ptr<Stack> peer_;
    std::unique_ptr<TcpLayer> peer_tcp_;
    std::unique_ptr<SocketApi> peer_api_;
};

}  // namespace nic::board
