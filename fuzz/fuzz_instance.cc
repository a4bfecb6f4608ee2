// libFuzzer target: untrusted bytes through the OpenRosa instance reader (SubmissionFromXml)
// and the submission validator, as ODK Collect's POST reaches them. Besides not crashing: what
// is kept of an instance reads back as the same submission, and every stored text is UTF-8.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "percept/base/utf8.h"
#include "fuzz_support.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "percept/xform.h"

using percept::fuzzing::Catalog;
using percept::fuzzing::Known;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  std::string kept;
  auto doc = percept::SubmissionFromXml(xml, Catalog(), &kept);
  if (!doc.ok()) return 0;
  // What is kept means what was sent.
  auto again = percept::SubmissionFromXml(kept, Catalog());
  if (!again.ok() || *again != *doc) __builtin_trap();
  static const Known known;
  auto sub = percept::ValidateSubmission(*doc, Catalog(), known);
  if (sub.ok() && !percept::IsValidUtf8(sub->canonical_json)) __builtin_trap();
  return 0;
}
