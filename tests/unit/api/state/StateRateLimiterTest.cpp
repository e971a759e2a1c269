// StateRateLimiter: refunds on every backend, and the in-process fallback that keeps limits in
// force while the backend (Redis) is unreachable.
#include "state/StateRateLimiter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "StateFixture.hpp"

namespace chorus::state {
namespace {

using namespace std::chrono_literals;

class StateRateLimiterTest : public testing::StateTest {};

TEST_P(StateRateLimiterTest, RefundTakesBackOneHitAndNeverRecreatesAnExpiredCounter) {
  StateRateLimiter limiter(State());
  const auto key = "test:refund:" + std::to_string(RandomId());
  EXPECT_FALSE(limiter.Hit(key, 2, 60s));
  EXPECT_FALSE(limiter.Hit(key, 2, 60s));
  limiter.Refund(key);
  EXPECT_FALSE(limiter.Hit(key, 2, 60s));
  EXPECT_TRUE(limiter.Hit(key, 2, 60s));
  EXPECT_GT(State().Pttl(StateRateLimiter::KeyFor(key)), 50'000);  // the window is kept

  const auto absent = "test:refund:" + std::to_string(RandomId());
  limiter.Refund(absent);
  EXPECT_EQ(State().DecrIfExists(StateRateLimiter::KeyFor(absent)), 0);
  EXPECT_FALSE(State().Exists(StateRateLimiter::KeyFor(absent)));
}

INSTANTIATE_TEST_SUITE_P(Backends, StateRateLimiterTest, ::testing::Values("local", "redis"),
                         testing::BackendName);

// A loopback port with a socket bound but not listening: connections to it are refused.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  int Port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(StateRateLimiterFallback, LimitsHoldWhileRedisIsUnreachable) {
  RefusingPort port;
  ASSERT_GT(port.Port(), 0);
  RedisEndpoint endpoint;
  endpoint.port = port.Port();
  RedisState redis(endpoint, 2, nullptr);
  std::int64_t now_ms = 1'000'000;
  StateRateLimiter limiter(redis, [&] { return now_ms; });

  EXPECT_THROW(limiter.HitStrict("k", 3, 60s), StateUnavailable);  // voice's strict path
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Hit("login:user:alice", 3, 60s)) << i;
  auto wait = limiter.Hit("login:user:alice", 3, 60s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 60);
  EXPECT_EQ(limiter.Check("login:user:alice", 3, 60s), 60);
  limiter.Refund("login:user:alice");
  limiter.Refund("login:user:alice");
  EXPECT_FALSE(limiter.Hit("login:user:alice", 3, 60s));
  limiter.Reset("login:user:alice");
  EXPECT_FALSE(limiter.Check("login:user:alice", 1, 60s));
  redis.Stop();
}

}  // namespace
}  // namespace chorus::state
