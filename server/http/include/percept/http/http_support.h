// What every route shares: the contract's error body, JSON limits, bearer tokens, and the
// per-request context the access log reads. Used by server/http and the command line.
#pragma once

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "percept/base/status.h"
#include "percept/net/http_status.h"

namespace percept {

// Sets status and the body {"error": ErrorObject(status)}.
void SendError(httplib::Response& res, const Status& status);
void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body);

// Parses a request body as JSON: 415 unless Content-Type is application/json, 400 when it
// is not JSON or nests deeper than `max_depth` (a deep document would exhaust the stack of
// anything that walks it recursively).
Result<nlohmann::json> ParseJsonBody(const httplib::Request& req, int max_depth);

// The token of "Authorization: Bearer <token>", if the header has that form.
std::optional<std::string> BearerToken(const httplib::Request& req);

// `text` with every control byte and backslash (and space, unless `keep_spaces`) written as
// \xNN, so that what a client or an analyst chose can neither start a log line, nor shift its
// fields, nor move an admin's terminal.
std::string EscapeForLog(std::string_view text, bool keep_spaces = false);

// A path as logs show it: an OpenRosa path's token replaced, /key/{token}/formList becoming
// /key/…/formList (the token is a password; docs/openrosa.md), however "key" is spelled
// (//key/, /Key/), and any segment holding a token's "pct_" replaced wherever it stands.
std::string LoggedPath(const std::string& path);


}  // namespace percept
