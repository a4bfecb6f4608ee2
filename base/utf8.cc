#include "percept/base/utf8.h"

namespace percept {

namespace {

// The length of the valid sequence at `at`, or 0 when the bytes there are not one; the code
// point in `*cp`.
size_t SequenceAt(std::string_view s, size_t at, unsigned* cp) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[at + i]); };
  const unsigned char c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (at + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if ((b(i) & 0xC0) != 0x80) return 0;
  unsigned v = c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) v = (v << 6) | (b(i) & 0x3F);
  *cp = v;
  return len;
}

// How many bytes at `at` make one maximal invalid subsequence: the lead byte and the
// continuation bytes that a valid sequence could still have had.
size_t InvalidRunAt(std::string_view s, size_t at) {
  const unsigned char c = static_cast<unsigned char>(s[at]);
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 ? 2 : 1;
  size_t n = 1;
  unsigned lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  while (n < len && at + n < s.size()) {
    const unsigned char d = static_cast<unsigned char>(s[at + n]);
    if (n == 1 ? (d < lo || d > hi) : (d & 0xC0) != 0x80) break;
    ++n;
  }
  return n;
}

}  // namespace

size_t InvalidUtf8At(std::string_view text) {
  unsigned cp;
  for (size_t at = 0; at < text.size();) {
    // ASCII runs, the common case, a byte at a time without decoding.
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const size_t len = SequenceAt(text, at, &cp);
    if (len == 0) return at;
    at += len;
  }
  return std::string_view::npos;
}

std::string ToValidUtf8(std::string_view text) {
  size_t bad = InvalidUtf8At(text);
  if (bad == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, bad));
  unsigned cp;
  for (size_t at = bad; at < text.size();) {
    const size_t len = SequenceAt(text, at, &cp);
    if (len > 0) {
      out.append(text, at, len);
      at += len;
    } else {
      out += "\xEF\xBF\xBD";
      at += InvalidRunAt(text, at);
    }
  }
  return out;
}

bool IsControlCodePoint(unsigned code_point, bool allow_lines) {
  if (allow_lines && (code_point == '\t' || code_point == '\n' || code_point == '\r')) return false;
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

bool HasControlCodePoint(std::string_view text, bool allow_lines) {
  unsigned cp;
  for (size_t at = 0; at < text.size();) {
    const size_t len = SequenceAt(text, at, &cp);
    if (len == 0) {  // not UTF-8: a byte at a time, as Latin-1 would read it
      cp = static_cast<unsigned char>(text[at]);
      at += 1;
    } else {
      at += len;
    }
    if (IsControlCodePoint(cp, allow_lines)) return true;
  }
  return false;
}

}  // namespace percept
