// Browser sessions: signing in and out.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <string>
#include <utility>

#include "audit_trail.h"
#include "client_address.h"
#include "percept/http/auth.h"
#include "rate_limiter.h"
#include "router.h"

namespace percept {

// GET and POST /sign-in, POST /sign-out: browser sessions.
class SessionResource {
 public:
  SessionResource(const Authenticator* auth, RateLimiter* sign_in_limiter,
                  RateLimiter* sign_in_ceiling, const ProxyTrust* proxies,
                  const AuditTrail* audit, std::string first_report)
      : auth_(auth),
        limiter_(sign_in_limiter),
        ceiling_(sign_in_ceiling),
        proxies_(proxies),
        audit_(audit),
        first_report_(std::move(first_report)) {}
  void Register(Router& router);

 private:
  const Authenticator* auth_;
  RateLimiter* limiter_;  // per client (SignInLimitKey): 10 at once, then 1 in 6 s
  RateLimiter* ceiling_;  // every client's together, one key: a guesser with many addresses
  const ProxyTrust* proxies_;
  const AuditTrail* audit_;
  const std::string first_report_;  // where a sign-in without `next` lands
};

}  // namespace percept
