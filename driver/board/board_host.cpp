// BoardHost, BoardRunner and the board's driver configuration (see board_host.h).
#include "driver/board/board_host.h"

#include "driver/nic_regs.h"

#include <algorithm>
#include <cstdio>

namespace nic::board {

namespace R = nic::regs;

drv::DriverConfig board_driver_config(size_t mem_bytes, size_t mtu) {
    drv::DriverConfig c;
    c.mtu = mtu;
    c.tx_ring = c.rx_ring = 16;                       // the NIC's minimum (docs/registers.md)
    // As many buffers as fit beside the rings, RX taking the odd one; at least one each (probe()
    // then says what does not fit), at most 15 each (ring size - 1).
    auto split = [&c](unsigned n) {
        c.rx_buffers = (n + 1) / 2;
        c.tx_buffers = n - c.rx_buffers;
    };
    unsigned n = 2;
    for (; n < 30; ++n) {
        split(n + 1);
        if (drv::NicDriver::dma_bytes(c) > mem_bytes) break;
    }
    split(n);
    c.tx_queue = 64;                                  // frames waiting for a TX buffer
    c.mdio_div = 31;                                  // MDC = 50.25 MHz / 64 = 785 kHz (<= 2.5 MHz)
    c.link_timeout = Duration::from_ms(3000);
    // Every frame crosses SPI at a few Mb/s: a 1518-byte frame takes some 3 ms to post.
    c.tx_watchdog = Duration::from_ms(200);
    c.reset_timeout = Duration::from_ms(10);
    // The board's 16-bit counters: eleven register reads over SPI take about 1.5 ms with a USB
    // round trip each, so they are read every 40 ms, exact while the MAC counts under 1.6 MB/s
    // (13 Mb/s) between reads - above what a host behind SPI can take in, but not a 100 Mb/s flood
    // of frames it drops (docs: firmware/ice40-hx8k/README.md).
    c.stats_period = Duration::from_ms(40);
    return c;
}

bool BoardRunner::step(Instant until) {
    bool did = false;
    for (Stack* s : stacks_) did |= s->poll(clock_.now());
    did |= run_tasks();
    if (did) return true;
    const Instant now = clock_.now();
    if (now >= until) return false;
    Instant t = until;
    for (Stack* s : stacks_) t = min(t, s->next_deadline());
    t = min(t, now + poll_);
    if (t <= now) t = now + Duration::from_ns(100);
    clock_.delay(t - now);
    return true;
}

BoardHost::BoardHost(MpssePort& port, BoardClock& clock, BoardHostConfig cfg)
    : port_(port), clock_(clock), cfg_(std::move(cfg)), runner_(clock, cfg_.poll_interval) {}

bool BoardHost::open() {
    spi_ = std::make_unique<MpsseSpi>(port_, cfg_.divisor);
    if (!spi_->init()) return fail(spi_->error());
    BridgeConfig bc;
    bc.max_retries = cfg_.retries;
    bc.mem_bytes = cfg_.mem_bytes;
    bridge_ = std::make_unique<BridgeClient>(*spi_, bc);
    if (!bridge_->open()) return fail(bridge_->error());
    platform_ = std::make_unique<BoardPlatform>(*bridge_, clock_);
    uint32_t id = 0;
    if (!bridge_->read_reg(R::kId, id) || !bridge_->read_reg(R::kVersion, version_)) return fail(bridge_->error());
    if (id != R::kIdValue) {
        char b[160];
        std::snprintf(b, sizeof b,
                      "the board answers but its ID register reads 0x%08x, not 0x%08x ('NIC1'): is the NIC "
                      "bitstream (nic_fpga) loaded?", id, R::kIdValue);
        return fail(b);
    }
    BridgeStatus st;
    if (!bridge_->status(st)) return fail(bridge_->error());
    if (!st.link()) return fail("no link: the board's link pin is low (cable, PHY module, far end?)");

    drv::DriverConfig dc = board_driver_config(cfg_.mem_bytes, cfg_.mtu);
    dc.mac = cfg_.mac;
    dc.link_timeout = cfg_.link_timeout;
    dc.phy_addr = cfg_.phy_addr;
    driver_ = std::make_unique<drv::NicDriver>(platform_->env(), dc);
    if (!driver_->probe()) {
        std::string m = "driver probe failed: " + driver_->error();
        if (platform_->bus_errors()) m += " (bus: " + platform_->error() + ")";
        return fail(m);
    }
    StackConfig sc;
    sc.seed = cfg_.seed;
    stack_ = std::make_unique<Stack>(sc);
    stack_->add_interface(InterfaceConfig{"eth0", driver_.get(), cfg_.mac, cfg_.addr, cfg_.gateway});
    runner_.add_stack(*stack_);
    stack_->set_up(runner_.now(), 0, true);
    TcpConfig tc;
    tc.rcvbuf = cfg_.tcp_rcvbuf ? cfg_.tcp_rcvbuf : size_t(dc.rx_buffers) * (cfg_.mtu - 52);
    tc.mtu = uint16_t(cfg_.mtu);
    tcp_ = std::make_unique<TcpLayer>(*stack_, tc, cfg_.seed);
    api_ = std::make_unique<SocketApi>(*stack_, runner_);
    tcp_->attach(*api_);
    return true;
}

}  // namespace nic::board
