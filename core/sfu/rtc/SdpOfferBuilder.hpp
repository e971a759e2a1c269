// Builds the SDP offer of Chorus's C++ test peer (the client role, like a browser): one audio
// section the peer sends on plus K recvonly receive sections, all BUNDLE'd over one transport,
// setup:actpass (RFC 5763 §5), rtcp-mux, Opus and the two header extensions Chorus reads.
// Thread affinity: none (pure function).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "rtc/SdpDescription.hpp"
#include "rtc/SdpError.hpp"

namespace chorus::rtc {

struct SdpOfferOptions {
  std::string ice_ufrag;    // 4..256 ice-chars
  std::string ice_pwd;      // 22..256 ice-chars
  std::string fingerprint;  // "sha-256 AB:CD:..." of the peer's DTLS certificate
  bool send = true;         // false: listen-only, no send section
  SdpDirection send_direction = SdpDirection::kSendRecv;  // sendrecv or sendonly
  std::uint32_t send_ssrc = 0;
  std::string cname = "chorus-peer";
  std::string stream_id = "chorus-peer";
  std::string track_id = "chorus-peer-mic";
  std::size_t receive_sections = 4;  // K recvonly sections
  std::uint8_t opus_payload_type = 111;
  std::uint16_t audio_level_id = 1;  // RFC 8285 one-byte ids 1..14
  std::uint16_t mid_id = 4;
  std::uint64_t session_id = 1;
};

class SdpOfferBuilder {
 public:
  // Builds the offer text (CRLF line ends); mids are "0", "1", ... in m= order, the send section
  // first. Errors: kInvalidArgument for unusable options (credentials, fingerprint, ids, PT,
  // direction, non-token names, more sections than SdpParser::kMaxMediaSections).
  static SdpResult<std::string> Build(const SdpOfferOptions& options);
};

}  // namespace chorus::rtc
