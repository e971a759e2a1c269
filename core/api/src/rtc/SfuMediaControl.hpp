// The voice service's media hooks (voice::MediaControl) carried out by the in-process SFU.
// Thread affinity: thread-safe (Sfu posts to the room's worker; the registry locks).
#pragma once

#include "Sfu.hpp"
#include "rtc/LiveMediaRegistry.hpp"
#include "voice/MediaControl.hpp"

namespace chorus::rtc_api {

class SfuMediaControl : public voice::MediaControl {
 public:
  SfuMediaControl(sfu::Sfu& sfu, LiveMediaRegistry& live) : sfu_(sfu), live_(live) {}

  // Server mute/unmute: the SFU stops/resumes forwarding and tells the room.
  void SetMuted(const std::string& room, std::int64_t user_id, bool muted, bool by_host) override {
    sfu_.SetMuted(room, user_id, muted, by_host);
  }
  // Removes the participant; its /rtc socket gets the final message and closes.
  void EndMedia(const std::string& room, std::int64_t user_id, const std::string& reason,
                bool kicked) override {
    if (kicked) {
      sfu_.Kick(room, user_id, reason);
    } else {
      sfu_.Remove(room, user_id, sfu::RemovalReason::kClosed, reason);
    }
  }
  // Removes every participant of the room (or of every room).
  void EndRoomMedia(const std::string& room, const std::string& reason) override {
    sfu_.RemoveAll(room, sfu::RemovalReason::kClosed, reason);
  }
  // Pinned speakers: the SFU gives them a slot ahead of louder unpinned speakers.
  void SetPinned(const std::string& room, const std::vector<std::int64_t>& user_ids) override {
    sfu_.SetPinned(room, user_ids);
  }
  // Removes the session's participants. A connection still joining has no participant yet: it
  // re-checks its token after the SFU join and finds it revoked (RtcSession::HandleJoin).
  void EndSessionMedia(std::int64_t session_id, const std::string& reason) override {
    for (const auto& entry : live_.ForSession(session_id)) {
      if (entry.participant_id.empty()) continue;
      sfu_.Remove(entry.room, entry.user_id, sfu::RemovalReason::kClosed, reason,
                  entry.participant_id);
    }
  }

 private:
  sfu::Sfu& sfu_;
  LiveMediaRegistry& live_;
};

}  // namespace chorus::rtc_api
