#include "StoreFixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <fmt/format.h>

namespace chorus::store::testing {
namespace {

std::atomic<int> g_counter{0};

// Runs one statement on a short-lived admin connection to the server's main database.
void AdminExec(const std::string& base_url, const std::string& sql) {
  Database::Open(base_url, 1)->WithConnection([&](Connection& c) { c.Exec(sql); });
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

void StoreTest::SetUp() {
  const int n = g_counter.fetch_add(1);
  if (IsPostgres()) {
    const char* base = std::getenv("CHORUS_TEST_POSTGRES_URL");
    if (base == nullptr || *base == '\0') {
      GTEST_SKIP() << "CHORUS_TEST_POSTGRES_URL not set (start one with scripts/test-servers)";
    }
    // A private schema per test, selected through libpq's options parameter.
    pg_schema_ = fmt::format("chorus_t_{}_{}", ::getpid(), n);
    AdminExec(base, "CREATE SCHEMA " + pg_schema_);
    const std::string b(base);
    url_ = b + (b.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           pg_schema_;
  } else {
    sqlite_dir_ =
        std::filesystem::temp_directory_path() / fmt::format("chorus_store_{}_{}", ::getpid(), n);
    std::filesystem::remove_all(sqlite_dir_);
    std::filesystem::create_directories(sqlite_dir_);
    url_ = "sqlite:" + (sqlite_dir_ / "chorus.db").string();
  }
  db_ = Database::Open(url_, kPoolSize);
  if (migrate_in_setup_) migrations_applied_in_setup_ = db_->Migrate();
}

void StoreTest::TearDown() {
  db_.reset();
  if (!pg_schema_.empty()) {
    AdminExec(std::getenv("CHORUS_TEST_POSTGRES_URL"),
              "DROP SCHEMA IF EXISTS " + pg_schema_ + " CASCADE");
  }
  if (!sqlite_dir_.empty()) std::filesystem::remove_all(sqlite_dir_);
}

User StoreTest::MakeUser(const std::string& name, const std::string& role) {
  User out;
  With([&](Connection& c) { out = UserRepository(c).Create(name, "hash-" + name, role, NowMs()); });
  return out;
}

}  // namespace chorus::store::testing
