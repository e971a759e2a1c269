#include "Stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace chorus::bench {

void Stats::Sort() const {
  if (!sorted_) {
    std::sort(samples_ms_.begin(), samples_ms_.end());
    sorted_ = true;
  }
}

double Stats::Percentile(double q) const {
  if (samples_ms_.empty()) return 0;
  Sort();
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples_ms_.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples_ms_.size());
  return samples_ms_[rank - 1];
}

double Stats::Max() const {
  if (samples_ms_.empty()) return 0;
  Sort();
  return samples_ms_.back();
}

std::string Stats::Summary(const std::string& label, std::chrono::duration<double> wall) const {
  char line[256];
  const double secs = wall.count();
  std::snprintf(line, sizeof line,
                "%-22s %7zu ok %5zu err %9.1f /s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms "
                "(%.2f s)",
                label.c_str(), Count(), errors_,
                secs > 0 ? static_cast<double>(Count()) / secs : 0.0, Percentile(0.50),
                Percentile(0.99), Max(), secs);
  return line;
}

}  // namespace chorus::bench
