#include "ToneAnalyzer.hpp"

#include <cmath>

#include "AudioMath.hpp"

namespace chorus::peer {

void ToneAnalyzer::Feed(std::span<const std::int16_t> samples, std::int64_t now_ms) {
  for (std::int16_t s : samples) {
    window_.push_back(s);
    if (window_.size() == kWindowSamples) {
      AnalyzeWindow(now_ms);
      window_.clear();
    }
  }
}

double ToneAnalyzer::DominantFrequency(std::span<const std::int16_t> samples) {
  std::vector<float> windowed(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) windowed[i] = samples[i] / 32767.0f;
  ApplyHannWindow(windowed);
  double best_hz = kMinScanHz;
  double best_power = -1;
  for (double hz = kMinScanHz; hz <= kMaxScanHz; hz += kScanStepHz) {
    const double power = GoertzelPower(windowed, hz, kSampleRateHz);
    if (power > best_power) {
      best_power = power;
      best_hz = hz;
    }
  }
  const double coarse = best_hz;
  for (double hz = coarse - kScanStepHz + 1; hz < coarse + kScanStepHz; hz += 1.0) {
    const double power = GoertzelPower(windowed, hz, kSampleRateHz);
    if (power > best_power) {
      best_power = power;
      best_hz = hz;
    }
  }
  return best_hz;
}

void ToneAnalyzer::AnalyzeWindow(std::int64_t now_ms) {
  const double dbfs = RmsDbfs(window_);
  if (dbfs < kMinWindowDbfs) {
    ++silent_windows_;
    return;
  }
  ++loud_windows_;
  const double hz = DominantFrequency(window_);
  for (auto& cluster : clusters_) {
    if (std::abs(cluster.hz - hz) <= kClusterToleranceHz) {
      ++cluster.windows;
      cluster.sum_dbfs += dbfs;
      cluster.last_ms = now_ms;
      return;
    }
  }
  clusters_.push_back(ToneCluster{hz, 1, dbfs, now_ms, now_ms});
}

}  // namespace chorus::peer
