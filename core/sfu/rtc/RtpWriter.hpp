// Builds RTP packets into caller buffers (RFC 3550 §5.1, RFC 8285 header extensions).
// No allocation; every function returns the bytes written, or 0 when `out` is too small or the
// arguments cannot be encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/RtpPacket.hpp"

namespace chorus::rtc {

// Fixed header fields of a packet to write.
struct RtpHeaderFields {
  std::uint8_t payload_type = 0;
  bool marker = false;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

// One RFC 8285 header extension element to write.
struct RtpExtensionElement {
  std::uint8_t id = 0;
  std::span<const std::uint8_t> data;
};

// Writes a complete RTP packet: header, up to 15 CSRCs, the extension elements (one-byte form
// when every id is 1..14 and every element 1..16 bytes, else two-byte form; RFC 8285 §4.2/4.3,
// zero-padded to 32 bits) and the payload. Returns bytes written or 0.
std::size_t WriteRtp(const RtpHeaderFields& header, std::span<const std::uint32_t> csrcs,
                     std::span<const RtpExtensionElement> extensions,
                     std::span<const std::uint8_t> payload, std::span<std::uint8_t> out);

// Copies `in` into `out` for forwarding to a subscriber slot: new SSRC, sequence, timestamp and
// marker, exactly one CSRC (`csrc`, the speaker's original SSRC; RFC 3550 §7.1 mixer-style
// contributing source), the original extension block verbatim, and the payload without RTP
// padding. `out` must not overlap `in`. Returns bytes written or 0 when `out` is too small.
// Caution: extension ids are negotiated per PeerConnection and the block carries the
// publisher's sdes:mid, which would steer the packet to the wrong transceiver of a subscriber
// whose ids or mids differ; the overload below writes the subscriber's own elements instead.
std::size_t WriteForwarded(const RtpPacket& in, std::span<std::uint8_t> out, std::uint32_t new_ssrc,
                           std::uint16_t seq, std::uint32_t ts, bool marker, std::uint32_t csrc);

// As above, but writes `extensions` (ids as negotiated with the subscriber, e.g. its
// ssrc-audio-level id carrying the speaker's level and its mid id carrying the slot's mid)
// instead of the source's extension block.
std::size_t WriteForwarded(const RtpPacket& in, std::span<std::uint8_t> out, std::uint32_t new_ssrc,
                           std::uint16_t seq, std::uint32_t ts, bool marker, std::uint32_t csrc,
                           std::span<const RtpExtensionElement> extensions);

}  // namespace chorus::rtc
