#include "SlotReceiver.hpp"

#include "BenchPayload.hpp"

#include <opus/opus.h>

#include <array>

namespace chorus::peer {

SlotReceiver::SlotReceiver(std::size_t index, std::string mid, std::uint32_t ssrc)
    : index_(index), mid_(std::move(mid)), ssrc_(ssrc), stats_(ssrc) {}

SlotReceiver::~SlotReceiver() {
  Close();
  if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
}

bool SlotReceiver::Init(const std::string& record_path, bool decode, std::string* error) {
  if (!decode) return true;
  int status = OPUS_OK;
  decoder_ = opus_decoder_create(48'000, 1, &status);
  if (decoder_ == nullptr || status != OPUS_OK) {
    *error = std::string("opus_decoder_create: ") + opus_strerror(status);
    return false;
  }
  if (!record_path.empty() && !recording_.Open(record_path, 48'000)) {
    *error = "cannot create " + record_path;
    return false;
  }
  return true;
}

void SlotReceiver::OnPacket(const rtc::RtpPacket& packet, std::uint8_t audio_level_id,
                            rtc::RtpReceiveStats::Clock::time_point arrival, std::int64_t now_ms) {
  ++packets_;
  bytes_ += packet.Size();
  stats_.OnPacket(packet.Sequence(), packet.Timestamp(), arrival, packet.Size());
  csrc_packets_[packet.CsrcCount() > 0 ? packet.Csrc(0) : 0]++;
  if (audio_level_id != 0) {
    if (auto level = packet.ReadAudioLevel(audio_level_id)) last_level_ = level->level_dbov;
  }
  if (auto sent = ReadBenchPayload(packet.Payload())) {
    if (latency_us_.size() < kMaxLatencySamples) {
      latency_us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now().time_since_epoch() - *sent)
                                .count());
    }
  }
  if (decoder_ == nullptr) return;  // counting only (benchmark mode)
  if (!payload_type_) payload_type_ = packet.PayloadType();
  if (packet.PayloadType() != *payload_type_) {
    ++wrong_payload_type_;
    return;
  }
  std::array<opus_int16, kMaxFrameSamples> pcm{};
  const auto payload = packet.Payload();
  const int samples = opus_decode(decoder_, payload.data(), static_cast<opus_int32>(payload.size()),
                                  pcm.data(), static_cast<int>(pcm.size()), 0);
  if (samples < 0) {
    ++decode_errors_;
    return;
  }
  ++decoded_frames_;
  const std::span<const std::int16_t> decoded(pcm.data(), static_cast<std::size_t>(samples));
  analyzer_.Feed(decoded, now_ms);
  recording_.Write(decoded);
}

void SlotReceiver::OnSenderReport(std::uint64_t ntp,
                                  rtc::RtpReceiveStats::Clock::time_point arrival) {
  stats_.OnSenderReport(ntp, arrival);
}

void SlotReceiver::Close() {
  recording_.Close();
}

}  // namespace chorus::peer
