// NTP timestamps and round-trip time for RTCP (RFC 3550 §4, §6.4.1).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace chorus::rtc {

// Converts wall-clock time to a 64-bit NTP timestamp (seconds since 1900 << 32 | fraction).
std::uint64_t ToNtpTime(std::chrono::system_clock::time_point time);

// The middle 32 bits of an NTP timestamp (16.16 fixed point), as carried in LSR.
inline std::uint32_t CompactNtp(std::uint64_t ntp) {
  return static_cast<std::uint32_t>(ntp >> 16);
}

// Converts a duration to 1/65536 s units (DLSR), saturating at 32 bits.
std::uint32_t ToCompactNtpDuration(std::chrono::nanoseconds duration);

// RFC 3550 §6.4.1: RTT = A - LSR - DLSR, with A the compact NTP arrival time of the report
// block. Returns nullopt when lsr is 0 (no SR received yet); a negative result (clock skew)
// gives zero.
std::optional<std::chrono::microseconds> RoundTripTime(std::uint32_t arrival_compact_ntp,
                                                       std::uint32_t lsr, std::uint32_t dlsr);

}  // namespace chorus::rtc
