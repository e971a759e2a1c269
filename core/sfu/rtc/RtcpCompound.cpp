#include "rtc/RtcpCompound.hpp"

#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {

std::optional<RtcpPacketView> RtcpCompound::Next() {
  if (malformed_ || offset_ >= data_.size()) return std::nullopt;
  const auto rest = data_.subspan(offset_);
  // RFC 3550 §6.4.1: V=2, P, count, PT, length in 32-bit words minus one.
  if (rest.size() < kHeaderBytes || (rest[0] >> 6) != 2) {
    malformed_ = true;
    return std::nullopt;
  }
  const std::size_t packet_bytes = (std::size_t{LoadBe16(&rest[2])} + 1) * 4;
  if (packet_bytes > rest.size()) {
    malformed_ = true;
    return std::nullopt;
  }
  RtcpPacketView view;
  view.count = rest[0] & 0x1F;
  view.type = rest[1];
  view.packet = rest.first(packet_bytes);
  std::size_t body_bytes = packet_bytes - kHeaderBytes;
  if ((rest[0] & 0x20) != 0) {
    // The last octet counts the padding octets, itself included.
    const std::size_t padding = view.packet.back();
    if (padding == 0 || padding > body_bytes) {
      malformed_ = true;
      return std::nullopt;
    }
    body_bytes -= padding;
  }
  view.body = view.packet.subspan(kHeaderBytes, body_bytes);
  offset_ += packet_bytes;
  return view;
}

bool RtcpCompound::Validate(std::span<const std::uint8_t> data) {
  RtcpCompound compound(data);
  std::size_t packets = 0;
  while (compound.Next()) ++packets;
  return packets > 0 && !compound.Malformed();
}

}  // namespace chorus::rtc
