// The durable store: a thread-safe pool of Connections to SQLite or Postgres.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "store/Connection.hpp"

namespace chorus::store {

// Pool counters for /metrics.
struct PoolStats {
  int size = 0;                  // Connection slots.
  int in_use = 0;                // Slots lent out right now.
  std::int64_t total_waits = 0;  // Borrows that had to wait for a free slot.
};

// Thread-safe. Every call may block (I/O, or waiting for a free connection): run callers on
// the blocking thread pool, never on an asio I/O thread.
class Database {
 public:
  virtual ~Database() = default;

  // Opens a pool of pool_size connections for url:
  //   "sqlite:PATH" (file created if absent; WAL, busy_timeout, foreign keys on; ":memory:"
  //                  forces one slot, since each in-memory connection is its own database),
  //   "postgres://…" or "postgresql://…" (a libpq URL; connections opened lazily).
  // SQLite opens one connection at once so a bad path fails here. Throws DbError on an unknown
  // scheme or pool_size < 1, Unavailable when SQLite cannot open the file. Does not migrate.
  static std::unique_ptr<Database> Open(const std::string& url, int pool_size);

  // Lends a connection to fn for its duration; blocks until one is free (up to
  // kBorrowTimeout, then throws Unavailable). Rethrows whatever fn throws.
  virtual void WithConnection(const std::function<void(Connection&)>& fn) = 0;

  // Like WithConnection, returning fn's result.
  template <class F>
  auto With(F&& fn) -> std::invoke_result_t<F&, Connection&> {
    using Result = std::invoke_result_t<F&, Connection&>;
    if constexpr (std::is_void_v<Result>) {
      WithConnection([&](Connection& c) { fn(c); });
    } else {
      std::optional<Result> out;
      WithConnection([&](Connection& c) { out.emplace(fn(c)); });
      return std::move(*out);
    }
  }

  // "sqlite" or "postgres".
  virtual std::string Backend() const = 0;

  // Brings the schema to the newest version in one transaction; returns how many migrations
  // were applied (0 when already current). Safe to run from several processes at once.
  virtual int Migrate() = 0;

  // True when a connection can run SELECT 1 (for /readyz). Never throws.
  virtual bool Ping() = 0;

  // A snapshot of the pool counters.
  virtual PoolStats Stats() const = 0;
};

}  // namespace chorus::store
