// Fixed-window counters keyed by text (e.g. "login:user:alice"), used for login throttling and
// request rate limits. This is the in-process implementation; the voice state backend supplies
// a Redis-backed one with the same interface when --redis-url is set (it falls back to an
// in-process one while Redis is unreachable, so a limit never lapses).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/Time.hpp"

namespace chorus::auth {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one event for `key` in a window of `window`; returns the seconds to wait when the
  // count now exceeds `limit`, std::nullopt when allowed.
  virtual std::optional<long> Hit(const std::string& key, int limit,
                                  std::chrono::seconds window) = 0;
  // Returns the seconds to wait when `key` is already over `limit`, without counting.
  virtual std::optional<long> Check(const std::string& key, int limit,
                                    std::chrono::seconds window) = 0;
  // Forgets `key` (e.g. after a successful login).
  virtual void Reset(const std::string& key) = 0;
  // Takes back one event counted by Hit in the current window (e.g. an attempt that was never
  // checked, or a successful one); does nothing when the window has ended.
  virtual void Refund(const std::string& key) = 0;
};

// Thread-safe in-process implementation.
class LocalRateLimiter : public RateLimiter {
 public:
  explicit LocalRateLimiter(util::Clock clock = util::SystemClock()) : clock_(std::move(clock)) {}
  std::optional<long> Hit(const std::string& key, int limit, std::chrono::seconds window) override;
  std::optional<long> Check(const std::string& key, int limit,
                            std::chrono::seconds window) override;
  void Reset(const std::string& key) override;
  void Refund(const std::string& key) override;

 private:
  struct Window {
    std::int64_t start_ms = 0;
    int count = 0;
  };
  static constexpr std::size_t kMaxKeys = 100000;
  void PruneLocked(std::int64_t now_ms);
  util::Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace chorus::auth
