// Which mutex guards what, said in the code and checked by clang's -Wthread-safety
// (scripts/thread-safety.sh, run in CI): a member GUARDED_BY(mu_) read or written without mu_
// held, or a function that REQUIRES(mu_) called without it, fails that check. Under GCC the
// annotations are empty. Mutex and MutexLock are std::mutex and a scoped lock that the analysis
// understands (libstdc++'s are not annotated).
#pragma once

#include <mutex>

#if defined(__clang__)
#define PERCEPT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PERCEPT_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) PERCEPT_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY PERCEPT_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) PERCEPT_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) PERCEPT_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) PERCEPT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) PERCEPT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) PERCEPT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) PERCEPT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

namespace percept {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds `mu` for its scope. `unique()` is the std::unique_lock a condition variable waits on
// (the wait releases and retakes the mutex; the analysis counts it held throughout).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.native()) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  std::unique_lock<std::mutex>& unique() { return lock_; }
  // Lets go of the mutex for a while within the scope, and takes it back.
  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace percept
