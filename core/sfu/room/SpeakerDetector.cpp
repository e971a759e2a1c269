#include "room/SpeakerDetector.hpp"

#include <algorithm>
#include <cmath>

namespace chorus::sfu {
namespace {

using Seconds = std::chrono::duration<double>;

constexpr std::chrono::milliseconds kFirstFrame{20};
constexpr double kMaxLoudness = 127.0;

// 1 - e^(-dt/tau): the share of the distance to the target covered in dt.
double Alpha(SpeakerDetector::Clock::duration dt, std::chrono::milliseconds tau) {
  if (tau.count() <= 0) return 1.0;
  return 1.0 - std::exp(-Seconds(dt).count() / Seconds(tau).count());
}

}  // namespace

SpeakerDetector::SpeakerDetector(const SpeakerDetectorOptions& options) : options_(options) {}

void SpeakerDetector::Advance(Clock::time_point now) {
  if (!has_packet_) return;
  // Decay only over the time no packet covers.
  const Clock::time_point decay_start = std::max(value_time_, last_packet_ + options_.packet_gap);
  if (now <= decay_start) return;
  const double before = value_;
  const double release_s = std::max(Seconds(options_.release).count(), 1e-9);
  value_ = before * std::exp(-Seconds(now - decay_start).count() / release_s);
  value_time_ = now;
  // The exact time the decay crossed the off threshold, so the off hold does not depend on how
  // often Tick() runs.
  if (before >= options_.off_loudness && value_ < options_.off_loudness && !below_off_since_ &&
      options_.off_loudness > 0) {
    const double crossing_s = release_s * std::log(before / options_.off_loudness);
    below_off_since_ =
        decay_start + std::chrono::duration_cast<Clock::duration>(Seconds(crossing_s));
  }
}

bool SpeakerDetector::UpdateSpeaking(Clock::time_point now) {
  const bool was = speaking_;
  if (value_ >= options_.on_loudness) {
    if (!above_on_since_) above_on_since_ = now;
  } else {
    above_on_since_.reset();
  }
  if (value_ < options_.off_loudness) {
    if (!below_off_since_) below_off_since_ = now;
  } else {
    below_off_since_.reset();
  }
  if (!speaking_ && above_on_since_ && now - *above_on_since_ >= options_.on_hold) {
    speaking_ = true;
  } else if (speaking_ && below_off_since_ && now - *below_off_since_ >= options_.off_hold) {
    speaking_ = false;
  }
  return speaking_ != was;
}

bool SpeakerDetector::OnLevel(std::uint8_t level_dbov, bool voice_activity, Clock::time_point now) {
  if (has_packet_ && now < value_time_) now = value_time_;  // time never runs backwards
  Advance(now);
  const std::uint8_t level = std::min(level_dbov, kSilenceDbov);
  const double target =
      (options_.require_vad && !voice_activity) ? 0.0 : kMaxLoudness - static_cast<double>(level);
  const Clock::duration dt =
      has_packet_ ? std::min<Clock::duration>(now - last_packet_, options_.packet_gap)
                  : Clock::duration(kFirstFrame);
  const auto tau = target > value_ ? options_.attack : options_.release;
  value_ += (target - value_) * Alpha(dt, tau);
  value_time_ = now;
  last_packet_ = now;
  has_packet_ = true;
  return UpdateSpeaking(now);
}

bool SpeakerDetector::Tick(Clock::time_point now) {
  Advance(now);
  return UpdateSpeaking(now);
}

}  // namespace chorus::sfu
