// The shared services every route module receives. Owned by App; outlive all requests.
#pragma once

#include "config/Config.hpp"
#include "ops/Metrics.hpp"
#include "store/Database.hpp"
#include "util/BlockingPool.hpp"

namespace chorus::auth {
class RateLimiter;
class SessionService;
}  // namespace chorus::auth
namespace chorus::voice {
class VoiceService;
}  // namespace chorus::voice

namespace chorus::app {

struct Services {
  const config::Config& config;
  store::Database& db;
  util::BlockingPool& blocking;
  ops::Metrics& metrics;
  auth::RateLimiter& limiter;
  auth::SessionService& sessions;
  voice::VoiceService* voice = nullptr;  // set once the voice service exists (App::Start)
};

}  // namespace chorus::app
