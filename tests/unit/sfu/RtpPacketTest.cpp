// RTP packet view: captured-shape packets, header extensions, CSRC, padding, truncation, setters.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/RtpPacket.hpp"

namespace chorus::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Shape of a Chromium Opus packet: one-byte extensions with audio level (id 1), transport-cc
// (id 3) and mid (id 9), padded to 32 bits, then an Opus payload.
Bytes ChromiumOpusPacket() {
  return {
      0x90, 0x6F, 0x12, 0x34,       // V=2 X=1, PT 111, seq 0x1234
      0x00, 0x01, 0xE2, 0x40,       // ts 123456
      0xDE, 0xAD, 0xBE, 0xEF,       // ssrc
      0xBE, 0xDE, 0x00, 0x02,       // one-byte profile, 2 words
      0x10, 0x9E,                   // id 1, len 1: V=1 level 30
      0x31, 0x01, 0x02,             // id 3, len 2: transport-wide seq 0x0102
      0x90, 0x30,                   // id 9, len 1: mid "0"
      0x00,                         // padding
      0x78, 0x0B, 0xE4, 0xC1, 0x36  // Opus TOC + data
  };
}

TEST(RtpPacketTest, ParsesChromiumOneByteExtensions) {
  Bytes bytes = ChromiumOpusPacket();
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->Version(), 2);
  EXPECT_FALSE(packet->Marker());
  EXPECT_FALSE(packet->HasPadding());
  EXPECT_EQ(packet->PayloadType(), 111);
  EXPECT_EQ(packet->Sequence(), 0x1234);
  EXPECT_EQ(packet->Timestamp(), 123456u);
  EXPECT_EQ(packet->Ssrc(), 0xDEADBEEFu);
  EXPECT_EQ(packet->CsrcCount(), 0u);
  EXPECT_EQ(packet->ExtensionProfile(), RtpPacket::kOneByteProfile);
  EXPECT_EQ(packet->HeaderBytes(), 24u);
  ASSERT_EQ(packet->Payload().size(), 5u);
  EXPECT_EQ(packet->Payload()[0], 0x78);

  const auto level = packet->ReadAudioLevel(1);
  ASSERT_TRUE(level);
  EXPECT_EQ(level->level_dbov, 30);
  EXPECT_TRUE(level->voice_activity);
  const auto mid = packet->GetExtension(9);
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0], '0');
  const auto tcc = packet->GetExtension(3);
  ASSERT_EQ(tcc.size(), 2u);
  EXPECT_EQ(tcc[1], 0x02);
  EXPECT_TRUE(packet->GetExtension(2).empty());
  EXPECT_FALSE(packet->ReadAudioLevel(9 + 1));
  EXPECT_TRUE(packet->GetExtension(0).empty());
}

TEST(RtpPacketTest, ExtensionIdsAreWhateverWasNegotiated) {
  // Same elements under ids 5 (level, V=0) and 12 (mid "10").
  Bytes bytes = {0x90, 0x6F, 0x00, 0x01, 0,    0,    0,   0,   0,    0,    0,    1,   0xBE,
                 0xDE, 0x00, 0x02, 0x50, 0x7F, 0xC1, '1', '0', 0x00, 0x00, 0x00, 0xAA};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet->ReadAudioLevel(1));
  const auto level = packet->ReadAudioLevel(5);
  ASSERT_TRUE(level);
  EXPECT_EQ(level->level_dbov, 127);
  EXPECT_FALSE(level->voice_activity);
  const auto mid = packet->GetExtension(12);
  ASSERT_EQ(mid.size(), 2u);
  EXPECT_EQ(mid[0], '1');
  EXPECT_EQ(mid[1], '0');
}

TEST(RtpPacketTest, ParsesTwoByteExtensions) {
  // RFC 8285 §4.3: profile 0x1000 + appbits; element id 1 len 1, id 20 len 0, id 200 len 3.
  Bytes bytes = {0x90, 0x6F, 0x00, 0x01, 0,    0,    0,    0,
                 0,    0,    0,    1,    0x10, 0x05, 0x00, 0x03,  // appbits 5, 3 words
                 0x01, 0x01, 0x85, 0x14, 0x00, 0x00, 0xC8, 0x03,  // ..., padding, id 200
                 'a',  'b',  'c',  0x00, 0xAB};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->ExtensionProfile(), 0x1005);
  const auto level = packet->ReadAudioLevel(1);
  ASSERT_TRUE(level);
  EXPECT_EQ(level->level_dbov, 5);
  EXPECT_TRUE(level->voice_activity);
  EXPECT_TRUE(packet->GetExtension(20).empty());  // present but zero-length
  const auto element = packet->GetExtension(200);
  ASSERT_EQ(element.size(), 3u);
  EXPECT_EQ(element[2], 'c');
  ASSERT_EQ(packet->Payload().size(), 1u);
}

TEST(RtpPacketTest, UnknownExtensionProfileIsSkipped) {
  Bytes bytes = {0x90, 0x00, 0,    1,    0,    0,    0, 0, 0, 0,   0,
                 1,    0xAB, 0xCD, 0x00, 0x01, 0x10, 1, 2, 3, 0x55};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->GetExtension(1).empty());
  EXPECT_EQ(packet->ExtensionBlock().size(), 8u);
  ASSERT_EQ(packet->Payload().size(), 1u);
  EXPECT_EQ(packet->Payload()[0], 0x55);
}

TEST(RtpPacketTest, ReservedOneByteIdStopsParsing) {
  // RFC 8285 §4.2: id 15 ends the element list; the level after it is not read.
  Bytes bytes = {0x90, 0x6F, 0,    1,    0,    0,    0,    0,    0,    0,
                 0,    1,    0xBE, 0xDE, 0x00, 0x01, 0xF0, 0x10, 0x9E, 0x00};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet->ReadAudioLevel(1));
}

TEST(RtpPacketTest, ElementOverrunningTheBlockIsNotReturned) {
  // id 1 claims 4 bytes but only 3 remain in the block.
  Bytes bytes = {0x90, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x01, 0x13, 1, 2, 3};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->GetExtension(1).empty());
}

TEST(RtpPacketTest, ParsesCsrcList) {
  Bytes bytes = {0x82, 0xEF, 0xFF, 0xFF, 0,    0,    0x03, 0xC0, 0,    0,    0,
                 9,    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0xAA, 0xBB};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->Marker());
  EXPECT_EQ(packet->PayloadType(), 111);
  ASSERT_EQ(packet->CsrcCount(), 2u);
  EXPECT_EQ(packet->Csrc(0), 0x11111111u);
  EXPECT_EQ(packet->Csrc(1), 0x22222222u);
  EXPECT_EQ(packet->Csrc(2), 0u);
  EXPECT_EQ(packet->Payload().size(), 2u);
}

TEST(RtpPacketTest, StripsPadding) {
  Bytes bytes = {0xA0, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x02, 0x00, 0x00, 0x03};
  const auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->HasPadding());
  EXPECT_EQ(packet->PaddingBytes(), 3u);
  ASSERT_EQ(packet->Payload().size(), 2u);
  EXPECT_EQ(packet->Payload()[1], 0x02);

  Bytes zero_padding = bytes;
  zero_padding.back() = 0;
  EXPECT_FALSE(RtpPacket::Parse(zero_padding));
  Bytes too_much = bytes;
  too_much.back() = 6;
  EXPECT_FALSE(RtpPacket::Parse(too_much));
  Bytes all_padding = bytes;
  all_padding.back() = 5;  // the whole payload area is padding: legal, empty payload
  const auto empty = RtpPacket::Parse(all_padding);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->Payload().empty());
}

TEST(RtpPacketTest, RejectsEveryTruncationOfTheHeader) {
  const Bytes full = ChromiumOpusPacket();
  for (std::size_t size = 0; size < 24; ++size) {
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_FALSE(RtpPacket::Parse(prefix)) << "size " << size;
  }
  for (std::size_t size = 24; size <= full.size(); ++size) {
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    const auto packet = RtpPacket::Parse(prefix);
    ASSERT_TRUE(packet) << "size " << size;
    EXPECT_EQ(packet->Payload().size(), size - 24);
  }
  Bytes csrc_truncated = {0x83, 0x6F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_FALSE(RtpPacket::Parse(csrc_truncated));
  Bytes bad_version = full;
  bad_version[0] = 0x50;
  EXPECT_FALSE(RtpPacket::Parse(bad_version));
}

TEST(RtpPacketTest, DemultiplexesRtpFromRtcp) {
  const Bytes rtp = ChromiumOpusPacket();
  EXPECT_TRUE(RtpPacket::IsRtp(rtp));
  EXPECT_FALSE(RtpPacket::IsRtcp(rtp));
  const Bytes sr = {0x80, 200, 0x00, 0x06, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0,
                    0,    0,   0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(RtpPacket::IsRtcp(sr));
  EXPECT_FALSE(RtpPacket::IsRtp(sr));
  const Bytes rr = {0x80, 201, 0x00, 0x01, 1, 2, 3, 4};
  EXPECT_TRUE(RtpPacket::IsRtcp(rr));
  const Bytes stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacket::IsRtp(stun));
  EXPECT_FALSE(RtpPacket::IsRtcp(stun));
  const Bytes dtls = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacket::IsRtp(dtls));
  EXPECT_FALSE(RtpPacket::IsRtcp(dtls));
  // Marker set with PT 96 gives second byte 224, outside RTCP 192..223 (RFC 5761 §4).
  Bytes pt_96 = rtp;
  pt_96[1] = 0x80 | 96;
  EXPECT_TRUE(RtpPacket::IsRtp(pt_96));
  EXPECT_FALSE(RtpPacket::IsRtp(std::span<const std::uint8_t>(rtp).first(11)));
}

TEST(RtpPacketTest, SettersRewriteInPlace) {
  Bytes bytes = ChromiumOpusPacket();
  auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet);
  packet->SetSsrc(0x01020304);
  packet->SetSequence(0xFFFE);
  packet->SetTimestamp(0xCAFEBABE);
  packet->SetMarker(true);
  packet->SetPayloadType(100);
  EXPECT_EQ(bytes[1], 0x80 | 100);
  packet->SetPayloadType(111);
  EXPECT_TRUE(packet->Marker());  // kept across a payload type change
  const auto reparsed = RtpPacket::Parse(bytes);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->Ssrc(), 0x01020304u);
  EXPECT_EQ(reparsed->Sequence(), 0xFFFE);
  EXPECT_EQ(reparsed->Timestamp(), 0xCAFEBABEu);
  EXPECT_TRUE(reparsed->Marker());
  EXPECT_EQ(reparsed->PayloadType(), 111);
  packet->SetMarker(false);
  EXPECT_EQ(bytes[1], 111);
  EXPECT_EQ(reparsed->ReadAudioLevel(1)->level_dbov, 30);  // extensions untouched
}

}  // namespace
}  // namespace chorus::rtc
