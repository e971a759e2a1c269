// AEAD_AES_128_GCM SRTP/SRTCP (RFC 7714) on OpenSSL's EVP, without per-packet allocation: one
// EVP_CIPHER_CTX for SRTP and one for SRTCP are keyed once and re-initialised with each
// packet's IV. Used by SrtpSession for SrtpProfile::kAeadAes128Gcm.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtc/SrtpReplayWindow.hpp"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX, kept out of this header

namespace chorus::rtc {

// Thread affinity: not thread-safe; one worker thread per instance.
class SrtpGcm {
 public:
  static constexpr std::size_t kTagBytes = 16;        // RFC 7714 §14.2
  static constexpr std::size_t kSrtcpIndexBytes = 4;  // E flag || 31-bit SRTCP index
  static constexpr std::size_t kMasterKeyBytes = 16;
  static constexpr std::size_t kMasterSaltBytes = 12;
  // SSRCs tracked per session (a stream per SSRC for SRTP and SRTCP each). An SFU session sees
  // a handful; packets of further SSRCs are refused (Status::kOther) rather than evicting state.
  static constexpr std::size_t kMaxSsrcs = 32;

  enum class Status { kOk, kAuthFailure, kReplay, kOther };

  // Keys a session from master key || master salt (28 bytes) through the SRTP KDF (RFC 7714
  // §11). `outbound` selects encryption (Protect*) or decryption (Unprotect*). Returns nullptr
  // on a wrong size or an OpenSSL failure.
  static std::unique_ptr<SrtpGcm> Create(bool outbound, std::span<const std::uint8_t> key_salt);

  ~SrtpGcm();
  SrtpGcm(const SrtpGcm&) = delete;
  SrtpGcm& operator=(const SrtpGcm&) = delete;

  // Encrypts the RTP payload in place and appends the 16-byte tag (RFC 7714 §8): *len grows by
  // kTagBytes. The caller guarantees capacity. kReplay if this SSRC's index was already used.
  Status ProtectRtp(std::uint8_t* data, std::size_t* len);

  // Verifies and decrypts in place (RFC 7714 §8.2); *len shrinks by kTagBytes. On kAuthFailure
  // the payload bytes are unspecified (decrypted before the tag check): drop the packet.
  Status UnprotectRtp(std::uint8_t* data, std::size_t* len);

  // Encrypts the RTCP packet after its first 8 bytes, then appends the tag and E || SRTCP index
  // (RFC 7714 §9): *len grows by kTagBytes + kSrtcpIndexBytes.
  Status ProtectRtcp(std::uint8_t* data, std::size_t* len);

  // Verifies and decrypts an SRTCP packet (E = 1) or verifies an authenticated-only one (E = 0,
  // RFC 7714 §9.3); *len shrinks by kTagBytes + kSrtcpIndexBytes.
  Status UnprotectRtcp(std::uint8_t* data, std::size_t* len);

 private:
  struct Stream {
    std::uint32_t ssrc = 0;
    SrtpReplayWindow rtp;               // RTP indices (outbound too: an index is never used twice)
    SrtpReplayWindow rtcp;              // SRTCP indices received
    std::uint32_t next_rtcp_index = 0;  // next SRTCP index to send (RFC 3711 §3.4)
  };

  explicit SrtpGcm(bool outbound);
  Stream* Find(std::uint32_t ssrc);
  Stream* FindOrAdd(std::uint32_t ssrc);
  bool Seal(evp_cipher_ctx_st* ctx, const std::uint8_t* iv, const std::uint8_t* aad,
            std::size_t aad_len, const std::uint8_t* aad2, std::size_t aad2_len, std::uint8_t* text,
            std::size_t text_len, std::uint8_t* tag);
  bool Open(evp_cipher_ctx_st* ctx, const std::uint8_t* iv, const std::uint8_t* aad,
            std::size_t aad_len, const std::uint8_t* aad2, std::size_t aad2_len, std::uint8_t* text,
            std::size_t text_len, const std::uint8_t* tag);

  bool outbound_;
  evp_cipher_ctx_st* rtp_ctx_ = nullptr;
  evp_cipher_ctx_st* rtcp_ctx_ = nullptr;
  std::array<std::uint8_t, kMasterSaltBytes> rtp_salt_{};
  std::array<std::uint8_t, kMasterSaltBytes> rtcp_salt_{};
  std::array<Stream, kMaxSsrcs> streams_{};
  std::size_t stream_count_ = 0;
};

}  // namespace chorus::rtc
