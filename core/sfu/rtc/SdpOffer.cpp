#include "rtc/SdpOffer.hpp"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "rtc/SdpParser.hpp"
#include "rtc/SdpSyntax.hpp"

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxMLineTokenChars = 32;
constexpr std::string_view kProfileProtocol = "UDP/TLS/RTP/SAVPF";  // RFC 5764 §8

// Digest length for the fingerprint algorithms the DTLS layer can check (RFC 8122 §5).
std::optional<std::size_t> DigestBytes(std::string_view algorithm) {
  if (algorithm == "sha-256") return 32;
  if (algorithm == "sha-384") return 48;
  if (algorithm == "sha-512") return 64;
  return std::nullopt;
}

SdpError Error(SdpErrorCode code, std::string message) {
  return SdpError{code, std::move(message)};
}

}  // namespace

bool SdpOffer::IsUsableAudio(std::size_t index) const {
  if (index >= description_.media.size()) return false;
  const auto& section = description_.media[index];
  return section.kind == "audio" && !section.IsRejected();
}

const SdpMediaSection* SdpOffer::Upstream() const {
  return upstream_index_ ? &description_.media[*upstream_index_] : nullptr;
}

SdpResult<SdpOffer> SdpOffer::Parse(std::string_view text) {
  auto parsed = SdpParser::Parse(text);
  if (!parsed) return parsed.Error();
  return FromDescription(std::move(parsed).Value());
}

SdpResult<SdpOffer> SdpOffer::FromDescription(SdpDescription description) {
  SdpOffer offer(std::move(description));
  const auto& media = offer.description_.media;
  std::set<std::string_view> mids;
  for (const auto& section : media) {
    // RFC 8843 §7.1 / JSEP: every m= section carries a unique mid; we echo it, so it must be
    // a short token.
    if (!IsSdpToken(section.mid, kMaxMidChars)) {
      return Error(SdpErrorCode::kBadMid,
                   fmt::format("an m={} section has a missing or invalid a=mid (token of at most "
                               "{} characters)",
                               section.kind.substr(0, 16), kMaxMidChars));
    }
    // The answer echoes these fields for rejected sections (RFC 3264 §6), so they must be short
    // tokens that cannot smuggle a stray CR or control character into it.
    if (!IsSdpToken(section.kind, kMaxMLineTokenChars) ||
        !IsSdpProtocol(section.protocol, kMaxMLineTokenChars) ||
        !IsSdpToken(section.formats.front(), kMaxMLineTokenChars)) {
      return Error(SdpErrorCode::kMalformed,
                   fmt::format("m= section mid {} has a media, protocol or format field that is "
                               "not a token of at most {} characters",
                               section.mid, kMaxMLineTokenChars));
    }
    if (!mids.insert(section.mid).second) {
      return Error(SdpErrorCode::kBadMid, fmt::format("duplicate a=mid:{}", section.mid));
    }
  }
  bool any_audio = false;
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (!offer.IsUsableAudio(i)) continue;
    any_audio = true;
    const auto& section = media[i];
    if (section.protocol != kProfileProtocol) {
      return Error(SdpErrorCode::kBadTransport,
                   fmt::format("audio mid {} uses {:.32}, only {} is supported", section.mid,
                               section.protocol, kProfileProtocol));
    }
    if (section.FindOpus() == nullptr) {
      return Error(SdpErrorCode::kNoOpus,
                   fmt::format("audio mid {} does not offer opus/48000/2", section.mid));
    }
    if (!section.rtcp_mux) {
      return Error(SdpErrorCode::kNoRtcpMux,
                   fmt::format("audio mid {} lacks a=rtcp-mux", section.mid));
    }
    if (!offer.description_.InBundle(section.mid)) {
      return Error(SdpErrorCode::kNoBundle,
                   fmt::format("audio mid {} is not in an a=group:BUNDLE", section.mid));
    }
    if (!offer.upstream_index_ && section.Sends()) {
      offer.upstream_index_ = i;
    } else if (section.Receives()) {
      offer.receive_indices_.push_back(i);
    }
  }
  if (!any_audio) return Error(SdpErrorCode::kNoAudio, "the offer has no audio m= section");

  // RFC 8843 §7.2: the first mid of the group tags the section whose transport is shared.
  const auto* tag = offer.description_.FindMid(offer.description_.bundle_mids.front());
  if (tag == nullptr || tag->kind != "audio" || tag->port == 0) {
    return Error(SdpErrorCode::kNoBundle, "the BUNDLE group must start with an audio section");
  }
  offer.tag_index_ = static_cast<std::size_t>(tag - media.data());
  if (!IsValidIceUfrag(tag->ice_ufrag) || !IsValidIcePwd(tag->ice_pwd)) {
    return Error(SdpErrorCode::kNoIceCredentials,
                 "missing or invalid a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4)");
  }
  if (!tag->fingerprint) {
    return Error(SdpErrorCode::kNoFingerprint, "missing or unreadable a=fingerprint");
  }
  const auto expected_bytes = DigestBytes(tag->fingerprint->algorithm);
  if (!expected_bytes || *expected_bytes != tag->fingerprint->digest.size()) {
    return Error(SdpErrorCode::kNoFingerprint,
                 fmt::format("a=fingerprint must be sha-256, sha-384 or sha-512 with a digest of "
                             "that length (got {:.16}, {} bytes)",
                             tag->fingerprint->algorithm, tag->fingerprint->digest.size()));
  }
  // RFC 5763 §5: the offerer says actpass (or active); we answer passive. An absent attribute is
  // taken as actpass, as browsers always send it.
  if (tag->setup == SdpSetup::kPassive) {
    return Error(SdpErrorCode::kBadSetup, "a=setup:passive offer: the server is DTLS passive");
  }
  if (const auto* upstream = offer.Upstream();
      upstream != nullptr && !upstream->ExtensionId(kAudioLevelExtensionUri)) {
    return Error(SdpErrorCode::kNoAudioLevel,
                 fmt::format("audio mid {} sends but lacks a=extmap for {}", upstream->mid,
                             kAudioLevelExtensionUri));
  }
  return offer;
}

}  // namespace chorus::rtc
