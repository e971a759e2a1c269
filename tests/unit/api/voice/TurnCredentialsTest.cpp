// TURN REST credentials as coturn's use-auth-secret checks them.
#include <gtest/gtest.h>

#include "util/Crypto.hpp"
#include "voice/TurnCredentials.hpp"

namespace chorus::voice {
namespace {

using namespace std::chrono_literals;

TEST(TurnCredentials, UsernameIsExpiryColonUserAndCredentialIsBase64HmacSha1) {
  const auto c = MakeTurnCredential("north", 42, 1'700'000'000, 3600s);
  EXPECT_EQ(c.username, "1700003600:42");
  // openssl: printf '1700003600:42' | openssl dgst -sha1 -hmac north -binary | base64
  EXPECT_EQ(c.credential, "WO3ZFttCQxBYtA2Ohz7jjGcQStA=");
  EXPECT_EQ(c.credential.size(), 28u) << "20 bytes of SHA-1 in base64";
}

TEST(TurnCredentials, IceServersListEveryUrlWithOneCredential) {
  const auto servers =
      TurnIceServers({"turn:10.0.0.1:3478?transport=udp", "turns:turn.example:5349?transport=tcp"},
                     "s", 7, 1'000, 60s);
  ASSERT_EQ(servers.size(), 1u);
  const auto& o = servers[0].as_object();
  EXPECT_EQ(o.at("urls").as_array().size(), 2u);
  EXPECT_EQ(o.at("username").as_string(), "1060:7");
  EXPECT_FALSE(o.at("credential").as_string().empty());
  EXPECT_TRUE(TurnIceServers({}, "s", 7, 1'000, 60s).empty());
}

}  // namespace
}  // namespace chorus::voice
