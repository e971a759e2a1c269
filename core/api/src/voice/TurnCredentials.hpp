// Time-limited TURN credentials in the scheme coturn's `use-auth-secret` checks (the "TURN REST
// API" draft, draft-uberti-behave-turn-rest-00 §2.2): username = "<expiry unix time>:<user id>",
// credential = base64(HMAC-SHA1(shared secret, username)). The join response hands them to the
// browser as RTCIceServer entries, so no long-lived TURN password ever reaches a client.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::voice {

struct TurnCredential {
  std::string username;
  std::string credential;
};

// The credential for `user_id` valid until `now_s + ttl`.
TurnCredential MakeTurnCredential(const std::string& secret, std::int64_t user_id,
                                  std::int64_t now_s, std::chrono::seconds ttl);

// The join response's `ice_servers`: [{"urls":[…],"username":…,"credential":…}] when `urls` is
// not empty, else [].
boost::json::array TurnIceServers(const std::vector<std::string>& urls, const std::string& secret,
                                  std::int64_t user_id, std::int64_t now_s,
                                  std::chrono::seconds ttl);

}  // namespace chorus::voice
