// A bounded byte ring: the send buffer (bytes from SND.UNA on) and the receive buffer (bytes from
// the application's read point on, with out-of-order data written past the in-order end and
// committed when the gap fills, as smoltcp's assembler does).
//
// The capacity is a limit, not an allocation: storage grows (powers of two from 4 KiB) as data
// needs it, and release() gives it back when the ring is empty (the connection decides when: see
// TcpSocket::trim_storage), so a closing or TIME-WAIT connection holds no buffer memory. Growth is charged to an optional shared MemoryBudget (the stack-wide
// limit, like Linux's tcp_mem); when the budget refuses, writes take only what fits in the
// storage already held.
#pragma once

#include "base/bytes.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nic {

// Bytes of buffer storage held by every connection of a stack, against one limit.
struct MemoryBudget {
    size_t limit = SIZE_MAX;
    size_t used = 0, peak = 0;
    uint64_t refused = 0;  // growth requests refused because the limit was reached
    bool reserve(size_t n) {
        if (n > limit || used > limit - n) {
            ++refused;
            return false;
        }
        used += n;
        peak = std::max(peak, used);
        return true;
    }
    void release(size_t n) { used -= std::min(n, used); }
    // Over half the limit in use: connections give back the storage of empty rings.
    bool pressed() const { return used > limit / 2; }
};

class ByteRing {
public:
    static constexpr size_t kMinStorage = 4096;

    explicit ByteRing(size_t capacity = 0, MemoryBudget* budget = nullptr) : cap_(capacity), budget_(budget) {}
    ~ByteRing() { free_storage(); }
    ByteRing(const ByteRing&) = delete;
    ByteRing& operator=(const ByteRing&) = delete;

    // Charges future growth to `b` (storage already held is moved over to it).
    void set_budget(MemoryBudget* b) {
        if (b == budget_) return;
        if (budget_) budget_->release(buf_.size());
        budget_ = b;
        if (budget_) {
            budget_->used += buf_.size();
            budget_->peak = std::max(budget_->peak, budget_->used);
        }
    }
    size_t capacity() const { return cap_; }
    bool budget_pressed() const { return budget_ && budget_->pressed(); }
    size_t storage() const { return buf_.size(); }  // bytes allocated now
    size_t size() const { return len_; }
    size_t free() const { return cap_ - len_; }
    bool empty() const { return len_ == 0; }
    // Whether a write could store at least one more byte now (room and, if storage must grow,
    // budget for it).
    bool can_take() const {
        if (len_ >= cap_) return false;
        if (len_ < buf_.size()) return true;
        size_t extra = std::min(std::max(kMinStorage, buf_.size()), cap_ - buf_.size());
        return !budget_ || (extra <= budget_->limit && budget_->used <= budget_->limit - extra);
    }

    // Appends as much as fits; returns how much.
    size_t push(ConstBytes d) {
        size_t n = write_at(0, d);
        len_ += n;
        return n;
    }
    // Writes `d` at `off` bytes past the end of the stored data without making it readable (for
    // out-of-order segments). Clamped to the free space and to the storage the budget allows;
    // returns the bytes written.
    size_t write_at(size_t off, ConstBytes d) {
        if (off >= free()) return 0;
        size_t n = std::min(d.size, free() - off);
        grow_to(len_ + off + n);
        if (len_ + off >= buf_.size()) return 0;
        n = std::min(n, buf_.size() - len_ - off);
        copy_in(pos(len_ + off), d.data, n);
        return n;
    }
    // The first `n` free bytes after the stored data, as one or two spans (the ring wraps between
    // them), storage grown for them; false if the capacity or the budget does not allow it.
    bool free_spans(size_t n, MutBytes& a, MutBytes& b) {
        if (n > free()) return false;
        grow_to(len_ + n);
        if (len_ + n > buf_.size()) return false;
        size_t p = pos(len_), first = std::min(n, buf_.size() - p);
        a = MutBytes(buf_.data() + p, first);
        b = MutBytes(buf_.data(), n - first);
        return true;
    }
    // Zero-copy access: the contiguous free space after the stored data (fill it, then commit),
    // and the contiguous stored data at the head (read it, then consume).
    MutBytes write_window() {
        if (len_ == buf_.size()) grow_to(std::max(kMinStorage, 2 * buf_.size()));
        size_t p = pos(len_);
        return MutBytes(buf_.data() + p, std::min(buf_.size() - len_, buf_.size() - p));
    }
    ConstBytes read_window() const { return ConstBytes(buf_.data() + head_, std::min(len_, buf_.size() - head_)); }
    // Makes `n` bytes written by write_at (or into write_window) readable.
    void commit(size_t n) { len_ += std::min(n, buf_.size() - len_); }
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
    // An empty ring starts over at the front of its storage, so the next writes are contiguous.
    // Only for a ring that holds nothing past its end (the send ring; a receive ring may hold
    // out-of-order bytes there).
    void rewind_if_empty() {
        if (len_ == 0) head_ = 0;
    }
    // Gives the storage back. Only when empty and, for a receive ring, with no out-of-order bytes
    // held past the end (the caller knows; the ring does not track them).
    void release() {
        if (len_ != 0) return;
        free_storage();
        head_ = 0;
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
    // Storage for at least `need` bytes from the head (never more than the capacity): doubled, the
    // old contents moved to the front of the new block (out-of-order bytes keep their offsets).
    void grow_to(size_t need) {
        need = std::min(need, cap_);
        if (need <= buf_.size()) return;
        size_t n = std::max(kMinStorage, buf_.size());
        while (n < need) n *= 2;
        n = std::min(n, cap_);
        size_t extra = n - buf_.size();
        if (budget_ && !budget_->reserve(extra)) return;
        std::vector<uint8_t> nb(n);
        size_t first = buf_.size() - head_;
        if (!buf_.empty()) {
            std::memcpy(nb.data(), buf_.data() + head_, first);
            std::memcpy(nb.data() + first, buf_.data(), head_);
        }
        buf_.swap(nb);
        head_ = 0;
    }
    void free_storage() {
        if (budget_) budget_->release(buf_.size());
        std::vector<uint8_t>().swap(buf_);
    }
    size_t cap_;
    MemoryBudget* budget_;
    std::vector<uint8_t> buf_;
    size_t head_ = 0, len_ = 0;
};

}  // namespace nic
