// RTCP writers: RR, SR and SDES round trips through the parser, as one compound packet.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "rtc/RtcpBye.hpp"
#include "rtc/RtcpCompound.hpp"
#include "rtc/RtcpReport.hpp"
#include "rtc/RtcpSdes.hpp"
#include "rtc/RtcpTime.hpp"
#include "rtc/RtcpWriter.hpp"
#include "rtc/RtpPacket.hpp"

namespace chorus::rtc {
namespace {

ReportBlock MakeBlock(std::uint32_t ssrc, std::int32_t lost) {
  return ReportBlock{ssrc, 12, lost, 0x0002FFFF, 480, 0x12345678, 0x00010000};
}

TEST(RtcpWriterTest, ReceiverReportRoundTrips) {
  const std::array<ReportBlock, 2> blocks = {MakeBlock(7, 3), MakeBlock(8, -5)};
  std::array<std::uint8_t, 128> out{};
  const std::size_t size = WriteReceiverReport(0xAABBCCDD, blocks, out);
  ASSERT_EQ(size, 8u + 2 * 24);
  const auto bytes = std::span<const std::uint8_t>(out).first(size);
  EXPECT_TRUE(RtpPacket::IsRtcp(bytes));
  RtcpCompound compound(bytes);
  const auto packet = compound.Next();
  ASSERT_TRUE(packet);
  const auto rr = RtcpReport::Parse(*packet);
  ASSERT_TRUE(rr);
  EXPECT_FALSE(rr->IsSenderReport());
  EXPECT_EQ(rr->SenderSsrc(), 0xAABBCCDDu);
  ASSERT_EQ(rr->ReportCount(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const ReportBlock got = rr->GetReportBlock(i);
    EXPECT_EQ(got.ssrc, blocks[i].ssrc);
    EXPECT_EQ(got.fraction_lost, blocks[i].fraction_lost);
    EXPECT_EQ(got.cumulative_lost, blocks[i].cumulative_lost);
    EXPECT_EQ(got.ext_highest_seq, blocks[i].ext_highest_seq);
    EXPECT_EQ(got.jitter, blocks[i].jitter);
    EXPECT_EQ(got.lsr, blocks[i].lsr);
    EXPECT_EQ(got.dlsr, blocks[i].dlsr);
  }
  EXPECT_FALSE(compound.Next());
  EXPECT_FALSE(compound.Malformed());
}

TEST(RtcpWriterTest, CumulativeLossIsClampedTo24Bits) {
  const std::array<ReportBlock, 2> blocks = {MakeBlock(1, 0x7FFFFFFF), MakeBlock(2, -0x7FFFFFFF)};
  std::array<std::uint8_t, 64> out{};
  const std::size_t size = WriteReceiverReport(1, blocks, out);
  RtcpCompound compound{std::span(out).first(size)};
  const auto rr = RtcpReport::Parse(*compound.Next());
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->GetReportBlock(0).cumulative_lost, 0x7FFFFF);
  EXPECT_EQ(rr->GetReportBlock(1).cumulative_lost, -0x800000);
}

TEST(RtcpWriterTest, CompoundSenderReportWithSdesAndBye) {
  using namespace std::chrono;
  const system_clock::time_point now{seconds(1'700'000'000) + milliseconds(250)};
  const std::array<ReportBlock, 1> blocks = {MakeBlock(9, 0)};
  std::array<std::uint8_t, 256> out{};
  std::size_t size = WriteSenderReport(0x5107, now, 960'000, 1000, 80'000, blocks, out);
  ASSERT_EQ(size, 28u + 24);
  const std::string cname = "chorus-slot-3";
  const std::size_t sdes_size = WriteSdesCname(0x5107, cname, std::span(out).subspan(size));
  ASSERT_GT(sdes_size, 0u);
  EXPECT_EQ(sdes_size % 4, 0u);
  size += sdes_size;
  const std::size_t bye_size = WriteBye(0x5107, std::span(out).subspan(size));
  ASSERT_EQ(bye_size, 8u);
  size += bye_size;
  const auto bytes = std::span<const std::uint8_t>(out).first(size);
  ASSERT_TRUE(RtcpCompound::Validate(bytes));

  RtcpCompound compound(bytes);
  const auto sr = RtcpReport::Parse(*compound.Next());
  ASSERT_TRUE(sr);
  ASSERT_TRUE(sr->IsSenderReport());
  const auto info = *sr->GetSenderInfo();
  EXPECT_EQ(info.ntp_timestamp >> 32, 1'700'000'000ull + 2'208'988'800ull);
  EXPECT_EQ(info.ntp_timestamp & 0xFFFFFFFFull, 0x40000000ull);
  EXPECT_EQ(info.rtp_timestamp, 960'000u);
  EXPECT_EQ(info.packet_count, 1000u);
  EXPECT_EQ(info.octet_count, 80'000u);
  ASSERT_EQ(sr->ReportCount(), 1u);
  EXPECT_EQ(sr->GetReportBlock(0).ssrc, 9u);
  const auto sdes = RtcpSdes::Parse(*compound.Next());
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->FindCname(0x5107), cname);
  const auto bye = RtcpBye::Parse(*compound.Next());
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->Ssrc(0), 0x5107u);
  EXPECT_TRUE(bye->Reason().empty());
}

TEST(RtcpWriterTest, SdesCnameOfEveryLengthStaysAligned) {
  std::array<std::uint8_t, 300> out{};
  for (std::size_t length = 0; length <= 255; ++length) {
    const std::string cname(length, 'x');
    const std::size_t size = WriteSdesCname(42, cname, out);
    ASSERT_GT(size, 0u) << length;
    ASSERT_EQ(size % 4, 0u);
    RtcpCompound compound{std::span(out).first(size)};
    const auto packet = compound.Next();
    ASSERT_TRUE(packet);
    const auto sdes = RtcpSdes::Parse(*packet);
    ASSERT_TRUE(sdes) << length;
    EXPECT_EQ(sdes->FindCname(42)->size(), length);
  }
  EXPECT_EQ(WriteSdesCname(42, std::string(256, 'x'), out), 0u);
}

TEST(RtcpWriterTest, RefusesSmallBuffersAndTooManyBlocks) {
  const std::array<ReportBlock, 1> one = {MakeBlock(1, 0)};
  std::array<std::uint8_t, 31> small{};
  EXPECT_EQ(WriteReceiverReport(1, one, small), 0u);
  EXPECT_EQ(WriteSenderReport(1, SenderInfo{}, {}, std::span(small).first(27)), 0u);
  EXPECT_EQ(WriteSdesCname(1, "abcdefgh", std::span(small).first(19)), 0u);
  EXPECT_EQ(WriteBye(1, std::span(small).first(7)), 0u);
  std::array<ReportBlock, 32> many{};
  std::array<std::uint8_t, 1024> big{};
  EXPECT_EQ(WriteReceiverReport(1, many, big), 0u);
  EXPECT_EQ(WriteReceiverReport(1, std::span(many).first(31), big), 8u + 31 * 24);
}

}  // namespace
}  // namespace chorus::rtc
