// /api/auth: register, login, logout, me.
#pragma once

#include "app/Services.hpp"
#include "http/Router.hpp"

namespace chorus::auth {

class PasswordHashPool;

// Password length rule (bytes of UTF-8), for registration and the bootstrap admin alike.
inline constexpr std::size_t kMinPasswordBytes = 8, kMaxPasswordBytes = 128;

// Adds register, login, logout and me. Password work runs on `hashing`, never on the blocking
// pool that serves session lookups.
void AddAuthRoutes(http::Router& router, app::Services& services, PasswordHashPool& hashing);

// Username rule: 3–32 characters of [A-Za-z0-9_.-]. Throws 400 otherwise.
void ValidateUsername(const std::string& username);

}  // namespace chorus::auth
