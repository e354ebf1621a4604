// libFuzzer targets for the wire parsers. One file, one target per parser, chosen by the macro
// FUZZ_TARGET at compile time (see CMakeLists.txt). Each parser must reject or accept any input
// without reading out of bounds (AddressSanitizer) or undefined behaviour (UBSan); accepted inputs
// are re-emitted and re-parsed, and must round-trip.
#include "phy/device.h"
#include "phy/tracer.h"
#include "wire/checksum.h"
#include "wire/dns.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace nic;

#define CHECK(c) \
    do {         \
        if (!(c)) std::abort(); \
    } while (0)

[[maybe_unused]] static void fuzz_ethernet(ConstBytes in) {
    auto e = parse_ethernet(in);
    (void)describe_frame(in);
    (void)model_rx_checksums(in, ChecksumCaps::all());
    if (e) {
        std::vector<uint8_t> out(kEthHeaderLen);
        CHECK(emit_ethernet(*e, out) == kEthHeaderLen);
        CHECK(std::memcmp(out.data(), in.data, kEthHeaderLen) == 0);
        auto a = parse_arp(e->payload);
        if (a) {
            std::vector<uint8_t> b(kArpLen);
            CHECK(emit_arp(*a, b) == kArpLen);
            CHECK(std::memcmp(b.data(), e->payload.data, kArpLen) == 0);
        }
    }
}

[[maybe_unused]] static void fuzz_arp(ConstBytes in) {
    auto a = parse_arp(in);
    if (!a) return;
    std::vector<uint8_t> b(kArpLen);
    CHECK(emit_arp(*a, b) == kArpLen);
    CHECK(std::memcmp(b.data(), in.data, kArpLen) == 0);
}

[[maybe_unused]] static void fuzz_ipv4(ConstBytes in) {
    auto r = parse_ipv4(in, in.size > 0 && (in[0] & 1));  // half the inputs skip the checksum
    if (!r) return;
    CHECK(r->payload.data >= in.data && r->payload.data + r->payload.size <= in.data + in.size);
    std::vector<uint8_t> out(kIpv4MaxHeader + r->payload.size);
    size_t hl = emit_ipv4(*r, r->payload.size, out, true);
    CHECK(hl == r->header_len());
    auto again = parse_ipv4(ConstBytes(out.data(), hl + r->payload.size), true);
    CHECK(again.ok());
    CHECK(again->src == r->src && again->dst == r->dst && again->frag_offset == r->frag_offset);
    uint8_t copied[kIpv4MaxOptions];
    CHECK(ipv4_options_for_fragments(r->options, copied) <= kIpv4MaxOptions);
}

[[maybe_unused]] static void fuzz_icmp(ConstBytes in) {
    auto r = parse_icmp(in, in.size > 1 && (in[1] & 1));
    if (!r) return;
    std::vector<uint8_t> out(icmp_len(*r));
    CHECK(emit_icmp(*r, out, true) == in.size);
    CHECK(parse_icmp(out, true).ok());
}

[[maybe_unused]] static void fuzz_udp(ConstBytes in) {
    Ipv4Addr a(192, 0, 2, 1), b(192, 0, 2, 2);
    auto r = parse_udp(in, a, b, in.size > 0 && (in[0] & 1));
    if (!r) return;
    std::vector<uint8_t> out(kUdpHeaderLen + r->payload.size);
    CHECK(emit_udp(*r, a, b, out, true) == out.size());
    CHECK(parse_udp(out, a, b, true).ok());
}

[[maybe_unused]] static void fuzz_dns(ConstBytes in) {
    auto m = parse_dns(in);
    if (!m) return;
    for (const auto& q : m->questions) {
        CHECK(q.name.size() <= kDnsMaxName);
        auto again = build_dns_query(m->header.id, q.name, q.qtype);
        if (!again.empty()) CHECK(parse_dns(again).ok());
    }
    for (const auto& rr : m->answers) {
        CHECK(rr.name.size() <= kDnsMaxName);
        CHECK(rr.rdata.data >= in.data && rr.rdata.data + rr.rdata.size <= in.data + in.size);
    }
    if (!m->questions.empty()) {
        auto resp = build_dns_response(m->header, m->questions[0], 0, {{Ipv4Addr(1, 2, 3, 4), 5}});
        CHECK(parse_dns(resp).ok());
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Copy into an exact-size heap buffer so any overread is caught by ASan.
    std::vector<uint8_t> buf(data, data + size);
    ConstBytes in(buf.data(), buf.size());
    FUZZ_TARGET(in);
    return 0;
}
