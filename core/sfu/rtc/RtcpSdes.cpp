#include "rtc/RtcpSdes.hpp"

namespace chorus::rtc {

std::optional<RtcpSdes> RtcpSdes::Parse(const RtcpPacketView& packet) {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::kSdes)) return std::nullopt;
  RtcpSdes sdes;
  sdes.body_ = packet.body;
  sdes.chunk_count_ = packet.count;
  if (!sdes.Walk([](const SdesItem&) { return true; })) return std::nullopt;
  return sdes;
}

std::optional<std::string_view> RtcpSdes::FindCname(std::uint32_t ssrc) const {
  std::optional<std::string_view> found;
  Walk([&](const SdesItem& item) {
    if (item.ssrc == ssrc && item.type == kCname) {
      found = item.text;
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace chorus::rtc
