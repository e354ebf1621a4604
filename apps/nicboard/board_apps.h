// The applications nicboard runs over a board host (driver/board/board_host.h), shared with the
// board benchmark (bench/board): a bulk TCP transfer between the board host and a peer, built on
// apps/bulk's BulkEnd (seeded pattern, SHA-256 of each direction), as nicsim's and nicbulk's bulk.
// Ping and HTTP need nothing beyond the stack's ping (svc/ping.h) and apps/http's client and server.
//   nicboard bulk | bench_spi_bridge -> run_bulk -> BulkEnd (board host) ... BulkEnd (peer)
#pragma once

#include "api/runner.h"
#include "api/sockets.h"
#include "bulk.h"

#include <string>

namespace nic::board {

struct BulkOptions {
    Endpoint peer{Ipv4Addr(0xC0000202), 5001};   // where the peer listens (nicbulk --listen 5001)
    uint64_t bytes = 256 * 1024;                 // per direction that sends
    std::string direction = "a2b";               // a2b: board host -> peer; b2a; both
    uint64_t seed = 1;
    Duration limit = Duration::from_s(60);       // of the runner's time
};

struct BulkOutcome {
    bool ok = false;
    std::string error;
    uint64_t sent = 0, received = 0;             // by the board host
    Duration elapsed;                            // connect to the later end's close (runner's clock)
    std::string sent_sha, received_sha;
    bool verified = false;                       // the peer's hashes were compared (simulated peer)
    double goodput_mbps() const {
        return elapsed.ns > 0 ? double(sent + received) * 8.0 / (double(elapsed.ns) * 1e-9) / 1e6 : 0.0;
    }
};

// The board host connects to o.peer and runs the transfer. With `peer_api` (a simulated peer on the
// same runner), the peer listens, runs the other end, and both ends' hashes are compared.
BulkOutcome run_bulk(SocketApi& api, Runner& runner, SocketApi* peer_api, const BulkOptions& o);

}  // namespace nic::board
