// Connection backed by one libpqxx connection, opened lazily and reopened after a loss.
#pragma once

#include <memory>
#include <string>

#include "store/Connection.hpp"

namespace chorus::store {

// Thread affinity: one thread at a time.
class PostgresConnection final : public Connection {
 public:
  // Keeps the libpq URL; connects on first use. Never throws.
  explicit PostgresConnection(std::string url);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs the statement in its own implicit transaction, or in the open Transaction(). A lost
  // connection throws Unavailable and the next call reconnects.
  Rows Exec(std::string_view sql, const std::vector<Value>& params = {}) override;
  std::int64_t AffectedRows() const override { return affected_rows_; }

 protected:
  void BeginTransaction() override;
  void CommitTransaction() override;
  void RollbackTransaction() noexcept override;

 private:
  struct Handles;  // The libpqxx connection and open transaction (kept out of this header).

  // Returns the live handles, connecting first if needed. Throws Unavailable.
  Handles& Ensure();
  // Maps a libpqxx exception (the one in flight) to DbError/UniqueViolation/Unavailable.
  [[noreturn]] void Rethrow(std::string_view sql);

  std::string url_;
  std::unique_ptr<Handles> handles_;
  std::int64_t affected_rows_ = 0;
};

}  // namespace chorus::store
