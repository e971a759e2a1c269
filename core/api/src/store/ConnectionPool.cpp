#include "store/ConnectionPool.hpp"

#include <spdlog/spdlog.h>

#include "store/DbError.hpp"
#include "store/Migrator.hpp"

namespace chorus::store {

ConnectionPool::ConnectionPool(BackendSpec backend, int size)
    : backend_(std::move(backend)), size_(size) {}

void ConnectionPool::Prime() {
  Return(Borrow());
}

std::unique_ptr<Connection> ConnectionPool::Borrow() {
  std::unique_lock lock(mutex_);
  if (idle_.empty() && created_ >= size_) {
    ++total_waits_;
    if (!freed_.wait_for(lock, kBorrowTimeout,
                         [&] { return !idle_.empty() || created_ < size_; })) {
      throw Unavailable("db: no free connection in the pool within the borrow timeout");
    }
  }
  ++in_use_;
  if (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++created_;  // Reserve the slot, then open outside the lock.
  lock.unlock();
  try {
    return backend_.factory();
  } catch (...) {
    lock.lock();
    --created_;
    --in_use_;
    freed_.notify_one();
    throw;
  }
}

void ConnectionPool::Return(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

void ConnectionPool::WithConnection(const std::function<void(Connection&)>& fn) {
  std::unique_ptr<Connection> conn = Borrow();
  try {
    fn(*conn);
  } catch (...) {
    // A transaction left open by fn would poison the next borrower; Transaction() never does
    // that, so the connection is safe to reuse.
    Return(std::move(conn));
    throw;
  }
  Return(std::move(conn));
}

int ConnectionPool::Migrate() {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return With([&](Connection& c) {
    return ApplyMigrations(c, *backend_.migrations, backend_.migration_lock_sql, now_ms);
  });
}

bool ConnectionPool::Ping() {
  try {
    return With([](Connection& c) { return c.Exec("SELECT 1").size() == 1; });
  } catch (const std::exception& e) {
    spdlog::warn("db: ping failed backend={} error=\"{}\"", backend_.name, e.what());
    return false;
  }
}

PoolStats ConnectionPool::Stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{size_, in_use_, total_waits_};
}

}  // namespace chorus::store
