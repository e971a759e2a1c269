// ICE username fragment and password (RFC 8445 §5.3, RFC 8839 §5.4 ice-char grammar).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::rtc {

struct IceCredentials {
  std::string ufrag;  // at least 4 ice-chars (RFC 8839 §5.4)
  std::string pwd;    // at least 22 ice-chars

  static constexpr std::size_t kUfragChars = 8;
  static constexpr std::size_t kPwdChars = 24;

  // Random credentials from OpenSSL's CSPRNG over the 64 ice-chars (ALPHA / DIGIT / "+" / "/"),
  // kUfragChars and kPwdChars long. nullopt only if OpenSSL's RNG fails.
  static std::optional<IceCredentials> Generate();

  // A random string of `length` ice-chars; empty if the RNG fails.
  static std::string RandomIceString(std::size_t length);

  // True if `text` is `min_length`..256 ice-chars, the grammar for ice-ufrag/ice-pwd.
  static bool IsValidIceString(std::string_view text, std::size_t min_length);
};

}  // namespace chorus::rtc
