// Group commit: the one thread that writes submissions.
//
// Request threads hand their validated submissions to Write() and block. The writer thread
// takes everything queued, stores it in ONE transaction, commits with synchronous=FULL, then
// wakes every waiter with its outcome. One fsync thus serves many requests (docs/dependencies.md:
// ~3.3k one-row commits/s against ~24k rows/s in batches), and nothing is acknowledged before
// it is on disk.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "percept/base/thread_annotations.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/store.h"
#include "percept/storage/submission_records.h"

namespace percept {

struct WriterStats {
  uint64_t transactions = 0;
  uint64_t submissions = 0;
};

class SubmissionWriter {
 public:
  // Takes the Store (its own connection). With `aggregates`, every transaction also adds its
  // new submissions to the aggregates table, and after commit to the in-memory mirror.
  // `max_batch`: the most submissions per transaction.
  SubmissionWriter(std::unique_ptr<Store> store, Aggregates* aggregates = nullptr,
                   size_t max_batch = 2000);
  ~SubmissionWriter();  // Stop()s

  // Stores `subs` (all from the token named `enumerator`) and returns when they are durable,
  // with one outcome each, in order. kFailed: nothing of that transaction was stored.
  std::vector<SubmissionOutcome> Write(const std::vector<const ValidSubmission*>& subs,
                                       const std::string& enumerator);

  // Runs `task` on the writer thread between two transactions, with the writer's Store, and
  // returns its Status (kUnavailable once stopped). For work that must not interleave with
  // writes, such as reloading the aggregates mirror.
  Status RunExclusive(const std::function<Status(Store&)>& task);

  // Finishes what is queued, then stops; later Write()s answer kFailed.
  void Stop();
  WriterStats stats() const;

 private:
  struct Job;
  void Run();
  void Commit(std::vector<Job*>& jobs);
  // Folds the aggregate log; `whole`: every row, recent ones included (when stopping).
  void FoldLog(bool whole = false);

  // Threading. Write, RunExclusive, Stop and stats run on any thread; Run, Commit and FoldLog
  // on `thread_` only. A Job lives on the stack of the thread blocked in Write until the
  // writer signals it done, so `queue_` holds pointers it does not own.

  // Transactions between two folds of the aggregate log: small folds, short pauses.
  static constexpr int kFoldEvery = 200;
  // PostgreSQL: how often an idle writer reads the other servers' log rows, and how many such
  // reads between two folds.
  static constexpr std::chrono::milliseconds kFollowEvery{200};
  static constexpr int kFoldIdleEvery = 150;
  int log_rows_ = kFoldEvery;  // writer thread only; fold at the first commit (a crash may
                               // have left a log)

  std::unique_ptr<Store> store_;  // writer thread only (after construction)
  Aggregates* aggregates_;        // not owned (ApiServer's); Apply runs on the writer thread
  const size_t max_batch_;
  mutable Mutex mu_;
  std::condition_variable work_;  // signalled with mu_ when queue_ grows or stopping_ is set
  std::deque<Job*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  WriterStats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace percept
