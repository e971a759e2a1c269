// The Redis state backend (hiredis 0.14, blocking API): a small pool of command connections
// used from the blocking pool, and one subscriber thread for pub/sub. A broken connection is
// dropped and reopened with exponential backoff; while Redis is unreachable every call throws
// StateUnavailable at once (no waiting), and Ready() is false until the subscriber is back.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "ops/Metrics.hpp"
#include "state/StateBackend.hpp"

struct redisContext;
struct redisReply;

namespace chorus::state {

// Where to connect: parsed from redis://[user:password@]host[:port][/db].
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
  // Parses a redis:// URL; nullopt when it is not one.
  static std::optional<RedisEndpoint> Parse(const std::string& url);
};

class RedisState : public StateBackend {
 public:
  // Does not connect yet: the first call (or the subscriber thread) does. `metrics` may be null.
  RedisState(RedisEndpoint endpoint, int pool_size, ops::Metrics* metrics);
  ~RedisState() override;

  std::string Name() const override { return "redis"; }
  bool Ready() const override { return ready_; }

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
  void Stop() override;

 private:
  struct ReplyDeleter {
    void operator()(redisReply* r) const;
  };
  using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  // Runs one command on a pooled connection; throws StateUnavailable on a connection error and
  // std::runtime_error on a Redis error reply.
  Reply Command(const std::vector<std::string>& args);
  // Opens, authenticates and selects the database; nullptr on failure.
  Context Connect(bool for_subscriber) const;
  Context Borrow();
  void Return(Context ctx);
  void MarkDown(const std::string& why);
  void SubscriberLoop();

  RedisEndpoint endpoint_;
  std::size_t pool_size_;
  ops::HistogramFamily* latency_ = nullptr;
  ops::CounterFamily* errors_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Context> idle_;
  std::size_t open_ = 0;  // connections lent out or idle
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};

  // Subscriber (its own connection and thread).
  std::string sub_prefix_;
  MessageFn on_message_;
  std::function<void()> on_resubscribed_;
  std::mutex sub_mu_;
  std::condition_variable sub_cv_;
  redisContext* sub_ctx_ = nullptr;  // guarded by sub_mu_, owned by the thread
  std::thread sub_thread_;
};

}  // namespace chorus::state
