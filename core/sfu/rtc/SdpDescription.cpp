#include "rtc/SdpDescription.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxDigestBytes = 64;  // sha-512

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view SdpDirectionName(SdpDirection direction) {
  switch (direction) {
    case SdpDirection::kSendRecv:
      return "sendrecv";
    case SdpDirection::kSendOnly:
      return "sendonly";
    case SdpDirection::kRecvOnly:
      return "recvonly";
    case SdpDirection::kInactive:
      return "inactive";
  }
  return "inactive";
}

std::string_view SdpSetupName(SdpSetup setup) {
  switch (setup) {
    case SdpSetup::kActpass:
      return "actpass";
    case SdpSetup::kActive:
      return "active";
    case SdpSetup::kPassive:
      return "passive";
    case SdpSetup::kNone:
      return "";
  }
  return "";
}

std::optional<SdpFingerprint> SdpFingerprint::Parse(std::string_view value) {
  // RFC 8122 §5: fingerprint-attribute = hash-func SP fingerprint; fingerprint = 2UHEX *(":" 2UHEX)
  const auto space = value.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  SdpFingerprint out;
  for (char c : value.substr(0, space)) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-') return std::nullopt;
    out.algorithm.push_back(static_cast<char>(std::tolower(u)));
  }
  std::string_view hex = value.substr(space + 1);
  while (!hex.empty() && hex.front() == ' ') hex.remove_prefix(1);
  while (!hex.empty() && hex.back() == ' ') hex.remove_suffix(1);
  // Each byte is two hex digits, bytes separated by single colons.
  if (hex.size() < 2 || (hex.size() + 1) % 3 != 0) return std::nullopt;
  for (std::size_t i = 0; i < hex.size(); i += 3) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    if (i + 2 < hex.size() && hex[i + 2] != ':') return std::nullopt;
    out.digest.push_back(static_cast<std::uint8_t>(high * 16 + low));
    if (out.digest.size() > kMaxDigestBytes) return std::nullopt;
  }
  return out;
}

std::string SdpFingerprint::ToString() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = algorithm;
  out.push_back(' ');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

bool SdpCodec::IsOpus() const {
  return EqualsIgnoreCase(encoding, "opus") && clock_rate == 48000 && channels == 2;
}

bool SdpMediaSection::Sends() const {
  return direction == SdpDirection::kSendRecv || direction == SdpDirection::kSendOnly;
}

bool SdpMediaSection::Receives() const {
  return direction == SdpDirection::kSendRecv || direction == SdpDirection::kRecvOnly;
}

const SdpCodec* SdpMediaSection::FindOpus() const {
  // Codecs are kept in m= line (preference) order by the parser.
  for (const auto& codec : codecs) {
    if (codec.IsOpus()) return &codec;
  }
  return nullptr;
}

std::optional<std::uint16_t> SdpMediaSection::ExtensionId(std::string_view uri) const {
  for (const auto& extension : extensions) {
    if (extension.uri == uri) return extension.id;
  }
  return std::nullopt;
}

const SdpMediaSection* SdpDescription::FindMid(std::string_view mid) const {
  for (const auto& section : media) {
    if (section.mid == mid) return &section;
  }
  return nullptr;
}

bool SdpDescription::InBundle(std::string_view mid) const {
  return std::find(bundle_mids.begin(), bundle_mids.end(), mid) != bundle_mids.end();
}

}  // namespace chorus::rtc
