// SRTP/SRTCP protection for one direction of one participant (RFC 3711; RFC 7714 for
// AEAD_AES_128_GCM). GCM runs on OpenSSL without per-packet allocation (SrtpGcm);
// AES_CM_128_HMAC_SHA1_80 goes through libsrtp2. Keys come from DTLS-SRTP (SrtpKeyMaterial).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtc/SrtpGcm.hpp"
#include "rtc/SrtpKeyMaterial.hpp"

// libsrtp2's session handle, kept out of this header.
struct srtp_ctx_t_;

namespace chorus::rtc {

// Thread affinity: not thread-safe; each session is used by one worker thread. Protect and
// unprotect work in place on the caller's buffer. The GCM path allocates nothing at all after
// Create (a fixed table of SrtpGcm::kMaxSsrcs SSRCs); libsrtp2 (AES-CM) adds a stream per new
// SSRC on first sight, and Debian's NSS-based build allocates inside every call.
class SrtpSession {
 public:
  enum class Direction {
    kInbound,  // unprotects what the peer sends, keyed with SrtpKeyMaterial::remote_key_salt
    kOutbound  // protects what we send, keyed with SrtpKeyMaterial::local_key_salt
  };

  // Free bytes ProtectRtp needs after the packet: libsrtp2's documented contract
  // (SRTP_MAX_TRAILER_LEN = max tag + max MKI), although without MKI it appends only the 10- or
  // 16-byte tag. A 1500-byte buffer always satisfies it for our packets.
  static constexpr std::size_t kMaxRtpTrailerBytes = 16 + 128;
  // Same for ProtectRtcp: SRTP_MAX_TRAILER_LEN + 4 (E flag and SRTCP index, RFC 3711 §3.4).
  static constexpr std::size_t kMaxRtcpTrailerBytes = 16 + 128 + 4;
  // Replay window in packets (RFC 3711 §3.3.2 allows > 64): wide enough for an SFU whose
  // upstream jitter reorders bursts.
  static constexpr unsigned long kReplayWindowPackets = 1024;

  // Creates a session for `profile` keyed with key || salt (SrtpKeySaltBytes(profile) bytes).
  // Returns nullptr if the key size is wrong or libsrtp2 refuses (logged).
  static std::unique_ptr<SrtpSession> Create(SrtpProfile profile, Direction direction,
                                             std::span<const std::uint8_t> key_salt);

  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Encrypts and authenticates the RTP packet data[0..*len) in place; on success *len grows by
  // the trailer. `capacity` is the buffer size and must be >= *len + kMaxRtpTrailerBytes.
  // Returns false (packet unusable) on an outbound-only misuse or libsrtp2 error.
  bool ProtectRtp(std::uint8_t* data, std::size_t* len, std::size_t capacity);

  // Authenticates and decrypts the SRTP packet in place; on success *len shrinks to the RTP
  // packet. Returns false for a forged/corrupt packet, a replay, or a too-old index.
  bool UnprotectRtp(std::uint8_t* data, std::size_t* len);

  // As ProtectRtp for RTCP (RFC 3711 §3.4); capacity >= *len + kMaxRtcpTrailerBytes.
  bool ProtectRtcp(std::uint8_t* data, std::size_t* len, std::size_t capacity);

  // As UnprotectRtp for SRTCP.
  bool UnprotectRtcp(std::uint8_t* data, std::size_t* len);

  SrtpProfile Profile() const { return profile_; }
  Direction GetDirection() const { return direction_; }

  // Why packets were refused since creation.
  struct Counters {
    std::uint64_t auth_failures = 0;   // forged, corrupted, or keyed differently
    std::uint64_t replays = 0;         // seen before, or older than the replay window
    std::uint64_t other_failures = 0;  // malformed, wrong direction, no room for the trailer
  };
  const Counters& GetCounters() const { return counters_; }

 private:
  SrtpSession(SrtpProfile profile, Direction direction, srtp_ctx_t_* session,
              std::unique_ptr<SrtpGcm> gcm);
  bool Count(int status);
  bool Count(SrtpGcm::Status status);

  SrtpProfile profile_;
  Direction direction_;
  srtp_ctx_t_* session_;          // libsrtp2, for kAes128CmHmacSha1_80; null for GCM
  std::unique_ptr<SrtpGcm> gcm_;  // for kAeadAes128Gcm; null otherwise
  Counters counters_;
};

}  // namespace chorus::rtc
