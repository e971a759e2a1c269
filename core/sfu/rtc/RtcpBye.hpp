// BYE packets (RFC 3550 §6.6) as a view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/RtcpCompound.hpp"

namespace chorus::rtc {

class RtcpBye {
 public:
  // Parses a BYE; nullopt when it is not BYE or the SSRC list or reason overrun the packet.
  static std::optional<RtcpBye> Parse(const RtcpPacketView& packet);

  std::size_t SsrcCount() const { return ssrc_count_; }
  // The i-th SSRC leaving (i < SsrcCount()).
  std::uint32_t Ssrc(std::size_t i) const;
  // The optional reason for leaving; empty when absent.
  std::string_view Reason() const { return reason_; }

 private:
  RtcpBye() = default;

  std::span<const std::uint8_t> body_;
  std::size_t ssrc_count_ = 0;
  std::string_view reason_;
};

}  // namespace chorus::rtc
