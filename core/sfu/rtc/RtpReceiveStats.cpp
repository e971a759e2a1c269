#include "rtc/RtpReceiveStats.hpp"

#include <cmath>

#include "rtc/RtcpTime.hpp"

namespace chorus::rtc {
namespace {

constexpr std::uint32_t kSeqMod = 1u << 16;

}  // namespace

RtpReceiveStats::RtpReceiveStats(std::uint32_t ssrc, std::uint32_t clock_rate_hz)
    : ssrc_(ssrc), clock_rate_hz_(clock_rate_hz), bad_seq_(kSeqMod + 1) {}

void RtpReceiveStats::InitSequence(std::uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
}

bool RtpReceiveStats::OnPacket(std::uint16_t seq, std::uint32_t rtp_timestamp,
                               Clock::time_point arrival, std::size_t bytes) {
  if (!started_) {
    started_ = true;
    epoch_ = arrival;
    InitSequence(seq);
    ++received_;
    bytes_ += bytes;
    UpdateJitter(rtp_timestamp, arrival);
    return true;
  }
  // RFC 3550 A.1 update_seq, without probation: SRTP already authenticated the source.
  const auto udelta = static_cast<std::uint16_t>(seq - max_seq_);
  if (udelta < kMaxDropout) {
    if (udelta != 0) {
      if (seq < max_seq_) cycles_ += kSeqMod;  // wrapped
      max_seq_ = seq;
      UpdateJitter(rtp_timestamp, arrival);
    }
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: accept only when the next packet confirms it (source restarted).
    if (seq == bad_seq_) {
      InitSequence(seq);
      has_transit_ = false;
      UpdateJitter(rtp_timestamp, arrival);
    } else {
      bad_seq_ = (std::uint32_t{seq} + 1) & (kSeqMod - 1);
      return false;
    }
  }
  // Otherwise a duplicate or reordered packet: counted, as A.1 does.
  ++received_;
  bytes_ += bytes;
  return true;
}

void RtpReceiveStats::UpdateJitter(std::uint32_t rtp_timestamp, Clock::time_point arrival) {
  // RFC 3550 A.8: transit = arrival (in RTP units) - RTP timestamp; J += (|D| - J) / 16.
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::microseconds>(arrival - epoch_).count();
  const std::int64_t arrival_ticks = since_epoch * clock_rate_hz_ / 1'000'000;
  const auto transit = static_cast<std::int64_t>(
      static_cast<std::int32_t>(static_cast<std::uint32_t>(arrival_ticks) - rtp_timestamp));
  if (has_transit_) {
    const auto d = static_cast<std::int32_t>(static_cast<std::uint32_t>(transit - last_transit_));
    jitter_ += (std::fabs(static_cast<double>(d)) - jitter_) / 16.0;
  }
  has_transit_ = true;
  last_transit_ = transit;
}

void RtpReceiveStats::OnSenderReport(std::uint64_t ntp_timestamp, Clock::time_point arrival) {
  last_sr_compact_ntp_ = CompactNtp(ntp_timestamp);
  last_sr_arrival_ = arrival;
  has_sr_ = true;
}

std::int64_t RtpReceiveStats::Expected() const {
  if (!started_) return 0;
  return static_cast<std::int64_t>(ExtendedHighestSeq()) - base_seq_ + 1;
}

std::int64_t RtpReceiveStats::CumulativeLost() const {
  return Expected() - static_cast<std::int64_t>(received_);
}

ReportBlock RtpReceiveStats::MakeReportBlock(Clock::time_point now) {
  ReportBlock block;
  block.ssrc = ssrc_;
  if (!started_) return block;
  // RFC 3550 A.3.
  const std::int64_t expected = Expected();
  const std::int64_t expected_interval = expected - expected_prior_;
  const auto received_interval = static_cast<std::int64_t>(received_ - received_prior_);
  const std::int64_t lost_interval = expected_interval - received_interval;
  expected_prior_ = expected;
  received_prior_ = received_;
  if (expected_interval > 0 && lost_interval > 0) {
    const std::int64_t fraction = (lost_interval << 8) / expected_interval;
    block.fraction_lost = static_cast<std::uint8_t>(fraction > 255 ? 255 : fraction);
  }
  const std::int64_t lost = CumulativeLost();
  block.cumulative_lost =
      static_cast<std::int32_t>(lost > 0x7FFFFF ? 0x7FFFFF : (lost < -0x800000 ? -0x800000 : lost));
  block.ext_highest_seq = ExtendedHighestSeq();
  block.jitter = Jitter();
  if (has_sr_) {
    block.lsr = last_sr_compact_ntp_;
    block.dlsr = ToCompactNtpDuration(now - last_sr_arrival_);
  }
  return block;
}

}  // namespace chorus::rtc
