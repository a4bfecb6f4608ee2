// libFuzzer target: untrusted bytes through the JSON parser and the submission validator,
// as a tablet's POST reaches them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "percept/submission.h"
#include "percept/survey_definition.h"

namespace {

class Known : public percept::InstitutionLookup {
 public:
  bool Exists(const std::string& id) const override {
    return id == "cesfam-tal-1" || id == "omil-tal";
  }
};

const percept::SurveyCatalog& Catalog() {
  static const percept::SurveyCatalog catalog = [] {
    auto c = percept::SurveyCatalog::LoadDirectory(PERCEPT_SURVEY_DIR);
    if (!c.ok()) __builtin_trap();
    return std::move(c).value();
  }();
  return catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  static const Known known;
  auto result = percept::ValidateSubmission(doc, Catalog(), known);
  if (result.ok() && result->canonical_json.empty())
    __builtin_trap();  // a valid one is always stored whole
  return 0;
}
