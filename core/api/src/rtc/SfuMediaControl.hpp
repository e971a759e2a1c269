// The voice service's moderation hooks (voice::MediaControl) carried out by the in-process SFU.
// Thread affinity: thread-safe (Sfu posts to the room's worker).
#pragma once

#include "Sfu.hpp"
#include "voice/MediaControl.hpp"

namespace chorus::rtc_api {

class SfuMediaControl : public voice::MediaControl {
 public:
  explicit SfuMediaControl(sfu::Sfu& sfu) : sfu_(sfu) {}

  // Server mute/unmute: the SFU stops/resumes forwarding and tells the room.
  void SetMuted(const std::string& room, std::int64_t user_id, bool muted, bool by_host) override {
    sfu_.SetMuted(room, user_id, muted, by_host);
  }
  // Removes the participant; its /rtc socket gets {"type":"kicked","reason":...} and closes.
  void Kick(const std::string& room, std::int64_t user_id, const std::string& reason) override {
    sfu_.Kick(room, user_id, reason);
  }

 private:
  sfu::Sfu& sfu_;
};

}  // namespace chorus::rtc_api
