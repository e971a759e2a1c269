// StunWriter: RFC 5769 XOR-MAPPED-ADDRESS encodings, round trips through StunPacket, and
// buffers too small for the message.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::rtc {
namespace {

// RFC 5769's transaction id.
constexpr std::array<std::uint8_t, 12> kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                              0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

TEST(StunWriterTest, XorMappedAddressMatchesRfc5769Ipv4) {
  std::array<std::uint8_t, 64> buffer{};
  StunWriter writer(buffer, 0x0101, kId);
  ASSERT_TRUE(writer.AddXorMappedAddress(*TransportAddress::FromString("192.0.2.1", 32853)));
  ASSERT_EQ(writer.Finish(), 32u);
  const std::array<std::uint8_t, 12> expected = {0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
                                                 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin() + 20));
  EXPECT_EQ(buffer[3], 12);  // header length covers the attribute
}

TEST(StunWriterTest, XorMappedAddressMatchesRfc5769Ipv6) {
  std::array<std::uint8_t, 64> buffer{};
  StunWriter writer(buffer, 0x0101, kId);
  ASSERT_TRUE(writer.AddXorMappedAddress(
      *TransportAddress::FromString("2001:db8:1234:5678:11:2233:4455:6677", 32853)));
  ASSERT_EQ(writer.Finish(), 44u);
  const std::array<std::uint8_t, 24> expected = {0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
                                                 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
                                                 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9};
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin() + 20));
}

TEST(StunWriterTest, BindingSuccessRoundTrip) {
  for (const char* ip : {"10.78.0.1", "::1", "fe80::1:2"}) {
    const auto mapped = TransportAddress::FromString(ip, 40000);
    ASSERT_TRUE(mapped.has_value()) << ip;
    std::array<std::uint8_t, 128> buffer{};
    const std::size_t size = StunWriter::WriteBindingSuccess(buffer, kId, *mapped, "serverpwd");
    ASSERT_GT(size, 0u);
    const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), size));
    ASSERT_TRUE(packet.has_value());
    EXPECT_EQ(packet->Type(), 0x0101);
    EXPECT_EQ(packet->XorMappedAddress(), mapped) << ip;
    EXPECT_TRUE(packet->CheckIntegrity("serverpwd"));
    EXPECT_FALSE(packet->CheckIntegrity("serverpwe"));
    EXPECT_TRUE(packet->CheckFingerprint());
    EXPECT_TRUE(std::equal(kId.begin(), kId.end(), packet->TransactionId().begin()));
  }
}

TEST(StunWriterTest, BindingRequestRoundTrip) {
  StunBindingRequestParams params;
  params.username = "srvU:cliU";
  params.password = "a-password-of-22-chars";
  params.priority = 0x7effffff;
  params.tie_breaker = 0x0102030405060708;
  params.controlling = true;
  params.use_candidate = true;
  std::array<std::uint8_t, 256> buffer{};
  const std::size_t size = StunWriter::WriteBindingRequest(buffer, kId, params);
  ASSERT_GT(size, 0u);
  EXPECT_EQ(size % 4, 0u);
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->Type(), 0x0001);
  EXPECT_EQ(packet->Username(), "srvU:cliU");
  EXPECT_EQ(packet->Priority(), 0x7effffffu);
  EXPECT_EQ(packet->IceControlling(), 0x0102030405060708u);
  EXPECT_FALSE(packet->IceControlled().has_value());
  EXPECT_TRUE(packet->HasUseCandidate());
  EXPECT_TRUE(packet->CheckIntegrity(params.password));
  EXPECT_TRUE(packet->CheckFingerprint());

  params.controlling = false;
  params.use_candidate = false;
  const std::size_t size2 = StunWriter::WriteBindingRequest(buffer, kId, params);
  const auto controlled = StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), size2));
  ASSERT_TRUE(controlled.has_value());
  EXPECT_EQ(controlled->IceControlled(), 0x0102030405060708u);
  EXPECT_FALSE(controlled->HasUseCandidate());
}

// A check built by aioice 1.4 (python3-aiortc's ICE, an independent implementation) from
// USERNAME "srvU:cliU", PRIORITY 1853759231, ICE-CONTROLLING 0x1122334455667788, USE-CANDIDATE,
// password "srvU-password-0123456789"; our writer must produce the same bytes.
constexpr std::array<std::uint8_t, 92> kAioiceCheck = {
    0x00, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x09, 0x0a, 0x0b, 0x0c, 0x00, 0x06, 0x00, 0x09, 0x73, 0x72, 0x76, 0x55, 0x3a, 0x63, 0x6c, 0x69,
    0x55, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x7e, 0x1e, 0xff, 0x80, 0x2a, 0x00, 0x08,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x25, 0x00, 0x00, 0x00, 0x08, 0x00, 0x14,
    0x2e, 0x75, 0xb6, 0x33, 0x4a, 0xb3, 0x0f, 0xa4, 0x64, 0xa3, 0xad, 0x07, 0xa3, 0xc7, 0x8e, 0xc7,
    0x2b, 0x3f, 0x53, 0x78, 0x80, 0x28, 0x00, 0x04, 0x99, 0xb7, 0xb3, 0xd5};

TEST(StunWriterTest, BindingRequestMatchesAioiceBytes) {
  constexpr std::array<std::uint8_t, 12> id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  StunBindingRequestParams params;
  params.username = "srvU:cliU";
  params.password = "srvU-password-0123456789";
  params.priority = 1853759231;
  params.tie_breaker = 0x1122334455667788;
  params.controlling = true;
  params.use_candidate = true;
  std::array<std::uint8_t, 256> buffer{};
  const std::size_t size = StunWriter::WriteBindingRequest(buffer, id, params);
  ASSERT_EQ(size, kAioiceCheck.size());
  EXPECT_TRUE(std::equal(kAioiceCheck.begin(), kAioiceCheck.end(), buffer.begin()));

  const auto packet = StunPacket::Parse(kAioiceCheck);
  ASSERT_TRUE(packet.has_value());
  EXPECT_TRUE(packet->CheckIntegrity(params.password));
  EXPECT_TRUE(packet->CheckFingerprint());
  EXPECT_TRUE(packet->HasUseCandidate());
}

TEST(StunWriterTest, ErrorWithoutIntegrity) {
  std::array<std::uint8_t, 128> buffer{};
  const std::size_t size = StunWriter::WriteBindingError(buffer, kId, 401, "Unauthorized", {});
  ASSERT_GT(size, 0u);
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->Type(), 0x0111);
  EXPECT_FALSE(packet->HasMessageIntegrity());
  EXPECT_TRUE(packet->CheckFingerprint());
  ASSERT_TRUE(packet->ErrorCode().has_value());
  EXPECT_EQ(packet->ErrorCode()->code, 401);
}

TEST(StunWriterTest, TooSmallBufferWritesNothing) {
  const auto mapped = *TransportAddress::FromString("2001:db8::1", 5000);
  std::array<std::uint8_t, 128> full{};
  const std::size_t needed = StunWriter::WriteBindingSuccess(full, kId, mapped, "k");
  ASSERT_EQ(needed, 20u + 24u + 24u + 8u);
  for (std::size_t size = 0; size < needed; ++size) {
    std::vector<std::uint8_t> small(size);
    EXPECT_EQ(StunWriter::WriteBindingSuccess(small, kId, mapped, "k"), 0u) << size;
  }
  std::vector<std::uint8_t> exact(needed);
  EXPECT_EQ(StunWriter::WriteBindingSuccess(exact, kId, mapped, "k"), needed);
  EXPECT_TRUE(std::equal(exact.begin(), exact.end(), full.begin()));
}

TEST(StunWriterTest, RejectsInvalidValues) {
  std::array<std::uint8_t, 2048> buffer{};
  StunWriter bad_code(buffer, 0x0111, kId);
  EXPECT_FALSE(bad_code.AddErrorCode(200, "OK"));
  EXPECT_EQ(bad_code.Finish(), 0u);

  StunWriter long_name(buffer, 0x0001, kId);
  EXPECT_FALSE(long_name.AddUsername(std::string(514, 'a')));
  EXPECT_EQ(long_name.Finish(), 0u);

  StunWriter no_address(buffer, 0x0101, kId);
  EXPECT_FALSE(no_address.AddXorMappedAddress(TransportAddress{}));
  EXPECT_EQ(no_address.Finish(), 0u);
}

}  // namespace
}  // namespace chorus::rtc
