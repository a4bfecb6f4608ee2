#include "percept/storage/enumerator_cache.h"

#include "percept/storage/reviews.h"

namespace percept {

Result<EnumeratorInputCache::Inputs> EnumeratorInputCache::Get(const std::string& survey_id) {
  const uint64_t wanted = aggregates_->changes();
  std::unique_lock<std::mutex> lock(mu_);
  Entry& e = entries_[survey_id];  // a std::map's entries stay where they are
  for (;;) {
    if (e.inputs && e.changes >= wanted) return e.inputs;
    if (!e.reading) break;
    // A read under way that began late enough serves this caller too; an older one, the
    // next one after it.
    const bool serves = e.reading_changes >= wanted;
    read_done_.wait(lock, [&] { return !e.reading; });
    if (serves && !e.failed.ok()) return e.failed;
  }
  e.reading = true;
  e.reading_changes = aggregates_->changes();
  ++reads_;
  lock.unlock();
  Result<std::vector<EnumeratorInput>> read = Status::Internal("not read");
  {
    auto reader = readers_->Acquire();
    read = reader.ok() ? ReadEnumeratorInputs(**reader, *aggregates_, survey_id, "")
                       : Result<std::vector<EnumeratorInput>>(reader.status());
  }
  lock.lock();
  e.reading = false;
  e.failed = read.status();
  if (read.ok()) {
    e.inputs = std::make_shared<const std::vector<EnumeratorInput>>(std::move(read).value());
    e.changes = e.reading_changes;
  }
  read_done_.notify_all();
  if (!read.ok()) return e.failed;
  return e.inputs;
}

uint64_t EnumeratorInputCache::reads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reads_;
}

}  // namespace percept
