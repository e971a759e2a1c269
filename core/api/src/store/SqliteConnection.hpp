// Connection backed by one sqlite3 handle (WAL, busy_timeout, foreign keys on).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/Connection.hpp"

struct sqlite3;

namespace chorus::store {

// Thread affinity: one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
class SqliteConnection final : public Connection {
 public:
  // How long a writer waits for another connection's write lock before failing.
  static constexpr int kBusyTimeoutMs = 10000;

  // Opens (creating if absent) the database file at path, or ":memory:". Throws Unavailable.
  static std::unique_ptr<SqliteConnection> Open(const std::string& path);

  // Rewrites Postgres-style $N placeholders to SQLite ?N, leaving quoted text, quoted
  // identifiers and comments untouched.
  static std::string RewritePlaceholders(std::string_view sql);

  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Rows Exec(std::string_view sql, const std::vector<Value>& params = {}) override;
  std::int64_t AffectedRows() const override { return affected_rows_; }

 protected:
  // BEGIN IMMEDIATE: take the write lock up front so two writers never deadlock on upgrade.
  void BeginTransaction() override;
  void CommitTransaction() override;
  void RollbackTransaction() noexcept override;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  [[noreturn]] void Fail(int rc, std::string_view sql) const;

  sqlite3* db_;
  std::int64_t affected_rows_ = 0;
};

}  // namespace chorus::store
