// IPv4 reassembly: fragments are kept per (src, dst, protocol, id) as sorted, non-overlapping pieces;
// the datagram is handed back when the pieces run from 0 to the end the last fragment announced.
//   Stack::ipv4_input -> Reassembler::add -> (complete) Stack::deliver
//   Stack::run_timers -> Reassembler::poll -> ICMP time exceeded (code 1) for the expired
#include "iface/reassembly.h"

#include <algorithm>
#include <cstring>

namespace nic {

void Reassembler::drop(std::map<Key, Dgram>::iterator it) {
    bytes_ -= it->second.bytes;
    by_age_.erase({it->second.expires, it->second.serial, it->first});
    dgrams_.erase(it);
}

bool Reassembler::evict_oldest(const Key* keep, StackStats& st) {
    for (auto a = by_age_.begin(); a != by_age_.end(); ++a) {
        const Key& k = std::get<2>(*a);
        if (keep && k == *keep) continue;
        ++st.rx_frag_evicted;
        drop(dgrams_.find(k));
        return true;
    }
    return false;
}

std::optional<Reassembled> Reassembler::add(Instant now, const Ipv4Repr& r, ConstBytes raw_header, StackStats& st) {
    ++st.rx_frag_fragments;
    size_t off = r.frag_offset, len = r.payload.size;
    // RFC 791: every fragment but the last carries a multiple of 8 data bytes; an empty fragment
    // carries nothing and can only be an attack or a bug.
    if (len == 0 || (r.more_frags && len % 8 != 0)) {
        ++st.rx_frag_bad_length;
        return std::nullopt;
    }
    // The reassembled datagram (header of at most 60 bytes + data) must fit in 65535 bytes.
    if (off + len + r.header_len() > 0xffff) {
        ++st.rx_frag_too_big;
        return std::nullopt;
    }
    if (len > cfg_.max_bytes) {
        ++st.rx_frag_limit_bytes;
        return std::nullopt;
    }
    Key k{r.src.v, r.dst.v, r.proto, r.ident};
    auto it = dgrams_.find(k);
    if (it == dgrams_.end()) {
        // Full table: the oldest datagram makes room (Linux's ipfrag evictor does the same), so a
        // burst of spoofed first fragments cannot keep real traffic out for the whole timeout.
        while (dgrams_.size() >= std::max<size_t>(cfg_.max_datagrams, 1))
            if (!evict_oldest(nullptr, st)) break;
        Dgram d;
        d.expires = now + cfg_.timeout;
        d.serial = serial_++;
        by_age_.insert({d.expires, d.serial, k});
        it = dgrams_.emplace(k, std::move(d)).first;
    }
    Dgram& d = it->second;
    // A last fragment fixes the total; everything must agree with it.
    long end = long(off + len);
    auto last_end = [&d] {
        if (d.pieces.empty()) return 0L;
        auto l = std::prev(d.pieces.end());
        return long(l->first + l->second.size());
    };
    if (!r.more_frags) {
        if ((d.total >= 0 && d.total != end) || last_end() > end) {
            ++st.rx_frag_inconsistent;
            drop(it);
            return std::nullopt;
        }
    } else if (d.total >= 0 && end > d.total) {
        ++st.rx_frag_inconsistent;
        drop(it);
        return std::nullopt;
    }
    // Overlap check against the neighbours in offset order.
    auto pos = d.pieces.lower_bound(off);
    auto overlaps = [&](const std::pair<const size_t, std::vector<uint8_t>>& p) {
        return p.first < off + len && off < p.first + p.second.size();
    };
    bool dup = pos != d.pieces.end() && pos->first == off && pos->second.size() == len &&
               std::memcmp(pos->second.data(), r.payload.data, len) == 0;
    if (dup) {
        ++st.rx_frag_duplicate;
        return std::nullopt;
    }
    if ((pos != d.pieces.end() && overlaps(*pos)) || (pos != d.pieces.begin() && overlaps(*std::prev(pos)))) {
        ++st.rx_frag_overlap;
        drop(it);
        return std::nullopt;
    }
    // Over the byte budget: older datagrams make room first; this one is never evicted by itself.
    while (bytes_ + len > cfg_.max_bytes)
        if (!evict_oldest(&k, st)) break;
    if (bytes_ + len > cfg_.max_bytes) {
        ++st.rx_frag_limit_bytes;
        if (d.pieces.empty()) drop(it);
        return std::nullopt;
    }
    d.pieces.emplace_hint(pos, off, r.payload.to_vector());
    d.bytes += len;
    bytes_ += len;
    if (!r.more_frags) d.total = end;
    if (off == 0) {
        d.header = raw_header.to_vector();
        d.first8 = r.payload.sub(0, 8).to_vector();
    }
    // Pieces never overlap and all lie inside [0, total), so they cover it exactly when their
    // lengths add up to it.
    if (d.total < 0 || long(d.bytes) != d.total) return std::nullopt;
    size_t next = d.bytes;
    // Each fragment was checked against its own header length; the datagram gets the first
    // fragment's header, which may carry options the others did not (RFC 791 3.2: only "copied"
    // options repeat). The whole must still fit the 16-bit total length, as Linux's ip_frag_reasm
    // checks, or it could not even be quoted in an ICMP error.
    if (d.header.size() + next > 0xffff) {
        ++st.rx_frag_too_big;
        drop(it);
        return std::nullopt;
    }
    Reassembled out;
    out.header = std::move(d.header);
    out.payload.reserve(next);
    for (const auto& p : d.pieces) out.payload.insert(out.payload.end(), p.second.begin(), p.second.end());
    drop(it);
    ++st.rx_frag_reassembled;
    return out;
}

void Reassembler::poll(Instant now, StackStats& st, std::vector<ReassemblyTimeout>* expired) {
    while (!by_age_.empty() && std::get<0>(*by_age_.begin()) <= now) {
        auto it = dgrams_.find(std::get<2>(*by_age_.begin()));
        ++st.rx_frag_timeout;
        if (expired && !it->second.header.empty()) {
            ReassemblyTimeout t;
            t.first_fragment = it->second.header;
            t.first_fragment.insert(t.first_fragment.end(), it->second.first8.begin(), it->second.first8.end());
            expired->push_back(std::move(t));
        }
        drop(it);
    }
}

Instant Reassembler::next_deadline() const {
    return by_age_.empty() ? Instant::max() : std::get<0>(*by_age_.begin());
}

}  // namespace nic
