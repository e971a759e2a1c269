#include "rtc/RtpWriter.hpp"

#include <algorithm>
#include <cstring>

#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {
namespace {

constexpr std::uint8_t kVersionBits = 0x80;  // V=2
constexpr std::size_t kMaxOneByteId = 14;
constexpr std::size_t kMaxOneByteElementBytes = 16;
constexpr std::size_t kMaxTwoByteElementBytes = 255;

void WriteFixedHeader(const RtpHeaderFields& header, std::size_t csrc_count, bool extension,
                      std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(kVersionBits | (extension ? 0x10 : 0x00) | csrc_count);
  out[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0x00) | (header.payload_type & 0x7F));
  StoreBe16(out + 2, header.sequence);
  StoreBe32(out + 4, header.timestamp);
  StoreBe32(out + 8, header.ssrc);
}

}  // namespace

std::size_t WriteRtp(const RtpHeaderFields& header, std::span<const std::uint32_t> csrcs,
                     std::span<const RtpExtensionElement> extensions,
                     std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) {
  if (csrcs.size() > RtpPacket::kMaxCsrcs) return 0;
  bool one_byte = true;
  std::size_t elements_bytes_one = 0;
  std::size_t elements_bytes_two = 0;
  for (const auto& element : extensions) {
    if (element.id == 0 || element.data.size() > kMaxTwoByteElementBytes) return 0;
    if (element.id > kMaxOneByteId || element.data.empty() ||
        element.data.size() > kMaxOneByteElementBytes) {
      one_byte = false;
    }
    elements_bytes_one += 1 + element.data.size();
    elements_bytes_two += 2 + element.data.size();
  }
  const std::size_t elements_bytes = one_byte ? elements_bytes_one : elements_bytes_two;
  const std::size_t padded_elements = (elements_bytes + 3) / 4 * 4;
  const bool has_extension = !extensions.empty();
  const std::size_t header_bytes =
      RtpPacket::kFixedHeaderBytes + 4 * csrcs.size() + (has_extension ? 4 + padded_elements : 0);
  const std::size_t total = header_bytes + payload.size();
  if (total > out.size() || padded_elements / 4 > 0xFFFF) return 0;

  std::uint8_t* p = out.data();
  WriteFixedHeader(header, csrcs.size(), has_extension, p);
  p += RtpPacket::kFixedHeaderBytes;
  for (const std::uint32_t csrc : csrcs) {
    StoreBe32(p, csrc);
    p += 4;
  }
  if (has_extension) {
    StoreBe16(p, one_byte ? RtpPacket::kOneByteProfile : RtpPacket::kTwoByteProfile);
    StoreBe16(p + 2, static_cast<std::uint16_t>(padded_elements / 4));
    p += 4;
    std::uint8_t* const elements_begin = p;
    for (const auto& element : extensions) {
      if (one_byte) {
        *p++ = static_cast<std::uint8_t>((element.id << 4) | (element.data.size() - 1));
      } else {
        *p++ = element.id;
        *p++ = static_cast<std::uint8_t>(element.data.size());
      }
      if (!element.data.empty()) std::memcpy(p, element.data.data(), element.data.size());
      p += element.data.size();
    }
    std::fill(p, elements_begin + padded_elements, std::uint8_t{0});
    p = elements_begin + padded_elements;
  }
  if (!payload.empty()) std::memcpy(p, payload.data(), payload.size());
  return total;
}

std::size_t WriteForwarded(const RtpPacket& in, std::span<std::uint8_t> out, std::uint32_t new_ssrc,
                           std::uint16_t seq, std::uint32_t ts, bool marker, std::uint32_t csrc) {
  const auto extension_block = in.ExtensionBlock();
  const auto payload = in.Payload();
  const std::size_t total =
      RtpPacket::kFixedHeaderBytes + 4 + extension_block.size() + payload.size();
  if (total > out.size()) return 0;
  const RtpHeaderFields header{in.PayloadType(), marker, seq, ts, new_ssrc};
  std::uint8_t* p = out.data();
  WriteFixedHeader(header, 1, !extension_block.empty(), p);
  p += RtpPacket::kFixedHeaderBytes;
  StoreBe32(p, csrc);
  p += 4;
  if (!extension_block.empty()) {
    std::memcpy(p, extension_block.data(), extension_block.size());
    p += extension_block.size();
  }
  if (!payload.empty()) std::memcpy(p, payload.data(), payload.size());
  return total;
}

std::size_t WriteForwarded(const RtpPacket& in, std::span<std::uint8_t> out, std::uint32_t new_ssrc,
                           std::uint16_t seq, std::uint32_t ts, bool marker, std::uint32_t csrc,
                           std::span<const RtpExtensionElement> extensions) {
  const RtpHeaderFields header{in.PayloadType(), marker, seq, ts, new_ssrc};
  return WriteRtp(header, std::span<const std::uint32_t>(&csrc, 1), extensions, in.Payload(), out);
}

}  // namespace chorus::rtc
