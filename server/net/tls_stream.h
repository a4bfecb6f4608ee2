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

// Writes all of `data` to `c`, waiting at most `timeout` for the peer to take each part; false
// when it could not.
inline bool WriteAll(ClientConnection& c, const char* data, size_t size,
                     Clock::duration timeout) {
  while (size > 0) {
    const int want = static_cast<int>(std::min<size_t>(size, INT_MAX));
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
      ERR_clear_error();
      const int n = SSL_write(c.ssl, data, want);
      if (n > 0) {
        data += n;
        size -= static_cast<size_t>(n);
        break;
      }
      const int err = SSL_get_error(c.ssl, n);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
      if (!Ready(c.fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return false;
    }
  }
  return true;
}

// What cpp-httplib reads is one whole request, already read and checked by our RequestReader
// (request_reader.h) and held in memory; what it writes goes to the TLS connection.
class RequestStream final : public httplib::Stream {
 public:
  RequestStream(ClientConnection& c, std::string request)
      : c_(c),
        request_(std::move(request)),
        io_timeout_(std::chrono::seconds(c.gate->limits.io_timeout_seconds)) {}

  bool is_readable() const override { return pos_ < request_.size(); }
  bool is_writable() const override { return Ready(c_.fd, POLLOUT, Clock::now() + io_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, request_.size() - pos_);
    if (n == 0) return -1;  // cpp-httplib reads exactly one request; nothing lies beyond
    std::memcpy(ptr, request_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    return WriteAll(c_, ptr, size, io_timeout_) ? static_cast<ssize_t>(size) : -1;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, c_.fd, c_.remote, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, c_.fd, c_.local, ip, port);
  }
  socket_t socket() const override { return c_.fd; }

 private:
  static void Address(int (*get)(int, sockaddr*, socklen_t*), int fd,
                      ClientConnection::Endpoint& end, std::string& ip, int& port) {
    if (!end.known) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      char host[NI_MAXHOST] = "";
      char serv[NI_MAXSERV] = "";
      if (get(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
          getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        end.ip = host;
        end.port = std::atoi(serv);
      }
      end.known = true;
    }
    ip = end.ip;
    port = end.port;
  }

  ClientConnection& c_;
  std::string request_;
  size_t pos_ = 0;
  Clock::duration io_timeout_;
};

}  // namespace percept
