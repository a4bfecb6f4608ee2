// The connection layer's request reader (server/net/request_reader.h) on its own: framing, limits,
// normalization, and bytes arriving in any pieces.
#include "percept/net/request_reader.h"

#include <catch2/catch.hpp>
#include <string>

using percept::RequestReader;
using percept::StatusCode;
using Progress = RequestReader::Progress;

namespace {

// Feeds `bytes` `piece` bytes at a time, admitting a body whenever one is announced.
Progress FeedAll(RequestReader& r, const std::string& bytes, size_t piece = 1) {
  Progress p = r.progress();
  for (size_t at = 0; at < bytes.size(); at += piece) {
    p = r.Feed(bytes.data() + at, std::min(piece, bytes.size() - at));
    if (p == Progress::kHead) p = r.AllowBody(1 << 20);
    if (p == Progress::kFailed || p == Progress::kComplete) break;
  }
  return p;
}

}  // namespace

TEST_CASE("request reader: a head, then its body once admitted, in pieces of any size", "[unit]") {
  const std::string body = "{\"instance_id\":\"x\"}";
  const std::string request = "POST /api/v1/submissions HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t piece : {1, 3, 7, 64, 4096}) {
    RequestReader r(16384, 1 << 20);
    CHECK(FeedAll(r, request, piece) == Progress::kComplete);
    CHECK(r.head().method == "POST");
    CHECK(r.head().Path() == "/api/v1/submissions");
    CHECK(r.body_bytes() == body.size());
    const std::string normalized = r.Take();
    CHECK(normalized.substr(normalized.size() - body.size()) == body);
    CHECK(normalized.find("Content-Length: " + std::to_string(body.size()) + "\r\n") !=
          std::string::npos);
  }
}

TEST_CASE("request reader: nothing of a body is kept before it is allowed", "[unit]") {
  RequestReader r(16384, 1 << 20);
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n";
  CHECK(r.Feed(head.data(), head.size()) == Progress::kHead);
  CHECK(r.Feed("abc", 3) == Progress::kHead);
  CHECK(r.body_bytes() == 0);
  CHECK(r.AllowBody(2 << 20) == Progress::kFailed);  // declared over the route's limit
  CHECK(r.failure().code() == StatusCode::kInputTooLarge);
}

TEST_CASE("request reader: chunked bodies are decoded, extensions and trailers dropped", "[unit]") {
  RequestReader r(16384, 1 << 20);
  const std::string request =
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Token: a%41b\r\n\r\n"
      "4;name=value\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n"
      "GET /next HTTP/1.1\r\n\r\n";
  CHECK(FeedAll(r, request, request.size()) == Progress::kComplete);
  const std::string normalized = r.Take();
  CHECK(normalized == "POST /x HTTP/1.1\r\nX-Token: a%2541b\r\nContent-Length: 9\r\n\r\nWikipedia");
  // The pipelined request is kept for the next round.
  CHECK(r.Feed(nullptr, 0) == Progress::kComplete);
  CHECK(r.head().target == "/next");
}

TEST_CASE("request reader: a chunked body is held to the same limit as any other", "[unit]") {
  RequestReader r(16384, 1000);
  std::string request = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) request += "64\r\n" + std::string(100, 'x') + "\r\n";
  CHECK(FeedAll(r, request, 64) == Progress::kFailed);
  CHECK(r.failure().code() == StatusCode::kInputTooLarge);
  CHECK(r.body_bytes() <= 1000);
}

TEST_CASE("request reader: ambiguous or malformed requests are refused", "[unit]") {
  auto refused = [](const std::string& request) {
    RequestReader r(16384, 1 << 20);
    FeedAll(r, request, 4096);
    return r.progress() == Progress::kFailed ? r.failure().code() : StatusCode::kOk;
  };
  CHECK(refused("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx") ==
        StatusCode::kInvalidParameter);
  CHECK(refused("POST /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        StatusCode::kInvalidParameter);
  CHECK(refused("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("POST /x HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n") ==
        StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nA: 1\r\n b\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nA : 1\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nA: 1\r2\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nA: 1\x01\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET  /x HTTP/1.1\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/2.0\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET x HTTP/1.1\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nExpect: 200-ok\r\n\r\n") == StatusCode::kInvalidParameter);
  CHECK(refused("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") ==
        StatusCode::kInvalidParameter);
  CHECK(refused("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") ==
        StatusCode::kInvalidParameter);
  CHECK(refused("GET /x HTTP/1.1\r\nA: " + std::string(9000, 'a') + "\r\n\r\n") ==
        StatusCode::kPreambleTooLarge);
  // '%' escapes to three bytes for cpp-httplib: a line that would not fit its buffer is refused.
  CHECK(refused("GET /x HTTP/1.1\r\nA: " + std::string(3000, '%') + "\r\n\r\n") ==
        StatusCode::kPreambleTooLarge);
  std::string many = "GET /x HTTP/1.1\r\n";
  while (many.size() < 17000) many += "A: " + std::string(100, 'a') + "\r\n";
  CHECK(refused(many) == StatusCode::kPreambleTooLarge);
  // Well-formed: bare LF line ends, empty lines before a request, a POST with no framing.
  CHECK(refused("\r\nGET /x HTTP/1.0\nA: 1\n\n") == StatusCode::kOk);
  RequestReader r(16384, 1 << 20);
  CHECK(FeedAll(r, "POST /sign-out HTTP/1.1\r\n\r\n") == Progress::kComplete);
  CHECK(r.Take().find("Content-Length: 0\r\n") != std::string::npos);
}
