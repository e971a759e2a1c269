// A per-user token bucket of mute toggles in the state backend (shared by every node): `capacity`
// toggles, refilled evenly over `window`. One state script per take (Lua on Redis, the same
// steps under the lock in process), so concurrent toggles through several nodes never overdraw.
//   voice:mute_toggles:<user_id>  hash: tokens (may be fractional), at (epoch ms of the last take)
// Thread-safe (stateless apart from the backend); blocking; may throw state::StateUnavailable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "state/StateBackend.hpp"
#include "util/Time.hpp"

namespace chorus::voice {

class ToggleBucket {
 public:
  ToggleBucket(state::StateBackend& state, util::Clock clock, int capacity,
               std::chrono::seconds window);

  // Takes one token for the user: nullopt when taken, else the milliseconds until one refills.
  std::optional<std::int64_t> Take(std::int64_t user_id);

  static std::string Key(std::int64_t user_id);

 private:
  state::StateBackend& state_;
  util::Clock clock_;
  int capacity_;
  std::chrono::seconds window_;
};

}  // namespace chorus::voice
