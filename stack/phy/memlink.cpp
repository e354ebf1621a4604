// In-memory link: two Device ports joined by bounded queues with a fixed latency, plus the model of a
// NIC's receive checksum engine (model_rx_checksums) used for pretend offload.
//   Stack A -> Port(0)::transmit -> port 1's queue -> Port(1)::receive -> Stack B
#include "phy/memlink.h"

#include "wire/ethernet.h"
#include "wire/ipv4.h"

namespace nic {

RxInfo model_rx_checksums(ConstBytes frame, const ChecksumCaps& caps) {
    RxInfo info;
    auto eth = parse_ethernet(frame);
    if (!eth || eth->ethertype != kEtherIpv4) return info;
    ConstBytes p = eth->payload;
    // Like most NICs: only a well-formed header is checked; anything odd is left to software.
    if (p.size < kIpv4MinHeader || (p[0] >> 4) != 4) return info;
    size_t ihl = size_t(p[0] & 15) * 4, total = rd16(p.data + 2);
    if (ihl < kIpv4MinHeader || ihl > total || total > p.size) return info;
    if (offloads_rx(caps.ipv4))
        info.ipv4 = internet_checksum(p.sub(0, ihl)) == 0 ? RxCsum::Good : RxCsum::Bad;
    bool fragment = (rd16(p.data + 6) & 0x3fff) != 0;
    uint8_t proto = p[9];
    ConstBytes l4 = p.sub(ihl, total - ihl);
    if (fragment || l4.size < 8) return info;
    Ipv4Addr src(rd32(p.data + 12)), dst(rd32(p.data + 16));
    Offload o = proto == kProtoUdp ? caps.udp : proto == kProtoTcp ? caps.tcp : proto == kProtoIcmp ? caps.icmp : Offload::None;
    if (!offloads_rx(o)) return info;
    uint32_t acc = 0;
    if (proto == kProtoUdp) {
        size_t ulen = rd16(l4.data + 4);
        if (ulen < 8 || ulen > l4.size) return info;  // malformed: software decides
        if (rd16(l4.data + 6) == 0) {                  // RFC 768: no checksum to verify
            info.l4 = RxCsum::Good;
            return info;
        }
        l4 = l4.sub(0, ulen);
    }
    if (proto != kProtoIcmp) acc = pseudo_header_sum(src, dst, proto, uint16_t(l4.size));
    info.l4 = checksum_finish(checksum_add(l4, acc)) == 0 ? RxCsum::Good : RxCsum::Bad;
    return info;
}

MemLink::MemLink(MemLinkConfig cfg) : cfg_(cfg) {
    for (int i = 0; i < 2; ++i) {
        ports_[i].link = this;
        ports_[i].index = i;
    }
}

Instant MemLink::next_deadline() const { return min(ports_[0].next_deadline(), ports_[1].next_deadline()); }

DeviceCaps MemLink::Port::caps() const {
    DeviceCaps c;
    c.mtu = link->cfg_.mtu;
    c.checksum = link->cfg_.checksum;
    return c;
}

bool MemLink::Port::transmit(Instant now, ConstBytes f) {
    int peer = 1 - index;
    Port& dst = link->ports_[peer];
    if (!link->up_) {
        ++link->stats_.dropped_link_down[peer];
        return false;
    }
    if (f.size > link->cfg_.mtu + kEthHeaderLen) {
        ++link->stats_.dropped_oversize[peer];
        return false;
    }
    if (dst.rxq.size() >= link->cfg_.queue_frames) {
        ++link->stats_.dropped_full[peer];
        return false;
    }
    // Keep arrival order even if latency were changed between frames.
    Instant at = now + link->cfg_.latency;
    if (!dst.rxq.empty() && dst.rxq.back().at > at) at = dst.rxq.back().at;
    Frame copy;
    if (!link->spare_.empty()) {
        copy = std::move(link->spare_.back());
        link->spare_.pop_back();
    }
    copy.assign(f.begin(), f.end());
    dst.rxq.push_back(InFlight{at, std::move(copy)});
    return true;
}

size_t MemLink::Port::tx_room() const {
    // Link down: transmit() refuses and counts it; no limit to report.
    if (!link->up_) return SIZE_MAX;
    size_t queued = link->ports_[1 - index].rxq.size();
    return queued < link->cfg_.queue_frames ? link->cfg_.queue_frames - queued : 0;
}

bool MemLink::Port::receive(Instant now, Frame& out, RxInfo& info) {
    if (rxq.empty() || rxq.front().at > now) return false;
    info = model_rx_checksums(rxq.front().frame, link->cfg_.checksum);
    // The caller's previous buffer goes to the spare pool instead of being freed.
    std::swap(out, rxq.front().frame);
    Frame& old = rxq.front().frame;
    if (old.capacity() && link->spare_.size() < kMaxSpare) link->spare_.push_back(std::move(old));
    rxq.pop_front();
    ++link->stats_.frames[index];
    return true;
}

Instant MemLink::Port::next_deadline() const { return rxq.empty() ? Instant::max() : rxq.front().at; }

}  // namespace nic
