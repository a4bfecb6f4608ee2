// JSON pointer helpers (RFC 6901) for the paths in error details. Internal to survey_defs.
#pragma once

#include <string>

namespace percept {

inline std::string EscapePointerToken(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

inline std::string JoinPointer(const std::string& base, const std::string& token) {
  return base + "/" + EscapePointerToken(token);
}

}  // namespace percept
