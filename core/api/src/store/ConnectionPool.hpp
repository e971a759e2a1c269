// The Database implementation: a bounded pool of lazily created backend connections.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/Database.hpp"
#include "store/migrations/Migration.hpp"

namespace chorus::store {

// How long WithConnection waits for a free slot before throwing Unavailable.
inline constexpr std::chrono::seconds kBorrowTimeout{30};

// Thread-safe (one mutex guards the idle list and counters; connections are used outside it).
class ConnectionPool final : public Database {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;

  // What differs between backends.
  struct BackendSpec {
    std::string name;                          // "sqlite" | "postgres".
    Factory factory;                           // Opens one connection; may throw.
    const std::vector<Migration>* migrations;  // The backend's schema history.
    std::string migration_lock_sql;            // Runs first inside the migration transaction.
  };

  // A pool of `size` slots; connections are opened on first borrow.
  ConnectionPool(BackendSpec backend, int size);

  // Opens one connection now and keeps it idle (fails fast on a bad target).
  void Prime();

  void WithConnection(const std::function<void(Connection&)>& fn) override;
  std::string Backend() const override { return backend_.name; }
  int Migrate() override;
  bool Ping() override;
  PoolStats Stats() const override;

 private:
  std::unique_ptr<Connection> Borrow();
  void Return(std::unique_ptr<Connection> conn);

  const BackendSpec backend_;
  const int size_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int created_ = 0;  // Slots holding a connection (idle or lent).
  int in_use_ = 0;
  std::int64_t total_waits_ = 0;
};

}  // namespace chorus::store
