#include "PeerReport.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace chorus::peer {
namespace json = boost::json;

namespace {

struct Heard {
  double hz = 0;
  std::size_t windows = 0;
  double sum_dbfs = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  std::vector<std::size_t> slots;
};

double Round1(double value) {
  return std::round(value * 10.0) / 10.0;
}

}  // namespace

json::array HeardTones(const PeerMedia& media) {
  std::vector<Heard> heard;
  for (const auto& slot : media.Slots()) {
    for (const auto& cluster : slot->Analyzer().Clusters()) {
      auto it = std::find_if(heard.begin(), heard.end(), [&](const Heard& h) {
        return std::abs(h.hz - cluster.hz) <= ToneAnalyzer::kClusterToleranceHz;
      });
      if (it == heard.end()) {
        heard.push_back(Heard{cluster.hz, 0, 0, cluster.first_ms, cluster.last_ms, {}});
        it = heard.end() - 1;
      }
      it->windows += cluster.windows;
      it->sum_dbfs += cluster.sum_dbfs;
      it->first_ms = std::min(it->first_ms, cluster.first_ms);
      it->last_ms = std::max(it->last_ms, cluster.last_ms);
      if (std::find(it->slots.begin(), it->slots.end(), slot->Index()) == it->slots.end()) {
        it->slots.push_back(slot->Index());
      }
    }
  }
  std::sort(heard.begin(), heard.end(),
            [](const Heard& a, const Heard& b) { return a.windows > b.windows; });
  json::array out;
  for (const auto& h : heard) {
    if (h.windows < kMinHeardWindows) continue;
    json::array slots;
    for (std::size_t s : h.slots) slots.push_back(s);
    out.push_back(json::object{{"hz", Round1(h.hz)},
                               {"windows", h.windows},
                               {"mean_dbfs", Round1(h.sum_dbfs / static_cast<double>(h.windows))},
                               {"first_ms", h.first_ms},
                               {"last_ms", h.last_ms},
                               {"slots", std::move(slots)}});
  }
  return out;
}

json::object MediaReport(const PeerMedia& media) {
  const auto& c = media.Counters();
  json::object report;
  report["srtp_profile"] = media.SrtpProfileName();
  report["send_ssrc"] = media.SendSsrc();
  report["sent"] = json::object{{"rtp_packets", c.rtp_sent},
                                {"rtp_bytes", c.rtp_bytes_sent},
                                {"rtcp_packets", c.rtcp_sent},
                                {"dtx_frames_skipped", c.dtx_frames_skipped},
                                {"stun_requests", c.stun_requests_sent}};
  report["received"] =
      json::object{{"rtp_packets", c.rtp_received},   {"rtp_bytes", c.rtp_bytes_received},
                   {"rtcp_packets", c.rtcp_received}, {"sender_reports", c.sender_reports_received},
                   {"unknown_ssrc", c.unknown_ssrc},  {"srtp_failures", c.srtp_failures},
                   {"malformed", c.malformed},        {"stun_successes", c.stun_successes},
                   {"stun_errors", c.stun_errors}};
  json::array slots;
  for (const auto& slot : media.Slots()) {
    json::object csrcs;
    for (const auto& [csrc, packets] : slot->CsrcPackets()) {
      csrcs[std::to_string(csrc)] = packets;
    }
    json::array tones;
    for (const auto& cluster : slot->Analyzer().Clusters()) {
      tones.push_back(json::object{
          {"hz", Round1(cluster.hz)},
          {"windows", cluster.windows},
          {"mean_dbfs", Round1(cluster.sum_dbfs / static_cast<double>(cluster.windows))},
          {"first_ms", cluster.first_ms},
          {"last_ms", cluster.last_ms}});
    }
    json::object entry{{"index", slot->Index()},
                       {"mid", slot->Mid()},
                       {"ssrc", slot->Ssrc()},
                       {"packets", slot->Packets()},
                       {"bytes", slot->Bytes()},
                       {"decoded_frames", slot->DecodedFrames()},
                       {"decode_errors", slot->DecodeErrors()},
                       {"wrong_payload_type", slot->WrongPayloadType()},
                       {"lost", slot->Stats().HasPackets() ? slot->Stats().CumulativeLost() : 0},
                       {"silent_windows", slot->Analyzer().SilentWindows()},
                       {"csrcs", std::move(csrcs)},
                       {"tones", std::move(tones)}};
    if (slot->LastLevel()) {
      entry["last_level_dbov"] = *slot->LastLevel();
    } else {
      entry["last_level_dbov"] = nullptr;
    }
    slots.push_back(std::move(entry));
  }
  report["slots"] = std::move(slots);
  std::vector<std::int64_t> latency;
  for (const auto& slot : media.Slots()) {
    const auto& samples = slot->LatencySamplesUs();
    latency.insert(latency.end(), samples.begin(), samples.end());
  }
  if (!latency.empty()) {
    std::sort(latency.begin(), latency.end());
    const auto at = [&](double q) {
      const auto index = static_cast<std::size_t>(q * static_cast<double>(latency.size() - 1));
      return static_cast<double>(latency[index]) / 1000.0;
    };
    report["latency_ms"] = json::object{
        {"count", latency.size()}, {"p50", at(0.50)}, {"p99", at(0.99)}, {"max", at(1.0)}};
  }
  report["heard"] = HeardTones(media);
  return report;
}

}  // namespace chorus::peer
