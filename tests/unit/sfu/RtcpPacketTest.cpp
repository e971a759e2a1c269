// RTCP parsing: compound SR+SDES, RR, BYE, feedback skipped, malformed input; RTT and NTP time.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "rtc/RtcpBye.hpp"
#include "rtc/RtcpCompound.hpp"
#include "rtc/RtcpReport.hpp"
#include "rtc/RtcpSdes.hpp"
#include "rtc/RtcpTime.hpp"

namespace chorus::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

void Append(Bytes& to, const Bytes& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Shape of Chromium's periodic compound packet for an audio sender: SR without report blocks,
// then SDES with a 16-character CNAME.
Bytes ChromiumSrSdes() {
  Bytes sr = {0x80, 0xC8, 0x00, 0x06,                          // SR, 0 blocks, 7 words
              0x11, 0x22, 0x33, 0x44,                          // sender SSRC
              0xE9, 0x3C, 0x22, 0x10, 0x80, 0x00, 0x00, 0x00,  // NTP
              0x00, 0x00, 0xBB, 0x80,                          // RTP ts 48000
              0x00, 0x00, 0x00, 0x32,                          // 50 packets
              0x00, 0x00, 0x0F, 0xA0};                         // 4000 octets
  Bytes sdes = {0x81, 0xCA, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x01, 0x10};
  const std::string cname = "Ab3dEf7hIj+lMn/p";
  sdes.insert(sdes.end(), cname.begin(), cname.end());
  Append(sdes, {0x00, 0x00});  // null item + padding to 32 bits
  Append(sr, sdes);
  return sr;
}

TEST(RtcpPacketTest, ParsesCompoundSenderReportAndSdes) {
  const Bytes bytes = ChromiumSrSdes();
  ASSERT_EQ(bytes.size(), 56u);
  EXPECT_TRUE(RtcpCompound::Validate(bytes));
  RtcpCompound compound(bytes);

  const auto first = compound.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, static_cast<std::uint8_t>(RtcpType::kSenderReport));
  const auto sr = RtcpReport::Parse(*first);
  ASSERT_TRUE(sr);
  EXPECT_TRUE(sr->IsSenderReport());
  EXPECT_EQ(sr->SenderSsrc(), 0x11223344u);
  EXPECT_EQ(sr->ReportCount(), 0u);
  const auto info = sr->GetSenderInfo();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->ntp_timestamp, 0xE93C221080000000ull);
  EXPECT_EQ(info->rtp_timestamp, 48000u);
  EXPECT_EQ(info->packet_count, 50u);
  EXPECT_EQ(info->octet_count, 4000u);

  const auto second = compound.Next();
  ASSERT_TRUE(second);
  EXPECT_FALSE(RtcpReport::Parse(*second));
  const auto sdes = RtcpSdes::Parse(*second);
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->ChunkCount(), 1u);
  EXPECT_EQ(sdes->FindCname(0x11223344), "Ab3dEf7hIj+lMn/p");
  EXPECT_FALSE(sdes->FindCname(1));
  int items = 0;
  sdes->ForEachItem([&](const SdesItem& item) {
    ++items;
    EXPECT_EQ(item.type, RtcpSdes::kCname);
  });
  EXPECT_EQ(items, 1);

  EXPECT_FALSE(compound.Next());
  EXPECT_FALSE(compound.Malformed());
}

TEST(RtcpPacketTest, ParsesReceiverReportBlocks) {
  const Bytes bytes = {0x81, 0xC9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,  // RR from SSRC 1
                       0x0A, 0x0B, 0x0C, 0x0D,                          // source
                       0x40, 0xFF, 0xFF, 0xFE,                          // 25 %, cumulative -2
                       0x00, 0x01, 0x00, 0x05,                          // ext highest seq
                       0x00, 0x00, 0x00, 0x78,                          // jitter 120
                       0xB7, 0x05, 0x20, 0x00,                          // LSR
                       0x00, 0x05, 0x40, 0x00};                         // DLSR
  RtcpCompound compound(bytes);
  const auto packet = compound.Next();
  ASSERT_TRUE(packet);
  const auto rr = RtcpReport::Parse(*packet);
  ASSERT_TRUE(rr);
  EXPECT_FALSE(rr->IsSenderReport());
  EXPECT_FALSE(rr->GetSenderInfo());
  EXPECT_EQ(rr->SenderSsrc(), 1u);
  ASSERT_EQ(rr->ReportCount(), 1u);
  const ReportBlock block = rr->GetReportBlock(0);
  EXPECT_EQ(block.ssrc, 0x0A0B0C0Du);
  EXPECT_EQ(block.fraction_lost, 0x40);
  EXPECT_EQ(block.cumulative_lost, -2);
  EXPECT_EQ(block.ext_highest_seq, 0x00010005u);
  EXPECT_EQ(block.jitter, 120u);
  EXPECT_EQ(block.lsr, 0xB7052000u);
  EXPECT_EQ(block.dlsr, 0x00054000u);
}

TEST(RtcpPacketTest, ReportCountBeyondLengthIsRefused) {
  // RC says 2 blocks, the packet holds one.
  Bytes bytes(32, 0);
  bytes[0] = 0x82;
  bytes[1] = 0xC9;
  bytes[3] = 0x07;
  RtcpCompound compound(bytes);
  const auto packet = compound.Next();
  ASSERT_TRUE(packet);
  EXPECT_FALSE(RtcpReport::Parse(*packet));
}

TEST(RtcpPacketTest, SkipsFeedbackAndParsesBye) {
  Bytes bytes = {0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 1};  // empty RR (RFC 5506 still fine)
  Append(bytes,
         {0x8F, 0xCD, 0x00, 0x04, 0,    0,    0,    1,   0, 0, 0, 2,  // transport-cc (FMT 15)
          0x00, 0x05, 0x00, 0x02, 0x01, 0x02, 0x03, 0x00});
  Append(bytes, {0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2});  // PLI
  Append(bytes, {0x81, 0xCB, 0x00, 0x02, 0xCA, 0xFE, 0x00, 0x01,    // BYE with reason "bye"
                 0x03, 'b', 'y', 'e'});
  EXPECT_TRUE(RtcpCompound::Validate(bytes));
  RtcpCompound compound(bytes);
  std::vector<std::uint8_t> types;
  std::optional<RtcpBye> bye;
  while (const auto packet = compound.Next()) {
    types.push_back(packet->type);
    if (const auto parsed = RtcpBye::Parse(*packet)) bye = parsed;
  }
  EXPECT_FALSE(compound.Malformed());
  EXPECT_EQ(types, (std::vector<std::uint8_t>{201, 205, 206, 203}));
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->SsrcCount(), 1u);
  EXPECT_EQ(bye->Ssrc(0), 0xCAFE0001u);
  EXPECT_EQ(bye->Reason(), "bye");
}

TEST(RtcpPacketTest, StopsAtMalformedPackets) {
  Bytes overrun = ChromiumSrSdes();
  overrun[31] = 0x07;  // SDES claims one word more than there is
  RtcpCompound compound(overrun);
  EXPECT_TRUE(compound.Next());
  EXPECT_FALSE(compound.Next());
  EXPECT_TRUE(compound.Malformed());
  EXPECT_FALSE(RtcpCompound::Validate(overrun));

  Bytes bad_version = ChromiumSrSdes();
  bad_version[0] = 0x40;
  EXPECT_FALSE(RtcpCompound::Validate(bad_version));
  EXPECT_FALSE(RtcpCompound::Validate({}));

  // Padding bit with a padding count larger than the body.
  Bytes bad_padding = {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9};
  EXPECT_FALSE(RtcpCompound::Validate(bad_padding));
  bad_padding[7] = 4;  // padding 4 of a 4-byte body: legal
  EXPECT_TRUE(RtcpCompound::Validate(bad_padding));

  // Every truncation of a valid compound either parses as a shorter compound or is refused.
  const Bytes full = ChromiumSrSdes();
  for (std::size_t size = 1; size < full.size(); ++size) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_EQ(RtcpCompound::Validate(prefix), size == 28) << "size " << size;
  }
}

TEST(RtcpPacketTest, RefusesSdesItemsPastTheEnd) {
  Bytes sdes = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
  RtcpCompound compound(sdes);
  const auto packet = compound.Next();
  ASSERT_TRUE(packet);
  EXPECT_FALSE(RtcpSdes::Parse(*packet));
  Bytes bye = {0x82, 0xCB, 0x00, 0x01, 0, 0, 0, 1};  // two SSRCs announced, one present
  RtcpCompound bye_compound(bye);
  EXPECT_FALSE(RtcpBye::Parse(*bye_compound.Next()));
}

TEST(RtcpTimeTest, ComputesRoundTripTimeAsInRfc3550) {
  // RFC 3550 §6.4.1 example: A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000 → 6.125 s.
  const auto rtt = RoundTripTime(0xB7108000, 0xB7052000, 0x00054000);
  ASSERT_TRUE(rtt);
  EXPECT_EQ(rtt->count(), 6'125'000);
  EXPECT_FALSE(RoundTripTime(0xB7108000, 0, 0));
  EXPECT_EQ(RoundTripTime(0x00010000, 0x00010000, 0x00000100)->count(), 0);  // skew clamps
  // Across the 32-bit wrap of the compact NTP clock.
  EXPECT_EQ(RoundTripTime(0x00000800, 0xFFFFF800, 0)->count(), 4096LL * 1'000'000 / 65536);
}

TEST(RtcpTimeTest, ConvertsWallClockToNtp) {
  using namespace std::chrono;
  const system_clock::time_point unix_epoch{};
  EXPECT_EQ(ToNtpTime(unix_epoch), 2'208'988'800ull << 32);
  const auto half = ToNtpTime(unix_epoch + milliseconds(1500));
  EXPECT_EQ(half >> 32, 2'208'988'801ull);
  EXPECT_EQ(half & 0xFFFFFFFFull, 0x80000000ull);
  EXPECT_EQ(CompactNtp(0x1234567890ABCDEFull), 0x567890ABu);
  EXPECT_EQ(ToCompactNtpDuration(milliseconds(1500)), 0x00018000u);
  EXPECT_EQ(ToCompactNtpDuration(-milliseconds(1)), 0u);
}

}  // namespace
}  // namespace chorus::rtc
