#include "connections.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace percept {

using Clock = std::chrono::steady_clock;

struct GuardedTlsServer::Gate {
  explicit Gate(const ConnectionLimits& l) : limits(l) {}
  const ConnectionLimits limits;
  std::atomic<int64_t> open{0};
  std::atomic<int> waiting{0};   // accepted, no worker yet
  std::atomic<int> yielding{0};  // idle connections closing for a waiting one
  std::atomic<uint64_t> accepted{0}, rejected{0}, timed_out{0}, headers_too_large{0}, yields{0};
};

namespace {

// How the thread running cpp-httplib's per-connection task should treat its socket.
enum class Admission { kServe, kReject, kDrop };
thread_local Admission t_admission = Admission::kServe;
thread_local bool t_yielded = false;
thread_local ReadFailure t_read_failure = ReadFailure::kNone;
thread_local bool t_over_cap = false;

// Connections over the cap wait here for the one thread that answers them 503; beyond this
// many the accept thread closes them at once.
constexpr size_t kRejectBacklog = 64;
constexpr int kHandshakeSeconds = 10;
constexpr auto kPollSlice = std::chrono::milliseconds(100);
// Time for a request's headers while connections wait for a worker, and for a connection over
// the cap to say what it wants before its 503.
constexpr auto kPressedHeaderTime = std::chrono::seconds(3);
constexpr auto kLinger = std::chrono::seconds(2);

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

// cpp-httplib's Stream over a non-blocking TLS socket, with one deadline for each request.
class TlsStream final : public httplib::Stream {
 public:
  // `waiting`: how many connections wait for a worker; while any do, headers get less time.
  TlsStream(SSL* ssl, int fd, const ConnectionLimits& limits, Clock::duration request_timeout,
            const std::atomic<int>* waiting)
      : ssl_(ssl),
        fd_(fd),
        waiting_(waiting),
        io_timeout_(std::chrono::seconds(limits.io_timeout_seconds)),
        request_timeout_(request_timeout),
        seconds_per_body_byte_(1.0 /
                               static_cast<double>(std::max<size_t>(1, limits.min_body_rate))) {}

  // The request's first byte is here: its clock starts.
  void BeginRequest() {
    start_ = Clock::now();
    in_headers_ = true;
    header_bytes_ = 0;
    body_bytes_ = 0;
    tail_ = 0;
    failure_ = ReadFailure::kNone;
    t_read_failure = failure_;
  }
  ReadFailure failure() const { return failure_; }

  bool is_readable() const override {
    return SSL_pending(ssl_) > 0 || Ready(fd_, POLLIN, Clock::now() + io_timeout_);
  }
  bool is_writable() const override { return Ready(fd_, POLLOUT, Clock::now() + io_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (failure_ != ReadFailure::kNone) return -1;
    const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    // cpp-httplib reads the headers a byte at a time: bytes already decrypted take the short
    // way, without the error-queue bookkeeping of a read that may block.
    if (SSL_pending(ssl_) > 0) {
      const int n = SSL_read(ssl_, ptr, want);
      if (n > 0) {
        Account(ptr, n);
        return n;
      }
    }
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(ssl_, ptr, want);
      if (n > 0) {
        Account(ptr, n);
        return n;
      }
      const int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return -1;
      // Waits in slices, as the deadline shortens when connections start waiting.
      const Clock::time_point io_deadline = Clock::now() + io_timeout_;
      Wait w = Wait::kTimedOut;
      while (w == Wait::kTimedOut) {
        const Clock::time_point request_deadline = RequestDeadline();
        const Clock::time_point now = Clock::now();
        if (now >= request_deadline) {
          Fail(ReadFailure::kTimedOut);
          return -1;
        }
        if (now >= io_deadline) return -1;
        w = WaitFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                    std::min({io_deadline, request_deadline, now + kPollSlice}));
      }
      if (w != Wait::kReady) return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    const Clock::time_point deadline = Clock::now() + io_timeout_;
    for (;;) {
      ERR_clear_error();
      const int n = SSL_write(ssl_, ptr, want);
      if (n > 0) return n;
      const int err = SSL_get_error(ssl_, n);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return -1;
      if (!Ready(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // Headers must be complete within the timeout; the body earns time as it arrives.
  // A worker held by slow headers while others wait is what a slow-header attack is after;
  // any real client sends its headers in one go, so then they get kPressedHeaderTime.
  Clock::time_point RequestDeadline() const {
    auto allowance = std::chrono::duration<double>(request_timeout_);
    if (in_headers_ && waiting_->load() > 0) {
      allowance = std::min(allowance, std::chrono::duration<double>(kPressedHeaderTime));
    }
    if (!in_headers_) {
      allowance += std::chrono::duration<double>(body_bytes_ * seconds_per_body_byte_);
    }
    return start_ + std::chrono::duration_cast<Clock::duration>(allowance);
  }

  // cpp-httplib reads the request line and headers a byte at a time, and then exactly the
  // body, so the blank line that ends the headers is seen here and nothing of the next request.
  void Account(const char* data, int n) {
    for (int i = 0; i < n; ++i) {
      if (!in_headers_) {
        body_bytes_ += static_cast<size_t>(n - i);
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
    if (get(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
        getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = std::atoi(serv);
    }
  }

  SSL* ssl_;
  int fd_;
  const std::atomic<int>* waiting_;
  Clock::duration io_timeout_;
  Clock::duration request_timeout_;
  double seconds_per_body_byte_;
  Clock::time_point start_ = Clock::now();
  bool in_headers_ = true;
  size_t header_bytes_ = 0;
  size_t body_bytes_ = 0;
  uint32_t tail_ = 0;
  ReadFailure failure_ = ReadFailure::kNone;
};

// cpp-httplib's task queue, replaced: workers for connections within the cap, one thread that
// answers those over it, and the counts the idle connections look at to give way.
class WorkerPool final : public httplib::TaskQueue {
 public:
  explicit WorkerPool(std::shared_ptr<GuardedTlsServer::Gate> gate) : gate_(std::move(gate)) {
    for (int i = 0; i < gate_->limits.threads; ++i) workers_.emplace_back([this] { Work(); });
    rejecter_ = std::thread([this] { Reject(); });
  }
  ~WorkerPool() override { shutdown(); }

  // Called by cpp-httplib's accept loop, one connection at a time.
  void enqueue(std::function<void()> fn) override {
    if (gate_->open.load() >= gate_->limits.max_connections) {
      gate_->rejected++;
      std::unique_lock<std::mutex> lock(mu_);
      if (rejects_.size() < kRejectBacklog) {
        rejects_.push_back(std::move(fn));
        lock.unlock();
        reject_cv_.notify_one();
        return;
      }
      lock.unlock();
      t_admission = Admission::kDrop;  // closes the socket, nothing more
      fn();
      t_admission = Admission::kServe;
      return;
    }
    gate_->open++;
    gate_->accepted++;
    gate_->waiting++;
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

  // Runs what was accepted (each finds the server stopped and closes), then joins.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    reject_cv_.notify_all();
    for (auto& t : workers_) t.join();
    rejecter_.join();
  }

 private:
  // The next task of `tasks`; empty once the pool is stopped and they are all done.
  std::function<void()> Next(std::deque<std::function<void()>>& tasks,
                             std::condition_variable& cv) {
    std::unique_lock<std::mutex> lock(mu_);
    cv.wait(lock, [&] { return stopped_ || !tasks.empty(); });
    if (tasks.empty()) return {};
    std::function<void()> fn = std::move(tasks.front());
    tasks.pop_front();
    return fn;
  }

  void Work() {
    while (std::function<void()> fn = Next(jobs_, cv_)) {
      gate_->waiting--;
      fn();
      gate_->open--;
      if (t_yielded) {
        t_yielded = false;
        gate_->yielding--;
      }
    }
  }

  void Reject() {
    t_admission = Admission::kReject;
    while (std::function<void()> fn = Next(rejects_, reject_cv_)) fn();
  }

  std::shared_ptr<GuardedTlsServer::Gate> gate_;
  std::mutex mu_;
  std::condition_variable cv_, reject_cv_;
  std::deque<std::function<void()>> jobs_, rejects_;
  bool stopped_ = false;
  std::vector<std::thread> workers_;
  std::thread rejecter_;
};

bool Handshake(SSL* ssl, int fd, Clock::time_point deadline) {
  for (;;) {
    ERR_clear_error();
    const int r = SSL_accept(ssl);
    if (r == 1) return true;
    const int err = SSL_get_error(ssl, r);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
    if (!Ready(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return false;
  }
}

// After answering a client we stop reading (a timeout, a refusal), close our side but keep
// reading briefly: closing with its bytes unread would reset the connection and could destroy
// the answer before the client reads it.
void LingeringClose(SSL* ssl, int fd) {
  ERR_clear_error();
  SSL_shutdown(ssl);
  ::shutdown(fd, SHUT_WR);
  const Clock::time_point until = Clock::now() + kLinger;
  char buf[4096];
  while (Ready(fd, POLLIN, until)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
}

}  // namespace

ReadFailure CurrentReadFailure() { return t_read_failure; }
bool CurrentConnectionOverCap() { return t_over_cap; }

GuardedTlsServer::GuardedTlsServer(const std::function<bool(SSL_CTX&)>& setup_tls,
                                   const ConnectionLimits& limits)
    : httplib::SSLServer(setup_tls), limits_(limits), gate_(std::make_shared<Gate>(limits)) {
  std::shared_ptr<Gate> gate = gate_;
  new_task_queue = [gate] { return new WorkerPool(gate); };
}

GuardedTlsServer::~GuardedTlsServer() = default;

void GuardedTlsServer::WidenBacklog() {
  const socket_t s = svr_sock_;
  if (s != INVALID_SOCKET) ::listen(s, SOMAXCONN);
}

ConnectionStats GuardedTlsServer::stats() const {
  ConnectionStats s;
  s.open = gate_->open.load();
  s.accepted = gate_->accepted.load();
  s.rejected = gate_->rejected.load();
  s.timed_out = gate_->timed_out.load();
  s.headers_too_large = gate_->headers_too_large.load();
  s.keep_alive_yields = gate_->yields.load();
  return s;
}

bool GuardedTlsServer::process_and_close_socket(socket_t sock) {
  const Admission admission = t_admission;
  if (admission == Admission::kDrop) {
    ::close(sock);
    return false;
  }
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  const int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  const ConnectionLimits& limits = limits_;
  const bool over_cap = admission == Admission::kReject;
  bool served = false;
  SSL* ssl = SSL_new(ssl_context());
  const auto handshake_deadline =
      Clock::now() +
      std::chrono::seconds(std::min(limits.request_timeout_seconds, kHandshakeSeconds));
  if (ssl && SSL_set_fd(ssl, sock) == 1 && Handshake(ssl, sock, handshake_deadline)) {
    const Clock::duration request_timeout =
        over_cap ? std::min<Clock::duration>(kPressedHeaderTime,
                                             std::chrono::seconds(limits.request_timeout_seconds))
                 : std::chrono::seconds(limits.request_timeout_seconds);
    TlsStream stream(ssl, sock, limits, request_timeout, &gate_->waiting);
    t_over_cap = over_cap;
    bool linger = false;
    auto idle_limit = std::chrono::seconds(limits.request_timeout_seconds);
    for (;;) {
      // Wait for the next request's first byte: until the idle limit, the server stopping, or
      // a waiting connection needing this worker more than an idle client does.
      bool request = SSL_pending(ssl) > 0;
      const Clock::time_point idle_since = Clock::now();
      while (!request && svr_sock_ != INVALID_SOCKET) {
        const Clock::time_point now = Clock::now();
        if (now - idle_since >= idle_limit) break;
        if (now - idle_since >= kPollSlice) {
          int y = gate_->yielding.load();
          if (y < gate_->waiting.load() && gate_->yielding.compare_exchange_strong(y, y + 1)) {
            t_yielded = true;
            gate_->yields++;
            break;
          }
        }
        request = Ready(sock, POLLIN, std::min(idle_since + idle_limit, now + kPollSlice));
      }
      if (!request || svr_sock_ == INVALID_SOCKET) break;
      idle_limit = std::chrono::seconds(limits.keep_alive_seconds);

      stream.BeginRequest();
      bool client_closed = false;
      const bool ok = process_request(stream, over_cap, client_closed,
                                      [ssl](httplib::Request& req) { req.ssl = ssl; });
      if (stream.failure() != ReadFailure::kNone) {
        (stream.failure() == ReadFailure::kTimedOut ? gate_->timed_out
                                                    : gate_->headers_too_large)++;
        linger = true;
        break;
      }
      if (over_cap) linger = true;
      if (!ok || client_closed || over_cap) break;
    }
    served = true;
    if (linger) {
      LingeringClose(ssl, sock);
    } else {
      ERR_clear_error();
      SSL_shutdown(ssl);
    }
    t_over_cap = false;
    t_read_failure = ReadFailure::kNone;
  }
  ERR_clear_error();
  if (ssl) SSL_free(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return served;
}

}  // namespace percept
