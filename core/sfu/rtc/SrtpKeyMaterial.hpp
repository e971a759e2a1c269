// SRTP protection profiles negotiated through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2) and the
// keys exported for them (RFC 5764 §4.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace chorus::rtc {

enum class SrtpProfile {
  kAeadAes128Gcm,       // SRTP_AEAD_AES_128_GCM, 0x0007 (RFC 7714): preferred, cheaper per packet
  kAes128CmHmacSha1_80  // SRTP_AES128_CM_HMAC_SHA1_80, 0x0001 (RFC 5764)
};

// Master key length in bytes for `profile`.
constexpr std::size_t SrtpMasterKeyBytes(SrtpProfile /*profile*/) {
  return 16;
}

// Master salt length in bytes: 12 for AEAD (RFC 7714 §14.2), 14 for AES-CM (RFC 3711 §8.2).
constexpr std::size_t SrtpMasterSaltBytes(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}

// Key plus salt, the layout libsrtp2 takes as one master key buffer.
constexpr std::size_t SrtpKeySaltBytes(SrtpProfile profile) {
  return SrtpMasterKeyBytes(profile) + SrtpMasterSaltBytes(profile);
}

// Name of the profile as OpenSSL and RFC 5764 spell it.
constexpr std::string_view SrtpProfileName(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM"
                                                : "SRTP_AES128_CM_SHA1_80";
}

// What a finished DTLS-SRTP handshake yields. local_key_salt protects what we send (outbound),
// remote_key_salt unprotects what the peer sends (inbound); each is master key || master salt.
struct SrtpKeyMaterial {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<std::uint8_t> local_key_salt;
  std::vector<std::uint8_t> remote_key_salt;
};

}  // namespace chorus::rtc
