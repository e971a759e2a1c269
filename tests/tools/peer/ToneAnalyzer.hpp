// Measures what one receive slot carries: decoded 48 kHz audio is cut into 100 ms windows; each
// window with enough energy gets its dominant frequency (a Goertzel scan, then a 1 Hz
// refinement) and joins a cluster of windows at about the same frequency. Tests read the
// clusters: "this slot carried 440 Hz for 62 windows, first at t1, last at t2".
// Thread affinity: one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace chorus::peer {

// Windows whose dominant frequency stayed within kClusterToleranceHz of the first one's.
struct ToneCluster {
  double hz = 0;              // dominant frequency of the cluster's first window
  std::size_t windows = 0;    // 100 ms windows
  double sum_dbfs = 0;        // sum of the windows' RMS in dBFS (mean = sum / windows)
  std::int64_t first_ms = 0;  // wall-clock (Unix ms) of the first and last window's end
  std::int64_t last_ms = 0;
};

class ToneAnalyzer {
 public:
  static constexpr std::uint32_t kSampleRateHz = 48'000;
  static constexpr std::size_t kWindowSamples = 4'800;  // 100 ms: 10 Hz resolution
  static constexpr double kMinScanHz = 80.0;
  static constexpr double kMaxScanHz = 2'400.0;
  static constexpr double kScanStepHz = 20.0;
  static constexpr double kClusterToleranceHz = 15.0;
  // Windows quieter than this are counted as silent and not analyzed (Opus comfort noise and
  // PLC tails stay below it).
  static constexpr double kMinWindowDbfs = -45.0;

  // Appends decoded mono samples; `now_ms` (Unix ms) stamps windows completed by this call.
  void Feed(std::span<const std::int16_t> samples, std::int64_t now_ms);

  // The dominant frequency of one block of samples (any length >= 2), by a scan from
  // kMinScanHz to kMaxScanHz and a 1 Hz refinement.
  static double DominantFrequency(std::span<const std::int16_t> samples);

  const std::vector<ToneCluster>& Clusters() const { return clusters_; }
  std::size_t SilentWindows() const { return silent_windows_; }
  std::size_t LoudWindows() const { return loud_windows_; }

 private:
  void AnalyzeWindow(std::int64_t now_ms);

  std::vector<std::int16_t> window_;
  std::vector<ToneCluster> clusters_;
  std::size_t silent_windows_ = 0;
  std::size_t loud_windows_ = 0;
};

}  // namespace chorus::peer
