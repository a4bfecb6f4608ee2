#include "connections.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace percept {

using Clock = std::chrono::steady_clock;

namespace {

// Connections accepted over the cap that still get their 503; beyond these, closed at once.
constexpr int64_t kOverCapBacklog = 64;
// The same, for one address over its own limit.
constexpr int kOverAddressBacklog = 8;
// Time for a TLS handshake, and for a connection over the cap to send the request it is
// refused.
constexpr auto kHandshakeTime = std::chrono::seconds(10);
constexpr auto kOverCapRequestTime = std::chrono::seconds(3);
// After an answer a worker looks this long for the client's next request before handing the
// connection back to the reactor: back-to-back requests (a tablet's batches) skip the hop.
constexpr auto kWorkerKeepsFor = std::chrono::milliseconds(2);
constexpr auto kLinger = std::chrono::seconds(2);
constexpr int kReactorTickMs = 100;

thread_local ReadFailure t_read_failure = ReadFailure::kNone;
thread_local bool t_over_cap = false;

enum class Wait { kReady, kTimedOut, kError };

// Waits until `fd` is ready for `events` or `deadline` passes. Readiness includes the peer
// closing: the next read then sees it.
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

bool Ready(int fd, short events, Clock::time_point deadline) {
  return WaitFor(fd, events, deadline) == Wait::kReady;
}

// Whether `text` holds the blank line that ends a header block, looking from `from` on.
bool HeadersComplete(const std::string& text, size_t from) {
  from = from >= 3 ? from - 3 : 0;
  return text.find("\r\n\r\n", from) != std::string::npos ||
         text.find("\n\n", from) != std::string::npos;
}

}  // namespace

struct GuardedTlsServer::Gate {
  enum class Admission { kServe, kRefuse, kClose };

  explicit Gate(const ConnectionLimits& l) : limits(l) {}

  // Counts a connection from `address` in (unless closed at once) and says how to treat it:
  // served, answered 503, or closed.
  Admission Admit(const std::string& address) {
    const int64_t now_open = open.load();
    if (now_open >= limits.max_connections + kOverCapBacklog) return Reject(Admission::kClose);
    bool refuse = now_open >= limits.max_connections;
    if (limits.max_per_address > 0) {
      std::lock_guard<std::mutex> lock(addresses_mu);
      int& n = per_address[address];
      if (n >= limits.max_per_address + kOverAddressBacklog) {
        rejected_per_address++;
        return Reject(Admission::kClose);
      }
      if (n >= limits.max_per_address) {
        rejected_per_address++;
        refuse = true;
      }
      ++n;
    }
    open++;
    return refuse ? Reject(Admission::kRefuse) : (accepted++, Admission::kServe);
  }

  void Leave(const std::string& address) {
    open--;
    if (limits.max_per_address <= 0) return;
    std::lock_guard<std::mutex> lock(addresses_mu);
    auto it = per_address.find(address);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }

  Admission Reject(Admission a) {
    rejected++;
    return a;
  }

  const ConnectionLimits limits;
  std::atomic<int64_t> open{0};
  std::atomic<int64_t> waiting{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, rejected_per_address{0}, timed_out{0},
      headers_too_large{0};
  std::mutex addresses_mu;
  std::unordered_map<std::string, int> per_address;  // open connections by peer address
};

struct GuardedTlsServer::Connection {
  enum class State { kHandshake, kIdle, kHeaders, kLinger };

  // Takes over `fd` and `ssl`, admitted by `g` for `from`.
  Connection(int fd_in, SSL* ssl_in, bool over, std::shared_ptr<Gate> g, std::string from)
      : fd(fd_in), ssl(ssl_in), over_cap(over), gate(std::move(g)), address(std::move(from)) {}
  ~Connection() {
    SSL_free(ssl);
    ::close(fd);
    gate->Leave(address);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Enter(State s, Clock::duration for_at_most) {
    state = s;
    deadline = Clock::now() + for_at_most;
  }

  const int fd;
  SSL* const ssl;
  const bool over_cap;
  std::shared_ptr<Gate> gate;
  const std::string address;  // the peer's address bytes, for its own limit
  State state = State::kHandshake;
  Clock::time_point deadline;
  Clock::time_point request_start;
  std::string buffered;  // decrypted bytes of the next request, read by the reactor
  ReadFailure failure = ReadFailure::kNone;  // found by the reactor; a worker answers it
};

using ConnectionPtr = std::unique_ptr<GuardedTlsServer::Connection>;

namespace {

// cpp-httplib's Stream over a connection: first the bytes the reactor already read, then the
// non-blocking TLS socket, with one deadline for each request.
class TlsStream final : public httplib::Stream {
 public:
  TlsStream(GuardedTlsServer::Connection& c, const ConnectionLimits& limits,
            Clock::duration request_timeout)
      : c_(c),
        io_timeout_(std::chrono::seconds(limits.io_timeout_seconds)),
        request_timeout_(request_timeout),
        seconds_per_body_byte_(1.0 /
                               static_cast<double>(std::max<size_t>(1, limits.min_body_rate))) {}

  // A request starts: its clock from its first byte, and whatever the reactor found wrong.
  void BeginRequest() {
    start_ = c_.request_start;
    in_headers_ = true;
    header_bytes_ = 0;
    body_bytes_ = 0;
    tail_ = 0;
    failure_ = ReadFailure::kNone;
    pending_failure_ = c_.failure;
    c_.failure = ReadFailure::kNone;
    t_read_failure = ReadFailure::kNone;
  }
  ReadFailure failure() const { return failure_; }
  // Bytes of a next request already here (pipelined, or decrypted but not read).
  bool HasMore() const { return pos_ < c_.buffered.size() || SSL_pending(c_.ssl) > 0; }

  bool is_readable() const override {
    return HasMore() || Ready(c_.fd, POLLIN, Clock::now() + io_timeout_);
  }
  bool is_writable() const override { return Ready(c_.fd, POLLOUT, Clock::now() + io_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (failure_ != ReadFailure::kNone) return -1;
    if (pos_ < c_.buffered.size()) {
      const size_t n = std::min(size, c_.buffered.size() - pos_);
      std::memcpy(ptr, c_.buffered.data() + pos_, n);
      pos_ += n;
      if (pos_ == c_.buffered.size()) {
        c_.buffered.clear();
        pos_ = 0;
      }
      Account(ptr, n);
      return static_cast<ssize_t>(n);
    }
    if (pending_failure_ != ReadFailure::kNone) {
      Fail(pending_failure_);
      return -1;
    }
    const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    // cpp-httplib reads a request line and headers a byte at a time: bytes already decrypted
    // take the short way, without the error-queue bookkeeping of a read that may block.
    if (SSL_pending(c_.ssl) > 0) {
      const int n = SSL_read(c_.ssl, ptr, want);
      if (n > 0) {
        Account(ptr, static_cast<size_t>(n));
        return n;
      }
    }
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(c_.ssl, ptr, want);
      if (n > 0) {
        Account(ptr, static_cast<size_t>(n));
        return n;
      }
      const int err = SSL_get_error(c_.ssl, n);
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return -1;
      const Clock::time_point request_deadline = RequestDeadline();
      const Clock::time_point io_deadline = Clock::now() + io_timeout_;
      const Wait w = WaitFor(c_.fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                             std::min(io_deadline, request_deadline));
      if (w != Wait::kReady) {
        if (w == Wait::kTimedOut && request_deadline <= io_deadline) Fail(ReadFailure::kTimedOut);
        return -1;
      }
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    const Clock::time_point deadline = Clock::now() + io_timeout_;
    for (;;) {
      ERR_clear_error();
      const int n = SSL_write(c_.ssl, ptr, want);
      if (n > 0) return n;
      const int err = SSL_get_error(c_.ssl, n);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return -1;
      if (!Ready(c_.fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return c_.fd; }

 private:
  // Headers must be complete within the timeout; the body earns time as it arrives.
  Clock::time_point RequestDeadline() const {
    auto allowance = std::chrono::duration<double>(request_timeout_);
    if (!in_headers_) {
      allowance +=
          std::chrono::duration<double>(static_cast<double>(body_bytes_) * seconds_per_body_byte_);
    }
    return start_ + std::chrono::duration_cast<Clock::duration>(allowance);
  }

  // cpp-httplib reads the request line and headers a byte at a time, and then exactly the
  // body, so the blank line that ends the headers is seen here and nothing of the next request.
  void Account(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (!in_headers_) {
        body_bytes_ += n - i;
        break;
      }
      ++header_bytes_;
      tail_ = (tail_ << 8) | static_cast<unsigned char>(data[i]);
      if (tail_ == 0x0D0A0D0A || (tail_ & 0xFFFF) == 0x0A0A) in_headers_ = false;
    }
    if (in_headers_ && header_bytes_ > kMaxHeaderBytes) Fail(ReadFailure::kHeadersTooLarge);
  }

  void Fail(ReadFailure f) {
    failure_ = f;
    t_read_failure = f;
  }

  void Address(int (*get)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    char host[NI_MAXHOST] = "";
    char serv[NI_MAXSERV] = "";
    if (get(c_.fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
        getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = std::atoi(serv);
    }
  }

  GuardedTlsServer::Connection& c_;
  size_t pos_ = 0;  // into c_.buffered
  Clock::duration io_timeout_;
  Clock::duration request_timeout_;
  double seconds_per_body_byte_;
  Clock::time_point start_ = Clock::now();
  bool in_headers_ = true;
  size_t header_bytes_ = 0;
  size_t body_bytes_ = 0;
  uint32_t tail_ = 0;
  ReadFailure failure_ = ReadFailure::kNone;
  ReadFailure pending_failure_ = ReadFailure::kNone;
};

}  // namespace

// cpp-httplib's task queue, replaced. Accepted sockets are adopted by the reactor on the accept
// thread; the reactor passes a connection to the workers once its request headers are here.
class GuardedTlsServer::Pool final : public httplib::TaskQueue {
 public:
  Pool(std::shared_ptr<Gate> gate, std::function<void(ConnectionPtr)> serve)
      : gate_(std::move(gate)), serve_(std::move(serve)) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
    reactor_ = std::thread([this] { React(); });
    for (int i = 0; i < gate_->limits.threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~Pool() override {
    shutdown();
    ::close(epoll_);
    ::close(wake_);
  }

  // cpp-httplib's accept loop calls this with a task that calls process_and_close_socket.
  void enqueue(std::function<void()> fn) override { fn(); }

  // Closes what the reactor holds; workers finish the requests they have, then stop.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    Wake();
    reactor_.join();
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    std::lock_guard<std::mutex> lock(mu_);
    inbox_.clear();
  }

  // Any thread: the reactor takes `c` over (new, between requests, or lingering).
  void Watch(ConnectionPtr c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;  // closes it
      inbox_.push_back(std::move(c));
    }
    Wake();
  }

  // Whether a connection with a request is waiting for a worker.
  bool Busy() const { return gate_->waiting.load() > 0; }

 private:
  enum class Next { kWatch, kDispatch, kClose };

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof one);
  }

  void React() {
    std::unordered_map<int, ConnectionPtr> watched;
    std::vector<epoll_event> events(256);
    Clock::time_point next_sweep = Clock::now();
    for (;;) {
      const int n =
          ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), kReactorTickMs);
      std::vector<ConnectionPtr> arrived;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopped_) return;  // `watched` closes everything it holds
        arrived.swap(inbox_);
      }
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<size_t>(i)].data.fd;
        if (fd == wake_) {
          uint64_t count;
          [[maybe_unused]] ssize_t r = ::read(wake_, &count, sizeof count);
          continue;
        }
        auto it = watched.find(fd);
        if (it != watched.end()) Handle(watched, it);
      }
      for (ConnectionPtr& c : arrived) {
        const int fd = c->fd;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) continue;  // closes it
        auto it = watched.emplace(fd, std::move(c)).first;
        Handle(watched, it);  // TLS may hold bytes epoll cannot see
      }
      const Clock::time_point now = Clock::now();
      if (now >= next_sweep) {
        next_sweep = now + std::chrono::milliseconds(kReactorTickMs);
        for (auto it = watched.begin(); it != watched.end();) {
          Connection& c = *it->second;
          if (now < c.deadline) {
            ++it;
            continue;
          }
          if (c.state == Connection::State::kHeaders) {
            c.failure = ReadFailure::kTimedOut;  // a worker answers 408
            it = Release(watched, it, Next::kDispatch);
          } else {
            it = Release(watched, it, Next::kClose);  // handshake, idle or linger over
          }
        }
      }
    }
  }

  void Handle(std::unordered_map<int, ConnectionPtr>& watched,
              std::unordered_map<int, ConnectionPtr>::iterator it) {
    const Next next = Advance(*it->second);
    if (next != Next::kWatch) Release(watched, it, next);
  }

  std::unordered_map<int, ConnectionPtr>::iterator Release(
      std::unordered_map<int, ConnectionPtr>& watched,
      std::unordered_map<int, ConnectionPtr>::iterator it, Next next) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
    ConnectionPtr c = std::move(it->second);
    it = watched.erase(it);
    if (next == Next::kDispatch) Dispatch(std::move(c));
    return it;
  }

  // Moves a connection on as far as its bytes allow, without blocking.
  Next Advance(Connection& c) {
    const ConnectionLimits& limits = gate_->limits;
    if (c.state == Connection::State::kHandshake) {
      ERR_clear_error();
      const int r = SSL_accept(c.ssl);
      if (r != 1) {
        const int err = SSL_get_error(c.ssl, r);
        return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? Next::kWatch
                                                                         : Next::kClose;
      }
      c.Enter(Connection::State::kIdle,
              c.over_cap ? Clock::duration(kOverCapRequestTime)
                         : Clock::duration(std::chrono::seconds(limits.request_timeout_seconds)));
    }
    if (c.state == Connection::State::kLinger) {
      char buf[4096];
      for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) continue;
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? Next::kWatch : Next::kClose;
      }
    }
    char buf[16384];
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(c.ssl, buf, sizeof buf);
      if (n <= 0) {
        const int err = SSL_get_error(c.ssl, n);
        return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? Next::kWatch
                                                                         : Next::kClose;
      }
      if (c.state == Connection::State::kIdle) {
        c.request_start = Clock::now();
        c.Enter(Connection::State::kHeaders,
                c.over_cap ? Clock::duration(kOverCapRequestTime)
                           : Clock::duration(std::chrono::seconds(limits.request_timeout_seconds)));
      }
      const size_t from = c.buffered.size();
      c.buffered.append(buf, static_cast<size_t>(n));
      if (HeadersComplete(c.buffered, from)) return Next::kDispatch;
      if (c.buffered.size() > kMaxHeaderBytes) {
        c.failure = ReadFailure::kHeadersTooLarge;  // a worker answers 431
        return Next::kDispatch;
      }
    }
  }

  void Dispatch(ConnectionPtr c) {
    gate_->waiting++;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  void Work() {
    for (;;) {
      ConnectionPtr c;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopped_ || !ready_.empty(); });
        if (ready_.empty()) return;
        c = std::move(ready_.front());
        ready_.pop_front();
      }
      gate_->waiting--;
      serve_(std::move(c));
    }
  }

  std::shared_ptr<Gate> gate_;
  std::function<void(ConnectionPtr)> serve_;
  int epoll_ = -1;
  int wake_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::vector<ConnectionPtr> inbox_;  // for the reactor
  std::deque<ConnectionPtr> ready_;   // for the workers
  std::thread reactor_;
  std::vector<std::thread> workers_;
};

ReadFailure CurrentReadFailure() { return t_read_failure; }
bool CurrentConnectionOverCap() { return t_over_cap; }

GuardedTlsServer::GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls,
                                   const ConnectionLimits& limits)
    : httplib::SSLServer(setup_tls), limits_(limits), gate_(std::make_shared<Gate>(limits)) {
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
  const Clock::duration request_timeout =
      c->over_cap ? Clock::duration(kOverCapRequestTime)
                  : Clock::duration(std::chrono::seconds(limits_.request_timeout_seconds));
  TlsStream stream(*c, limits_, request_timeout);
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
    c->Enter(Connection::State::kIdle, std::chrono::seconds(limits_.keep_alive_seconds));
    pool_->Watch(std::move(c));
  } else if (linger) {
    // Its bytes still unread, a close would reset the connection and could destroy our answer
    // before the client reads it: close our side, and let the reactor drain theirs a while.
    ERR_clear_error();
    SSL_shutdown(c->ssl);
    ::shutdown(c->fd, SHUT_WR);
    c->Enter(Connection::State::kLinger, kLinger);
    pool_->Watch(std::move(c));
  } else {
    ERR_clear_error();
    SSL_shutdown(c->ssl);
  }
}

}  // namespace percept
