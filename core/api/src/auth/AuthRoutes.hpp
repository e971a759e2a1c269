// /api/auth: register, login, logout, me.
#pragma once

#include "app/Services.hpp"
#include "http/Router.hpp"

namespace chorus::auth {

void AddAuthRoutes(http::Router& router, app::Services& services);

// Username rule: 3–32 characters of [A-Za-z0-9_.-]. Throws 400 otherwise.
void ValidateUsername(const std::string& username);

}  // namespace chorus::auth
