// Errors from SDP parsing/validation and a small result type (C++20 has no std::expected).
// Thread affinity: none (plain values).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace chorus::rtc {

// Why an SDP was refused. SdpErrorCodeName() gives the stable wire name for the signaling layer.
enum class SdpErrorCode {
  kTooLarge,   // over kMaxSdpBytes
  kMalformed,  // not SDP (RFC 8866 §5 syntax), or a line we need is unreadable
  kTooManyMediaSections,
  kNoAudio,           // no usable audio m= section
  kNoOpus,            // an audio section lacks opus/48000/2
  kNoRtcpMux,         // RFC 5761 rtcp-mux is mandatory for us
  kNoBundle,          // RFC 8843 BUNDLE group missing or does not hold the audio sections
  kNoFingerprint,     // RFC 8122 fingerprint missing or not sha-256
  kNoIceCredentials,  // RFC 8839 ice-ufrag / ice-pwd missing or invalid
  kBadSetup,          // RFC 5763 setup role we cannot pair with
  kBadMid,            // missing or duplicate a=mid (RFC 5888)
  kBadTransport,      // not UDP/TLS/RTP/SAVPF (or the AVPF variants)
  kNoAudioLevel,      // the send section lacks the RFC 6464 ssrc-audio-level extension
  kNoCandidate,       // an answer without a usable host candidate
  kInvalidArgument,   // the local side passed something unusable (builders)
};

// The stable snake_case name of `code`, e.g. "sdp_no_opus".
std::string_view SdpErrorCodeName(SdpErrorCode code);

struct SdpError {
  SdpErrorCode code = SdpErrorCode::kMalformed;
  std::string message;  // human readable, never echoes more than a short excerpt of the input
};

// Either a value or an SdpError.
template <typename T>
class SdpResult {
 public:
  SdpResult(T value) : state_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  SdpResult(SdpError error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  // True when this holds a value.
  bool Ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return Ok(); }
  // The value; only valid when Ok().
  const T& Value() const& { return std::get<T>(state_); }
  T& Value() & { return std::get<T>(state_); }
  T&& Value() && { return std::get<T>(std::move(state_)); }
  // The error; only valid when !Ok().
  const SdpError& Error() const { return std::get<SdpError>(state_); }

 private:
  std::variant<T, SdpError> state_;
};

}  // namespace chorus::rtc
