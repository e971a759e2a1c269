// PasswordHashPool: hashes and verifies off the caller's thread, and refuses at once (nullopt)
// when its threads and queue are full.
#include "auth/PasswordHashPool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace chorus::auth {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(PasswordHashPool, HashesAndVerifies) {
  asio::io_context ioc;
  PasswordHashPool pool(1, 4);
  auto hashed = asio::co_spawn(ioc, pool.TryHash("password123"), asio::use_future);
  ioc.run();
  auto hash = hashed.get();
  ASSERT_TRUE(hash);
  ioc.restart();
  auto right = asio::co_spawn(ioc, pool.TryVerify(*hash, "password123"), asio::use_future);
  ioc.run();
  EXPECT_EQ(right.get(), std::optional<bool>(true));
  ioc.restart();
  auto wrong = asio::co_spawn(ioc, pool.TryVerify(*hash, "password124"), asio::use_future);
  auto unknown = asio::co_spawn(ioc, pool.TryVerify("", "password123"), asio::use_future);
  ioc.run();
  EXPECT_EQ(wrong.get(), std::optional<bool>(false));
  EXPECT_EQ(unknown.get(), std::optional<bool>(false));  // checked against the dummy hash
  EXPECT_EQ(pool.InFlight(), 0u);
  EXPECT_EQ(pool.Refused(), 0u);
  pool.Stop();
}

TEST(PasswordHashPool, RefusesBeyondThreadsPlusQueue) {
  asio::io_context ioc;
  PasswordHashPool pool(1, 1);
  // All four start before the first hash (tens of milliseconds) can end: two are admitted.
  std::vector<std::future<std::optional<std::string>>> results;
  for (int i = 0; i < 4; ++i) {
    results.push_back(asio::co_spawn(ioc, pool.TryHash("password123"), asio::use_future));
  }
  ioc.run();
  int done = 0, refused = 0;
  for (auto& r : results) (r.get() ? done : refused) += 1;
  EXPECT_EQ(done, 2);
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(pool.Refused(), 2u);
  EXPECT_EQ(pool.InFlight(), 0u);
  pool.Stop();
}

}  // namespace
}  // namespace chorus::auth
