#include "ops/Metrics.hpp"

#include <fmt/format.h>

namespace chorus::ops {
namespace {
std::string SeriesName(const std::string& name, const std::string& labels) {
  return labels.empty() ? name : name + "{" + labels + "}";
}
}  // namespace

void CounterFamily::Add(const std::string& labels, double n) {
  std::lock_guard lock(mu_);
  values_[labels] += n;
}

void CounterFamily::Render(std::string& out) const {
  std::lock_guard lock(mu_);
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name_, help_, name_);
  for (const auto& [labels, v] : values_)
    out += fmt::format("{} {}\n", SeriesName(name_, labels), v);
}

void HistogramFamily::Observe(const std::string& labels, double value) {
  std::lock_guard lock(mu_);
  auto& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) ++s.buckets[i];
  }
  s.sum += value;
  ++s.count;
}

void HistogramFamily::Render(std::string& out) const {
  std::lock_guard lock(mu_);
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_);
  for (const auto& [labels, s] : series_) {
    const std::string sep = labels.empty() ? "" : ",";
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name_, labels, sep, bounds_[i],
                         s.buckets[i]);
    }
    out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name_, labels, sep, s.count);
    out += fmt::format("{} {}\n", SeriesName(name_ + "_sum", labels), s.sum);
    out += fmt::format("{} {}\n", SeriesName(name_ + "_count", labels), s.count);
  }
}

Metrics::Metrics() = default;

CounterFamily& Metrics::Counter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<CounterFamily>(name, help);
  return *slot;
}

HistogramFamily& Metrics::Histogram(const std::string& name, const std::string& help,
                                    std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto& slot = histograms_[name];
  if (!slot) slot = std::make_unique<HistogramFamily>(name, help, std::move(bounds));
  return *slot;
}

void Metrics::Gauge(const std::string& name, const std::string& help,
                    std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_[name] = GaugeEntry{help, std::move(read)};
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [_, c] : counters_) c->Render(out);
  for (const auto& [_, h] : histograms_) h->Render(out);
  for (const auto& [name, g] : gauges_) {
    out +=
        fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, g.help, name, name, g.read());
  }
  return out;
}

std::vector<double> Metrics::LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

}  // namespace chorus::ops
