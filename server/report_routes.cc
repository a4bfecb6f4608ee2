// The pages a person opens in a browser: sign-in, sign-out and the report of a survey.
#include <cctype>
#include <ctime>

#include "api_server_impl.h"
#include "report_page.h"

namespace percept {

namespace {

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
  httplib::Server& s = *http;
  const std::string first_report =
      "/reports/" + (catalog.LatestAll().empty() ? std::string() : catalog.LatestAll().front()->id);

  s.Get("/sign-in", [this](const httplib::Request& req, httplib::Response& res) {
    SendHtml(res, 200, RenderSignIn(Lang(req), "", req.get_param_value("next")));
  });

  s.Post("/sign-in", [this, first_report](const httplib::Request& req, httplib::Response& res) {
    const std::string lang = Lang(req);
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

  s.Post("/sign-out", [this](const httplib::Request& req, httplib::Response& res) {
    auth->SignOut(req);
    res.set_header("Set-Cookie", std::string(kSessionCookie) +
                                     "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    res.status = 303;
    res.set_header("Location", "/sign-in");
  });

  s.Get(R"(/reports/([a-z0-9-]+))", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      auto who = auth->Authenticate(req, /*allow_cookie=*/true);
      if (!who.ok()) {
        res.status = 303;
        res.set_header("Location", "/sign-in?next=" + UrlEncode(req.target));
        return;
      }
      CurrentRequest().token_name = who->name;
      if (who->role == Role::kEnumerator) {
        return SendHtml(res, 403,
                        "<!doctype html><title>403</title><p>This role may not read reports.</p>");
      }
      // The report takes the score filters from the query string, and the survey from the path.
      httplib::Request scored = req;
      scored.params.erase("survey");
      scored.params.emplace("survey", req.matches[1].str());
      scored.params.erase("institution");
      ScoreQuery q;
      ScoreReport report;
      std::shared_ptr<const InstitutionCache::Directory> directory;
      Status s = PrepareScores(scored, *who, q, &report, &directory);
      if (!s.ok()) {
        return SendHtml(
            res, HttpStatusFor(s.code()),
            "<!doctype html><title>Percept</title><p>" + HtmlEscape(s.message()) + "</p>");
      }
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
