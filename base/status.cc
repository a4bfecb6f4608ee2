#include "percept/base/status.h"

#include <cstdio>
#include <cstdlib>

namespace percept {

const char* CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kMalformedJson:
      return "malformed_json";
    case StatusCode::kMalformedXml:
      return "malformed_xml";
    case StatusCode::kInvalidParameter:
      return "invalid_parameter";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kForbidden:
      return "forbidden";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kOperationNotSupported:
      return "method_not_allowed";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kInputTooLarge:
      return "payload_too_large";
    case StatusCode::kUnsupportedFormat:
      return "unsupported_media_type";
    case StatusCode::kValidationFailed:
      return "validation_failed";
    case StatusCode::kRateExceeded:
      return "too_many_requests";
    case StatusCode::kInputTooSlow:
      return "request_timeout";
    case StatusCode::kPreambleTooLarge:
      return "headers_too_large";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  std::string out = std::string(CodeName(code_)) + ": " + message_;
  size_t shown = 0;
  for (const auto& d : details_) {
    if (++shown > 10) {
      out += "\n  ... and " + std::to_string(details_.size() - 10) + " more";
      break;
    }
    out += "\n  " + (d.path.empty() ? std::string("/") : d.path) + ": " + d.code + ": " + d.message;
  }
  return out;
}

void ResultHasNoValue(const Status& status) {
  std::fprintf(stderr, "percept: a Result without a value was read (a bug): %s\n",
               status.ToString().c_str());
  std::abort();
}

}  // namespace percept
