// Typed storage errors shared by every backend.
#pragma once

#include <stdexcept>
#include <string>

namespace chorus::store {

// Any database failure (bad SQL, constraint other than unique, type mismatch in a Row getter).
class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A UNIQUE or PRIMARY KEY constraint refused a write (SQLite SQLITE_CONSTRAINT_UNIQUE /
// SQLITE_CONSTRAINT_PRIMARYKEY, Postgres SQLSTATE 23505).
class UniqueViolation : public DbError {
 public:
  using DbError::DbError;
};

// The database cannot be reached: connect failed, connection lost, or no pooled connection
// became free in time. Postgres connections reconnect on their next use.
class Unavailable : public DbError {
 public:
  using DbError::DbError;
};

}  // namespace chorus::store
