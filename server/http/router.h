// The route table and its one guard (docs/api.md, "Roles"). Every route, the pages included,
// is registered here with who may reach it; the guard authenticates, rate-limits, checks the
// role and turns every failure (and every exception) into an error in the route's own form: the
// contract's JSON body for the API, a page for a browser. The connection layer asks the same
// table, before a body is read, whether to read it (AdmitBody). Internal to server/http.
#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/http/auth.h"
#include "percept/net/connections.h"
#include "client_address.h"
#include "rate_limiter.h"

namespace percept {

enum class Access {
  kApi,       // a bearer token of one of the roles; errors as JSON
  kPage,      // a bearer token or the session cookie; errors as a page, and no one signed in
              // is sent to /sign-in
  kLocalApi,  // as kApi, but open to the machine itself when it sends no token (/metrics)
  kKey,       // OpenRosa (docs/openrosa.md): the token is the path's first group,
              // /key/{token}/...; errors as an OpenRosaResponse
  kOpen,      // anyone: the health check and the sign-in forms
};

// A handler sees the caller the guard admitted; null on an open route (or a local one reached
// without a token).
using RouteHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Principal* who)>;

class Router {
 public:
  // `http`, `auth`, `limiter` and `proxies` are not owned and outlive the router; no
  // `proxies`: none is trusted.
  Router(httplib::Server* http, const Authenticator* auth, RateLimiter* limiter,
         const ProxyTrust* proxies = nullptr)
      : http_(http), auth_(auth), limiter_(limiter), proxies_(proxies ? proxies : &kNoProxy) {}

  // Registers METHOD `pattern` (a regex, or a plain path) for `roles` (unused on open routes),
  // taking a body of at most `max_body` bytes (0: none).
  void On(const char* method, const std::string& pattern, Access access, std::vector<Role> roles,
          size_t max_body, RouteHandler handler);

  // The connection layer's question before a body is read (RequestHooks::admit_body): 404, 405,
  // 413 for a route that takes no body, 401, 403; else lowers *max_body to the route's. The
  // caller admitted is kept in `*scope` for the route's guard.
  Status AdmitBody(const RequestHead& head, size_t* max_body, RequestScope* scope) const;
  // The methods `path` has a route for, e.g. "GET, POST"; empty when none.
  std::string AllowedMethods(const std::string& path) const;

  // `handler` behind the guard for `access` and `roles`: what On registers, for a test to call.
  httplib::Server::Handler Guard(Access access, std::vector<Role> roles,
                                 RouteHandler handler) const;

 private:
  struct Rule {
    std::string method;
    std::string literal;  // the path when the pattern is a plain one (compared without a regex)
    std::regex path;
    Access access;
    std::vector<Role> roles;
    size_t max_body = 0;
  };
  httplib::Server* http_;
  const Authenticator* auth_;
  RateLimiter* limiter_;
  static inline const ProxyTrust kNoProxy{};
  const ProxyTrust* proxies_;
  std::vector<Rule> rules_;  // filled before the server starts; read-only after, on any thread
};

}  // namespace percept
