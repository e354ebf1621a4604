// A fixed-capacity byte ring: the send buffer (bytes from SND.UNA on) and the receive buffer (bytes
// from the application's read point on, with out-of-order data written past the in-order end and
// committed when the gap fills, as smoltcp's assembler does). Never allocates after construction.
#pragma once

#include "base/bytes.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nic {

class ByteRing {
public:
    explicit ByteRing(size_t capacity = 0) : buf_(capacity) {}
    size_t capacity() const { return buf_.size(); }
    size_t size() const { return len_; }
    size_t free() const { return buf_.size() - len_; }
    bool empty() const { return len_ == 0; }

    // Appends as much as fits; returns how much.
    size_t push(ConstBytes d) {
        size_t n = write_at(0, d);
        len_ += n;
        return n;
    }
    // Writes `d` at `off` bytes past the end of the stored data without making it readable (for
    // out-of-order segments). Clamped to the free space; returns the bytes written.
    size_t write_at(size_t off, ConstBytes d) {
        if (off >= free()) return 0;
        size_t n = std::min(d.size, free() - off);
        copy_in(pos(len_ + off), d.data, n);
        return n;
    }
    // Zero-copy access: the contiguous free space after the stored data (fill it, then commit),
    // and the contiguous stored data at the head (read it, then consume).
    MutBytes write_window() {
        size_t p = pos(len_);
        return MutBytes(buf_.data() + p, std::min(free(), buf_.size() - p));
    }
    ConstBytes read_window() const { return ConstBytes(buf_.data() + head_, std::min(len_, buf_.size() - head_)); }
    // Makes `n` bytes written by write_at (or into write_window) readable.
    void commit(size_t n) { len_ += std::min(n, free()); }
    // Copies out and removes up to buf.size bytes.
    size_t pop(MutBytes out) {
        size_t n = peek(0, out);
        consume(n);
        return n;
    }
    // Copies up to out.size bytes starting `off` bytes into the stored data.
    size_t peek(size_t off, MutBytes out) const {
        if (off >= len_) return 0;
        size_t n = std::min(out.size, len_ - off);
        size_t p = pos(off);
        size_t first = std::min(n, buf_.size() - p);
        std::memcpy(out.data, buf_.data() + p, first);
        std::memcpy(out.data + first, buf_.data(), n - first);
        return n;
    }
    void consume(size_t n) {
        n = std::min(n, len_);
        // The head only moves forward, never back to 0 when empty: out-of-order bytes may already
        // sit past the end at their final position.
        head_ = pos(n);
        len_ -= n;
    }
    // A view of [off, off+n) of the stored data: points into the ring when contiguous, otherwise the
    // bytes are copied to `scratch`. Valid until the ring or scratch changes.
    ConstBytes view(size_t off, size_t n, std::vector<uint8_t>& scratch) const {
        if (off >= len_) return {};
        n = std::min(n, len_ - off);
        size_t p = pos(off);
        if (p + n <= buf_.size()) return ConstBytes(buf_.data() + p, n);
        scratch.resize(n);
        peek(off, MutBytes(scratch.data(), n));
        return ConstBytes(scratch.data(), n);
    }

private:
    size_t pos(size_t off) const {
        if (buf_.empty()) return 0;
        size_t p = head_ + off;
        return p >= buf_.size() ? p - buf_.size() : p;
    }
    void copy_in(size_t p, const uint8_t* d, size_t n) {
        size_t first = std::min(n, buf_.size() - p);
        std::memcpy(buf_.data() + p, d, first);
        std::memcpy(buf_.data(), d + first, n - first);
    }
    std::vector<uint8_t> buf_;
    size_t head_ = 0, len_ = 0;
};

}  // namespace nic
