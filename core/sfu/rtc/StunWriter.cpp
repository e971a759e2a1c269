#include "rtc/StunWriter.hpp"

#include <array>
#include <cstring>

#include "rtc/StunCrypto.hpp"

namespace chorus::rtc {
namespace {

using namespace stun;

constexpr std::size_t kMaxReasonBytes = 763;  // RFC 8489 §14.8
constexpr std::size_t kMaxSoftwareBytes = 763;

void WriteU16(std::uint8_t* p, std::uint16_t value) {
  p[0] = static_cast<std::uint8_t>(value >> 8);
  p[1] = static_cast<std::uint8_t>(value & 0xff);
}

void WriteU32(std::uint8_t* p, std::uint32_t value) {
  WriteU16(p, static_cast<std::uint16_t>(value >> 16));
  WriteU16(p + 2, static_cast<std::uint16_t>(value & 0xffff));
}

void WriteU64(std::uint8_t* p, std::uint64_t value) {
  WriteU32(p, static_cast<std::uint32_t>(value >> 32));
  WriteU32(p + 4, static_cast<std::uint32_t>(value & 0xffffffff));
}

}  // namespace

StunWriter::StunWriter(std::span<std::uint8_t> out, std::uint16_t type,
                       std::span<const std::uint8_t, kTransactionIdBytes> transaction_id)
    : out_(out) {
  if (out_.size() < kHeaderBytes) {
    failed_ = true;
    return;
  }
  WriteU16(out_.data(), type & 0x3FFF);
  WriteU16(out_.data() + 2, 0);
  WriteU32(out_.data() + 4, kMagicCookie);
  // memmove: a response may be written over the request it answers.
  std::memmove(out_.data() + 8, transaction_id.data(), kTransactionIdBytes);
  size_ = kHeaderBytes;
}

std::uint8_t* StunWriter::Append(std::uint16_t attr_type, std::size_t value_length) {
  if (failed_) return nullptr;
  const std::size_t padded = (value_length + 3) & ~std::size_t{3};
  if (value_length > 0xFFFF || out_.size() - size_ < kAttributeHeaderBytes + padded ||
      size_ + kAttributeHeaderBytes + padded - kHeaderBytes > 0xFFFF) {
    failed_ = true;
    return nullptr;
  }
  std::uint8_t* p = out_.data() + size_;
  WriteU16(p, attr_type);
  WriteU16(p + 2, static_cast<std::uint16_t>(value_length));
  // Padding bytes are zero (RFC 8489 §14 says their content is ignored; zero is deterministic).
  std::memset(p + kAttributeHeaderBytes + value_length, 0, padded - value_length);
  size_ += kAttributeHeaderBytes + padded;
  SetHeaderLength(size_ - kHeaderBytes);
  return p + kAttributeHeaderBytes;
}

void StunWriter::SetHeaderLength(std::size_t body_length) {
  WriteU16(out_.data() + 2, static_cast<std::uint16_t>(body_length));
}

bool StunWriter::AddUsername(std::string_view username) {
  if (username.size() > kMaxUsernameBytes) {
    failed_ = true;
    return false;
  }
  std::uint8_t* value = Append(kAttrUsername, username.size());
  if (value == nullptr) return false;
  std::memcpy(value, username.data(), username.size());
  return true;
}

bool StunWriter::AddPriority(std::uint32_t priority) {
  std::uint8_t* value = Append(kAttrPriority, 4);
  if (value == nullptr) return false;
  WriteU32(value, priority);
  return true;
}

bool StunWriter::AddUseCandidate() {
  return Append(kAttrUseCandidate, 0) != nullptr;
}

bool StunWriter::AddIceControlling(std::uint64_t tie_breaker) {
  std::uint8_t* value = Append(kAttrIceControlling, 8);
  if (value == nullptr) return false;
  WriteU64(value, tie_breaker);
  return true;
}

bool StunWriter::AddIceControlled(std::uint64_t tie_breaker) {
  std::uint8_t* value = Append(kAttrIceControlled, 8);
  if (value == nullptr) return false;
  WriteU64(value, tie_breaker);
  return true;
}

bool StunWriter::AddXorMappedAddress(const TransportAddress& address) {
  std::uint8_t ip[16];
  const std::size_t ip_length = address.IpBytes(ip);
  if (ip_length == 0) {
    failed_ = true;
    return false;
  }
  std::uint8_t* value = Append(kAttrXorMappedAddress, 4 + ip_length);
  if (value == nullptr) return false;
  // RFC 8489 §14.2: XOR with the cookie (and for IPv6 the transaction id): header bytes 4..19.
  const std::uint8_t* mask = out_.data() + 4;
  value[0] = 0;
  value[1] = ip_length == 4 ? 0x01 : 0x02;
  WriteU16(value + 2, static_cast<std::uint16_t>(address.Port() ^ (kMagicCookie >> 16)));
  for (std::size_t i = 0; i < ip_length; ++i) value[4 + i] = ip[i] ^ mask[i];
  return true;
}

bool StunWriter::AddErrorCode(std::uint16_t code, std::string_view reason) {
  if (code < 300 || code > 699 || reason.size() > kMaxReasonBytes) {
    failed_ = true;
    return false;
  }
  std::uint8_t* value = Append(kAttrErrorCode, 4 + reason.size());
  if (value == nullptr) return false;
  value[0] = 0;
  value[1] = 0;
  value[2] = static_cast<std::uint8_t>(code / 100);
  value[3] = static_cast<std::uint8_t>(code % 100);
  std::memcpy(value + 4, reason.data(), reason.size());
  return true;
}

bool StunWriter::AddSoftware(std::string_view software) {
  if (software.size() > kMaxSoftwareBytes) {
    failed_ = true;
    return false;
  }
  std::uint8_t* value = Append(kAttrSoftware, software.size());
  if (value == nullptr) return false;
  std::memcpy(value, software.data(), software.size());
  return true;
}

bool StunWriter::AddMessageIntegrity(std::string_view key) {
  const std::size_t attr_offset = size_;
  // Append sets the header length to cover the attribute, exactly what §14.5 hashes with.
  std::uint8_t* value = Append(kAttrMessageIntegrity, kHmacSha1Bytes);
  if (value == nullptr) return false;
  std::array<std::uint8_t, kHmacSha1Bytes> hmac;
  if (!HmacSha1(key, out_.first(kHeaderBytes),
                out_.subspan(kHeaderBytes, attr_offset - kHeaderBytes), hmac)) {
    failed_ = true;
    return false;
  }
  std::memcpy(value, hmac.data(), hmac.size());
  return true;
}

bool StunWriter::AddFingerprint() {
  const std::size_t attr_offset = size_;
  std::uint8_t* value = Append(kAttrFingerprint, kFingerprintBytes);
  if (value == nullptr) return false;
  WriteU32(value, FingerprintCrc(out_.first(kHeaderBytes),
                                 out_.subspan(kHeaderBytes, attr_offset - kHeaderBytes)));
  return true;
}

std::size_t StunWriter::WriteBindingSuccess(
    std::span<std::uint8_t> out, std::span<const std::uint8_t, kTransactionIdBytes> request_id,
    const TransportAddress& mapped, std::string_view key) {
  StunWriter writer(out, MessageType(kMethodBinding, StunClass::kSuccessResponse), request_id);
  writer.AddXorMappedAddress(mapped);
  writer.AddMessageIntegrity(key);
  writer.AddFingerprint();
  return writer.Finish();
}

std::size_t StunWriter::WriteBindingRequest(std::span<std::uint8_t> out,
                                            std::span<const std::uint8_t, kTransactionIdBytes> id,
                                            const StunBindingRequestParams& params) {
  StunWriter writer(out, MessageType(kMethodBinding, StunClass::kRequest), id);
  writer.AddUsername(params.username);
  writer.AddPriority(params.priority);
  if (params.controlling) {
    writer.AddIceControlling(params.tie_breaker);
  } else {
    writer.AddIceControlled(params.tie_breaker);
  }
  if (params.use_candidate) writer.AddUseCandidate();
  writer.AddMessageIntegrity(params.password);
  writer.AddFingerprint();
  return writer.Finish();
}

std::size_t StunWriter::WriteBindingError(
    std::span<std::uint8_t> out, std::span<const std::uint8_t, kTransactionIdBytes> request_id,
    std::uint16_t code, std::string_view reason, std::string_view key) {
  StunWriter writer(out, MessageType(kMethodBinding, StunClass::kErrorResponse), request_id);
  writer.AddErrorCode(code, reason);
  if (!key.empty()) writer.AddMessageIntegrity(key);
  writer.AddFingerprint();
  return writer.Finish();
}

}  // namespace chorus::rtc
