// ARP cache (RFC 826) with the timing rules of RFC 1122 section 2.3.2.1 and 2.3.2.2:
//  - entries age out after `entry_ttl` (default 60 s) and are refreshed by any ARP from that host;
//  - at most one request per destination per `retry` (1 s) — "prevent ARP flooding";
//  - packets for an unresolved address wait in a bounded per-destination queue and go out as soon
//    as the reply arrives; after `max_requests` (3) unanswered requests they are dropped, counted,
//    and their sending sockets get EHOSTUNREACH;
//  - at most `max_entries`; a new destination evicts the least recently used resolved entry (not
//    the lowest address), and at most half the table may be unresolved (those hold queued packets
//    and cannot be evicted), so a flood of new neighbours or of traffic to unanswering addresses
//    cannot push out the gateway that is in use.
// The cache only decides; the Stack sends the requests and the packets it hands back.
#pragma once

#include "base/addr.h"
#include "base/clock.h"

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nic {

struct ArpConfig {
    Duration entry_ttl = Duration::from_s(60);
    Duration retry = Duration::from_s(1);
    int max_requests = 3;
    size_t max_pending_packets = 64;   // per destination (a 64 KiB datagram is 45 fragments at 1500)
    size_t max_entries = 512;
};

struct PendingPacket {
    std::vector<uint8_t> ip;  // the whole IPv4 packet (or fragment); Ethernet header added on send
    int origin = -1;          // socket handle to tell on failure, -1 for the stack's own packets
    uint64_t origin_serial = 0;  // Socket::serial of that socket when the packet was sent
};

class ArpCache {
public:
    explicit ArpCache(ArpConfig cfg = {}) : cfg_(cfg) {}

    // A resolved, unexpired entry; marks it as used (LRU order).
    std::optional<MacAddr> lookup(int ifindex, Ipv4Addr ip, Instant now);

    enum class Enqueue { Queued, SendRequest, QueueFull, CacheFull };
    // Queues a packet for an address that lookup() did not resolve. SendRequest: the caller sends an
    // ARP request now (the first for this destination; later ones come from poll()).
    Enqueue enqueue(int ifindex, Ipv4Addr ip, Instant now, PendingPacket p);

    // Records ip -> mac (RFC 826 merge). With `create` false only an existing entry is updated
    // (RFC 826: the target adds an entry; others only refresh). Returns the packets that waited.
    std::vector<PendingPacket> update(int ifindex, Ipv4Addr ip, MacAddr mac, Instant now, bool create);

    struct PollResult {
        std::vector<std::pair<int, Ipv4Addr>> requests;  // (ifindex, address) to send a request for
        std::vector<PendingPacket> failed;                // packets whose destination never answered
        uint64_t failed_destinations = 0;
        uint64_t aged = 0;
    };
    void poll(Instant now, PollResult& out);
    Instant next_deadline() const;

    // Forgets the interface's entries (it went down); returns the packets that were still waiting,
    // for the caller to count and report, since none of them may vanish silently.
    std::vector<PendingPacket> flush_interface(int ifindex);
    size_t size() const { return entries_.size(); }
    uint64_t evictions() const { return evictions_; }
    // Changes whenever an entry is added, changed, resolved, aged or removed (TxPath). Expiry is
    // not a change: a cached path keeps the entry's deadline and stops at it.
    uint64_t version() const { return version_; }
    // The ageing deadline of a resolved entry (Instant{} if none).
    Instant expires(int ifindex, Ipv4Addr ip) const;
    std::string dump(Instant now) const;  // "arp -an" style

private:
    struct Entry {
        bool resolved = false;
        MacAddr mac;
        Instant expires;       // resolved: ageing deadline
        Instant next_request;  // unresolved: next retry (or the failure verdict after the last one)
        int requests = 0;
        std::deque<PendingPacket> pending;
        bool in_lru = false;                  // resolved entries only
        std::list<uint64_t>::iterator lru_pos;
    };
    using Iter = std::map<uint64_t, Entry>::iterator;
    void touch(Iter it);            // most recently used
    void unlink(Entry& e);          // leaves the LRU list
    Iter erase(Iter it);
    bool evict_lru();               // the least recently used resolved entry; false if none
    static uint64_t key(int ifindex, Ipv4Addr ip) { return (uint64_t(uint32_t(ifindex)) << 32) | ip.v; }
    ArpConfig cfg_;
    std::map<uint64_t, Entry> entries_;
    std::list<uint64_t> lru_;  // keys of resolved entries, least recently used first
    uint64_t evictions_ = 0;
    uint64_t version_ = 0;
};

}  // namespace nic
