// What a hostile client tried against the landed server (issue 10's red-team pass), each
// reproduction turned into a test against the real binary over TLS. Every one of these failed
// before the connection layer read requests itself (server/net/request_reader.h).
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "raw_client.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

std::string Head(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& framing) {
  return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" +
         (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") +
         "Content-Type: application/json\r\n" + framing + "\r\n";
}

// Sends a chunked body of up to `total` bytes as fast as the server takes it; returns the
// server's answer (whatever arrived before it closed).
std::string ChunkedUpload(const ServerProcess& server, const std::string& token, size_t total) {
  RawTlsClient c(server);
  if (!c.Send(Head("POST", "/api/v1/submissions", token, "Transfer-Encoding: chunked\r\n"))) {
    return "";
  }
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  for (size_t sent = 0; sent < total; sent += 0x10000) {
    if (!c.Send(chunk)) break;
  }
  return c.ReadAll(3);
}

size_t StoredCount(ServerProcess& server) {
  auto r = server.Client()->Get("/api/v1/submissions?survey=chs-perception&limit=1000",
                                Bearer(server.analyst_token));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return json::parse(r->body)["items"].size();
}

}  // namespace

TEST_CASE("a body is refused before a byte of it is kept, however it is framed", "[e2e]") {
  signal(SIGPIPE, SIG_IGN);  // the server closes on a client still writing
  ServerProcess server;

  SECTION("no token: 401 while the body is still coming") {
    RawTlsClient c(server);
    REQUIRE(c.Send(Head("POST", "/api/v1/submissions", "", "Transfer-Encoding: chunked\r\n")));
    REQUIRE(c.Send("10\r\n0123456789abcdef\r\n"));
    const std::string& answer = c.ReadAll(3);
    CHECK(StatusOf(answer) == 401);
    CHECK(BodyOf(answer)["error"]["code"] == "unauthenticated");
    CHECK(answer.find("Connection: close") != std::string::npos);
  }
  SECTION("a declared 3 GB body: 413 at once, not read") {
    RawTlsClient c(server);
    const auto start = Clock::now();
    REQUIRE(c.Send(Head("POST", "/api/v1/submissions", server.enumerator_token,
                        "Content-Length: 3000000000\r\n")));
    const std::string& answer = c.ReadAll(3);
    CHECK(StatusOf(answer) == 413);
    CHECK(BodyOf(answer)["error"]["code"] == "payload_too_large");
    CHECK(SecondsSince(start) < 2);
  }
  SECTION("a chunked body past --max-body, with a valid token: 413, nothing stored") {
    const std::string answer = ChunkedUpload(server, server.enumerator_token, 100u << 20);
    CHECK(StatusOf(answer) == 413);
    CHECK(StoredCount(server) == 0);
  }
  SECTION("a body on a route that takes none, or with the wrong method") {
    RawTlsClient c(server);
    REQUIRE(c.Send(Head("POST", "/api/v1/scores?survey=chs-perception", server.analyst_token,
                        "Content-Length: 10\r\n")));
    CHECK(StatusOf(c.ReadAll(3)) == 405);
    RawTlsClient d(server);
    REQUIRE(d.Send(Head("GET", "/healthz", "", "Content-Length: 10\r\n")));
    CHECK(StatusOf(d.ReadAll(3)) == 413);
  }
  SECTION("a role that may not submit is refused before its body") {
    RawTlsClient c(server);
    REQUIRE(c.Send(
        Head("POST", "/api/v1/submissions", server.analyst_token, "Content-Length: 100000\r\n")));
    CHECK(StatusOf(c.ReadAll(3)) == 403);
  }
  CHECK(Metric(server, "percept_requests_bodies_refused_total") >= 1);
}

TEST_CASE("four 400 MiB chunked uploads leave the server under 200 MB", "[e2e]") {
  signal(SIGPIPE, SIG_IGN);
  ServerProcess server;
  std::vector<std::thread> uploads;
  std::vector<int> statuses(4);
  for (int i = 0; i < 4; ++i) {
    // Two without a token, two with a valid one: 401 and 413, both before the memory goes.
    const std::string token = i % 2 ? server.enumerator_token : "";
    uploads.emplace_back([&, i, token] {
      statuses[static_cast<size_t>(i)] = StatusOf(ChunkedUpload(server, token, 400u << 20));
    });
  }
  for (auto& t : uploads) t.join();
  const double peak = server.PeakRssMb();
  INFO("server peak RSS " << peak << " MB");
  CHECK(peak > 0);
  CHECK(peak < 200);
  CHECK(statuses == std::vector<int>{401, 413, 401, 413});
  CHECK(StoredCount(server) == 0);
}

TEST_CASE("slow bodies hold no worker: a tablet is served while they trickle", "[e2e]") {
  signal(SIGPIPE, SIG_IGN);
  ServerProcess server({"--threads", "2", "--request-timeout", "30"});
  // 20 clients without a token declaring 2 MiB bodies, and 10 enumerators sending theirs at a
  // few bytes a second: the first are refused at their head, the others wait in the reactor.
  std::vector<std::unique_ptr<RawTlsClient>> slow;
  int refused = 0;
  for (int i = 0; i < 30; ++i) {
    slow.push_back(std::make_unique<RawTlsClient>(server));
    const bool with_token = i % 3 == 0;
    REQUIRE(slow.back()->Send(Head("POST", "/api/v1/submissions",
                                   with_token ? server.enumerator_token : "",
                                   "Content-Length: 2097152\r\n")));
    REQUIRE(slow.back()->Send("{\"instance_id\":"));
  }
  for (size_t i = 0; i < slow.size(); ++i) {
    if (i % 3 != 0 && StatusOf(slow[i]->ReadAll(0.3)) == 401) ++refused;
  }
  CHECK(refused == 20);
  const auto start = Clock::now();
  auto c = server.Client();
  c->set_read_timeout(10, 0);
  auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token),
                   DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71").dump(), kJson);
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(SecondsSince(start) < 2);
}

TEST_CASE("a body that stalls is answered 408, which tablets retry", "[e2e]") {
  // Past 10 s of silence (the write timeout) the body used to get 400, which stops a tablet.
  ServerProcess server({"--request-timeout", "12"});
  RawTlsClient c(server);
  const auto start = Clock::now();
  REQUIRE(c.Send(
      Head("POST", "/api/v1/submissions", server.enumerator_token, "Content-Length: 5000\r\n")));
  REQUIRE(c.Send("{\"instance_id\": \"0b9e6f0e"));
  const std::string& answer = c.ReadAll(20);
  CHECK(StatusOf(answer) == 408);
  CHECK(BodyOf(answer)["error"]["code"] == "request_timeout");
  CHECK(SecondsSince(start) > 11);
  CHECK(SecondsSince(start) < 16);
}

TEST_CASE("requests that two parsers could read differently are refused, and the connection closed",
          "[e2e]") {
  ServerProcess server;
  auto refused_and_closed = [&](const std::string& request, int status) {
    RawTlsClient c(server);
    // A valid request follows: it must not be answered as a second one.
    c.Send(request + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const std::string& answer = c.ReadAll(3);
    INFO(request.substr(0, 120));
    CHECK(StatusOf(answer) == status);
    CHECK(answer.find("HTTP/1.1 200") == std::string::npos);
  };
  refused_and_closed("GET /healthz HTTP/1.1\r\nX-Long: " + std::string(10000, 'a') + "\r\n\r\n",
                     431);
  refused_and_closed(Head("POST", "/api/v1/submissions", server.enumerator_token,
                          "Content-Length: 5\r\nContent-Length: 50\r\n") +
                         "hello",
                     400);
  refused_and_closed(Head("POST", "/api/v1/submissions", server.enumerator_token,
                          "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") +
                         "0\r\n\r\n",
                     400);
  refused_and_closed("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n folded\r\n\r\n", 400);
  refused_and_closed("GET /healthz HTTP/1.1\r\nHost: local\rhost\r\n\r\n", 400);
  refused_and_closed("GET /healthz HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400);
  CHECK(Metric(server, "percept_requests_malformed_total") == 5);

  SECTION("two well-formed requests in one write are both answered") {
    RawTlsClient c(server);
    c.Send(
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: "
        "localhost\r\nConnection: close\r\n\r\n");
    const std::string& answer = c.ReadAll(3);
    size_t oks = 0;
    for (size_t at = answer.find("HTTP/1.1 200"); at != std::string::npos;
         at = answer.find("HTTP/1.1 200", at + 1)) {
      ++oks;
    }
    CHECK(oks == 2);
  }
  SECTION("header values are taken as sent, not percent-decoded") {
    auto c = server.Client();
    httplib::Headers encoded = {{"Authorization", "%42earer " + server.analyst_token}};
    CHECK(c->Get("/api/v1/surveys", encoded)->status == 401);
    httplib::Headers trailing = {{"Authorization", "Bearer " + server.analyst_token + "%00junk"}};
    CHECK(c->Get("/api/v1/surveys", trailing)->status == 401);
    CHECK(c->Get("/api/v1/surveys", Bearer(server.analyst_token))->status == 200);
  }
  SECTION("a wrong method is 405 with Allow") {
    auto r = server.Client()->Get("/api/v1/submissions/batch", Bearer(server.enumerator_token));
    REQUIRE(r);
    CHECK(r->status == 405);
    CHECK(r->get_header_value("Allow") == "POST");
    CHECK(json::parse(r->body)["error"]["code"] == "method_not_allowed");
  }
}

TEST_CASE("one interview is one row whatever the letter case of its UUID", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  const std::string id = "0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71";
  std::string upper = id;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string mixed = "0B9e6F0e" + id.substr(8);
  auto post = [&](const json& doc) {
    auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token), doc.dump(), kJson);
    REQUIRE(r);
    return r->status;
  };
  CHECK(post(DemoInterview(id)) == 201);
  CHECK(post(DemoInterview(upper)) == 200);                   // the same interview again
  CHECK(post(DemoInterview(mixed, {"omil-tal"}, 9)) == 409);  // other content, same interview
  CHECK(StoredCount(server) == 1);
  auto listed = server.Client()->Get("/api/v1/submissions?survey=chs-perception",
                                     Bearer(server.analyst_token));
  CHECK(json::parse(listed->body)["items"][0]["instance_id"] == id);
}

TEST_CASE("submissions: bounded versions, no duplicate keys, no control characters", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  auto post = [&](const std::string& body) {
    auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token), body, kJson);
    REQUIRE(r);
    return std::make_pair(r->status, json::parse(r->body, nullptr, false));
  };
  json doc = DemoInterview("1b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  doc["survey_version"] = 4294967297ULL;  // was stored as version 1
  auto [status, body] = post(doc.dump());
  CHECK(status == 422);
  CHECK(body["error"]["details"][0]["code"] == "out_of_range");

  std::string twice = DemoInterview("2b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71").dump();
  twice.insert(1, "\"device_id\":\"tab-x\",");  // a second device_id
  CHECK(post(twice).first == 400);

  json nul = DemoInterview("3b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  nul["evaluations"][0]["answers"]["proposal"] = std::string("buen trato\0oculto", 17);
  auto [nul_status, nul_body] = post(nul.dump());
  CHECK(nul_status == 422);
  CHECK(nul_body.dump().find("control_character") != std::string::npos);
  CHECK(StoredCount(server) == 0);
}

TEST_CASE("exports neutralise formulas, logs and the audit trail cannot be forged", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  json doc = DemoInterview("4b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  doc["device_id"] = "=HYPERLINK(\"http://evil.example\",\"ver\")";
  doc["evaluations"][0]["answers"]["proposal"] = "=cmd|' /C calc'!A0";
  REQUIRE(
      c->Post("/api/v1/submissions", Bearer(server.enumerator_token), doc.dump(), kJson)->status ==
      201);
  auto csv = c->Get("/api/v1/exports/chs-perception.csv", Bearer(server.analyst_token));
  REQUIRE(csv);
  CHECK(csv->body.find(",=") == std::string::npos);
  CHECK(csv->body.find("\"'=cmd|' /C calc'!A0\"") != std::string::npos);
  CHECK(csv->body.find("\"'=HYPERLINK(") != std::string::npos);
  auto codebook =
      c->Get("/api/v1/exports/chs-perception/codebook.csv", Bearer(server.analyst_token));
  CHECK(codebook->body.find("prefixed with '") != std::string::npos);
  auto long_csv =
      c->Get("/api/v1/exports/chs-perception.csv?layout=long", Bearer(server.analyst_token));
  CHECK(long_csv->body.find(",=cmd") == std::string::npos);

  const std::string forged = "2026-11-23T00:00:00Z GET /api/v1/exports/chs-perception.csv 200";
  c->Get("/api/v1/surveys%0A2026-11-23T00:00:00Z%20GET%20/api/v1/exports/chs-perception.csv%20200",
         Bearer(server.analyst_token));
  c->Get("/reports/chs-perception?region=%0A" + forged.substr(0, 20) + "%1b%5b2J",
         Bearer(server.analyst_token));
  const std::string log = server.Log();
  CHECK(log.find("\n" + forged) == std::string::npos);
  CHECK(log.find("\\x0a2026-11-23T00:00:00Z") != std::string::npos);
  const std::string audit = server.Admin("audit");
  CHECK(audit.find('\x1b') == std::string::npos);
  CHECK(audit.find("\n" + forged.substr(0, 20)) == std::string::npos);
  CHECK(audit.find("\\x0a") != std::string::npos);
}

TEST_CASE("sign-in: no cross-site posts, failed attempts slowed, files for this user only",
          "[e2e][pg]") {
  ServerProcess server;
  auto c = server.Client();
  httplib::Headers cross = {{"Sec-Fetch-Site", "cross-site"}};
  CHECK(c->Post("/sign-in", cross, "token=" + server.analyst_token,
                "application/x-www-form-urlencoded")
            ->status == 403);
  CHECK(c->Post("/sign-out", cross, "", "application/x-www-form-urlencoded")->status == 403);
  int limited = 0;
  for (int i = 0; i < 15; ++i) {
    auto r = c->Post("/sign-in", "token=pct_guess", "application/x-www-form-urlencoded");
    if (r && r->status == 429) ++limited;
  }
  CHECK(limited >= 4);
  const std::string audit = server.Admin("audit --limit 1000");
  size_t failures = 0;
  for (size_t at = audit.find("failed sign-in"); at != std::string::npos;
       at = audit.find("failed sign-in", at + 1)) {
    ++failures;
  }
  CHECK(failures <= 11);

  server.Admin("export --survey-dir " + SourcePath("survey_defs") + " --format csv --out '" +
               server.dir() + "/out.csv'");
  std::vector<std::string> files = {server.dir() + "/out.csv", server.dir() + "/dev-key.pem",
                                    server.dir() + "/household-key"};
  if (!TestingOnPostgres()) {  // PostgreSQL keeps its files as its own server's user
    server.Admin("backup --out '" + server.dir() + "/copy.db'");
    files.insert(files.end(), {server.db(), server.db() + "-wal", server.dir() + "/copy.db"});
  }
  for (const std::string& f : files) {
    struct stat st {};
    INFO(f);
    REQUIRE(stat(f.c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
  }
  CHECK(server.Admin("audit").find("export") != std::string::npos);
}

TEST_CASE("a second server on a port in use refuses to start", "[e2e]") {
  ServerProcess server;
  int status = 0;
  const std::string out = Shell(
      std::string(PERCEPT_BIN) + " --db '" + server.dir() + "/other.db' init >/dev/null && " +
          PERCEPT_BIN + " --db '" + server.dir() + "/other.db' serve --port " +
          std::to_string(server.port) + " --survey-dir " + SourcePath("survey_defs") + " 2>&1",
      &status);
  CHECK(status != 0);
  CHECK(out.find("in use") != std::string::npos);
  CHECK(server.Client()->Get("/healthz")->status == 200);
}
