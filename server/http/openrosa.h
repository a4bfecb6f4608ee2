// What the OpenRosa routes answer (docs/openrosa.md): every answer carries X-OpenRosa-Version,
// and a message is an OpenRosaResponse, which ODK Collect shows to the enumerator. Internal to
// server/http.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "percept/base/status.h"

namespace percept {

// Sets X-OpenRosa-Version: 1.0 (and the Date header Collect reads).
void SetOpenRosaHeaders(httplib::Response& res);
// An OpenRosaResponse with `message` for `http_status`.
void SendOpenRosa(httplib::Response& res, int http_status, const std::string& message);
// The OpenRosaResponse of a failure: its HTTP status, its message and each detail.
void SendOpenRosaError(httplib::Response& res, const Status& status);
// The text of an OpenRosaResponse with `message` for `http_status`.
std::string OpenRosaXml(int http_status, const std::string& message);
// The HTTP status an OpenRosa client gets for `status` (400 for what it only shows), and in
// `*message` the sentence and each detail.
int OpenRosaError(const Status& status, std::string* message);
// Whether `path` is under /key/ as an OpenRosa client may have spelled it (//key/, /Key/).
bool IsOpenRosaPath(std::string_view path);

}  // namespace percept
