// A counter of work in flight with a ceiling: TryEnter admits while fewer than `max` are inside,
// Leave lets one out. Used to cap a pool's queue, so a burst is refused at once instead of
// waiting without bound. Thread-safe, lock-free.
#pragma once

#include <atomic>
#include <cstddef>

namespace chorus::util {

class AdmissionLimit {
 public:
  explicit AdmissionLimit(std::size_t max) : max_(max) {}

  // Admits one when fewer than max() are inside; returns whether it did.
  bool TryEnter() {
    std::size_t now = inside_.load(std::memory_order_relaxed);
    do {
      if (now >= max_) return false;
    } while (!inside_.compare_exchange_weak(now, now + 1, std::memory_order_acq_rel,
                                            std::memory_order_relaxed));
    return true;
  }
  // Lets one admitted by TryEnter out.
  void Leave() { inside_.fetch_sub(1, std::memory_order_acq_rel); }

  std::size_t Inside() const { return inside_.load(std::memory_order_relaxed); }
  std::size_t Max() const { return max_; }

 private:
  const std::size_t max_;
  std::atomic<std::size_t> inside_{0};
};

}  // namespace chorus::util
