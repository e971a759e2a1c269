// Small crypto helpers over OpenSSL: random tokens, hashes, encodings.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::util {

// `bytes` cryptographically random bytes.
std::vector<std::uint8_t> RandomBytes(std::size_t bytes);
// A random token of `bytes` bytes, base64url without padding.
std::string RandomToken(std::size_t bytes);
// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256(key, data), raw bytes.
std::vector<std::uint8_t> HmacSha256(std::span<const std::uint8_t> key, std::string_view data);
// HMAC-SHA1(key, data), raw bytes (TURN REST credentials, which coturn checks with SHA-1).
std::vector<std::uint8_t> HmacSha1(std::string_view key, std::string_view data);
std::string Base64UrlEncode(std::span<const std::uint8_t> data);
// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(std::span<const std::uint8_t> data);
// Decodes base64url (no padding); false on any invalid character.
bool Base64UrlDecode(std::string_view text, std::string& out);
std::string HexEncode(std::span<const std::uint8_t> data);
// Constant-time comparison of two byte strings.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace chorus::util
