#include "percept/net/connections.h"

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
#include "percept/net/http_status.h"
#include "tls_stream.h"

namespace percept {

namespace {

// The slot of an SSL connection that points at its RequestScope.
int ScopeIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

RequestScope* RequestScopeOf(const httplib::Request& req) {
  if (req.ssl == nullptr) return nullptr;
  return static_cast<RequestScope*>(SSL_get_ex_data(req.ssl, ScopeIndex()));
}

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

Pulled Pull(ClientConnection& c, bool read_socket) {
  using State = ClientConnection::State;
  using Progress = RequestReader::Progress;
  char buf[16384];
  size_t n = 0;  // bytes read this time round; the first pass looks at what is held
  for (;;) {
    const Progress p = c.reader.Feed(buf, n);
    if (c.state == State::kIdle && c.reader.started()) {  // a request's first byte
      c.request_start = Clock::now();
      c.Enter(State::kHeaders, RequestTime(c));
    }
    if (c.state == State::kBody) c.deadline = RequestDeadline(c);
    if (p != Progress::kNeedMore) return Pulled::kRequest;
    if (!read_socket) return Pulled::kMore;
    ERR_clear_error();
    const int r = SSL_read(c.ssl, buf, sizeof buf);
    if (r <= 0) {
      const int err = SSL_get_error(c.ssl, r);
      return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? Pulled::kMore
                                                                       : Pulled::kClosed;
    }
    n = static_cast<size_t>(r);
  }
}

GuardedTlsServer::GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls,
                                   const ConnectionLimits& limits, RequestHooks hooks)
    : httplib::SSLServer(setup_tls),
      gate_(std::make_shared<ConnectionGate>(limits)),
      hooks_(std::move(hooks)) {
  new_task_queue = [this] {
    pool_ = new ConnectionPool(gate_, [this](ConnectionPtr c) { Serve(std::move(c)); });
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
  s.malformed = gate_->malformed.load();
  s.refused_bodies = gate_->refused_bodies.load();
  s.shed = gate_->shed.load();
  s.body_bytes_reserved = gate_->body_reserved.load();
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
  const ConnectionGate::Admission admission = gate_->Admit(address);
  if (admission == ConnectionGate::Admission::kClose) {
    SSL_free(ssl);
    ::close(sock);
    return false;
  }
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  const int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto c = std::make_unique<ClientConnection>(sock, ssl, admission == ConnectionGate::Admission::kRefuse, gate_,
                                        std::move(address));
  c->Enter(ClientConnection::State::kHandshake, kHandshakeTime);
  pool_->Watch(std::move(c));
  return true;
}

void GuardedTlsServer::Refuse(ClientConnection& c, const Status& status) {
  int http = HttpStatusFor(status.code());
  const RequestHead* head = c.reader.head().method.empty() ? nullptr : &c.reader.head();
  std::string content_type = "application/json", body, headers;
  if (!hooks_.render_refusal ||
      !hooks_.render_refusal(head, status, &http, &content_type, &body, &headers)) {
    body = nlohmann::json({{"error", ErrorObject(status)}})
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = "HTTP/1.1 " + std::to_string(http) + " " + ReasonPhrase(http) +
                    "\r\nContent-Type: " + content_type +
                    "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n" + headers;
  if (http == 503 || http == 429) out += "Retry-After: 2\r\n";
  if (http == 401) out += "WWW-Authenticate: Bearer realm=\"percept\"\r\n";
  out += "\r\n" + body;
  switch (http) {
    case 408:
      gate_->timed_out++;
      break;
    case 431:
      gate_->headers_too_large++;
      break;
    case 400:
      gate_->malformed++;
      break;
    case 503:
      break;
    default:
      gate_->refused_bodies++;
      break;
  }
  WriteAll(c, out.data(), out.size(), std::chrono::seconds(gate_->limits.io_timeout_seconds));
  if (hooks_.answered) hooks_.answered(head, http);
}

void GuardedTlsServer::Serve(ConnectionPtr c) {
  using Progress = RequestReader::Progress;
  bool keep = false;  // hand back to the reactor for its next request (or the rest of a body)
  bool linger = false;
  for (;;) {
    RequestReader& reader = c->reader;
    Status refusal;
    if (c->timed_out) {
      refusal = Status::InputTooSlow("the request did not arrive in time");
    } else if (reader.progress() == Progress::kFailed) {
      refusal = reader.failure();
    } else if (c->over_cap) {
      refusal = Status::Unavailable("the server is at its connection limit; retry shortly");
    } else if (reader.progress() == Progress::kHead) {
      // Admitted before a byte of the body is kept: caller, route, size, memory.
      size_t max_body = gate_->limits.max_body;
      refusal =
          hooks_.admit_body ? hooks_.admit_body(reader.head(), &max_body, &c->scope) : Status::Ok();
      const int64_t reserve = static_cast<int64_t>(
          reader.head().chunked ? max_body
                                : std::min<uint64_t>(max_body, reader.head().content_length));
      if (refusal.ok() && !gate_->ReserveBody(reserve)) {
        refusal = Status::Unavailable("the server is receiving too many bodies; retry shortly");
      }
      if (refusal.ok()) {
        c->reserved = reserve;
        c->authenticated = true;
        if (reader.AllowBody(max_body) == Progress::kNeedMore) {
          static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
          if (reader.head().expect_continue &&
              !WriteAll(*c, kContinue, sizeof kContinue - 1, std::chrono::seconds(1))) {
            break;
          }
          const Pulled p = Pull(*c);
          if (p == Pulled::kClosed) break;
          if (p == Pulled::kMore) {  // the reactor receives the rest; it costs no worker
            c->Enter(ClientConnection::State::kBody, Clock::duration::zero());
            c->deadline = RequestDeadline(*c);
            keep = true;
            break;
          }
        }
        continue;  // complete, or failed: looked at again above
      }
    }
    if (!refusal.ok()) {
      c->scope = RequestScope{};
      Refuse(*c, refusal);
      linger = true;
      break;
    }
    // A whole request: cpp-httplib parses it from memory and runs the route.
    RequestStream stream(*c, reader.Take());
    bool client_closed = false;
    c->scope.start = Clock::now();
    SSL_set_ex_data(c->ssl, ScopeIndex(), &c->scope);
    const bool ok = process_request(stream, /*close_connection=*/false, client_closed,
                                    [&c](httplib::Request& req) { req.ssl = c->ssl; });
    c->scope = RequestScope{};
    c->ReleaseBody();
    c->requests++;
    if (!ok || client_closed || svr_sock_ == INVALID_SOCKET) break;
    // The next request may be here already, or in a moment (a tablet's next batch).
    c->Enter(ClientConnection::State::kIdle, std::chrono::seconds(gate_->limits.keep_alive_seconds));
    // A client seldom sends its next request before reading our answer: unless TLS holds its
    // bytes already, wait for the socket before reading it, one system call saved per request.
    Pulled p = Pull(*c, /*read_socket=*/SSL_has_pending(c->ssl) == 1);
    if (p == Pulled::kMore && !pool_->Busy() &&
        Ready(c->fd, POLLIN, Clock::now() + kWorkerKeepsFor)) {
      p = Pull(*c);
    }
    if (p == Pulled::kClosed) break;
    if (p == Pulled::kMore) {
      keep = true;
      break;
    }
  }
  if (keep) {
    pool_->Watch(std::move(c));
    return;
  }
  ERR_clear_error();
  SSL_shutdown(c->ssl);
  if (linger) {
    // Its bytes still unread, a close would reset the connection and could destroy our answer
    // before the client reads it: close our side, and let the reactor drain theirs a while.
    ::shutdown(c->fd, SHUT_WR);
    c->Enter(ClientConnection::State::kLinger, kLinger);
    pool_->Watch(std::move(c));
  }
}

}  // namespace percept
