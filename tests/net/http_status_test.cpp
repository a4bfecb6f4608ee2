// The one mapping of a Status to HTTP (server/net/http_status.h), against docs/api.md's table.
#include "percept/net/http_status.h"

#include <catch2/catch.hpp>
#include <string>

using namespace percept;

TEST_CASE("http status: each code has the status docs/api.md gives it, and a reason phrase",
          "[unit]") {
  const std::pair<StatusCode, int> table[] = {
      {StatusCode::kMalformedJson, 400},
      {StatusCode::kMalformedXml, 400},
      {StatusCode::kInvalidParameter, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kForbidden, 403},
      {StatusCode::kNotFound, 404},
      {StatusCode::kOperationNotSupported, 405},
      {StatusCode::kInputTooSlow, 408},
      {StatusCode::kConflict, 409},
      {StatusCode::kInputTooLarge, 413},
      {StatusCode::kUnsupportedFormat, 415},
      {StatusCode::kValidationFailed, 422},
      {StatusCode::kRateExceeded, 429},
      {StatusCode::kPreambleTooLarge, 431},
      {StatusCode::kInternal, 500},
      {StatusCode::kUnavailable, 503},
  };
  for (const auto& [code, http] : table) {
    CAPTURE(CodeName(code));
    CHECK(HttpStatusFor(code) == http);
    CHECK(std::string(ReasonPhrase(http)) != "Error");
  }
}

TEST_CASE("http status: the error object carries the code's name, the message and each detail",
          "[unit]") {
  Status s = Status::ValidationFailed(
      "2 problems", {{"/a", "required", "'a' is required"}, {"/b/0", "out_of_range", "1..7"}});
  const nlohmann::json e = ErrorObject(s);
  CHECK(e["code"] == "validation_failed");
  CHECK(e["message"] == "2 problems");
  REQUIRE(e["details"].size() == 2);
  CHECK(e["details"][1]["path"] == "/b/0");
  CHECK(e["details"][1]["code"] == "out_of_range");
  CHECK(ErrorObject(Status::NotFound("x"))["details"].empty());
}
