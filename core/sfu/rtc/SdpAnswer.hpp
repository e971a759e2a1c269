// The server's SDP answer as the C++ test peer (client role) reads it: ICE-lite server's
// credentials, DTLS fingerprint and role, its host candidate, and the SSRC the server sends on in
// each receive slot. Parsed with the same SdpParser as offers.
// Thread affinity: none (immutable value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/SdpDescription.hpp"
#include "rtc/SdpError.hpp"

namespace chorus::rtc {

// A section the server sends on (a=sendonly / a=sendrecv with an a=ssrc).
struct SdpRemoteSlot {
  std::string mid;
  std::uint32_t ssrc = 0;
  std::string cname;
  std::string msid_stream;
  std::string msid_track;
};

class SdpAnswer {
 public:
  // Parses and checks `text`: a BUNDLE group whose first mid names an accepted section carrying
  // ICE credentials (kNoIceCredentials), a fingerprint (kNoFingerprint), setup active or passive
  // (kBadSetup), rtcp-mux (kNoRtcpMux) and a UDP candidate (kNoCandidate).
  static SdpResult<SdpAnswer> Parse(std::string_view text);

  const SdpDescription& Description() const { return description_; }
  bool IceLite() const { return description_.ice_lite; }
  // The transport (BUNDLE-tagged section's) values.
  const std::string& IceUfrag() const { return Tag().ice_ufrag; }
  const std::string& IcePwd() const { return Tag().ice_pwd; }
  const SdpFingerprint& Fingerprint() const { return *Tag().fingerprint; }
  SdpSetup Setup() const { return Tag().setup; }
  // The first UDP candidate of the tagged section (the address to send checks to).
  const SdpCandidate& Candidate() const { return Tag().candidates[candidate_index_]; }
  // The sections the server sends on, in m= order.
  const std::vector<SdpRemoteSlot>& Slots() const { return slots_; }

 private:
  explicit SdpAnswer(SdpDescription description) : description_(std::move(description)) {}
  const SdpMediaSection& Tag() const { return description_.media[tag_index_]; }

  SdpDescription description_;
  std::size_t tag_index_ = 0;
  std::size_t candidate_index_ = 0;
  std::vector<SdpRemoteSlot> slots_;
};

}  // namespace chorus::rtc
