// Applies versioned migrations to one connection, recording them in schema_migrations.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "store/Connection.hpp"
#include "store/migrations/Migration.hpp"

namespace chorus::store {

// Applies every migration in `migrations` whose version is not yet in schema_migrations, all in
// one transaction (all or nothing), and returns how many it applied; 0 when up to date, so it
// is idempotent. lock_sql (may be empty) runs first inside the transaction to serialize
// concurrent migrators (Postgres advisory lock; SQLite's BEGIN IMMEDIATE already serializes).
// Throws DbError when the database holds a version newer than any known one.
int ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                    std::string_view lock_sql, std::int64_t now_ms);

// The highest applied version, 0 for an empty database.
int SchemaVersion(Connection& conn);

}  // namespace chorus::store
