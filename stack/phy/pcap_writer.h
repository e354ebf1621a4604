// Writes Ethernet frames to a pcap file (libpcap, LINKTYPE_ETHERNET, nanosecond timestamps) that
// Wireshark, tshark and tcpdump read. Used by the stack's pcap middleware, the MAC demo and the
// simulated wire. Timestamps are whatever time base the caller runs on (virtual, simulated or wall).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

struct pcap;
struct pcap_dumper;

namespace nic {

class PcapWriter {
public:
    PcapWriter() = default;
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // Opens (truncates) `path`. Returns false and sets error() on failure.
    bool open(const std::string& path, uint32_t snaplen = 65535);
    bool is_open() const { return dumper_ != nullptr; }
    void close();

    // Records one frame (without FCS, as captured by a NIC) seen at `time_ns`.
    // `orig_len` is the length on the wire when the capture was cut short (0: same as len).
    void write(uint64_t time_ns, const uint8_t* data, size_t len, size_t orig_len = 0);

    uint64_t frames() const { return frames_; }
    const std::string& error() const { return error_; }

private:
    pcap* handle_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    uint32_t snaplen_ = 65535;
    uint64_t frames_ = 0;
    std::string error_;
};

}  // namespace nic
