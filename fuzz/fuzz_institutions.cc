// libFuzzer target: the RFC 4180 reader and the institutions-file checks on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "percept/institutions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)percept::ParseCsv(text);
  auto rows = percept::ParseInstitutionsCsv(text, "fuzz.csv");
  if (rows.ok()) {
    for (const auto& i : *rows) {
      if (!percept::IsInstitutionId(i.id) || !percept::IsComunaCode(i.comuna)) __builtin_trap();
    }
  }
  return 0;
}
