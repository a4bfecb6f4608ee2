// The browser's sessions: the sign-in page, signing in with a token, signing out
// (docs/security.md, "Sign-in and files").
#include "session_routes.h"

#include <cstdio>

#include "pages.h"
#include "percept/base/log.h"
#include "percept/http/http_support.h"
#include "percept/reports/report_page.h"

namespace percept {

namespace {

// A sign-in or sign-out form is a few hundred bytes.
constexpr size_t kFormBytes = 8 * 1024;

// Only our own report and supervision pages are places to return to after signing in: never
// an open redirect.
std::string SafeNext(const std::string& next, const std::string& fallback) {
  if ((next.rfind("/reports/", 0) == 0 || next.rfind("/supervise/", 0) == 0 ||
       next.rfind("/plans/", 0) == 0) &&
      next.find("//") == std::string::npos && next.find('\\') == std::string::npos &&
      next.find_first_of("\r\n") == std::string::npos) {
    return next;
  }
  return fallback;
}

}  // namespace

void SessionResource::Register(Router& router) {
  router.On("GET", "/sign-in", Access::kOpen, {}, 0,
            [](const httplib::Request& req, httplib::Response& res, const Principal*) {
              SendHtml(res, 200, RenderSignIn(Lang(req), "", req.get_param_value("next")));
            });

  router.On(
      "POST", "/sign-in", Access::kOpen, {}, kFormBytes,
      [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
        const std::string lang = Lang(req);
        if (CrossSite(req)) {
          return SendHtml(res, 403,
                          "<!doctype html><title>403</title><p>Sign in from this site.</p>");
        }
        // Guessing tokens, or filling the audit trail with failures, is slowed per client (an
        // IPv6 client per /64), and all clients together under a ceiling (docs/security.md).
        const std::string client = proxies_->Of(req).address;
        int retry_after = 1;
        if (!limiter_->Allow(SignInLimitKey(client), &retry_after) ||
            !ceiling_->Allow("*", &retry_after)) {
          res.set_header("Retry-After", std::to_string(retry_after));
          return SendHtml(res, 429,
                          "<!doctype html><title>429</title><p>Too many sign-in attempts; wait a "
                          "minute.</p>");
        }
        Principal who;
        auto session = auth_->SignIn(req.get_param_value("token"), &who);
        if (!session.ok()) {
          // Logged without the token; the access log line carries the 401.
          Log(LogLevel::kWarning, "failed sign-in from %s", EscapeForLog(client).c_str());
          audit_->Record("unknown (" + client + ")", "failed sign-in", "");
          return SendHtml(res, 401,
                          RenderSignIn(lang,
                                       lang == "en" ? "That token is not valid, or was revoked."
                                                    : "Ese token no es válido o fue revocado.",
                                       req.get_param_value("next")));
        }
        if (RequestScope* scope = RequestScopeOf(req)) scope->caller = who.name;
        audit_->Record(who.name, "sign-in", "");
        res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + *session +
                                         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                         std::to_string(kSessionSeconds));
        // Each role's page: supervisors review, the others read the report.
        std::string landing = first_report_;
        if (who.role == Role::kSupervisor && landing.rfind("/reports/", 0) == 0)
          landing = "/supervise/" + landing.substr(9);
        std::string next = SafeNext(req.get_param_value("next"), landing);
        if (next.find("lang=") == std::string::npos)
          next += (next.find('?') == std::string::npos ? "?lang=" : "&lang=") + lang;
        res.status = 303;
        res.set_header("Location", next);
      });

  router.On("POST", "/sign-out", Access::kOpen, {}, kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              if (CrossSite(req)) {
                return SendHtml(res, 403,
                                "<!doctype html><title>403</title><p>Sign out from this site.</p>");
              }
              auth_->SignOut(req);
              res.set_header("Set-Cookie",
                             std::string(kSessionCookie) +
                                 "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
              res.status = 303;
              res.set_header("Location", "/sign-in");
            });
}

}  // namespace percept
