// How `percept serve` holds its connections. cpp-httplib parses HTTP and calls the routes; the
// socket, the TLS handshake, the clock and the admission of connections are ours, because the
// library's own (FACTS.md) let a client that sends a byte a second hold a worker for ever, queue
// connections without limit, and leave new tablets waiting behind idle keep-alive ones.
//
//  - A request's line and headers must arrive within `request_timeout_seconds` of its first byte
//    (and be no larger than kMaxHeaderBytes); its body may then take 1 s more for every
//    `min_body_rate` bytes. Past that the client gets 408 (or 431) and the connection is closed.
//  - At most `max_connections` are open at once (served or waiting for a worker). One more is
//    answered 503 with Retry-After by a separate thread, or dropped when even that one is busy.
//  - While a connection waits for a worker, an idle keep-alive connection gives its worker up.
//
// Thread safety: the server is driven by cpp-httplib's accept loop and our workers; stats() may
// be read from any thread.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>

#include "connection_limits.h"

namespace percept {

class GuardedTlsServer : public httplib::SSLServer {
 public:
  GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls, const ConnectionLimits& limits);
  ~GuardedTlsServer() override;

  // cpp-httplib listens with a backlog of 5, so a burst of tablets connecting at once meets
  // refused SYNs; call after bind to ask the kernel for its maximum.
  void WidenBacklog();
  ConnectionStats stats() const;

  struct Gate;  // connections.cc

 private:
  // cpp-httplib's per-connection entry point, run on a worker for every accepted socket.
  bool process_and_close_socket(socket_t sock) override;

  ConnectionLimits limits_;
  std::shared_ptr<Gate> gate_;
};

}  // namespace percept
