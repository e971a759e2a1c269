// Per-connection budgets (e.g. the /rtc message budget): a token bucket, and a counter that
// decays, for "sustained abuse" decisions. Not thread-safe: one owner (a connection's strand).
#pragma once

#include <algorithm>
#include <chrono>

namespace chorus::util {

using BudgetClock = std::chrono::steady_clock;

class TokenBucket {
 public:
  // `per_second` tokens come back each second, up to `burst`; the bucket starts full.
  TokenBucket(double per_second, double burst)
      : per_second_(per_second), burst_(burst), tokens_(burst) {}

  // Takes one token when there is one; returns whether it did.
  bool TryTake(BudgetClock::time_point now) {
    if (last_ != BudgetClock::time_point{}) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      if (elapsed > 0) tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double per_second_;
  double burst_;
  double tokens_;
  BudgetClock::time_point last_{};
};

// A count that loses `decay_per_second` each second (never below zero).
class DecayingCounter {
 public:
  explicit DecayingCounter(double decay_per_second) : decay_per_second_(decay_per_second) {}

  // Adds one; returns the count after adding.
  double Add(BudgetClock::time_point now) {
    if (last_ != BudgetClock::time_point{}) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      if (elapsed > 0) count_ = std::max(0.0, count_ - elapsed * decay_per_second_);
    }
    last_ = now;
    count_ += 1.0;
    return count_;
  }

 private:
  double decay_per_second_;
  double count_ = 0.0;
  BudgetClock::time_point last_{};
};

}  // namespace chorus::util
