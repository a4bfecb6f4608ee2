// How `percept serve` holds its connections. cpp-httplib parses HTTP and calls the routes; the
// socket, the TLS handshake, the clock and the admission of connections are ours, because the
// library's own (docs/dependencies.md) give each connection a worker thread for its whole life: a
// client sending a byte a second, or an idle keep-alive tablet, holds a worker for ever, and the
// rest queue without limit.
//
// Here a worker only ever gets a connection whose request has fully arrived (or whose head
// has, to be admitted). One reactor thread (epoll) does the TLS handshakes, reads requests and
// watches idle keep-alive connections; those cost a socket and some memory, never a worker.
// Every request is read by our RequestReader before cpp-httplib sees it (request_reader.h):
// malformed or ambiguous framing is answered 400 and the connection closed.
//  - A request's line and headers must arrive within `request_timeout_seconds` of its first byte
//    and be at most kMaxHeaderBytes (431). Past that the client gets 408 and is disconnected.
//  - A request with a body is first admitted (`RequestHooks::admit_body`, on a worker: who
//    calls, on which route, how large): nothing of a body is kept before. Its body is then read
//    by the reactor, and may take 1 s more for every `min_body_rate` bytes. The bodies being
//    received share `body_budget` bytes; past it, 503 with Retry-After.
//  - At most `max_connections` are open at once. A connection arriving at the cap sheds one
//    that is not being served: first those that never finished a request (handshaking, silent,
//    trickling headers), oldest first, then idle keep-alive ones, unauthenticated first. Only
//    when every connection is being served (or receiving an admitted body) is the newcomer
//    answered 503 with Retry-After; kOverCapBacklog more are, beyond those a connection is
//    closed as soon as it is accepted.
//
// Thread safety: driven by cpp-httplib's accept loop, our reactor and our workers; stats() may
// be read from any thread.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>

#include "percept/base/status.h"
#include "percept/net/connection_limits.h"
#include "percept/net/request_reader.h"
#include "percept/net/request_scope.h"

namespace percept {

// The connection layer's own types (connection.h, connection_pool.h), private to server/net.
struct ConnectionGate;    // counts shared with the pool
struct ClientConnection;  // one client connection, wherever it is
class ConnectionPool;     // the reactor and the workers

// What the connection layer asks of the routes above it, without knowing them.
struct RequestHooks {
  // Before a byte of a body is kept: may this caller send this request a body, and of at most
  // how many bytes (`*max_body` starts at the server's limit)? Runs on a worker.
  // What admission learnt about the caller may be kept in `*scope` for the routes.
  std::function<Status(const RequestHead& head, size_t* max_body, RequestScope* scope)> admit_body;
  // The connection layer answered `head` (nullptr when no head could be read) with `status`
  // itself, without cpp-httplib: for the access log and the counters.
  std::function<void(const RequestHead* head, int status)> answered;
  // The connection layer refuses `head` (nullptr when no head could be read) with `*http`: a
  // route may answer in its own form (OpenRosa clients read an OpenRosaResponse). Sets
  // `*content_type` and `*body`, may change `*http` and append header lines ("Name: value\r\n")
  // to `*headers`; false leaves the contract's JSON error. Runs on a worker.
  std::function<bool(const RequestHead* head, const Status& status, int* http,
                     std::string* content_type, std::string* body, std::string* headers)>
      render_refusal;
};

class GuardedTlsServer : public httplib::SSLServer {
 public:
  GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls, const ConnectionLimits& limits,
                   RequestHooks hooks);
  ~GuardedTlsServer() override;

  // cpp-httplib listens with a backlog of 5, so a burst of tablets connecting at once meets
  // refused SYNs; call after bind to ask the kernel for its maximum.
  void WidenBacklog();
  ConnectionStats stats() const;


 private:
  // cpp-httplib's per-connection entry point, called by our pool on the accept thread: the
  // socket is adopted by the reactor, not served here.
  bool process_and_close_socket(socket_t sock) override;
  // On a worker: answers the requests of `c` while they keep coming, then hands it back to the
  // reactor (idle, or lingering after an error answer) or closes it.
  void Serve(std::unique_ptr<ClientConnection> c);

  // On a worker: the answer the connection layer gives itself (a refusal, a malformed request),
  // with Connection: close; the caller then lingers.
  void Refuse(ClientConnection& c, const Status& status);

  std::shared_ptr<ConnectionGate> gate_;
  RequestHooks hooks_;
  ConnectionPool* pool_ = nullptr;  // owned by cpp-httplib's listen loop while it runs
};

}  // namespace percept
