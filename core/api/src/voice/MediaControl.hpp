// What the voice service asks of the media engine when membership changes: App wires this to the
// SFU (core/sfu/Sfu.hpp). May be absent (null) when no SFU runs in this process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chorus::voice {

class MediaControl {
 public:
  virtual ~MediaControl() = default;
  // Stops (muted = true) or resumes forwarding the user's voice in `room` ("stream-<id>");
  // by_host says a moderator did it (the user cannot unmute themselves).
  virtual void SetMuted(const std::string& room, std::int64_t user_id, bool muted,
                        bool by_host) = 0;
  // Ends the user's media connection in `room` at once: the SFU forwards nothing more to or
  // from it, and its /rtc socket gets {"type":"kicked","reason":reason} (kicked) or
  // {"type":"closed","reason":reason} (left, logout, timeout, voice_disabled, state_lost) and
  // closes.
  virtual void EndMedia(const std::string& room, std::int64_t user_id, const std::string& reason,
                        bool kicked) = 0;
  // Ends every media connection in `room` ("stream-<id>"), or in every room of this node when
  // `room` is empty, the same way, with `reason` (voice turned off, state lost).
  virtual void EndRoomMedia(const std::string& room, const std::string& reason) = 0;
  // Ends every media connection opened with a room token of `session_id` (a logout), the same
  // way, with `reason`.
  virtual void EndSessionMedia(std::int64_t session_id, const std::string& reason) = 0;
  // Replaces the pinned speakers of `room` ("stream-<id>"): while a pinned member is speaking,
  // the SFU forwards them ahead of louder unpinned speakers (the louder pinned one first when
  // more are pinned than there are slots). Empty unpins everyone. Ids of users not in the room
  // are kept and apply when they join.
  virtual void SetPinned(const std::string& room, const std::vector<std::int64_t>& user_ids) = 0;
};

}  // namespace chorus::voice
