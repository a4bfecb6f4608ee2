#include "aggregates.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace percept {

namespace {

std::string ToBlob(const std::vector<int64_t>& v) {
  std::string out(v.size() * sizeof(int64_t), '\0');
  std::memcpy(out.data(), v.data(), out.size());  // little-endian machines only (x86-64, arm64)
  return out;
}

std::vector<int64_t> FromBlob(std::string_view b) {
  std::vector<int64_t> v(b.size() / sizeof(int64_t));
  std::memcpy(v.data(), b.data(), v.size() * sizeof(int64_t));
  return v;
}

void PerceptAdd(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const int na = sqlite3_value_bytes(argv[0]), nb = sqlite3_value_bytes(argv[1]);
  const auto* a = static_cast<const char*>(sqlite3_value_blob(argv[0]));
  const auto* b = static_cast<const char*>(sqlite3_value_blob(argv[1]));
  if (na != nb || na % 8 != 0) {
    sqlite3_result_error(ctx, "percept_add: blobs of different widths", -1);
    return;
  }
  std::vector<int64_t> out(na / 8), other(na / 8);
  std::memcpy(out.data(), a, na);
  std::memcpy(other.data(), b, nb);
  for (size_t i = 0; i < out.size(); ++i) out[i] += other[i];
  sqlite3_result_blob(ctx, out.data(), na, SQLITE_TRANSIENT);
}

bool SameShape(const ScoreLayout& a, const ScoreLayout& b) {
  if (a.likert_items() != b.likert_items() || a.width() != b.width() || a.lo() != b.lo() ||
      a.hi() != b.hi())
    return false;
  for (size_t i = 0; i < a.blocks().size(); ++i) {
    if (a.blocks()[i].id != b.blocks()[i].id || a.blocks()[i].items != b.blocks()[i].items)
      return false;
  }
  return true;
}

constexpr const char* kGenerationKey = "aggregates_generation";

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

// Adds every entry of `from` into `into`.
void Merge(AggregateDelta& into, const AggregateDelta& from) {
  for (const auto& [key, sums] : from) {
    auto& t = into[key];
    if (t.size() < sums.size()) t.resize(sums.size(), 0);
    for (size_t i = 0; i < sums.size(); ++i) t[i] += sums[i];
  }
}

Result<AggregateDelta> ReadLog(Store& store, int64_t* last_seq) {
  AggregateDelta all;
  auto st = store.Cached("SELECT seq, delta FROM aggregate_log ORDER BY seq");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  while (q.Step()) {
    *last_seq = q.Int(0);
    auto d = DecodeDelta(q.BlobView(1));
    if (!d.ok()) return d.status();
    Merge(all, *d);
  }
  if (!q.status().ok()) return q.status();
  return all;
}

}  // namespace

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

Status RegisterAggregateFunctions(Database* db) {
  int rc =
      sqlite3_create_function_v2(db->raw(), "percept_add", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, PerceptAdd, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Status::Internal("cannot register percept_add");
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

Aggregates::Aggregates(const std::vector<const SurveyDefinition*>& definitions) {
  for (const SurveyDefinition* d : definitions) {
    layouts_[{d->id, d->version}] = std::make_shared<const ScoreLayout>(*d);
  }
}

const ScoreLayout* Aggregates::Layout(const std::string& survey_id, int version) const {
  auto it = layouts_.find({survey_id, version});
  return it == layouts_.end() ? nullptr : it->second.get();
}

void Aggregates::Add(const ValidSubmission& sub, AggregateDelta* delta) const {
  const ScoreLayout* layout = Layout(sub.survey_id, sub.survey_version);
  if (!layout) return;
  for (const auto& ev : sub.evaluations) {
    auto& sums =
        (*delta)[{sub.survey_id, sub.survey_version, ev.institution_id, sub.completed_day}];
    if (sums.empty()) sums.assign(layout->width(), 0);
    layout->Accumulate(ev.likert, sums.data());
  }
}

Status Aggregates::Write(Store& store, const AggregateDelta& delta) {
  for (const auto& [key, sums] : delta) {
    auto st = store.Cached(
        "INSERT INTO aggregates (survey_id, survey_version, institution_id, day, sums) VALUES "
        "(?,?,?,?,?) "
        "ON CONFLICT (survey_id, survey_version, institution_id, day) "
        "DO UPDATE SET sums = percept_add(sums, excluded.sums)");
    if (!st.ok()) return st.status();
    const std::string blob = ToBlob(sums);
    (*st)
        ->Bind(1, key.survey_id)
        .Bind(2, static_cast<int64_t>(key.version))
        .Bind(3, key.institution_id)
        .Bind(4, key.day)
        .BindBlob(5, blob.data(), blob.size());
    Status s = (*st)->Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

void Aggregates::DaySeries::Add(const std::string& day, const std::vector<int64_t>& delta) {
  const size_t width = delta.size();
  auto it = std::lower_bound(days.begin(), days.end(), day);
  const size_t at = static_cast<size_t>(it - days.begin());
  if (it == days.end() || *it != day) {
    days.insert(it, day);
    sums.insert(sums.begin() + static_cast<std::ptrdiff_t>(at * width), width, 0);
  }
  int64_t* into = sums.data() + at * width;
  for (size_t i = 0; i < width; ++i) into[i] += delta[i];
}

Status Aggregates::AppendLog(Store& store, const AggregateDelta& delta) {
  if (delta.empty()) return Status::Ok();
  auto st = store.Cached("INSERT INTO aggregate_log (delta) VALUES (?)");
  if (!st.ok()) return st.status();
  const std::string blob = EncodeDelta(delta);
  (*st)->BindBlob(1, blob.data(), blob.size());
  return (*st)->Run();
}

Result<int64_t> Aggregates::FoldLog(Store& store) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  int64_t last = 0;
  auto all = ReadLog(store, &last);
  if (!all.ok()) return all.status();
  if (last == 0) return int64_t{0};
  Status s = Write(store, *all);
  if (!s.ok()) return s;
  auto del = store.Cached("DELETE FROM aggregate_log WHERE seq <= ?");
  if (!del.ok()) return del.status();
  (*del)->Bind(1, last);
  s = (*del)->Run();
  if (!s.ok()) return s;
  const int64_t folded = store.db()->Changes();
  s = tx.Commit();
  if (!s.ok()) return s;
  return folded;
}

Status Aggregates::Load(Store& store) {
  decltype(mirror_) fresh;
  auto gen = store.GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  // In key order, so that every series grows at its end.
  auto st = store.Cached(
      "SELECT survey_id, survey_version, institution_id, day, sums FROM aggregates "
      "ORDER BY survey_id, survey_version, institution_id, day");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  while (q.Step()) {
    fresh[{q.Text(0), static_cast<int>(q.Int(1))}][q.Text(2)].Add(q.Text(3),
                                                                  FromBlob(q.BlobView(4)));
  }
  if (!q.status().ok()) return q.status();
  int64_t last = 0;
  auto pending = ReadLog(store, &last);
  if (!pending.ok()) return pending.status();
  for (const auto& [key, sums] : *pending)
    fresh[{key.survey_id, key.version}][key.institution_id].Add(key.day, sums);
  std::unique_lock<std::shared_mutex> lock(mu_);
  mirror_ = std::move(fresh);
  generation_ = gen->empty() ? 0 : std::stoll(*gen);
  return Status::Ok();
}

void Aggregates::Apply(const AggregateDelta& delta) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (const auto& [key, sums] : delta)
    mirror_[{key.survey_id, key.version}][key.institution_id].Add(key.day, sums);
}

int64_t Aggregates::loaded_generation() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return generation_;
}

std::map<std::string, std::vector<int64_t>> Aggregates::Sum(
    const std::string& survey_id, const ScoreLayout& layout, const std::string& from,
    const std::string& to, const std::function<bool(const std::string&)>& include) const {
  std::map<std::string, std::vector<int64_t>> out;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [sv, institutions] : mirror_) {
    if (sv.first != survey_id) continue;
    const ScoreLayout* own = Layout(sv.first, sv.second);
    if (!own || !SameShape(*own, layout)) continue;
    const size_t width = own->width();
    for (const auto& [inst, series] : institutions) {
      if (!include(inst)) continue;
      const auto& days = series.days;
      const size_t first =
          from.empty() ? 0 : std::lower_bound(days.begin(), days.end(), from) - days.begin();
      const size_t last =
          to.empty() ? days.size() : std::upper_bound(days.begin(), days.end(), to) - days.begin();
      if (first >= last) continue;
      std::vector<int64_t>& total = out[inst];
      if (total.empty()) total.assign(width, 0);
      int64_t* t = total.data();
      for (const int64_t* s = series.sums.data() + first * width;
           s != series.sums.data() + last * width; s += width) {
        for (size_t i = 0; i < width; ++i) t[i] += s[i];
      }
    }
  }
  return out;
}

Result<int64_t> RebuildAggregates(Store& store) {
  Status s = RegisterAggregateFunctions(store.db());
  if (!s.ok()) return s;
  auto versions = store.ListSurveyVersions();
  if (!versions.ok()) return versions.status();
  std::vector<SurveyDefinition> defs;
  for (const auto& [key, json] : *versions) {
    auto def = ParseSurveyDefinition(
        json, "database: survey " + key.first + " v" + std::to_string(key.second));
    if (!def.ok()) return def.status();
    defs.push_back(std::move(def).value());
  }
  std::vector<const SurveyDefinition*> pointers;
  for (const auto& d : defs) pointers.push_back(&d);
  Aggregates book(pointers);

  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  AggregateDelta all;
  int64_t read = 0;
  {
    auto st = store.Cached(
        "SELECT survey_id, survey_version, institution_id, completed_day, likert FROM evaluations");
    if (!st.ok()) return st.status();
    Statement& q = **st;
    ResetOnExit reset(q);
    AggregateKey key;
    std::vector<int64_t>* sums = nullptr;
    while (q.Step()) {
      ++read;
      std::string_view survey = q.TextView(0), inst = q.TextView(2), day = q.TextView(3);
      const int version = static_cast<int>(q.Int(1));
      // Evaluations come in insertion order, so consecutive rows often share a key.
      if (!sums || key.survey_id != survey || key.version != version ||
          key.institution_id != inst || key.day != day) {
        key = {std::string(survey), version, std::string(inst), std::string(day)};
        const ScoreLayout* layout = book.Layout(key.survey_id, version);
        if (!layout) {
          sums = nullptr;
          continue;
        }
        sums = &all[key];
        if (sums->empty()) sums->assign(layout->width(), 0);
      }
      const ScoreLayout* layout = book.Layout(key.survey_id, version);
      const int lo = layout->lo();
      layout->Accumulate(DecodeLikert(q.BlobView(4), lo), sums->data());
    }
    if (!q.status().ok()) return q.status();
  }
  s = store.db()->Exec("DELETE FROM aggregates");
  if (s.ok()) s = store.db()->Exec("DELETE FROM aggregate_log");
  if (s.ok()) s = Aggregates::Write(store, all);
  if (!s.ok()) return s;
  auto gen = store.GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  s = store.SetMeta(kGenerationKey, std::to_string((gen->empty() ? 0 : std::stoll(*gen)) + 1));
  if (!s.ok()) return s;
  s = tx.Commit();
  if (!s.ok()) return s;
  return read;
}

}  // namespace percept
