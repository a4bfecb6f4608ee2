// libFuzzer target: untrusted bytes through the JSON parser and the submission validator,
// as a tablet's POST reaches them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fuzz_support.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"

using percept::fuzzing::Catalog;
using percept::fuzzing::Known;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  static const Known known;
  auto result = percept::ValidateSubmission(doc, Catalog(), known);
  if (result.ok() && result->canonical_json.empty())
    __builtin_trap();  // a valid one is always stored whole
  return 0;
}
