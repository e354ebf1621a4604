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
    dgrams_.erase(it);
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
    Key k{r.src.v, r.dst.v, r.proto, r.ident};
    auto it = dgrams_.find(k);
    if (it == dgrams_.end()) {
        if (dgrams_.size() >= cfg_.max_datagrams) {
            ++st.rx_frag_limit_datagrams;
            return std::nullopt;
        }
        Dgram d;
        d.expires = now + cfg_.timeout;
        it = dgrams_.emplace(k, std::move(d)).first;
    }
    Dgram& d = it->second;
    // A last fragment fixes the total; everything must agree with it.
    long end = long(off + len);
    if (!r.more_frags) {
        if ((d.total >= 0 && d.total != end) || (!d.pieces.empty() && long(d.pieces.back().off + d.pieces.back().data.size()) > end)) {
            ++st.rx_frag_inconsistent;
            drop(it);
            return std::nullopt;
        }
    } else if (d.total >= 0 && end > d.total) {
        ++st.rx_frag_inconsistent;
        drop(it);
        return std::nullopt;
    }
    // Overlap check against the sorted pieces.
    auto pos = std::lower_bound(d.pieces.begin(), d.pieces.end(), off, [](const Piece& p, size_t o) { return p.off < o; });
    auto overlaps = [&](const Piece& p) { return p.off < off + len && off < p.off + p.data.size(); };
    bool dup = pos != d.pieces.end() && pos->off == off && pos->data.size() == len &&
               std::memcmp(pos->data.data(), r.payload.data, len) == 0;
    if (dup) {
        ++st.rx_frag_duplicate;
        return std::nullopt;
    }
    if ((pos != d.pieces.end() && overlaps(*pos)) || (pos != d.pieces.begin() && overlaps(*(pos - 1)))) {
        ++st.rx_frag_overlap;
        drop(it);
        return std::nullopt;
    }
    if (bytes_ + len > cfg_.max_bytes) {
        ++st.rx_frag_limit_bytes;
        if (d.pieces.empty()) drop(it);
        return std::nullopt;
    }
    d.pieces.insert(pos, Piece{off, r.payload.to_vector()});
    d.bytes += len;
    bytes_ += len;
    if (!r.more_frags) d.total = end;
    if (off == 0) {
        d.header = raw_header.to_vector();
        d.first8 = r.payload.sub(0, 8).to_vector();
    }
    // Complete when the pieces run contiguously from 0 to the total.
    if (d.total < 0) return std::nullopt;
    size_t next = 0;
    for (const auto& p : d.pieces) {
        if (p.off != next) return std::nullopt;
        next += p.data.size();
    }
    if (long(next) != d.total) return std::nullopt;
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
    for (const auto& p : d.pieces) out.payload.insert(out.payload.end(), p.data.begin(), p.data.end());
    drop(it);
    ++st.rx_frag_reassembled;
    return out;
}

void Reassembler::poll(Instant now, StackStats& st, std::vector<ReassemblyTimeout>* expired) {
    for (auto it = dgrams_.begin(); it != dgrams_.end();) {
        if (it->second.expires <= now) {
            ++st.rx_frag_timeout;
            if (expired && !it->second.header.empty()) {
                ReassemblyTimeout t;
                t.first_fragment = it->second.header;
                t.first_fragment.insert(t.first_fragment.end(), it->second.first8.begin(), it->second.first8.end());
                expired->push_back(std::move(t));
            }
            auto victim = it++;
            drop(victim);
        } else {
            ++it;
        }
    }
}

Instant Reassembler::next_deadline() const {
    Instant t = Instant::max();
    for (const auto& kv : dgrams_) t = min(t, kv.second.expires);
    return t;
}

}  // namespace nic
