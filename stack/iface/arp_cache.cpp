// ARP cache policy (RFC 826, RFC 1122 2.3.2): entries, ageing, the per-destination pending queue and
// the request schedule. It only decides; the Stack sends what it says.
//   Stack::send_l2 -> lookup | enqueue ; Stack::arp_input -> update ; Stack::run_timers -> poll
#include "iface/arp_cache.h"

#include <algorithm>
#include <cstdio>

namespace nic {

void ArpCache::touch(Iter it) {
    Entry& e = it->second;
    if (e.in_lru) {
        lru_.splice(lru_.end(), lru_, e.lru_pos);
    } else {
        e.lru_pos = lru_.insert(lru_.end(), it->first);
        e.in_lru = true;
    }
}

void ArpCache::unlink(Entry& e) {
    ++version_;
    if (!e.in_lru) return;
    lru_.erase(e.lru_pos);
    e.in_lru = false;
}

ArpCache::Iter ArpCache::erase(Iter it) {
    unlink(it->second);
    return entries_.erase(it);
}

bool ArpCache::evict_lru() {
    // Only resolved entries are candidates: unresolved ones hold queued packets.
    if (lru_.empty()) return false;
    erase(entries_.find(lru_.front()));
    ++evictions_;
    return true;
}

std::optional<MacAddr> ArpCache::lookup(int ifindex, Ipv4Addr ip, Instant now) {
    auto it = entries_.find(key(ifindex, ip));
    if (it == entries_.end() || !it->second.resolved || it->second.expires <= now) return std::nullopt;
    touch(it);
    return it->second.mac;
}

ArpCache::Enqueue ArpCache::enqueue(int ifindex, Ipv4Addr ip, Instant now, PendingPacket p) {
    auto it = entries_.find(key(ifindex, ip));
    if (it == entries_.end()) {
        // Resolved entries are exactly those on the LRU list.
        if (entries_.size() - lru_.size() >= std::max<size_t>(1, cfg_.max_entries / 2)) return Enqueue::CacheFull;
        if (entries_.size() >= cfg_.max_entries && !evict_lru()) return Enqueue::CacheFull;
        it = entries_.emplace(key(ifindex, ip), Entry{}).first;
    }
    Entry& e = it->second;
    bool send = false;
    if (e.resolved) {
        // Expired: resolve afresh (RFC 1122 2.3.2.1 option (1), timeout), packets wait meanwhile.
        e.resolved = false;
        unlink(e);
        e.requests = 0;
    }
    if (e.requests == 0) {
        e.requests = 1;
        e.next_request = now + cfg_.retry;
        send = true;
    }
    if (e.pending.size() >= cfg_.max_pending_packets) return Enqueue::QueueFull;
    e.pending.push_back(std::move(p));
    return send ? Enqueue::SendRequest : Enqueue::Queued;
}

Instant ArpCache::expires(int ifindex, Ipv4Addr ip) const {
    auto it = entries_.find(key(ifindex, ip));
    return it != entries_.end() && it->second.resolved ? it->second.expires : Instant{};
}

std::vector<PendingPacket> ArpCache::update(int ifindex, Ipv4Addr ip, MacAddr mac, Instant now, bool create) {
    ++version_;
    std::vector<PendingPacket> out;
    auto it = entries_.find(key(ifindex, ip));
    if (it == entries_.end()) {
        if (!create) return out;
        if (entries_.size() >= cfg_.max_entries && !evict_lru()) return out;
        it = entries_.emplace(key(ifindex, ip), Entry{}).first;
    }
    Entry& e = it->second;
    e.resolved = true;
    e.mac = mac;
    e.expires = now + cfg_.entry_ttl;
    e.requests = 0;
    touch(it);
    out.assign(std::make_move_iterator(e.pending.begin()), std::make_move_iterator(e.pending.end()));
    e.pending.clear();
    return out;
}

void ArpCache::poll(Instant now, PollResult& out) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& e = it->second;
        int ifindex = int(it->first >> 32);
        Ipv4Addr ip(uint32_t(it->first));
        if (e.resolved) {
            if (e.expires <= now) {
                ++out.aged;
                it = erase(it);
                continue;
            }
        } else if (e.next_request <= now) {
            if (e.requests < cfg_.max_requests) {
                ++e.requests;
                e.next_request = now + cfg_.retry;
                out.requests.emplace_back(ifindex, ip);
            } else {
                // The last request has had its second to be answered: give up on this destination.
                ++out.failed_destinations;
                for (auto& p : e.pending) out.failed.push_back(std::move(p));
                it = erase(it);
                continue;
            }
        }
        ++it;
    }
}

Instant ArpCache::next_deadline() const {
    Instant t = Instant::max();
    for (const auto& kv : entries_) t = min(t, kv.second.resolved ? kv.second.expires : kv.second.next_request);
    return t;
}

std::vector<PendingPacket> ArpCache::flush_interface(int ifindex) {
    std::vector<PendingPacket> waiting;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (int(it->first >> 32) == ifindex) {
            for (auto& p : it->second.pending) waiting.push_back(std::move(p));
            it = erase(it);
        } else {
            ++it;
        }
    }
    return waiting;
}

std::string ArpCache::dump(Instant now) const {
    std::string s;
    char line[160];
    for (const auto& kv : entries_) {
        const Entry& e = kv.second;
        Ipv4Addr ip(uint32_t(kv.first));
        if (e.resolved)
            std::snprintf(line, sizeof line, "? (%s) at %s [ether] on if%d expires in %.1fs\n", ip.str().c_str(),
                          e.mac.str().c_str(), int(kv.first >> 32), (e.expires - now).to_s());
        else
            std::snprintf(line, sizeof line, "? (%s) at <incomplete> on if%d requests %d queued %zu\n",
                          ip.str().c_str(), int(kv.first >> 32), e.requests, e.pending.size());
        s += line;
    }
    return s;
}

}  // namespace nic
