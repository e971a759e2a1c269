#include "voice/RoomRoles.hpp"

#include "store/UserRepository.hpp"
#include "store/VoiceRepository.hpp"

namespace chorus::voice {

std::string RoomRole(store::Connection& c, const store::Stream& stream, std::int64_t user_id) {
  if (stream.host_id && *stream.host_id == user_id) return "host";
  const auto user = store::UserRepository(c).FindById(user_id);
  if (!user) return "member";
  if (user->role == "admin") return "moderator";
  if (store::VoiceRepository(c).IsModerator(stream.id, user_id)) return "moderator";
  return "member";
}

}  // namespace chorus::voice
