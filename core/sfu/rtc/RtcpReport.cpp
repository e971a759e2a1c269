#include "rtc/RtcpReport.hpp"

#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {

std::optional<RtcpReport> RtcpReport::Parse(const RtcpPacketView& packet) {
  RtcpReport report;
  if (packet.type == static_cast<std::uint8_t>(RtcpType::kSenderReport)) {
    report.sender_info_ = true;
  } else if (packet.type != static_cast<std::uint8_t>(RtcpType::kReceiverReport)) {
    return std::nullopt;
  }
  const std::size_t fixed = 4 + (report.sender_info_ ? kSenderInfoBytes : 0);
  report.report_count_ = packet.count;
  if (packet.body.size() < fixed + report.report_count_ * kReportBlockBytes) return std::nullopt;
  report.body_ = packet.body;
  return report;
}

std::uint32_t RtcpReport::SenderSsrc() const {
  return LoadBe32(body_.data());
}

std::optional<SenderInfo> RtcpReport::GetSenderInfo() const {
  if (!sender_info_) return std::nullopt;
  const std::uint8_t* p = body_.data() + 4;
  return SenderInfo{LoadBe64(p), LoadBe32(p + 8), LoadBe32(p + 12), LoadBe32(p + 16)};
}

ReportBlock RtcpReport::GetReportBlock(std::size_t i) const {
  if (i >= report_count_) return {};
  const std::uint8_t* p =
      body_.data() + 4 + (sender_info_ ? kSenderInfoBytes : 0) + i * kReportBlockBytes;
  ReportBlock block;
  block.ssrc = LoadBe32(p);
  block.fraction_lost = p[4];
  // Sign-extend the 24-bit cumulative loss.
  const std::uint32_t lost = LoadBe24(p + 5);
  block.cumulative_lost = (lost & 0x800000u) != 0 ? static_cast<std::int32_t>(lost) - 0x1000000
                                                  : static_cast<std::int32_t>(lost);
  block.ext_highest_seq = LoadBe32(p + 8);
  block.jitter = LoadBe32(p + 12);
  block.lsr = LoadBe32(p + 16);
  block.dlsr = LoadBe32(p + 20);
  return block;
}

}  // namespace chorus::rtc
