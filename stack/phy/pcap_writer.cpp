// Pcap writer: libpcap's dumper on a "dead" handle (LINKTYPE_ETHERNET, nanosecond precision), so the
// timestamps are exactly the Instants the caller passes (virtual, simulated or wall time).
//   PcapDevice::transmit/receive -> PcapWriter::write -> pcap_dump
#include "phy/pcap_writer.h"

#include <pcap/pcap.h>

#include <algorithm>

namespace nic {

PcapWriter::~PcapWriter() { close(); }

bool PcapWriter::open(const std::string& path, uint32_t snaplen) {
    close();
    snaplen_ = snaplen;
    handle_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, static_cast<int>(snaplen),
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!handle_) {
        error_ = "pcap_open_dead failed";
        return false;
    }
    dumper_ = pcap_dump_open(handle_, path.c_str());
    if (!dumper_) {
        error_ = std::string("cannot write pcap '") + path + "': " + pcap_geterr(handle_);
        pcap_close(handle_);
        handle_ = nullptr;
        return false;
    }
    frames_ = 0;
    return true;
}

void PcapWriter::close() {
    if (dumper_) pcap_dump_close(dumper_);
    if (handle_) pcap_close(handle_);
    dumper_ = nullptr;
    handle_ = nullptr;
}

void PcapWriter::write(uint64_t time_ns, const uint8_t* data, size_t len, size_t orig_len) {
    if (!dumper_) return;
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<time_t>(time_ns / 1000000000ull);
    // With nanosecond precision libpcap stores tv_usec as nanoseconds.
    hdr.ts.tv_usec = static_cast<suseconds_t>(time_ns % 1000000000ull);
    hdr.caplen = static_cast<bpf_u_int32>(std::min<size_t>(len, snaplen_));
    hdr.len = static_cast<bpf_u_int32>(orig_len ? orig_len : len);
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &hdr, data);
    ++frames_;
}

}  // namespace nic
