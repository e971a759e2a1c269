#include "rtc/RtpPacket.hpp"

#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {
namespace {

constexpr std::uint8_t kRtpVersion = 2;
constexpr std::uint8_t kRtcpTypeFirst = 64;  // RFC 5761 §4: PT 64..95 collides with RTCP 192..223
constexpr std::uint8_t kRtcpTypeLast = 95;
constexpr std::uint8_t kOneByteReservedId = 15;  // RFC 8285 §4.2: stop parsing

// RFC 7983 §7: first byte 128..191 is RTP or RTCP.
bool HasRtpFirstByte(std::span<const std::uint8_t> data) {
  return !data.empty() && data[0] >= 128 && data[0] <= 191;
}

// Finds element `id` in an RFC 8285 one-byte (§4.2) or two-byte (§4.3) block.
std::span<const std::uint8_t> FindElement(std::span<const std::uint8_t> block, bool one_byte,
                                          std::uint8_t id) {
  std::size_t i = 0;
  while (i < block.size()) {
    if (block[i] == 0) {  // padding byte
      ++i;
      continue;
    }
    std::uint8_t element_id = 0;
    std::size_t length = 0;
    if (one_byte) {
      element_id = block[i] >> 4;
      if (element_id == kOneByteReservedId) return {};
      length = (block[i] & 0x0F) + 1u;
      ++i;
    } else {
      if (i + 2 > block.size()) return {};
      element_id = block[i];
      length = block[i + 1];
      i += 2;
    }
    if (length > block.size() - i) return {};
    if (element_id == id) return block.subspan(i, length);
    i += length;
  }
  return {};
}

}  // namespace

bool RtpPacket::IsRtp(std::span<const std::uint8_t> data) {
  if (data.size() < kFixedHeaderBytes || !HasRtpFirstByte(data)) return false;
  const std::uint8_t pt = data[1] & 0x7F;
  return pt < kRtcpTypeFirst || pt > kRtcpTypeLast;
}

bool RtpPacket::IsRtcp(std::span<const std::uint8_t> data) {
  // RFC 3550 §6.4: the smallest RTCP packet (an empty RR) is 8 bytes.
  if (data.size() < 8 || !HasRtpFirstByte(data)) return false;
  const std::uint8_t pt = data[1] & 0x7F;
  return pt >= kRtcpTypeFirst && pt <= kRtcpTypeLast;
}

std::optional<RtpPacket> RtpPacket::Parse(std::span<std::uint8_t> data) {
  if (data.size() < kFixedHeaderBytes) return std::nullopt;
  if ((data[0] >> 6) != kRtpVersion) return std::nullopt;
  RtpPacket packet(data);
  std::size_t offset = kFixedHeaderBytes + 4 * packet.CsrcCount();
  if (offset > data.size()) return std::nullopt;
  if (packet.HasExtension()) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the elements.
    if (offset + 4 > data.size()) return std::nullopt;
    packet.ext_offset_ = offset;
    packet.ext_profile_ = LoadBe16(&data[offset]);
    const std::size_t ext_bytes = std::size_t{LoadBe16(&data[offset + 2])} * 4;
    offset += 4;
    if (ext_bytes > data.size() - offset) return std::nullopt;
    packet.ext_bytes_ = ext_bytes;
    offset += ext_bytes;
  }
  std::size_t padding = 0;
  if (packet.HasPadding()) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    padding = data.back();
    if (padding == 0 || padding > data.size() - offset) return std::nullopt;
  }
  packet.payload_offset_ = offset;
  packet.payload_bytes_ = data.size() - offset - padding;
  packet.padding_bytes_ = padding;
  return packet;
}

std::uint16_t RtpPacket::Sequence() const {
  return LoadBe16(&data_[2]);
}
std::uint32_t RtpPacket::Timestamp() const {
  return LoadBe32(&data_[4]);
}
std::uint32_t RtpPacket::Ssrc() const {
  return LoadBe32(&data_[8]);
}

std::uint32_t RtpPacket::Csrc(std::size_t i) const {
  if (i >= CsrcCount()) return 0;
  return LoadBe32(&data_[kFixedHeaderBytes + 4 * i]);
}

std::span<const std::uint8_t> RtpPacket::ExtensionData() const {
  if (ext_offset_ == 0) return {};
  return std::span<const std::uint8_t>(data_).subspan(ext_offset_ + 4, ext_bytes_);
}

std::span<const std::uint8_t> RtpPacket::ExtensionBlock() const {
  if (ext_offset_ == 0) return {};
  return std::span<const std::uint8_t>(data_).subspan(ext_offset_, ext_bytes_ + 4);
}

std::span<const std::uint8_t> RtpPacket::GetExtension(std::uint8_t id) const {
  if (ext_offset_ == 0 || id == 0) return {};
  if (ext_profile_ == kOneByteProfile) {
    if (id >= kOneByteReservedId) return {};
    return FindElement(ExtensionData(), true, id);
  }
  if ((ext_profile_ & kTwoByteProfileMask) == kTwoByteProfile) {
    return FindElement(ExtensionData(), false, id);
  }
  return {};
}

std::optional<AudioLevel> RtpPacket::ReadAudioLevel(std::uint8_t ext_id) const {
  const auto element = GetExtension(ext_id);
  if (element.empty()) return std::nullopt;
  // RFC 6464 §3: V bit then a 7-bit level in -dBov.
  return AudioLevel{static_cast<std::uint8_t>(element[0] & 0x7F), (element[0] & 0x80) != 0};
}

void RtpPacket::SetSsrc(std::uint32_t ssrc) {
  StoreBe32(&data_[8], ssrc);
}
void RtpPacket::SetSequence(std::uint16_t seq) {
  StoreBe16(&data_[2], seq);
}
void RtpPacket::SetTimestamp(std::uint32_t ts) {
  StoreBe32(&data_[4], ts);
}

void RtpPacket::SetMarker(bool marker) {
  data_[1] = static_cast<std::uint8_t>((data_[1] & 0x7F) | (marker ? 0x80 : 0x00));
}

void RtpPacket::SetPayloadType(std::uint8_t pt) {
  data_[1] = static_cast<std::uint8_t>((data_[1] & 0x80) | (pt & 0x7F));
}

}  // namespace chorus::rtc
