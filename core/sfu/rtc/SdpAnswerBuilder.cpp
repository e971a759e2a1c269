#include "rtc/SdpAnswerBuilder.hpp"

#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "rtc/SdpSyntax.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxNameChars = 64;           // cname and msid prefix
constexpr std::uint32_t kHostTypePreference = 126;  // RFC 8445 §5.1.2.1

// RFC 8445 §5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 -
// component).
constexpr std::uint32_t CandidatePriority(std::uint32_t type_preference,
                                          std::uint32_t local_preference) {
  return (type_preference << 24) + (local_preference << 8) + (256 - 1);
}
// RFC 6544 §4.2: UDP is preferred to TCP, so a TCP host candidate gets a lower type preference
// than a UDP host (126); 90 is libwebrtc's choice for TCP host candidates. Its local preference is
// 2^13 * direction-pref + other-pref, with direction-pref 4 for a passive host candidate and the
// top other-pref (8191) as it is our only one.
constexpr std::uint32_t kTcpHostTypePreference = 90;
constexpr std::uint32_t kTcpPassiveDirectionPreference = 4;
// The i-th announced address (0 first) gets the i-th highest local preference.
constexpr std::uint32_t UdpHostPriority(std::size_t i) {
  return CandidatePriority(kHostTypePreference, 65535 - static_cast<std::uint32_t>(i));
}
constexpr std::uint32_t TcpPassiveHostPriority(std::size_t i) {
  return CandidatePriority(kTcpHostTypePreference, (kTcpPassiveDirectionPreference << 13) + 8191 -
                                                       static_cast<std::uint32_t>(i));
}
static_assert(UdpHostPriority(0) == 2130706431);  // a single address: as before
static_assert(TcpPassiveHostPriority(0) < UdpHostPriority(SdpAnswerOptions::kMaxAnnounceIps));
constexpr std::string_view kOpusFmtp = "minptime=10;useinbandfec=1;usedtx=1";  // RFC 7587 §6.1

SdpError Invalid(std::string message) {
  return SdpError{SdpErrorCode::kInvalidArgument, std::move(message)};
}

SdpAudioParams ParamsOf(const SdpMediaSection& section) {
  SdpAudioParams params;
  params.mid = section.mid;
  params.opus_payload_type = section.FindOpus()->payload_type;
  params.audio_level_id = section.ExtensionId(kAudioLevelExtensionUri);
  params.mid_id = section.ExtensionId(kMidExtensionUri);
  return params;
}

// Lines a=... are appended with CRLF (RFC 8866 §5).
void Line(std::string& out, std::string_view text) {
  out.append(text);
  out.append("\r\n");
}

// A disabled section (RFC 3264 §6): port 0, first offered format, mid kept for JSEP.
void WriteRejected(std::string& out, const SdpMediaSection& section) {
  Line(out, fmt::format("m={} 0 {} {}", section.kind, section.protocol, section.formats.front()));
  Line(out, "c=IN IP4 0.0.0.0");
  Line(out, fmt::format("a=mid:{}", section.mid));
  Line(out, "a=inactive");
}

struct Transport {
  std::string_view ufrag;
  std::string_view pwd;
  std::string fingerprint;
  const std::vector<std::string>& ips;  // announced, first preferred; ips[0] goes in c=
  std::string_view ip_version;          // of ips[0]: "IP4" / "IP6"
  std::uint16_t port = 0;
  std::uint16_t tcp_port = 0;  // 0: no TCP candidate
};

void WriteAudio(std::string& out, const SdpMediaSection& offered, const SdpAudioParams& params,
                SdpDirection direction, const Transport& transport, const SdpSlot* slot,
                std::string_view cname) {
  Line(out,
       fmt::format("m=audio {} {} {}", transport.port, offered.protocol, params.opus_payload_type));
  Line(out, fmt::format("c=IN {} {}", transport.ip_version, transport.ips.front()));
  Line(out, fmt::format("a=mid:{}", params.mid));
  Line(out, fmt::format("a=ice-ufrag:{}", transport.ufrag));
  Line(out, fmt::format("a=ice-pwd:{}", transport.pwd));
  Line(out, fmt::format("a=fingerprint:{}", transport.fingerprint));
  Line(out, "a=setup:passive");  // RFC 5763 §5: the browser is the DTLS client
  Line(out, fmt::format("a={}", SdpDirectionName(direction)));
  Line(out, "a=rtcp-mux");
  if (offered.rtcp_rsize) Line(out, "a=rtcp-rsize");  // RFC 5506
  if (params.audio_level_id) {
    Line(out, fmt::format("a=extmap:{} {}", *params.audio_level_id, kAudioLevelExtensionUri));
  }
  if (params.mid_id) Line(out, fmt::format("a=extmap:{} {}", *params.mid_id, kMidExtensionUri));
  Line(out, fmt::format("a=rtpmap:{} opus/48000/2", params.opus_payload_type));
  Line(out, fmt::format("a=fmtp:{} {}", params.opus_payload_type, kOpusFmtp));
  if (slot != nullptr) {
    // RFC 8830 §2 msid and RFC 5576 §4.1 ssrc attributes: one stable remote track per slot.
    Line(out, fmt::format("a=msid:{} {}", slot->msid_stream, slot->msid_track));
    Line(out, fmt::format("a=ssrc:{} cname:{}", slot->ssrc, cname));
    Line(out, fmt::format("a=ssrc:{} msid:{} {}", slot->ssrc, slot->msid_stream, slot->msid_track));
  }
  // RFC 8839 §5.1: one UDP host candidate per announced address, all on the SFU's single port.
  // Foundations differ per address and transport (RFC 8445 §5.1.1.3): UDP 1, 3, 5…, TCP 2, 4, 6…
  for (std::size_t i = 0; i < transport.ips.size(); ++i) {
    Line(out, fmt::format("a=candidate:{} 1 udp {} {} {} typ host", 2 * i + 1, UdpHostPriority(i),
                          transport.ips[i], transport.port));
  }
  // RFC 6544 §4.5: a passive TCP candidate carries the listening port and "tcptype passive".
  if (transport.tcp_port != 0) {
    for (std::size_t i = 0; i < transport.ips.size(); ++i) {
      Line(out, fmt::format("a=candidate:{} 1 tcp {} {} {} typ host tcptype passive", 2 * i + 2,
                            TcpPassiveHostPriority(i), transport.ips[i], transport.tcp_port));
    }
  }
  Line(out, "a=end-of-candidates");
}

std::optional<SdpError> CheckOptions(const SdpAnswerOptions& options) {
  if (!IsValidIceUfrag(options.ice_ufrag) || !IsValidIcePwd(options.ice_pwd)) {
    return Invalid("server ICE ufrag/pwd are not valid ice-chars of RFC 8839 lengths");
  }
  if (options.announce_port == 0) return Invalid("announce port must not be 0");
  if (options.announce_ips.empty() ||
      options.announce_ips.size() > SdpAnswerOptions::kMaxAnnounceIps) {
    return Invalid(fmt::format("announce 1 to {} addresses", SdpAnswerOptions::kMaxAnnounceIps));
  }
  for (const auto& ip : options.announce_ips) {
    if (!TransportAddress::FromString(ip, options.announce_port)) {
      return Invalid("announce ip is not a numeric IPv4/IPv6 address");
    }
  }
  if (!IsSdpToken(options.cname, kMaxNameChars) ||
      !IsSdpToken(options.slot_stream_prefix, kMaxNameChars)) {
    return Invalid("cname and slot stream prefix must be SDP tokens of at most 64 characters");
  }
  std::set<std::uint32_t> seen;
  for (auto ssrc : options.slot_ssrcs) {
    if (!seen.insert(ssrc).second) return Invalid(fmt::format("duplicate slot SSRC {}", ssrc));
  }
  return std::nullopt;
}

}  // namespace

SdpResult<SdpLocalAnswer> SdpAnswerBuilder::Build(const SdpOffer& offer,
                                                  const SdpAnswerOptions& options) {
  if (auto error = CheckOptions(options)) return *error;
  const std::string fingerprint_text = options.fingerprint.find(' ') == std::string::npos
                                           ? "sha-256 " + options.fingerprint
                                           : options.fingerprint;
  const auto fingerprint = SdpFingerprint::Parse(fingerprint_text);
  if (!fingerprint || fingerprint->algorithm != "sha-256" || fingerprint->digest.size() != 32) {
    return Invalid("server fingerprint must be sha-256 with 32 hex bytes (AB:CD:...)");
  }
  const auto address =
      TransportAddress::FromString(options.announce_ips.front(), options.announce_port);

  Transport transport{options.ice_ufrag,
                      options.ice_pwd,
                      fingerprint->ToString(),
                      options.announce_ips,
                      address->IsIpv6() ? "IP6" : "IP4",
                      options.announce_port,
                      options.announce_tcp_port};
  SdpLocalAnswer answer;
  const auto& media = offer.Description().media;

  // Roles first, so the BUNDLE line can list the accepted mids before the sections.
  std::vector<std::optional<SdpDirection>> directions(media.size());  // nullopt = rejected
  std::vector<std::optional<std::size_t>> slot_of(media.size());
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (offer.IsUsableAudio(i)) directions[i] = SdpDirection::kInactive;
  }
  if (const auto upstream_index = offer.UpstreamIndex()) {
    const auto& section = media[*upstream_index];
    directions[*upstream_index] = SdpDirection::kRecvOnly;
    SdpUpstream upstream{ParamsOf(section), {}, {}, section.msid_stream, section.msid_track};
    for (const auto& ssrc : section.ssrcs) {
      upstream.ssrcs.push_back(ssrc.ssrc);
      if (upstream.cname.empty()) upstream.cname = ssrc.cname;
      if (upstream.msid_stream.empty()) {
        upstream.msid_stream = ssrc.msid_stream;
        upstream.msid_track = ssrc.msid_track;
      }
    }
    answer.upstream = std::move(upstream);
  }
  for (auto index : offer.ReceiveIndices()) {
    const std::size_t slot_index = answer.slots.size();
    if (slot_index >= options.slot_ssrcs.size()) break;
    const std::string stream = fmt::format("{}-{}", options.slot_stream_prefix, slot_index);
    answer.slots.push_back(SdpSlot{ParamsOf(media[index]), slot_index,
                                   options.slot_ssrcs[slot_index], stream, stream + "-audio"});
    directions[index] = SdpDirection::kSendOnly;
    slot_of[index] = slot_index;
  }

  std::string& out = answer.sdp;
  Line(out, "v=0");
  Line(out, fmt::format("o=- {} 2 IN {} {}", options.session_id, transport.ip_version,
                        options.announce_ips.front()));
  Line(out, "s=-");
  Line(out, "t=0 0");
  Line(out, "a=ice-lite");  // RFC 8839 §5.3
  // RFC 8843 §7.3.1: keep the offer's group order, so the offerer-tagged section (validated by
  // SdpOffer to be usable audio) is also the answerer-tagged one.
  std::string bundle = "a=group:BUNDLE";
  std::set<std::string_view> bundled;
  for (const auto& mid : offer.Description().bundle_mids) {
    const auto* section = offer.Description().FindMid(mid);
    if (section != nullptr && directions[static_cast<std::size_t>(section - media.data())] &&
        bundled.insert(mid).second) {
      bundle += " " + mid;
    }
  }
  Line(out, bundle);
  Line(out, "a=msid-semantic: WMS *");
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (!directions[i]) {
      WriteRejected(out, media[i]);
      continue;
    }
    const SdpSlot* slot = slot_of[i] ? &answer.slots[*slot_of[i]] : nullptr;
    WriteAudio(out, media[i], ParamsOf(media[i]), *directions[i], transport, slot, options.cname);
  }
  return answer;
}

}  // namespace chorus::rtc
