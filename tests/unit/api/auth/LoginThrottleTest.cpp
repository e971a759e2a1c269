// LoginThrottle over the in-process limiter: attempts are counted before any check, so parallel
// attempts never get more than the limit through; refusals, successes and abandoned attempts give
// back what they should.
#include "auth/LoginThrottle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace chorus::auth {
namespace {

using namespace std::chrono_literals;

class LoginThrottleTest : public ::testing::Test {
 protected:
  LoginThrottleTest() {
    settings_.login_max_failures_per_user = 10;
    settings_.login_max_failures_per_address = 50;
    settings_.login_failure_window = 900s;
    settings_.register_max_per_address = 3;
    settings_.register_window = 3600s;
  }
  std::int64_t now_ms_ = 1'000'000;
  LocalRateLimiter limiter_{[this] { return now_ms_; }};
  config::AuthSettings settings_;
  LoginThrottle throttle_{limiter_, settings_};
};

TEST_F(LoginThrottleTest, ParallelAttemptsForOneUserAdmitAtMostTheLimit) {
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        (throttle_.BeginLogin("victim", "10.0.0.1") ? refused : admitted).fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 10);
  EXPECT_EQ(refused.load(), 190);
}

TEST_F(LoginThrottleTest, TheRightPasswordIsRefusedWhileLockedAndTheWaitIsTheWindow) {
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(throttle_.BeginLogin("victim", "10.0.0.1"));
  auto wait = throttle_.BeginLogin("victim", "10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 900);
  now_ms_ += 600'000;
  EXPECT_EQ(throttle_.BeginLogin("victim", "10.0.0.1"), 300);
  now_ms_ += 300'000;  // the window has passed
  EXPECT_FALSE(throttle_.BeginLogin("victim", "10.0.0.1"));
}

TEST_F(LoginThrottleTest, AUserLockoutDoesNotSpendTheAddressBudget) {
  for (int i = 0; i < 200; ++i) throttle_.BeginLogin("victim", "10.0.0.1");
  // 10 counted against the address, not 200: others behind it still get their 40.
  for (int i = 0; i < 40; ++i) {
    EXPECT_FALSE(throttle_.BeginLogin("user" + std::to_string(i), "10.0.0.1")) << i;
  }
  EXPECT_TRUE(throttle_.BeginLogin("one-more", "10.0.0.1"));
}

TEST_F(LoginThrottleTest, AnAddressRefusalGivesTheUserCountBack) {
  settings_.login_max_failures_per_address = 1;
  EXPECT_FALSE(throttle_.BeginLogin("alice", "10.0.0.1"));
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(throttle_.BeginLogin("bob", "10.0.0.1"));
  // None of the 20 refusals stayed on bob's own count.
  EXPECT_EQ(limiter_.Check(LoginThrottle::UserKey("bob"), 1, 900s), std::nullopt);
  EXPECT_TRUE(limiter_.Check(LoginThrottle::UserKey("alice"), 1, 900s));
}

TEST_F(LoginThrottleTest, SuccessClearsTheUserAndGivesTheAddressItsAttemptBack) {
  settings_.login_max_failures_per_address = 3;
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(throttle_.BeginLogin("alice", "10.0.0.1"));
  ASSERT_FALSE(throttle_.BeginLogin("alice", "10.0.0.1"));
  throttle_.LoginSucceeded("alice", "10.0.0.1");
  // The address has 2 failures counted: one more attempt fits, the next does not.
  EXPECT_FALSE(throttle_.BeginLogin("carol", "10.0.0.1"));
  EXPECT_TRUE(throttle_.BeginLogin("carol", "10.0.0.1"));
  EXPECT_EQ(limiter_.Check(LoginThrottle::UserKey("alice"), 1, 900s), std::nullopt);
}

TEST_F(LoginThrottleTest, AbandonedAttemptsCountForNothing) {
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(throttle_.BeginLogin("alice", "10.0.0.1")) << i;
    throttle_.LoginAbandoned("alice", "10.0.0.1");
  }
  ASSERT_FALSE(throttle_.BeginRegister("10.0.0.1"));
  throttle_.RegisterAbandoned("10.0.0.1");
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(throttle_.BeginRegister("10.0.0.1")) << i;
}

TEST_F(LoginThrottleTest, RegistrationsAreLimitedPerAddress) {
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(throttle_.BeginRegister("10.0.0.1")) << i;
  auto wait = throttle_.BeginRegister("10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 3600);
  EXPECT_FALSE(throttle_.BeginRegister("10.0.0.2"));
  now_ms_ += 3'600'000;
  EXPECT_FALSE(throttle_.BeginRegister("10.0.0.1"));
}

}  // namespace
}  // namespace chorus::auth
