#include "rtc/SdpParser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <string>

#include <fmt/format.h>

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxExcerptChars = 40;

// A short, printable excerpt of untrusted input for error messages.
std::string Excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxExcerptChars)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
  }
  if (text.size() > kMaxExcerptChars) out += "...";
  return out;
}

SdpError Malformed(std::size_t line_number, std::string_view what, std::string_view line) {
  return SdpError{SdpErrorCode::kMalformed,
                  fmt::format("line {}: {}: '{}'", line_number, what, Excerpt(line))};
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Splits off the next space-separated token of `rest` (skipping repeated spaces).
std::string_view NextToken(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const auto end = std::min(rest.find(' '), rest.size());
  const std::string_view token = rest.substr(0, end);
  rest.remove_prefix(end);
  return token;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// m=<media> <port>[/<count>] <proto> <fmt> ... (RFC 8866 §5.14)
bool ParseMediaLine(std::string_view value, SdpMediaSection& section) {
  std::string_view rest = value;
  section.kind = std::string(NextToken(rest));
  std::string_view port = NextToken(rest);
  port = port.substr(0, port.find('/'));
  section.protocol = std::string(NextToken(rest));
  if (section.kind.empty() || section.protocol.empty() || !ParseNumber(port, section.port)) {
    return false;
  }
  for (auto token = NextToken(rest); !token.empty(); token = NextToken(rest)) {
    section.formats.emplace_back(token);
  }
  return !section.formats.empty();
}

// a=rtpmap:<pt> <encoding>/<clock>[/<channels>] (RFC 8866 §6.6)
bool ParseRtpMap(std::string_view value, SdpCodec& codec) {
  std::string_view rest = value;
  if (!ParseNumber(NextToken(rest), codec.payload_type) || codec.payload_type > 127) return false;
  std::string_view spec = NextToken(rest);
  const auto slash = spec.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  codec.encoding = std::string(spec.substr(0, slash));
  spec.remove_prefix(slash + 1);
  const auto slash2 = spec.find('/');
  if (!ParseNumber(spec.substr(0, slash2), codec.clock_rate)) return false;
  if (slash2 != std::string_view::npos && !ParseNumber(spec.substr(slash2 + 1), codec.channels)) {
    return false;
  }
  return true;
}

// a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §8)
bool ParseExtMap(std::string_view value, SdpExtension& extension) {
  std::string_view rest = value;
  std::string_view id = NextToken(rest);
  id = id.substr(0, id.find('/'));
  extension.uri = std::string(NextToken(rest));
  return ParseNumber(id, extension.id) && extension.id >= 1 && extension.id <= 255 &&
         !extension.uri.empty();
}

// a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
// (RFC 8839 §5.1)
bool ParseCandidate(std::string_view value, SdpCandidate& candidate) {
  std::string_view rest = value;
  candidate.foundation = std::string(NextToken(rest));
  if (!ParseNumber(NextToken(rest), candidate.component)) return false;
  candidate.transport = Lower(NextToken(rest));
  if (!ParseNumber(NextToken(rest), candidate.priority)) return false;
  candidate.address = std::string(NextToken(rest));
  if (!ParseNumber(NextToken(rest), candidate.port)) return false;
  if (NextToken(rest) != "typ") return false;
  candidate.type = Lower(NextToken(rest));
  return !candidate.foundation.empty() && !candidate.address.empty() && !candidate.type.empty();
}

bool ParseDirection(std::string_view name, SdpDirection& direction) {
  if (name == "sendrecv")
    direction = SdpDirection::kSendRecv;
  else if (name == "sendonly")
    direction = SdpDirection::kSendOnly;
  else if (name == "recvonly")
    direction = SdpDirection::kRecvOnly;
  else if (name == "inactive")
    direction = SdpDirection::kInactive;
  else
    return false;
  return true;
}

SdpSetup ParseSetup(std::string_view value) {
  if (value == "actpass") return SdpSetup::kActpass;
  if (value == "active") return SdpSetup::kActive;
  if (value == "passive") return SdpSetup::kPassive;
  return SdpSetup::kNone;
}

SdpSsrc& FindOrAddSsrc(SdpMediaSection& section, std::uint32_t ssrc) {
  for (auto& entry : section.ssrcs) {
    if (entry.ssrc == ssrc) return entry;
  }
  section.ssrcs.push_back(SdpSsrc{ssrc, {}, {}, {}});
  return section.ssrcs.back();
}

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1)
void ParseSsrc(std::string_view value, SdpMediaSection& section) {
  std::string_view rest = value;
  std::uint32_t ssrc = 0;
  if (!ParseNumber(NextToken(rest), ssrc)) return;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const auto colon = rest.find(':');
  const std::string_view name = rest.substr(0, colon);
  const std::string_view attribute_value =
      colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  SdpSsrc& entry = FindOrAddSsrc(section, ssrc);
  if (name == "cname") {
    entry.cname = std::string(attribute_value);
  } else if (name == "msid") {
    std::string_view msid = attribute_value;
    entry.msid_stream = std::string(NextToken(msid));
    entry.msid_track = std::string(NextToken(msid));
  }
}

// Parser state for one media section that does not belong in SdpMediaSection.
struct SectionState {
  std::map<std::uint8_t, std::string> fmtps;  // a=fmtp may come before its a=rtpmap
  bool direction_seen = false;
};

// Session-level values that media sections inherit.
struct SessionDefaults {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::optional<SdpFingerprint> fingerprint;
  SdpSetup setup = SdpSetup::kNone;
  std::optional<SdpDirection> direction;
};

// Applies one a= line to the session (section == nullptr) or to a media section.
void ApplyAttribute(std::string_view name, std::string_view value, SdpDescription& description,
                    SessionDefaults& session, SdpMediaSection* section, SectionState& state) {
  SdpDirection direction;
  if (ParseDirection(name, direction)) {
    if (section != nullptr) {
      section->direction = direction;
      state.direction_seen = true;
    } else {
      session.direction = direction;
    }
  } else if (name == "ice-ufrag") {
    (section != nullptr ? section->ice_ufrag : session.ice_ufrag) = std::string(value);
  } else if (name == "ice-pwd") {
    (section != nullptr ? section->ice_pwd : session.ice_pwd) = std::string(value);
  } else if (name == "fingerprint") {
    // RFC 8122 §5 allows several; the first readable one wins.
    auto& slot = section != nullptr ? section->fingerprint : session.fingerprint;
    if (!slot) slot = SdpFingerprint::Parse(value);
  } else if (name == "setup") {
    (section != nullptr ? section->setup : session.setup) = ParseSetup(value);
  } else if (name == "ice-lite") {
    if (section == nullptr) description.ice_lite = true;
  } else if (name == "group") {
    std::string_view rest = value;
    if (section == nullptr && NextToken(rest) == "BUNDLE" && description.bundle_mids.empty()) {
      for (auto mid = NextToken(rest); !mid.empty(); mid = NextToken(rest)) {
        description.bundle_mids.emplace_back(mid);
      }
    }
  } else if (section == nullptr) {
    return;  // the remaining attributes are media-level only
  } else if (name == "mid") {
    section->mid = std::string(value);
  } else if (name == "rtcp-mux") {
    section->rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    section->rtcp_rsize = true;
  } else if (name == "bundle-only") {
    section->bundle_only = true;
  } else if (name == "rtpmap") {
    SdpCodec codec;
    if (ParseRtpMap(value, codec)) section->codecs.push_back(std::move(codec));
  } else if (name == "fmtp") {
    std::string_view rest = value;
    std::uint8_t payload_type = 0;
    if (ParseNumber(NextToken(rest), payload_type)) {
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      state.fmtps[payload_type] = std::string(rest);
    }
  } else if (name == "extmap") {
    SdpExtension extension;
    if (ParseExtMap(value, extension)) section->extensions.push_back(std::move(extension));
  } else if (name == "ssrc") {
    ParseSsrc(value, *section);
  } else if (name == "msid") {
    std::string_view rest = value;
    section->msid_stream = std::string(NextToken(rest));
    section->msid_track = std::string(NextToken(rest));
  } else if (name == "candidate") {
    SdpCandidate candidate;
    if (ParseCandidate(value, candidate)) section->candidates.push_back(std::move(candidate));
  } else if (name == "end-of-candidates") {
    section->end_of_candidates = true;
  }
}

// Keeps the codecs listed on the m= line, in that order, and attaches their fmtp lines.
void FinishSection(SdpMediaSection& section, const SessionDefaults& session,
                   const SectionState& state) {
  std::vector<SdpCodec> ordered;
  for (const auto& format : section.formats) {
    std::uint8_t payload_type = 0;
    if (!ParseNumber(std::string_view(format), payload_type)) continue;
    for (auto& codec : section.codecs) {
      if (codec.payload_type == payload_type) {
        if (auto it = state.fmtps.find(payload_type); it != state.fmtps.end()) {
          codec.fmtp = it->second;
        }
        ordered.push_back(std::move(codec));
        break;
      }
    }
  }
  section.codecs = std::move(ordered);
  if (section.ice_ufrag.empty()) section.ice_ufrag = session.ice_ufrag;
  if (section.ice_pwd.empty()) section.ice_pwd = session.ice_pwd;
  if (!section.fingerprint) section.fingerprint = session.fingerprint;
  if (section.setup == SdpSetup::kNone) section.setup = session.setup;
  // RFC 3264 §5.1: a session-level direction applies where the media section has none.
  if (!state.direction_seen && session.direction) section.direction = *session.direction;
}

}  // namespace

SdpResult<SdpDescription> SdpParser::Parse(std::string_view text) {
  if (text.size() > kMaxSdpBytes) {
    return SdpError{
        SdpErrorCode::kTooLarge,
        fmt::format("SDP is {} bytes, more than the {} allowed", text.size(), kMaxSdpBytes)};
  }
  SdpDescription description;
  SessionDefaults session;
  std::vector<SectionState> states;  // one per media section
  SectionState session_state;        // unused by session-level attributes
  bool saw_version = false;
  std::size_t line_number = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // tolerate blank lines (e.g. a trailing one)
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return Malformed(line_number, "not a <type>=<value> line", line);
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!saw_version) {
      if (type != 'v' || value != "0")
        return Malformed(line_number, "SDP must start with v=0", line);
      saw_version = true;
      continue;
    }
    SdpMediaSection* section = description.media.empty() ? nullptr : &description.media.back();
    if (type == 'm') {
      if (description.media.size() >= kMaxMediaSections) {
        return SdpError{SdpErrorCode::kTooManyMediaSections,
                        fmt::format("more than {} m= sections", kMaxMediaSections)};
      }
      SdpMediaSection next;
      if (!ParseMediaLine(value, next)) return Malformed(line_number, "unreadable m= line", line);
      description.media.push_back(std::move(next));
      states.emplace_back();
    } else if (type == 'o' && section == nullptr) {
      std::string_view fields = value;
      NextToken(fields);  // username
      ParseNumber(NextToken(fields), description.session_id);
      ParseNumber(NextToken(fields), description.session_version);
    } else if (type == 'a') {
      const auto colon = value.find(':');
      const std::string_view name = value.substr(0, colon);
      const std::string_view attribute_value =
          colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
      ApplyAttribute(name, attribute_value, description, session, section,
                     section != nullptr ? states.back() : session_state);
    }
  }
  if (!saw_version) return Malformed(line_number, "empty SDP", text);
  for (std::size_t i = 0; i < description.media.size(); ++i) {
    FinishSection(description.media[i], session, states[i]);
  }
  return description;
}

}  // namespace chorus::rtc
