#include "rtc/SdpError.hpp"

namespace chorus::rtc {

std::string_view SdpErrorCodeName(SdpErrorCode code) {
  switch (code) {
    case SdpErrorCode::kTooLarge:
      return "sdp_too_large";
    case SdpErrorCode::kMalformed:
      return "sdp_malformed";
    case SdpErrorCode::kTooManyMediaSections:
      return "sdp_too_many_media";
    case SdpErrorCode::kNoAudio:
      return "sdp_no_audio";
    case SdpErrorCode::kNoOpus:
      return "sdp_no_opus";
    case SdpErrorCode::kNoRtcpMux:
      return "sdp_no_rtcp_mux";
    case SdpErrorCode::kNoBundle:
      return "sdp_no_bundle";
    case SdpErrorCode::kNoFingerprint:
      return "sdp_no_fingerprint";
    case SdpErrorCode::kNoIceCredentials:
      return "sdp_no_ice_credentials";
    case SdpErrorCode::kBadSetup:
      return "sdp_bad_setup";
    case SdpErrorCode::kBadMid:
      return "sdp_bad_mid";
    case SdpErrorCode::kBadTransport:
      return "sdp_bad_transport";
    case SdpErrorCode::kNoAudioLevel:
      return "sdp_no_audio_level";
    case SdpErrorCode::kNoCandidate:
      return "sdp_no_candidate";
    case SdpErrorCode::kInvalidArgument:
      return "sdp_invalid_argument";
  }
  return "sdp_unknown";
}

}  // namespace chorus::rtc
