#include "pages.h"

#include <cctype>
#include <cstdio>

#include "percept/net/http_status.h"
#include "percept/reports/report_page.h"

namespace percept {

void SendHtml(httplib::Response& res, int status, const std::string& html, const char* policy) {
  res.status = status;
  res.set_header("Content-Security-Policy", policy);
  res.set_header("Strict-Transport-Security", "max-age=31536000");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  // same-origin, not no-referrer: our own forms then carry our Origin, which browsers without
  // Sec-Fetch-Site (Safari before 16.4) would otherwise send as "null" and see refused; other
  // sites still learn nothing of our URLs.
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

void SendHtmlError(const httplib::Request& req, httplib::Response& res, const Status& status) {
  const int http = HttpStatusFor(status.code());
  SendHtml(res, http, RenderErrorPage(Lang(req), http, status.message()));
}

bool CrossSite(const httplib::Request& req) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty()) return site != "same-origin" && site != "none";
  // A browser without Sec-Fetch-Site sends our Origin for our own forms (Referrer-Policy
  // same-origin, above); "null" comes from sandboxed frames and data: URLs, never from us.
  const std::string origin = req.get_header_value("Origin");
  return !origin.empty() && origin != "https://" + req.get_header_value("Host");
}

std::string Lang(const httplib::Request& req) {
  return req.get_param_value("lang") == "en" ? "en" : "es";
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

}  // namespace percept
