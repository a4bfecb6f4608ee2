#include "percept/storage/aggregate_codec.h"

#include <cstring>

namespace percept {

namespace {

void PutVarint(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);  // zigzag
  while (z >= 0x80) {
    out += static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  out += static_cast<char>(z);
}

bool GetVarint(std::string_view& in, int64_t* v) {
  uint64_t z = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return true;
    }
  }
  return false;
}

void PutString(std::string& out, const std::string& s) {
  PutVarint(out, static_cast<int64_t>(s.size()));
  out += s;
}

bool GetString(std::string_view& in, std::string* s) {
  int64_t n = 0;
  if (!GetVarint(in, &n) || n < 0 || static_cast<size_t>(n) > in.size()) return false;
  s->assign(in.substr(0, static_cast<size_t>(n)));
  in.remove_prefix(static_cast<size_t>(n));
  return true;
}

}  // namespace

std::string SumsToBlob(const std::vector<int64_t>& v) {
  std::string out(v.size() * sizeof(int64_t), '\0');
  std::memcpy(out.data(), v.data(), out.size());  // little-endian machines only (x86-64, arm64)
  return out;
}

std::vector<int64_t> SumsFromBlob(std::string_view b) {
  std::vector<int64_t> v(b.size() / sizeof(int64_t));
  std::memcpy(v.data(), b.data(), v.size() * sizeof(int64_t));
  return v;
}

std::optional<std::string> AddSumBlobs(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.size() % sizeof(int64_t) != 0) return std::nullopt;
  std::vector<int64_t> out = SumsFromBlob(a);
  const std::vector<int64_t> other = SumsFromBlob(b);
  for (size_t i = 0; i < out.size(); ++i) out[i] += other[i];
  return SumsToBlob(out);
}

void MergeDelta(AggregateDelta& into, const AggregateDelta& from) {
  for (const auto& [key, sums] : from) {
    auto& t = into[key];
    if (t.size() < sums.size()) t.resize(sums.size(), 0);
    for (size_t i = 0; i < sums.size(); ++i) t[i] += sums[i];
  }
}

std::string EncodeDelta(const AggregateDelta& delta) {
  std::string out;
  PutVarint(out, static_cast<int64_t>(delta.size()));
  for (const auto& [key, sums] : delta) {
    PutString(out, key.survey_id);
    PutVarint(out, key.version);
    PutString(out, key.institution_id);
    PutString(out, key.day);
    PutVarint(out, static_cast<int64_t>(sums.size()));
    for (int64_t v : sums) PutVarint(out, v);
  }
  return out;
}

Result<AggregateDelta> DecodeDelta(std::string_view in) {
  AggregateDelta out;
  int64_t entries = 0;
  if (!GetVarint(in, &entries) || entries < 0)
    return Status::Internal("aggregate_log: a damaged delta");
  for (int64_t e = 0; e < entries; ++e) {
    AggregateKey key;
    int64_t version = 0, width = 0;
    if (!GetString(in, &key.survey_id) || !GetVarint(in, &version) ||
        !GetString(in, &key.institution_id) || !GetString(in, &key.day) || !GetVarint(in, &width) ||
        width < 0 || width > 100000) {
      return Status::Internal("aggregate_log: a damaged delta");
    }
    key.version = static_cast<int>(version);
    std::vector<int64_t>& sums = out[key];
    sums.resize(static_cast<size_t>(width));
    for (int64_t& v : sums) {
      if (!GetVarint(in, &v)) return Status::Internal("aggregate_log: a damaged delta");
    }
  }
  return out;
}

std::string EncodeLikert(const std::vector<int>& likert, int scale_min) {
  std::string out(likert.size(), '\0');
  for (size_t i = 0; i < likert.size(); ++i) {
    if (likert[i] != kNoAnswer) out[i] = static_cast<char>(likert[i] - scale_min + 1);
  }
  return out;
}

std::vector<int> DecodeLikert(std::string_view bytes, int scale_min) {
  std::vector<int> out(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[i] = b == 0 ? kNoAnswer : static_cast<int>(b) + scale_min - 1;
  }
  return out;
}

}  // namespace percept
