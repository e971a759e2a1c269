#include "state/StateRateLimiter.hpp"

#include "ops/Log.hpp"

namespace chorus::state {
namespace {

long SecondsLeft(std::int64_t left_ms, std::chrono::seconds window) {
  if (left_ms < 0) left_ms = window.count() * 1000;
  return static_cast<long>((left_ms + 999) / 1000);
}

}  // namespace

void StateRateLimiter::NoteFallback(const std::string& key, const std::exception& e) {
  if (!falling_back_.exchange(true)) {
    ops::Warn("redis", "rate limits fall back to in-process counters",
              {{"key", key}, {"error", e.what()}});
  }
}

void StateRateLimiter::NoteShared() {
  if (falling_back_.load(std::memory_order_relaxed) && falling_back_.exchange(false)) {
    ops::Info("redis", "rate limits shared again");
  }
}

std::optional<long> StateRateLimiter::HitStrict(const std::string& key, int limit,
                                                std::chrono::seconds window) {
  const auto [count, left_ms] = state_.IncrWindow(KeyFor(key), window);
  if (count > limit) return SecondsLeft(left_ms, window);
  return std::nullopt;
}

std::optional<long> StateRateLimiter::Hit(const std::string& key, int limit,
                                          std::chrono::seconds window) {
  // Redis errors are std::runtime_error, unreachability StateUnavailable: both fall back.
  std::optional<long> wait;
  try {
    wait = HitStrict(key, limit, window);
  } catch (const std::exception& e) {
    NoteFallback(key, e);
    return fallback_.Hit(key, limit, window);
  }
  NoteShared();
  return wait;
}

std::optional<long> StateRateLimiter::Check(const std::string& key, int limit,
                                            std::chrono::seconds window) {
  std::optional<std::string> value;
  std::int64_t left_ms = -1;
  try {
    value = state_.Get(KeyFor(key));
    if (value) left_ms = state_.Pttl(KeyFor(key));
  } catch (const std::exception& e) {
    NoteFallback(key, e);
    return fallback_.Check(key, limit, window);
  }
  NoteShared();
  if (!value) return std::nullopt;
  std::int64_t count = 0;
  try {
    count = std::stoll(*value);
  } catch (const std::exception&) {
    return std::nullopt;  // not a counter of ours
  }
  if (count < limit) return std::nullopt;
  return SecondsLeft(left_ms, window);
}

void StateRateLimiter::Reset(const std::string& key) {
  fallback_.Reset(key);
  try {
    state_.Del(KeyFor(key));
  } catch (const std::exception& e) {
    NoteFallback(key, e);
  }
}

void StateRateLimiter::Refund(const std::string& key) {
  try {
    state_.DecrIfExists(KeyFor(key));
  } catch (const std::exception& e) {
    NoteFallback(key, e);
    fallback_.Refund(key);
  }
}

}  // namespace chorus::state
