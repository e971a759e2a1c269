#include "state/StateRateLimiter.hpp"

#include "ops/Log.hpp"

namespace chorus::state {
namespace {

long SecondsLeft(std::int64_t left_ms, std::chrono::seconds window) {
  if (left_ms < 0) left_ms = window.count() * 1000;
  return static_cast<long>((left_ms + 999) / 1000);
}

}  // namespace

std::optional<long> StateRateLimiter::HitStrict(const std::string& key, int limit,
                                                std::chrono::seconds window) {
  const auto [count, left_ms] = state_.IncrWindow(KeyFor(key), window);
  if (count > limit) return SecondsLeft(left_ms, window);
  return std::nullopt;
}

std::optional<long> StateRateLimiter::Hit(const std::string& key, int limit,
                                          std::chrono::seconds window) {
  try {
    return HitStrict(key, limit, window);
  } catch (const StateUnavailable& e) {
    ops::Warn("redis", "rate limit not counted", {{"key", key}, {"error", e.what()}});
    return std::nullopt;
  }
}

std::optional<long> StateRateLimiter::Check(const std::string& key, int limit,
                                            std::chrono::seconds window) {
  try {
    const auto value = state_.Get(KeyFor(key));
    if (!value) return std::nullopt;
    std::int64_t count = 0;
    try {
      count = std::stoll(*value);
    } catch (...) {
      return std::nullopt;
    }
    if (count < limit) return std::nullopt;
    return SecondsLeft(state_.Pttl(KeyFor(key)), window);
  } catch (const StateUnavailable& e) {
    ops::Warn("redis", "rate limit not checked", {{"key", key}, {"error", e.what()}});
    return std::nullopt;
  }
}

void StateRateLimiter::Reset(const std::string& key) {
  try {
    state_.Del(KeyFor(key));
  } catch (const StateUnavailable&) {
  }
}

}  // namespace chorus::state
