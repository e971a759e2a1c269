// Which speakers a room forwards: up to `capacity` participants in priority order (listeners
// outside the selection hear the first K, a selected speaker the first K others).
// Order: pinned participants that are speaking (SpeakerDetector's hysteresis) come first, then
// everyone else; within each group the louder first. Loudness changes go through a switching
// margin so similar voices do not flap; being pinned-and-speaking outranks any loudness.
// Thread affinity: the owning room's media worker. Allocates only in the constructor.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "room/Participant.hpp"

namespace chorus::sfu {

class SpeakerSelection {
 public:
  // A challenger replaces a selected speaker of its own group only when louder by this much (dB).
  static constexpr double kSwitchMarginLoudness = 6.0;
  // Speakers at or below this smoothed loudness (0..127) are not forwarded (silence, DTX).
  static constexpr double kMinLoudness = 1.0;

  explicit SpeakerSelection(std::size_t capacity);

  // True when `p` may be forwarded at all: a publisher, not muted, above kMinLoudness.
  static bool Eligible(const Participant& p);
  // True when `p` outranks every unpinned speaker: pinned and speaking.
  static bool Prioritized(const Participant& p);

  // The selected speakers, highest priority first.
  const std::vector<Participant*>& List() const { return selected_; }
  bool Contains(const Participant& p) const;
  // Drops `p`; returns true when it was selected.
  bool Remove(const Participant& p);
  void Clear() { selected_.clear(); }

  // Packet-path fast pick-up: appends `p` when a place is free and it is eligible, so a speaker
  // is heard from its first syllable instead of the next Update(). Returns true when added.
  bool TryAdd(Participant& p);

  // Re-selects among `participants` (detectors already advanced): drops the ineligible, fills
  // free places, lets a clearly better challenger replace the weakest, then orders by priority.
  // Returns true when the members or their order changed.
  bool Update(const std::vector<std::unique_ptr<Participant>>& participants);

 private:
  std::size_t capacity_;
  std::vector<Participant*> selected_;
};

}  // namespace chorus::sfu
