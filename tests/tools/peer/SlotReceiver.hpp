// One receive slot of the test peer: the SSRC the server sends on for it (from the answer),
// reception counters, the CSRCs seen (each speaker's original SSRC), the last RFC 6464 level,
// Opus decoding, and a ToneAnalyzer over the decoded audio; optionally a WAV recording.
// Thread affinity: the peer's io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ToneAnalyzer.hpp"
#include "WavFile.hpp"
#include "rtc/RtpPacket.hpp"
#include "rtc/RtpReceiveStats.hpp"

struct OpusDecoder;

namespace chorus::peer {

class SlotReceiver {
 public:
  // Largest decoded frame: 120 ms at 48 kHz (RFC 6716 §2.1.4).
  static constexpr std::size_t kMaxFrameSamples = 5'760;

  SlotReceiver(std::size_t index, std::string mid, std::uint32_t ssrc);
  ~SlotReceiver();
  SlotReceiver(const SlotReceiver&) = delete;
  SlotReceiver& operator=(const SlotReceiver&) = delete;

  // Creates the Opus decoder (48 kHz mono; skipped when !decode, for benchmarks) and, when
  // `record_path` is not empty, the WAV file. Returns false with *error when either fails.
  bool Init(const std::string& record_path, bool decode, std::string* error);

  // Handles one unprotected RTP packet for this slot: counts it, records its CSRC and audio
  // level (extension id `audio_level_id`, 0 = not negotiated), decodes the Opus payload and
  // feeds the analyzer. `now_ms` is Unix time in ms.
  void OnPacket(const rtc::RtpPacket& packet, std::uint8_t audio_level_id,
                rtc::RtpReceiveStats::Clock::time_point arrival, std::int64_t now_ms);

  // Records a sender report from the server for this slot (for RR LSR/DLSR).
  void OnSenderReport(std::uint64_t ntp, rtc::RtpReceiveStats::Clock::time_point arrival);

  // Finishes the WAV recording.
  void Close();

  std::size_t Index() const { return index_; }
  const std::string& Mid() const { return mid_; }
  std::uint32_t Ssrc() const { return ssrc_; }
  std::uint64_t Packets() const { return packets_; }
  std::uint64_t Bytes() const { return bytes_; }
  std::uint64_t DecodedFrames() const { return decoded_frames_; }
  std::uint64_t DecodeErrors() const { return decode_errors_; }
  std::uint64_t WrongPayloadType() const { return wrong_payload_type_; }
  // Packets per CSRC (the speaker's original SSRC); packets without a CSRC count under 0.
  const std::map<std::uint32_t, std::uint64_t>& CsrcPackets() const { return csrc_packets_; }
  std::optional<std::uint8_t> LastLevel() const { return last_level_; }
  const ToneAnalyzer& Analyzer() const { return analyzer_; }
  rtc::RtpReceiveStats& Stats() { return stats_; }
  const rtc::RtpReceiveStats& Stats() const { return stats_; }
  // One-way delays (µs) of benchmark payloads (BenchPayload) seen on this slot, up to
  // kMaxLatencySamples.
  const std::vector<std::int64_t>& LatencySamplesUs() const { return latency_us_; }
  static constexpr std::size_t kMaxLatencySamples = 200'000;

 private:
  std::size_t index_;
  std::string mid_;
  std::uint32_t ssrc_;
  OpusDecoder* decoder_ = nullptr;
  WavWriter recording_;
  ToneAnalyzer analyzer_;
  rtc::RtpReceiveStats stats_;
  std::optional<std::uint8_t> payload_type_;  // the first packet's, all others must match
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t decoded_frames_ = 0;
  std::uint64_t decode_errors_ = 0;
  std::uint64_t wrong_payload_type_ = 0;
  std::map<std::uint32_t, std::uint64_t> csrc_packets_;
  std::optional<std::uint8_t> last_level_;
  std::vector<std::int64_t> latency_us_;
};

}  // namespace chorus::peer
