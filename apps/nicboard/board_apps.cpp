// run_bulk (see board_apps.h), after apps/bulk/main.cpp's client side.
#include "board_apps.h"

#include <cerrno>
#include <cstring>

namespace nic::board {

BulkOutcome run_bulk(SocketApi& api, Runner& runner, SocketApi* peer_api, const BulkOptions& o) {
    BulkOutcome out;
    const bool a2b = o.direction == "a2b" || o.direction == "both";
    const bool b2a = o.direction == "b2a" || o.direction == "both";
    if (!a2b && !b2a) {
        out.error = "direction must be a2b, b2a or both";
        return out;
    }
    BulkEnd me, other;
    me.api = &api;
    me.tx_bytes = a2b ? o.bytes : 0;
    me.seed = o.seed;
    int listener = -1;
    if (peer_api) {
        other.api = peer_api;
        other.tx_bytes = b2a ? o.bytes : 0;
        other.seed = o.seed + 1000;
        listener = peer_api->socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a = make_sockaddr(Endpoint{Ipv4Addr::any(), o.peer.port});
        if (peer_api->bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || peer_api->listen(listener, 1) != 0) {
            out.error = std::string("simulated peer cannot listen: ") + std::strerror(peer_api->error());
            return out;
        }
    }
    const Instant limit = runner.now() + o.limit;
    me.fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in to = make_sockaddr(o.peer);
    if (api.connect(me.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && api.error() != EINPROGRESS) {
        out.error = "connect " + o.peer.str() + ": " + std::strerror(api.error());
        return out;
    }
    me.started = runner.now();
    // Both ends are stepped here, between the runner's steps (no task outlives this call).
    while (!(me.done() && (!peer_api || other.done())) && runner.now() < limit) {
        const Instant now = runner.now();
        bool did = me.step(now);
        if (peer_api) {
            if (other.fd < 0) {
                int fd = peer_api->accept(listener, nullptr, nullptr);
                if (fd >= 0) {
                    peer_api->set_nonblocking(fd, true);
                    other.fd = fd;
                    other.started = now;
                    did = true;
                }
            }
            did |= other.step(now);
        }
        if (!did && !runner.step(limit)) break;
    }
    if (listener >= 0) peer_api->close(listener);
    out.sent = me.tx_hash.bytes();
    out.received = me.rx_hash.bytes();
    out.sent_sha = me.tx_hash.hex();
    out.received_sha = me.rx_hash.hex();
    // The transfer ends when the last byte has arrived: at the later end's close (the sender closes
    // when its data is in its send buffer, not yet delivered). Without a simulated peer only the
    // board host's close is known.
    Instant end = me.finished.ns ? me.finished : runner.now();
    if (peer_api && other.finished.ns && end < other.finished) end = other.finished;
    out.elapsed = end - me.started;
    if (me.err) {
        out.error = std::string("bulk connection: ") + std::strerror(me.err);
        return out;
    }
    if (!me.done()) {
        out.error = "bulk transfer did not finish within " + std::to_string(o.limit.to_ms()) + " ms (" +
                    std::to_string(out.sent) + " bytes sent, " + std::to_string(out.received) + " received)";
        return out;
    }
    if (me.sent != me.tx_bytes) {
        out.error = "sent " + std::to_string(me.sent) + " of " + std::to_string(me.tx_bytes) + " bytes";
        return out;
    }
    if (peer_api) {
        out.verified = true;
        if (other.err || other.rx_hash.hex() != out.sent_sha || other.tx_hash.hex() != out.received_sha ||
            other.rx_hash.bytes() != out.sent || other.tx_hash.bytes() != out.received) {
            out.error = "the peer's SHA-256 of the data differs from the board host's (data corrupted)";
            return out;
        }
    } else if (b2a && out.received == 0) {
        out.error = "nothing received from the peer";
        return out;
    }
    out.ok = true;
    return out;
}

}  // namespace nic::board
