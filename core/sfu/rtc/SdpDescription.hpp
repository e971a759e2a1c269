// A parsed SDP session description (RFC 8866) reduced to what Chorus's audio profile needs:
// ICE (RFC 8839), DTLS fingerprint/setup (RFC 8122, RFC 5763), BUNDLE (RFC 8843), rtcp-mux
// (RFC 5761), rtpmap/fmtp, extmap (RFC 8285), ssrc/msid (RFC 5576, RFC 8830) and candidates.
// Plain values produced by SdpParser; used for offers and answers alike.
// Thread affinity: none (plain values).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::rtc {

inline constexpr std::string_view kAudioLevelExtensionUri =
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level";  // RFC 6464
inline constexpr std::string_view kMidExtensionUri =
    "urn:ietf:params:rtp-hdrext:sdes:mid";  // RFC 8843 §15

enum class SdpDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };
enum class SdpSetup { kNone, kActpass, kActive, kPassive };

// "sendrecv", "sendonly", "recvonly", "inactive".
std::string_view SdpDirectionName(SdpDirection direction);
// "actpass", "active", "passive" ("" for kNone).
std::string_view SdpSetupName(SdpSetup setup);

// a=fingerprint (RFC 8122 §5): hash algorithm (lower case) and the digest bytes.
struct SdpFingerprint {
  std::string algorithm;
  std::vector<std::uint8_t> digest;

  // Parses "sha-256 AB:CD:..." (the attribute value); nullopt if malformed.
  static std::optional<SdpFingerprint> Parse(std::string_view value);
  // "sha-256 AB:CD:..." with upper-case hex.
  std::string ToString() const;
  friend bool operator==(const SdpFingerprint&, const SdpFingerprint&) = default;
};

// One a=rtpmap (RFC 8866 §6.6) with its a=fmtp parameters.
struct SdpCodec {
  std::uint8_t payload_type = 0;
  std::string encoding;  // as written, e.g. "opus"
  std::uint32_t clock_rate = 0;
  std::uint32_t channels = 1;  // 1 when not written
  std::string fmtp;            // "" when no a=fmtp

  // True for opus/48000/2 (RFC 7587 §7).
  bool IsOpus() const;
};

// One a=extmap (RFC 8285 §8).
struct SdpExtension {
  std::uint16_t id = 0;  // 1..255 (1..14 fits the one-byte form)
  std::string uri;
};

// The a=ssrc lines (RFC 5576 §4.1) that share one SSRC.
struct SdpSsrc {
  std::uint32_t ssrc = 0;
  std::string cname;
  std::string msid_stream;
  std::string msid_track;
};

// One a=candidate (RFC 8839 §5.1).
struct SdpCandidate {
  std::string foundation;
  std::uint32_t component = 0;
  std::string transport;  // lower case, e.g. "udp"
  std::uint32_t priority = 0;
  std::string address;
  std::uint16_t port = 0;
  std::string type;  // "host", "srflx", ...
};

// One m= section with its attributes. ICE and DTLS values already include the session-level
// defaults (RFC 8839 §5.4, RFC 8122 §5) when the section itself did not carry them.
struct SdpMediaSection {
  std::string kind;                  // "audio", "video", "application", ...
  std::uint16_t port = 0;            // 0 = rejected/disabled (RFC 3264 §6) unless bundle_only
  bool bundle_only = false;          // a=bundle-only (RFC 8843 §6): port 0 means "use the BUNDLE"
  std::string protocol;              // e.g. "UDP/TLS/RTP/SAVPF"
  std::vector<std::string> formats;  // the m= line's format list as written
  std::string mid;
  SdpDirection direction = SdpDirection::kSendRecv;  // RFC 3264 §5.1 default
  std::string ice_ufrag;
  std::string ice_pwd;
  std::optional<SdpFingerprint> fingerprint;
  SdpSetup setup = SdpSetup::kNone;
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  std::vector<SdpCodec> codecs;
  std::vector<SdpExtension> extensions;
  std::vector<SdpSsrc> ssrcs;
  std::string msid_stream;  // from a=msid (RFC 8830 §2)
  std::string msid_track;
  std::vector<SdpCandidate> candidates;
  bool end_of_candidates = false;

  // True when the section is disabled: port 0 without a=bundle-only. Firefox offers every
  // section after the first with port 0 and a=bundle-only under bundlePolicy "max-bundle"
  // (RFC 8843 §6, RFC 8829 §5.2.1); those are live sections that share the BUNDLE transport.
  bool IsRejected() const { return port == 0 && !bundle_only; }
  // True when the sender of this description sends media here (sendrecv or sendonly).
  bool Sends() const;
  // True when the sender of this description receives media here (sendrecv or recvonly).
  bool Receives() const;
  // The first opus/48000/2 codec listed on the m= line, or nullptr.
  const SdpCodec* FindOpus() const;
  // The negotiated id of the header extension `uri`, or nullopt.
  std::optional<std::uint16_t> ExtensionId(std::string_view uri) const;
};

// A whole session description.
struct SdpDescription {
  std::uint64_t session_id = 0;  // o= line
  std::uint64_t session_version = 0;
  bool ice_lite = false;                 // RFC 8839 §5.3
  std::vector<std::string> bundle_mids;  // a=group:BUNDLE, in order (RFC 8843 §7)
  std::vector<SdpMediaSection> media;

  // The section whose mid is `mid`, or nullptr.
  const SdpMediaSection* FindMid(std::string_view mid) const;
  // True when `mid` is in the BUNDLE group.
  bool InBundle(std::string_view mid) const;
};

}  // namespace chorus::rtc
