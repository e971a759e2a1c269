// The ephemeral voice state (presence, rooms, events, caches, token ids, rate counters) behind
// one interface with two implementations: RedisState (shared between chorusd nodes) and
// LocalState (in-process, the default). The operations are the Redis commands the voice code
// uses, with Redis semantics, so both backends behave alike.
//
// Thread-safe. Every call may block (network): call from the blocking pool, never from an I/O
// thread. Calls throw StateUnavailable when the backend cannot be reached.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::state {

// Thrown when the backend cannot be reached (voice endpoints answer 503 state_unavailable).
class StateUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateBackend;

// An operation on a few keys that must be atomic (a capacity check and a seat write, a mute
// against a leave): Redis runs `lua` (EVALSHA, loading it on NOSCRIPT); the in-process backend
// runs `local` under its lock, which must do exactly what the Lua does, through the backend's
// own commands. Both return a flat array of strings.
struct StateScript {
  using Args = std::vector<std::string>;
  using LocalFn = std::vector<std::string> (*)(StateBackend& state, const Args& keys,
                                               const Args& args);
  std::string_view name;  // for logs and metrics
  std::string_view lua;
  LocalFn local = nullptr;
};

class StateBackend {
 public:
  using Hash = std::map<std::string, std::string>;
  using ScoredMembers = std::vector<std::pair<std::string, double>>;
  // Receives (channel, message) for subscribed channels, on a backend thread.
  using MessageFn = std::function<void(const std::string&, const std::string&)>;

  virtual ~StateBackend() = default;

  // "local" or "redis".
  virtual std::string Name() const = 0;
  // True when the backend answered recently (for /readyz). Never blocks.
  virtual bool Ready() const = 0;

  // GET; nullopt when absent.
  virtual std::optional<std::string> Get(const std::string& key) = 0;
  // SET, with PX ttl when ttl > 0.
  virtual void Set(const std::string& key, const std::string& value,
                   std::chrono::milliseconds ttl) = 0;
  // DEL; true when the key existed.
  virtual bool Del(const std::string& key) = 0;
  // EXISTS.
  virtual bool Exists(const std::string& key) = 0;
  // PEXPIRE; true when the key exists.
  virtual bool Expire(const std::string& key, std::chrono::milliseconds ttl) = 0;
  // INCR, and PEXPIRE window when the counter was created by this call; returns the count and
  // the milliseconds left in the window.
  virtual std::pair<std::int64_t, std::int64_t> IncrWindow(const std::string& key,
                                                           std::chrono::milliseconds window) = 0;
  // PTTL in milliseconds; -2 when absent, -1 when it has no expiry.
  virtual std::int64_t Pttl(const std::string& key) = 0;
  // DECR only when the key exists (one atomic step, so an expired counter is never recreated
  // without its expiry); returns the new value, 0 when absent.
  virtual std::int64_t DecrIfExists(const std::string& key) = 0;

  // HGET / HGETALL / HSET / HDEL (true when the field existed) / HINCRBY (new value).
  virtual std::optional<std::string> HGet(const std::string& key, const std::string& field) = 0;
  virtual Hash HGetAll(const std::string& key) = 0;
  virtual void HSet(const std::string& key, const std::string& field, const std::string& value) = 0;
  virtual bool HDel(const std::string& key, const std::string& field) = 0;
  virtual std::int64_t HIncrBy(const std::string& key, const std::string& field,
                               std::int64_t by) = 0;

  // ZADD (true when the member is new) / ZSCORE / ZREM / ZCARD.
  virtual bool ZAdd(const std::string& key, const std::string& member, double score) = 0;
  virtual std::optional<double> ZScore(const std::string& key, const std::string& member) = 0;
  virtual bool ZRem(const std::string& key, const std::string& member) = 0;
  virtual std::int64_t ZCard(const std::string& key) = 0;
  // ZRANGEBYSCORE key min max WITHSCORES, lowest score first.
  virtual ScoredMembers ZRangeByScore(const std::string& key, double min, double max) = 0;
  // ZREMRANGEBYSCORE key min max; returns how many were removed.
  virtual std::int64_t ZRemRangeByScore(const std::string& key, double min, double max) = 0;

  // SADD / SREM / SMEMBERS.
  virtual void SAdd(const std::string& key, const std::string& member) = 0;
  virtual void SRem(const std::string& key, const std::string& member) = 0;
  virtual std::vector<std::string> SMembers(const std::string& key) = 0;

  // Keys starting with `prefix` (SCAN MATCH prefix*); for the periodic sweep.
  virtual std::vector<std::string> ScanPrefix(const std::string& prefix) = 0;

  // Runs `script` atomically over `keys` with `args` (EVALSHA / the local function).
  virtual std::vector<std::string> RunScript(const StateScript& script,
                                             const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args) = 0;

  // PUBLISH.
  virtual void Publish(const std::string& channel, const std::string& message) = 0;
  // Delivers every message published on a channel starting with `prefix` (PSUBSCRIBE prefix*)
  // to on_message; the subscription survives reconnects, and on_resubscribed runs after each
  // reconnect (messages published meanwhile are lost, so listeners resynchronise). Call once,
  // before traffic.
  virtual void Subscribe(const std::string& prefix, MessageFn on_message,
                         std::function<void()> on_resubscribed) = 0;

  // Stops background threads; later calls throw StateUnavailable.
  virtual void Stop() = 0;
};

}  // namespace chorus::state
