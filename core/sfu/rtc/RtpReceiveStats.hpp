// Receive statistics for one incoming RTP source (RFC 3550 A.1, A.3, A.8), able to fill the
// report block of a receiver report. Thread affinity: the media worker owning the source.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "rtc/RtcpReport.hpp"

namespace chorus::rtc {

class RtpReceiveStats {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::uint32_t kDefaultClockRateHz = 48'000;  // Opus
  static constexpr std::uint16_t kMaxDropout = 3000;            // RFC 3550 A.1
  static constexpr std::uint16_t kMaxMisorder = 100;

  explicit RtpReceiveStats(std::uint32_t ssrc, std::uint32_t clock_rate_hz = kDefaultClockRateHz);

  // Records one received packet. Returns false when the sequence number jumped so far that the
  // packet is ignored (RFC 3550 A.1: a second consecutive packet after the jump resyncs).
  bool OnPacket(std::uint16_t seq, std::uint32_t rtp_timestamp, Clock::time_point arrival,
                std::size_t bytes);

  // Records the arrival of a sender report from this source (for LSR/DLSR).
  void OnSenderReport(std::uint64_t ntp_timestamp, Clock::time_point arrival);

  // Fills a report block as of `now` (RFC 3550 A.3) and starts a new report interval, so the
  // next block's fraction lost covers only what happens after this call.
  ReportBlock MakeReportBlock(Clock::time_point now);

  std::uint32_t Ssrc() const { return ssrc_; }
  bool HasPackets() const { return started_; }
  // Extended highest sequence number: cycles << 16 | max seq.
  std::uint32_t ExtendedHighestSeq() const { return cycles_ + max_seq_; }
  // Packets expected from the first to the highest sequence number.
  std::int64_t Expected() const;
  // Expected minus received; negative with duplicates (RFC 3550 §6.4.1).
  std::int64_t CumulativeLost() const;
  // Interarrival jitter in RTP timestamp units (RFC 3550 A.8).
  std::uint32_t Jitter() const { return static_cast<std::uint32_t>(jitter_); }
  std::uint64_t PacketsReceived() const { return received_; }
  std::uint64_t BytesReceived() const { return bytes_; }

 private:
  void InitSequence(std::uint16_t seq);
  void UpdateJitter(std::uint32_t rtp_timestamp, Clock::time_point arrival);

  std::uint32_t ssrc_;
  std::uint32_t clock_rate_hz_;
  bool started_ = false;
  std::uint16_t max_seq_ = 0;
  std::uint32_t cycles_ = 0;  // count of wraps << 16
  std::uint32_t base_seq_ = 0;
  std::uint32_t bad_seq_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t expected_prior_ = 0;
  std::uint64_t received_prior_ = 0;
  // Jitter (A.8).
  Clock::time_point epoch_{};
  bool has_transit_ = false;
  std::int64_t last_transit_ = 0;
  double jitter_ = 0.0;
  // Last SR from this source.
  std::uint32_t last_sr_compact_ntp_ = 0;
  Clock::time_point last_sr_arrival_{};
  bool has_sr_ = false;
};

}  // namespace chorus::rtc
