// RTP packet view (RFC 3550 §5.1) with RFC 8285 header extensions and RFC 6464 audio level.
// Thread affinity: none; a view is used on the thread that owns its buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace chorus::rtc {

// RFC 6464 §3: the ssrc-audio-level element.
struct AudioLevel {
  std::uint8_t level_dbov = 127;  // 0 = loudest (0 dBov), 127 = silence (-127 dBov)
  bool voice_activity = false;
};

// A mutable view over one RTP packet held in the caller's buffer. Parsing never allocates and
// never throws; setters rewrite the caller's bytes in place.
class RtpPacket {
 public:
  static constexpr std::size_t kFixedHeaderBytes = 12;
  static constexpr std::size_t kMaxCsrcs = 15;
  static constexpr std::uint16_t kOneByteProfile = 0xBEDE;      // RFC 8285 §4.2
  static constexpr std::uint16_t kTwoByteProfileMask = 0xFFF0;  // RFC 8285 §4.3
  static constexpr std::uint16_t kTwoByteProfile = 0x1000;

  // True when `data` looks like RTP and not RTCP: first byte 128..191 (RFC 7983 §7), at least a
  // fixed header, and a payload type outside 64..95 (RFC 5761 §4).
  static bool IsRtp(std::span<const std::uint8_t> data);

  // True when `data` looks like RTCP: first byte 128..191 and packet type 192..223 (RFC 5761 §4).
  static bool IsRtcp(std::span<const std::uint8_t> data);

  // Parses `data` as a view; returns nullopt for anything malformed (bad version, truncated
  // CSRC list or extension block, padding larger than the packet).
  static std::optional<RtpPacket> Parse(std::span<std::uint8_t> data);

  std::uint8_t Version() const { return data_[0] >> 6; }
  bool HasPadding() const { return (data_[0] & 0x20) != 0; }
  bool HasExtension() const { return (data_[0] & 0x10) != 0; }
  bool Marker() const { return (data_[1] & 0x80) != 0; }
  std::uint8_t PayloadType() const { return data_[1] & 0x7F; }
  std::uint16_t Sequence() const;
  std::uint32_t Timestamp() const;
  std::uint32_t Ssrc() const;
  std::size_t CsrcCount() const { return data_[0] & 0x0F; }
  // The i-th CSRC (i < CsrcCount()).
  std::uint32_t Csrc(std::size_t i) const;

  // The extension profile (0xBEDE, 0x100X or another), 0 when there is no extension block.
  std::uint16_t ExtensionProfile() const { return ext_profile_; }
  // The extension elements area (after the 4-byte extension header); empty when absent.
  std::span<const std::uint8_t> ExtensionData() const;
  // The whole extension block including its 4-byte header; empty when absent.
  std::span<const std::uint8_t> ExtensionBlock() const;
  // Data of the RFC 8285 element with local id `id`; empty span when absent (or the block is of
  // an unknown profile). Walks the block each call: blocks hold a handful of bytes.
  std::span<const std::uint8_t> GetExtension(std::uint8_t id) const;
  // Reads an RFC 6464 audio level carried with extension id `ext_id`; nullopt when absent.
  std::optional<AudioLevel> ReadAudioLevel(std::uint8_t ext_id) const;

  std::size_t HeaderBytes() const { return payload_offset_; }
  std::span<std::uint8_t> Payload() const { return data_.subspan(payload_offset_, payload_bytes_); }
  std::size_t PaddingBytes() const { return padding_bytes_; }
  // The whole packet.
  std::span<std::uint8_t> Data() const { return data_; }
  std::size_t Size() const { return data_.size(); }

  // In-place rewrites of fixed header fields.
  void SetSsrc(std::uint32_t ssrc);
  void SetSequence(std::uint16_t seq);
  void SetTimestamp(std::uint32_t ts);
  void SetMarker(bool marker);
  void SetPayloadType(std::uint8_t pt);

 private:
  explicit RtpPacket(std::span<std::uint8_t> data) : data_(data) {}

  std::span<std::uint8_t> data_;
  std::size_t ext_offset_ = 0;  // offset of the 4-byte extension header, 0 if absent
  std::size_t ext_bytes_ = 0;   // bytes of extension elements after that header
  std::uint16_t ext_profile_ = 0;
  std::size_t payload_offset_ = 0;
  std::size_t payload_bytes_ = 0;
  std::size_t padding_bytes_ = 0;
};

}  // namespace chorus::rtc
