// How `percept serve` holds its connections. cpp-httplib parses HTTP and calls the routes; the
// socket, the TLS handshake, the clock and the admission of connections are ours, because the
// library's own (FACTS.md) give each connection a worker thread for its whole life: a client
// sending a byte a second, or an idle keep-alive tablet, holds a worker for ever, and the rest
// queue without limit.
//
// Here a worker only ever gets a connection whose request headers have fully arrived. One
// reactor thread (epoll) does the TLS handshakes, reads request headers, and watches idle
// keep-alive connections; those cost a socket and some memory, never a worker.
//  - A request's line and headers must arrive within `request_timeout_seconds` of its first byte
//    and be at most kMaxHeaderBytes; its body, read by the worker, may then take 1 s more for
//    every `min_body_rate` bytes. Past that the client gets 408 (or 431) and is disconnected.
//  - At most `max_connections` are open at once. The next kOverCapBacklog are answered 503 with
//    Retry-After; beyond those a connection is closed as soon as it is accepted.
//
// Thread safety: driven by cpp-httplib's accept loop, our reactor and our workers; stats() may
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

  struct Gate;        // counts shared with the pool; connection.h
  struct Connection;  // one client connection, wherever it is; connection.h
  class Pool;         // the reactor and the workers; connection_pool.h

 private:
  // cpp-httplib's per-connection entry point, called by our pool on the accept thread: the
  // socket is adopted by the reactor, not served here.
  bool process_and_close_socket(socket_t sock) override;
  // On a worker: answers the requests of `c` while they keep coming, then hands it back to the
  // reactor (idle, or lingering after an error answer) or closes it.
  void Serve(std::unique_ptr<Connection> c);

  std::shared_ptr<Gate> gate_;
  Pool* pool_ = nullptr;  // owned by cpp-httplib's listen loop while it runs
};

}  // namespace percept
