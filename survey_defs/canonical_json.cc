#include "percept/canonical_json.h"

#include <array>
#include <charconv>
#include <cstring>

namespace percept {

namespace {

// The bytes that cannot stand as themselves in a JSON string.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// What dump() writes for one of them.
const char* Escape(unsigned char c) {
  static const char* const kControl[0x20] = {
      "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
      "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
      "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
      "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
  return c < 0x20 ? kControl[c] : c == '"' ? "\\\"" : "\\\\";
}

void AppendString(const std::string& s, std::string* out) {
  out->push_back('"');
  const char* run = s.data();  // the start of bytes copied as they are
  const char* const end = s.data() + s.size();
  for (const char* p = run; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!kEscaped[c]) continue;
    out->append(run, p);
    out->append(Escape(c));
    run = p + 1;
  }
  out->append(run, end);
  out->push_back('"');
}

template <typename Int>
void AppendInteger(Int n, std::string* out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, r.ptr);
}

}  // namespace

void AppendCanonicalJson(const nlohmann::json& value, std::string* out) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(it.key(), out);
        out->push_back(':');
        AppendCanonicalJson(it.value(), out);
      }
      out->push_back('}');
      return;
    }
    case Type::array: {
      out->push_back('[');
      bool first = true;
      for (const nlohmann::json& element : value) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalJson(element, out);
      }
      out->push_back(']');
      return;
    }
    case Type::string:
      return AppendString(value.get_ref<const std::string&>(), out);
    case Type::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    case Type::number_integer:
      return AppendInteger(value.get<int64_t>(), out);
    case Type::number_unsigned:
      return AppendInteger(value.get<uint64_t>(), out);
    case Type::null:
      out->append("null");
      return;
    default:
      // Floating point (its shortest form and exponent style are nlohmann's own), binary and
      // discarded values: rare in an interview, so dump() writes them.
      out->append(value.dump());
      return;
  }
}

std::string CanonicalJson(const nlohmann::json& value) {
  std::string out;
  AppendCanonicalJson(value, &out);
  return out;
}

}  // namespace percept
