#include "AudioMath.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace chorus::peer {

std::uint8_t AudioLevelDbov(std::span<const std::int16_t> samples) {
  if (samples.empty()) return 127;
  double sum = 0;
  for (std::int16_t s : samples) sum += static_cast<double>(s) * s;
  const double rms = std::sqrt(sum / static_cast<double>(samples.size())) / 32767.0;
  if (rms <= 0) return 127;
  const double dbov = -20.0 * std::log10(rms);
  return static_cast<std::uint8_t>(std::clamp(std::lround(dbov), 0L, 127L));
}

double RmsDbfs(std::span<const std::int16_t> samples) {
  if (samples.empty()) return -150.0;
  double sum = 0;
  for (std::int16_t s : samples) sum += static_cast<double>(s) * s;
  const double rms = std::sqrt(sum / static_cast<double>(samples.size())) / 32767.0;
  return rms > 0 ? std::max(20.0 * std::log10(rms), -150.0) : -150.0;
}

void ApplyHannWindow(std::span<float> samples) {
  const std::size_t n = samples.size();
  if (n < 2) return;
  const double step = 2.0 * std::numbers::pi / static_cast<double>(n - 1);
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] *= static_cast<float>(0.5 - 0.5 * std::cos(step * static_cast<double>(i)));
  }
}

double GoertzelPower(std::span<const float> samples, double frequency_hz, double sample_rate_hz) {
  const std::size_t n = samples.size();
  if (n < 2) return 0.0;
  const double omega = 2.0 * std::numbers::pi * frequency_hz / sample_rate_hz;
  const double coeff = 2.0 * std::cos(omega);
  double s1 = 0, s2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s0 = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double magnitude2 = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A Hann-windowed sine of amplitude A gives |X| = A * n / 4 at its bin.
  const double scale = static_cast<double>(n) / 4.0;
  return magnitude2 / (scale * scale);
}

}  // namespace chorus::peer
