// Byte views (C++17 has no std::span): a pointer and a length that the wire parsers check once and
// then never read past. Every parser in stack/wire takes a ConstBytes and every emitter a MutBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace nic {

struct ConstBytes {
    const uint8_t* data = nullptr;
    size_t size = 0;

    ConstBytes() = default;
    ConstBytes(const uint8_t* d, size_t n) : data(d), size(n) {}
    ConstBytes(const std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT implicit

    bool empty() const { return size == 0; }
    const uint8_t* begin() const { return data; }
    const uint8_t* end() const { return data + size; }
    uint8_t operator[](size_t i) const { return data[i]; }
    // Clamped: never points past the end even when off/len are too large.
    ConstBytes sub(size_t off, size_t len = SIZE_MAX) const {
        if (off > size) off = size;
        if (len > size - off) len = size - off;
        return ConstBytes(data + off, len);
    }
    std::vector<uint8_t> to_vector() const { return std::vector<uint8_t>(begin(), end()); }
};

struct MutBytes {
    uint8_t* data = nullptr;
    size_t size = 0;

    MutBytes() = default;
    MutBytes(uint8_t* d, size_t n) : data(d), size(n) {}
    MutBytes(std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT implicit
    operator ConstBytes() const { return ConstBytes(data, size); }          // NOLINT implicit
    MutBytes sub(size_t off, size_t len = SIZE_MAX) const {
        if (off > size) off = size;
        if (len > size - off) len = size - off;
        return MutBytes(data + off, len);
    }
};

// Network byte order accessors; callers have checked the length.
inline uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t rd32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
inline void wr16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
inline void wr32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}

}  // namespace nic
