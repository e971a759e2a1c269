// libFuzzer target: compound RTCP iteration, SR/RR/SDES/BYE views, and RR/SR re-writing.
// Invariants (violations abort): every packet view lies inside the input; report blocks written
// back parse to the same values.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rtc/RtcpBye.hpp"
#include "rtc/RtcpCompound.hpp"
#include "rtc/RtcpReport.hpp"
#include "rtc/RtcpSdes.hpp"
#include "rtc/RtcpTime.hpp"
#include "rtc/RtcpWriter.hpp"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool SameBlock(const chorus::rtc::ReportBlock& a, const chorus::rtc::ReportBlock& b) {
  return a.ssrc == b.ssrc && a.fraction_lost == b.fraction_lost &&
         a.cumulative_lost == b.cumulative_lost && a.ext_highest_seq == b.ext_highest_seq &&
         a.jitter == b.jitter && a.lsr == b.lsr && a.dlsr == b.dlsr;
}

void CheckReport(const chorus::rtc::RtcpReport& report) {
  using namespace chorus::rtc;
  std::array<ReportBlock, RtcpReport::kMaxReportBlocks> blocks{};
  for (std::size_t i = 0; i < report.ReportCount(); ++i) {
    blocks[i] = report.GetReportBlock(i);
    (void)RoundTripTime(0x12345678, blocks[i].lsr, blocks[i].dlsr);
  }
  const auto used = std::span<const ReportBlock>(blocks).first(report.ReportCount());
  std::array<std::uint8_t, 1024> out{};
  const std::size_t written =
      report.IsSenderReport()
          ? WriteSenderReport(report.SenderSsrc(), *report.GetSenderInfo(), used, out)
          : WriteReceiverReport(report.SenderSsrc(), used, out);
  Check(written > 0);
  RtcpCompound compound{std::span<const std::uint8_t>(out).first(written)};
  const auto packet = compound.Next();
  Check(packet.has_value());
  const auto reparsed = RtcpReport::Parse(*packet);
  Check(reparsed.has_value() && reparsed->ReportCount() == report.ReportCount());
  for (std::size_t i = 0; i < report.ReportCount(); ++i) {
    Check(SameBlock(reparsed->GetReportBlock(i), blocks[i]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus::rtc;
  const std::span<const std::uint8_t> input(data, size);
  (void)RtcpCompound::Validate(input);
  RtcpCompound compound(input);
  while (const auto packet = compound.Next()) {
    Check(packet->packet.data() >= data &&
          packet->packet.data() + packet->packet.size() <= data + size);
    Check(packet->body.data() >= packet->packet.data() &&
          packet->body.data() + packet->body.size() <=
              packet->packet.data() + packet->packet.size());
    if (const auto report = RtcpReport::Parse(*packet)) CheckReport(*report);
    if (const auto sdes = RtcpSdes::Parse(*packet)) {
      const auto inside_body = [&](std::string_view text) {
        const auto* begin = reinterpret_cast<const std::uint8_t*>(text.data());
        return begin >= packet->body.data() &&
               begin + text.size() <= packet->body.data() + packet->body.size();
      };
      sdes->ForEachItem([&](const SdesItem& item) { Check(inside_body(item.text)); });
      if (const auto cname = sdes->FindCname(0)) Check(inside_body(*cname));
    }
    if (const auto bye = RtcpBye::Parse(*packet)) {
      for (std::size_t i = 0; i < bye->SsrcCount(); ++i) (void)bye->Ssrc(i);
      Check(bye->Reason().size() <= packet->body.size());
    }
  }
  return 0;
}
