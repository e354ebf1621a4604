// RFC 1071 checksum, RFC 1624 incremental update. Used by every emitter and parser in wire/ and by
// the Stack for the echo reply (type word changed in place) and the model NIC's verdicts.
#include "wire/checksum.h"

namespace nic {

uint32_t checksum_add(ConstBytes data, uint32_t acc) {
    // Sum in 64 bits so no carry is lost before the fold (RFC 1071 section 2(B): deferred carries).
    uint64_t sum = acc;
    size_t i = 0;
    for (; i + 1 < data.size; i += 2) sum += rd16(data.data + i);
    if (i < data.size) sum += uint32_t(data.data[i]) << 8;
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return uint32_t(sum);
}

uint16_t checksum_finish(uint32_t acc) {
    uint64_t sum = acc;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

uint32_t pseudo_header_sum(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t length) {
    return (src.v >> 16) + (src.v & 0xffff) + (dst.v >> 16) + (dst.v & 0xffff) + proto + length;
}

uint16_t checksum_update16(uint16_t hc, uint16_t old_word, uint16_t new_word) {
    uint32_t sum = uint32_t(uint16_t(~hc)) + uint16_t(~old_word) + new_word;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

}  // namespace nic
