#include "percept/http/auth.h"

#include <chrono>
#include <ctime>
#include <optional>

#include "percept/base/crypto.h"
#include "percept/http/http_support.h"

namespace percept {

namespace {

// The caller admitted by the connection layer for the request this worker is about to answer
// (FromAuthorization, then Authenticate for the same request): one token lookup, not two. One
// use only, and only within kAdmittedFor, so that no other request reuses it.
struct Admitted {
  std::string token;
  Principal who;
  std::chrono::steady_clock::time_point at;
};
thread_local std::optional<Admitted> t_admitted;
constexpr auto kAdmittedFor = std::chrono::milliseconds(50);

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
          (*reader)->FindSessionToken(Sha256(*cookie), static_cast<int64_t>(std::time(nullptr)));
      if (!found.ok()) return found.status();
      if (found->has_value())
        return Principal{(*found)->name, (*found)->role, (*found)->institutions, (*found)->team};
    }
    return Status::Unauthenticated("sign in first, or your session has expired");
  }
  if (!token) return Status::Unauthenticated("send 'Authorization: Bearer <token>'");
  std::optional<Admitted> admitted;
  admitted.swap(t_admitted);
  if (admitted && admitted->token == *token &&
      std::chrono::steady_clock::now() - admitted->at < kAdmittedFor) {
    return std::move(admitted->who);
  }
  return FromToken(*token);
}

Result<Principal> Authenticator::FromAuthorization(const std::string& header) const {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) {
    return Status::Unauthenticated("send 'Authorization: Bearer <token>'");
  }
  std::string token = header.substr(kPrefix.size());
  auto who = FromToken(token);
  if (who.ok()) t_admitted = Admitted{std::move(token), *who, std::chrono::steady_clock::now()};
  return who;
}

Result<std::string> Authenticator::SignIn(const std::string& token, Principal* who) const {
  auto principal = FromToken(token);
  if (!principal.ok()) return principal.status();
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto record = (*reader)->FindActiveToken(TokenHash(token));
  if (!record.ok()) return record.status();
  if (!record->has_value())
    return Status::Unauthenticated("the token is not valid, or was revoked");
  const std::string session = Base64Url(RandomBytes(32));
  Status s = (*reader)->CreateSession(Sha256(session), (*record)->id,
                                      static_cast<int64_t>(std::time(nullptr)) + kSessionSeconds);
  if (!s.ok()) return s;
  *who = *principal;
  return session;
}

void Authenticator::SignOut(const httplib::Request& req) const {
  auto cookie = RequestCookie(req, kSessionCookie);
  auto reader = readers_->Acquire();
  if (cookie && reader.ok()) (void)(*reader)->DeleteSession(Sha256(*cookie));
}

Result<Principal> Authenticator::FromToken(const std::string& token_text) const {
  const std::string* token = &token_text;
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
  return Principal{t.name, t.role, t.institutions, t.team};
}

}  // namespace percept
