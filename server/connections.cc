#include "connections.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "connection.h"
#include "connection_pool.h"
#include "tls_stream.h"

namespace percept {

namespace {

thread_local ReadFailure t_read_failure = ReadFailure::kNone;
thread_local bool t_over_cap = false;

}  // namespace

Wait WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const Clock::duration left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return Wait::kTimedOut;
    pollfd p{fd, events, 0};
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(ms, INT_MAX)));
    if (r > 0) return Wait::kReady;
    if (r < 0 && errno != EINTR) return Wait::kError;
  }
}

void SetCurrentReadFailure(ReadFailure failure) { t_read_failure = failure; }
ReadFailure CurrentReadFailure() { return t_read_failure; }
bool CurrentConnectionOverCap() { return t_over_cap; }

GuardedTlsServer::GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls,
                                   const ConnectionLimits& limits)
    : httplib::SSLServer(setup_tls), gate_(std::make_shared<Gate>(limits)) {
  new_task_queue = [this] {
    pool_ = new Pool(gate_, [this](ConnectionPtr c) { Serve(std::move(c)); });
    return pool_;
  };
}

GuardedTlsServer::~GuardedTlsServer() = default;

void GuardedTlsServer::WidenBacklog() {
  const socket_t s = svr_sock_;
  if (s != INVALID_SOCKET) ::listen(s, SOMAXCONN);
}

ConnectionStats GuardedTlsServer::stats() const {
  ConnectionStats s;
  s.open = gate_->open.load();
  s.waiting = gate_->waiting.load();
  s.accepted = gate_->accepted.load();
  s.rejected = gate_->rejected.load();
  s.rejected_per_address = gate_->rejected_per_address.load();
  s.timed_out = gate_->timed_out.load();
  s.headers_too_large = gate_->headers_too_large.load();
  return s;
}

bool GuardedTlsServer::process_and_close_socket(socket_t sock) {
  SSL* ssl = pool_ ? SSL_new(ssl_context()) : nullptr;
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (ssl == nullptr || SSL_set_fd(ssl, sock) != 1 ||
      ::getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &len) != 0) {
    SSL_free(ssl);
    ::close(sock);
    return false;
  }
  std::string address;
  if (peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
    address.assign(reinterpret_cast<const char*>(&a), sizeof a);
  } else if (peer.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(peer).sin_addr;
    address.assign(reinterpret_cast<const char*>(&a), sizeof a);
  }
  const Gate::Admission admission = gate_->Admit(address);
  if (admission == Gate::Admission::kClose) {
    SSL_free(ssl);
    ::close(sock);
    return false;
  }
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  const int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto c = std::make_unique<Connection>(sock, ssl, admission == Gate::Admission::kRefuse, gate_,
                                        std::move(address));
  c->Enter(Connection::State::kHandshake, kHandshakeTime);
  pool_->Watch(std::move(c));
  return true;
}

void GuardedTlsServer::Serve(ConnectionPtr c) {
  t_over_cap = c->over_cap;
  TlsStream stream(*c);
  bool keep = false;  // hand back to the reactor for its next request
  bool linger = false;
  for (;;) {
    stream.BeginRequest();
    bool client_closed = false;
    const bool ok = process_request(stream, c->over_cap, client_closed,
                                    [&c](httplib::Request& req) { req.ssl = c->ssl; });
    if (stream.failure() != ReadFailure::kNone) {
      (stream.failure() == ReadFailure::kTimedOut ? gate_->timed_out : gate_->headers_too_large)++;
      linger = true;
      break;
    }
    if (c->over_cap) linger = true;
    if (!ok || client_closed || c->over_cap || svr_sock_ == INVALID_SOCKET) break;
    // The next request may be here already, or in a moment (a tablet's next batch).
    if (!stream.HasMore() &&
        (pool_->Busy() || !Ready(c->fd, POLLIN, Clock::now() + kWorkerKeepsFor))) {
      keep = true;
      break;
    }
    c->request_start = Clock::now();
  }
  t_over_cap = false;
  t_read_failure = ReadFailure::kNone;
  if (keep) {
    c->Enter(Connection::State::kIdle, std::chrono::seconds(gate_->limits.keep_alive_seconds));
    pool_->Watch(std::move(c));
    return;
  }
  ERR_clear_error();
  SSL_shutdown(c->ssl);
  if (linger) {
    // Its bytes still unread, a close would reset the connection and could destroy our answer
    // before the client reads it: close our side, and let the reactor drain theirs a while.
    ::shutdown(c->fd, SHUT_WR);
    c->Enter(Connection::State::kLinger, kLinger);
    pool_->Watch(std::move(c));
  }
}

}  // namespace percept
