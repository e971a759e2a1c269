#include "rtc/SrtpReplayWindow.hpp"

namespace chorus::rtc {
namespace {
constexpr std::uint32_t kSeqMedian = 1u << 15;  // 2^15, half the 16-bit sequence space
constexpr std::uint64_t kRocMask = 0xffffffffu;
}  // namespace

std::uint64_t SrtpReplayWindow::EstimateIndex(std::uint16_t seq) const {
  if (empty_) return seq;
  const std::uint32_t s_l = static_cast<std::uint32_t>(highest_ & 0xffff);
  const std::uint64_t roc = highest_ >> 16;
  std::uint64_t v = roc;
  if (s_l < kSeqMedian) {
    // A packet from before the last wrap (RFC 3711 Appendix A: v = ROC - 1).
    if (seq > s_l && seq - s_l > kSeqMedian && roc > 0) v = roc - 1;
  } else if (s_l - kSeqMedian > seq) {
    v = (roc + 1) & kRocMask;  // the sequence number wrapped: v = ROC + 1
  }
  return (v << 16) | seq;
}

SrtpReplayWindow::Verdict SrtpReplayWindow::Check(std::uint64_t index) const {
  if (empty_ || index > highest_) return Verdict::kNew;
  if (highest_ - index >= kWindowPackets) return Verdict::kTooOld;
  return GetBit(index) ? Verdict::kReplayed : Verdict::kNew;
}

void SrtpReplayWindow::Accept(std::uint64_t index) {
  if (empty_) {
    bits_.fill(0);
    highest_ = index;
    empty_ = false;
  } else if (index > highest_) {
    const std::uint64_t advance = index - highest_;
    if (advance >= kWindowPackets) {
      bits_.fill(0);
    } else {
      for (std::uint64_t i = highest_ + 1; i <= index; ++i) ClearBit(i);
    }
    highest_ = index;
  }
  SetBit(index);
}

void SrtpReplayWindow::SetBit(std::uint64_t index) {
  const std::uint64_t slot = index % kWindowPackets;
  bits_[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

bool SrtpReplayWindow::GetBit(std::uint64_t index) const {
  const std::uint64_t slot = index % kWindowPackets;
  return (bits_[slot / 64] >> (slot % 64)) & 1u;
}

void SrtpReplayWindow::ClearBit(std::uint64_t index) {
  const std::uint64_t slot = index % kWindowPackets;
  bits_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
}

}  // namespace chorus::rtc
