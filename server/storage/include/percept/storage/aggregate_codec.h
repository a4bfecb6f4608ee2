// The aggregates' byte formats (docs/storage.md), with no SQL: the sums blob of one
// (survey version, institution, day), a delta of many as one log row, and Likert answers as
// stored in evaluations.likert. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "percept/base/status.h"
#include "percept/survey_definition.h"

namespace percept {

struct AggregateKey {
  std::string survey_id;
  int version = 0;
  std::string institution_id;
  std::string day;
  bool operator==(const AggregateKey& o) const {
    return std::tie(survey_id, version, institution_id, day) ==
           std::tie(o.survey_id, o.version, o.institution_id, o.day);
  }
  bool operator<(const AggregateKey& o) const {
    return std::tie(survey_id, version, institution_id, day) <
           std::tie(o.survey_id, o.version, o.institution_id, o.day);
  }
};

// Sums to add, per key; the value's width is its layout's.
using AggregateDelta = std::map<AggregateKey, std::vector<int64_t>>;

// Adds every entry of `from` into `into`.
void MergeDelta(AggregateDelta& into, const AggregateDelta& from);

// The sums of one key as stored in aggregates.sums: little-endian int64, back to back.
std::string SumsToBlob(const std::vector<int64_t>& sums);
std::vector<int64_t> SumsFromBlob(std::string_view blob);
// The element-wise sum of two such blobs; nullopt when their widths differ.
std::optional<std::string> AddSumBlobs(std::string_view a, std::string_view b);

// A delta as one blob: per key its strings, version and sums, as zigzag varints (most sums of
// a few interviews fit in a byte or two).
std::string EncodeDelta(const AggregateDelta& delta);
Result<AggregateDelta> DecodeDelta(std::string_view blob);

// Likert answers as stored in evaluations.likert: one byte each, value - scale_min + 1, 0 for
// no answer.
std::string EncodeLikert(const std::vector<int>& likert, int scale_min);
std::vector<int> DecodeLikert(std::string_view bytes, int scale_min);

}  // namespace percept
