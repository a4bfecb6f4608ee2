// What every page a browser opens shares (docs/security.md, "Sign-in and files"): the headers
// that keep a page from reaching anything outside itself, and the small pages errors use.
// Internal to server/http.
#pragma once

#include <httplib.h>

#include <string>

#include "percept/base/status.h"

namespace percept {

// The policy of our own pages: no script, no remote resource, no framing.
inline constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";
// Sends `html` under `policy` (Content-Security-Policy) and the headers every page carries.
void SendHtml(httplib::Response& res, int status, const std::string& html,
              const char* policy = kPagePolicy);
// A page that says what went wrong, in the request's language (?lang=en, else Spanish), with
// `status`'s message and HTTP status, and a way back.
void SendHtmlError(const httplib::Request& req, httplib::Response& res, const Status& status);
// Whether a form was posted from another site (cross-site request forgery): browsers say where
// a post comes from with Sec-Fetch-Site, older ones with Origin. A client that says neither is
// not a browser, and carries no cookie of ours to abuse.
bool CrossSite(const httplib::Request& req);
// "es" unless the query asks for ?lang=en.
std::string Lang(const httplib::Request& req);
// `s` percent-encoded but for letters, digits and -_./ (a path to return to after signing in).
std::string UrlEncode(const std::string& s);

}  // namespace percept
