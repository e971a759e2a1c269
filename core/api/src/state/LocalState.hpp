// The in-process state backend: one chorusd node, no Redis. Mirrors the Redis keys and command
// semantics of StateBackend (expiry checked lazily on access). Thread-safe (one mutex).
#pragma once

#include <mutex>
#include <set>
#include <unordered_map>
#include <variant>

#include "state/StateBackend.hpp"
#include "util/Time.hpp"

namespace chorus::state {

class LocalState : public StateBackend {
 public:
  explicit LocalState(util::Clock clock = util::SystemClock()) : clock_(std::move(clock)) {}

  std::string Name() const override { return "local"; }
  bool Ready() const override { return true; }

  std::optional<std::string> Get(const std::string& key) override;
  void Set(const std::string& key, const std::string& value,
           std::chrono::milliseconds ttl) override;
  bool Del(const std::string& key) override;
  bool Exists(const std::string& key) override;
  bool Expire(const std::string& key, std::chrono::milliseconds ttl) override;
  std::pair<std::int64_t, std::int64_t> IncrWindow(const std::string& key,
                                                   std::chrono::milliseconds window) override;
  std::int64_t Pttl(const std::string& key) override;
  std::int64_t DecrIfExists(const std::string& key) override;

  std::optional<std::string> HGet(const std::string& key, const std::string& field) override;
  Hash HGetAll(const std::string& key) override;
  void HSet(const std::string& key, const std::string& field, const std::string& value) override;
  bool HDel(const std::string& key, const std::string& field) override;
  std::int64_t HIncrBy(const std::string& key, const std::string& field, std::int64_t by) override;

  bool ZAdd(const std::string& key, const std::string& member, double score) override;
  std::optional<double> ZScore(const std::string& key, const std::string& member) override;
  bool ZRem(const std::string& key, const std::string& member) override;
  std::int64_t ZCard(const std::string& key) override;
  ScoredMembers ZRangeByScore(const std::string& key, double min, double max) override;
  std::int64_t ZRemRangeByScore(const std::string& key, double min, double max) override;

  void SAdd(const std::string& key, const std::string& member) override;
  void SRem(const std::string& key, const std::string& member) override;
  std::vector<std::string> SMembers(const std::string& key) override;

  std::vector<std::string> ScanPrefix(const std::string& prefix) override;

  std::vector<std::string> RunScript(const StateScript& script,
                                     const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) override;

  void Publish(const std::string& channel, const std::string& message) override;
  void Subscribe(const std::string& prefix, MessageFn on_message,
                 std::function<void()> on_resubscribed) override;
  void Stop() override {}

 private:
  using ZSet = std::unordered_map<std::string, double>;
  using StrSet = std::set<std::string>;
  struct Entry {
    std::variant<std::string, Hash, ZSet, StrSet> value;
    std::int64_t expires_at_ms = 0;  // 0 = never
  };
  // The live entry for key (expired ones are erased first), or null.
  Entry* FindLocked(const std::string& key);
  // The entry holding type T, created empty when absent; throws on a type clash (WRONGTYPE).
  template <class T>
  T& TypedLocked(const std::string& key);

  util::Clock clock_;
  // Recursive: a script holds it while it runs the backend's own commands.
  std::recursive_mutex mu_;
  std::unordered_map<std::string, Entry> data_;
  struct Subscription {
    std::string prefix;
    MessageFn on_message;
  };
  std::mutex sub_mu_;
  std::vector<Subscription> subscriptions_;
};

}  // namespace chorus::state
