#include "AudioSource.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "WavFile.hpp"

namespace chorus::peer {

std::unique_ptr<AudioSource> AudioSource::Tone(double frequency_hz, double amplitude) {
  std::unique_ptr<AudioSource> source(new AudioSource());
  source->tone_hz_ = frequency_hz;
  source->amplitude_ = std::clamp(amplitude, 0.0, 1.0);
  source->description_ = "tone " + std::to_string(static_cast<int>(frequency_hz)) + " Hz";
  return source;
}

std::unique_ptr<AudioSource> AudioSource::Silence() {
  std::unique_ptr<AudioSource> source(new AudioSource());
  source->description_ = "silence";
  return source;
}

std::unique_ptr<AudioSource> AudioSource::Wav(const std::string& path, double gain,
                                              std::string* error) {
  auto wav = ReadWav(path, error);
  if (!wav) return nullptr;
  const std::size_t frames = wav->samples.size() / wav->channels;
  if (frames == 0) {
    *error = path + ": no samples";
    return nullptr;
  }
  // Mix down to mono.
  std::vector<double> mono(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    double sum = 0;
    for (std::size_t c = 0; c < wav->channels; ++c) sum += wav->samples[i * wav->channels + c];
    mono[i] = sum / wav->channels;
  }
  // Linear resampling to 48 kHz: good enough for tones and speech in tests.
  const double step = static_cast<double>(wav->sample_rate_hz) / kSampleRateHz;
  const auto out_frames = static_cast<std::size_t>(static_cast<double>(frames) / step);
  std::unique_ptr<AudioSource> source(new AudioSource());
  source->pcm_.resize(std::max<std::size_t>(out_frames, 1));
  for (std::size_t i = 0; i < source->pcm_.size(); ++i) {
    const double at = static_cast<double>(i) * step;
    const auto left = std::min(static_cast<std::size_t>(at), frames - 1);
    const std::size_t right = std::min(left + 1, frames - 1);
    const double frac = at - static_cast<double>(left);
    const double value = (mono[left] * (1.0 - frac) + mono[right] * frac) * gain;
    source->pcm_[i] = static_cast<std::int16_t>(std::clamp(value, -32768.0, 32767.0));
  }
  source->description_ = "wav " + path;
  return source;
}

void AudioSource::NextFrame(std::span<std::int16_t, kFrameSamples> out) {
  if (tone_hz_) {
    const double increment = 2.0 * std::numbers::pi * *tone_hz_ / kSampleRateHz;
    for (auto& sample : out) {
      sample = static_cast<std::int16_t>(std::lround(amplitude_ * 32767.0 * std::sin(phase_)));
      phase_ += increment;
      if (phase_ > 2.0 * std::numbers::pi) phase_ -= 2.0 * std::numbers::pi;
    }
  } else if (!pcm_.empty()) {
    for (auto& sample : out) {
      sample = pcm_[position_];
      position_ = (position_ + 1) % pcm_.size();
    }
  } else {
    std::fill(out.begin(), out.end(), std::int16_t{0});
  }
}

}  // namespace chorus::peer
