#include "percept/institutions.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace percept {

bool IsInstitutionId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsComunaCode(std::string_view code) {
  return code.size() >= 4 && code.size() <= 5 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord rec;
  std::string field;
  size_t line = 1;
  rec.line = 1;
  bool in_quotes = false, field_was_quoted = false, record_has_content = false;
  auto end_field = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    // A blank line is no record (a trailing newline, or an empty last line).
    if (record_has_content || rec.fields.size() > 1) records.push_back(std::move(rec));
    rec = CsvRecord{};
    rec.line = line;
    record_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted) {
          return Status::ValidationFailed(
              "line " + std::to_string(line) +
              ": a quote inside an unquoted field (RFC 4180 quotes the whole field)");
        }
        in_quotes = field_was_quoted = record_has_content = true;
        break;
      case ',':
        record_has_content = true;
        end_field();
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') break;
        field += c;
        break;
      case '\n':
        ++line;
        end_record();
        break;
      default:
        if (field_was_quoted) {
          return Status::ValidationFailed("line " + std::to_string(line) +
                                          ": text after the closing quote of a field");
        }
        record_has_content = true;
        field += c;
    }
  }
  if (in_quotes) {
    return Status::ValidationFailed("line " + std::to_string(rec.line) +
                                    ": a quoted field is never closed");
  }
  end_record();
  return records;
}

Result<std::vector<Institution>> ParseInstitutionsCsv(std::string_view text,
                                                      const std::string& source_name) {
  auto parsed = ParseCsv(text);
  if (!parsed.ok()) return Status::ValidationFailed(source_name + ": " + parsed.status().message());
  const auto& rows = parsed.value();
  static const std::vector<std::string> kHeader = {"id", "name", "type", "comuna", "region"};
  if (rows.empty() || rows[0].fields != kHeader) {
    return Status::ValidationFailed(source_name +
                                    ": line 1: the header must be id,name,type,comuna,region");
  }
  std::vector<Detail> problems;
  std::vector<Institution> out;
  std::set<std::string> ids;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRecord& rec = rows[r];
    std::string where = "/line/" + std::to_string(rec.line);
    auto problem = [&](const char* code, const std::string& msg) {
      problems.push_back({where, code, "line " + std::to_string(rec.line) + ": " + msg});
    };
    if (rec.fields.size() != kHeader.size()) {
      problem("wrong_field_count", "has " + std::to_string(rec.fields.size()) + " fields, not 5");
      continue;
    }
    Institution inst{rec.fields[0], rec.fields[1], rec.fields[2], rec.fields[3], rec.fields[4]};
    if (!IsInstitutionId(inst.id))
      problem("bad_id", "id '" + inst.id + "' is not [a-z0-9-]{1,64}");
    else if (!ids.insert(inst.id).second)
      problem("duplicate_id", "id '" + inst.id + "' appears twice");
    if (inst.name.empty() || inst.name.size() > 200)
      problem("bad_name", "name is 1 to 200 characters");
    if (inst.type.empty() || inst.type.size() > 64)
      problem("bad_type", "type is 1 to 64 characters");
    if (!IsComunaCode(inst.comuna))
      problem("bad_comuna", "comuna '" + inst.comuna + "' is not a 4–5 digit code");
    if (inst.region.empty() || inst.region.size() > 64)
      problem("bad_region", "region is 1 to 64 characters");
    out.push_back(std::move(inst));
  }
  if (!problems.empty()) {
    std::string first = problems.front().message;
    return Status::ValidationFailed(source_name + ": " + std::to_string(problems.size()) +
                                        " bad row(s), nothing imported; first: " + first,
                                    std::move(problems));
  }
  return out;
}

Result<std::vector<Institution>> LoadInstitutionsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseInstitutionsCsv(buf.str(), path);
}

}  // namespace percept
