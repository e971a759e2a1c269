// The SRTP key derivation function (RFC 3711 §4.3) with the AES-CM PRF (RFC 3711 §4.3.3), which
// RFC 7714 §11 also uses for AEAD_AES_128_GCM. Only key_derivation_rate 0 (the DTLS-SRTP default).
#pragma once

#include <cstdint>
#include <span>

namespace chorus::rtc {

// Labels of RFC 3711 §4.3.1 (SRTP) and §4.3.2 (SRTCP).
enum class SrtpKdfLabel : std::uint8_t {
  kRtpCipherKey = 0x00,
  kRtpSalt = 0x02,
  kRtcpCipherKey = 0x03,
  kRtcpSalt = 0x05,
};

// Derives out.size() (at most 16) bytes of the session key or salt named by `label` from a
// 16-byte AES-128 master key and a master salt of at most 14 bytes (a 12-byte AEAD salt is
// padded with zero bits on the right to the PRF's 112 bits, as libsrtp2 does). Returns false on
// bad sizes or an OpenSSL failure.
bool DeriveSrtpKey(std::span<const std::uint8_t> master_key,
                   std::span<const std::uint8_t> master_salt, SrtpKdfLabel label,
                   std::span<std::uint8_t> out);

}  // namespace chorus::rtc
