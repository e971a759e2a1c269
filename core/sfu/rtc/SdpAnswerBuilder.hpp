// Builds the server's SDP answer to a validated SdpOffer (JSEP, RFC 8829 §5.3) for Chorus's
// ICE-lite, DTLS-passive, audio-only SFU, plus the slot map the signaling layer sends the client.
//
// Per offered m= section, in the offer's order and with its mid:
//  - the upstream section: a=recvonly (the server never sends on it; all downstream audio goes
//    through the receive slots, so the mic section needs no send slot);
//  - the i-th receive section (i < slot_ssrcs.size()): a=sendonly, a=msid and a=ssrc cname/msid
//    lines for slot_ssrcs[i], so the browser makes one stable track per slot;
//  - further receive sections, and audio sections the browser only sends on beyond the first:
//    a=inactive (kept in the BUNDLE, carry nothing);
//  - video/application sections and sections the offer disabled: port 0 (rejected), outside the
//    BUNDLE group.
// Every accepted section carries ice-ufrag/pwd, fingerprint, setup:passive, rtcp-mux (+ rtcp-rsize
// if offered), the offered Opus PT with "minptime=10;useinbandfec=1;usedtx=1", the
// ssrc-audio-level and sdes:mid extmaps with the offer's ids (when offered), one UDP host
// candidate per announced address (the first preferred: a public address behind a 1:1 NAT, then
// the private one), a passive TCP host candidate (RFC 6544) of lower priority per address when
// announce_tcp_port is set, and a=end-of-candidates. The c= and o= lines carry the first address.
// The session carries a=ice-lite.
// Thread affinity: none (pure function).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtc/SdpError.hpp"
#include "rtc/SdpOffer.hpp"

namespace chorus::rtc {

struct SdpAnswerOptions {
  static constexpr std::size_t kMaxAnnounceIps = 8;  // local preferences stay distinct

  std::string ice_ufrag;    // the server's, 4..256 ice-chars
  std::string ice_pwd;      // the server's, 22..256 ice-chars
  std::string fingerprint;  // "sha-256 AB:CD:..." (or bare "AB:CD:...", taken as sha-256)
  std::vector<std::string> announce_ips;  // numeric IPv4/IPv6 literals, 1..kMaxAnnounceIps
  std::uint16_t announce_port = 0;
  std::uint16_t announce_tcp_port = 0;             // ICE-TCP passive candidate port; 0: none
  std::vector<std::uint32_t> slot_ssrcs;           // one per receive slot, distinct
  std::string cname;                               // RFC 7022 CNAME for the slot SSRCs (a token)
  std::string slot_stream_prefix = "chorus-slot";  // slot i: msid "<prefix>-<i> <prefix>-<i>-audio"
  std::uint64_t session_id = 1;                    // o= line
};

// The header extension ids and codec one section uses (read from the offer).
struct SdpAudioParams {
  std::string mid;
  std::uint8_t opus_payload_type = 0;
  std::optional<std::uint16_t> audio_level_id;
  std::optional<std::uint16_t> mid_id;
};

// The browser's mic section.
struct SdpUpstream {
  SdpAudioParams params;
  std::vector<std::uint32_t> ssrcs;  // from the offer's a=ssrc lines (may be empty)
  std::string cname;
  std::string msid_stream;
  std::string msid_track;
};

// One entry of the slot map: mid -> slot index -> SSRC the server sends on.
struct SdpSlot {
  SdpAudioParams params;
  std::size_t slot_index = 0;
  std::uint32_t ssrc = 0;
  std::string msid_stream;
  std::string msid_track;
};

struct SdpLocalAnswer {
  std::string sdp;                      // CRLF line ends
  std::optional<SdpUpstream> upstream;  // nullopt when the participant is listen-only
  std::vector<SdpSlot> slots;           // in slot-index order
};

class SdpAnswerBuilder {
 public:
  // Builds the answer. Errors: kInvalidArgument when an option is unusable (bad credentials,
  // fingerprint, address, port 0, duplicate SSRCs, non-token cname/prefix).
  static SdpResult<SdpLocalAnswer> Build(const SdpOffer& offer, const SdpAnswerOptions& options);
};

}  // namespace chorus::rtc
