// cpp-httplib's Stream over one of our connections. Internal to server/ (connections.cc).
#pragma once

#include <httplib.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "connection.h"

namespace percept {

// cpp-httplib's Stream over a connection: first the bytes the reactor already read, then the
// non-blocking TLS socket, with one deadline for each request.
class TlsStream final : public httplib::Stream {
 public:
  explicit TlsStream(GuardedTlsServer::Connection& c)
      : c_(c),
        io_timeout_(std::chrono::seconds(c.gate->limits.io_timeout_seconds)),
        request_timeout_(RequestTime(c)),
        seconds_per_body_byte_(
            1.0 / static_cast<double>(std::max<size_t>(1, c.gate->limits.min_body_rate))) {}

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
    SetCurrentReadFailure(ReadFailure::kNone);
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
    SetCurrentReadFailure(f);
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

}  // namespace percept
