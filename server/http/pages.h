// What every page a browser opens shares (docs/security.md, "Sign-in and files"): the headers
// that keep a page from reaching anything outside itself, and the small pages errors use.
// Internal to server/http.
#pragma once

#include <httplib.h>

#include <string>

#include "percept/base/status.h"

namespace percept {

// Sends `html` with no script, no remote resource and no framing allowed.
void SendHtml(httplib::Response& res, int status, const std::string& html);
// A page that says `status`'s message, with its HTTP status.
void SendHtmlError(httplib::Response& res, const Status& status);
// "es" unless the query asks for ?lang=en.
std::string Lang(const httplib::Request& req);
// `s` percent-encoded but for letters, digits and -_./ (a path to return to after signing in).
std::string UrlEncode(const std::string& s);

}  // namespace percept
