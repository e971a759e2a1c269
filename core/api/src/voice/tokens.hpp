// Room tokens: short-lived JWTs (RFC 7519) signed with HMAC-SHA256 (RFC 7518 §3.2) that admit
// one user to one voice room's media connection. Revocation is the state backend's job
// (voice:token:<jti>); this class only mints and checks signatures and claims.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::voice {

struct RoomClaims {
  std::string jti;
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t stream_id = 0;
  std::string room;  // "stream-<id>"
  std::string role;  // host|moderator|member
  bool can_publish = true, can_subscribe = true, can_moderate = false;
  std::int64_t session_id = 0;
  std::int64_t iat = 0, nbf = 0, exp = 0;
};

// The outcome of RoomTokens::Verify: `ok` with the claims, or an error code:
// "malformed" | "bad_alg" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_room" |
// "revoked" (the last one set by VoiceService, never by RoomTokens).
struct TokenResult {
  bool ok = false;
  RoomClaims claims;
  std::string error;
  explicit operator bool() const { return ok; }
};

// The room name of a stream's voice channel ("stream-<id>").
std::string RoomName(std::int64_t stream_id);

// Thread-safe (immutable after construction).
class RoomTokens {
 public:
  RoomTokens(std::vector<std::uint8_t> secret, std::string issuer, std::chrono::seconds ttl);

  // Fills claims.jti (random), iat = nbf = now_s and exp = now_s + ttl, and returns the signed
  // compact JWT.
  std::string Mint(RoomClaims& claims, std::int64_t now_s) const;

  // Checks the header's alg is HS256 (refuses "none" and every other), the signature, the issuer,
  // nbf <= now_s < exp, and the room when expected_room is not empty. Never throws.
  TokenResult Verify(std::string_view token, std::string_view expected_room,
                     std::int64_t now_s) const;

  std::chrono::seconds Ttl() const { return ttl_; }

 private:
  std::string Sign(std::string_view signing_input) const;

  std::vector<std::uint8_t> secret_;
  std::string issuer_;
  std::chrono::seconds ttl_;
};

}  // namespace chorus::voice
