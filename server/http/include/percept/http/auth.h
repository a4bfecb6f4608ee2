// Who is calling: bearer tokens and sessions (docs/api.md, "Roles" and "Tokens"). Tokens are 256
// random bits shown once; only their SHA-256 is stored, and it is compared in constant time.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/net/connections.h"
#include "percept/storage/store.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"

namespace percept {

// A new token: 32 random bytes, base64url (43 characters), prefixed "pct_" so that secret
// scanners and people recognise it.
std::string NewToken();
// What is stored of a token.
std::string TokenHash(const std::string& token);

inline constexpr const char* kSessionCookie = "percept_session";
inline constexpr int64_t kSessionSeconds = 8 * 3600;  // a working day

class Authenticator {
 public:
  explicit Authenticator(StorePool* readers) : readers_(readers) {}
  // 401 without a bearer token, or with one that is unknown or revoked. With `allow_cookie`,
  // an unexpired session cookie (see SignIn) is accepted too: browsers cannot send a header on
  // a page load. Only the report pages allow it.
  Result<Principal> Authenticate(const httplib::Request& req, bool allow_cookie = false) const;
  // The same for the value of an Authorization header as sent (empty: none). With `scope`, the
  // caller found is kept there, and the request's route finds it without a second look-up.
  Result<Principal> FromAuthorization(const std::string& header,
                                      RequestScope* scope = nullptr) const;
  // Checks a token typed into the sign-in page and opens a session for it; returns the cookie
  // value to set. The session is stored only as a hash, like tokens.
  Result<std::string> SignIn(const std::string& token, Principal* who) const;
  void SignOut(const httplib::Request& req) const;
  // The caller a token names (an OpenRosa path carries it: /key/{token}/...). With `scope`:
  // the caller kept there for this same token, else the one looked up, then kept there.
  Result<Principal> FromToken(const std::string& token, RequestScope* scope = nullptr) const;

 private:
  // Threading: every member runs on any thread; each look-up leases its own Store.
  StorePool* readers_;  // not owned; outlives the Authenticator
};

// The value of cookie `name` in the request, if sent.
std::optional<std::string> RequestCookie(const httplib::Request& req, const std::string& name);

}  // namespace percept
