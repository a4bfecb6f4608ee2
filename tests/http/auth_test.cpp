// The authenticator on its own (server/http): bearer tokens, sessions and revocation, against a
// real database file but no server.
#include "percept/http/auth.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "percept/storage/institution_records.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/token_records.h"

using namespace percept;

namespace {

struct Fixture {
  // One file per process: ctest runs test cases side by side.
  std::string path =
      std::string(PERCEPT_BINARY_DIR) + "/auth-test-" + std::to_string(getpid()) + ".db";
  std::unique_ptr<Store> admin;
  std::unique_ptr<StorePool> pool;
  std::unique_ptr<Authenticator> auth;
  ~Fixture() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  Fixture() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    auto s = Store::Open(path, /*create=*/true);
    REQUIRE(s.ok());
    admin = std::move(s).value();
    REQUIRE(admin->Migrate().ok());
    REQUIRE(
        UpsertInstitutions(*admin, {{"cesfam-tal-1", "CESFAM Los Cerros", "cesfam", "8110", "8"},
                                    {"omil-tal", "OMIL Talcahuano", "omil", "8110", "8"}})
            .ok());
    pool = std::make_unique<StorePool>(path);
    auth = std::make_unique<Authenticator>(pool.get());
  }
  std::string Token(const std::string& name, Role role, std::vector<std::string> inst = {}) {
    const std::string token = NewToken();
    REQUIRE(CreateToken(*admin, name, role, TokenHash(token), inst).ok());
    return token;
  }
};

httplib::Request WithHeader(const std::string& name, const std::string& value) {
  httplib::Request req;
  req.headers.emplace(name, value);
  return req;
}

}  // namespace

TEST_CASE("authenticator: a bearer token names its caller and role", "[unit]") {
  Fixture f;
  const std::string token = f.Token("field-7", Role::kEnumerator);
  CHECK(token.rfind("pct_", 0) == 0);
  CHECK(token.size() == 4 + 43);
  auto who = f.auth->Authenticate(WithHeader("Authorization", "Bearer " + token));
  REQUIRE(who.ok());
  CHECK(who->name == "field-7");
  CHECK(who->role == Role::kEnumerator);
}

TEST_CASE("authenticator: missing, malformed, unknown, oversized and revoked tokens are 401",
          "[unit]") {
  Fixture f;
  const std::string token = f.Token("analyst-1", Role::kAnalyst);
  CHECK(f.auth->Authenticate(httplib::Request()).status().code() == StatusCode::kUnauthenticated);
  CHECK(f.auth->Authenticate(WithHeader("Authorization", "Basic " + token)).status().code() ==
        StatusCode::kUnauthenticated);
  CHECK(f.auth->Authenticate(WithHeader("Authorization", "Bearer " + NewToken())).status().code() ==
        StatusCode::kUnauthenticated);
  CHECK(f.auth->Authenticate(WithHeader("Authorization", "Bearer " + std::string(300, 'a')))
            .status()
            .code() == StatusCode::kUnauthenticated);
  CHECK(f.auth->FromAuthorization("").status().code() == StatusCode::kUnauthenticated);
  CHECK(f.auth->FromAuthorization("Bearer ").status().code() == StatusCode::kUnauthenticated);
  REQUIRE(f.auth->FromAuthorization("Bearer " + token).ok());
  REQUIRE(RevokeToken(*f.admin, "analyst-1").ok());
  CHECK(f.auth->FromAuthorization("Bearer " + token).status().code() ==
        StatusCode::kUnauthenticated);
}

TEST_CASE("authenticator: a session cookie opens pages only, and ends with sign-out or revocation",
          "[unit]") {
  Fixture f;
  const std::string token = f.Token("cesfam", Role::kInstitution, {"cesfam-tal-1"});
  Principal who;
  auto session = f.auth->SignIn(token, &who);
  REQUIRE(session.ok());
  CHECK(who.name == "cesfam");
  CHECK(who.MayRead("cesfam-tal-1"));
  CHECK_FALSE(who.MayRead("omil-tal"));
  const auto page =
      WithHeader("Cookie", std::string("lang=es; ") + kSessionCookie + "=" + *session);
  CHECK(f.auth->Authenticate(page, /*allow_cookie=*/true).ok());
  // The JSON API takes no cookie.
  CHECK(f.auth->Authenticate(page).status().code() == StatusCode::kUnauthenticated);
  f.auth->SignOut(page);
  CHECK(f.auth->Authenticate(page, true).status().code() == StatusCode::kUnauthenticated);

  auto again = f.auth->SignIn(token, &who);
  REQUIRE(again.ok());
  const auto second = WithHeader("Cookie", std::string(kSessionCookie) + "=" + *again);
  REQUIRE(f.auth->Authenticate(second, true).ok());
  REQUIRE(RevokeToken(*f.admin, "cesfam").ok());
  CHECK(f.auth->Authenticate(second, true).status().code() == StatusCode::kUnauthenticated);
  CHECK(f.auth->SignIn(token, &who).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("authenticator: analysts and admins read every institution, institutions their own",
          "[unit]") {
  Principal analyst{"a", Role::kAnalyst, {}, ""};
  Principal institution{"i", Role::kInstitution, {"cesfam-tal-1", "omil-tal"}, ""};
  Principal nobody{"n", Role::kInstitution, {}, ""};
  CHECK(analyst.MayRead("anything"));
  CHECK(institution.MayRead("omil-tal"));
  CHECK_FALSE(institution.MayRead("cesfam-tal-2"));
  CHECK_FALSE(nobody.MayRead("cesfam-tal-1"));
}

TEST_CASE("authenticator: the caller admitted with a body is the request's, and only its own",
          "[unit]") {
  Fixture f;
  const std::string token = f.Token("field-7", Role::kEnumerator);
  const std::string other = f.Token("field-8", Role::kEnumerator);
  // Admission (before the body) keeps the caller in the request's scope...
  RequestScope scope;
  REQUIRE(f.auth->FromAuthorization("Bearer " + token, &scope).ok());
  // ...so the route's look-up of the same token finds it there, not in the store: revoked in
  // between, the request that was admitted still completes as admitted.
  REQUIRE(RevokeToken(*f.admin, "field-7").ok());
  auto again = f.auth->FromToken(token, &scope);
  REQUIRE(again.ok());
  CHECK(again->name == "field-7");
  // Another credential in the same scope is looked up afresh, and replaces what was kept.
  auto second = f.auth->FromToken(other, &scope);
  REQUIRE(second.ok());
  CHECK(second->name == "field-8");
  CHECK(f.auth->FromToken(token, &scope).status().code() == StatusCode::kUnauthenticated);
  // The next request on the connection starts from an empty scope: the revocation holds.
  RequestScope next;
  CHECK(f.auth->FromToken(token, &next).status().code() == StatusCode::kUnauthenticated);
  CHECK(f.auth->FromToken(token).status().code() == StatusCode::kUnauthenticated);
}
