#include "util/AdmissionLimit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace chorus::util {
namespace {

TEST(AdmissionLimit, AdmitsUpToTheMaxAndAgainAfterLeave) {
  AdmissionLimit limit(2);
  EXPECT_TRUE(limit.TryEnter());
  EXPECT_TRUE(limit.TryEnter());
  EXPECT_FALSE(limit.TryEnter());
  EXPECT_EQ(limit.Inside(), 2u);
  limit.Leave();
  EXPECT_TRUE(limit.TryEnter());
  EXPECT_FALSE(limit.TryEnter());
}

TEST(AdmissionLimit, ZeroAdmitsNothing) {
  AdmissionLimit limit(0);
  EXPECT_FALSE(limit.TryEnter());
}

TEST(AdmissionLimit, ConcurrentEntrantsNeverExceedTheMax) {
  AdmissionLimit limit(3);
  std::atomic<std::size_t> peak{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!limit.TryEnter()) continue;
        admitted.fetch_add(1);
        std::size_t inside = limit.Inside();
        std::size_t seen = peak.load();
        while (inside > seen && !peak.compare_exchange_weak(seen, inside)) {
        }
        limit.Leave();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3u);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(limit.Inside(), 0u);
}

}  // namespace
}  // namespace chorus::util
