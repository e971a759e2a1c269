#include "room/SpeakerSelection.hpp"

#include <algorithm>
#include <array>

namespace chorus::sfu {
namespace {

// `a` ranks above `b`: prioritized first, then louder.
bool Above(const Participant& a, const Participant& b) {
  const bool pa = SpeakerSelection::Prioritized(a);
  const bool pb = SpeakerSelection::Prioritized(b);
  if (pa != pb) return pa;
  return a.Detector().Loudness() > b.Detector().Loudness();
}

// `a` should take `b`'s place: always from a lower group, within a group only when louder by the
// switching margin (hysteresis).
bool ClearlyAbove(const Participant& a, const Participant& b) {
  const bool pa = SpeakerSelection::Prioritized(a);
  const bool pb = SpeakerSelection::Prioritized(b);
  if (pa != pb) return pa;
  return a.Detector().Loudness() >
         b.Detector().Loudness() + SpeakerSelection::kSwitchMarginLoudness;
}

}  // namespace

SpeakerSelection::SpeakerSelection(std::size_t capacity) : capacity_(capacity) {
  selected_.reserve(capacity_);
}

bool SpeakerSelection::Eligible(const Participant& p) {
  return p.IsPublisher() && !p.Muted() && p.Detector().Loudness() > kMinLoudness;
}

bool SpeakerSelection::Prioritized(const Participant& p) {
  return p.Pinned() && p.Speaking();
}

bool SpeakerSelection::Contains(const Participant& p) const {
  return std::find(selected_.begin(), selected_.end(), &p) != selected_.end();
}

bool SpeakerSelection::Remove(const Participant& p) {
  const auto it = std::find(selected_.begin(), selected_.end(), &p);
  if (it == selected_.end()) return false;
  selected_.erase(it);
  return true;
}

bool SpeakerSelection::TryAdd(Participant& p) {
  if (selected_.size() >= capacity_ || !Eligible(p) || Contains(p)) return false;
  selected_.push_back(&p);  // capacity reserved: no allocation
  return true;
}

bool SpeakerSelection::Update(const std::vector<std::unique_ptr<Participant>>& participants) {
  constexpr std::size_t kCompared = 32;
  const std::size_t before_size = selected_.size();
  std::array<Participant*, kCompared> before{};
  std::copy_n(selected_.begin(), std::min(before_size, kCompared), before.begin());

  selected_.erase(std::remove_if(selected_.begin(), selected_.end(),
                                 [](Participant* p) { return !Eligible(*p); }),
                  selected_.end());
  // Fill free places with the best candidates, then let a clearly better one replace the
  // weakest selected speaker. Each replacement strictly raises the selection, so this ends.
  for (;;) {
    Participant* best = nullptr;
    for (const auto& p : participants) {
      if (!Eligible(*p) || Contains(*p)) continue;
      if (!best || Above(*p, *best)) best = p.get();
    }
    if (!best) break;
    if (selected_.size() < capacity_) {
      selected_.push_back(best);
      continue;
    }
    if (selected_.empty()) break;
    const auto weakest = std::min_element(selected_.begin(), selected_.end(),
                                          [](auto* a, auto* b) { return Above(*b, *a); });
    if (!ClearlyAbove(*best, **weakest)) break;
    *weakest = best;
  }
  // Priority order with the same hysteresis: a speaker moves ahead of the one before it only
  // when clearly above it (a pinned speaker that talks goes ahead at once).
  for (bool swapped = true; swapped;) {
    swapped = false;
    for (std::size_t i = 1; i < selected_.size(); ++i) {
      if (ClearlyAbove(*selected_[i], *selected_[i - 1])) {
        std::swap(selected_[i], selected_[i - 1]);
        swapped = true;
      }
    }
  }
  if (selected_.size() != before_size || before_size > kCompared) return true;
  return !std::equal(selected_.begin(), selected_.end(), before.begin());
}

}  // namespace chorus::sfu
