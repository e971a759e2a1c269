#include "util/Crypto.hpp"

#include <gtest/gtest.h>

namespace chorus::util {
namespace {

TEST(Crypto, Base64UrlRoundTripsEveryLength) {
  for (std::size_t n = 0; n < 40; ++n) {
    auto bytes = RandomBytes(n);
    std::string decoded;
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(bytes), decoded));
    EXPECT_EQ(decoded, std::string(bytes.begin(), bytes.end()));
  }
}

TEST(Crypto, Base64UrlRefusesForeignCharacters) {
  std::string out;
  EXPECT_FALSE(Base64UrlDecode("ab+/", out));
  EXPECT_FALSE(Base64UrlDecode("abcd=", out));
  EXPECT_FALSE(Base64UrlDecode("a", out));
}

TEST(Crypto, KnownDigests) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  const std::string key = "Jefe";
  auto mac = HmacSha256({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()},
                        "what do ya want for nothing?");
  EXPECT_EQ(HexEncode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, TokensAreLongAndDistinct) {
  auto a = RandomToken(32), b = RandomToken(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(ConstantTimeEqual(a, a));
  EXPECT_FALSE(ConstantTimeEqual(a, b));
}

TEST(Crypto, HmacSha1AndBase64) {
  // RFC 2202 test case 2.
  EXPECT_EQ(HexEncode(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // RFC 4648 §10.
  auto b64 = [](std::string_view s) {
    return Base64Encode({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  };
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foob"), "Zm9vYg==");
  EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace chorus::util
