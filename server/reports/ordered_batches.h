// Batches of work filled by one thread, made by worker threads and taken by another thread in
// the order they were filled: how an export steps the database statement on one thread, reads
// and formats interviews on the workers, and writes the file on a third, all at once
// (docs/api.md, "Exports"). Internal to server/reports.
//
// The producer Fill()s a batch and Submit()s it, then Close()s; the consumer Take()s batches
// until it gets nullptr, or Cancel()s, after which Fill() answers nullptr. At most
// 2 × workers batches exist, so memory stays flat.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace percept {

template <typename Batch>
class OrderedBatches {
 public:
  // `make(worker, batch)` runs on worker thread `worker` (0 .. workers - 1).
  OrderedBatches(int workers, std::function<void(int, Batch&)> make)
      : make_(std::move(make)), slots_(2 * workers), state_(2 * workers, State::kFree) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this, w] { Work(w); });
  }
  ~OrderedBatches() {  // what is being made is finished, then dropped
    Cancel();
    for (std::thread& t : threads_) t.join();
  }
  OrderedBatches(const OrderedBatches&) = delete;
  OrderedBatches& operator=(const OrderedBatches&) = delete;

  // Producer: the next batch to fill, once the consumer is done with it; nullptr once cancelled.
  Batch* Fill() {
    const size_t i = filled_ % slots_.size();
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return cancelled_ || state_[i] == State::kFree; });
    return cancelled_ ? nullptr : &slots_[i];
  }
  // Producer: hands the batch from Fill() to the workers.
  void Submit() {
    const size_t i = filled_++ % slots_.size();
    {
      std::lock_guard<std::mutex> lock(mu_);
      state_[i] = State::kQueued;
      todo_.push_back(i);
    }
    changed_.notify_all();
  }
  // Producer: no more batches.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_at_ = filled_;
    }
    changed_.notify_all();
  }
  // Consumer: the oldest batch once made (the one taken before is given back); nullptr when the
  // producer closed and every batch was taken, or once cancelled.
  Batch* Take() {
    std::unique_lock<std::mutex> lock(mu_);
    if (taken_ > 0) state_[(taken_ - 1) % slots_.size()] = State::kFree;
    changed_.notify_all();
    const size_t i = taken_ % slots_.size();
    changed_.wait(lock,
                  [&] { return cancelled_ || taken_ == closed_at_ || state_[i] == State::kMade; });
    if (cancelled_ || taken_ == closed_at_) return nullptr;
    ++taken_;
    return &slots_[i];
  }
  // Either side: stop; Fill and Take answer nullptr from now on.
  void Cancel() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    changed_.notify_all();
  }

 private:
  enum class State { kFree, kQueued, kMade };

  void Work(int worker) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return cancelled_ || !todo_.empty(); });
      if (cancelled_) return;
      const size_t i = todo_.front();
      todo_.pop_front();
      lock.unlock();
      make_(worker, slots_[i]);
      lock.lock();
      state_[i] = State::kMade;
      changed_.notify_all();
    }
  }

  // Threading: Fill and Submit on the producer's thread, Take on the consumer's, Close on the
  // producer's, Cancel on any. A slot is the producer's while kFree (after the consumer gave it
  // back), a worker's while kQueued and taken off todo_, the consumer's once kMade and taken.
  // filled_ is the producer's; mu_ guards everything else below.
  const std::function<void(int, Batch&)> make_;
  std::vector<Batch> slots_;
  size_t filled_ = 0;
  std::mutex mu_;
  std::condition_variable changed_;  // any state change: one variable, few waiters
  std::vector<State> state_;
  std::deque<size_t> todo_;
  size_t taken_ = 0;
  size_t closed_at_ = static_cast<size_t>(-1);
  bool cancelled_ = false;
  std::vector<std::thread> threads_;  // last: started once everything above is built
};

}  // namespace percept
