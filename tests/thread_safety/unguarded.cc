// A fixture for scripts/thread-safety.sh: a guarded member read without its mutex, and a
// function that needs the mutex called without it. The check must refuse this file, or it
// proves nothing about the others.
#include "percept/base/thread_annotations.h"

namespace percept {

class Counter {
 public:
  int Read() const { return n_; }  // no lock: refused
  void Add() {
    MutexLock lock(mu_);
    Bump();
  }
  void AddUnlocked() { Bump(); }  // no lock: refused

 private:
  void Bump() REQUIRES(mu_) { ++n_; }
  mutable Mutex mu_;
  int n_ GUARDED_BY(mu_) = 0;
};

}  // namespace percept
