#include "voice/tokens.hpp"

#include <boost/json.hpp>

#include "util/Crypto.hpp"

namespace chorus::voice {
namespace {

constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kJtiBytes = 16;

std::string B64(std::string_view text) {
  return util::Base64UrlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// Parses base64url JSON into an object; false on any error.
bool DecodeObject(std::string_view part, boost::json::object& out) {
  std::string raw;
  if (!util::Base64UrlDecode(part, raw)) return false;
  boost::system::error_code ec;
  auto value = boost::json::parse(raw, ec);
  if (ec || !value.is_object()) return false;
  out = std::move(value.as_object());
  return true;
}

bool GetInt(const boost::json::object& o, std::string_view key, std::int64_t& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_int64()) return false;
  out = v->as_int64();
  return true;
}

bool GetString(const boost::json::object& o, std::string_view key, std::string& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}

bool GetBool(const boost::json::object& o, std::string_view key, bool& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return false;
  out = v->as_bool();
  return true;
}

TokenResult Fail(std::string code) {
  TokenResult r;
  r.error = std::move(code);
  return r;
}

}  // namespace

std::string RoomName(std::int64_t stream_id) {
  return "stream-" + std::to_string(stream_id);
}

RoomTokens::RoomTokens(std::vector<std::uint8_t> secret, std::string issuer,
                       std::chrono::seconds ttl)
    : secret_(std::move(secret)), issuer_(std::move(issuer)), ttl_(ttl) {}

std::string RoomTokens::Sign(std::string_view signing_input) const {
  const auto mac = util::HmacSha256(secret_, signing_input);
  return util::Base64UrlEncode(mac);
}

std::string RoomTokens::Mint(RoomClaims& c, std::int64_t now_s) const {
  c.jti = util::RandomToken(kJtiBytes);
  c.iat = now_s;
  c.nbf = now_s;
  c.exp = now_s + ttl_.count();
  const boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  // RFC 7519 §4.1: registered claims; the rest are private claims of Chorus.
  const boost::json::object payload{{"iss", issuer_},
                                    {"sub", std::to_string(c.user_id)},
                                    {"name", c.username},
                                    {"stream_id", c.stream_id},
                                    {"room", c.room},
                                    {"role", c.role},
                                    {"grants", boost::json::object{{"publish", c.can_publish},
                                                                   {"subscribe", c.can_subscribe},
                                                                   {"moderate", c.can_moderate}}},
                                    {"sid", c.session_id},
                                    {"jti", c.jti},
                                    {"iat", c.iat},
                                    {"nbf", c.nbf},
                                    {"exp", c.exp}};
  std::string input =
      B64(boost::json::serialize(header)) + "." + B64(boost::json::serialize(payload));
  std::string sig = Sign(input);
  return input + "." + sig;
}

TokenResult RoomTokens::Verify(std::string_view token, std::string_view expected_room,
                               std::int64_t now_s) const {
  if (token.empty() || token.size() > kMaxTokenBytes) return Fail("malformed");
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Fail("malformed");
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Fail("malformed");
  }
  boost::json::object header;
  if (!DecodeObject(token.substr(0, dot1), header)) return Fail("malformed");
  // RFC 8725 §3.1: the algorithm is fixed by us, never taken from the token.
  std::string alg;
  if (!GetString(header, "alg", alg)) return Fail("malformed");
  if (alg != "HS256") return Fail("bad_alg");
  const std::string_view input = token.substr(0, dot2);
  const std::string expected_sig = Sign(input);
  if (!util::ConstantTimeEqual(expected_sig, token.substr(dot2 + 1))) {
    return Fail("bad_signature");
  }
  boost::json::object p;
  if (!DecodeObject(token.substr(dot1 + 1, dot2 - dot1 - 1), p)) return Fail("malformed");
  TokenResult r;
  RoomClaims& c = r.claims;
  std::string iss, sub;
  const auto* grants = p.if_contains("grants");
  if (!GetString(p, "iss", iss) || !GetString(p, "sub", sub) || !GetString(p, "jti", c.jti) ||
      !GetString(p, "room", c.room) || !GetString(p, "role", c.role) ||
      !GetString(p, "name", c.username) || !GetInt(p, "stream_id", c.stream_id) ||
      !GetInt(p, "sid", c.session_id) || !GetInt(p, "iat", c.iat) || !GetInt(p, "nbf", c.nbf) ||
      !GetInt(p, "exp", c.exp) || !grants || !grants->is_object() ||
      !GetBool(grants->as_object(), "publish", c.can_publish) ||
      !GetBool(grants->as_object(), "subscribe", c.can_subscribe) ||
      !GetBool(grants->as_object(), "moderate", c.can_moderate)) {
    return Fail("malformed");
  }
  if (iss != issuer_) return Fail("malformed");
  try {
    std::size_t used = 0;
    c.user_id = std::stoll(sub, &used);
    if (used != sub.size() || c.user_id <= 0) return Fail("malformed");
  } catch (...) {
    return Fail("malformed");
  }
  if (now_s >= c.exp) return Fail("expired");
  if (now_s < c.nbf) return Fail("not_yet_valid");
  if (!expected_room.empty() && c.room != expected_room) return Fail("wrong_room");
  r.ok = true;
  return r;
}

}  // namespace chorus::voice
