// MatcherHandle: the current compiled Matcher, replaced atomically on reload. Readers take a
// shared_ptr once per batch, so one batch is always judged by one policy.
// Thread-safety: every method is safe from any thread.
#pragma once

#include <memory>
#include <mutex>

#include "policy/matcher.h"

namespace ctwatch {

class MatcherHandle {
 public:
  explicit MatcherHandle(std::shared_ptr<const Matcher> matcher) : matcher_(std::move(matcher)) {}
  std::shared_ptr<const Matcher> Get() const {
    std::lock_guard lock(mu_);
    return matcher_;
  }
  void Set(std::shared_ptr<const Matcher> matcher) {
    std::lock_guard lock(mu_);
    matcher_ = std::move(matcher);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Matcher> matcher_;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
