// Slot rewriting: continuity across speaker switches, wrap, duplicates, reordering.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>

#include "room/SlotRewriter.hpp"

namespace chorus::sfu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kFrameTicks = 960;
constexpr std::uint32_t kSpeakerA = 0xA;
constexpr std::uint32_t kSpeakerB = 0xB;

// Signed distance a → b modulo 2^32.
std::int32_t TsDelta(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(b - a);
}

TEST(SlotRewriterTest, FirstPacketStartsAtTheSlotsInitialValues) {
  SlotRewriter slot(500, 100'000);
  EXPECT_FALSE(slot.CurrentSource());
  const SlotRewrite r = slot.Rewrite(kSpeakerA, 7777, 123'456'789, Clock::time_point{});
  EXPECT_FALSE(r.drop);
  EXPECT_TRUE(r.marker);
  EXPECT_EQ(r.seq, 500);
  EXPECT_EQ(r.ts, 100'000u);
  EXPECT_EQ(slot.CurrentSource(), kSpeakerA);
}

TEST(SlotRewriterTest, KeepsTheSourcesDeltasWithinOneSpeaker) {
  SlotRewriter slot(0, 0);
  const Clock::time_point t0{};
  slot.Rewrite(kSpeakerA, 100, 10'000, t0);
  SlotRewrite r = slot.Rewrite(kSpeakerA, 101, 10'000 + kFrameTicks, t0 + 20ms);
  EXPECT_EQ(r.seq, 1);
  EXPECT_EQ(r.ts, kFrameTicks);
  EXPECT_FALSE(r.marker);
  // A gap of two lost packets and a DTX pause stays a gap for the subscriber.
  r = slot.Rewrite(kSpeakerA, 104, 10'000 + 20 * kFrameTicks, t0 + 400ms);
  EXPECT_EQ(r.seq, 4);
  EXPECT_EQ(r.ts, 20 * kFrameTicks);
  EXPECT_FALSE(r.marker);
}

TEST(SlotRewriterTest, SwitchContinuesSequenceAndJumpsTimestampByWallClock) {
  SlotRewriter slot(65'530, 4'294'960'000u);  // both counters wrap during the test
  const Clock::time_point t0{};
  for (std::uint16_t i = 0; i < 10; ++i) {
    slot.Rewrite(kSpeakerA, static_cast<std::uint16_t>(200 + i), 5000 + i * kFrameTicks,
                 t0 + i * 20ms);
  }
  const std::uint16_t last_seq = slot.LastSequence();
  const std::uint32_t last_ts = slot.LastTimestamp();
  EXPECT_EQ(last_seq, 3);  // 65530 + 9 wrapped
  // B takes over 250 ms after A's last packet, with unrelated numbering.
  const Clock::time_point switch_time = t0 + 9 * 20ms + 250ms;
  SlotRewrite r = slot.Rewrite(kSpeakerB, 40'000, 777, switch_time);
  EXPECT_FALSE(r.drop);
  EXPECT_TRUE(r.marker);
  EXPECT_EQ(r.seq, static_cast<std::uint16_t>(last_seq + 1));
  EXPECT_GE(TsDelta(last_ts, r.ts), 250 * 48);
  EXPECT_EQ(slot.CurrentSource(), kSpeakerB);
  const std::uint32_t switch_ts = r.ts;
  // B's next packets follow B's deltas.
  r = slot.Rewrite(kSpeakerB, 40'001, 777 + kFrameTicks, switch_time + 20ms);
  EXPECT_FALSE(r.marker);
  EXPECT_EQ(r.seq, static_cast<std::uint16_t>(last_seq + 2));
  EXPECT_EQ(r.ts, switch_ts + kFrameTicks);
}

TEST(SlotRewriterTest, SwitchInTheSameInstantStillAdvancesTimestamp) {
  SlotRewriter slot(0, 0);
  const Clock::time_point t0{};
  slot.Rewrite(kSpeakerA, 1, 1, t0);
  const SlotRewrite r = slot.Rewrite(kSpeakerB, 1, 1, t0);
  EXPECT_EQ(r.seq, 1);
  EXPECT_EQ(r.ts, SlotRewriter::kMinSwitchStepTicks);
}

TEST(SlotRewriterTest, SwitchingBackAfterSilenceJumpsForward) {
  SlotRewriter slot(0, 0);
  const Clock::time_point t0{};
  slot.Rewrite(kSpeakerA, 10, 1000, t0);
  slot.Rewrite(kSpeakerB, 50, 9000, t0 + 20ms);
  const std::uint32_t b_ts = slot.LastTimestamp();
  // A comes back 3 s later with its numbering continued: still a switch.
  const SlotRewrite r = slot.Rewrite(kSpeakerA, 160, 1000 + 150 * kFrameTicks, t0 + 3020ms);
  EXPECT_TRUE(r.marker);
  EXPECT_EQ(r.seq, 2);
  EXPECT_GE(TsDelta(b_ts, r.ts), 3 * 48'000);
}

TEST(SlotRewriterTest, SourceSequenceWrapIsSeamless) {
  SlotRewriter slot(1000, 0);
  const Clock::time_point t0{};
  std::uint16_t src = 65'533;
  for (int i = 0; i < 8; ++i, ++src) {
    const SlotRewrite r =
        slot.Rewrite(kSpeakerA, src, static_cast<std::uint32_t>(i) * kFrameTicks, t0 + i * 20ms);
    ASSERT_FALSE(r.drop);
    EXPECT_EQ(r.seq, 1000 + i);
    EXPECT_EQ(r.ts, static_cast<std::uint32_t>(i) * kFrameTicks);
  }
}

TEST(SlotRewriterTest, DropsDuplicatesAndStalePacketsForwardsLateOnes) {
  SlotRewriter slot(0, 0);
  const Clock::time_point t0{};
  slot.Rewrite(kSpeakerA, 10, 0, t0);
  slot.Rewrite(kSpeakerA, 12, 2 * kFrameTicks, t0 + 40ms);
  EXPECT_TRUE(slot.Rewrite(kSpeakerA, 12, 2 * kFrameTicks, t0 + 41ms).drop);  // duplicate
  SlotRewrite late = slot.Rewrite(kSpeakerA, 11, kFrameTicks, t0 + 45ms);     // reordered
  EXPECT_FALSE(late.drop);
  EXPECT_EQ(late.seq, 1);
  EXPECT_EQ(late.ts, kFrameTicks);
  EXPECT_TRUE(slot.Rewrite(kSpeakerA, 11, kFrameTicks, t0 + 46ms).drop);  // duplicate of late
  EXPECT_TRUE(slot.Rewrite(kSpeakerA, 9, 0, t0 + 47ms).drop);  // before this speaker's start
  EXPECT_EQ(slot.LastSequence(), 2);  // late packets do not move the slot's head

  // After a switch, a late packet of the new speaker from before the switch is dropped.
  slot.Rewrite(kSpeakerB, 500, 0, t0 + 100ms);
  EXPECT_TRUE(slot.Rewrite(kSpeakerB, 499, 0, t0 + 101ms).drop);
  // And a stray late packet of the previous speaker is a switch, not a drop: the room decides
  // whom to forward, the slot just stays continuous.
  const SlotRewrite back = slot.Rewrite(kSpeakerA, 13, 3 * kFrameTicks, t0 + 102ms);
  EXPECT_FALSE(back.drop);
  EXPECT_EQ(back.seq, 4);
}

TEST(SlotRewriterTest, LargeJumpResyncsOnlyWhenConfirmed) {
  SlotRewriter slot(0, 0);
  const Clock::time_point t0{};
  slot.Rewrite(kSpeakerA, 100, 0, t0);
  EXPECT_TRUE(slot.Rewrite(kSpeakerA, 30'000, 1, t0 + 20ms).drop);
  const SlotRewrite r = slot.Rewrite(kSpeakerA, 30'001, 2, t0 + 40ms);
  EXPECT_FALSE(r.drop);
  EXPECT_TRUE(r.marker);
  EXPECT_EQ(r.seq, 1);
  EXPECT_GE(r.ts, 40u * 48);
  // A stray far-behind packet is dropped and the stream goes on.
  EXPECT_TRUE(slot.Rewrite(kSpeakerA, 29'000, 0, t0 + 60ms).drop);
  EXPECT_EQ(slot.Rewrite(kSpeakerA, 30'002, 2 + kFrameTicks, t0 + 60ms).seq, 2);
}

TEST(SlotRewriterTest, RandomSwitchesKeepTheSlotContinuous) {
  std::mt19937 rng(1234);
  SlotRewriter slot(65'000, 4'294'900'000u);
  Clock::time_point now{};
  std::uint32_t sources[3] = {1, 2, 3};
  std::uint16_t src_seq[3] = {0, 30'000, 65'500};
  std::uint32_t src_ts[3] = {0, 1'000'000, 4'294'967'000u};
  int current = 0;
  std::uint16_t expected_seq = 65'000;
  std::uint32_t last_ts = 0;
  bool first = true;
  for (int i = 0; i < 5000; ++i) {
    if (rng() % 25 == 0) current = static_cast<int>(rng() % 3);
    now += std::chrono::milliseconds(20 + rng() % 5);
    const SlotRewrite r = slot.Rewrite(sources[current], src_seq[current], src_ts[current], now);
    ASSERT_FALSE(r.drop);
    ASSERT_EQ(r.seq, expected_seq) << "packet " << i;
    if (!first) {
      ASSERT_GT(TsDelta(last_ts, r.ts), 0) << "packet " << i;
    }
    first = false;
    expected_seq = static_cast<std::uint16_t>(r.seq + 1);
    last_ts = r.ts;
    ++src_seq[current];
    src_ts[current] += kFrameTicks;
    // The other sources keep talking (their numbering moves on while not forwarded).
    for (int s = 0; s < 3; ++s) {
      if (s == current) continue;
      ++src_seq[s];
      src_ts[s] += kFrameTicks;
    }
  }
}

}  // namespace
}  // namespace chorus::sfu
