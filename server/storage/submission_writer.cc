#include "percept/storage/submission_writer.h"

#include <array>
#include <cstdio>
#include <map>

#include "percept/base/log.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/audit_records.h"
#include "percept/storage/reviews.h"
#include "percept/storage/submission_records.h"

namespace percept {

struct SubmissionWriter::Job {
  const std::function<Status(Store&)>* task = nullptr;  // instead of submissions
  Status task_status;
  const std::vector<const ValidSubmission*>* subs = nullptr;
  const std::string* enumerator;
  std::vector<SubmissionOutcome> outcomes;
  bool done = false;
  std::condition_variable cv;
};

SubmissionWriter::SubmissionWriter(std::unique_ptr<Store> store, Aggregates* aggregates,
                                   size_t max_batch)
    : store_(std::move(store)), aggregates_(aggregates), max_batch_(max_batch) {
  if (aggregates_) {
    Status s = RegisterAggregateFunctions(store_->db());
    if (!s.ok()) Log(LogLevel::kError, "%s", s.message().c_str());
  }
  thread_ = std::thread([this] { Run(); });
}

Status SubmissionWriter::RunExclusive(const std::function<Status(Store&)>& task) {
  Job job;
  job.task = &task;
  MutexLock lock(mu_);
  if (stopping_) return Status::Unavailable("the server is stopping");
  queue_.push_back(&job);
  work_.notify_one();
  job.cv.wait(lock.unique(), [&] { return job.done; });
  return job.task_status;
}

SubmissionWriter::~SubmissionWriter() { Stop(); }

void SubmissionWriter::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WriterStats SubmissionWriter::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

std::vector<SubmissionOutcome> SubmissionWriter::Write(
    const std::vector<const ValidSubmission*>& subs, const std::string& enumerator) {
  if (subs.empty()) return {};
  Job job;
  job.subs = &subs;
  job.enumerator = &enumerator;
  MutexLock lock(mu_);
  if (stopping_) return std::vector<SubmissionOutcome>(subs.size(), SubmissionOutcome::kFailed);
  queue_.push_back(&job);
  work_.notify_one();
  job.cv.wait(lock.unique(), [&] { return job.done; });
  return std::move(job.outcomes);
}

void SubmissionWriter::Run() {
  MutexLock lock(mu_);
  // Where other servers write too, an idle writer follows their log rows every kFollowEvery,
  // and folds old rows now and then (docs/storage.md, "Several servers").
  const bool shared = aggregates_ && store_->dialect().shared_by_servers;
  int idle = 0;
  for (;;) {
    const auto ready = [&]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); };
    if (shared) {
      if (!work_.wait_for(lock.unique(), kFollowEvery, ready)) {
        lock.Unlock();
        Status s = aggregates_->Follow(*store_);
        if (!s.ok()) Log(LogLevel::kError, "following the aggregate log: %s", s.message().c_str());
        if (++idle % kFoldIdleEvery == 0) FoldLog();
        lock.Lock();
        continue;
      }
    } else {
      work_.wait(lock.unique(), ready);
    }
    if (queue_.empty()) {  // stopping, and everything queued is written
      lock.Unlock();
      if (aggregates_) FoldLog(/*whole=*/true);
      return;
    }
    if (Job* task = queue_.front(); task->task) {
      queue_.pop_front();
      lock.Unlock();
      task->task_status = (*task->task)(*store_);
      lock.Lock();
      task->done = true;
      task->cv.notify_one();
      continue;
    }
    std::vector<Job*> jobs;
    size_t count = 0;
    // Whole jobs only: a batch request is one job and is never split between transactions.
    while (!queue_.empty() && !queue_.front()->task &&
           (jobs.empty() || count + queue_.front()->subs->size() <= max_batch_)) {
      count += queue_.front()->subs->size();
      jobs.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.Unlock();
    Commit(jobs);
    lock.Lock();
    stats_.transactions++;
    stats_.submissions += count;
    for (Job* j : jobs) {
      j->done = true;
      j->cv.notify_one();
    }
  }
}

void SubmissionWriter::Commit(std::vector<Job*>& jobs) {
  auto fail_all = [&](const Status& why) {
    Log(LogLevel::kError, "storing submissions failed: %s", why.message().c_str());
    for (Job* j : jobs) j->outcomes.assign(j->subs->size(), SubmissionOutcome::kFailed);
  };
  Database* db = store_->db();
  Transaction tx(db);
  if (!tx.status().ok()) return fail_all(tx.status());
  const std::string received_at = NowRfc3339();
  AggregateDelta delta;
  // created, duplicate, conflict, refused
  std::map<std::string, std::array<int64_t, 4>> by_actor;
  for (Job* j : jobs) {
    j->outcomes.reserve(j->subs->size());
    for (const ValidSubmission* sub : *j->subs) {
      // A savepoint per submission: one that the database refuses cannot take the others down.
      Status s = store_->RunUtility("SAVEPOINT one");
      if (!s.ok()) return fail_all(s);
      AggregateDelta mine;
      auto outcome = InsertSubmission(*store_, *sub, *j->enumerator, received_at);
      if (outcome.ok() && *outcome == SubmissionOutcome::kCreated) {
        if (aggregates_) aggregates_->Add(*sub, &mine);
        // A correction replaces, or is replaced by, what it names (docs/supervision.md).
        Status corrected = ApplyCorrections(*store_, aggregates_, *sub, *j->enumerator, &mine);
        if (corrected.code() == StatusCode::kForbidden)
          outcome = SubmissionOutcome::kBadCorrection;
        else if (!corrected.ok())
          outcome = corrected;
      }
      if (!outcome.ok() || *outcome == SubmissionOutcome::kBadCorrection) {
        if (!outcome.ok())
          Log(LogLevel::kError, "submission %s not stored: %s", sub->instance_id.c_str(),
              outcome.status().message().c_str());
        (void)store_->RunUtility("ROLLBACK TO one");
        j->outcomes.push_back(outcome.ok() ? *outcome : SubmissionOutcome::kFailed);
        if (outcome.ok()) by_actor[*j->enumerator][static_cast<size_t>(*outcome)]++;
      } else {
        j->outcomes.push_back(*outcome);
        MergeDelta(delta, mine);
        by_actor[*j->enumerator][static_cast<size_t>(*outcome)]++;
      }
      s = store_->RunUtility("RELEASE one");
      if (!s.ok()) return fail_all(s);
    }
  }
  for (const auto& [actor, n] : by_actor) {
    // Who submitted how much, in the same transaction as what they submitted.
    Status s = Audit(*store_, actor, "submit",
                     std::to_string(n[0]) + " created, " + std::to_string(n[1]) + " duplicate, " +
                         std::to_string(n[2]) + " conflict" +
                         (n[3] ? ", " + std::to_string(n[3]) + " refused" : ""));
    if (!s.ok()) return fail_all(s);
  }
  if (aggregates_) {
    // In the same transaction: the aggregates can never disagree with the stored submissions.
    Status s = AppendAggregateLog(*store_, delta);
    if (!s.ok()) return fail_all(s);
  }
  Status s = tx.Commit();
  if (!s.ok()) return fail_all(s);
  if (aggregates_) {
    // The mirror follows at once (on PostgreSQL, with whatever other servers committed).
    Status followed = aggregates_->Committed(*store_, delta);
    if (!followed.ok())
      Log(LogLevel::kError, "following the aggregate log: %s", followed.message().c_str());
    if (++log_rows_ >= kFoldEvery) FoldLog();
  }
}

void SubmissionWriter::FoldLog(bool whole) {
  auto folded = FoldAggregateLog(*store_, whole);
  // Not folding only lets the log grow; the data is safe either way. Try again later.
  if (!folded.ok())
    Log(LogLevel::kError, "folding the aggregate log: %s", folded.status().message().c_str());
  else
    log_rows_ = 0;
}

}  // namespace percept
