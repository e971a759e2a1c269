// Login sessions: the sessions table (tokens are stored hashed by the caller).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/Connection.hpp"
#include "store/UserRepository.hpp"

namespace chorus::store {

struct Session {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::int64_t last_seen_at_ms = 0;
  std::string client_addr;
};

struct SessionWithUser {
  Session session;
  User user;
};

// Thread affinity: that of the Connection it wraps.
class SessionRepository {
 public:
  explicit SessionRepository(Connection& conn) : conn_(conn) {}

  // Stores a new session and returns it. Throws UniqueViolation on a repeated token hash.
  Session Create(std::string_view token_hash, std::int64_t user_id, std::int64_t now_ms,
                 std::int64_t expires_ms, std::string_view client_addr);
  // The session with this token hash and its user, if it exists and expires after now_ms.
  std::optional<SessionWithUser> FindValid(std::string_view token_hash, std::int64_t now_ms);
  // Sets last_seen_at; returns false when the session is gone.
  bool Touch(std::int64_t id, std::int64_t now_ms);
  // Deletes the session with this token hash; returns whether one existed.
  bool Delete(std::string_view token_hash);
  // Deletes all of a user's sessions; returns how many.
  std::int64_t DeleteForUser(std::int64_t user_id);
  // Deletes sessions that expired at or before now_ms; returns how many.
  std::int64_t DeleteExpired(std::int64_t now_ms);

 private:
  Connection& conn_;
};

}  // namespace chorus::store
