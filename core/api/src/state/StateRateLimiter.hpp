// auth::RateLimiter over a StateBackend (INCR + PEXPIRE fixed windows under ratelimit:<key>), so
// login throttling and voice rate limits are shared between chorusd nodes when Redis is used.
// When the backend is unreachable it fails open (allows, logs) — login must not depend on
// Redis; voice endpoints check the backend themselves and answer 503. Thread-safe; blocking.
#pragma once

#include "auth/RateLimiter.hpp"
#include "state/StateBackend.hpp"

namespace chorus::state {

class StateRateLimiter : public auth::RateLimiter {
 public:
  explicit StateRateLimiter(StateBackend& state) : state_(state) {}

  std::optional<long> Hit(const std::string& key, int limit, std::chrono::seconds window) override;
  std::optional<long> Check(const std::string& key, int limit,
                            std::chrono::seconds window) override;
  void Reset(const std::string& key) override;

  // Like Hit, but throws StateUnavailable instead of failing open.
  std::optional<long> HitStrict(const std::string& key, int limit, std::chrono::seconds window);

  // The state key of a rate-limit counter.
  static std::string KeyFor(const std::string& key) { return "ratelimit:" + key; }

 private:
  StateBackend& state_;
};

}  // namespace chorus::state
