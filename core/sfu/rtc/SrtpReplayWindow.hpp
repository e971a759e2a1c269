// Index tracking for one SRTP or SRTCP stream: rollover-counter estimation (RFC 3711 §3.3.1)
// and a 1024-packet replay window (RFC 3711 §3.3.2) in a fixed bitmap, no allocation.
#pragma once

#include <array>
#include <cstdint>

namespace chorus::rtc {

class SrtpReplayWindow {
 public:
  static constexpr std::uint64_t kWindowPackets = 1024;

  enum class Verdict { kNew, kReplayed, kTooOld };

  // Estimates the 48-bit packet index ROC || SEQ of a packet carrying `seq` from the highest
  // index accepted so far (RFC 3711 §3.3.1, Appendix A); before any packet the ROC is 0.
  std::uint64_t EstimateIndex(std::uint16_t seq) const;

  // Whether `index` may be accepted: newer than the highest, or inside the window and unseen.
  Verdict Check(std::uint64_t index) const;

  // Records `index` as seen (after authentication), sliding the window forward if it is newer.
  void Accept(std::uint64_t index);

  // True until the first Accept.
  bool Empty() const { return empty_; }

 private:
  static constexpr std::size_t kWords = kWindowPackets / 64;
  void SetBit(std::uint64_t index);
  bool GetBit(std::uint64_t index) const;
  void ClearBit(std::uint64_t index);

  bool empty_ = true;
  std::uint64_t highest_ = 0;
  std::array<std::uint64_t, kWords> bits_{};  // bit (index % 1024) for indices in the window
};

}  // namespace chorus::rtc
