// JSON summaries of what a test peer sent and heard, for --report and the integration tests.
// Thread affinity: none (reads the media objects on their owner thread).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>

#include "PeerMedia.hpp"

namespace chorus::peer {

// A tone cluster counts as heard when it lasted at least this many 100 ms windows.
inline constexpr std::size_t kMinHeardWindows = 3;

// {"sent":{...},"received":{...},"srtp_profile":..,"slots":[{index, mid, ssrc, packets, bytes,
//  decoded_frames, decode_errors, last_level_dbov, csrcs:{"<ssrc>":packets}, silent_windows,
//  tones:[{hz, windows, mean_dbfs, first_ms, last_ms}]}], "heard":[...],
//  "latency_ms":{count, p50, p99, max} (benchmark payloads only)}.
boost::json::object MediaReport(const PeerMedia& media);

// Tone clusters of all slots merged by frequency (within ToneAnalyzer::kClusterToleranceHz),
// keeping those of at least kMinHeardWindows windows, loudest-lasting first:
// [{hz, windows, mean_dbfs, first_ms, last_ms, slots:[i..]}].
boost::json::array HeardTones(const PeerMedia& media);

}  // namespace chorus::peer
