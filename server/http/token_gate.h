// At most `per_token` requests of one kind under way for one token at once: a request that
// reads a whole survey holds a worker while it waits, and one supervisor's script must not hold
// the workers the tablets need (docs/security.md, "Heavy requests"). Thread-safe.
#pragma once

#include <map>
#include <string>

#include "percept/base/thread_annotations.h"

namespace percept {

class TokenGate {
 public:
  explicit TokenGate(int per_token) : per_token_(per_token) {}

  // Holds one place of `token` while it lives, if there was one (ok()).
  class Place {
   public:
    Place(TokenGate* gate, std::string token) : gate_(gate), token_(std::move(token)) {}
    Place(Place&& other) noexcept : gate_(other.gate_), token_(std::move(other.token_)) {
      other.gate_ = nullptr;
    }
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    ~Place() {
      if (gate_) gate_->Leave(token_);
    }
    bool ok() const { return gate_ != nullptr; }

   private:
    TokenGate* gate_;
    std::string token_;
  };

  Place Enter(const std::string& token) {
    MutexLock lock(mu_);
    int& n = under_way_[token];
    if (n >= per_token_) return Place(nullptr, "");
    ++n;
    return Place(this, token);
  }

 private:
  void Leave(const std::string& token) {
    MutexLock lock(mu_);
    auto it = under_way_.find(token);
    if (it != under_way_.end() && --it->second == 0) under_way_.erase(it);
  }
  const int per_token_;
  Mutex mu_;
  std::map<std::string, int> under_way_ GUARDED_BY(mu_);  // no entry: none under way
};

}  // namespace percept
