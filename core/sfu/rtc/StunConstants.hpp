// STUN wire constants (RFC 8489 §5, §18; RFC 8445 §16.1 for the ICE attributes).
#pragma once

#include <cstddef>
#include <cstdint>

namespace chorus::rtc::stun {

inline constexpr std::uint32_t kMagicCookie = 0x2112A442;  // RFC 8489 §5
inline constexpr std::size_t kHeaderBytes = 20;
inline constexpr std::size_t kTransactionIdBytes = 12;
inline constexpr std::size_t kAttributeHeaderBytes = 4;
inline constexpr std::size_t kHmacSha1Bytes = 20;
inline constexpr std::size_t kFingerprintBytes = 4;
inline constexpr std::uint32_t kFingerprintXor = 0x5354554e;  // RFC 8489 §14.7
inline constexpr std::size_t kMaxUsernameBytes = 513;         // RFC 8489 §14.3

// Methods (RFC 8489 §18.2).
inline constexpr std::uint16_t kMethodBinding = 0x001;

// Message classes, as the two class bits C1C0 of the message type (RFC 8489 §5).
enum class StunClass : std::uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};

// Attribute types (RFC 8489 §18.3, RFC 8445 §16.1).
inline constexpr std::uint16_t kAttrMappedAddress = 0x0001;
inline constexpr std::uint16_t kAttrUsername = 0x0006;
inline constexpr std::uint16_t kAttrMessageIntegrity = 0x0008;
inline constexpr std::uint16_t kAttrErrorCode = 0x0009;
inline constexpr std::uint16_t kAttrUnknownAttributes = 0x000A;
inline constexpr std::uint16_t kAttrMessageIntegritySha256 = 0x001C;
inline constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr std::uint16_t kAttrPriority = 0x0024;
inline constexpr std::uint16_t kAttrUseCandidate = 0x0025;
inline constexpr std::uint16_t kAttrSoftware = 0x8022;
inline constexpr std::uint16_t kAttrFingerprint = 0x8028;
inline constexpr std::uint16_t kAttrIceControlled = 0x8029;
inline constexpr std::uint16_t kAttrIceControlling = 0x802A;

// Error codes used by an ICE-lite responder (RFC 8489 §14.8, RFC 8445 §7.3.1.1).
inline constexpr std::uint16_t kErrorBadRequest = 400;
inline constexpr std::uint16_t kErrorUnauthorized = 401;
inline constexpr std::uint16_t kErrorRoleConflict = 487;

// Composes a message type from a 12-bit method and a class (RFC 8489 §5, figure 3).
constexpr std::uint16_t MessageType(std::uint16_t method, StunClass cls) {
  const auto c = static_cast<std::uint16_t>(cls);
  return static_cast<std::uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                                    ((method & 0x0F80) << 2) | ((c & 0b01) << 4) |
                                    ((c & 0b10) << 7));
}

// Extracts the 12-bit method from a message type.
constexpr std::uint16_t MethodOf(std::uint16_t type) {
  return static_cast<std::uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) |
                                    ((type & 0x3E00) >> 2));
}

// Extracts the class from a message type.
constexpr StunClass ClassOf(std::uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 0b01) | ((type >> 7) & 0b10));
}

static_assert(MessageType(kMethodBinding, StunClass::kRequest) == 0x0001);
static_assert(MessageType(kMethodBinding, StunClass::kSuccessResponse) == 0x0101);
static_assert(MessageType(kMethodBinding, StunClass::kErrorResponse) == 0x0111);
static_assert(MessageType(kMethodBinding, StunClass::kIndication) == 0x0011);
static_assert(MethodOf(0x0111) == kMethodBinding);
static_assert(ClassOf(0x0111) == StunClass::kErrorResponse);

}  // namespace chorus::rtc::stun
