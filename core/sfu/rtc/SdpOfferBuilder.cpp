#include "rtc/SdpOfferBuilder.hpp"

#include <utility>

#include <fmt/format.h>

#include "rtc/SdpParser.hpp"
#include "rtc/SdpSyntax.hpp"

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxNameChars = 64;
constexpr std::uint16_t kMaxOneByteExtensionId = 14;  // RFC 8285 §4.2

SdpError Invalid(std::string message) {
  return SdpError{SdpErrorCode::kInvalidArgument, std::move(message)};
}

void Line(std::string& out, std::string_view text) {
  out.append(text);
  out.append("\r\n");
}

}  // namespace

SdpResult<std::string> SdpOfferBuilder::Build(const SdpOfferOptions& options) {
  if (!IsValidIceUfrag(options.ice_ufrag) || !IsValidIcePwd(options.ice_pwd)) {
    return Invalid("ICE ufrag/pwd are not valid ice-chars of RFC 8839 lengths");
  }
  const auto fingerprint = SdpFingerprint::Parse(options.fingerprint);
  if (!fingerprint || fingerprint->digest.empty()) return Invalid("unreadable fingerprint");
  if (options.send && options.send_direction != SdpDirection::kSendRecv &&
      options.send_direction != SdpDirection::kSendOnly) {
    return Invalid("the send section must be sendrecv or sendonly");
  }
  if (options.audio_level_id < 1 || options.audio_level_id > kMaxOneByteExtensionId ||
      options.mid_id < 1 || options.mid_id > kMaxOneByteExtensionId ||
      options.audio_level_id == options.mid_id) {
    return Invalid("header extension ids must be distinct and in 1..14");
  }
  // Dynamic payload types (RFC 3551 §6) minus 64..95, which rtcp-mux keeps off (RFC 5761 §4).
  const std::uint8_t pt = options.opus_payload_type;
  if (pt > 127 || pt < 35 || (pt >= 64 && pt <= 95)) {
    return Invalid("Opus payload type must be dynamic (35..63 or 96..127)");
  }
  if (!IsSdpToken(options.cname, kMaxNameChars) || !IsSdpToken(options.stream_id, kMaxNameChars) ||
      !IsSdpToken(options.track_id, kMaxNameChars)) {
    return Invalid("cname, stream and track ids must be SDP tokens of at most 64 characters");
  }
  const std::size_t sections = options.receive_sections + (options.send ? 1 : 0);
  if (sections == 0 || sections > SdpParser::kMaxMediaSections) {
    return Invalid(fmt::format("1..{} m= sections are supported", SdpParser::kMaxMediaSections));
  }

  std::string out;
  Line(out, "v=0");
  Line(out, fmt::format("o=- {} 2 IN IP4 127.0.0.1", options.session_id));
  Line(out, "s=-");
  Line(out, "t=0 0");
  std::string bundle = "a=group:BUNDLE";
  for (std::size_t i = 0; i < sections; ++i) bundle += fmt::format(" {}", i);
  Line(out, bundle);
  Line(out, fmt::format("a=msid-semantic: WMS {}", options.stream_id));
  for (std::size_t i = 0; i < sections; ++i) {
    const bool sends = options.send && i == 0;
    // Port 9 and 0.0.0.0: JSEP's placeholders before candidates (RFC 8829 §5.2.1).
    Line(out, fmt::format("m=audio 9 UDP/TLS/RTP/SAVPF {}", pt));
    Line(out, "c=IN IP4 0.0.0.0");
    Line(out, fmt::format("a=ice-ufrag:{}", options.ice_ufrag));
    Line(out, fmt::format("a=ice-pwd:{}", options.ice_pwd));
    Line(out, fmt::format("a=fingerprint:{}", fingerprint->ToString()));
    Line(out, "a=setup:actpass");
    Line(out, fmt::format("a=mid:{}", i));
    Line(out, fmt::format("a=extmap:{} {}", options.audio_level_id, kAudioLevelExtensionUri));
    Line(out, fmt::format("a=extmap:{} {}", options.mid_id, kMidExtensionUri));
    Line(out, fmt::format("a={}", SdpDirectionName(sends ? options.send_direction
                                                         : SdpDirection::kRecvOnly)));
    if (sends) Line(out, fmt::format("a=msid:{} {}", options.stream_id, options.track_id));
    Line(out, "a=rtcp-mux");
    Line(out, "a=rtcp-rsize");
    Line(out, fmt::format("a=rtpmap:{} opus/48000/2", pt));
    Line(out, fmt::format("a=fmtp:{} minptime=10;useinbandfec=1", pt));
    if (sends) {
      Line(out, fmt::format("a=ssrc:{} cname:{}", options.send_ssrc, options.cname));
      Line(out, fmt::format("a=ssrc:{} msid:{} {}", options.send_ssrc, options.stream_id,
                            options.track_id));
    }
  }
  return out;
}

}  // namespace chorus::rtc
