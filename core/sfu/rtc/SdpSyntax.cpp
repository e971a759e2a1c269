#include "rtc/SdpSyntax.hpp"

#include <algorithm>
#include <cctype>

namespace chorus::rtc {
namespace {

constexpr std::size_t kMinUfragChars = 4;
constexpr std::size_t kMinPwdChars = 22;
constexpr std::size_t kMaxIceChars = 256;

bool IsIceChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
}

bool IsIceString(std::string_view text, std::size_t min_chars) {
  return text.size() >= min_chars && text.size() <= kMaxIceChars &&
         std::all_of(text.begin(), text.end(), IsIceChar);
}

// token-char (RFC 8866 §9): %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E
bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2A || u == 0x2B || u == 0x2D ||
         u == 0x2E || (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) ||
         (u >= 0x5E && u <= 0x7E);
}

}  // namespace

bool IsValidIceUfrag(std::string_view ufrag) {
  return IsIceString(ufrag, kMinUfragChars);
}

bool IsValidIcePwd(std::string_view pwd) {
  return IsIceString(pwd, kMinPwdChars);
}

bool IsSdpToken(std::string_view text, std::size_t max_chars) {
  return !text.empty() && text.size() <= max_chars &&
         std::all_of(text.begin(), text.end(), IsTokenChar);
}

}  // namespace chorus::rtc

namespace chorus::rtc {

bool IsSdpProtocol(std::string_view text, std::size_t max_chars) {
  return !text.empty() && text.size() <= max_chars && text.front() != '/' && text.back() != '/' &&
         text.find("//") == std::string_view::npos &&
         std::all_of(text.begin(), text.end(), [](char c) { return c == '/' || IsTokenChar(c); });
}

}  // namespace chorus::rtc
