// Receive statistics (RFC 3550 A.1/A.3/A.8): loss, fraction lost per interval, wrap, jitter.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "rtc/RtcpTime.hpp"
#include "rtc/RtpReceiveStats.hpp"

namespace chorus::rtc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kFrameTicks = 960;  // 20 ms at 48 kHz

TEST(RtpReceiveStatsTest, CleanStreamHasNoLossNoJitter) {
  RtpReceiveStats stats(0x1234);
  const Clock::time_point t0{};
  for (std::uint16_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(stats.OnPacket(static_cast<std::uint16_t>(1000 + i), 5000 + i * kFrameTicks,
                               t0 + i * 20ms, 100));
  }
  EXPECT_EQ(stats.PacketsReceived(), 100u);
  EXPECT_EQ(stats.BytesReceived(), 10'000u);
  EXPECT_EQ(stats.Expected(), 100);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.Jitter(), 0u);
  const ReportBlock block = stats.MakeReportBlock(t0 + 2s);
  EXPECT_EQ(block.ssrc, 0x1234u);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.ext_highest_seq, 1099u);
  EXPECT_EQ(block.lsr, 0u);
  EXPECT_EQ(block.dlsr, 0u);
}

TEST(RtpReceiveStatsTest, CountsLossAndFractionPerInterval) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  // First interval: 100 packets expected, 5 missing (every 20th).
  for (std::uint16_t i = 0; i < 100; ++i) {
    if (i % 20 == 7) continue;
    stats.OnPacket(i, i * kFrameTicks, t0 + i * 20ms, 80);
  }
  ReportBlock block = stats.MakeReportBlock(t0 + 2s);
  EXPECT_EQ(block.cumulative_lost, 5);
  EXPECT_EQ(block.fraction_lost, 5 * 256 / 100);
  // Second interval: 50 more, none lost: fraction resets, cumulative stays.
  for (std::uint16_t i = 100; i < 150; ++i) stats.OnPacket(i, i * kFrameTicks, t0 + i * 20ms, 80);
  block = stats.MakeReportBlock(t0 + 3s);
  EXPECT_EQ(block.cumulative_lost, 5);
  EXPECT_EQ(block.fraction_lost, 0);
  // Third interval: everything lost but the last packet.
  stats.OnPacket(199, 199 * kFrameTicks, t0 + 4s, 80);
  block = stats.MakeReportBlock(t0 + 4s);
  EXPECT_EQ(block.cumulative_lost, 5 + 49);
  EXPECT_EQ(block.fraction_lost, 49 * 256 / 50);
}

TEST(RtpReceiveStatsTest, ExtendsSequenceAcrossWrap) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  std::uint16_t seq = 65530;
  for (int i = 0; i < 20; ++i, ++seq) {
    stats.OnPacket(seq, static_cast<std::uint32_t>(i) * kFrameTicks, t0 + i * 20ms, 80);
  }
  EXPECT_EQ(stats.ExtendedHighestSeq(), 65536u + 13);
  EXPECT_EQ(stats.Expected(), 20);
  EXPECT_EQ(stats.CumulativeLost(), 0);
}

TEST(RtpReceiveStatsTest, ReorderedAndDuplicatePackets) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  for (std::uint16_t seq : {10, 11, 13, 12, 14, 14}) {
    EXPECT_TRUE(stats.OnPacket(seq, seq * kFrameTicks, t0 + seq * 20ms, 80));
  }
  EXPECT_EQ(stats.ExtendedHighestSeq(), 14u);
  EXPECT_EQ(stats.Expected(), 5);
  EXPECT_EQ(stats.CumulativeLost(), -1);  // a duplicate counts as received (RFC 3550 §6.4.1)
}

TEST(RtpReceiveStatsTest, LargeJumpNeedsConfirmation) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  for (std::uint16_t seq = 0; seq < 10; ++seq) stats.OnPacket(seq, 0, t0, 80);
  EXPECT_FALSE(stats.OnPacket(20'000, 0, t0, 80));
  EXPECT_EQ(stats.ExtendedHighestSeq(), 9u);
  EXPECT_TRUE(stats.OnPacket(20'001, 0, t0, 80));  // consecutive: the source restarted
  EXPECT_EQ(stats.ExtendedHighestSeq(), 20'001u);
  EXPECT_EQ(stats.CumulativeLost(), 0);
}

TEST(RtpReceiveStatsTest, JitterTracksArrivalVariation) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  // Every other packet arrives 5 ms late: |D| = 240 ticks each time, so J converges to 240.
  for (std::uint16_t i = 0; i < 400; ++i) {
    const auto arrival = t0 + i * 20ms + (i % 2 == 1 ? 5ms : 0ms);
    stats.OnPacket(i, i * kFrameTicks, arrival, 80);
  }
  EXPECT_GE(stats.Jitter(), 235u);
  EXPECT_LE(stats.Jitter(), 240u);
}

TEST(RtpReceiveStatsTest, ReportsLsrAndDlsr) {
  RtpReceiveStats stats(1);
  const Clock::time_point t0{};
  stats.OnPacket(1, 0, t0, 80);
  stats.OnSenderReport(0x0000ABCD12345678ull, t0 + 1s);
  const ReportBlock block = stats.MakeReportBlock(t0 + 2500ms);
  EXPECT_EQ(block.lsr, 0xABCD1234u);
  EXPECT_EQ(block.dlsr, 0x00018000u);  // 1.5 s in 1/65536 s
  // The sender computes its RTT from our block: arrival 0.1 s after we sent it.
  const std::uint32_t arrival = block.lsr + block.dlsr + 0x1999;  // ~0.1 s later
  EXPECT_NEAR(static_cast<double>(RoundTripTime(arrival, block.lsr, block.dlsr)->count()), 100'000,
              100);
}

}  // namespace
}  // namespace chorus::rtc
