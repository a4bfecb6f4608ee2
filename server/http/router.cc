#include "router.h"

#include <algorithm>
#include <cstdio>

#include "openrosa.h"
#include "pages.h"
#include "percept/base/log.h"
#include "percept/http/http_support.h"

namespace percept {

namespace {

bool Matches(const std::string& literal, const std::regex& pattern, const std::string& path) {
  return literal.empty() ? std::regex_match(path, pattern) : literal == path;
}

}  // namespace

void Router::On(const char* method, const std::string& pattern, Access access,
                std::vector<Role> roles, size_t max_body, RouteHandler handler) {
  const bool plain = pattern.find_first_of("()[]\\.*+?|^$") == std::string::npos;
  rules_.push_back({method, plain ? pattern : "", std::regex(pattern), access, roles, max_body});
  httplib::Server::Handler guarded = Guard(access, std::move(roles), std::move(handler));
  if (std::string(method) == "POST") {
    http_->Post(pattern, std::move(guarded));
  } else if (std::string(method) == "PATCH") {
    http_->Patch(pattern, std::move(guarded));
  } else if (std::string(method) == "PUT") {
    http_->Put(pattern, std::move(guarded));
  } else {
    http_->Get(pattern, std::move(guarded));
  }
}

httplib::Server::Handler Router::Guard(Access access, std::vector<Role> roles,
                                       RouteHandler handler) const {
  return [this, access, roles = std::move(roles), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    const bool page = access == Access::kPage;
    auto fail = [&](const Status& s) {
      if (access == Access::kKey) return SendOpenRosaError(res, s);
      page ? SendHtmlError(req, res, s) : SendError(res, s);
    };
    try {
      if (access == Access::kOpen ||
          (access == Access::kLocalApi && proxies_->FromThisMachine(req) &&
           !req.has_header("Authorization"))) {
        return handler(req, res, nullptr);
      }
      auto who = access == Access::kKey
                     ? auth_->FromToken(req.matches[1].str(), RequestScopeOf(req))
                     : auth_->Authenticate(req, /*allow_cookie=*/page);
      if (!who.ok()) {
        if (page && who.status().code() == StatusCode::kUnauthenticated) {
          res.status = 303;
          res.set_header("Location", "/sign-in?next=" + UrlEncode(req.target));
          return;
        }
        return fail(who.status());
      }
      if (RequestScope* scope = RequestScopeOf(req)) scope->caller = who->name;
      int retry_after = 1;
      if (!limiter_->Allow(who->name, &retry_after)) {
        res.set_header("Retry-After", std::to_string(retry_after));
        return fail(Status::RateExceeded("too many requests for this token; slow down"));
      }
      if (std::find(roles.begin(), roles.end(), who->role) == roles.end()) {
        return fail(
            Status::Forbidden(std::string("the ") + RoleName(who->role) + " role may not do this"));
      }
      handler(req, res, &*who);
    } catch (const std::exception& e) {
      // No exception escapes a request (ClickHouse's rule: catch at the top).
      Log(LogLevel::kError, "internal error on %s %s: %s", req.method.c_str(),
          EscapeForLog(LoggedPath(req.path)).c_str(), e.what());
      fail(Status::Internal("internal error; it has been logged"));
    }
  };
}

std::string Router::AllowedMethods(const std::string& path) const {
  std::string out;
  for (const Rule& r : rules_) {
    if (!Matches(r.literal, r.path, path) || out.find(r.method) != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + r.method;
  }
  return out;
}

Status Router::AdmitBody(const RequestHead& head, size_t* max_body, RequestScope* scope) const {
  const std::string path = httplib::detail::decode_url(std::string(head.Path()), false);
  const Rule* rule = nullptr;
  for (const Rule& r : rules_) {
    if (r.method == head.method && Matches(r.literal, r.path, path)) {
      rule = &r;
      break;
    }
  }
  if (rule == nullptr) {
    const std::string allowed = AllowedMethods(path);
    return allowed.empty() ? Status::NotFound("no such endpoint")
                           : Status::OperationNotSupported(head.method +
                                                           " is not allowed here; use " + allowed);
  }
  if (rule->max_body == 0) return Status::InputTooLarge("this endpoint takes no body");
  if (rule->access == Access::kApi || rule->access == Access::kKey) {
    const std::string* authorization = head.Find("Authorization");
    std::smatch key;
    if (rule->access == Access::kKey) std::regex_match(path, key, rule->path);
    auto who =
        rule->access == Access::kKey
            ? auth_->FromToken(key.size() > 1 ? key[1].str() : std::string(), scope)
            : auth_->FromAuthorization(authorization ? *authorization : std::string(), scope);
    if (!who.ok()) return who.status();
    if (std::find(rule->roles.begin(), rule->roles.end(), who->role) == rule->roles.end()) {
      return Status::Forbidden(std::string("the ") + RoleName(who->role) + " role may not do this");
    }
  }
  *max_body = std::min(*max_body, rule->max_body);
  return Status::Ok();
}

}  // namespace percept
