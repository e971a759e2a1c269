// auth::RateLimiter over a StateBackend (INCR + PEXPIRE fixed windows under ratelimit:<key>), so
// login throttling and voice rate limits are shared between chorusd nodes when Redis is used.
// When the backend is unreachable (or answers with an error) Hit/Check/Refund fall back to
// in-process counters of this node: a limit never lapses with Redis down, it only stops being
// shared until Redis answers again (counts made meanwhile stay local). Voice endpoints use
// HitStrict, check the backend themselves and answer 503. Thread-safe; blocking (network): call
// from the blocking pool, never from an I/O thread.
#pragma once

#include <atomic>

#include "auth/RateLimiter.hpp"
#include "state/StateBackend.hpp"

namespace chorus::state {

class StateRateLimiter : public auth::RateLimiter {
 public:
  explicit StateRateLimiter(StateBackend& state, util::Clock clock = util::SystemClock())
      : state_(state), fallback_(std::move(clock)) {}

  std::optional<long> Hit(const std::string& key, int limit, std::chrono::seconds window) override;
  std::optional<long> Check(const std::string& key, int limit,
                            std::chrono::seconds window) override;
  void Reset(const std::string& key) override;
  void Refund(const std::string& key) override;

  // Like Hit, but throws StateUnavailable instead of falling back.
  std::optional<long> HitStrict(const std::string& key, int limit, std::chrono::seconds window);

  // The state key of a rate-limit counter.
  static std::string KeyFor(const std::string& key) { return "ratelimit:" + key; }

 private:
  // Logs the switch to (or back from) the in-process counters once per outage.
  void NoteFallback(const std::string& key, const std::exception& e);
  void NoteShared();

  StateBackend& state_;
  auth::LocalRateLimiter fallback_;
  std::atomic<bool> falling_back_{false};
};

}  // namespace chorus::state
