// libFuzzer target: the survey-definition loader on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "percept/survey_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto def = percept::ParseSurveyDefinition(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (def.ok()) {
    // A definition that loads must be usable: its parts are consistent.
    for (const auto& d : def->dimensions) {
      if (def->DimensionItems(d.id).empty()) __builtin_trap();
    }
  }
  return 0;
}
