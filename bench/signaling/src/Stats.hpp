// Latency samples of one benchmark phase and their summary (count, rate, percentiles).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace chorus::bench {

class Stats {
 public:
  // Records one successful operation that took `ms` milliseconds.
  void Add(double ms) { samples_ms_.push_back(ms); }
  // Records one failed operation (bad status, transport error, timeout).
  void AddError() { ++errors_; }
  std::size_t Count() const { return samples_ms_.size(); }
  std::size_t Errors() const { return errors_; }
  // The q-quantile (0..1, nearest rank) of the samples in ms; 0 when there are none.
  double Percentile(double q) const;
  double Max() const;
  // One line: "label: n ok, e errors, r/s over wall, p50, p99, max" (rate from `wall`).
  std::string Summary(const std::string& label, std::chrono::duration<double> wall) const;

 private:
  mutable std::vector<double> samples_ms_;
  mutable bool sorted_ = false;
  std::size_t errors_ = 0;
  void Sort() const;
};

}  // namespace chorus::bench
