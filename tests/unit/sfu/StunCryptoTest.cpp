// The STUN digests checked against OpenSSL's HMAC() and zlib-independent CRC-32 values.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rtc/StunCrypto.hpp"

namespace chorus::rtc::stun {
namespace {

TEST(StunCryptoTest, HmacSha1MatchesOpenSslForAllKeyLengths) {
  std::vector<std::uint8_t> message(300);
  ASSERT_EQ(RAND_bytes(message.data(), static_cast<int>(message.size())), 1);
  // Key lengths around the 64-byte block size exercise both RFC 2104 key paths.
  for (std::size_t key_length : {0, 1, 22, 63, 64, 65, 128, 513}) {
    std::string key(key_length, '\0');
    if (!key.empty()) {
      ASSERT_EQ(
          RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())),
          1);
    }
    for (std::size_t split : {0, 20, 150, 300}) {
      std::array<std::uint8_t, kHmacSha1Bytes> ours{};
      ASSERT_TRUE(HmacSha1(key, std::span<const std::uint8_t>(message).first(split),
                           std::span<const std::uint8_t>(message).subspan(split), ours));
      std::array<std::uint8_t, kHmacSha1Bytes> reference{};
      unsigned int length = 0;
      static constexpr unsigned char kEmpty[1] = {0};
      ASSERT_NE(HMAC(EVP_sha1(),
                     key.empty() ? static_cast<const void*>(kEmpty)
                                 : static_cast<const void*>(key.data()),
                     static_cast<int>(key.size()), message.data(), message.size(), reference.data(),
                     &length),
                nullptr);
      ASSERT_EQ(length, kHmacSha1Bytes);
      EXPECT_EQ(ours, reference) << "key " << key_length << " split " << split;
    }
  }
}

TEST(StunCryptoTest, HmacSha1Rfc2202Case1) {
  // RFC 2202 §3 test case 1: key = 0x0b * 20, data = "Hi There".
  const std::string key(20, '\x0b');
  const std::string data = "Hi There";
  std::array<std::uint8_t, kHmacSha1Bytes> out{};
  ASSERT_TRUE(HmacSha1(
      key, {}, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), out));
  const std::array<std::uint8_t, kHmacSha1Bytes> expected = {
      0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
      0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
  EXPECT_EQ(out, expected);
}

TEST(StunCryptoTest, FingerprintIsCrc32XorStun) {
  // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
  const std::string data = "123456789";
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  EXPECT_EQ(FingerprintCrc(bytes.first(4), bytes.subspan(4)), 0xCBF43926u ^ 0x5354554eu);
  EXPECT_EQ(FingerprintCrc(bytes, {}), 0xCBF43926u ^ 0x5354554eu);
}

}  // namespace
}  // namespace chorus::rtc::stun
