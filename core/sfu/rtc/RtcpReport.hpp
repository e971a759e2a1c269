// Sender and receiver reports (RFC 3550 §6.4.1, §6.4.2) as views over a compound packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/RtcpCompound.hpp"

namespace chorus::rtc {

// One reception report block (RFC 3550 §6.4.1).
struct ReportBlock {
  std::uint32_t ssrc = 0;             // source this block reports on
  std::uint8_t fraction_lost = 0;     // fixed point /256 since the previous report
  std::int32_t cumulative_lost = 0;   // signed 24-bit on the wire
  std::uint32_t ext_highest_seq = 0;  // cycles << 16 | highest sequence
  std::uint32_t jitter = 0;           // timestamp units
  std::uint32_t lsr = 0;              // middle 32 bits of the last SR's NTP time, 0 if none
  std::uint32_t dlsr = 0;             // delay since that SR, 1/65536 s
};

// Sender info of an SR (RFC 3550 §6.4.1).
struct SenderInfo {
  std::uint64_t ntp_timestamp = 0;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};

// A view over one SR or RR packet.
class RtcpReport {
 public:
  static constexpr std::size_t kReportBlockBytes = 24;
  static constexpr std::size_t kSenderInfoBytes = 20;
  static constexpr std::size_t kMaxReportBlocks = 31;

  // Parses an SR or RR; nullopt for other types or when the report blocks do not fit.
  // Extra bytes after the blocks (profile extensions, §6.4.1) are ignored.
  static std::optional<RtcpReport> Parse(const RtcpPacketView& packet);

  bool IsSenderReport() const { return sender_info_; }
  // SSRC of the packet's sender.
  std::uint32_t SenderSsrc() const;
  // Sender info; nullopt for an RR.
  std::optional<SenderInfo> GetSenderInfo() const;
  std::size_t ReportCount() const { return report_count_; }
  // The i-th report block (i < ReportCount()).
  ReportBlock GetReportBlock(std::size_t i) const;

 private:
  RtcpReport() = default;

  std::span<const std::uint8_t> body_;
  bool sender_info_ = false;
  std::size_t report_count_ = 0;
};

}  // namespace chorus::rtc
