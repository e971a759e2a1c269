// libFuzzer target: RTP parsing, extension lookup, in-place setters and the forwarding writer.
// Invariants (violations abort): a parsed packet's parts lie inside the input; the forwarded
// copy parses back with the same payload, extensions and exactly one CSRC.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "rtc/RtpPacket.hpp"
#include "rtc/RtpWriter.hpp"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using chorus::rtc::RtpPacket;
  // A mutable copy: the parser is a view that setters write through.
  std::vector<std::uint8_t> buffer(data, data + size);
  const std::span<const std::uint8_t> input(buffer);
  const bool is_rtp = RtpPacket::IsRtp(input);
  const bool is_rtcp = RtpPacket::IsRtcp(input);
  Check(!(is_rtp && is_rtcp));
  auto packet = RtpPacket::Parse(buffer);
  if (!packet) return 0;

  Check(packet->HeaderBytes() + packet->Payload().size() + packet->PaddingBytes() == size);
  std::size_t csrc_sum = 0;
  for (std::size_t i = 0; i < packet->CsrcCount(); ++i) csrc_sum += packet->Csrc(i);
  (void)csrc_sum;
  const auto block = packet->ExtensionBlock();
  if (!block.empty()) {
    Check(block.data() >= buffer.data() && block.data() + block.size() <= buffer.data() + size);
  }
  for (int id = 0; id < 256; ++id) {
    const auto element = packet->GetExtension(static_cast<std::uint8_t>(id));
    if (!element.empty()) {
      Check(element.data() >= block.data() &&
            element.data() + element.size() <= block.data() + block.size());
    }
    if (const auto level = packet->ReadAudioLevel(static_cast<std::uint8_t>(id))) {
      Check(level->level_dbov <= 127);
    }
  }

  std::array<std::uint8_t, 2048> out{};
  const std::size_t written =
      chorus::rtc::WriteForwarded(*packet, out, 0x5107, 42, 4242, true, packet->Ssrc());
  if (written > 0) {
    const auto forwarded = RtpPacket::Parse(std::span(out).first(written));
    Check(forwarded.has_value());
    Check(forwarded->CsrcCount() == 1 && forwarded->Csrc(0) == packet->Ssrc());
    Check(forwarded->Ssrc() == 0x5107 && forwarded->Sequence() == 42 && forwarded->Marker());
    Check(forwarded->Payload().size() == packet->Payload().size());
    Check(packet->Payload().empty() ||
          std::memcmp(forwarded->Payload().data(), packet->Payload().data(),
                      packet->Payload().size()) == 0);
    for (int id = 1; id < 15; ++id) {
      Check(forwarded->GetExtension(static_cast<std::uint8_t>(id)).size() ==
            packet->GetExtension(static_cast<std::uint8_t>(id)).size());
    }
  }

  if (const auto level = packet->ReadAudioLevel(1)) {
    const std::array<std::uint8_t, 1> level_byte = {
        static_cast<std::uint8_t>((level->voice_activity ? 0x80 : 0) | level->level_dbov)};
    const std::array<chorus::rtc::RtpExtensionElement, 1> extensions = {
        chorus::rtc::RtpExtensionElement{3, level_byte}};
    const std::size_t size2 =
        chorus::rtc::WriteForwarded(*packet, out, 1, 2, 3, false, 4, extensions);
    if (size2 > 0) {
      const auto forwarded = RtpPacket::Parse(std::span(out).first(size2));
      Check(forwarded.has_value());
      const auto copied = forwarded->ReadAudioLevel(3);
      Check(copied && copied->level_dbov == level->level_dbov);
    }
  }

  packet->SetSsrc(packet->Sequence());
  packet->SetSequence(static_cast<std::uint16_t>(packet->Timestamp()));
  packet->SetTimestamp(packet->Ssrc());
  packet->SetMarker(!packet->Marker());
  packet->SetPayloadType(packet->PayloadType());
  Check(RtpPacket::Parse(buffer).has_value());
  return 0;
}
