// Room tokens: round trip, and every rejection the /rtc handshake relies on.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "util/Crypto.hpp"
#include "voice/tokens.hpp"

namespace chorus::voice {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

std::vector<std::uint8_t> Secret(char fill = 'k') {
  return std::vector<std::uint8_t>(32, fill);
}

RoomClaims Sample() {
  RoomClaims c;
  c.user_id = 42;
  c.username = "alice";
  c.stream_id = 7;
  c.room = RoomName(7);
  c.role = "host";
  c.can_moderate = true;
  c.session_id = 9;
  return c;
}

std::string B64(const std::string& s) {
  return util::Base64UrlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::string Part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const auto end = token.find('.', start);
  return token.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string Decode(const std::string& part) {
  std::string out;
  EXPECT_TRUE(util::Base64UrlDecode(part, out));
  return out;
}

TEST(RoomTokens, MintThenVerifyKeepsEveryClaim) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  EXPECT_FALSE(claims.jti.empty());
  EXPECT_EQ(claims.iat, kNow);
  EXPECT_EQ(claims.nbf, kNow);
  EXPECT_EQ(claims.exp, kNow + 600);
  auto r = tokens.Verify(token, "stream-7", kNow + 1);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.claims.jti, claims.jti);
  EXPECT_EQ(r.claims.user_id, 42);
  EXPECT_EQ(r.claims.username, "alice");
  EXPECT_EQ(r.claims.stream_id, 7);
  EXPECT_EQ(r.claims.room, "stream-7");
  EXPECT_EQ(r.claims.role, "host");
  EXPECT_TRUE(r.claims.can_publish);
  EXPECT_TRUE(r.claims.can_subscribe);
  EXPECT_TRUE(r.claims.can_moderate);
  EXPECT_EQ(r.claims.session_id, 9);
  EXPECT_EQ(r.claims.exp, kNow + 600);
  // An empty expected room accepts any room.
  EXPECT_TRUE(tokens.Verify(token, "", kNow).ok);
  // Two mints have distinct ids.
  auto other = Sample();
  tokens.Mint(other, kNow);
  EXPECT_NE(other.jti, claims.jti);
}

TEST(RoomTokens, HeaderAndPayloadAreStandardJwt) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  auto header = boost::json::parse(Decode(Part(token, 0))).as_object();
  EXPECT_EQ(header.at("alg").as_string(), "HS256");
  EXPECT_EQ(header.at("typ").as_string(), "JWT");
  auto payload = boost::json::parse(Decode(Part(token, 1))).as_object();
  EXPECT_EQ(payload.at("iss").as_string(), "chorus");
  EXPECT_EQ(payload.at("sub").as_string(), "42");
  EXPECT_EQ(payload.at("room").as_string(), "stream-7");
  EXPECT_EQ(payload.at("grants").at("moderate").as_bool(), true);
}

TEST(RoomTokens, TamperedPayloadIsRejected) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  auto payload = boost::json::parse(Decode(Part(token, 1))).as_object();
  payload["role"] = "moderator";
  payload["grants"].as_object()["moderate"] = true;
  const std::string forged =
      Part(token, 0) + "." + B64(boost::json::serialize(payload)) + "." + Part(token, 2);
  EXPECT_EQ(tokens.Verify(forged, "stream-7", kNow).error, "bad_signature");
}

TEST(RoomTokens, OtherSecretIsRejected) {
  RoomTokens a(Secret('a'), "chorus", std::chrono::seconds(600));
  RoomTokens b(Secret('b'), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  EXPECT_EQ(b.Verify(a.Mint(claims, kNow), "stream-7", kNow).error, "bad_signature");
}

TEST(RoomTokens, AlgNoneIsRejected) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  const std::string none_header = B64(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(tokens.Verify(none_header + "." + Part(token, 1) + ".", "stream-7", kNow).error,
            "bad_alg");
  const std::string hs512 = B64(R"({"alg":"HS512","typ":"JWT"})");
  EXPECT_EQ(tokens.Verify(hs512 + "." + Part(token, 1) + "." + Part(token, 2), "", kNow).error,
            "bad_alg");
}

TEST(RoomTokens, ExpiredIsRejected) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  EXPECT_TRUE(tokens.Verify(token, "stream-7", kNow + 599).ok);
  EXPECT_EQ(tokens.Verify(token, "stream-7", kNow + 600).error, "expired");
}

TEST(RoomTokens, NotYetValidIsRejected) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  EXPECT_EQ(tokens.Verify(token, "stream-7", kNow - 1).error, "not_yet_valid");
}

TEST(RoomTokens, WrongRoomIsRejected) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  auto claims = Sample();
  const auto token = tokens.Mint(claims, kNow);
  EXPECT_EQ(tokens.Verify(token, "stream-8", kNow).error, "wrong_room");
}

TEST(RoomTokens, OtherIssuerIsRejected) {
  RoomTokens mine(Secret(), "chorus", std::chrono::seconds(600));
  RoomTokens theirs(Secret(), "elsewhere", std::chrono::seconds(600));
  auto claims = Sample();
  EXPECT_FALSE(mine.Verify(theirs.Mint(claims, kNow), "", kNow).ok);
}

TEST(RoomTokens, GarbageIsMalformed) {
  RoomTokens tokens(Secret(), "chorus", std::chrono::seconds(600));
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.", "..",
                          "eyJhbGciOiJIUzI1NiJ9..sig"}) {
    auto r = tokens.Verify(bad, "", kNow);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_TRUE(r.error == "malformed" || r.error == "bad_signature") << bad << " " << r.error;
  }
  EXPECT_EQ(tokens.Verify(std::string(5000, 'a'), "", kNow).error, "malformed");
}

}  // namespace
}  // namespace chorus::voice
