// libFuzzer target: RoomTokens::Verify, the check every /rtc handshake runs on a client's token.
// The first input byte picks the mode, the rest is its material:
//   mode % 3 == 0  the bytes as a token, verified with and without an expected room.
//   mode % 3 == 1  the bytes as a JWT header and payload (split at the first NUL; no NUL: the
//                  HS256 header), base64url-encoded and signed with the right secret, so the claim
//                  checks past the signature see arbitrary JSON.
//   mode % 3 == 2  a valid minted token edited by the bytes (triples of a 16-bit position and a
//                  new byte; the position's top bit deletes instead): only the unedited token
//                  may verify.
// Invariants (violations abort): a verified token has a positive user, its room (when one is
// expected) and nbf <= now < exp; a refusal names one of the documented codes; Verify never
// throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/Crypto.hpp"
#include "voice/tokens.hpp"

namespace {

using chorus::voice::RoomClaims;
using chorus::voice::RoomTokens;
using chorus::voice::TokenResult;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kIssuer = "chorus";
constexpr std::string_view kRoom = "stream-7";
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

const std::vector<std::uint8_t>& Secret() {
  static const std::vector<std::uint8_t> secret(32, 'k');
  return secret;
}

const RoomTokens& Tokens() {
  static const RoomTokens tokens(Secret(), std::string(kIssuer), std::chrono::seconds(300));
  return tokens;
}

// One token minted at start-up (its jti is random, the rest fixed), valid at kNow.
const std::string& ValidToken() {
  static const std::string token = [] {
    RoomClaims claims;
    claims.user_id = 42;
    claims.username = "alice";
    claims.stream_id = 7;
    claims.room = std::string(kRoom);
    claims.role = "host";
    claims.session_id = 9;
    return Tokens().Mint(claims, kNow - 10);
  }();
  return token;
}

std::string B64(std::string_view text) {
  return chorus::util::Base64UrlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string Signed(std::string_view header, std::string_view payload) {
  const std::string input = B64(header) + "." + B64(payload);
  return input + "." + chorus::util::Base64UrlEncode(chorus::util::HmacSha256(Secret(), input));
}

// Verifies `token` against kRoom and against any room; checks each outcome's invariants.
bool Check(std::string_view token) {
  bool any_ok = false;
  for (const std::string_view room : {kRoom, std::string_view()}) {
    const TokenResult result = Tokens().Verify(token, room, kNow);
    if (result) {
      const RoomClaims& c = result.claims;
      Require(result.error.empty());
      Require(c.user_id > 0);
      Require(c.nbf <= kNow && kNow < c.exp);
      Require(room.empty() || c.room == room);
      any_ok = true;
    } else {
      const std::string& e = result.error;
      Require(e == "malformed" || e == "bad_alg" || e == "bad_signature" || e == "expired" ||
              e == "not_yet_valid" || e == "wrong_room");
    }
  }
  return any_ok;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  Require(Check(ValidToken()));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode % 3) {
    case 0:
      Check(body);
      break;
    case 1: {
      const auto nul = body.find('\0');
      if (nul == std::string_view::npos) {
        Check(Signed(kHs256Header, body));
      } else {
        Check(Signed(body.substr(0, nul), body.substr(nul + 1)));
      }
      break;
    }
    default: {
      std::string token = ValidToken();
      for (std::size_t i = 0; i + 2 < body.size() && !token.empty(); i += 3) {
        const auto position = static_cast<std::uint16_t>((static_cast<std::uint8_t>(body[i]) << 8) |
                                                         static_cast<std::uint8_t>(body[i + 1]));
        const std::size_t at = (position & 0x7fffu) % token.size();
        if ((position & 0x8000u) != 0) {
          token.erase(at, 1);
        } else {
          token[at] = body[i + 2];
        }
      }
      // An edit that restores the byte it replaced leaves the token valid; any real change
      // must be refused.
      if (Check(token)) Require(token == ValidToken());
      break;
    }
  }
  return 0;
}
