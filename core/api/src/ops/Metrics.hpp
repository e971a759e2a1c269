// A small Prometheus registry: labelled counters, histograms and gauges read at scrape time.
// Thread-safe (a mutex per family); used on the control plane only, never on the media path.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chorus::ops {

class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help)
      : name_(std::move(name)), help_(std::move(help)) {}
  // Adds `n` to the series with the given label text, e.g. R"(route="/x",status="200")".
  void Add(const std::string& labels, double n = 1);
  void Render(std::string& out) const;

 private:
  std::string name_, help_;
  mutable std::mutex mu_;
  std::map<std::string, double> values_;
};

class HistogramFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<double> bounds)
      : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)) {}
  void Observe(const std::string& labels, double value);
  void Render(std::string& out) const;

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::string, Series> series_;
};

class Metrics {
 public:
  Metrics();
  CounterFamily& Counter(const std::string& name, const std::string& help);
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             std::vector<double> bounds);
  // A gauge computed when /metrics is scraped.
  void Gauge(const std::string& name, const std::string& help, std::function<double()> read);
  std::string Render() const;

  // Latency buckets in seconds, for HTTP and Redis commands.
  static std::vector<double> LatencyBuckets();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_;
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_;
  struct GaugeEntry {
    std::string help;
    std::function<double()> read;
  };
  std::map<std::string, GaugeEntry> gauges_;
};

}  // namespace chorus::ops
