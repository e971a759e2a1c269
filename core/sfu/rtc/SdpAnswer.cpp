#include "rtc/SdpAnswer.hpp"

#include <utility>

#include "rtc/SdpParser.hpp"
#include "rtc/SdpSyntax.hpp"

namespace chorus::rtc {

SdpResult<SdpAnswer> SdpAnswer::Parse(std::string_view text) {
  auto parsed = SdpParser::Parse(text);
  if (!parsed) return parsed.Error();
  SdpAnswer answer(std::move(parsed).Value());
  const auto& description = answer.description_;
  if (description.bundle_mids.empty()) {
    return SdpError{SdpErrorCode::kNoBundle, "the answer has no a=group:BUNDLE"};
  }
  const auto* tag = description.FindMid(description.bundle_mids.front());
  if (tag == nullptr || tag->IsRejected()) {
    return SdpError{SdpErrorCode::kNoBundle, "the BUNDLE tag names no accepted section"};
  }
  answer.tag_index_ = static_cast<std::size_t>(tag - description.media.data());
  if (!IsValidIceUfrag(tag->ice_ufrag) || !IsValidIcePwd(tag->ice_pwd)) {
    return SdpError{SdpErrorCode::kNoIceCredentials, "missing or invalid ice-ufrag / ice-pwd"};
  }
  if (!tag->fingerprint || tag->fingerprint->digest.empty()) {
    return SdpError{SdpErrorCode::kNoFingerprint, "missing or unreadable a=fingerprint"};
  }
  if (tag->setup != SdpSetup::kActive && tag->setup != SdpSetup::kPassive) {
    return SdpError{SdpErrorCode::kBadSetup, "an answer must say a=setup:active or passive"};
  }
  if (!tag->rtcp_mux) return SdpError{SdpErrorCode::kNoRtcpMux, "the answer lacks a=rtcp-mux"};
  bool found = false;
  for (std::size_t i = 0; i < tag->candidates.size() && !found; ++i) {
    const auto& candidate = tag->candidates[i];
    if (candidate.transport == "udp" && candidate.component == 1 && candidate.port != 0) {
      answer.candidate_index_ = i;
      found = true;
    }
  }
  if (!found) return SdpError{SdpErrorCode::kNoCandidate, "the answer has no UDP candidate"};
  for (const auto& section : description.media) {
    if (section.IsRejected() || !section.Sends() || section.ssrcs.empty()) continue;
    const auto& ssrc = section.ssrcs.front();
    answer.slots_.push_back(
        SdpRemoteSlot{section.mid, ssrc.ssrc, ssrc.cname,
                      ssrc.msid_stream.empty() ? section.msid_stream : ssrc.msid_stream,
                      ssrc.msid_track.empty() ? section.msid_track : ssrc.msid_track});
  }
  return answer;
}

}  // namespace chorus::rtc
