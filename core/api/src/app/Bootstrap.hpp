// First-start setup: an admin account and a demo stream, when the database has none.
#pragma once

#include <optional>
#include <string>

#include "config/Config.hpp"
#include "store/Database.hpp"

namespace chorus::app {

struct BootstrapAdmin {
  std::string name;
  std::string password;
};

// Parses --bootstrap-admin / CHORUS_BOOTSTRAP_ADMIN ("name:password"): std::nullopt when empty;
// throws std::invalid_argument, with a message naming the setting, when the name breaks the
// username rule or the password is shorter than 8 or longer than 128 bytes (the rule users
// register under). App::Start calls it before touching the database.
std::optional<BootstrapAdmin> ParseBootstrapAdmin(const std::string& spec);

// Creates the admin from --bootstrap-admin (name:password) or, when unset, with a generated
// password printed once to stdout; creates the demo stream when enabled. Idempotent.
void Bootstrap(store::Database& db, const config::Config& config);

}  // namespace chorus::app
