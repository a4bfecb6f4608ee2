#include "percept/http/http_support.h"

#include <cctype>

namespace percept {

void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body) {
  res.status = http_status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  if (status.code() == StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"percept\"");
  }
  // Whatever could not be done now can be tried again: say when.
  if (status.code() == StatusCode::kUnavailable && !res.has_header("Retry-After")) {
    res.set_header("Retry-After", "2");
  }
  SendJson(res, HttpStatusFor(status.code()), {{"error", ErrorObject(status)}});
}

namespace {

// The deepest nesting of arrays and objects in a JSON text, and how many object keys it
// writes (one ':' each outside strings), counted outside strings; stops early once deeper than
// `limit`. Malformed text is left to the parser.
struct JsonShape {
  int depth = 0;
  size_t keys = 0;
};
JsonShape ScanJson(std::string_view text, int limit) {
  JsonShape shape;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == ':') {
      ++shape.keys;
    } else if (c == '[' || c == '{') {
      if (++depth > shape.depth && (shape.depth = depth) > limit) return shape;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return shape;
}

// How many object keys a parsed document holds: fewer than its text wrote when a key was
// repeated (the parser keeps the last).
size_t KeyCount(const nlohmann::json& doc) {
  size_t n = 0;
  if (doc.is_object()) n += doc.size();
  if (doc.is_structured()) {
    for (const auto& child : doc) n += KeyCount(child);
  }
  return n;
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(const httplib::Request& req, int max_depth) {
  const std::string& type = req.get_header_value("Content-Type");
  std::string_view media = std::string_view(type).substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media != "application/json") {
    return Status::UnsupportedFormat("the body must be sent as Content-Type: application/json");
  }
  const JsonShape shape = ScanJson(req.body, max_depth);
  if (shape.depth > max_depth) {
    return Status::MalformedJson("the JSON nests deeper than " + std::to_string(max_depth) +
                                 " levels");
  }
  nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::MalformedJson("the body is not valid JSON");
  // Two values for one key would be read differently by different readers of the stored text.
  if (KeyCount(doc) != shape.keys) {
    return Status::MalformedJson("an object of the JSON has the same key twice");
  }
  return doc;
}

std::optional<std::string> BearerToken(const httplib::Request& req) {
  const std::string& h = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  return h.substr(kPrefix.size());
}

std::string EscapeForLog(std::string_view text, bool keep_spaces) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == '\\' || (c == ' ' && !keep_spaces)) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string LoggedPath(const std::string& path) {
  // Whatever the spelling a client tried (//key/…, /KEY/…, a token pasted elsewhere in the
  // path), a segment after "key" and any segment that looks like a token are left out.
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string out;
  out.reserve(path.size());
  bool after_key = false;
  for (size_t at = 0; at <= path.size();) {
    size_t end = path.find_first_of("/?&=;", at);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + at, end - at);
    const std::string low = lower(segment);
    if (!segment.empty() && (after_key || low.find("pct_") != std::string::npos))
      out += "…";
    else
      out += segment;
    if (!segment.empty()) after_key = low == "key";
    if (end < path.size()) out += path[end];
    at = end + 1;
  }
  return out;
}

}  // namespace percept
