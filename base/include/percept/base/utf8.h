// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800–U+DFFF), nothing past
// U+10FFFF. Percept refuses other bytes at the door (docs/security.md, "Text"), and every reader
// of stored text passes it through ToValidUtf8 so that what an older server stored can never
// break a page, an export or the API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace percept {

// The offset of the first byte that does not begin a valid sequence, or npos when all is valid.
size_t InvalidUtf8At(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return InvalidUtf8At(text) == std::string_view::npos;
}

// `text` with each maximal invalid subsequence replaced by U+FFFD (as the WHATWG decoder does).
// Valid text comes back unchanged, after one scan.
std::string ToValidUtf8(std::string_view text);

// Whether `code_point` is a control character: C0 (below U+0020), DEL (U+007F) or C1
// (U+0080–U+009F). Tab, LF and CR count unless `allow_lines`.
bool IsControlCodePoint(unsigned code_point, bool allow_lines);

// Whether the valid UTF-8 `text` holds a control character (IsControlCodePoint).
bool HasControlCodePoint(std::string_view text, bool allow_lines);

}  // namespace percept
