// /healthz (the process answers), /readyz (the database, and Redis when used, answer),
// /metrics (Prometheus text).
#pragma once

#include <functional>

#include "app/Services.hpp"
#include "http/Router.hpp"

namespace chorus::ops {

// `state_ready` reports whether the voice state backend is reachable (always true in-process).
void AddOpsRoutes(http::Router& router, app::Services& services, std::function<bool()> state_ready);

}  // namespace chorus::ops
