// The limits `percept serve` puts on connections and requests (connections.h applies them),
// and the counts the connection layer keeps (for /metrics). No httplib types here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace percept {

struct ConnectionLimits {
  int threads = 64;            // workers; each answers one request at a time
  int max_connections = 1000;  // open at once: handshaking, idle, waiting or being answered
  int max_per_address = 200;   // open at once from one client address; 0: no limit
  int keep_alive_seconds = 5;
  int request_timeout_seconds = 20;
  size_t min_body_rate = 1000;             // bytes a second a body must keep up beyond the timeout
  int io_timeout_seconds = 10;             // longest wait for the peer to take a response's bytes
  size_t max_body = 2 * 1024 * 1024;       // one body, however it is framed (--max-body)
  size_t body_budget = 256 * 1024 * 1024;  // bodies being received at once, all connections
};

// Larger header blocks are refused with 431 (cpp-httplib itself refuses a line over 8 KiB).
constexpr size_t kMaxHeaderBytes = 16 * 1024;

struct ConnectionStats {
  int64_t open = 0;                   // accepted, not yet closed
  int64_t waiting = 0;                // with a request read, waiting for a worker
  uint64_t accepted = 0;              // within the cap
  uint64_t rejected = 0;              // over a cap: answered 503 or closed at once
  uint64_t rejected_per_address = 0;  // of those, over their address's own cap
  uint64_t timed_out = 0;             // requests cut off at their deadline (408)
  uint64_t headers_too_large = 0;     // 431
  uint64_t malformed = 0;             // refused as malformed or ambiguous (400), then closed
  uint64_t refused_bodies = 0;        // bodies refused before a byte was kept (401, 403, 413...)
  uint64_t shed = 0;                  // idle or unauthenticated connections closed at the cap
  int64_t body_bytes_reserved = 0;    // memory promised to bodies being received
};

}  // namespace percept
