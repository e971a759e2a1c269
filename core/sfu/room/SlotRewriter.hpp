// Sequence/timestamp rewriting for one subscriber receive slot (DESIGN.md "Media pitfalls").
// A slot carries whichever speaker the SFU currently forwards into it; the subscriber must see
// one continuous RTP stream: when the speaker changes, sequence numbers continue by one and the
// timestamp jumps forward by at least the wall-clock time since the slot's last packet (48 kHz
// ticks), with the marker bit set. Within one speaker the source's seq/ts deltas are kept, so
// the subscriber's jitter buffer and loss statistics see the source's real gaps.
// Thread affinity: the media worker owning the room. No allocation.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace chorus::sfu {

// Where to put one forwarded packet in the slot's stream.
struct SlotRewrite {
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  bool marker = false;  // set on the first packet after a speaker switch or resync; OR it with
                        // the source packet's own marker
  bool drop = false;    // duplicate, too old, or from before the switch: do not forward
};

class SlotRewriter {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::uint32_t kClockRateHz = 48'000;
  // Smallest timestamp step at a switch: one 20 ms Opus frame, so two switches within the same
  // millisecond still give increasing timestamps.
  static constexpr std::uint32_t kMinSwitchStepTicks = 960;
  // Older packets of the current source are forwarded if at most this far behind the highest.
  static constexpr std::uint16_t kMaxReorder = 64;
  // A packet this far (or more) behind the highest is taken as the source renumbering, like a
  // large forward jump (RFC 3550 A.1 MAX_MISORDER).
  static constexpr std::uint16_t kMaxMisorder = 100;
  // A forward jump larger than this (RFC 3550 A.1 MAX_DROPOUT) is trusted only when the next
  // packet confirms it; it then restarts the mapping like a switch.
  static constexpr std::uint16_t kMaxDropout = 3000;

  // Initial sequence numbers the server originates lie in [0, kMaxInitialSequence] (libwebrtc's
  // rule): a receiver that misses a stream's first packets assumes rollover counter 0 (RFC 3711
  // §3.3.1), so a start near 0xFFFF that wraps before the receiver hears anything would leave it
  // one ROC behind and fail SRTP authentication for the rest of the call.
  static constexpr std::uint16_t kMaxInitialSequence = 0x7FFF;

  // A random initial sequence number in [0, kMaxInitialSequence] (RFC 3550 §5.1).
  static std::uint16_t RandomInitialSequence();

  // `initial_seq` / `initial_ts` are the slot's first outgoing values (pick them at random,
  // RFC 3550 §5.1; the sequence number with RandomInitialSequence()).
  SlotRewriter(std::uint16_t initial_seq, std::uint32_t initial_ts);

  // Maps a packet of `source_ssrc` into the slot. A packet from another SSRC than the current
  // one switches the slot to that source.
  SlotRewrite Rewrite(std::uint32_t source_ssrc, std::uint16_t src_seq, std::uint32_t src_ts,
                      Clock::time_point now);

  // SSRC now mapped into the slot; nullopt before the first packet.
  std::optional<std::uint32_t> CurrentSource() const;
  // Highest sequence number and its timestamp sent so far (valid after the first packet).
  std::uint16_t LastSequence() const { return out_seq_; }
  std::uint32_t LastTimestamp() const { return out_ts_; }
  // The slot's RTP timestamp extrapolated to `now`, for sender reports (RFC 3550 §6.4.1).
  std::uint32_t TimestampAt(Clock::time_point now) const;

 private:
  SlotRewrite Restart(std::uint32_t source_ssrc, std::uint16_t src_seq, std::uint32_t src_ts,
                      Clock::time_point now);
  SlotRewrite Map(std::uint16_t src_seq, std::uint32_t src_ts) const;

  std::uint16_t initial_seq_;
  std::uint32_t initial_ts_;
  bool has_source_ = false;
  std::uint32_t source_ssrc_ = 0;
  // Last (highest) packet sent in the slot.
  std::uint16_t out_seq_ = 0;
  std::uint32_t out_ts_ = 0;
  Clock::time_point last_time_{};
  // Mapping of the current source: out = src + offset (mod 2^16 / 2^32).
  std::uint16_t seq_offset_ = 0;
  std::uint32_t ts_offset_ = 0;
  // Extended sequence numbers of the current source since the switch.
  std::int64_t src_highest_ = 0;
  std::int64_t src_start_ = 0;
  std::uint64_t seen_ = 0;                      // bit i: src_highest_ - i was forwarded
  std::uint32_t pending_resync_seq_ = 0x10000;  // a jump to confirm (A.1 bad_seq)
};

}  // namespace chorus::sfu
