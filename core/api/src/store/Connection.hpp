// One database connection. Not thread-safe: one thread uses it at a time (Database lends it).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "store/Row.hpp"

namespace chorus::store {

// Thread affinity: a Connection is used by one thread at a time; Database::WithConnection
// guarantees that. Blocking: every call may block on I/O, so never call it on an I/O thread.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one SQL statement with $1..$N placeholders bound to params (one portable dialect:
  // INSERT … RETURNING and ON CONFLICT work on SQLite 3.40 and Postgres 15) and returns the
  // rows it produced. Throws UniqueViolation, Unavailable or DbError.
  virtual Rows Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;

  // Rows changed by the last Exec (rows returned for a read-only statement).
  virtual std::int64_t AffectedRows() const = 0;

  // Runs fn inside BEGIN/COMMIT; on an exception rolls back and rethrows it. A nested call
  // joins the outer transaction.
  void Transaction(const std::function<void()>& fn);

  // True while inside Transaction().
  bool InTransaction() const { return transaction_depth_ > 0; }

 protected:
  virtual void BeginTransaction() = 0;
  virtual void CommitTransaction() = 0;
  // Must not throw: it runs while another exception propagates.
  virtual void RollbackTransaction() noexcept = 0;

 private:
  int transaction_depth_ = 0;
};

}  // namespace chorus::store
