// The canonical text of a JSON value: the bytes nlohmann::json's dump() gives (compact, keys in
// byte order, UTF-8 kept as it is, control characters escaped), written without its per-
// character serializer. A stored interview's body and content hash are this text
// (docs/storage.md), so a retry that only differs in whitespace or key order is a duplicate.
//
// The value must come from nlohmann's parser or hold valid UTF-8: dump() would throw on
// invalid UTF-8 where this copies the bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace percept {

void AppendCanonicalJson(const nlohmann::json& value, std::string* out);
std::string CanonicalJson(const nlohmann::json& value);

}  // namespace percept
