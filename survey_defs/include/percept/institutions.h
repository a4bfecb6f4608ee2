// The network's institutions and their CSV file (docs/formats.md, "Institutions file").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"

namespace percept {

struct Institution {
  std::string id;  // slug [a-z0-9-]{1,64}
  std::string name;
  std::string type;    // e.g. cesfam, omil, dideco
  std::string comuna;  // official 4–5 digit commune code, as text
  std::string region;  // region code as text
};

// One CSV record with the line of the file it starts on (1-based).
struct CsvRecord {
  size_t line = 0;
  std::vector<std::string> fields;
};

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF; a UTF-8
// byte-order mark is skipped. Fails on a stray quote or an unterminated quoted field.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

// Reads an institutions file. Every bad row is reported (its line number in the message and
// in the detail's path, "/line/N"); on any problem nothing is returned.
Result<std::vector<Institution>> ParseInstitutionsCsv(std::string_view text,
                                                      const std::string& source_name);
Result<std::vector<Institution>> LoadInstitutionsFile(const std::string& path);

bool IsInstitutionId(std::string_view id);
bool IsComunaCode(std::string_view code);

}  // namespace percept
