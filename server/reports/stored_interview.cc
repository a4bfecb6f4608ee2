#include "stored_interview.h"

#include <simdjson.h>

#include <charconv>
#include <utility>

#include "percept/base/utf8.h"

namespace percept {

namespace ondemand = simdjson::ondemand;

struct StoredInterview::Parser {
  ondemand::parser parser;
};

namespace {

std::string_view Trimmed(std::string_view raw) {
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
    raw.remove_suffix(1);
  return raw;
}

// Reads `v` into `out`. A top-level array's elements are appended to `elements` (one level:
// a nested array or object is kept as its text, all the exports need of it).
simdjson::error_code ReadValue(ondemand::value v, bool top, StoredValue* out,
                               std::vector<StoredValue>* elements) {
  ondemand::json_type type;
  if (auto e = v.type().get(type)) return e;
  std::string_view raw;
  switch (type) {
    case ondemand::json_type::string:
      out->kind = StoredValue::Kind::kString;
      raw = v.raw_json_token();
      out->raw = Trimmed(raw);
      return v.get_string().get(out->text);
    case ondemand::json_type::number:
    case ondemand::json_type::null:
      out->kind = type == ondemand::json_type::number ? StoredValue::Kind::kNumber
                                                      : StoredValue::Kind::kNull;
      raw = v.raw_json_token();
      out->raw = out->text = Trimmed(raw);
      return simdjson::SUCCESS;
    case ondemand::json_type::boolean:
      out->kind = StoredValue::Kind::kBoolean;
      raw = v.raw_json_token();
      out->raw = out->text = Trimmed(raw);
      return v.get_bool().get(out->truth);
    case ondemand::json_type::object: {
      out->kind = StoredValue::Kind::kObject;
      ondemand::object o;
      if (auto e = v.get_object().get(o)) return e;
      if (auto e = o.raw_json().get(raw)) return e;
      out->raw = out->text = Trimmed(raw);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      out->kind = StoredValue::Kind::kArray;
      ondemand::array a;
      if (auto e = v.get_array().get(a)) return e;
      if (auto e = a.raw_json().get(raw)) return e;
      out->raw = out->text = Trimmed(raw);
      if (!top) return simdjson::SUCCESS;
      if (auto e = a.reset().error()) return e;
      out->first = static_cast<uint32_t>(elements->size());
      for (auto element : a) {
        ondemand::value ev;
        if (auto e = element.get(ev)) return e;
        StoredValue sv;
        if (auto e = ReadValue(ev, false, &sv, elements)) return e;
        elements->push_back(sv);
      }
      out->count = static_cast<uint32_t>(elements->size()) - out->first;
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// A section's answers, appended to `answers`; a section that is not an object has none.
simdjson::error_code ReadSection(ondemand::value v, StoredSection* section,
                                 std::vector<StoredAnswer>* answers,
                                 std::vector<StoredValue>* elements) {
  ondemand::json_type type;
  if (auto e = v.type().get(type)) return e;
  *section = StoredSection{};
  if (type != ondemand::json_type::object) return simdjson::SUCCESS;
  ondemand::object o;
  if (auto e = v.get_object().get(o)) return e;
  section->present = true;
  section->first = static_cast<uint32_t>(answers->size());
  for (auto f : o) {
    ondemand::field field;
    if (auto e = std::move(f).get(field)) return e;
    StoredAnswer a;
    if (auto e = field.unescaped_key().get(a.item)) return e;
    if (auto e = ReadValue(field.value(), true, &a.value, elements)) return e;
    answers->push_back(a);
  }
  section->count = static_cast<uint32_t>(answers->size()) - section->first;
  return simdjson::SUCCESS;
}

// An integer as nlohmann::json::value(key, 0) gives it: a fraction is cut off.
int64_t AsInteger(std::string_view raw) {
  int64_t i = 0;
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), i);
  if (r.ec == std::errc() && r.ptr == raw.data() + raw.size()) return i;
  double d = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), d);
  return static_cast<int64_t>(d);
}

}  // namespace

StoredInterview::StoredInterview() : parser_(std::make_unique<Parser>()) {}
StoredInterview::~StoredInterview() = default;

bool StoredInterview::Read(std::string_view body) {
  if (ReadValid(body)) return true;
  // Text an older server stored that is not UTF-8 (docs/security.md, "Text"): read with
  // U+FFFD in its place rather than lose the interview. Valid bodies never come here.
  if (simdjson::validate_utf8(body.data(), body.size())) return false;
  const std::string repaired = ToValidUtf8(body);
  return ReadValid(repaired);
}

bool StoredInterview::ReadValid(std::string_view body) {
  fields_.clear();
  survey_version_ = 0;
  household_ = StoredSection{};
  evaluations_.clear();
  answers_.clear();
  elements_.clear();
  buffer_.assign(body);
  buffer_.resize(body.size() + simdjson::SIMDJSON_PADDING);
  ondemand::document doc;
  if (parser_->parser.iterate(buffer_.data(), body.size(), buffer_.size()).get(doc)) return false;
  ondemand::object root;
  if (doc.get_object().get(root)) return false;
  auto read = [&]() -> simdjson::error_code {
    for (auto f : root) {
      ondemand::field field;
      if (auto e = std::move(f).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      ondemand::value v = field.value();
      ondemand::json_type type;
      if (auto e = v.type().get(type)) return e;
      if (key == "household") {
        if (auto e = ReadSection(v, &household_, &answers_, &elements_)) return e;
      } else if (key == "evaluations" && type == ondemand::json_type::array) {
        for (auto element : v.get_array()) {
          ondemand::value ev;
          if (auto e = element.get(ev)) return e;
          StoredEvaluation evaluation;
          ondemand::object o;
          if (ev.get_object().get(o) == simdjson::SUCCESS) {
            for (auto g : o) {
              ondemand::field inner;
              if (auto e = std::move(g).get(inner)) return e;
              std::string_view name;
              if (auto e = inner.unescaped_key().get(name)) return e;
              if (name == "answers") {
                if (auto e = ReadSection(inner.value(), &evaluation.answers, &answers_, &elements_))
                  return e;
              } else if (name == "institution_id") {
                std::string_view id;
                if (inner.value().get_string().get(id) == simdjson::SUCCESS)
                  evaluation.institution_id = id;
              }
            }
          }
          evaluations_.push_back(evaluation);
        }
      } else if (key == "survey_version" && type == ondemand::json_type::number) {
        std::string_view raw;
        raw = v.raw_json_token();
        survey_version_ = AsInteger(Trimmed(raw));
      } else if (type == ondemand::json_type::string) {
        std::string_view text;
        if (auto e = v.get_string().get(text)) return e;
        fields_.emplace_back(key, text);
      }
    }
    return simdjson::SUCCESS;
  };
  return read() == simdjson::SUCCESS;
}

std::string_view StoredInterview::Field(std::string_view name) const {
  for (const auto& [key, text] : fields_) {
    if (key == name) return text;
  }
  return {};
}

}  // namespace percept
