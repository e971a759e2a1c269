#include "rtc/RtcpTime.hpp"

namespace chorus::rtc {
namespace {

constexpr std::uint64_t kNtpUnixEpochOffsetSeconds = 2'208'988'800ull;  // 1900 → 1970
constexpr std::uint64_t kNanosPerSecond = 1'000'000'000ull;

}  // namespace

std::uint64_t ToNtpTime(std::chrono::system_clock::time_point time) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  const auto nanos = static_cast<std::uint64_t>(since_epoch < 0 ? 0 : since_epoch);
  const std::uint64_t seconds = nanos / kNanosPerSecond + kNtpUnixEpochOffsetSeconds;
  const std::uint64_t fraction = ((nanos % kNanosPerSecond) << 32) / kNanosPerSecond;
  return (seconds << 32) | fraction;
}

std::uint32_t ToCompactNtpDuration(std::chrono::nanoseconds duration) {
  if (duration.count() <= 0) return 0;
  const auto nanos = static_cast<std::uint64_t>(duration.count());
  const std::uint64_t units =
      nanos / kNanosPerSecond * 65536 + (nanos % kNanosPerSecond) * 65536 / kNanosPerSecond;
  return units > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<std::uint32_t>(units);
}

std::optional<std::chrono::microseconds> RoundTripTime(std::uint32_t arrival_compact_ntp,
                                                       std::uint32_t lsr, std::uint32_t dlsr) {
  if (lsr == 0) return std::nullopt;
  const std::uint32_t rtt = arrival_compact_ntp - lsr - dlsr;  // modular, 1/65536 s
  if (static_cast<std::int32_t>(rtt) < 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(std::uint64_t{rtt} * 1'000'000 / 65536);
}

}  // namespace chorus::rtc
