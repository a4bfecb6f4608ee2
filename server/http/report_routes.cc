// The pages a person opens in a browser: sign-in, sign-out and the report of a survey.
#include <cctype>
#include <ctime>

#include "api_server_impl.h"
#include "percept/reports/report_page.h"

namespace percept {

namespace {

// A sign-in or sign-out form is a few hundred bytes.
constexpr size_t kFormBytes = 8 * 1024;

// A form posted from another site is refused (cross-site request forgery): browsers say where a
// post comes from with Sec-Fetch-Site, older ones with Origin (which our no-referrer policy
// turns into "null" for our own forms in current ones). A client that says neither is not a
// browser.
bool CrossSite(const httplib::Request& req) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty()) return site != "same-origin" && site != "none";
  const std::string origin = req.get_header_value("Origin");
  return !origin.empty() && origin != "https://" + req.get_header_value("Host");
}

// A page that can reach nothing outside itself: no script, no remote resource, no framing.
void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
      "frame-ancestors 'none'; base-uri 'none'");
  res.set_header("Strict-Transport-Security", "max-age=31536000");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string Lang(const httplib::Request& req) {
  return req.get_param_value("lang") == "en" ? "en" : "es";
}

// Only our own report pages are places to return to after signing in: never an open redirect.
std::string SafeNext(const std::string& next, const std::string& fallback) {
  if (next.rfind("/reports/", 0) == 0 && next.find("//") == std::string::npos &&
      next.find('\\') == std::string::npos && next.find_first_of("\r\n") == std::string::npos) {
    return next;
  }
  return fallback;
}

}  // namespace

void ApiServer::Impl::ReportRoutes() {
  const std::string first_report =
      "/reports/" + (catalog.LatestAll().empty() ? std::string() : catalog.LatestAll().front()->id);

  On("GET", "/sign-in", {}, 0, [this](const httplib::Request& req, httplib::Response& res) {
    SendHtml(res, 200, RenderSignIn(Lang(req), "", req.get_param_value("next")));
  });

  On("POST", "/sign-in", {}, kFormBytes,
     [this, first_report](const httplib::Request& req, httplib::Response& res) {
       const std::string lang = Lang(req);
       if (CrossSite(req)) {
         return SendHtml(res, 403,
                         "<!doctype html><title>403</title><p>Sign in from this site.</p>");
       }
       // Guessing tokens, or filling the audit trail with failures, is slowed per address.
       int retry_after = 1;
       if (!sign_in_limiter->Allow(req.remote_addr, &retry_after)) {
         res.set_header("Retry-After", std::to_string(retry_after));
         return SendHtml(res, 429,
                         "<!doctype html><title>429</title><p>Too many sign-in attempts; wait a "
                         "minute.</p>");
       }
       Principal who;
       auto session = auth->SignIn(req.get_param_value("token"), &who);
       if (!session.ok()) {
         // Logged without the token; the access log line carries the 401.
         std::fprintf(stderr, "percept: failed sign-in from %s\n", req.remote_addr.c_str());
         Audit("unknown (" + req.remote_addr + ")", "failed sign-in", "");
         return SendHtml(res, 401,
                         RenderSignIn(lang,
                                      lang == "en" ? "That token is not valid, or was revoked."
                                                   : "Ese token no es válido o fue revocado.",
                                      req.get_param_value("next")));
       }
       CurrentRequest().token_name = who.name;
       Audit(who.name, "sign-in", "");
       res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + *session +
                                        "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                        std::to_string(kSessionSeconds));
       std::string next = SafeNext(req.get_param_value("next"), first_report);
       if (next.find("lang=") == std::string::npos)
         next += (next.find('?') == std::string::npos ? "?lang=" : "&lang=") + lang;
       res.status = 303;
       res.set_header("Location", next);
     });

  On("POST", "/sign-out", {}, kFormBytes,
     [this](const httplib::Request& req, httplib::Response& res) {
       if (CrossSite(req)) {
         return SendHtml(res, 403,
                         "<!doctype html><title>403</title><p>Sign out from this site.</p>");
       }
       auth->SignOut(req);
       res.set_header("Set-Cookie", std::string(kSessionCookie) +
                                        "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
       res.status = 303;
       res.set_header("Location", "/sign-in");
     });

  On("GET", R"(/reports/([a-z0-9-]+))", {}, 0,
     [this](const httplib::Request& req, httplib::Response& res) {
       try {
         auto who = auth->Authenticate(req, /*allow_cookie=*/true);
         if (!who.ok()) {
           res.status = 303;
           res.set_header("Location", "/sign-in?next=" + UrlEncode(req.target));
           return;
         }
         CurrentRequest().token_name = who->name;
         if (who->role == Role::kEnumerator) {
           return SendHtml(
               res, 403, "<!doctype html><title>403</title><p>This role may not read reports.</p>");
         }
         int retry_after = 1;
         if (!limiter->Allow(who->name, &retry_after)) {
           res.set_header("Retry-After", std::to_string(retry_after));
           return SendHtml(res, 429,
                           "<!doctype html><title>429</title><p>Too many requests; wait a "
                           "moment.</p>");
         }
         // The report takes the score filters from the query string, and the survey from the
         // path; it shows every institution the reader may see.
         auto query = ScoreQueryOf(req, req.matches[1].str(), /*with_institution=*/false);
         ScoreReport report;
         std::shared_ptr<const InstitutionCache::Directory> directory;
         Status s = query.ok() ? RunScores(*query, *who, &report, &directory) : query.status();
         if (!s.ok()) {
           return SendHtml(
               res, HttpStatusFor(s.code()),
               "<!doctype html><title>Percept</title><p>" + HtmlEscape(s.message()) + "</p>");
         }
         const ScoreQuery& q = *query;
         ReportView view;
         view.survey = q.survey;
         view.report = &report;
         view.institutions = directory.get();
         const Principal reader = *who;
         view.visible = [reader](const ScoreCell& c) { return reader.MayRead(c.institution_id); };
         view.options = Scoring();
         view.from = q.from;
         view.to = q.to;
         view.comuna = q.comuna;
         view.region = q.region;
         view.lang = Lang(req);
         view.reader = who->name;
         view.institution_role = who->role == Role::kInstitution;
         Audit(who->name, "report",
               q.survey->id + (q.comuna.empty() ? "" : " comuna=" + q.comuna) +
                   (q.region.empty() ? "" : " region=" + q.region) +
                   (q.from.empty() ? "" : " from=" + q.from) + (q.to.empty() ? "" : " to=" + q.to));
         SendHtml(res, 200, RenderReport(view));
       } catch (const std::exception& e) {
         std::fprintf(stderr, "percept: internal error on %s: %s\n", req.path.c_str(), e.what());
         SendHtml(res, 500,
                  "<!doctype html><title>500</title><p>Internal error; it has been logged.</p>");
       }
     });
}

}  // namespace percept
