// CSV as the exports write it (docs/formats.md, "Exports"): RFC 4180 fields, and a text that a
// spreadsheet would run as a formula made inert. Internal to server/reports.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace percept {

// Written first, so that Excel reads the accents right.
inline constexpr const char* kByteOrderMark = "\xEF\xBB\xBF";

// What a codebook says of text columns that may have been neutralised.
extern const char* const kFormulaNote;

// A number as a spreadsheet reads one: an optional sign, digits, an optional fraction.
bool IsPlainNumber(std::string_view f);
// A text that a spreadsheet would run as a formula (OWASP, "CSV injection"): it begins with
// = + - @, a tab or a carriage return, and is not a plain number. docs/security.md, "Exports".
bool LooksLikeFormula(std::string_view f);
// RFC 4180: quote a field that holds a comma, a quote or a line break; double its quotes. A
// text that would run as a formula gets a leading ' and quotes, so Excel shows it as text.
void AppendCsvField(std::string& out, std::string_view f);
void AppendCsvRow(std::string& out, const std::vector<std::string>& fields);
void AppendCsvRow(std::string& out, std::initializer_list<std::string_view> fields);
// A number in its shortest exact form ("" when it is not finite), for full precision in exports.
std::string CsvNumber(double v);

}  // namespace percept
