#include "state/RedisState.hpp"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <sys/socket.h>

#include <array>

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "ops/Log.hpp"

namespace chorus::state {
namespace {

constexpr auto kConnectTimeout = std::chrono::milliseconds(500);
constexpr auto kCommandTimeout = std::chrono::seconds(2);
constexpr auto kBorrowTimeout = std::chrono::seconds(2);
constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);
constexpr long kScanCount = 500;

timeval ToTimeval(std::chrono::microseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000000),
                 static_cast<suseconds_t>(d.count() % 1000000)};
}

std::string Score(double v) {
  if (v == std::numeric_limits<double>::infinity()) return "+inf";
  if (v == -std::numeric_limits<double>::infinity()) return "-inf";
  return fmt::format("{:.17g}", v);
}

std::string Str(const redisReply* r) {
  return std::string(r->str, r->len);
}

}  // namespace

std::optional<RedisEndpoint> RedisEndpoint::Parse(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "redis")) return std::nullopt;
  RedisEndpoint ep;
  if (!parsed->host().empty()) ep.host = std::string(parsed->host());
  if (parsed->has_port()) {
    ep.port = static_cast<int>(parsed->port_number());
    if (ep.port <= 0) return std::nullopt;
  }
  if (parsed->has_password()) ep.password = std::string(parsed->password());
  std::string path(parsed->path());
  if (path.size() > 1) {
    try {
      ep.db = std::stoi(path.substr(1));
    } catch (...) {
      return std::nullopt;
    }
  }
  return ep;
}

void RedisState::ReplyDeleter::operator()(redisReply* r) const {
  freeReplyObject(r);
}
void RedisState::ContextDeleter::operator()(redisContext* c) const {
  redisFree(c);
}

RedisState::RedisState(RedisEndpoint endpoint, int pool_size, ops::Metrics* metrics)
    : endpoint_(std::move(endpoint)), pool_size_(pool_size < 1 ? 1 : pool_size) {
  if (metrics) {
    latency_ =
        &metrics->Histogram("chorus_redis_command_duration_seconds",
                            "Redis command latency by command", ops::Metrics::LatencyBuckets());
    errors_ = &metrics->Counter("chorus_redis_errors_total", "Redis connection errors");
    metrics->Gauge("chorus_redis_up", "1 when Redis answers",
                   [this] { return ready_ ? 1.0 : 0.0; });
  }
}

RedisState::~RedisState() {
  Stop();
}

RedisState::Context RedisState::Connect(bool for_subscriber) const {
  Context c(
      redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, ToTimeval(kConnectTimeout)));
  if (!c || c->err) return nullptr;
  if (!for_subscriber) redisSetTimeout(c.get(), ToTimeval(kCommandTimeout));
  redisEnableKeepAlive(c.get());
  auto run = [&c](std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply r(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
    return r && r->type != REDIS_REPLY_ERROR;
  };
  if (!endpoint_.password.empty() && !run({"AUTH", endpoint_.password})) return nullptr;
  if (endpoint_.db != 0 && !run({"SELECT", std::to_string(endpoint_.db)})) return nullptr;
  return c;
}

void RedisState::MarkDown(const std::string& why) {
  if (errors_) errors_->Add("");
  {
    // Idle connections opened before the failure are most likely dead too.
    std::lock_guard lock(mu_);
    open_ -= idle_.size();
    idle_.clear();
  }
  if (ready_.exchange(false)) ops::Warn("redis", "redis unreachable", {{"error", why}});
}

RedisState::Context RedisState::Borrow() {
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + kBorrowTimeout;
  for (;;) {
    if (stopping_) throw StateUnavailable("state backend stopped");
    if (!idle_.empty()) {
      Context c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    if (open_ < pool_size_) {
      if (std::chrono::steady_clock::now() < next_attempt_) {
        throw StateUnavailable("redis unreachable (reconnecting)");
      }
      ++open_;
      lock.unlock();
      Context c = Connect(false);
      lock.lock();
      if (c) {
        backoff_ = std::chrono::milliseconds(0);
        return c;
      }
      --open_;
      backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(kMinBackoff),
                            std::chrono::milliseconds(kMaxBackoff));
      next_attempt_ = std::chrono::steady_clock::now() + backoff_;
      lock.unlock();
      MarkDown("connect failed");
      throw StateUnavailable("redis unreachable");
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      throw StateUnavailable("redis connection pool exhausted");
    }
  }
}

void RedisState::Return(Context ctx) {
  {
    std::lock_guard lock(mu_);
    if (ctx) {
      idle_.push_back(std::move(ctx));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
}

RedisState::Reply RedisState::Command(const std::vector<std::string>& args) {
  Context c = Borrow();
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  const auto started = std::chrono::steady_clock::now();
  Reply r(static_cast<redisReply*>(
      redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (latency_) {
    latency_->Observe(
        fmt::format(R"(command="{}")", args.front()),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (!r || c->err) {
    const std::string why = c->err ? std::string(c->errstr) : "no reply";
    Return(nullptr);  // the connection is unusable after an I/O error
    MarkDown(why);
    throw StateUnavailable("redis: " + why);
  }
  Return(std::move(c));
  if (!ready_.exchange(true)) ops::Info("redis", "redis reachable");
  if (r->type == REDIS_REPLY_ERROR) {
    throw std::runtime_error("redis " + args.front() + ": " + Str(r.get()));
  }
  return r;
}

std::optional<std::string> RedisState::Get(const std::string& key) {
  auto r = Command({"GET", key});
  if (r->type != REDIS_REPLY_STRING) return std::nullopt;
  return Str(r.get());
}

void RedisState::Set(const std::string& key, const std::string& value,
                     std::chrono::milliseconds ttl) {
  if (ttl.count() > 0) {
    Command({"SET", key, value, "PX", std::to_string(ttl.count())});
  } else {
    Command({"SET", key, value});
  }
}

bool RedisState::Del(const std::string& key) {
  return Command({"DEL", key})->integer > 0;
}

bool RedisState::Exists(const std::string& key) {
  return Command({"EXISTS", key})->integer > 0;
}

bool RedisState::Expire(const std::string& key, std::chrono::milliseconds ttl) {
  return Command({"PEXPIRE", key, std::to_string(ttl.count())})->integer > 0;
}

std::pair<std::int64_t, std::int64_t> RedisState::IncrWindow(const std::string& key,
                                                             std::chrono::milliseconds window) {
  const std::int64_t count = Command({"INCR", key})->integer;
  if (count == 1) {
    Command({"PEXPIRE", key, std::to_string(window.count())});
    return {count, window.count()};
  }
  std::int64_t left = Pttl(key);
  if (left == -1) {  // a crash between INCR and PEXPIRE left the counter without a window
    Command({"PEXPIRE", key, std::to_string(window.count())});
    left = window.count();
  }
  return {count, left};
}

std::int64_t RedisState::Pttl(const std::string& key) {
  return Command({"PTTL", key})->integer;
}

std::int64_t RedisState::DecrIfExists(const std::string& key) {
  // A plain DECR on a counter that just expired would recreate it as -1 with no expiry.
  static const std::string kScript =
      "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end "
      "return 0";
  return Command({"EVAL", kScript, "1", key})->integer;
}

std::optional<std::string> RedisState::HGet(const std::string& key, const std::string& field) {
  auto r = Command({"HGET", key, field});
  if (r->type != REDIS_REPLY_STRING) return std::nullopt;
  return Str(r.get());
}

StateBackend::Hash RedisState::HGetAll(const std::string& key) {
  auto r = Command({"HGETALL", key});
  Hash out;
  if (r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    out.emplace(Str(r->element[i]), Str(r->element[i + 1]));
  }
  return out;
}

void RedisState::HSet(const std::string& key, const std::string& field, const std::string& value) {
  Command({"HSET", key, field, value});
}

bool RedisState::HDel(const std::string& key, const std::string& field) {
  return Command({"HDEL", key, field})->integer > 0;
}

std::int64_t RedisState::HIncrBy(const std::string& key, const std::string& field,
                                 std::int64_t by) {
  return Command({"HINCRBY", key, field, std::to_string(by)})->integer;
}

bool RedisState::ZAdd(const std::string& key, const std::string& member, double score) {
  return Command({"ZADD", key, Score(score), member})->integer > 0;
}

std::optional<double> RedisState::ZScore(const std::string& key, const std::string& member) {
  auto r = Command({"ZSCORE", key, member});
  if (r->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::stod(Str(r.get()));
}

bool RedisState::ZRem(const std::string& key, const std::string& member) {
  return Command({"ZREM", key, member})->integer > 0;
}

std::int64_t RedisState::ZCard(const std::string& key) {
  return Command({"ZCARD", key})->integer;
}

StateBackend::ScoredMembers RedisState::ZRangeByScore(const std::string& key, double min,
                                                      double max) {
  auto r = Command({"ZRANGEBYSCORE", key, Score(min), Score(max), "WITHSCORES"});
  ScoredMembers out;
  if (r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    out.emplace_back(Str(r->element[i]), std::stod(Str(r->element[i + 1])));
  }
  return out;
}

std::int64_t RedisState::ZRemRangeByScore(const std::string& key, double min, double max) {
  return Command({"ZREMRANGEBYSCORE", key, Score(min), Score(max)})->integer;
}

void RedisState::SAdd(const std::string& key, const std::string& member) {
  Command({"SADD", key, member});
}

void RedisState::SRem(const std::string& key, const std::string& member) {
  Command({"SREM", key, member});
}

std::vector<std::string> RedisState::SMembers(const std::string& key) {
  auto r = Command({"SMEMBERS", key});
  std::vector<std::string> out;
  if (r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.push_back(Str(r->element[i]));
  return out;
}

std::vector<std::string> RedisState::ScanPrefix(const std::string& prefix) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto r = Command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", std::to_string(kScanCount)});
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) break;
    cursor = Str(r->element[0]);
    const redisReply* batch = r->element[1];
    for (size_t i = 0; i < batch->elements; ++i) keys.push_back(Str(batch->element[i]));
  } while (cursor != "0");
  return keys;
}

std::vector<std::string> RedisState::RunScript(const StateScript& script,
                                               const std::vector<std::string>& keys,
                                               const std::vector<std::string>& args) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(script.lua.data()), script.lua.size(), digest.data());
  std::string sha;
  for (unsigned char b : digest) sha += fmt::format("{:02x}", b);
  std::vector<std::string> command{"EVALSHA", sha, std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  Reply r;
  try {
    r = Command(command);
  } catch (const StateUnavailable&) {
    throw;
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).find("NOSCRIPT") == std::string_view::npos) throw;
    // First use on this Redis (or after a restart): EVAL loads and runs it.
    command[0] = "EVAL";
    command[1] = std::string(script.lua);
    r = Command(command);
  }
  std::vector<std::string> out;
  if (r->type == REDIS_REPLY_ARRAY) {
    out.reserve(r->elements);
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* e = r->element[i];
      if (e->type == REDIS_REPLY_INTEGER) {
        out.push_back(std::to_string(e->integer));
      } else if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
        out.push_back(Str(e));
      } else {
        out.emplace_back();  // nil
      }
    }
  }
  return out;
}

void RedisState::Publish(const std::string& channel, const std::string& message) {
  Command({"PUBLISH", channel, message});
}

void RedisState::Subscribe(const std::string& prefix, MessageFn on_message,
                           std::function<void()> on_resubscribed) {
  sub_prefix_ = prefix;
  on_message_ = std::move(on_message);
  on_resubscribed_ = std::move(on_resubscribed);
  sub_thread_ = std::thread([this] { SubscriberLoop(); });
}

void RedisState::SubscriberLoop() {
  auto backoff = std::chrono::milliseconds(0);
  bool connected_before = false;
  while (!stopping_) {
    Context c = Connect(true);
    bool subscribed = false;
    if (c) {
      const std::string pattern = sub_prefix_ + "*";
      Reply r(static_cast<redisReply*>(
          redisCommand(c.get(), "PSUBSCRIBE %b", pattern.data(), pattern.size())));
      subscribed = r && !c->err;
    }
    if (!subscribed) {
      MarkDown("subscriber connect failed");
      backoff = std::clamp(backoff * 2, std::chrono::milliseconds(kMinBackoff),
                           std::chrono::milliseconds(kMaxBackoff));
      std::unique_lock lock(sub_mu_);
      sub_cv_.wait_for(lock, backoff, [this] { return stopping_.load(); });
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    {
      std::lock_guard lock(sub_mu_);
      if (stopping_) break;
      sub_ctx_ = c.get();
    }
    {
      // Let command connections retry at once instead of waiting out their backoff.
      std::lock_guard lock(mu_);
      next_attempt_ = {};
    }
    if (!ready_.exchange(true)) ops::Info("redis", "redis reachable", {{"subscriber", true}});
    if (connected_before && on_resubscribed_) on_resubscribed_();
    connected_before = true;
    while (!stopping_) {
      void* raw = nullptr;
      if (redisGetReply(c.get(), &raw) != REDIS_OK) break;
      Reply r(static_cast<redisReply*>(raw));
      // ["pmessage", pattern, channel, message]
      if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          Str(r->element[0]) == "pmessage") {
        on_message_(Str(r->element[2]), Str(r->element[3]));
      }
    }
    {
      std::lock_guard lock(sub_mu_);
      sub_ctx_ = nullptr;
    }
    if (!stopping_) MarkDown(c->err ? c->errstr : "subscriber connection lost");
  }
}

void RedisState::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(sub_mu_);
    if (sub_ctx_) ::shutdown(sub_ctx_->fd, SHUT_RDWR);
  }
  sub_cv_.notify_all();
  cv_.notify_all();
  if (sub_thread_.joinable()) sub_thread_.join();
  std::lock_guard lock(mu_);
  idle_.clear();
}

}  // namespace chorus::state
