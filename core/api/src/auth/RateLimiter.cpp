#include "auth/RateLimiter.hpp"

namespace chorus::auth {

std::optional<long> LocalRateLimiter::Hit(const std::string& key, int limit,
                                          std::chrono::seconds window) {
  const std::int64_t now = clock_();
  const std::int64_t window_ms = window.count() * 1000;
  std::lock_guard lock(mu_);
  if (windows_.size() >= kMaxKeys) PruneLocked(now);
  auto [it, fresh] = windows_.try_emplace(key, Window{now, 0});
  auto& w = it->second;
  if (!fresh && now - w.start_ms >= window_ms) w = Window{now, 0};
  ++w.count;
  if (w.count > limit) return (w.start_ms + window_ms - now + 999) / 1000;
  return std::nullopt;
}

std::optional<long> LocalRateLimiter::Check(const std::string& key, int limit,
                                            std::chrono::seconds window) {
  const std::int64_t now = clock_();
  const std::int64_t window_ms = window.count() * 1000;
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end() || now - it->second.start_ms >= window_ms) return std::nullopt;
  if (it->second.count >= limit) return (it->second.start_ms + window_ms - now + 999) / 1000;
  return std::nullopt;
}

void LocalRateLimiter::Reset(const std::string& key) {
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

void LocalRateLimiter::Refund(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it != windows_.end() && it->second.count > 0) --it->second.count;
}

void LocalRateLimiter::PruneLocked(std::int64_t now_ms) {
  // Windows are at most a day long in practice; drop anything older than that.
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = now_ms - it->second.start_ms > kDayMs ? windows_.erase(it) : std::next(it);
  }
}

}  // namespace chorus::auth
