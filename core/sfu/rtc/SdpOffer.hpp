// A browser's SDP offer checked against Chorus's audio profile (DESIGN.md "Media profile").
//
// Accepted: BUNDLE'd (RFC 8843), rtcp-mux'ed (RFC 5761) audio sections over UDP/TLS/RTP/SAVPF
// that offer opus/48000/2, with ICE credentials and a sha-256/384/512 fingerprint on the
// BUNDLE-tagged (first) section, setup actpass or active. Video/application sections and
// sections the offerer disabled (port 0) are allowed; the answer rejects them with port 0.
// Roles, in m= order: the first audio section the browser sends on (sendrecv/sendonly) is the
// upstream (mic) and must carry the ssrc-audio-level extension; every other audio section the
// browser receives on (recvonly/sendrecv) is a receive section (slot candidate). An offer with no
// sending section is accepted as listen-only.
// Thread affinity: none (immutable value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/SdpDescription.hpp"
#include "rtc/SdpError.hpp"

namespace chorus::rtc {

class SdpOffer {
 public:
  // The longest mid we accept: it must fit an RFC 8285 one-byte header extension element.
  static constexpr std::size_t kMaxMidChars = 16;

  // Parses and validates `text`. Errors: those of SdpParser::Parse, then kBadMid (missing,
  // duplicate or non-token mid), kNoAudio, kBadTransport, kNoOpus, kNoRtcpMux, kNoBundle,
  // kNoIceCredentials, kNoFingerprint, kBadSetup, kNoAudioLevel.
  static SdpResult<SdpOffer> Parse(std::string_view text);

  // Validates an already parsed description (same checks as Parse).
  static SdpResult<SdpOffer> FromDescription(SdpDescription description);

  const SdpDescription& Description() const { return description_; }
  // The transport (BUNDLE-tagged section's) ICE credentials, fingerprint and setup role.
  const std::string& IceUfrag() const { return Tag().ice_ufrag; }
  const std::string& IcePwd() const { return Tag().ice_pwd; }
  const SdpFingerprint& Fingerprint() const { return *Tag().fingerprint; }
  SdpSetup Setup() const { return Tag().setup; }

  // True when section `index` is an audio section Chorus uses (not disabled by the offerer).
  bool IsUsableAudio(std::size_t index) const;
  // Index (into Description().media) of the upstream section; nullopt when listen-only.
  std::optional<std::size_t> UpstreamIndex() const { return upstream_index_; }
  // Indices of the receive sections in m= order (slot candidates).
  const std::vector<std::size_t>& ReceiveIndices() const { return receive_indices_; }
  // The upstream section, or nullptr when listen-only.
  const SdpMediaSection* Upstream() const;

 private:
  explicit SdpOffer(SdpDescription description) : description_(std::move(description)) {}
  const SdpMediaSection& Tag() const { return description_.media[tag_index_]; }

  SdpDescription description_;
  std::size_t tag_index_ = 0;
  std::optional<std::size_t> upstream_index_;
  std::vector<std::size_t> receive_indices_;
};

}  // namespace chorus::rtc
