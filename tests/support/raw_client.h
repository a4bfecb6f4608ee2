// A client that misbehaves on purpose, for the tests of the connection layer: it connects from
// any loopback address, and writes exactly the bytes it is given, when it is given them.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>

#include "server_process.h"

namespace percept::testing {

using Clock = std::chrono::steady_clock;

// A TCP connection to the server on loopback, from `source` (any 127/8 address is this machine).
inline int ConnectTcp(int port, const char* source = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    throw std::runtime_error("cannot bind to " + std::string(source));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to the server");
  }
  timeval tv{0, 300 * 1000};  // reads give up after 0.3 s, so a client can keep trickling
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// A TLS client that writes exactly the bytes it is given, when it is given them.
class RawTlsClient {
 public:
  explicit RawTlsClient(const ServerProcess& server, const char* source = "127.0.0.1")
      : RawTlsClient(server.port, server.dir() + "/dev-cert.pem", source) {}
  // To whatever listens on `port` with a certificate `cacert` vouches for (a proxy in front).
  RawTlsClient(int port, const std::string& cacert, const char* source)
      : fd_(ConnectTcp(port, source)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, cacert.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    // SO_RCVTIMEO's timeouts come back as SSL_ERROR_WANT_READ: wait on; all else fails.
    for (int i = 0; i < 100; ++i) {
      const int r = SSL_connect(ssl_);
      if (r == 1) return;
      if (SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ) break;
    }
    throw std::runtime_error("TLS handshake failed");
  }
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;
  ~RawTlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
  }

  // False once the server has closed the connection.
  bool Send(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }

  // Takes whatever the server sent in the last 0.3 s; false when the connection has ended.
  bool Poll() {
    char buf[4096];
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      return true;
    }
    return SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ;  // nothing within 0.3 s
  }

  // Polls until the connection ends or `seconds` pass; returns all that was received.
  const std::string& ReadAll(double seconds) {
    const auto until = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < until && Poll()) {
    }
    return received_;
  }

  const std::string& received() const { return received_; }

 private:
  int fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string received_;
};

inline int StatusOf(const std::string& response) {
  std::smatch m;
  if (!std::regex_search(response, m, std::regex("^HTTP/1\\.1 (\\d{3}) "))) return 0;
  return std::stoi(m[1]);
}

inline nlohmann::json BodyOf(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? nlohmann::json()
                                 : nlohmann::json::parse(response.substr(at + 4), nullptr, false);
}

inline double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline uint64_t Metric(ServerProcess& server, const std::string& name) {
  auto r = server.Client()->Get("/metrics");
  REQUIRE(r);
  std::smatch m;
  REQUIRE(std::regex_search(r->body, m, std::regex("\n" + name + " (\\d+)")));
  return std::stoull(m[1]);
}

}  // namespace percept::testing
