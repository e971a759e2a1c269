#include "rtc/RtcpBye.hpp"

#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {

std::optional<RtcpBye> RtcpBye::Parse(const RtcpPacketView& packet) {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::kBye)) return std::nullopt;
  RtcpBye bye;
  bye.body_ = packet.body;
  bye.ssrc_count_ = packet.count;
  const std::size_t list_bytes = 4 * bye.ssrc_count_;
  if (list_bytes > packet.body.size()) return std::nullopt;
  if (packet.body.size() > list_bytes) {
    const std::size_t length = packet.body[list_bytes];
    if (list_bytes + 1 + length > packet.body.size()) return std::nullopt;
    bye.reason_ =
        std::string_view(reinterpret_cast<const char*>(&packet.body[list_bytes + 1]), length);
  }
  return bye;
}

std::uint32_t RtcpBye::Ssrc(std::size_t i) const {
  if (i >= ssrc_count_) return 0;
  return LoadBe32(&body_[4 * i]);
}

}  // namespace chorus::rtc
