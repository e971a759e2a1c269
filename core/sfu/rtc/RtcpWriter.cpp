#include "rtc/RtcpWriter.hpp"

#include <algorithm>
#include <cstring>

#include "rtc/RtcpTime.hpp"
#include "rtc/RtpBytes.hpp"

namespace chorus::rtc {
namespace {

constexpr std::size_t kMaxSdesTextBytes = 255;

// Common header: V=2, no padding, count, type, length in words minus one.
void WriteHeader(std::uint8_t count, RtcpType type, std::size_t total_bytes, std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(0x80 | (count & 0x1F));
  out[1] = static_cast<std::uint8_t>(type);
  StoreBe16(out + 2, static_cast<std::uint16_t>(total_bytes / 4 - 1));
}

void WriteBlock(const ReportBlock& block, std::uint8_t* p) {
  StoreBe32(p, block.ssrc);
  p[4] = block.fraction_lost;
  // RFC 3550 §6.4.1: signed 24-bit, clamped.
  const std::int32_t lost = std::clamp<std::int32_t>(block.cumulative_lost, -0x800000, 0x7FFFFF);
  StoreBe24(p + 5, static_cast<std::uint32_t>(lost) & 0xFFFFFFu);
  StoreBe32(p + 8, block.ext_highest_seq);
  StoreBe32(p + 12, block.jitter);
  StoreBe32(p + 16, block.lsr);
  StoreBe32(p + 20, block.dlsr);
}

std::size_t WriteReport(RtcpType type, std::uint32_t sender_ssrc, const SenderInfo* info,
                        std::span<const ReportBlock> blocks, std::span<std::uint8_t> out) {
  if (blocks.size() > RtcpReport::kMaxReportBlocks) return 0;
  const std::size_t total = RtcpCompound::kHeaderBytes + 4 +
                            (info ? RtcpReport::kSenderInfoBytes : 0) +
                            blocks.size() * RtcpReport::kReportBlockBytes;
  if (total > out.size()) return 0;
  std::uint8_t* p = out.data();
  WriteHeader(static_cast<std::uint8_t>(blocks.size()), type, total, p);
  StoreBe32(p + 4, sender_ssrc);
  p += 8;
  if (info) {
    StoreBe64(p, info->ntp_timestamp);
    StoreBe32(p + 8, info->rtp_timestamp);
    StoreBe32(p + 12, info->packet_count);
    StoreBe32(p + 16, info->octet_count);
    p += RtcpReport::kSenderInfoBytes;
  }
  for (const auto& block : blocks) {
    WriteBlock(block, p);
    p += RtcpReport::kReportBlockBytes;
  }
  return total;
}

}  // namespace

std::size_t WriteReceiverReport(std::uint32_t sender_ssrc, std::span<const ReportBlock> blocks,
                                std::span<std::uint8_t> out) {
  return WriteReport(RtcpType::kReceiverReport, sender_ssrc, nullptr, blocks, out);
}

std::size_t WriteSenderReport(std::uint32_t sender_ssrc, const SenderInfo& info,
                              std::span<const ReportBlock> blocks, std::span<std::uint8_t> out) {
  return WriteReport(RtcpType::kSenderReport, sender_ssrc, &info, blocks, out);
}

std::size_t WriteSenderReport(std::uint32_t sender_ssrc, std::chrono::system_clock::time_point now,
                              std::uint32_t rtp_timestamp, std::uint32_t packet_count,
                              std::uint32_t octet_count, std::span<const ReportBlock> blocks,
                              std::span<std::uint8_t> out) {
  const SenderInfo info{ToNtpTime(now), rtp_timestamp, packet_count, octet_count};
  return WriteSenderReport(sender_ssrc, info, blocks, out);
}

std::size_t WriteSdesCname(std::uint32_t ssrc, std::string_view cname,
                           std::span<std::uint8_t> out) {
  if (cname.size() > kMaxSdesTextBytes) return 0;
  // Chunk: SSRC, item (type, length, text), null item, padding to 32 bits (§6.5).
  const std::size_t chunk_bytes = (4 + 2 + cname.size() + 1 + 3) / 4 * 4;
  const std::size_t total = RtcpCompound::kHeaderBytes + chunk_bytes;
  if (total > out.size()) return 0;
  std::uint8_t* p = out.data();
  WriteHeader(1, RtcpType::kSdes, total, p);
  StoreBe32(p + 4, ssrc);
  p[8] = 1;  // CNAME
  p[9] = static_cast<std::uint8_t>(cname.size());
  if (!cname.empty()) std::memcpy(p + 10, cname.data(), cname.size());
  std::fill(p + 10 + cname.size(), p + total, std::uint8_t{0});
  return total;
}

std::size_t WriteBye(std::uint32_t ssrc, std::span<std::uint8_t> out) {
  constexpr std::size_t kTotal = 8;
  if (out.size() < kTotal) return 0;
  WriteHeader(1, RtcpType::kBye, kTotal, out.data());
  StoreBe32(out.data() + 4, ssrc);
  return kTotal;
}

}  // namespace chorus::rtc
