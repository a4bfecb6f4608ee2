#include "percept/storage/enumerator_cache.h"

namespace percept {

Result<EnumeratorInputCache::Inputs> EnumeratorInputCache::Get(const std::string& survey_id) {
  const uint64_t wanted = aggregates_->changes();
  MutexLock lock(mu_);
  Entry& e = entries_[survey_id];  // a std::map's entries stay where they are
  for (;;) {
    if (e.inputs && e.changes >= wanted) return e.inputs;
    if (!e.reading) break;
    // A read under way that began late enough serves this caller too; an older one, the
    // next one after it.
    const bool serves = e.reading_changes >= wanted;
    read_done_.wait(lock.unique(), [&] { return !e.reading; });
    if (serves && !e.failed.ok()) return e.failed;
  }
  e.reading = true;
  e.reading_changes = aggregates_->changes();
  ++reads_;
  lock.Unlock();
  Status read;
  {
    auto reader = readers_->Acquire();
    read = reader.status();
    // What changed since the last read; from nothing when that is all there is, or when the
    // state missed an interview (then once more from nothing).
    for (int attempt = 0; read.ok() && attempt < 2; ++attempt) {
      if (!e.follow.whole) e.follow = EnumeratorFollow{};
      read = FollowEnumeratorInputs(**reader, *aggregates_, survey_id, &e.follow);
      if (!read.ok()) e.follow = EnumeratorFollow{};
      if (e.follow.whole) break;
    }
  }
  Inputs inputs;
  if (read.ok()) {
    std::vector<EnumeratorInput> all;
    for (const auto& [name, input] : e.follow.by_name) all.push_back(input);
    inputs = std::make_shared<const std::vector<EnumeratorInput>>(std::move(all));
  }
  lock.Lock();
  e.reading = false;
  e.failed = read;
  if (read.ok()) {
    e.inputs = std::move(inputs);
    e.changes = e.reading_changes;
  }
  read_done_.notify_all();
  if (!read.ok()) return e.failed;
  return e.inputs;
}

uint64_t EnumeratorInputCache::reads() const {
  MutexLock lock(mu_);
  return reads_;
}

}  // namespace percept
