// Speaker detector on synthetic RFC 6464 level sequences, including DTX gaps.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "room/SpeakerDetector.hpp"

namespace chorus::sfu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kSpeech = 20;    // -20 dBov
constexpr std::uint8_t kSilence = 127;  // digital silence
constexpr auto kFrame = 20ms;

// Feeds one packet per 20 ms with `level` over [from, to); records every change of Speaking().
struct Feeder {
  SpeakerDetector detector;
  std::vector<std::pair<Clock::time_point, bool>> changes;

  explicit Feeder(const SpeakerDetectorOptions& options = {}) : detector(options) {}

  void Packets(std::uint8_t level, Clock::time_point from, Clock::time_point to, bool vad = true) {
    for (auto t = from; t < to; t += kFrame) {
      if (detector.OnLevel(level, vad, t)) changes.emplace_back(t, detector.Speaking());
    }
  }
  void Ticks(Clock::time_point from, Clock::time_point to, Clock::duration step) {
    for (auto t = from; t <= to; t += step) {
      if (detector.Tick(t)) changes.emplace_back(t, detector.Speaking());
    }
  }
};

const Clock::time_point t0{std::chrono::hours(1)};

TEST(SpeakerDetectorTest, SilenceNeverSpeaks) {
  Feeder f;
  f.Packets(kSilence, t0, t0 + 5s);
  EXPECT_FALSE(f.detector.Speaking());
  EXPECT_TRUE(f.changes.empty());
  EXPECT_LT(f.detector.Loudness(), 0.5);
}

TEST(SpeakerDetectorTest, SpeechStartsSpeakingAfterTheOnHold) {
  Feeder f;
  f.Packets(kSpeech, t0, t0 + 500ms);
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_TRUE(f.changes[0].second);
  const auto delay = f.changes[0].first - t0;
  EXPECT_GE(delay, SpeakerDetectorOptions::kDefaultOnHold);
  EXPECT_LE(delay, 120ms);
  EXPECT_NEAR(f.detector.Loudness(), 127 - kSpeech, 0.5);
}

TEST(SpeakerDetectorTest, SingleClickDoesNotCount) {
  Feeder f;
  f.Packets(kSilence, t0, t0 + 100ms);
  f.Packets(0, t0 + 100ms, t0 + 120ms);  // one 0 dBov packet
  f.Packets(kSilence, t0 + 120ms, t0 + 1s);
  EXPECT_TRUE(f.changes.empty());
}

TEST(SpeakerDetectorTest, StopsAfterTheOffHoldOfSilentPackets) {
  Feeder f;
  f.Packets(kSpeech, t0, t0 + 1s);
  ASSERT_TRUE(f.detector.Speaking());
  f.Packets(kSilence, t0 + 1s, t0 + 1500ms);
  EXPECT_TRUE(f.detector.Speaking());  // release + hold bridge pauses between words
  f.Packets(kSilence, t0 + 1500ms, t0 + 2s);
  EXPECT_FALSE(f.detector.Speaking());
  ASSERT_EQ(f.changes.size(), 2u);
  const auto stop_after = f.changes[1].first - (t0 + 1s);
  // Falls under the off threshold after ~140 ms of release, then the 500 ms hold.
  EXPECT_GE(stop_after, SpeakerDetectorOptions::kDefaultOffHold);
  EXPECT_LE(stop_after, 700ms);
}

TEST(SpeakerDetectorTest, DtxGapDecaysToSilenceWhenTicked) {
  Feeder f;
  f.Packets(kSpeech, t0, t0 + 1s);
  const auto last_packet = t0 + 1s - kFrame;
  // No packets at all (DTX): within the packet gap nothing decays.
  f.detector.Tick(last_packet + 50ms);
  EXPECT_NEAR(f.detector.Loudness(), 127 - kSpeech, 0.5);
  f.Ticks(last_packet + 60ms, last_packet + 3s, 10ms);
  EXPECT_FALSE(f.detector.Speaking());
  EXPECT_LT(f.detector.Loudness(), 0.5);
  ASSERT_EQ(f.changes.size(), 2u);
  const auto stop_after = f.changes[1].first - last_packet;
  // 60 ms gap + ~140 ms release to the off threshold + 500 ms hold.
  EXPECT_GE(stop_after, 690ms);
  EXPECT_LE(stop_after, 720ms);
}

TEST(SpeakerDetectorTest, StopTimeDoesNotDependOnTickRate) {
  std::optional<Clock::duration> stops[2];
  const Clock::duration steps[2] = {5ms, 250ms};
  for (int i = 0; i < 2; ++i) {
    SpeakerDetector detector;
    for (auto t = t0; t < t0 + 1s; t += kFrame) detector.OnLevel(kSpeech, true, t);
    for (auto t = t0 + 1s; t < t0 + 5s; t += steps[i]) {
      if (detector.Tick(t) && !detector.Speaking()) stops[i] = t - t0;
    }
    ASSERT_TRUE(stops[i]);
  }
  // The coarse ticker notices the stop at its first tick after the fine one did.
  EXPECT_GE(*stops[1], *stops[0]);
  EXPECT_LT(*stops[1] - *stops[0], steps[1]);
}

TEST(SpeakerDetectorTest, PausesBetweenWordsKeepSpeaking) {
  Feeder f;
  for (int word = 0; word < 5; ++word) {
    const auto start = t0 + word * 600ms;
    f.Packets(kSpeech, start, start + 300ms);
    f.Ticks(start + 300ms, start + 590ms, 10ms);  // DTX pause between words
  }
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_TRUE(f.detector.Speaking());
}

TEST(SpeakerDetectorTest, LoudnessRanksLouderSpeakersHigher) {
  SpeakerDetector loud;
  SpeakerDetector quiet;
  for (auto t = t0; t < t0 + 500ms; t += kFrame) {
    loud.OnLevel(10, true, t);
    quiet.OnLevel(40, true, t);
  }
  EXPECT_GT(loud.Loudness(), quiet.Loudness() + 25);
  // The loud one stops (DTX) and decays below the one still talking.
  for (auto t = t0 + 500ms; t < t0 + 1500ms; t += kFrame) {
    loud.Tick(t);
    quiet.OnLevel(40, true, t);
  }
  EXPECT_LT(loud.Loudness(), quiet.Loudness());
}

TEST(SpeakerDetectorTest, RequireVadTreatsUnvoicedPacketsAsSilence) {
  SpeakerDetectorOptions options;
  options.require_vad = true;
  Feeder strict(options);
  strict.Packets(kSpeech, t0, t0 + 1s, /*vad=*/false);
  EXPECT_FALSE(strict.detector.Speaking());
  Feeder lenient;
  lenient.Packets(kSpeech, t0, t0 + 1s, /*vad=*/false);
  EXPECT_TRUE(lenient.detector.Speaking());
}

TEST(SpeakerDetectorTest, ThresholdsAreConfigurable) {
  SpeakerDetectorOptions options;
  options.on_hold = 0ms;
  options.on_loudness = 127 - 30;  // only louder than -30 dBov counts
  options.off_loudness = 127 - 35;
  Feeder f(options);
  f.Packets(40, t0, t0 + 1s);  // -40 dBov: too quiet for these thresholds
  EXPECT_FALSE(f.detector.Speaking());
  f.Packets(10, t0 + 1s, t0 + 1040ms);
  EXPECT_TRUE(f.detector.Speaking());
}

TEST(SpeakerDetectorTest, OutOfOrderTimeIsClamped) {
  SpeakerDetector detector;
  for (auto t = t0; t < t0 + 500ms; t += kFrame) detector.OnLevel(kSpeech, true, t);
  detector.Tick(t0 + 2s);
  const double after_tick = detector.Loudness();
  detector.OnLevel(kSilence, true, t0 + 1s);  // older than the last tick: treated as "now"
  EXPECT_LE(detector.Loudness(), after_tick);
}

}  // namespace
}  // namespace chorus::sfu
