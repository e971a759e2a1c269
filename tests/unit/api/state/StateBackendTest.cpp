// The StateBackend commands behave the same on LocalState and on a real Redis.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "StateFixture.hpp"
#include "state/StateRateLimiter.hpp"

namespace chorus::state::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(StateTest, StringsWithTtl) {
  const auto key = "test:str:" + std::to_string(RandomId());
  EXPECT_FALSE(State().Get(key));
  State().Set(key, "v1", 0ms);
  EXPECT_EQ(State().Get(key), "v1");
  EXPECT_EQ(State().Pttl(key), -1);
  EXPECT_TRUE(State().Expire(key, 60s));
  const auto ttl = State().Pttl(key);
  EXPECT_GT(ttl, 50'000);
  EXPECT_LE(ttl, 60'000);
  EXPECT_TRUE(State().Exists(key));
  EXPECT_TRUE(State().Del(key));
  EXPECT_FALSE(State().Del(key));
  EXPECT_EQ(State().Pttl(key), -2);
  State().Set(key, "short", 50ms);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (State().Exists(key) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(State().Exists(key));
}

TEST_P(StateTest, HashesAndCounters) {
  const auto key = "test:hash:" + std::to_string(RandomId());
  State().HSet(key, "a", "1");
  EXPECT_EQ(State().HIncrBy(key, "n", 2), 2);
  EXPECT_EQ(State().HIncrBy(key, "n", 3), 5);
  EXPECT_EQ(State().HGet(key, "a"), "1");
  EXPECT_FALSE(State().HGet(key, "zz"));
  auto all = State().HGetAll(key);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all["n"], "5");
  EXPECT_TRUE(State().HDel(key, "a"));
  EXPECT_FALSE(State().HDel(key, "a"));
  State().Del(key);
  EXPECT_TRUE(State().HGetAll(key).empty());
}

TEST_P(StateTest, SortedSetsRangeAndRemoveByScore) {
  const auto key = "test:z:" + std::to_string(RandomId());
  EXPECT_TRUE(State().ZAdd(key, "1", 100));
  EXPECT_TRUE(State().ZAdd(key, "2", 200));
  EXPECT_TRUE(State().ZAdd(key, "3", 300));
  EXPECT_FALSE(State().ZAdd(key, "1", 150));  // update, not new
  EXPECT_EQ(State().ZScore(key, "1"), 150);
  EXPECT_EQ(State().ZCard(key), 3);
  auto low = State().ZRangeByScore(key, -1e300, 200);
  ASSERT_EQ(low.size(), 2u);
  EXPECT_EQ(low[0].first, "1");
  EXPECT_EQ(low[1].first, "2");
  EXPECT_EQ(State().ZRemRangeByScore(key, -1e300, 200), 2);
  EXPECT_EQ(State().ZCard(key), 1);
  EXPECT_TRUE(State().ZRem(key, "3"));
  EXPECT_FALSE(State().Exists(key));
}

TEST_P(StateTest, SetsAndScan) {
  const auto id = std::to_string(RandomId());
  State().SAdd("test:set:" + id, "x");
  State().SAdd("test:set:" + id, "y");
  State().SAdd("test:set:" + id, "x");
  EXPECT_EQ(State().SMembers("test:set:" + id).size(), 2u);
  State().SRem("test:set:" + id, "x");
  EXPECT_EQ(State().SMembers("test:set:" + id), std::vector<std::string>{"y"});
  State().Set("test:scan:" + id + ":a", "1", 60s);
  State().Set("test:scan:" + id + ":b", "1", 60s);
  auto keys = State().ScanPrefix("test:scan:" + id + ":");
  EXPECT_EQ(keys.size(), 2u);
  State().Del("test:set:" + id);
}

TEST_P(StateTest, IncrWindowCountsWithinTheWindow) {
  const auto key = "test:rate:" + std::to_string(RandomId());
  auto [c1, left1] = State().IncrWindow(key, 60s);
  EXPECT_EQ(c1, 1);
  EXPECT_GT(left1, 0);
  auto [c2, left2] = State().IncrWindow(key, 60s);
  EXPECT_EQ(c2, 2);
  EXPECT_GT(left2, 50'000);
  StateRateLimiter limiter(State());
  const auto rkey = "test:" + std::to_string(RandomId());
  EXPECT_FALSE(limiter.Hit(rkey, 2, 60s));
  EXPECT_FALSE(limiter.Check(rkey, 2, 60s));
  EXPECT_FALSE(limiter.Hit(rkey, 2, 60s));
  EXPECT_TRUE(limiter.Check(rkey, 2, 60s));
  auto wait = limiter.Hit(rkey, 2, 60s);
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, 59);
  EXPECT_LE(*wait, 60);
  limiter.Reset(rkey);
  EXPECT_FALSE(limiter.Hit(rkey, 2, 60s));
}

TEST_P(StateTest, PublishReachesPrefixSubscribers) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> got;
  const auto prefix = "test:events:" + std::to_string(RandomId()) + ":";
  State().Subscribe(
      prefix,
      [&](const std::string& channel, const std::string& message) {
        std::lock_guard lock(mu);
        got.emplace_back(channel, message);
        cv.notify_all();
      },
      nullptr);
  // The Redis subscriber connects asynchronously: publish until one message gets through.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::unique_lock lock(mu);
  while (got.empty() && std::chrono::steady_clock::now() < deadline) {
    lock.unlock();
    State().Publish(prefix + "1", "hello");
    State().Publish("test:other", "nope");
    lock.lock();
    cv.wait_for(lock, 100ms, [&] { return !got.empty(); });
  }
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].first, prefix + "1");
  EXPECT_EQ(got[0].second, "hello");
  for (const auto& [channel, _] : got) EXPECT_EQ(channel.rfind(prefix, 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StateTest, ::testing::Values("local", "redis"), BackendName);

TEST(RedisEndpoint, ParsesUrls) {
  auto ep = RedisEndpoint::Parse("redis://:secret@127.0.0.1:6380/2");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->password, "secret");
  EXPECT_EQ(ep->db, 2);
  EXPECT_TRUE(RedisEndpoint::Parse("redis://localhost"));
  EXPECT_FALSE(RedisEndpoint::Parse("http://localhost"));
  EXPECT_FALSE(RedisEndpoint::Parse("not a url"));
}

TEST(RedisState, UnreachableServerThrowsStateUnavailableQuickly) {
  RedisEndpoint ep;
  ep.port = 1;  // nothing listens on port 1
  RedisState state(ep, 1, nullptr);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(state.Get("k"), StateUnavailable);
  EXPECT_THROW(state.Get("k"), StateUnavailable);  // in backoff: fails at once
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_FALSE(state.Ready());
}

}  // namespace
}  // namespace chorus::state::testing
