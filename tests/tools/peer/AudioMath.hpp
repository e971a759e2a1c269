// Signal measurements for the test peer: RFC 6464 audio level, RMS in dBFS and the Goertzel
// power of one frequency.
// Thread affinity: none (pure functions).
#pragma once

#include <cstdint>
#include <span>

namespace chorus::peer {

// The RFC 6464 §3 level of `samples`: -dBov of their RMS relative to a full-scale square wave
// (32767), rounded and clamped to 0 (loudest) .. 127 (silence).
std::uint8_t AudioLevelDbov(std::span<const std::int16_t> samples);

// RMS of `samples` in dB relative to full scale (0 dBFS = 32767); -150 for digital silence.
double RmsDbfs(std::span<const std::int16_t> samples);

// Multiplies `samples` by a Hann window in place (before GoertzelPower).
void ApplyHannWindow(std::span<float> samples);

// Power of `frequency_hz` in Hann-windowed `samples` (full scale = 1.0) at `sample_rate_hz` by
// the Goertzel algorithm, normalized so a full-scale sine at that frequency gives about 1.0.
double GoertzelPower(std::span<const float> samples, double frequency_hz, double sample_rate_hz);

}  // namespace chorus::peer
