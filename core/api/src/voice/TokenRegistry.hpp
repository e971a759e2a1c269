// Which issued room tokens are still valid: voice:token:<jti> (TTL = the token's remaining
// life) exists while the token may be used; revocation deletes it. Indexes let logout revoke a
// session's tokens (voice:tokens:session:<session_id>) and leave/kick a user's tokens for a
// room (voice:tokens:user:<stream_id>:<user_id>). Thread-safe; blocking; may throw
// state::StateUnavailable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "state/StateBackend.hpp"
#include "voice/tokens.hpp"

namespace chorus::voice {

class TokenRegistry {
 public:
  explicit TokenRegistry(state::StateBackend& state) : state_(state) {}

  // Records an issued token as valid for `ttl`.
  void Register(const RoomClaims& claims, std::chrono::seconds ttl);
  // True when the token id was never issued here, has expired, or was revoked.
  bool IsRevoked(const std::string& jti);
  // Revokes one token; false when it was not valid.
  bool Revoke(const std::string& jti);
  // The rooms (stream ids) a session holds valid tokens for, as (stream_id, user_id), with
  // whether another session of that user also holds a valid token for the room.
  struct SessionRoom {
    std::int64_t stream_id = 0, user_id = 0;
    bool other_session = false;
  };
  std::vector<SessionRoom> SessionRooms(std::int64_t session_id);
  // Revokes every token of the session; returns how many were valid.
  int RevokeSession(std::int64_t session_id);
  // Revokes every token of the user for the stream's room; returns how many were valid.
  int RevokeUser(std::int64_t stream_id, std::int64_t user_id);

  static std::string TokenKey(const std::string& jti) { return "voice:token:" + jti; }

 private:
  int RevokeIndex(const std::string& index_key);
  state::StateBackend& state_;
};

}  // namespace chorus::voice
