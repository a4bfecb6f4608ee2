#include "csv.h"

#include <charconv>
#include <cmath>

namespace percept {

// A number as a spreadsheet reads one: an optional sign, digits, an optional fraction.
bool IsPlainNumber(std::string_view f) {
  if (!f.empty() && (f[0] == '-' || f[0] == '+')) f.remove_prefix(1);
  const size_t dot = f.find('.');
  auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return dot == std::string_view::npos ? digits(f)
                                       : digits(f.substr(0, dot)) && digits(f.substr(dot + 1));
}

// A text that a spreadsheet would run as a formula (OWASP, "CSV injection"): it begins with
// = + - @, a tab or a carriage return, and is not a plain number. docs/security.md, "Exports".
bool LooksLikeFormula(std::string_view f) {
  return !f.empty() && std::string_view("=+-@\t\r").find(f[0]) != std::string_view::npos &&
         !IsPlainNumber(f);
}

const char* const kFormulaNote =
    "texto que empieza con = + - @ tab o CR lleva ' delante / text that begins with = + - @ tab "
    "or CR is prefixed with '";

// RFC 4180: quote a field that holds a comma, a quote or a line break; double its quotes. A
// text that would run as a formula gets a leading ' and quotes, so Excel shows it as text.
void AppendCsvField(std::string& out, std::string_view f) {
  if (LooksLikeFormula(f)) {
    out += "\"'";
    for (char ch : f) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
    return;
  }
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += f;
    return;
  }
  out += '"';
  for (char ch : f) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    AppendCsvField(out, fields[i]);
  }
  out += "\r\n";
}

std::string CsvNumber(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace percept
