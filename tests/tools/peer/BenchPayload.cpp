#include "BenchPayload.hpp"

#include <cstring>

namespace chorus::peer {
namespace {

constexpr std::uint8_t kToc = 0xF8;  // config 31 (CELT FB 20 ms), mono, code 0
constexpr char kMagic[4] = {'C', 'H', 'B', '1'};

}  // namespace

std::size_t WriteBenchPayload(std::chrono::steady_clock::duration sent,
                              std::span<std::uint8_t> out) {
  if (out.size() < kBenchPayloadBytes) return 0;
  out[0] = kToc;
  std::memcpy(out.data() + 1, kMagic, sizeof(kMagic));
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(sent).count());
  for (int i = 0; i < 8; ++i) out[5 + i] = static_cast<std::uint8_t>(ns >> (56 - 8 * i));
  return kBenchPayloadBytes;
}

std::optional<std::chrono::steady_clock::duration> ReadBenchPayload(
    std::span<const std::uint8_t> payload) {
  if (payload.size() != kBenchPayloadBytes || payload[0] != kToc ||
      std::memcmp(payload.data() + 1, kMagic, sizeof(kMagic)) != 0) {
    return std::nullopt;
  }
  std::uint64_t ns = 0;
  for (int i = 0; i < 8; ++i) ns = (ns << 8) | payload[5 + i];
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::nanoseconds(static_cast<std::int64_t>(ns)));
}

}  // namespace chorus::peer
