#include "store/Migrator.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/DbError.hpp"

namespace chorus::store {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
    "applied_at BIGINT NOT NULL)";

}  // namespace

int ApplyMigrations(Connection& conn, const std::vector<Migration>& migrations,
                    std::string_view lock_sql, std::int64_t now_ms) {
  int applied = 0;
  conn.Transaction([&] {
    if (!lock_sql.empty()) conn.Exec(lock_sql);
    conn.Exec(kCreateTable);
    std::set<std::int64_t> done;
    for (const Row& row : conn.Exec("SELECT version FROM schema_migrations")) {
      done.insert(row.Int(0));
    }
    int known_max = 0;
    for (const Migration& m : migrations) known_max = std::max(known_max, m.version);
    if (!done.empty() && *done.rbegin() > known_max) {
      throw DbError(fmt::format("database schema version {} is newer than this build's {}",
                                *done.rbegin(), known_max));
    }
    for (const Migration& m : migrations) {
      if (done.count(m.version) != 0) continue;
      for (std::string_view sql : m.statements) conn.Exec(sql);
      conn.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                {std::int64_t{m.version}, now_ms});
      spdlog::info("db: applied migration version={} name=\"{}\"", m.version, m.name);
      ++applied;
    }
  });
  return applied;
}

int SchemaVersion(Connection& conn) {
  conn.Exec(kCreateTable);
  const Rows rows = conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return rows.empty() ? 0 : static_cast<int>(rows[0].Int(0));
}

}  // namespace chorus::store
