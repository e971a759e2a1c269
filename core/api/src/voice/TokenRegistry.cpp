#include "voice/TokenRegistry.hpp"

#include <boost/json.hpp>

namespace chorus::voice {
namespace {

std::string SessionIndex(std::int64_t session_id) {
  return "voice:tokens:session:" + std::to_string(session_id);
}
std::string UserIndex(std::int64_t stream_id, std::int64_t user_id) {
  return "voice:tokens:user:" + std::to_string(stream_id) + ":" + std::to_string(user_id);
}

}  // namespace

void TokenRegistry::Register(const RoomClaims& c, std::chrono::seconds ttl) {
  const auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl);
  state_.Set(TokenKey(c.jti),
             boost::json::serialize(boost::json::object{{"user_id", c.user_id},
                                                        {"stream_id", c.stream_id},
                                                        {"session_id", c.session_id},
                                                        {"exp", c.exp}}),
             ttl_ms);
  // The indexes live as long as the newest token in them.
  for (const auto& index : {SessionIndex(c.session_id), UserIndex(c.stream_id, c.user_id)}) {
    state_.SAdd(index, c.jti);
    state_.Expire(index, ttl_ms);
  }
}

bool TokenRegistry::IsRevoked(const std::string& jti) {
  return !state_.Exists(TokenKey(jti));
}

bool TokenRegistry::Revoke(const std::string& jti) {
  return state_.Del(TokenKey(jti));
}

int TokenRegistry::RevokeIndex(const std::string& index_key) {
  int revoked = 0;
  for (const auto& jti : state_.SMembers(index_key)) {
    if (Revoke(jti)) ++revoked;
  }
  state_.Del(index_key);
  return revoked;
}

int TokenRegistry::RevokeSession(std::int64_t session_id) {
  return RevokeIndex(SessionIndex(session_id));
}

int TokenRegistry::RevokeUser(std::int64_t stream_id, std::int64_t user_id) {
  return RevokeIndex(UserIndex(stream_id, user_id));
}

}  // namespace chorus::voice
