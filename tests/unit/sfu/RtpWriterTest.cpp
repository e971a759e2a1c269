// RTP writer: round trips through the parser, and the forwarding copy with one CSRC.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/RtpPacket.hpp"
#include "rtc/RtpWriter.hpp"

namespace chorus::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(RtpWriterTest, RoundTripsOneByteExtensionsAndCsrcs) {
  const std::array<std::uint8_t, 1> level = {0x80 | 42};
  const std::array<std::uint8_t, 2> mid = {'1', '2'};
  const std::array<RtpExtensionElement, 2> extensions = {RtpExtensionElement{1, level},
                                                         RtpExtensionElement{9, mid}};
  const std::array<std::uint32_t, 2> csrcs = {0xAAAA0001, 0xBBBB0002};
  const std::array<std::uint8_t, 3> payload = {7, 8, 9};
  std::array<std::uint8_t, 128> out{};
  const RtpHeaderFields header{111, true, 65535, 0xFFFFFF00, 0x12345678};
  const std::size_t size = WriteRtp(header, csrcs, extensions, payload, out);
  // 12 + 8 CSRC + 4 ext header + 5 element bytes padded to 8 + 3 payload.
  ASSERT_EQ(size, 35u);
  const auto packet = RtpPacket::Parse(std::span(out).first(size));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->PayloadType(), 111);
  EXPECT_TRUE(packet->Marker());
  EXPECT_EQ(packet->Sequence(), 65535);
  EXPECT_EQ(packet->Timestamp(), 0xFFFFFF00u);
  EXPECT_EQ(packet->Ssrc(), 0x12345678u);
  ASSERT_EQ(packet->CsrcCount(), 2u);
  EXPECT_EQ(packet->Csrc(1), 0xBBBB0002u);
  EXPECT_EQ(packet->ExtensionProfile(), RtpPacket::kOneByteProfile);
  EXPECT_EQ(packet->ReadAudioLevel(1)->level_dbov, 42);
  EXPECT_TRUE(packet->ReadAudioLevel(1)->voice_activity);
  ASSERT_EQ(packet->GetExtension(9).size(), 2u);
  EXPECT_EQ(packet->GetExtension(9)[1], '2');
  ASSERT_EQ(packet->Payload().size(), 3u);
  EXPECT_EQ(packet->Payload()[2], 9);
}

TEST(RtpWriterTest, FallsBackToTwoByteExtensions) {
  const std::array<std::uint8_t, 1> level = {10};
  const std::array<std::uint8_t, 17> long_value{};  // 17 bytes do not fit the one-byte form
  const std::array<RtpExtensionElement, 2> extensions = {RtpExtensionElement{1, level},
                                                         RtpExtensionElement{20, long_value}};
  std::array<std::uint8_t, 128> out{};
  const std::size_t size = WriteRtp({111, false, 1, 2, 3}, {}, extensions, {}, out);
  ASSERT_GT(size, 0u);
  const auto packet = RtpPacket::Parse(std::span(out).first(size));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->ExtensionProfile(), RtpPacket::kTwoByteProfile);
  EXPECT_EQ(packet->ReadAudioLevel(1)->level_dbov, 10);
  EXPECT_EQ(packet->GetExtension(20).size(), 17u);
  EXPECT_TRUE(packet->Payload().empty());
}

TEST(RtpWriterTest, RefusesWhatCannotBeEncodedOrDoesNotFit) {
  const std::array<std::uint8_t, 4> payload = {1, 2, 3, 4};
  std::array<std::uint8_t, 15> small{};
  EXPECT_EQ(WriteRtp({}, {}, {}, payload, small), 0u);
  std::array<std::uint8_t, 16> exact{};
  EXPECT_EQ(WriteRtp({}, {}, {}, payload, exact), 16u);
  const std::array<RtpExtensionElement, 1> id_zero = {RtpExtensionElement{0, payload}};
  std::array<std::uint8_t, 64> out{};
  EXPECT_EQ(WriteRtp({}, {}, id_zero, payload, out), 0u);
  const std::array<std::uint32_t, 16> too_many_csrcs{};
  EXPECT_EQ(WriteRtp({}, too_many_csrcs, {}, payload, out), 0u);
}

TEST(RtpWriterTest, ForwardedCopyCarriesExactlyOneCsrc) {
  // Source: 2 CSRCs, Chromium-style one-byte extensions, 2 bytes of padding.
  Bytes source = {0xB2, 0x6F, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x0A, 0x0B,
                  0x0C, 0x0D, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x02,  // CSRCs
                  0xBE, 0xDE, 0x00, 0x01, 0x10, 0x9E, 0x90, 0x30,              // level 30, mid "0"
                  0xFC, 0xFF, 0xFE, 0x00, 0x02};                               // payload + padding
  const auto in = RtpPacket::Parse(source);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->Payload().size(), 3u);
  std::array<std::uint8_t, 1500> out{};
  const std::size_t size = WriteForwarded(*in, out, 0x5107, 777, 48000, true, in->Ssrc());
  ASSERT_EQ(size, 12u + 4 + 8 + 3);
  const auto fwd = RtpPacket::Parse(std::span(out).first(size));
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->Ssrc(), 0x5107u);
  EXPECT_EQ(fwd->Sequence(), 777);
  EXPECT_EQ(fwd->Timestamp(), 48000u);
  EXPECT_TRUE(fwd->Marker());
  EXPECT_EQ(fwd->PayloadType(), 111);
  EXPECT_FALSE(fwd->HasPadding());
  ASSERT_EQ(fwd->CsrcCount(), 1u);
  EXPECT_EQ(fwd->Csrc(0), 0x0A0B0C0Du);
  EXPECT_EQ(fwd->ReadAudioLevel(1)->level_dbov, 30);
  EXPECT_EQ(fwd->GetExtension(9)[0], '0');
  ASSERT_EQ(fwd->Payload().size(), 3u);
  EXPECT_EQ(fwd->Payload()[0], 0xFC);
  EXPECT_EQ(fwd->Payload()[2], 0xFE);

  std::array<std::uint8_t, 26> small{};
  EXPECT_EQ(WriteForwarded(*in, small, 1, 2, 3, false, 4), 0u);
}

TEST(RtpWriterTest, ForwardsPacketWithoutExtensions) {
  Bytes source = {0x80, 0x6F, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 5, 0x11, 0x22};
  const auto in = RtpPacket::Parse(source);
  ASSERT_TRUE(in);
  std::array<std::uint8_t, 64> out{};
  const std::size_t size = WriteForwarded(*in, out, 9, 10, 11, false, 5);
  ASSERT_EQ(size, 18u);
  const auto fwd = RtpPacket::Parse(std::span(out).first(size));
  ASSERT_TRUE(fwd);
  EXPECT_FALSE(fwd->HasExtension());
  EXPECT_FALSE(fwd->Marker());
  EXPECT_EQ(fwd->Csrc(0), 5u);
  EXPECT_EQ(fwd->Payload()[1], 0x22);
}

TEST(RtpWriterTest, ForwardedCopyCanCarryTheSubscribersOwnExtensions) {
  // Publisher negotiated level id 1 and mid id 9 ("0"); the subscriber negotiated level id 3 and
  // mid id 4, and this slot is its mid "2".
  Bytes source = {0x90, 0x6F, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x0A, 0x0B, 0x0C,
                  0x0D, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0x9E, 0x90, 0x30, 0xFC, 0xFD};
  const auto in = RtpPacket::Parse(source);
  ASSERT_TRUE(in);
  const std::array<std::uint8_t, 1> level = {in->GetExtension(1)[0]};
  const std::array<std::uint8_t, 1> mid = {'2'};
  const std::array<RtpExtensionElement, 2> extensions = {RtpExtensionElement{3, level},
                                                         RtpExtensionElement{4, mid}};
  std::array<std::uint8_t, 64> out{};
  const std::size_t size = WriteForwarded(*in, out, 0x5107, 9, 99, false, in->Ssrc(), extensions);
  ASSERT_GT(size, 0u);
  const auto fwd = RtpPacket::Parse(std::span(out).first(size));
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->Csrc(0), 0x0A0B0C0Du);
  EXPECT_EQ(fwd->ReadAudioLevel(3)->level_dbov, 30);
  EXPECT_TRUE(fwd->ReadAudioLevel(3)->voice_activity);
  EXPECT_EQ(fwd->GetExtension(4)[0], '2');
  EXPECT_TRUE(fwd->GetExtension(9).empty());  // the publisher's mid is not carried over
  EXPECT_TRUE(fwd->GetExtension(1).empty());
  ASSERT_EQ(fwd->Payload().size(), 2u);
  EXPECT_EQ(fwd->Payload()[1], 0xFD);
}

}  // namespace
}  // namespace chorus::rtc
