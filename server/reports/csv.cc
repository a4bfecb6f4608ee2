#include "csv.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

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
  if (f.empty()) return false;
  switch (f[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return !IsPlainNumber(f);
    default:
      return false;
  }
}

const char* const kFormulaNote =
    "texto que empieza con = + - @ tab o CR lleva ' delante / text that begins with = + - @ tab "
    "or CR is prefixed with '";

// RFC 4180: quote a field that holds a comma, a quote or a line break; double its quotes. A
// text that would run as a formula gets a leading ' and quotes, so Excel shows it as text.
namespace {

// Whether `f` holds a comma, a quote or a line break, eight bytes at a time (find_first_of
// would call memchr once a character): a word has a byte equal to c when (w ^ c…c) has a zero
// byte, which (v - 0x01…01) & ~v & 0x80…80 detects exactly.
bool NeedsQuotes(std::string_view f) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has = [](uint64_t w, uint8_t c) {
    const uint64_t v = w ^ (kOnes * c);
    return ((v - kOnes) & ~v & kHigh) != 0;
  };
  size_t i = 0;
  for (; i + 8 <= f.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, f.data() + i, 8);
    if (has(w, ',') || has(w, '"') || has(w, '\r') || has(w, '\n')) return true;
  }
  for (; i < f.size(); ++i) {
    const char ch = f[i];
    if (ch == ',' || ch == '"' || ch == '\r' || ch == '\n') return true;
  }
  return false;
}

}  // namespace

void AppendCsvField(std::string& out, std::string_view f) {
  const bool formula = LooksLikeFormula(f);
  if (!formula && !NeedsQuotes(f)) {
    out += f;
    return;
  }
  out += formula ? "\"'" : "\"";
  for (size_t quote; (quote = f.find('"')) != std::string_view::npos; f.remove_prefix(quote + 1))
    out.append(f.data(), quote + 1).append(1, '"');
  out += f;
  out += '"';
}

namespace {

template <typename Fields>
void AppendFields(std::string& out, const Fields& fields) {
  bool first = true;
  for (const auto& f : fields) {
    if (!first) out += ',';
    first = false;
    AppendCsvField(out, f);
  }
  out += "\r\n";
}

}  // namespace

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  AppendFields(out, fields);
}

void AppendCsvRow(std::string& out, std::initializer_list<std::string_view> fields) {
  AppendFields(out, fields);
}

std::string CsvNumber(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace percept
