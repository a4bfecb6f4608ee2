#include "auth.h"

#include "crypto.h"
#include "http_support.h"

namespace percept {

std::string NewToken() { return "pct_" + Base64Url(RandomBytes(32)); }

std::string TokenHash(const std::string& token) { return Sha256(token); }

Result<Principal> Authenticator::Authenticate(const httplib::Request& req) const {
  auto token = BearerToken(req);
  if (!token) return Status::Unauthenticated("send 'Authorization: Bearer <token>'");
  if (token->size() > 256) return Status::Unauthenticated("the token is not valid");
  const std::string hash = TokenHash(*token);
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto found = (*reader)->FindActiveToken(hash);
  if (!found.ok()) return found.status();
  // The lookup is by hash, which tells an attacker nothing; the comparison is constant-time anyway.
  if (!found->has_value() || !ConstantTimeEquals((*found)->hash, hash)) {
    return Status::Unauthenticated("the token is not valid, or was revoked");
  }
  const TokenRecord& t = **found;
  return Principal{t.name, t.role, t.institutions};
}

}  // namespace percept
