// The connection layer's limits (server/net/connections.cc), each against the real server over TLS:
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

#include "percept/net/connection_limits.h"
#include "raw_client.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

TEST_CASE("a request trickled a byte at a time is cut off with 408, a slow tablet is not",
          "[e2e]") {
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

TEST_CASE("a request whose headers exceed 16 KiB is refused with 431", "[e2e]") {
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

TEST_CASE(
    "at the connection cap silent connections give way, and only when all are served is it 503",
    "[e2e]") {
  ServerProcess server({"--threads", "2", "--max-connections", "3", "--request-timeout", "8"});
  {
    // Three connections that never finish their handshake fill the cap: a newcomer sheds one.
    std::vector<int> holders;
    for (int i = 0; i < 3; ++i) holders.push_back(ConnectTcp(server.port));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto c = server.Client();
    c->set_keep_alive(false);
    auto served = c->Get("/healthz");
    REQUIRE(served);
    CHECK(served->status == 200);
    for (int fd : holders) ::close(fd);
  }
  CHECK(Metric(server, "percept_connections_shed_total") >= 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the reactor sees them gone

  // Three enumerators each half-way through sending an admitted body: those are being served,
  // so the newcomer is answered 503 with Retry-After.
  {
    std::vector<std::unique_ptr<RawTlsClient>> uploads;
    for (int i = 0; i < 3; ++i) {
      uploads.push_back(std::make_unique<RawTlsClient>(server));
      REQUIRE(uploads.back()->Send(
          "POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
          server.enumerator_token +
          "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"instance_id\""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto c = server.Client();
    c->set_keep_alive(false);
    auto refused = c->Get("/healthz");
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(std::stoi(refused->get_header_value("Retry-After")) >= 1);
    CHECK(json::parse(refused->body)["error"]["code"] == "unavailable");
  }
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    auto r = server.Client()->Get("/healthz");
    status = r ? r->status : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(Metric(server, "percept_connections_rejected_total") >= 1);
}

TEST_CASE("idle keep-alive connections hold no worker", "[e2e]") {
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

TEST_CASE("one address over its own connection limit gets 503, and other addresses are served",
          "[e2e]") {
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
