#include "state/LocalState.hpp"

#include <algorithm>

namespace chorus::state {

LocalState::Entry* LocalState::FindLocked(const std::string& key) {
  auto it = data_.find(key);
  if (it == data_.end()) return nullptr;
  if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= clock_()) {
    data_.erase(it);
    return nullptr;
  }
  return &it->second;
}

template <class T>
T& LocalState::TypedLocked(const std::string& key) {
  Entry* e = FindLocked(key);
  if (!e) {
    e = &data_[key];
    e->value = T{};
  }
  if (!std::holds_alternative<T>(e->value)) {
    throw std::logic_error("WRONGTYPE operation against a key holding the wrong kind of value");
  }
  return std::get<T>(e->value);
}

std::optional<std::string> LocalState::Get(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<std::string>(e->value)) return std::nullopt;
  return std::get<std::string>(e->value);
}

void LocalState::Set(const std::string& key, const std::string& value,
                     std::chrono::milliseconds ttl) {
  std::lock_guard lock(mu_);
  Entry& e = data_[key];
  e.value = value;
  e.expires_at_ms = ttl.count() > 0 ? clock_() + ttl.count() : 0;
}

bool LocalState::Del(const std::string& key) {
  std::lock_guard lock(mu_);
  if (!FindLocked(key)) return false;
  data_.erase(key);
  return true;
}

bool LocalState::Exists(const std::string& key) {
  std::lock_guard lock(mu_);
  return FindLocked(key) != nullptr;
}

bool LocalState::Expire(const std::string& key, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e) return false;
  e->expires_at_ms = clock_() + ttl.count();
  return true;
}

std::pair<std::int64_t, std::int64_t> LocalState::IncrWindow(const std::string& key,
                                                             std::chrono::milliseconds window) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  Entry* e = FindLocked(key);
  if (!e) {
    e = &data_[key];
    e->value = std::string("0");
    e->expires_at_ms = now + window.count();
  }
  if (!std::holds_alternative<std::string>(e->value)) throw std::logic_error("WRONGTYPE");
  auto& text = std::get<std::string>(e->value);
  const std::int64_t count = std::stoll(text) + 1;
  text = std::to_string(count);
  const std::int64_t left = e->expires_at_ms == 0 ? -1 : e->expires_at_ms - now;
  return {count, left};
}

std::int64_t LocalState::Pttl(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e) return -2;
  return e->expires_at_ms == 0 ? -1 : e->expires_at_ms - clock_();
}

std::int64_t LocalState::DecrIfExists(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e) return 0;
  if (!std::holds_alternative<std::string>(e->value)) throw std::logic_error("WRONGTYPE");
  auto& text = std::get<std::string>(e->value);
  const std::int64_t count = std::stoll(text) - 1;
  text = std::to_string(count);
  return count;
}

std::optional<std::string> LocalState::HGet(const std::string& key, const std::string& field) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<Hash>(e->value)) return std::nullopt;
  const auto& h = std::get<Hash>(e->value);
  auto it = h.find(field);
  if (it == h.end()) return std::nullopt;
  return it->second;
}

StateBackend::Hash LocalState::HGetAll(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<Hash>(e->value)) return {};
  return std::get<Hash>(e->value);
}

void LocalState::HSet(const std::string& key, const std::string& field, const std::string& value) {
  std::lock_guard lock(mu_);
  TypedLocked<Hash>(key)[field] = value;
}

bool LocalState::HDel(const std::string& key, const std::string& field) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<Hash>(e->value)) return false;
  auto& h = std::get<Hash>(e->value);
  const bool had = h.erase(field) > 0;
  if (h.empty()) data_.erase(key);  // Redis deletes empty aggregates
  return had;
}

std::int64_t LocalState::HIncrBy(const std::string& key, const std::string& field,
                                 std::int64_t by) {
  std::lock_guard lock(mu_);
  auto& h = TypedLocked<Hash>(key);
  auto& text = h[field];
  const std::int64_t value = (text.empty() ? 0 : std::stoll(text)) + by;
  text = std::to_string(value);
  return value;
}

bool LocalState::ZAdd(const std::string& key, const std::string& member, double score) {
  std::lock_guard lock(mu_);
  auto& z = TypedLocked<ZSet>(key);
  const bool fresh = !z.contains(member);
  z[member] = score;
  return fresh;
}

std::optional<double> LocalState::ZScore(const std::string& key, const std::string& member) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<ZSet>(e->value)) return std::nullopt;
  const auto& z = std::get<ZSet>(e->value);
  auto it = z.find(member);
  if (it == z.end()) return std::nullopt;
  return it->second;
}

bool LocalState::ZRem(const std::string& key, const std::string& member) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<ZSet>(e->value)) return false;
  auto& z = std::get<ZSet>(e->value);
  const bool had = z.erase(member) > 0;
  if (z.empty()) data_.erase(key);
  return had;
}

std::int64_t LocalState::ZCard(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<ZSet>(e->value)) return 0;
  return static_cast<std::int64_t>(std::get<ZSet>(e->value).size());
}

StateBackend::ScoredMembers LocalState::ZRangeByScore(const std::string& key, double min,
                                                      double max) {
  std::lock_guard lock(mu_);
  ScoredMembers out;
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<ZSet>(e->value)) return out;
  for (const auto& [m, s] : std::get<ZSet>(e->value)) {
    if (s >= min && s <= max) out.emplace_back(m, s);
  }
  // Redis orders by score, then lexicographically by member.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  return out;
}

std::int64_t LocalState::ZRemRangeByScore(const std::string& key, double min, double max) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<ZSet>(e->value)) return 0;
  auto& z = std::get<ZSet>(e->value);
  std::int64_t removed = static_cast<std::int64_t>(
      std::erase_if(z, [&](const auto& kv) { return kv.second >= min && kv.second <= max; }));
  if (z.empty()) data_.erase(key);
  return removed;
}

void LocalState::SAdd(const std::string& key, const std::string& member) {
  std::lock_guard lock(mu_);
  TypedLocked<StrSet>(key).insert(member);
}

void LocalState::SRem(const std::string& key, const std::string& member) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<StrSet>(e->value)) return;
  auto& s = std::get<StrSet>(e->value);
  s.erase(member);
  if (s.empty()) data_.erase(key);
}

std::vector<std::string> LocalState::SMembers(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry* e = FindLocked(key);
  if (!e || !std::holds_alternative<StrSet>(e->value)) return {};
  const auto& s = std::get<StrSet>(e->value);
  return {s.begin(), s.end()};
}

std::vector<std::string> LocalState::ScanPrefix(const std::string& prefix) {
  std::lock_guard lock(mu_);
  std::vector<std::string> keys;
  const auto now = clock_();
  for (const auto& [k, e] : data_) {
    if (k.rfind(prefix, 0) == 0 && (e.expires_at_ms == 0 || e.expires_at_ms > now)) {
      keys.push_back(k);
    }
  }
  return keys;
}

std::vector<std::string> LocalState::RunScript(const StateScript& script,
                                               const std::vector<std::string>& keys,
                                               const std::vector<std::string>& args) {
  std::lock_guard lock(mu_);
  return script.local(*this, keys, args);
}

void LocalState::Publish(const std::string& channel, const std::string& message) {
  std::vector<MessageFn> targets;
  {
    std::lock_guard lock(sub_mu_);
    for (const auto& s : subscriptions_) {
      if (channel.rfind(s.prefix, 0) == 0) targets.push_back(s.on_message);
    }
  }
  for (auto& fn : targets) fn(channel, message);
}

void LocalState::Subscribe(const std::string& prefix, MessageFn on_message,
                           std::function<void()> /*on_resubscribed: never reconnects*/) {
  std::lock_guard lock(sub_mu_);
  subscriptions_.push_back({prefix, std::move(on_message)});
}

}  // namespace chorus::state
