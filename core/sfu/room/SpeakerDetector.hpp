// Active-speaker detection for one participant from RFC 6464 audio levels.
// The level (0 = loudest, 127 = silence, in -dBov) becomes a loudness 127 - level (higher =
// louder), smoothed with a fast attack and a slow release (time constants, so the result does not
// depend on the packet rate). `Speaking()` has hysteresis in level (on/off thresholds) and in time
// (hold periods). With DTX a silent sender stops sending: once no packet came for `packet_gap`,
// the loudness decays towards silence, computed for whatever `now` Tick() is given.
// Thread affinity: the media worker owning the room. No allocation.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace chorus::sfu {

struct SpeakerDetectorOptions {
  using Ms = std::chrono::milliseconds;
  static constexpr Ms kDefaultAttack{20};
  static constexpr Ms kDefaultRelease{300};
  static constexpr double kDefaultOnLoudness = 127 - 50;   // louder than -50 dBov
  static constexpr double kDefaultOffLoudness = 127 - 60;  // quieter than -60 dBov
  static constexpr Ms kDefaultOnHold{60};
  static constexpr Ms kDefaultOffHold{500};
  static constexpr Ms kDefaultPacketGap{60};  // three 20 ms frames

  Ms attack = kDefaultAttack;                 // time constant while the level rises
  Ms release = kDefaultRelease;               // time constant while it falls, and for DTX decay
  double on_loudness = kDefaultOnLoudness;    // smoothed loudness that starts speech
  double off_loudness = kDefaultOffLoudness;  // smoothed loudness under which speech ends
  Ms on_hold = kDefaultOnHold;                // loudness >= on_loudness this long → speaking
  Ms off_hold = kDefaultOffHold;              // loudness < off_loudness this long → not speaking
  Ms packet_gap = kDefaultPacketGap;          // no packet for longer than this counts as silence
  bool require_vad = false;                   // treat packets whose V bit is clear as silence
};

class SpeakerDetector {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::uint8_t kSilenceDbov = 127;

  explicit SpeakerDetector(const SpeakerDetectorOptions& options = {});

  // Feeds the audio level of one packet received at `now`. Returns true when Speaking() changed.
  bool OnLevel(std::uint8_t level_dbov, bool voice_activity, Clock::time_point now);

  // Advances time without a packet (DTX, muted, gone). Returns true when Speaking() changed.
  bool Tick(Clock::time_point now);

  // Smoothed loudness as of the last OnLevel/Tick: 0 (silence) .. 127 (0 dBov).
  double Loudness() const { return value_; }
  bool Speaking() const { return speaking_; }

 private:
  void Advance(Clock::time_point now);
  bool UpdateSpeaking(Clock::time_point now);

  SpeakerDetectorOptions options_;
  double value_ = 0.0;
  Clock::time_point value_time_{};
  Clock::time_point last_packet_{};
  bool has_packet_ = false;
  bool speaking_ = false;
  std::optional<Clock::time_point> above_on_since_;
  std::optional<Clock::time_point> below_off_since_;
};

}  // namespace chorus::sfu
