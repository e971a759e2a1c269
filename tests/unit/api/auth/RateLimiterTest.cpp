#include "auth/RateLimiter.hpp"

#include <gtest/gtest.h>

namespace chorus::auth {
namespace {

TEST(LocalRateLimiter, AllowsUpToTheLimitThenReportsTheWait) {
  std::int64_t now = 1'000'000;
  LocalRateLimiter limiter([&] { return now; });
  const std::chrono::seconds window{60};
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Hit("k", 3, window).has_value());
  auto wait = limiter.Hit("k", 3, window);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 60);
  now += 30'000;
  EXPECT_EQ(limiter.Check("k", 3, window), 30);
  now += 30'000;  // the window has passed
  EXPECT_FALSE(limiter.Check("k", 3, window).has_value());
  EXPECT_FALSE(limiter.Hit("k", 3, window).has_value());
}

TEST(LocalRateLimiter, KeysAreIndependentAndResettable) {
  LocalRateLimiter limiter([] { return std::int64_t{0}; });
  const std::chrono::seconds window{60};
  limiter.Hit("a", 1, window);
  EXPECT_TRUE(limiter.Hit("a", 1, window).has_value());
  EXPECT_FALSE(limiter.Hit("b", 1, window).has_value());
  limiter.Reset("a");
  EXPECT_FALSE(limiter.Check("a", 1, window).has_value());
}

}  // namespace
}  // namespace chorus::auth

namespace chorus::auth {
namespace {

TEST(LocalRateLimiter, RefundTakesBackOneHitOfTheWindow) {
  std::int64_t now = 1'000'000;
  LocalRateLimiter limiter([&] { return now; });
  const std::chrono::seconds window{60};
  EXPECT_FALSE(limiter.Hit("k", 2, window));
  EXPECT_FALSE(limiter.Hit("k", 2, window));
  limiter.Refund("k");
  EXPECT_FALSE(limiter.Hit("k", 2, window));
  EXPECT_TRUE(limiter.Hit("k", 2, window));
  limiter.Refund("absent");  // nothing to take back
  EXPECT_FALSE(limiter.Check("absent", 1, window));
  now += 60'000;
  limiter.Refund("k");  // a refund after the window ended leaves the next window whole
  EXPECT_FALSE(limiter.Hit("k", 1, window));
  EXPECT_TRUE(limiter.Hit("k", 1, window));
}

}  // namespace
}  // namespace chorus::auth
