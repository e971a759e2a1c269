// Password hashing and verification (argon2id) on a bounded thread pool of its own, so a burst of
// sign-ins or registrations never delays session lookups and database work, which run on the
// blocking pool. The queue is capped: with --hash-threads hashes running and --hash-queue-max
// waiting, further work is refused at once (the caller answers 503 busy with Retry-After)
// rather than queued without bound. Thread-safe; the coroutines resume on the caller's executor.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "util/AdmissionLimit.hpp"
#include "util/BlockingPool.hpp"

namespace chorus::auth {

class PasswordHashPool {
 public:
  PasswordHashPool(std::size_t threads, std::size_t queue_max);

  // The encoded argon2id hash of `password`, or std::nullopt (nothing done) when the pool is
  // full.
  boost::asio::awaitable<std::optional<std::string>> TryHash(std::string password);
  // Whether `password` matches `encoded`, or std::nullopt (nothing done) when the pool is full.
  // An empty `encoded` (unknown user) is checked against PasswordHasher::DummyHash and answers
  // false, so it costs the same time as a wrong password.
  boost::asio::awaitable<std::optional<bool>> TryVerify(std::string encoded, std::string password);

  // Hashes queued or running now; hashes refused so far.
  std::size_t InFlight() const { return admission_.Inside(); }
  std::uint64_t Refused() const { return refused_.load(std::memory_order_relaxed); }

  void Stop() { pool_.Stop(); }

 private:
  // Admits one task or counts a refusal.
  bool Admit();

  util::BlockingPool pool_;
  util::AdmissionLimit admission_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace chorus::auth
