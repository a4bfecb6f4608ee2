#include "percept/http/auth.h"

#include <any>
#include <ctime>
#include <optional>

#include "percept/base/crypto.h"
#include "percept/http/http_support.h"
#include "percept/storage/token_records.h"

namespace percept {

namespace {

// The caller admitted with the request's body (RequestHooks::admit_body), kept in its
// RequestScope for the route: one token look-up per request, not two. Kept with its token, so
// that only the same credential finds it.
struct Admitted {
  std::string token;
  Principal who;
};

}  // namespace

std::string NewToken() { return "pct_" + Base64Url(RandomBytes(32)); }

std::string TokenHash(const std::string& token) { return Sha256(token); }

std::optional<std::string> RequestCookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    const size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

Result<Principal> Authenticator::Authenticate(const httplib::Request& req,
                                              bool allow_cookie) const {
  auto token = BearerToken(req);
  if (!token && allow_cookie) {
    auto cookie = RequestCookie(req, kSessionCookie);
    if (cookie && cookie->size() <= 128) {
      auto reader = readers_->Acquire();
      if (!reader.ok()) return reader.status();
      auto found =
          FindSessionToken(**reader, Sha256(*cookie), static_cast<int64_t>(std::time(nullptr)));
      if (!found.ok()) return found.status();
      if (found->has_value())
        return Principal{(*found)->name, (*found)->role, (*found)->institutions, (*found)->team};
    }
    return Status::Unauthenticated("sign in first, or your session has expired");
  }
  if (!token) return Status::Unauthenticated("send 'Authorization: Bearer <token>'");
  return FromToken(*token, RequestScopeOf(req));
}

Result<Principal> Authenticator::FromAuthorization(const std::string& header,
                                                   RequestScope* scope) const {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) {
    return Status::Unauthenticated("send 'Authorization: Bearer <token>'");
  }
  return FromToken(header.substr(kPrefix.size()), scope);
}

Result<std::string> Authenticator::SignIn(const std::string& token, Principal* who) const {
  auto principal = FromToken(token);
  if (!principal.ok()) return principal.status();
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto record = FindActiveToken(**reader, TokenHash(token));
  if (!record.ok()) return record.status();
  if (!record->has_value())
    return Status::Unauthenticated("the token is not valid, or was revoked");
  const std::string session = Base64Url(RandomBytes(32));
  Status s = CreateSession(**reader, Sha256(session), (*record)->id,
                           static_cast<int64_t>(std::time(nullptr)) + kSessionSeconds);
  if (!s.ok()) return s;
  *who = *principal;
  return session;
}

void Authenticator::SignOut(const httplib::Request& req) const {
  auto cookie = RequestCookie(req, kSessionCookie);
  auto reader = readers_->Acquire();
  if (cookie && reader.ok()) (void)DeleteSession(**reader, Sha256(*cookie));
}

Result<Principal> Authenticator::FromToken(const std::string& token, RequestScope* scope) const {
  if (scope != nullptr) {
    if (const auto* admitted = std::any_cast<Admitted>(&scope->admitted);
        admitted != nullptr && admitted->token == token) {
      return admitted->who;
    }
  }
  if (token.size() > 256) return Status::Unauthenticated("the token is not valid");
  const std::string hash = TokenHash(token);
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto found = FindActiveToken(**reader, hash);
  if (!found.ok()) return found.status();
  // The lookup is by hash, which tells an attacker nothing; the comparison is constant-time anyway.
  if (!found->has_value() || !ConstantTimeEquals((*found)->hash, hash)) {
    return Status::Unauthenticated("the token is not valid, or was revoked");
  }
  const TokenRecord& t = **found;
  Principal who{t.name, t.role, t.institutions, t.team};
  if (scope != nullptr) scope->admitted = Admitted{token, who};
  return who;
}

}  // namespace percept
