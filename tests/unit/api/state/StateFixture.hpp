// Runs a test once per state backend: LocalState, and RedisState against the server named by
// CHORUS_TEST_REDIS_URL (skipped when unset; `. scripts/test-servers; redis_start DIR PORT`).
// Both read the same injected clock for presence scores; tests use random stream ids so runs in
// parallel against one Redis do not collide.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>

#include "state/LocalState.hpp"
#include "state/RedisState.hpp"
#include "util/Time.hpp"

namespace chorus::state::testing {

class StateTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    now_ms_ = 1'800'000'000'000;
    if (GetParam() == "redis") {
      const char* url = std::getenv("CHORUS_TEST_REDIS_URL");
      if (!url || !*url) GTEST_SKIP() << "CHORUS_TEST_REDIS_URL not set";
      auto ep = RedisEndpoint::Parse(url);
      ASSERT_TRUE(ep) << url;
      state_ = std::make_unique<RedisState>(*ep, 2, nullptr);
    } else {
      // Local expiry follows the wall clock like Redis does; presence uses Clock().
      state_ = std::make_unique<LocalState>();
    }
  }
  void TearDown() override {
    if (state_) state_->Stop();
  }

  StateBackend& State() { return *state_; }
  util::Clock Clock() {
    return [this] { return now_ms_.load(); };
  }
  void Advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }
  // A random id, so keys of concurrent runs against one Redis differ.
  static std::int64_t RandomId() {
    static std::mt19937_64 rng{std::random_device{}()};
    return static_cast<std::int64_t>(rng() % 1'000'000'000'000) + 1'000'000;
  }

  std::atomic<std::int64_t> now_ms_{0};
  std::unique_ptr<StateBackend> state_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace chorus::state::testing
