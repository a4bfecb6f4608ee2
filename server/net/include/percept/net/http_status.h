// The one mapping of a Status to HTTP (docs/api.md, "Errors"): its status number, reason phrase
// and the contract's error object. Used by the connection layer, which refuses requests before
// any route sees them, and by every route.
#pragma once

#include <nlohmann/json.hpp>

#include "percept/base/status.h"

namespace percept {

// The HTTP status of a code, e.g. 422 for kValidationFailed.
int HttpStatusFor(StatusCode code);
// "Unprocessable Entity" and the like, for the status lines the connection layer writes itself.
const char* ReasonPhrase(int status);
// {"code","message","details"}: the inner object of the error body (also a batch item's error).
nlohmann::json ErrorObject(const Status& status);

}  // namespace percept
