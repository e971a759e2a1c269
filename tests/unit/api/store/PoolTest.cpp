// The connection pool under several threads, on both backends.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "StoreFixture.hpp"
#include "store/DbError.hpp"
#include "store/KvRepository.hpp"
#include "store/SessionRepository.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"

namespace chorus::store::testing {
namespace {

using namespace std::chrono_literals;

// Polls cond every 5 ms until it holds or the deadline passes; returns whether it held.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds deadline = 10s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class PoolTest : public StoreTest {};

TEST_P(PoolTest, ManyThreadsWriteThroughThePool) {
  constexpr int kThreads = 8;
  constexpr int kUsersPerThread = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kUsersPerThread; ++i) {
        try {
          Db().WithConnection([&](Connection& c) {
            c.Transaction([&] {
              const User u = UserRepository(c).Create(
                  "u" + std::to_string(t) + "_" + std::to_string(i), "h", "user", i);
              SessionRepository(c).Create("tok" + std::to_string(u.id), u.id, 0, 1000, "");
              KvRepository(c).Put("last", std::to_string(u.id));
            });
          });
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  With([&](Connection& c) {
    EXPECT_EQ(UserRepository(c).Count(), kThreads * kUsersPerThread);
    EXPECT_EQ(c.Exec("SELECT COUNT(*) FROM sessions").at(0).Int(0), kThreads * kUsersPerThread);
  });
  const PoolStats stats = Db().Stats();
  EXPECT_EQ(stats.size, kPoolSize);
  EXPECT_EQ(stats.in_use, 0);
}

TEST_P(PoolTest, ConcurrentOpenMembershipYieldsOneOpenRow) {
  const User u = MakeUser("racer");
  std::int64_t stream = 0;
  With([&](Connection& c) { stream = StreamRepository(c).Create({"S", "", "", {}, true}, 1).id; });
  constexpr int kThreads = 4;
  std::vector<std::int64_t> ids(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 10; ++i) {
          ids[t] = Db().With([&](Connection& c) {
            return VoiceRepository(c).OpenMembership(stream, u.id, "member", t).id;
          });
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t], ids[0]);
  With([&](Connection& c) { EXPECT_EQ(VoiceRepository(c).CountOpenMembers(stream), 1); });
}

TEST_P(PoolTest, BorrowWaitsForAFreeConnection) {
  auto db = Database::Open(Url(), 1);
  std::atomic<bool> release{false};
  std::atomic<bool> second_ran{false};
  std::thread holder([&] {
    db->WithConnection([&](Connection& c) {
      c.Exec("SELECT 1");
      WaitFor([&] { return release.load(); });
    });
  });
  ASSERT_TRUE(WaitFor([&] { return db->Stats().in_use == 1; }));
  std::thread waiter([&] { db->WithConnection([&](Connection&) { second_ran = true; }); });
  // The second borrower must be counted as waiting and must not run yet.
  ASSERT_TRUE(WaitFor([&] { return db->Stats().total_waits == 1; }));
  EXPECT_FALSE(second_ran.load());
  release = true;
  holder.join();
  waiter.join();
  EXPECT_TRUE(second_ran.load());
  EXPECT_EQ(db->Stats().in_use, 0);
}

TEST_P(PoolTest, ConnectionReturnsToPoolAfterException) {
  auto db = Database::Open(Url(), 1);
  EXPECT_THROW(db->WithConnection([](Connection&) { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_EQ(db->Stats().in_use, 0);
  EXPECT_EQ(db->With([](Connection& c) { return c.Exec("SELECT 1").size(); }), 1u);
}

CHORUS_STORE_BACKENDS(PoolTest);

}  // namespace
}  // namespace chorus::store::testing
