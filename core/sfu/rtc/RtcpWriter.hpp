// Writes RTCP packets into caller buffers (RFC 3550 §6.4, §6.5, §6.6). No allocation; each
// function returns the bytes written, or 0 when `out` is too small or the input cannot be
// encoded. Concatenate results to build a compound packet.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtc/RtcpReport.hpp"

namespace chorus::rtc {

// Receiver report from `sender_ssrc` with up to 31 report blocks.
std::size_t WriteReceiverReport(std::uint32_t sender_ssrc, std::span<const ReportBlock> blocks,
                                std::span<std::uint8_t> out);

// Sender report with the given sender info and up to 31 report blocks.
std::size_t WriteSenderReport(std::uint32_t sender_ssrc, const SenderInfo& info,
                              std::span<const ReportBlock> blocks, std::span<std::uint8_t> out);

// Sender report whose NTP time is `now` (wall clock).
std::size_t WriteSenderReport(std::uint32_t sender_ssrc, std::chrono::system_clock::time_point now,
                              std::uint32_t rtp_timestamp, std::uint32_t packet_count,
                              std::uint32_t octet_count, std::span<const ReportBlock> blocks,
                              std::span<std::uint8_t> out);

// SDES with one chunk holding one CNAME item (at most 255 bytes).
std::size_t WriteSdesCname(std::uint32_t ssrc, std::string_view cname, std::span<std::uint8_t> out);

// BYE for one SSRC, without a reason.
std::size_t WriteBye(std::uint32_t ssrc, std::span<std::uint8_t> out);

}  // namespace chorus::rtc
