// The connection layer's limits (server/connections.h), each against the real server over TLS:
// a request's read deadline, its header size, the connection cap, and idle keep-alive
// connections giving way to a waiting one. The misbehaving clients are written byte by byte
// here, because no HTTP library misbehaves on purpose.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <regex>
#include <thread>

#include "connection_limits.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// A TCP connection to the server on loopback, from `source` (any 127/8 address is this machine).
int ConnectTcp(int port, const char* source = "127.0.0.1") {
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
      : fd_(ConnectTcp(server.port, source)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, (server.dir() + "/dev-cert.pem").c_str(), nullptr);
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

int StatusOf(const std::string& response) {
  std::smatch m;
  if (!std::regex_search(response, m, std::regex("^HTTP/1\\.1 (\\d{3}) "))) return 0;
  return std::stoi(m[1]);
}

json BodyOf(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? json() : json::parse(response.substr(at + 4), nullptr, false);
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

uint64_t Metric(ServerProcess& server, const std::string& name) {
  auto r = server.Client()->Get("/metrics");
  REQUIRE(r);
  std::smatch m;
  REQUIRE(std::regex_search(r->body, m, std::regex("\n" + name + " (\\d+)")));
  return std::stoull(m[1]);
}

}  // namespace

TEST_CASE("a request trickled a byte at a time is cut off with 408, a slow tablet is not") {
  ServerProcess server({"--request-timeout", "2"});

  SECTION("headers that never end") {
    RawTlsClient slow(server);
    const auto start = Clock::now();
    REQUIRE(slow.Send("GET /api/v1/surveys HTTP/1.1\r\nHost: localhost\r\n"));
    // One header byte every 0.3 s (each read below waits that long) would take 60 s.
    const std::string header = "X-Slow: " + std::string(200, 'a');
    for (char byte : header) {
      if (!slow.Send(std::string(1, byte)) || !slow.Poll()) break;
      if (!slow.received().empty()) break;
    }
    const std::string& answer = slow.ReadAll(5);
    const double seconds = SecondsSince(start);
    CHECK(StatusOf(answer) == 408);
    CHECK(BodyOf(answer)["error"]["code"] == "request_timeout");
    CHECK(seconds >= 1.9);
    CHECK(seconds < 10);  // far sooner than the trickle would have ended
    CHECK(Metric(server, "percept_requests_timed_out_total") == 1);
  }

  SECTION("a body sent slowly but steadily is stored") {
    // 300 bytes every 0.25 s: past the 2 s allowance, but above 1,000 bytes a second.
    const std::string body =
        DemoInterview("5c1d7e2a-9b8f-4c3e-8a6d-2f1e0b9c8d7a",
                      {"cesfam-stgo-1", "cesfam-stgo-2", "omil-stgo", "dideco-stgo", "uif-stgo"})
            .dump();
    REQUIRE(body.size() > 3000);
    RawTlsClient tablet(server);
    REQUIRE(tablet.Send(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
        "Bearer " +
        server.enumerator_token + "\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n"));
    const auto start = Clock::now();
    for (size_t at = 0; at < body.size(); at += 300) {
      REQUIRE(tablet.Send(body.substr(at, 300)));
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(SecondsSince(start) > 2.0);
    const std::string& answer = tablet.ReadAll(10);
    CHECK(StatusOf(answer) == 201);
    CHECK(Metric(server, "percept_requests_timed_out_total") == 0);
  }

  // Either way the server goes on serving.
  auto again = server.Client()->Get("/healthz");
  REQUIRE(again);
  CHECK(again->status == 200);
}

TEST_CASE("a request whose headers exceed 16 KiB is refused with 431") {
  ServerProcess server;
  RawTlsClient client(server);
  std::string request = "GET /api/v1/surveys HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; request.size() < percept::kMaxHeaderBytes + 1000; ++i) {
    request += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'x') + "\r\n";
  }
  client.Send(request);  // the server may stop reading part-way; what it answered counts
  const std::string& answer = client.ReadAll(5);
  CHECK(StatusOf(answer) == 431);
  CHECK(BodyOf(answer)["error"]["code"] == "headers_too_large");
  CHECK(Metric(server, "percept_requests_headers_too_large_total") == 1);
}

TEST_CASE("over the connection cap a client gets 503 with Retry-After, and gets in once below") {
  ServerProcess server({"--threads", "2", "--max-connections", "3", "--request-timeout", "8"});
  // Three connections that never finish their handshake: two hold the workers, one waits.
  std::vector<int> holders;
  for (int i = 0; i < 3; ++i) holders.push_back(ConnectTcp(server.port));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  auto c = server.Client();
  c->set_keep_alive(false);
  auto refused = c->Get("/healthz");
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(std::stoi(refused->get_header_value("Retry-After")) >= 1);
  CHECK(json::parse(refused->body)["error"]["code"] == "unavailable");

  for (int fd : holders) ::close(fd);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    auto r = server.Client()->Get("/healthz");
    status = r ? r->status : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(Metric(server, "percept_connections_rejected_total") >= 1);
}

TEST_CASE("idle keep-alive connections hold no worker") {
  // Two workers, and two keep-alive clients that may idle for a minute.
  ServerProcess server({"--threads", "2", "--keep-alive", "60"});
  auto first = server.Client();
  auto second = server.Client();
  REQUIRE(first->Get("/healthz"));
  REQUIRE(second->Get("/healthz"));
  // Were a worker kept per connection the third would wait the full minute; it gives up at 10 s.
  auto third = server.Client();
  third->set_read_timeout(10, 0);
  third->set_connection_timeout(10, 0);
  auto r = third->Get("/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(Metric(server, "percept_connections_open") >= 3);  // all still open
  // Open idle connections do not keep the server from stopping cleanly.
  CHECK(server.Kill(SIGTERM) == 0);
}

TEST_CASE("one address over its own connection limit gets 503, and other addresses are served") {
  ServerProcess server({"--max-per-address", "2", "--request-timeout", "8"});
  // Two connections from 127.0.0.2 that never finish their handshake fill that address's quota.
  std::vector<int> holders = {ConnectTcp(server.port, "127.0.0.2"),
                              ConnectTcp(server.port, "127.0.0.2")};
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  RawTlsClient third(server, "127.0.0.2");
  third.Send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const std::string& refused = third.ReadAll(5);
  CHECK(StatusOf(refused) == 503);
  CHECK(refused.find("Retry-After: 2") != std::string::npos);
  CHECK(BodyOf(refused)["error"]["code"] == "unavailable");

  auto other = server.Client()->Get("/healthz");  // from 127.0.0.1
  REQUIRE(other);
  CHECK(other->status == 200);
  CHECK(Metric(server, "percept_connections_rejected_per_address_total") == 1);
  for (int fd : holders) ::close(fd);
}
