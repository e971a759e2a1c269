#include "voice/TokenRegistry.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

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

namespace {

struct TokenRecord {
  std::int64_t user_id = 0, stream_id = 0, session_id = 0;
};

std::optional<TokenRecord> ParseRecord(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto* user = o.if_contains("user_id");
  const auto* stream = o.if_contains("stream_id");
  const auto* session = o.if_contains("session_id");
  if (!user || !user->is_int64() || !stream || !stream->is_int64() || !session ||
      !session->is_int64()) {
    return std::nullopt;
  }
  return TokenRecord{user->as_int64(), stream->as_int64(), session->as_int64()};
}

}  // namespace

std::vector<TokenRegistry::SessionRoom> TokenRegistry::SessionRooms(std::int64_t session_id) {
  std::vector<SessionRoom> rooms;
  for (const auto& jti : state_.SMembers(SessionIndex(session_id))) {
    const auto record = ParseRecord(state_.Get(TokenKey(jti)));
    if (!record) continue;
    const bool seen = std::any_of(rooms.begin(), rooms.end(), [&](const SessionRoom& r) {
      return r.stream_id == record->stream_id && r.user_id == record->user_id;
    });
    if (seen) continue;
    SessionRoom room{record->stream_id, record->user_id, false};
    for (const auto& other : state_.SMembers(UserIndex(room.stream_id, room.user_id))) {
      const auto o = ParseRecord(state_.Get(TokenKey(other)));
      if (o && o->session_id != session_id) room.other_session = true;
    }
    rooms.push_back(room);
  }
  return rooms;
}

int TokenRegistry::RevokeSession(std::int64_t session_id) {
  return RevokeIndex(SessionIndex(session_id));
}

int TokenRegistry::RevokeUser(std::int64_t stream_id, std::int64_t user_id) {
  return RevokeIndex(UserIndex(stream_id, user_id));
}

}  // namespace chorus::voice
