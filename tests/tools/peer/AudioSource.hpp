// What the test peer "says": a sine tone, a WAV file (looped, converted to 48 kHz mono) or
// silence, produced 20 ms at a time as the Opus encoder wants it.
// Thread affinity: one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace chorus::peer {

class AudioSource {
 public:
  static constexpr std::uint32_t kSampleRateHz = 48'000;  // Opus clock (RFC 7587 §4.1)
  static constexpr std::size_t kFrameSamples = 960;       // 20 ms at 48 kHz
  static constexpr std::uint32_t kFrameRtpTicks = 960;

  // A sine of `frequency_hz` with peak `amplitude` (0..1 of full scale).
  static std::unique_ptr<AudioSource> Tone(double frequency_hz, double amplitude);
  // Digital silence.
  static std::unique_ptr<AudioSource> Silence();
  // A 16-bit PCM WAV file, mixed down to mono, resampled linearly to 48 kHz, scaled by `gain`
  // and looped. Returns nullptr (and sets *error) when the file cannot be used.
  static std::unique_ptr<AudioSource> Wav(const std::string& path, double gain, std::string* error);

  // Fills `out` (kFrameSamples) with the next 20 ms.
  void NextFrame(std::span<std::int16_t, kFrameSamples> out);
  // A short description for logs and reports ("tone 440 Hz", "wav FILE", "silence").
  const std::string& Description() const { return description_; }
  // The tone frequency, when this is a tone.
  std::optional<double> ToneHz() const { return tone_hz_; }

 private:
  AudioSource() = default;

  std::string description_;
  std::optional<double> tone_hz_;
  double amplitude_ = 0.0;
  double phase_ = 0.0;
  std::vector<std::int16_t> pcm_;  // WAV content at 48 kHz mono
  std::size_t position_ = 0;
};

}  // namespace chorus::peer
