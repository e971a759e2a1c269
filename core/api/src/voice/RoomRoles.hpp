// Who has moderator powers in a stream's room, decided from the database as it is at each
// request (never from the role cached in the roster at join): the stream's current host,
// administrators, and users appointed moderator of that stream (voice_moderators).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/Connection.hpp"
#include "store/StreamRepository.hpp"

namespace chorus::voice {

// "host" | "moderator" (appointed, or an administrator) | "member"; an unknown user is a member.
std::string RoomRole(store::Connection& c, const store::Stream& stream, std::int64_t user_id);

// Whether a room role carries moderator powers (mute, kick, stage, room settings).
inline bool HasPowers(std::string_view role) {
  return role == "host" || role == "moderator";
}

}  // namespace chorus::voice
