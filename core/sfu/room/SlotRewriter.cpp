#include "room/SlotRewriter.hpp"

#include <openssl/rand.h>

#include <algorithm>

namespace chorus::sfu {
namespace {

constexpr std::uint32_t kNoPendingResync = 0x10000;

std::uint32_t ToTicks(SlotRewriter::Clock::duration elapsed) {
  if (elapsed.count() <= 0) return 0;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  const auto ticks = static_cast<std::uint64_t>(micros) * SlotRewriter::kClockRateHz / 1'000'000;
  // Cap at 2^31 - 1 ticks (~12 h) so the jump stays a forward jump modulo 2^32.
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(ticks, 0x7FFFFFFFu));
}

}  // namespace

std::uint16_t SlotRewriter::RandomInitialSequence() {
  std::uint16_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value)) != 1) value = 0;
  return static_cast<std::uint16_t>(value & kMaxInitialSequence);
}

SlotRewriter::SlotRewriter(std::uint16_t initial_seq, std::uint32_t initial_ts)
    : initial_seq_(initial_seq), initial_ts_(initial_ts) {}

std::optional<std::uint32_t> SlotRewriter::CurrentSource() const {
  if (!has_source_) return std::nullopt;
  return source_ssrc_;
}

std::uint32_t SlotRewriter::TimestampAt(Clock::time_point now) const {
  if (!has_source_) return initial_ts_;
  return out_ts_ + ToTicks(now - last_time_);
}

SlotRewrite SlotRewriter::Map(std::uint16_t src_seq, std::uint32_t src_ts) const {
  SlotRewrite result;
  result.seq = static_cast<std::uint16_t>(src_seq + seq_offset_);
  result.ts = src_ts + ts_offset_;
  return result;
}

SlotRewrite SlotRewriter::Restart(std::uint32_t source_ssrc, std::uint16_t src_seq,
                                  std::uint32_t src_ts, Clock::time_point now) {
  std::uint16_t seq = initial_seq_;
  std::uint32_t ts = initial_ts_;
  if (has_source_) {
    seq = static_cast<std::uint16_t>(out_seq_ + 1);
    ts = out_ts_ + std::max(ToTicks(now - last_time_), kMinSwitchStepTicks);
  }
  has_source_ = true;
  source_ssrc_ = source_ssrc;
  seq_offset_ = static_cast<std::uint16_t>(seq - src_seq);
  ts_offset_ = ts - src_ts;
  src_highest_ = src_seq;
  src_start_ = src_seq;
  seen_ = 1;
  pending_resync_seq_ = kNoPendingResync;
  out_seq_ = seq;
  out_ts_ = ts;
  last_time_ = now;
  return SlotRewrite{seq, ts, true, false};
}

SlotRewrite SlotRewriter::Rewrite(std::uint32_t source_ssrc, std::uint16_t src_seq,
                                  std::uint32_t src_ts, Clock::time_point now) {
  if (!has_source_ || source_ssrc != source_ssrc_) {
    return Restart(source_ssrc, src_seq, src_ts, now);
  }
  const auto delta = static_cast<std::int16_t>(
      static_cast<std::uint16_t>(src_seq - static_cast<std::uint16_t>(src_highest_)));
  const bool large_jump = delta > static_cast<std::int32_t>(kMaxDropout) ||
                          delta <= -static_cast<std::int32_t>(kMaxMisorder);
  if (large_jump) {
    // The source restarted its numbering (or garbage): trust it once confirmed.
    if (src_seq == pending_resync_seq_) return Restart(source_ssrc, src_seq, src_ts, now);
    pending_resync_seq_ = static_cast<std::uint16_t>(src_seq + 1);
    return SlotRewrite{0, 0, false, true};
  }
  pending_resync_seq_ = kNoPendingResync;
  if (delta > 0) {
    src_highest_ += delta;
    seen_ = delta >= 64 ? 1 : (seen_ << delta) | 1;
    const SlotRewrite result = Map(src_seq, src_ts);
    out_seq_ = result.seq;
    out_ts_ = result.ts;
    last_time_ = now;
    return result;
  }
  // delta <= 0: a duplicate or a late packet.
  const int back = -delta;
  if (back >= kMaxReorder || src_highest_ - back < src_start_)
    return SlotRewrite{0, 0, false, true};
  const std::uint64_t bit = std::uint64_t{1} << back;
  if ((seen_ & bit) != 0) return SlotRewrite{0, 0, false, true};
  seen_ |= bit;
  return Map(src_seq, src_ts);
}

}  // namespace chorus::sfu
