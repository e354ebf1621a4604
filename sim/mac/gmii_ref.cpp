#include "mac/gmii_ref.h"

#include <cstdio>

namespace nic::ref {

uint32_t crc32(const uint8_t* data, size_t len) {
    // Bit-serial on purpose: the RTL computes eight bits a clock with a different structure, so
    // agreement means something. Polynomial 0x04C11DB7, reflected: 0xEDB88320 (clause 3.2.9).
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; ++i) {
        crc ^= data[i];
        for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::vector<uint8_t> mac_frame(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> f = data;
    if (f.size() < kMinFrame - kFcsLen) f.resize(kMinFrame - kFcsLen, 0x00);
    uint32_t fcs = crc32(f);
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
    return f;
}

std::vector<uint8_t> wire_bytes(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> w(kPreambleLen, kPreambleByte);
    w.push_back(kSfd);
    auto f = mac_frame(data);
    w.insert(w.end(), f.begin(), f.end());
    return w;
}

const char* to_string(RxOutcome o) {
    switch (o) {
    case RxOutcome::Good: return "good";
    case RxOutcome::Fcs: return "fcs";
    case RxOutcome::Runt: return "runt";
    case RxOutcome::Oversize: return "oversize";
    case RxOutcome::RxEr: return "rx_er";
    case RxOutcome::Preamble: return "preamble";
    case RxOutcome::Short: return "short";
    }
    return "?";
}

RxExpect classify(const Symbols& burst, size_t max_len) {
    RxExpect e;
    size_t i = 0;
    // Preamble of any length (clause 35.2.3.2.1 lets a PHY shorten it), then the SFD.
    for (;; ++i) {
        if (i == burst.size()) {
            e.outcome = RxOutcome::Preamble;
            return e;
        }
        if (burst[i].er) {
            e.outcome = RxOutcome::RxEr;
            return e;
        }
        if (burst[i].d == kSfd) break;
        if (burst[i].d != kPreambleByte) {
            e.outcome = RxOutcome::Preamble;
            return e;
        }
    }
    ++i;
    std::vector<uint8_t> data;
    bool cut = false;
    for (; i < burst.size(); ++i) {
        if (burst[i].er) {
            e.outcome = RxOutcome::RxEr;
            cut = true;
            break;
        }
        if (data.size() == max_len) {
            e.outcome = RxOutcome::Oversize;
            cut = true;
            break;
        }
        data.push_back(burst[i].d);
    }
    e.length = data.size();
    if (!cut) {
        if (data.size() <= kFcsLen)
            e.outcome = RxOutcome::Short;
        else if (data.size() < kMinFrame)
            e.outcome = RxOutcome::Runt;
        else if (crc32(data.data(), data.size() - kFcsLen) !=
                 (uint32_t(data[data.size() - 4]) | uint32_t(data[data.size() - 3]) << 8 |
                  uint32_t(data[data.size() - 2]) << 16 | uint32_t(data[data.size() - 1]) << 24))
            e.outcome = RxOutcome::Fcs;
        else
            e.outcome = RxOutcome::Good;
    }
    // The last four accepted bytes are held back as a possible FCS and never delivered.
    if (data.size() > kFcsLen) {
        e.has_output = true;
        e.delivered.assign(data.begin(), data.end() - kFcsLen);
    }
    return e;
}

Symbols align_rx(PhyIf phy, const Symbols& burst) {
    if (phy == PhyIf::Gmii) return burst;
    const unsigned w = phy == PhyIf::Mii ? 4 : 2;
    const unsigned n = 8 / w;
    Symbols out;
    unsigned window = 0;          // the last 8 bits received, newest at the top
    unsigned count = 0;           // symbols of the byte being packed
    bool locked = false, lead = true, er = false;
    for (const auto& b : burst) {
        for (unsigned k = 0; k < n; ++k) {
            unsigned sym = (b.d >> (w * k)) & ((1u << w) - 1);
            if (phy == PhyIf::Rmii && lead && sym == 0) continue;
            lead = false;
            window = (window >> w) | (sym << (8 - w));
            er = er || b.er;
            bool sfd = !locked && window == kSfd;
            if (sfd || ++count == n) {
                out.push_back(GmiiSymbol{uint8_t(window), true, er});
                count = 0;
                er = false;
                locked = locked || sfd;
            }
        }
    }
    return out;
}

std::vector<Symbols> carrier_events(const Symbols& stream) {
    std::vector<Symbols> out;
    Symbols cur;
    for (const auto& s : stream) {
        if (s.dv) {
            cur.push_back(s);
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

std::string hex(const std::vector<uint8_t>& v, size_t max_bytes) {
    std::string s;
    char buf[4];
    for (size_t i = 0; i < v.size() && i < max_bytes; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", v[i]);
        if (i) s += ' ';
        s += buf;
    }
    if (v.size() > max_bytes) s += " ...";
    return s;
}

}  // namespace nic::ref
