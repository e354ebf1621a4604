// IPv4 reassembly (RFC 791 section 3.2 "reassembly", RFC 815 for the hole idea) with bounds:
//  - at most `max_datagrams` in progress and `max_bytes` of fragment data held in total; a new
//    datagram that needs room evicts the oldest ones (counted), so spoofed first fragments can hold
//    the table only until newer traffic arrives, not for the whole timeout;
//  - each datagram is freed `timeout` (30 s) after its first fragment arrived (RFC 1122 3.3.2);
//  - fragments may arrive in any order; an exact duplicate (same offset, length and bytes) is ignored;
//  - any other overlap drops the whole datagram, as RFC 5722 section 4 requires for IPv6: overlapping
//    fragments are a known way to slip past filters (RFC 1858), and no honest sender produces them;
//  - fragments that disagree about the end of the datagram drop it whole too.
// Each outcome increments a StackStats counter. Each fragment costs O(log n) in the fragments and
// datagrams held (ordered maps; completion is a byte count, since pieces never overlap).
#pragma once

#include "base/clock.h"
#include "iface/stats.h"
#include "wire/ipv4.h"

#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

namespace nic {

struct ReassemblyConfig {
    Duration timeout = Duration::from_s(30);
    size_t max_datagrams = 64;
    size_t max_bytes = 1024 * 1024;
};

struct Reassembled {
    std::vector<uint8_t> header;   // the first fragment's IPv4 header, options included
    std::vector<uint8_t> payload;  // the datagram's data
};

struct ReassemblyTimeout {
    std::vector<uint8_t> first_fragment;  // header + first 8 data bytes, for ICMP time exceeded (code 1)
};

class Reassembler {
public:
    explicit Reassembler(ReassemblyConfig cfg = {}) : cfg_(cfg) {}
    // `raw_header` is the fragment's header bytes (r.header_len() long). Returns the whole datagram
    // when this fragment completes it.
    std::optional<Reassembled> add(Instant now, const Ipv4Repr& r, ConstBytes raw_header, StackStats& st);
    // Frees timed-out datagrams; those whose first fragment had arrived are reported in `expired`
    // (RFC 792/1122 3.2.2.4: a host SHOULD send "fragment reassembly time exceeded" then).
    void poll(Instant now, StackStats& st, std::vector<ReassemblyTimeout>* expired = nullptr);
    Instant next_deadline() const;
    size_t datagrams() const { return dgrams_.size(); }
    size_t bytes() const { return bytes_; }

private:
    using Key = std::tuple<uint32_t, uint32_t, uint8_t, uint16_t>;  // RFC 791: src, dst, protocol, id
    struct Dgram {
        Instant expires;
        uint64_t serial = 0;        // arrival order of the first fragment: ties in `expires` broken by age
        std::map<size_t, std::vector<uint8_t>> pieces;  // by offset, never overlapping
        size_t bytes = 0;           // sum of the pieces: complete when it equals `total`
        long total = -1;            // known once the last fragment (MF=0) arrived
        std::vector<uint8_t> header;
        std::vector<uint8_t> first8;
    };
    void drop(std::map<Key, Dgram>::iterator it);
    // Drops the oldest datagram other than `keep`; false if there is none.
    bool evict_oldest(const Key* keep, StackStats& st);
    ReassemblyConfig cfg_;
    std::map<Key, Dgram> dgrams_;
    std::set<std::tuple<Instant, uint64_t, Key>> by_age_;  // (expires, serial, key) of every datagram
    uint64_t serial_ = 0;
    size_t bytes_ = 0;
};

}  // namespace nic
