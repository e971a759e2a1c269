// Minimal RIFF/WAVE PCM support for the test peer: reads 16-bit PCM files (any rate/channels, as
// sox and espeak-ng write them) and writes 16-bit mono 48 kHz recordings of what a peer heard.
// Thread affinity: none (plain values and one-owner writer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace chorus::peer {

// Decoded PCM: interleaved 16-bit samples.
struct WavData {
  std::uint32_t sample_rate_hz = 0;
  std::uint16_t channels = 0;
  std::vector<std::int16_t> samples;
};

// Reads a 16-bit PCM WAV file. Returns nullopt (and sets *error) when the file is unreadable or
// not 16-bit PCM.
std::optional<WavData> ReadWav(const std::string& path, std::string* error);

// Writes a mono 16-bit WAV file incrementally; the header is completed on Close().
class WavWriter {
 public:
  WavWriter() = default;
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // Opens `path` for writing at `sample_rate_hz`. Returns false if the file cannot be created.
  bool Open(const std::string& path, std::uint32_t sample_rate_hz);
  // Appends mono samples.
  void Write(std::span<const std::int16_t> samples);
  // Patches the RIFF/data sizes and closes the file. Safe to call twice.
  void Close();
  bool IsOpen() const { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
  std::uint32_t sample_rate_hz_ = 0;
  std::uint64_t data_bytes_ = 0;
};

}  // namespace chorus::peer
