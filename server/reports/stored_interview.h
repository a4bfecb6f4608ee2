// A stored interview read once, with simdjson's on-demand parser, into what the exports need
// (docs/api.md, "Exports"): its fields, its household's answers and each evaluation's, as views
// into the reader's buffers that stay valid until the next Read. Internal to server/reports.
//
// A stored body is canonical JSON as nlohmann::json wrote it (docs/storage.md), so the raw text
// of any value in it is exactly what nlohmann::json::dump() gives for that value: the exports
// write the same bytes as when they parsed every body into a nlohmann::json, ~10× faster.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace percept {

struct StoredValue {
  enum class Kind { kString, kNumber, kBoolean, kNull, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string_view raw;   // its JSON text: what nlohmann::json::dump() writes for it
  std::string_view text;  // a string's text, unescaped; otherwise `raw`
  bool truth = false;     // kBoolean
  uint32_t first = 0;     // kArray: its elements are elements()[first, first + count)
  uint32_t count = 0;
};

struct StoredAnswer {
  std::string_view item;
  StoredValue value;
};

// A section's answers, answers()[first, first + count); `present` when the section is an object.
struct StoredSection {
  bool present = false;
  uint32_t first = 0;
  uint32_t count = 0;
};

struct StoredEvaluation {
  std::string_view institution_id;  // "" when absent
  StoredSection answers;
};

class StoredInterview {
 public:
  StoredInterview();
  ~StoredInterview();

  // Reads `body`; false (and nothing to read) when it is not a JSON object. Bytes that are not
  // UTF-8 are read as U+FFFD.
  bool Read(std::string_view body);

  // A top-level text field ("instance_id", "device_id", "started_at", "completed_at"); "" when
  // absent or not a string.
  std::string_view Field(std::string_view name) const;
  // survey_version as an integer (0 when absent), as nlohmann::json::value(key, 0) reads it.
  int64_t survey_version() const { return survey_version_; }
  const StoredSection& household() const { return household_; }
  const std::vector<StoredEvaluation>& evaluations() const { return evaluations_; }
  const StoredAnswer* answers(const StoredSection& s) const { return answers_.data() + s.first; }
  const StoredValue* elements(const StoredValue& array) const {
    return elements_.data() + array.first;
  }

 private:
  bool ReadValid(std::string_view body);  // Read, without the repair

  struct Parser;  // simdjson's, kept out of this header
  std::unique_ptr<Parser> parser_;
  std::string buffer_;  // the body, with the padding simdjson reads past its end
  std::vector<std::pair<std::string_view, std::string_view>> fields_;
  int64_t survey_version_ = 0;
  StoredSection household_;
  std::vector<StoredEvaluation> evaluations_;
  std::vector<StoredAnswer> answers_;
  std::vector<StoredValue> elements_;
};

}  // namespace percept
