// Every drop reason and every event the stack counts, in one table (the `netstat -s` of this stack).
// X-macro: (group, name, description). Adding a counter here adds it to the struct and to the dump.
#pragma once

#include <cstdint>
#include <string>

namespace nic {

#define NIC_STACK_COUNTERS(X)                                                                       \
    X(link, rx_frames, "frames received")                                                           \
    X(link, rx_bytes, "bytes received")                                                             \
    X(link, tx_frames, "frames sent")                                                               \
    X(link, tx_bytes, "bytes sent")                                                                 \
    X(link, rx_eth_truncated, "frames shorter than an Ethernet header (dropped)")                   \
    X(link, rx_eth_not_for_us, "frames for another MAC address (dropped)")                          \
    X(link, rx_eth_unknown_type, "frames with an unhandled ethertype or 802.3 length (dropped)")    \
    X(link, rx_iface_down, "frames received on an interface that is down (dropped)")                \
    X(link, tx_dev_busy, "frames the device refused: queue full or link down (dropped)")            \
    X(link, tx_iface_down, "packets routed to an interface that is down (dropped)")                 \
    X(arp, rx_arp, "ARP packets received")                                                          \
    X(arp, rx_arp_truncated, "ARP packets too short (dropped)")                                     \
    X(arp, rx_arp_unsupported, "ARP for another hardware/protocol type or opcode (dropped)")        \
    X(arp, rx_arp_bad_sender, "ARP with a broadcast/multicast sender MAC or our own (dropped)")     \
    X(arp, rx_arp_not_for_us, "ARP requests for another address (not answered)")                    \
    X(arp, rx_arp_conflict, "ARP from another host claiming our address")                           \
    X(arp, tx_arp_request, "ARP requests sent")                                                     \
    X(arp, tx_arp_reply, "ARP replies sent")                                                        \
    X(arp, tx_arp_gratuitous, "gratuitous ARP announcements sent")                                  \
    X(arp, arp_entries_aged, "ARP cache entries expired")                                           \
    X(arp, arp_entries_evicted, "ARP cache entries evicted, least recently used first, for new ones") \
    X(arp, arp_cache_full, "packets dropped: ARP cache full of unresolved entries")                 \
    X(arp, arp_pending_overflow, "packets dropped: per-destination ARP queue full")                 \
    X(arp, arp_resolve_failed, "destinations that did not answer 3 ARP requests")                  \
    X(arp, arp_pending_dropped, "queued packets dropped after ARP resolution failed")               \
    X(arp, arp_pending_flushed, "queued packets dropped: interface went down before ARP resolved")  \
    X(ip, rx_ip_packets, "IPv4 packets received")                                                   \
    X(ip, rx_ip_truncated, "IPv4 packets shorter than 20 bytes (dropped)")                          \
    X(ip, rx_ip_bad_version, "IPv4 packets with version != 4 (dropped)")                            \
    X(ip, rx_ip_bad_ihl, "IPv4 packets with a bad header length (dropped)")                         \
    X(ip, rx_ip_bad_total_len, "IPv4 packets whose total length disagrees with the frame (dropped)")\
    X(ip, rx_ip_bad_checksum, "IPv4 header checksum errors (dropped)")                              \
    X(ip, rx_ip_bad_options, "IPv4 packets with malformed options (dropped)")                       \
    X(ip, rx_ip_ttl_zero, "IPv4 packets received with TTL 0 (dropped)")                             \
    X(ip, rx_ip_bad_src, "IPv4 packets from a broadcast/multicast source (dropped)")                \
    X(ip, rx_ip_martian, "IPv4 packets from a device to/from 127/8 or 0/8 (dropped, RFC 1122 3.2.1.3)")\
    X(ip, rx_ip_not_for_us, "IPv4 packets for another host; no forwarding (dropped)")               \
    X(ip, rx_ip_unknown_proto, "IPv4 packets for an unknown protocol (dropped)")                    \
    X(ip, rx_ip_delivered, "IPv4 datagrams delivered to a protocol")                                \
    X(ip, tx_ip_packets, "IPv4 packets sent (including fragments)")                                 \
    X(ip, tx_ip_no_route, "datagrams without a route (dropped, ENETUNREACH)")                       \
    X(ip, tx_ip_too_big, "datagrams > MTU with DF or > 65535 (dropped, EMSGSIZE)")                  \
    X(ip, tx_ip_fragmented, "datagrams fragmented on send")                                         \
    X(ip, tx_ip_fragments, "fragments sent")                                                        \
    X(ip, tx_ip_loopback, "datagrams looped back to this host")                                     \
    X(ip, loopback_overflow, "loopback queue full (dropped)")                                       \
    X(frag, rx_frag_fragments, "fragments received")                                                \
    X(frag, rx_frag_reassembled, "datagrams reassembled")                                           \
    X(frag, rx_frag_duplicate, "exact duplicate fragments (ignored)")                               \
    X(frag, rx_frag_overlap, "datagrams dropped whole for overlapping fragments (RFC 5722)")        \
    X(frag, rx_frag_inconsistent, "datagrams dropped whole for a conflicting end (dropped)")        \
    X(frag, rx_frag_bad_length, "fragments not a multiple of 8 bytes or empty (dropped)")           \
    X(frag, rx_frag_too_big, "fragments reaching past 65535 bytes (dropped)")                       \
    X(frag, rx_frag_evicted, "datagrams evicted, oldest first, to make room for newer ones")        \
    X(frag, rx_frag_limit_bytes, "fragments dropped: reassembly byte limit reached")                \
    X(frag, rx_frag_timeout, "datagrams dropped: reassembly timed out")                             \
    X(icmp, rx_icmp, "ICMP messages received")                                                      \
    X(icmp, rx_icmp_truncated, "ICMP messages shorter than 8 bytes (dropped)")                      \
    X(icmp, rx_icmp_bad_checksum, "ICMP checksum errors (dropped)")                                 \
    X(icmp, rx_icmp_echo_request, "echo requests received")                                         \
    X(icmp, rx_icmp_echo_broadcast, "echo requests to broadcast/multicast (ignored)")               \
    X(icmp, rx_icmp_echo_reply, "echo replies received")                                            \
    X(icmp, rx_icmp_no_socket, "echo replies for no ping socket (dropped)")                         \
    X(icmp, rx_icmp_queue_full, "echo replies dropped: ping socket receive queue full")             \
    X(icmp, rx_icmp_shut_rd, "echo replies dropped: ping socket shut down for reading")            \
    X(icmp, rx_icmp_dest_unreach, "destination unreachable received")                               \
    X(icmp, rx_icmp_time_exceeded, "time exceeded received")                                        \
    X(icmp, rx_icmp_bad_quote, "ICMP errors quoting an unusable header (dropped)")                  \
    X(icmp, rx_icmp_unknown_type, "ICMP messages of an unhandled type (ignored)")                   \
    X(icmp, tx_icmp_echo_request, "echo requests sent")                                             \
    X(icmp, tx_icmp_echo_reply, "echo replies sent")                                                \
    X(icmp, tx_icmp_dest_unreach, "destination unreachable sent")                                   \
    X(icmp, tx_icmp_time_exceeded, "time exceeded (reassembly) sent")                               \
    X(icmp, tx_icmp_rate_limited, "ICMP errors not sent: rate limit (RFC 1812 4.3.2.8)")            \
    X(udp, rx_udp, "UDP datagrams received")                                                        \
    X(udp, rx_udp_truncated, "UDP datagrams shorter than 8 bytes (dropped)")                        \
    X(udp, rx_udp_bad_length, "UDP length field disagrees with the IP payload (dropped)")           \
    X(udp, rx_udp_bad_checksum, "UDP checksum errors (dropped)")                                    \
    X(udp, rx_udp_no_checksum, "UDP datagrams without a checksum (accepted, RFC 768)")              \
    X(udp, rx_udp_no_port, "UDP datagrams to a closed port (dropped, ICMP port unreachable)")       \
    X(udp, rx_udp_queue_full, "UDP datagrams dropped: socket receive queue full")                   \
    X(udp, rx_udp_shut_rd, "UDP datagrams dropped: socket shut down for reading")                   \
    X(udp, rx_udp_delivered, "UDP datagrams queued to a socket")                                    \
    X(udp, tx_udp, "UDP datagrams sent")                                                            \
    X(tcp, rx_tcp_no_handler, "TCP segments while no TCP is attached (dropped, protocol unreachable)") \
    X(sock, sock_async_errors, "asynchronous errors reported to sockets (SO_ERROR)")

struct StackStats {
#define NIC_X(group, name, desc) uint64_t name = 0;
    NIC_STACK_COUNTERS(NIC_X)
#undef NIC_X
    // "netstat -s" style: one section per group, "    <value> <description> [name]", zeros included so
    // a reader sees every drop reason the stack can count.
    std::string dump() const;
    // Looks a counter up by name (tests, tools); returns false if there is no such counter.
    bool get(const std::string& name, uint64_t& out) const;
};

}  // namespace nic
