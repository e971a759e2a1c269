// Iterates the packets of a compound RTCP packet (RFC 3550 §6.1) without allocating.
// Thread affinity: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace chorus::rtc {

// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
enum class RtcpType : std::uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kTransportFeedback = 205,  // RTPFB, e.g. transport-cc (FMT 15), NACK (FMT 1)
  kPayloadFeedback = 206,    // PSFB, e.g. PLI (FMT 1)
};

// One packet inside a compound packet.
struct RtcpPacketView {
  std::uint8_t count = 0;                // RC / SC / FMT field (5 bits)
  std::uint8_t type = 0;                 // packet type, compare with RtcpType
  std::span<const std::uint8_t> body;    // after the 4-byte common header, padding removed
  std::span<const std::uint8_t> packet;  // the whole packet, header and padding included
};

// Walks a compound packet one packet at a time; stops at the end or at the first malformed
// packet (bad version, length past the buffer, bad padding), after which Malformed() is true.
class RtcpCompound {
 public:
  static constexpr std::size_t kHeaderBytes = 4;

  explicit RtcpCompound(std::span<const std::uint8_t> data) : data_(data) {}

  // Returns the next packet, or nullopt at the end or on malformed input.
  std::optional<RtcpPacketView> Next();

  // True when iteration stopped on malformed input rather than at the end.
  bool Malformed() const { return malformed_; }

  // Walks `data` fully; true when it holds at least one packet and every packet is well formed.
  static bool Validate(std::span<const std::uint8_t> data);

 private:
  std::span<const std::uint8_t> data_;
  std::size_t offset_ = 0;
  bool malformed_ = false;
};

}  // namespace chorus::rtc
