// The router on its own (server/http/router.h): what the connection layer is told before a body
// is read, and what the one guard answers, for every kind of access; no socket involved.
#include "router.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "percept/http/http_support.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/token_records.h"

using namespace percept;

namespace {

struct Fixture {
  // One file per process: ctest runs test cases side by side.
  std::string path =
      std::string(PERCEPT_BINARY_DIR) + "/router-test-" + std::to_string(getpid()) + ".db";
  std::unique_ptr<StorePool> pool;
  std::unique_ptr<Authenticator> auth;
  RateLimiter limiter{1000, 1000};
  httplib::Server http;
  std::unique_ptr<Router> router;
  std::string enumerator, analyst;

  ~Fixture() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  Fixture() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    auto s = Store::Open(path, /*create=*/true);
    REQUIRE(s.ok());
    REQUIRE((*s)->Migrate().ok());
    enumerator = NewToken();
    analyst = NewToken();
    REQUIRE(CreateToken(**s, "field", Role::kEnumerator, TokenHash(enumerator), {}).ok());
    REQUIRE(CreateToken(**s, "analyst", Role::kAnalyst, TokenHash(analyst), {}).ok());
    pool = std::make_unique<StorePool>(path);
    auth = std::make_unique<Authenticator>(pool.get());
    router = std::make_unique<Router>(&http, auth.get(), &limiter);
    // The handlers are not run here: the table is what AdmitBody reads.
    auto count = [](const httplib::Request&, httplib::Response& res, const Principal*) {
      res.status = 200;
    };
    router->On("POST", "/api/v1/submissions", Access::kApi, {Role::kEnumerator}, 4096, count);
    router->On("GET", "/api/v1/submissions", Access::kApi, {Role::kAnalyst}, 0, count);
    router->On("GET", R"(/reports/([a-z-]+))", Access::kPage, {Role::kAnalyst}, 0, count);
    router->On("POST", "/sign-in", Access::kOpen, {}, 512, count);
  }

  RequestHead Head(const std::string& method, const std::string& target,
                   const std::string& token = "") const {
    RequestHead h;
    h.method = method;
    h.target = target;
    h.version = "HTTP/1.1";
    if (!token.empty()) h.fields.push_back({"Authorization", "Bearer " + token});
    h.content_length = 100;
    h.framed = true;
    return h;
  }
};

httplib::Request Request(const std::string& path, const std::string& from = "10.0.0.7") {
  httplib::Request req;
  req.method = "GET";
  req.path = path;
  req.target = path;
  req.remote_addr = from;
  return req;
}

}  // namespace

TEST_CASE("router: before a body, unknown paths, methods and bodiless routes are refused",
          "[unit]") {
  Fixture f;
  size_t max = 1 << 20;
  RequestScope scope;
  CHECK(f.router->AdmitBody(f.Head("POST", "/nowhere", f.enumerator), &max, &scope).code() ==
        StatusCode::kNotFound);
  CHECK(f.router->AdmitBody(f.Head("PUT", "/api/v1/submissions", f.enumerator), &max, &scope)
            .code() == StatusCode::kOperationNotSupported);
  CHECK(f.router->AllowedMethods("/api/v1/submissions") == "POST, GET");
  CHECK(f.router->AdmitBody(f.Head("GET", "/reports/chs-perception", f.analyst), &max, &scope)
            .code() == StatusCode::kInputTooLarge);
  CHECK(max == size_t{1} << 20);  // nothing admitted, nothing lowered
}

TEST_CASE("router: before a body, the token and its role are checked, and the limit lowered",
          "[unit]") {
  Fixture f;
  size_t max = 1 << 20;
  RequestScope scope;
  CHECK(f.router->AdmitBody(f.Head("POST", "/api/v1/submissions"), &max, &scope).code() ==
        StatusCode::kUnauthenticated);
  CHECK(
      f.router->AdmitBody(f.Head("POST", "/api/v1/submissions", NewToken()), &max, &scope).code() ==
      StatusCode::kUnauthenticated);
  CHECK(
      f.router->AdmitBody(f.Head("POST", "/api/v1/submissions", f.analyst), &max, &scope).code() ==
      StatusCode::kForbidden);
  REQUIRE(
      f.router->AdmitBody(f.Head("POST", "/api/v1/submissions", f.enumerator), &max, &scope).ok());
  CHECK(max == 4096);
  // An open form needs no token; its own limit applies.
  max = 1 << 20;
  REQUIRE(f.router->AdmitBody(f.Head("POST", "/sign-in?next=/reports/x"), &max, &scope).ok());
  CHECK(max == 512);
}

TEST_CASE("router: the guard answers the API in JSON and pages in HTML, and sends no one to a page",
          "[unit]") {
  Fixture f;
  const Principal* seen = nullptr;
  auto note = [&](const httplib::Request&, httplib::Response& res, const Principal* who) {
    seen = who;
    res.status = 200;
  };
  auto api = f.router->Guard(Access::kApi, {Role::kAnalyst}, note);
  auto page = f.router->Guard(Access::kPage, {Role::kAnalyst}, note);

  httplib::Response res;
  api(Request("/api/v1/scores"), res);
  CHECK(res.status == 401);
  CHECK(res.get_header_value("Content-Type") == "application/json");
  CHECK(res.body.find("\"unauthenticated\"") != std::string::npos);
  CHECK(res.has_header("WWW-Authenticate"));

  res = httplib::Response();
  auto with_token = Request("/api/v1/scores");
  with_token.headers.emplace("Authorization", "Bearer " + f.enumerator);
  api(with_token, res);
  CHECK(res.status == 403);
  CHECK(res.body.find("enumerator role may not") != std::string::npos);

  res = httplib::Response();
  page(Request("/reports/chs-perception?lang=en"), res);
  CHECK(res.status == 303);
  CHECK(res.get_header_value("Location") == "/sign-in?next=/reports/chs-perception%3Flang%3Den");

  res = httplib::Response();
  auto enumerator_page = Request("/reports/chs-perception");
  enumerator_page.headers.emplace("Authorization", "Bearer " + f.enumerator);
  page(enumerator_page, res);
  CHECK(res.status == 403);
  CHECK(res.get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(res.has_header("Content-Security-Policy"));

  res = httplib::Response();
  auto analyst_page = Request("/reports/chs-perception");
  analyst_page.headers.emplace("Authorization", "Bearer " + f.analyst);
  page(analyst_page, res);
  CHECK(res.status == 200);
  REQUIRE(seen != nullptr);
  CHECK(seen->name == "analyst");
}

TEST_CASE("router: local access is open to this machine only, and open routes to anyone",
          "[unit]") {
  Fixture f;
  int calls = 0;
  auto count = [&](const httplib::Request&, httplib::Response& res, const Principal* who) {
    ++calls;
    CHECK(who == nullptr);
    res.status = 200;
  };
  auto local = f.router->Guard(Access::kLocalApi, {Role::kAnalyst}, count);
  httplib::Response res;
  local(Request("/metrics", "127.0.0.1"), res);
  CHECK(res.status == 200);
  res = httplib::Response();
  local(Request("/metrics", "10.0.0.7"), res);
  CHECK(res.status == 401);
  auto open = f.router->Guard(Access::kOpen, {}, count);
  res = httplib::Response();
  open(Request("/healthz", "10.0.0.7"), res);
  CHECK(res.status == 200);
  CHECK(calls == 2);
}

TEST_CASE("router: a caller over its rate gets 429 with Retry-After, and an exception a 500",
          "[unit]") {
  Fixture f;
  RateLimiter tight(0.001, 1);  // one request, then a long wait
  Router router(&f.http, f.auth.get(), &tight);
  auto fine = router.Guard(
      Access::kApi, {Role::kAnalyst},
      [](const httplib::Request&, httplib::Response& res, const Principal*) { res.status = 200; });
  auto req = Request("/api/v1/scores");
  req.headers.emplace("Authorization", "Bearer " + f.analyst);
  httplib::Response res;
  fine(req, res);
  CHECK(res.status == 200);
  res = httplib::Response();
  fine(req, res);
  CHECK(res.status == 429);
  CHECK(res.has_header("Retry-After"));

  auto broken = f.router->Guard(Access::kPage, {Role::kAnalyst},
                                [](const httplib::Request&, httplib::Response&, const Principal*) {
                                  throw std::runtime_error("a bug");
                                });
  res = httplib::Response();
  auto page = Request("/reports/x");
  page.headers.emplace("Authorization", "Bearer " + f.analyst);
  broken(page, res);
  CHECK(res.status == 500);
  CHECK(res.body.find("a bug") == std::string::npos);  // logged, never shown
}

TEST_CASE("logs: a token never reaches the access log however the path spells it", "[unit]") {
  const std::string token = "pct_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3";
  CHECK(LoggedPath("/key/" + token + "/formList") == "/key/…/formList");
  CHECK(LoggedPath("//key/" + token + "/formList") == "//key/…/formList");
  CHECK(LoggedPath("/Key/" + token + "/forms/chs-perception.xml") ==
        "/Key/…/forms/chs-perception.xml");
  CHECK(LoggedPath("/KEY/" + token) == "/KEY/…");
  CHECK(LoggedPath("/api/v1/" + token + "/x") == "/api/v1/…/x");
  CHECK(LoggedPath("/key/not-a-token/formList").find("not-a-token") == std::string::npos);
  CHECK(LoggedPath("/api/v1/scores") == "/api/v1/scores");
  CHECK(LoggedPath("/reports/chs-perception") == "/reports/chs-perception");
}
