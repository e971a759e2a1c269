#include "store/Database.hpp"

#include <fmt/format.h>

#include "store/ConnectionPool.hpp"
#include "store/DbError.hpp"
#include "store/PostgresConnection.hpp"
#include "store/SqliteConnection.hpp"

namespace chorus::store {
namespace {

// Arbitrary constant naming "chorus schema migration" for pg_advisory_xact_lock.
constexpr std::string_view kPostgresMigrationLock = "SELECT pg_advisory_xact_lock(724017001)";

// Default libpq connect timeout when the URL sets none.
constexpr int kPostgresConnectTimeoutS = 5;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::unique_ptr<Database> Database::Open(const std::string& url, int pool_size) {
  if (pool_size < 1) throw DbError(fmt::format("db: pool size must be >= 1, got {}", pool_size));
  if (StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (path.empty()) throw DbError("db: sqlite URL has no path");
    if (path == ":memory:") pool_size = 1;
    auto pool = std::make_unique<ConnectionPool>(
        ConnectionPool::BackendSpec{"sqlite", [path] { return SqliteConnection::Open(path); },
                                    &SqliteMigrations(), ""},
        pool_size);
    pool->Prime();
    return pool;
  }
  if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    // libpq waits forever for an unreachable host unless told otherwise; keep /readyz bounded.
    std::string pg_url = url;
    if (pg_url.find("connect_timeout=") == std::string::npos) {
      pg_url +=
          fmt::format("{}connect_timeout={}", pg_url.find('?') == std::string::npos ? '?' : '&',
                      kPostgresConnectTimeoutS);
    }
    return std::make_unique<ConnectionPool>(
        ConnectionPool::BackendSpec{
            "postgres", [pg_url] { return std::make_unique<PostgresConnection>(pg_url); },
            &PostgresMigrations(), std::string(kPostgresMigrationLock)},
        pool_size);
  }
  throw DbError("db: unsupported database URL (want sqlite:PATH or postgres://...)");
}

}  // namespace chorus::store
