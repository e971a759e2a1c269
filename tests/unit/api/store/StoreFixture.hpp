// A fixture that runs a test once per storage backend: SQLite on a fresh temp file, and
// Postgres in a fresh schema when CHORUS_TEST_POSTGRES_URL is set (skipped otherwise).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/Database.hpp"
#include "store/UserRepository.hpp"

namespace chorus::store::testing {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Pool size of the database under test.
  static constexpr int kPoolSize = 4;

  void SetUp() override;
  void TearDown() override;

  // True on the Postgres run.
  bool IsPostgres() const { return GetParam() == "postgres"; }
  // The URL of this test's private database (schema) — for opening a second pool.
  const std::string& Url() const { return url_; }
  // The pool under test, migrated unless migrate_in_setup_ was cleared in the constructor.
  Database& Db() { return *db_; }
  // Runs fn on a borrowed connection.
  void With(const std::function<void(Connection&)>& fn) { db_->WithConnection(fn); }
  // Creates a user named name with role "user" (or role) and returns it.
  User MakeUser(const std::string& name, const std::string& role = "user");

  static std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  bool migrate_in_setup_ = true;
  int migrations_applied_in_setup_ = -1;

 private:
  std::string url_;
  std::string pg_schema_;
  std::filesystem::path sqlite_dir_;
  std::unique_ptr<Database> db_;
};

// Test-name suffix for a backend parameter.
std::string BackendName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace chorus::store::testing

// Instantiates suite once per backend.
#define CHORUS_STORE_BACKENDS(suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgres"), \
                           ::chorus::store::testing::BackendName)
