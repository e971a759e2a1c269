#include "store/SqliteConnection.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include "store/DbError.hpp"

namespace chorus::store {
namespace {

// Finalizes a prepared statement when the scope ends, on success or on throw.
struct StatementGuard {
  sqlite3_stmt* stmt = nullptr;
  ~StatementGuard() { sqlite3_finalize(stmt); }
};

Value ColumnValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return Value{static_cast<std::int64_t>(sqlite3_column_int64(stmt, col))};
    case SQLITE_FLOAT:
      return Value{sqlite3_column_double(stmt, col)};
    case SQLITE_NULL:
      return Value{};
    default: {  // TEXT or BLOB: both read as bytes.
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      const int size = sqlite3_column_bytes(stmt, col);
      return Value{std::string(data ? data : "", static_cast<std::size_t>(size))};
    }
  }
}

}  // namespace

std::unique_ptr<SqliteConnection> SqliteConnection::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw Unavailable(fmt::format("sqlite: cannot open {}: {}", path, msg));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  conn->Exec("PRAGMA journal_mode = WAL");
  conn->Exec("PRAGMA synchronous = NORMAL");
  conn->Exec("PRAGMA foreign_keys = ON");
  return conn;
}

SqliteConnection::~SqliteConnection() {
  sqlite3_close_v2(db_);
}

std::string SqliteConnection::RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // Copy a quoted literal/identifier; '' and "" escape.
      const std::size_t end = sql.find(c, i + 1);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

void SqliteConnection::Fail(int rc, std::string_view sql) const {
  const std::string msg =
      fmt::format("sqlite: {} (code {}) in: {}", sqlite3_errmsg(db_), rc, sql.substr(0, 200));
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw UniqueViolation(msg);
  }
  if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR) throw Unavailable(msg);
  throw DbError(msg);
}

Rows SqliteConnection::Exec(std::string_view sql, const std::vector<Value>& params) {
  const std::string text = RewritePlaceholders(sql);
  StatementGuard guard;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &guard.stmt, &tail);
  if (rc != SQLITE_OK) Fail(sqlite3_extended_errcode(db_), sql);
  if (guard.stmt == nullptr) throw DbError("sqlite: empty statement");
  // Postgres refuses several statements in one parameterized call; refuse them here too.
  if (tail != nullptr &&
      std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    throw DbError(fmt::format("sqlite: more than one statement in: {}", sql.substr(0, 200)));
  }
  if (sqlite3_bind_parameter_count(guard.stmt) > static_cast<int>(params.size())) {
    throw DbError(fmt::format("sqlite: statement wants {} parameters, got {}: {}",
                              sqlite3_bind_parameter_count(guard.stmt), params.size(), sql));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    const Value& v = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(guard.stmt, idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(guard.stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc =
          sqlite3_bind_text64(guard.stmt, idx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(guard.stmt, idx);
    }
    if (rc != SQLITE_OK && rc != SQLITE_RANGE) Fail(rc, sql);
  }
  Rows rows;
  const int cols = sqlite3_column_count(guard.stmt);
  while ((rc = sqlite3_step(guard.stmt)) == SQLITE_ROW) {
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) values.push_back(ColumnValue(guard.stmt, c));
    rows.emplace_back(std::move(values));
  }
  if (rc != SQLITE_DONE) Fail(sqlite3_extended_errcode(db_), sql);
  affected_rows_ = sqlite3_stmt_readonly(guard.stmt) ? static_cast<std::int64_t>(rows.size())
                                                     : sqlite3_changes64(db_);
  return rows;
}

void SqliteConnection::BeginTransaction() {
  Exec("BEGIN IMMEDIATE");
}

void SqliteConnection::CommitTransaction() {
  Exec("COMMIT");
}

void SqliteConnection::RollbackTransaction() noexcept {
  // Fails harmlessly when SQLite already rolled back (e.g. after SQLITE_FULL).
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace chorus::store
