// Versioned schema migrations, one list per backend (DESIGN.md: "same migrations kept per
// backend"). Versions match across backends and only ever grow; never edit an applied one.
#pragma once

#include <string_view>
#include <vector>

namespace chorus::store {

struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;  // Each one SQL statement, run in order.
};

// The SQLite schema history.
const std::vector<Migration>& SqliteMigrations();

// The Postgres schema history.
const std::vector<Migration>& PostgresMigrations();

}  // namespace chorus::store
