// Tolerant, bounded parser from SDP text (RFC 8866) to SdpDescription. It checks the line syntax,
// reads the attributes Chorus uses and skips everything else; it does not judge the profile (see
// SdpOffer / SdpAnswer). Never throws on input: every failure is an SdpError.
// Thread affinity: none (stateless).
#pragma once

#include <cstddef>
#include <string_view>

#include "rtc/SdpDescription.hpp"
#include "rtc/SdpError.hpp"

namespace chorus::rtc {

class SdpParser {
 public:
  // Largest SDP we read; browsers' audio offers are ~2-6 KiB.
  static constexpr std::size_t kMaxSdpBytes = std::size_t{64} * 1024;
  // Most m= sections we read (1 send section + up to ~16 receive slots + rejected extras).
  static constexpr std::size_t kMaxMediaSections = 32;

  // Parses `text` (CRLF or LF line ends). Errors: kTooLarge, kTooManyMediaSections, kMalformed
  // (first line not "v=0", a line not "<letter>=<value>", an unreadable m= line). Attributes
  // with unreadable values (rtpmap, extmap, ssrc, candidate, fingerprint, ...) are skipped, so
  // the profile checks later report what is missing.
  static SdpResult<SdpDescription> Parse(std::string_view text);
};

}  // namespace chorus::rtc
