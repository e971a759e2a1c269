#include "WavFile.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>

namespace chorus::peer {
namespace {

std::uint32_t Le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}

std::uint16_t Le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

void PutLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void PutLe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

constexpr std::size_t kHeaderBytes = 44;

}  // namespace

std::optional<WavData> ReadWav(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
      std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) {
    *error = path + " is not a RIFF/WAVE file";
    return std::nullopt;
  }
  WavData wav;
  bool have_format = false;
  std::size_t offset = 12;
  // Walk the chunks (each: 4-byte id, 4-byte little-endian size, data padded to even size).
  while (offset + 8 <= bytes.size()) {
    const std::uint8_t* chunk = bytes.data() + offset;
    const std::uint32_t size = Le32(chunk + 4);
    const std::size_t body = offset + 8;
    const std::size_t available = bytes.size() - body;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (size < 16 || available < 16) break;
      const std::uint16_t format = Le16(bytes.data() + body);
      wav.channels = Le16(bytes.data() + body + 2);
      wav.sample_rate_hz = Le32(bytes.data() + body + 4);
      const std::uint16_t bits = Le16(bytes.data() + body + 14);
      // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE (sox writes it for some files).
      if ((format != 1 && format != 0xFFFE) || bits != 16 || wav.channels == 0 ||
          wav.sample_rate_hz == 0) {
        *error = path + ": only 16-bit PCM WAV is supported";
        return std::nullopt;
      }
      have_format = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) break;
      const std::size_t length = std::min<std::size_t>(size, available) / 2;
      wav.samples.resize(length);
      for (std::size_t i = 0; i < length; ++i) {
        wav.samples[i] = static_cast<std::int16_t>(Le16(bytes.data() + body + 2 * i));
      }
      return wav;
    }
    offset = body + size + (size & 1);
  }
  *error = path + ": no fmt/data chunk";
  return std::nullopt;
}

WavWriter::~WavWriter() {
  Close();
}

bool WavWriter::Open(const std::string& path, std::uint32_t sample_rate_hz) {
  Close();
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return false;
  sample_rate_hz_ = sample_rate_hz;
  data_bytes_ = 0;
  std::array<std::uint8_t, kHeaderBytes> header{};
  std::fwrite(header.data(), 1, header.size(), file_);  // patched on Close()
  return true;
}

void WavWriter::Write(std::span<const std::int16_t> samples) {
  if (file_ == nullptr) return;
  std::array<std::uint8_t, 2> le{};
  for (std::int16_t s : samples) {
    PutLe16(le.data(), static_cast<std::uint16_t>(s));
    std::fwrite(le.data(), 1, 2, file_);
  }
  data_bytes_ += samples.size() * 2;
}

void WavWriter::Close() {
  if (file_ == nullptr) return;
  std::array<std::uint8_t, kHeaderBytes> h{};
  const auto data = static_cast<std::uint32_t>(data_bytes_);
  std::memcpy(h.data(), "RIFF", 4);
  PutLe32(h.data() + 4, 36 + data);
  std::memcpy(h.data() + 8, "WAVEfmt ", 8);
  PutLe32(h.data() + 16, 16);
  PutLe16(h.data() + 20, 1);  // PCM
  PutLe16(h.data() + 22, 1);  // mono
  PutLe32(h.data() + 24, sample_rate_hz_);
  PutLe32(h.data() + 28, sample_rate_hz_ * 2);
  PutLe16(h.data() + 32, 2);
  PutLe16(h.data() + 34, 16);
  std::memcpy(h.data() + 36, "data", 4);
  PutLe32(h.data() + 40, data);
  std::fseek(file_, 0, SEEK_SET);
  std::fwrite(h.data(), 1, h.size(), file_);
  std::fclose(file_);
  file_ = nullptr;
}

}  // namespace chorus::peer
