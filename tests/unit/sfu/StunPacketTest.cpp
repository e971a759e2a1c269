// StunPacket against the RFC 5769 test vectors, plus malformed and hostile inputs.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::rtc {
namespace {

std::vector<std::uint8_t> Hex(std::string_view text) {
  std::vector<std::uint8_t> bytes;
  int high = -1;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
    const int nibble =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    if (high < 0) {
      high = nibble;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high << 4 | nibble));
      high = -1;
    }
  }
  return bytes;
}

constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";

// RFC 5769 §2.1 Sample Request.
const std::vector<std::uint8_t> kSampleRequest =
    Hex("00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74"
        "00 24 00 04 6e 00 01 ff"
        "80 29 00 08 93 2f f9 b1 51 26 3b 36"
        "00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20"
        "00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2"
        "80 28 00 04 e5 7a 3b cf");

// RFC 5769 §2.2 Sample IPv4 Response.
const std::vector<std::uint8_t> kSampleIpv4Response =
    Hex("01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"
        "00 20 00 08 00 01 a1 47 e1 12 a6 43"
        "00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7"
        "80 28 00 04 c0 7d 4c 96");

// RFC 5769 §2.3 Sample IPv6 Response.
const std::vector<std::uint8_t> kSampleIpv6Response =
    Hex("01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"
        "00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"
        "00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41"
        "80 28 00 04 c8 fb 0b 4c");

const std::vector<std::uint8_t> kTransactionId = Hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

TEST(StunPacketTest, Rfc5769SampleRequest) {
  ASSERT_TRUE(StunPacket::IsStun(kSampleRequest));
  const auto packet = StunPacket::Parse(kSampleRequest);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->Type(), 0x0001);
  EXPECT_EQ(packet->Method(), stun::kMethodBinding);
  EXPECT_EQ(packet->Class(), stun::StunClass::kRequest);
  EXPECT_TRUE(
      std::equal(kTransactionId.begin(), kTransactionId.end(), packet->TransactionId().begin()));
  EXPECT_EQ(packet->Username(), "evtj:h6vY");
  EXPECT_EQ(packet->Priority(), 0x6e0001ffu);
  EXPECT_EQ(packet->IceControlled(), 0x932ff9b151263b36u);
  EXPECT_FALSE(packet->IceControlling().has_value());
  EXPECT_FALSE(packet->HasUseCandidate());
  EXPECT_FALSE(packet->XorMappedAddress().has_value());
  EXPECT_TRUE(packet->HasMessageIntegrity());
  EXPECT_TRUE(packet->HasFingerprint());
  EXPECT_TRUE(packet->CheckIntegrity(kPassword));
  EXPECT_FALSE(packet->CheckIntegrity("VOkJxbRl1RmTxUk/WvJxBT"));
  EXPECT_FALSE(packet->CheckIntegrity(""));
  EXPECT_TRUE(packet->CheckFingerprint());
}

TEST(StunPacketTest, Rfc5769Ipv4Response) {
  const auto packet = StunPacket::Parse(kSampleIpv4Response);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->Class(), stun::StunClass::kSuccessResponse);
  EXPECT_TRUE(packet->CheckIntegrity(kPassword));
  EXPECT_TRUE(packet->CheckFingerprint());
  const auto mapped = packet->XorMappedAddress();
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped, TransportAddress::FromString("192.0.2.1", 32853));
  EXPECT_EQ(mapped->ToString(), "192.0.2.1:32853");
}

TEST(StunPacketTest, Rfc5769Ipv6Response) {
  const auto packet = StunPacket::Parse(kSampleIpv6Response);
  ASSERT_TRUE(packet.has_value());
  EXPECT_TRUE(packet->CheckIntegrity(kPassword));
  EXPECT_TRUE(packet->CheckFingerprint());
  const auto mapped = packet->XorMappedAddress();
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped, TransportAddress::FromString("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_EQ(mapped->ToString(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
}

TEST(StunPacketTest, AnyFlippedBitBreaksIntegrityOrFingerprint) {
  // Every bit of the body before MESSAGE-INTEGRITY's value is covered by both digests.
  const std::size_t integrity_value = kSampleRequest.size() - 8 - 20;
  for (std::size_t i = 20; i < integrity_value; ++i) {
    std::vector<std::uint8_t> copy = kSampleRequest;
    copy[i] ^= 0x01;
    const auto packet = StunPacket::Parse(copy);
    if (!packet) continue;  // e.g. a length field now out of bounds
    EXPECT_FALSE(packet->CheckIntegrity(kPassword)) << "byte " << i;
    EXPECT_FALSE(packet->CheckFingerprint()) << "byte " << i;
  }
}

TEST(StunPacketTest, EveryTruncationIsRejected) {
  for (const auto* vector : {&kSampleRequest, &kSampleIpv4Response, &kSampleIpv6Response}) {
    for (std::size_t length = 0; length < vector->size(); ++length) {
      const std::span<const std::uint8_t> prefix(vector->data(), length);
      EXPECT_FALSE(StunPacket::Parse(prefix).has_value()) << "length " << length;
    }
  }
}

TEST(StunPacketTest, TruncationWithFixedUpLengthIsRejectedOrConsistent) {
  // Cut at every 4-byte boundary and fix the header length so only attribute bounds protect us.
  for (std::size_t length = 20; length < kSampleRequest.size(); length += 4) {
    std::vector<std::uint8_t> copy(kSampleRequest.begin(), kSampleRequest.begin() + length);
    copy[2] = static_cast<std::uint8_t>((length - 20) >> 8);
    copy[3] = static_cast<std::uint8_t>((length - 20) & 0xff);
    const auto packet = StunPacket::Parse(copy);
    if (!packet) continue;
    EXPECT_FALSE(packet->CheckFingerprint());
    // Dropping only FINGERPRINT leaves MESSAGE-INTEGRITY intact (its length excludes it).
    const bool integrity_whole = length == kSampleRequest.size() - 8;
    EXPECT_EQ(packet->CheckIntegrity(kPassword), integrity_whole) << "length " << length;
  }
}

TEST(StunPacketTest, RejectsNonStun) {
  std::vector<std::uint8_t> rtp = kSampleRequest;
  rtp[0] = 0x80;  // RTP/RTCP range (RFC 7983)
  EXPECT_FALSE(StunPacket::IsStun(rtp));
  EXPECT_FALSE(StunPacket::Parse(rtp).has_value());

  std::vector<std::uint8_t> dtls = kSampleRequest;
  dtls[0] = 22;  // DTLS handshake
  EXPECT_FALSE(StunPacket::IsStun(dtls));

  std::vector<std::uint8_t> cookie = kSampleRequest;
  cookie[7] ^= 0xff;
  EXPECT_FALSE(StunPacket::IsStun(cookie));
  EXPECT_FALSE(StunPacket::Parse(cookie).has_value());

  EXPECT_FALSE(StunPacket::IsStun({}));
  EXPECT_FALSE(StunPacket::Parse({}).has_value());
}

TEST(StunPacketTest, RejectsBadLengths) {
  std::vector<std::uint8_t> odd = kSampleRequest;
  odd[3] = 0x57;  // not a multiple of 4
  EXPECT_FALSE(StunPacket::Parse(odd).has_value());

  std::vector<std::uint8_t> extra = kSampleRequest;
  extra.push_back(0);  // datagram longer than the header says
  EXPECT_FALSE(StunPacket::Parse(extra).has_value());

  std::vector<std::uint8_t> attr_overflow = kSampleRequest;
  attr_overflow[20 + 3] = 0xff;  // SOFTWARE claims more than the message holds
  EXPECT_FALSE(StunPacket::Parse(attr_overflow).has_value());

  std::vector<std::uint8_t> priority_size = kSampleRequest;
  priority_size[40 + 3] = 0x08;  // PRIORITY must be 4 bytes
  EXPECT_FALSE(StunPacket::Parse(priority_size).has_value());
}

TEST(StunPacketTest, RejectsAttributeAfterFingerprint) {
  std::vector<std::uint8_t> copy = kSampleRequest;
  // Append USE-CANDIDATE after FINGERPRINT and grow the header length.
  for (std::uint8_t b : {0x00, 0x25, 0x00, 0x00}) copy.push_back(b);
  copy[3] = static_cast<std::uint8_t>(copy[3] + 4);
  EXPECT_FALSE(StunPacket::Parse(copy).has_value());
}

TEST(StunPacketTest, IgnoresAttributesAfterIntegrity) {
  std::uint8_t buffer[256];
  StunWriter writer(buffer, 0x0001, std::span<const std::uint8_t, 12>(kTransactionId.data(), 12));
  writer.AddUsername("a:b");
  writer.AddMessageIntegrity("secret");
  writer.AddPriority(7);  // after MESSAGE-INTEGRITY: must be ignored (RFC 8489 §14.5)
  writer.AddUseCandidate();
  writer.AddFingerprint();
  const std::size_t size = writer.Finish();
  ASSERT_GT(size, 0u);
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer, size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_FALSE(packet->Priority().has_value());
  EXPECT_FALSE(packet->HasUseCandidate());
  EXPECT_EQ(packet->Username(), "a:b");
  EXPECT_TRUE(packet->CheckIntegrity("secret"));
  EXPECT_TRUE(packet->CheckFingerprint());
}

TEST(StunPacketTest, ErrorCodeDecodes) {
  std::uint8_t buffer[128];
  const std::size_t size = StunWriter::WriteBindingError(
      buffer, std::span<const std::uint8_t, 12>(kTransactionId.data(), 12), 487, "Role Conflict",
      "pwd");
  ASSERT_GT(size, 0u);
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer, size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->Class(), stun::StunClass::kErrorResponse);
  const auto error = packet->ErrorCode();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 487);
  EXPECT_EQ(error->reason, "Role Conflict");
  EXPECT_TRUE(packet->CheckIntegrity("pwd"));
  EXPECT_TRUE(packet->CheckFingerprint());

  // A class outside 3..6 is not a valid ERROR-CODE.
  const std::size_t error_class_at = 20 + 4 + 2;
  buffer[error_class_at] = 0x07;
  const auto bad = StunPacket::Parse(std::span<const std::uint8_t>(buffer, size));
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->ErrorCode().has_value());
}

TEST(StunPacketTest, MissingIntegrityAndFingerprintCheckFalse) {
  std::uint8_t buffer[64];
  StunWriter writer(buffer, 0x0001, std::span<const std::uint8_t, 12>(kTransactionId.data(), 12));
  writer.AddPriority(1);
  const std::size_t size = writer.Finish();
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer, size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_FALSE(packet->HasMessageIntegrity());
  EXPECT_FALSE(packet->HasFingerprint());
  EXPECT_FALSE(packet->CheckIntegrity("x"));
  EXPECT_FALSE(packet->CheckFingerprint());
}

}  // namespace
}  // namespace chorus::rtc
