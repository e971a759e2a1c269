// SDES packets (RFC 3550 §6.5) as a validated view with allocation-free item iteration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/RtcpCompound.hpp"
#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {

// One SDES item of one chunk.
struct SdesItem {
  std::uint32_t ssrc = 0;
  std::uint8_t type = 0;  // 1 = CNAME (RFC 3550 §6.5.1)
  std::string_view text;
};

class RtcpSdes {
 public:
  static constexpr std::uint8_t kCname = 1;

  // Validates every chunk of an SDES packet; nullopt when it is not SDES or is malformed.
  static std::optional<RtcpSdes> Parse(const RtcpPacketView& packet);

  // Calls f(const SdesItem&) for every item of every chunk, in order.
  template <typename F>
  void ForEachItem(F&& f) const {
    Walk([&](const SdesItem& item) {
      f(item);
      return true;
    });
  }

  // The CNAME given for `ssrc`, if any.
  std::optional<std::string_view> FindCname(std::uint32_t ssrc) const;

  std::size_t ChunkCount() const { return chunk_count_; }

 private:
  RtcpSdes() = default;

  // Walks chunks; `visit` returns false to stop. Returns false on malformed data.
  template <typename V>
  bool Walk(V&& visit) const;

  std::span<const std::uint8_t> body_;
  std::size_t chunk_count_ = 0;
};

template <typename V>
bool RtcpSdes::Walk(V&& visit) const {
  std::size_t offset = 0;
  for (std::size_t chunk = 0; chunk < chunk_count_; ++chunk) {
    if (offset + 4 > body_.size()) return false;
    const std::uint32_t ssrc = LoadBe32(&body_[offset]);
    offset += 4;
    // Items until a null octet; then padding to the next 32-bit boundary (§6.5).
    while (true) {
      if (offset >= body_.size()) return false;
      const std::uint8_t type = body_[offset];
      if (type == 0) break;
      if (offset + 2 > body_.size()) return false;
      const std::size_t length = body_[offset + 1];
      if (offset + 2 + length > body_.size()) return false;
      const SdesItem item{
          ssrc, type, std::string_view(reinterpret_cast<const char*>(&body_[offset + 2]), length)};
      offset += 2 + length;
      if (!visit(item)) return true;
    }
    offset = (offset + 4) / 4 * 4;  // the null octet plus padding
    if (offset > body_.size()) return false;
  }
  return true;
}

}  // namespace chorus::rtc
