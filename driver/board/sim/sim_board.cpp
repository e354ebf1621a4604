// SimBoard and PeerPort (see sim_board.h).
#include "driver/board/sim/sim_board.h"

namespace nic::board {

namespace {
constexpr size_t kPeerQueueBytes = 4 * 1538;   // byte times waiting for the pins: 4 full frames
}

DeviceCaps PeerPort::caps() const {
    DeviceCaps c;
    c.mtu = mtu_;
    c.checksum = ChecksumCaps::none();        // a plain host: software checksums both ways
    c.max_burst = 16;
    return c;
}

bool PeerPort::transmit(Instant, ConstBytes f) {
    if (f.size < 14 || f.size > mtu_ + 14 || board_.rx_backlog_bytes() >= kPeerQueueBytes) return false;
    board_.receive(std::vector<uint8_t>(f.data, f.data + f.size));
    ++tx_frames_;
    return true;
}

size_t PeerPort::tx_room() const {
    const size_t q = board_.rx_backlog_bytes();
    return q >= kPeerQueueBytes ? 0 : (kPeerQueueBytes - q) / 1538 + 1;
}

bool PeerPort::receive(Instant, Frame& out, RxInfo& info) {
    auto& s = board_.sent();
    if (s.empty()) return false;
    out = std::move(s.front());
    s.pop_front();
    info = RxInfo{};
    ++rx_frames_;
    return true;
}

Instant PeerPort::next_deadline() const {
    // A frame from the board waits: now. The wire draining (tx_room growing) is seen at the next poll.
    return board_.sent().empty() ? Instant::max() : Instant{0};
}

BoardHostConfig SimBoard::host_config(const SimBoardConfig& c) {
    BoardHostConfig h = c.host;
    h.mem_bytes = board_mem_bytes(c.board.model);
    h.link_timeout = Duration::from_ms(50);
    return h;
}

SimBoard::SimBoard(SimBoardConfig cfg)
    : cfg_(cfg), board_(cfg.board), ftdi_(board_), host_(ftdi_, board_, host_config(cfg)),
      port_(board_, cfg.host.mtu) {}

bool SimBoard::open() {
    if (!host_.open()) return false;
    StackConfig sc;
    sc.seed = cfg_.peer_seed;
    peer_ = std::make_unique<Stack>(sc);
    peer_->add_interface(InterfaceConfig{"eth0", &port_, cfg_.peer_mac, cfg_.peer_addr, std::nullopt});
    host_.runner().add_stack(*peer_);
    peer_->set_up(host_.runner().now(), 0, true);
    peer_tcp_ = std::make_unique<TcpLayer>(*peer_, TcpConfig{}, cfg_.peer_seed);
    peer_api_ = std::make_unique<SocketApi>(*peer_, host_.runner());
    peer_tcp_->attach(*peer_api_);
    return true;
}

}  // namespace nic::board
