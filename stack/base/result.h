// Result of parsing bytes from the wire: a value or a WireError that the caller counts. Parsers never
// throw and never assert on data from the wire (STYLE.md, "Wire formats").
#pragma once

#include <cstdint>
#include <utility>

namespace nic {

enum class WireError : uint8_t {
    Ok = 0,
    Truncated,      // shorter than the fixed header or than a length field says
    BadVersion,     // IPv4 version != 4
    BadHeaderLen,   // IPv4 IHL < 5 or past the buffer
    BadTotalLen,    // IPv4 total length < header or > frame
    BadChecksum,    // RFC 1071 sum does not verify
    BadOptions,     // IPv4 option list malformed (RFC 791 section 3.1)
    BadLength,      // a length field disagrees with the buffer (UDP, DNS rdlength, ...)
    Unsupported,    // well-formed but not something we handle (ARP for another hardware type, ...)
    Malformed,      // anything else inconsistent (DNS label > 63, name > 255, ...)
    BadPointer,     // DNS compression pointer forward, looping or out of bounds
};

const char* to_string(WireError e);

template <class T>
class Result {
public:
    Result(T v) : value_(std::move(v)), err_(WireError::Ok) {}  // NOLINT implicit
    Result(WireError e) : value_(), err_(e) {}                  // NOLINT implicit
    bool ok() const { return err_ == WireError::Ok; }
    explicit operator bool() const { return ok(); }
    WireError error() const { return err_; }
    const T& value() const { return value_; }
    T& value() { return value_; }
    const T& operator*() const { return value_; }
    const T* operator->() const { return &value_; }

private:
    T value_;
    WireError err_;
};

}  // namespace nic
