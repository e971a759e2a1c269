// What the voice service asks of the media engine when a moderator acts: App wires this to the
// SFU (core/sfu/Sfu.hpp). May be absent (null) when no SFU runs in this process.
#pragma once

#include <string>

namespace chorus::voice {

class MediaControl {
 public:
  virtual ~MediaControl() = default;
  // Stops (muted = true) or resumes forwarding the user's voice in `room` ("stream-<id>");
  // by_host says a moderator did it (the user cannot unmute themselves).
  virtual void SetMuted(const std::string& room, std::int64_t user_id, bool muted,
                        bool by_host) = 0;
  // Disconnects the user's media connection from `room`, telling the client `reason`
  // ("kick", "timeout", "left").
  virtual void Kick(const std::string& room, std::int64_t user_id, const std::string& reason) = 0;
};

}  // namespace chorus::voice
