#include "rtc/IceCredentials.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

namespace chorus::rtc {
namespace {

// 64 characters, so a random byte modulo 64 is uniform.
constexpr std::string_view kIceChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static_assert(kIceChars.size() == 64);

constexpr std::size_t kMaxIceStringChars = 256;  // RFC 8839 §5.4

bool IsIceChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string IceCredentials::RandomIceString(std::size_t length) {
  std::string result(length, '\0');
  std::array<std::uint8_t, 64> random;
  std::size_t filled = 0;
  while (filled < length) {
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return {};
    for (std::size_t i = 0; i < random.size() && filled < length; ++i) {
      result[filled++] = kIceChars[random[i] % kIceChars.size()];
    }
  }
  return result;
}

std::optional<IceCredentials> IceCredentials::Generate() {
  IceCredentials credentials{RandomIceString(kUfragChars), RandomIceString(kPwdChars)};
  if (credentials.ufrag.size() != kUfragChars || credentials.pwd.size() != kPwdChars) {
    return std::nullopt;
  }
  return credentials;
}

bool IceCredentials::IsValidIceString(std::string_view text, std::size_t min_length) {
  if (text.size() < min_length || text.size() > kMaxIceStringChars) return false;
  for (char c : text) {
    if (!IsIceChar(c)) return false;
  }
  return true;
}

}  // namespace chorus::rtc
