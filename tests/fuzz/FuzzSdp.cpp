// libFuzzer target for the SDP parser, the offer/answer profile checks and the answer builder.
// Any crash, sanitizer report or broken invariant (checked with __builtin_trap) is a bug.
// Invariants: an accepted offer always yields an answer that (1) keeps the offer's m= order and
// mids, (2) has CR only before LF, (3) fits SdpParser::kMaxSdpBytes and (4) reads back through
// SdpAnswer::Parse with the server's credentials and candidate.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtc/SdpAnswer.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"
#include "rtc/SdpParser.hpp"

namespace {

using chorus::rtc::SdpAnswer;
using chorus::rtc::SdpAnswerBuilder;
using chorus::rtc::SdpAnswerOptions;
using chorus::rtc::SdpOffer;
using chorus::rtc::SdpParser;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// Touches every string and vector so a bad object shows up under ASan.
std::size_t Touch(const chorus::rtc::SdpDescription& d) {
  std::size_t sum = d.bundle_mids.size();
  for (const auto& m : d.media) {
    sum += m.kind.size() + m.mid.size() + m.ice_ufrag.size() + m.ice_pwd.size() + m.formats.size();
    for (const auto& codec : m.codecs) sum += codec.encoding.size() + codec.fmtp.size();
    for (const auto& extension : m.extensions) sum += extension.uri.size() + extension.id;
    for (const auto& ssrc : m.ssrcs) sum += ssrc.cname.size() + ssrc.msid_track.size();
    for (const auto& candidate : m.candidates) sum += candidate.address.size() + candidate.port;
    if (m.fingerprint) sum += m.fingerprint->ToString().size();
  }
  return sum;
}

void CheckAnswer(const SdpOffer& offer, std::size_t slot_count) {
  SdpAnswerOptions options;
  options.ice_ufrag = "fuzz";
  options.ice_pwd = "fuzzpasswordfuzzpasswd";
  options.fingerprint =
      "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:"
      "BB:CC:DD:EE:FF";
  options.announce_ips = {"127.0.0.1"};
  options.announce_port = 40000;
  options.cname = "fuzz";
  for (std::size_t i = 0; i < slot_count; ++i) options.slot_ssrcs.push_back(1000 + i);
  auto built = SdpAnswerBuilder::Build(offer, options);
  Require(built.Ok());
  const std::string& sdp = built.Value().sdp;
  Require(sdp.size() <= SdpParser::kMaxSdpBytes);
  for (std::size_t i = 0; i < sdp.size(); ++i) {
    if (sdp[i] == '\r') Require(i + 1 < sdp.size() && sdp[i + 1] == '\n');
  }
  Require(built.Value().slots.size() <= slot_count);
  auto reparsed = SdpParser::Parse(sdp);
  Require(reparsed.Ok());
  const auto& offered = offer.Description().media;
  const auto& answered = reparsed.Value().media;
  Require(offered.size() == answered.size());
  for (std::size_t i = 0; i < offered.size(); ++i) Require(offered[i].mid == answered[i].mid);
  auto answer = SdpAnswer::Parse(sdp);
  Require(answer.Ok());
  Require(answer.Value().IceUfrag() == "fuzz");
  Require(answer.Value().Candidate().port == 40000);
  Require(answer.Value().Slots().size() == built.Value().slots.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  volatile std::size_t sink = 0;
  if (auto parsed = SdpParser::Parse(text)) sink = sink + Touch(parsed.Value());
  if (auto answer = SdpAnswer::Parse(text)) {
    sink = sink + answer.Value().Slots().size() + answer.Value().Candidate().address.size();
  }
  auto offer = SdpOffer::Parse(text);
  if (!offer) {
    Require(!offer.Error().message.empty());
    return 0;
  }
  const std::size_t slot_count = size % 7;  // 0..6 slots, more and fewer than the sections
  CheckAnswer(offer.Value(), slot_count);
  return 0;
}
