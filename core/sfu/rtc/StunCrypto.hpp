// The two digests STUN needs: HMAC-SHA1 for MESSAGE-INTEGRITY (RFC 8489 §14.5) through OpenSSL,
// and CRC-32 for FINGERPRINT (RFC 8489 §14.7) through zlib. Both take the 20-byte header
// separately, because the length field it carries must be rewritten before hashing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtc/StunConstants.hpp"

namespace chorus::rtc::stun {

// HMAC-SHA1(key, header || body) into `out` (RFC 2104 over OpenSSL SHA-1), allocation-free.
// Returns false if OpenSSL fails.
bool HmacSha1(std::string_view key, std::span<const std::uint8_t> header,
              std::span<const std::uint8_t> body, std::array<std::uint8_t, kHmacSha1Bytes>& out);

// CRC-32 (ISO HDLC, as zlib) of header || body, XORed with 0x5354554e as FINGERPRINT wants.
std::uint32_t FingerprintCrc(std::span<const std::uint8_t> header,
                             std::span<const std::uint8_t> body);

}  // namespace chorus::rtc::stun
