// First-start setup: an admin account and a demo stream, when the database has none.
#pragma once

#include "config/Config.hpp"
#include "store/Database.hpp"

namespace chorus::app {

// Creates the admin from --bootstrap-admin (name:password) or, when unset, with a generated
// password printed once to stdout; creates the demo stream when enabled. Idempotent.
void Bootstrap(store::Database& db, const config::Config& config);

}  // namespace chorus::app
