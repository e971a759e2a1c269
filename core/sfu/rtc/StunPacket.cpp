#include "rtc/StunPacket.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstring>

#include "rtc/StunCrypto.hpp"

namespace chorus::rtc {
namespace {

using namespace stun;

// A STUN message fits a UDP datagram, and every offset we keep must fit 16 bits.
constexpr std::size_t kMaxMessageBytes = 0xFFFF;

std::uint16_t ReadU16At(std::span<const std::uint8_t> data, std::size_t offset) {
  return static_cast<std::uint16_t>((data[offset] << 8) | data[offset + 1]);
}

std::uint32_t ReadU32At(std::span<const std::uint8_t> data, std::size_t offset) {
  return (static_cast<std::uint32_t>(data[offset]) << 24) |
         (static_cast<std::uint32_t>(data[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(data[offset + 2]) << 8) |
         static_cast<std::uint32_t>(data[offset + 3]);
}

// A copy of the header with its length field replaced, for the digests of §14.5 and §14.7.
std::array<std::uint8_t, kHeaderBytes> HeaderWithLength(std::span<const std::uint8_t> data,
                                                        std::size_t length) {
  std::array<std::uint8_t, kHeaderBytes> header;
  std::memcpy(header.data(), data.data(), kHeaderBytes);
  header[2] = static_cast<std::uint8_t>(length >> 8);
  header[3] = static_cast<std::uint8_t>(length & 0xff);
  return header;
}

}  // namespace

bool StunPacket::IsStun(std::span<const std::uint8_t> data) {
  return data.size() >= kHeaderBytes && data[0] <= 3 && ReadU32At(data, 4) == kMagicCookie;
}

std::optional<StunPacket> StunPacket::Parse(std::span<const std::uint8_t> data) {
  if (data.size() > kMaxMessageBytes || !IsStun(data)) return std::nullopt;
  // RFC 8489 §5: the two most significant bits are zero (IsStun checked byte 0 <= 3) and the
  // length, which excludes the header, is a multiple of 4 and matches what arrived.
  const std::size_t length = ReadU16At(data, 2);
  if (length % 4 != 0 || length + kHeaderBytes != data.size()) return std::nullopt;

  StunPacket packet(data);
  packet.type_ = ReadU16At(data, 0);
  bool after_integrity = false;
  std::size_t offset = kHeaderBytes;
  while (offset < data.size()) {
    if (data.size() - offset < kAttributeHeaderBytes) return std::nullopt;
    if (packet.fingerprint_offset_ != 0) return std::nullopt;  // FINGERPRINT must be last
    const std::uint16_t attr_type = ReadU16At(data, offset);
    const std::size_t attr_length = ReadU16At(data, offset + 2);
    const std::size_t value_offset = offset + kAttributeHeaderBytes;
    const std::size_t padded = (attr_length + 3) & ~std::size_t{3};
    if (data.size() - value_offset < padded) return std::nullopt;
    const auto value16 = static_cast<std::uint16_t>(value_offset);

    if (attr_type == kAttrFingerprint) {
      if (attr_length != kFingerprintBytes) return std::nullopt;
      packet.fingerprint_offset_ = static_cast<std::uint16_t>(offset);
    } else if (after_integrity) {
      // RFC 8489 §14.5: everything after MESSAGE-INTEGRITY but FINGERPRINT is ignored.
    } else {
      switch (attr_type) {
        case kAttrMessageIntegrity:
          if (attr_length != kHmacSha1Bytes) return std::nullopt;
          packet.integrity_offset_ = static_cast<std::uint16_t>(offset);
          after_integrity = true;
          break;
        case kAttrUsername:
          if (attr_length > kMaxUsernameBytes) return std::nullopt;
          if (packet.username_offset_ == 0) {
            packet.username_offset_ = value16;
            packet.username_length_ = static_cast<std::uint16_t>(attr_length);
          }
          break;
        case kAttrPriority:
          if (attr_length != 4) return std::nullopt;
          if (packet.priority_offset_ == 0) packet.priority_offset_ = value16;
          break;
        case kAttrUseCandidate:
          if (attr_length != 0) return std::nullopt;
          packet.use_candidate_ = true;
          break;
        case kAttrIceControlling:
          if (attr_length != 8) return std::nullopt;
          if (packet.controlling_offset_ == 0) packet.controlling_offset_ = value16;
          break;
        case kAttrIceControlled:
          if (attr_length != 8) return std::nullopt;
          if (packet.controlled_offset_ == 0) packet.controlled_offset_ = value16;
          break;
        case kAttrXorMappedAddress:
          if (attr_length != 8 && attr_length != 20) return std::nullopt;
          if (packet.xor_mapped_offset_ == 0) {
            packet.xor_mapped_offset_ = value16;
            packet.xor_mapped_length_ = static_cast<std::uint16_t>(attr_length);
          }
          break;
        case kAttrErrorCode:
          if (attr_length < 4 || attr_length > 4 + 763) return std::nullopt;
          if (packet.error_code_offset_ == 0) {
            packet.error_code_offset_ = value16;
            packet.error_code_length_ = static_cast<std::uint16_t>(attr_length);
          }
          break;
        default:
          break;  // other attributes are skipped
      }
    }
    offset = value_offset + padded;
  }
  return packet;
}

std::uint32_t StunPacket::ReadU32(std::size_t offset) const {
  return ReadU32At(data_, offset);
}

std::uint64_t StunPacket::ReadU64(std::size_t offset) const {
  return (static_cast<std::uint64_t>(ReadU32(offset)) << 32) | ReadU32(offset + 4);
}

std::optional<std::string_view> StunPacket::Username() const {
  if (username_offset_ == 0) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(data_.data() + username_offset_),
                          username_length_);
}

std::optional<std::uint32_t> StunPacket::Priority() const {
  if (priority_offset_ == 0) return std::nullopt;
  return ReadU32(priority_offset_);
}

std::optional<std::uint64_t> StunPacket::IceControlling() const {
  if (controlling_offset_ == 0) return std::nullopt;
  return ReadU64(controlling_offset_);
}

std::optional<std::uint64_t> StunPacket::IceControlled() const {
  if (controlled_offset_ == 0) return std::nullopt;
  return ReadU64(controlled_offset_);
}

std::optional<TransportAddress> StunPacket::XorMappedAddress() const {
  if (xor_mapped_offset_ == 0) return std::nullopt;
  // RFC 8489 §14.2: 0x00, family, X-Port (port XOR the cookie's high 16 bits), X-Address
  // (IPv4 XOR the cookie; IPv6 XOR cookie || transaction id).
  const std::uint8_t family = data_[xor_mapped_offset_ + 1];
  const auto port =
      static_cast<std::uint16_t>(ReadU16At(data_, xor_mapped_offset_ + 2) ^ (kMagicCookie >> 16));
  const std::uint8_t* x_address = data_.data() + xor_mapped_offset_ + 4;
  // The XOR mask is the cookie followed by the transaction id: bytes 4..19 of the header.
  const std::uint8_t* mask = data_.data() + 4;
  if (family == 0x01 && xor_mapped_length_ == 8) {
    std::array<std::uint8_t, 4> ip;
    for (std::size_t i = 0; i < ip.size(); ++i) ip[i] = x_address[i] ^ mask[i];
    return TransportAddress::FromIpv4(ip, port);
  }
  if (family == 0x02 && xor_mapped_length_ == 20) {
    std::array<std::uint8_t, 16> ip;
    for (std::size_t i = 0; i < ip.size(); ++i) ip[i] = x_address[i] ^ mask[i];
    return TransportAddress::FromIpv6(ip, port);
  }
  return std::nullopt;
}

std::optional<StunErrorCode> StunPacket::ErrorCode() const {
  if (error_code_offset_ == 0) return std::nullopt;
  // RFC 8489 §14.8: 21 reserved bits, class (3 bits, 3..6), number (8 bits, 0..99).
  const std::uint8_t error_class = data_[error_code_offset_ + 2] & 0x07;
  const std::uint8_t number = data_[error_code_offset_ + 3];
  if (error_class < 3 || error_class > 6 || number > 99) return std::nullopt;
  StunErrorCode result;
  result.code = static_cast<std::uint16_t>(error_class * 100 + number);
  result.reason =
      std::string_view(reinterpret_cast<const char*>(data_.data() + error_code_offset_ + 4),
                       error_code_length_ - 4u);
  return result;
}

bool StunPacket::CheckIntegrity(std::string_view key) const {
  if (integrity_offset_ == 0) return false;
  // The length field must cover the message up to and including MESSAGE-INTEGRITY, ignoring a
  // FINGERPRINT that may follow (RFC 8489 §14.5).
  const std::size_t covered = integrity_offset_ + kAttributeHeaderBytes + kHmacSha1Bytes;
  const auto header = HeaderWithLength(data_, covered - kHeaderBytes);
  std::array<std::uint8_t, kHmacSha1Bytes> expected;
  if (!HmacSha1(key, header, data_.subspan(kHeaderBytes, integrity_offset_ - kHeaderBytes),
                expected)) {
    return false;
  }
  return CRYPTO_memcmp(expected.data(), data_.data() + integrity_offset_ + kAttributeHeaderBytes,
                       expected.size()) == 0;
}

bool StunPacket::CheckFingerprint() const {
  if (fingerprint_offset_ == 0) return false;
  // FINGERPRINT is last, so the header's length already covers it as §14.7 requires.
  const std::uint32_t crc = FingerprintCrc(
      data_.first(kHeaderBytes), data_.subspan(kHeaderBytes, fingerprint_offset_ - kHeaderBytes));
  return crc == ReadU32(fingerprint_offset_ + kAttributeHeaderBytes);
}

}  // namespace chorus::rtc
