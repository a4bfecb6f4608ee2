#include "percept/net/http_status.h"

namespace percept {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kMalformedJson:
      return 400;
    case StatusCode::kMalformedXml:
      return 400;
    case StatusCode::kInvalidParameter:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kForbidden:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kOperationNotSupported:
      return 405;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kInputTooLarge:
      return 413;
    case StatusCode::kUnsupportedFormat:
      return 415;
    case StatusCode::kValidationFailed:
      return 422;
    case StatusCode::kRateExceeded:
      return 429;
    case StatusCode::kInputTooSlow:
      return 408;
    case StatusCode::kPreambleTooLarge:
      return 431;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

nlohmann::json ErrorObject(const Status& status) {
  nlohmann::json details = nlohmann::json::array();
  for (const Detail& d : status.details()) {
    details.push_back({{"path", d.path}, {"code", d.code}, {"message", d.message}});
  }
  return {{"code", CodeName(status.code())}, {"message", status.message()}, {"details", details}};
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 409:
      return "Conflict";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

}  // namespace percept
